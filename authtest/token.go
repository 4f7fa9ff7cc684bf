package authtest

import (
	"crypto"
	"encoding/json"
	"fmt"
	"maps"
	"strings"
	"testing"
	"time"
)

// DefaultSubject is the "sub" of default tokens.
const DefaultSubject = "user_123"

// DefaultLifetime is how long default tokens stay valid after "iat".
const DefaultLifetime = time.Hour

// TokenBuilder builds and signs a compact JWS. Its defaults, from
// [Issuer.Token], make a token the issuer's verifiers accept; every claim and
// header parameter can then be changed or removed to make one they must
// refuse. Methods return the builder so calls chain; the first error among
// them is reported by [TokenBuilder.Sign].
//
// Header and claims are serialised with sorted keys, so a builder always
// produces the same bytes. Which key signs is chosen by
// [TokenBuilder.Algorithm], [TokenBuilder.SignWith] and
// [TokenBuilder.SignWithSecret], which also set the "alg" and "kid"
// parameters; setting "alg" with [TokenBuilder.Header] afterwards changes only
// what the token claims, for algorithm-confusion tests. Whichever call comes
// last wins.
//
// A TokenBuilder is not safe for concurrent use; [TokenBuilder.Clone] one per
// goroutine.
type TokenBuilder struct {
	issuer *Issuer
	header map[string]any
	claims map[string]any
	alg    string // how Sign signs, whatever the header says
	key    any    // crypto.Signer, []byte, or nil for "none"
	err    error
}

// Token returns a builder for a token the issuer would issue: header
// {"alg":"RS256","kid":<current RS256 kid>,"typ":"JWT"} and claims
// {"iss":URL(),"sub":"user_123","aud":Audience(),"iat":now,"exp":now+1h},
// where now is the issuer's clock at this call.
func (i *Issuer) Token() *TokenBuilder {
	now := i.cfg.now()
	b := &TokenBuilder{
		issuer: i,
		header: map[string]any{"typ": "JWT"},
		claims: map[string]any{
			"iss": i.URL(),
			"sub": DefaultSubject,
			"iat": now.Unix(),
			"exp": now.Add(DefaultLifetime).Unix(),
		},
	}
	if aud := i.Audience(); aud != "" {
		b.claims["aud"] = aud
	}
	return b.Algorithm("RS256")
}

// Clone returns an independent copy of the builder, so that table-driven tests
// can derive variants from one base token. Claim values themselves are
// shared, not copied.
func (b *TokenBuilder) Clone() *TokenBuilder {
	c := *b
	c.header = maps.Clone(b.header)
	c.claims = maps.Clone(b.claims)
	return &c
}

// Claim sets a claim to any JSON-marshalable value — including values of the
// wrong type, such as "exp":"123", and [json.RawMessage] for exact JSON.
func (b *TokenBuilder) Claim(name string, value any) *TokenBuilder {
	b.claims[name] = value
	return b
}

// Without removes a claim, for tests of tokens that lack one.
func (b *TokenBuilder) Without(name string) *TokenBuilder {
	delete(b.claims, name)
	return b
}

// Header sets a header parameter — "kid", "typ", "crit", "jku", even "alg" —
// to any JSON-marshalable value. It never changes which key signs.
func (b *TokenBuilder) Header(name string, value any) *TokenBuilder {
	b.header[name] = value
	return b
}

// WithoutHeader removes a header parameter.
func (b *TokenBuilder) WithoutHeader(name string) *TokenBuilder {
	delete(b.header, name)
	return b
}

// Subject sets "sub".
func (b *TokenBuilder) Subject(s string) *TokenBuilder {
	return b.Claim("sub", s)
}

// Audience sets "aud": one audience as a string, as Auth0 issues it for a
// single API, several as an array, none as an empty array. Use
// [TokenBuilder.Without]("aud") to remove the claim.
func (b *TokenBuilder) Audience(aud ...string) *TokenBuilder {
	if len(aud) == 1 {
		return b.Claim("aud", aud[0])
	}
	return b.Claim("aud", append([]string{}, aud...))
}

// Scope sets "scope", the space-separated string of OAuth 2.0 scopes, e.g.
// "read:messages write:messages".
func (b *TokenBuilder) Scope(s string) *TokenBuilder {
	return b.Claim("scope", s)
}

// Permissions sets "permissions", the array Auth0 issues when role-based
// access control adds permissions to access tokens.
func (b *TokenBuilder) Permissions(p ...string) *TokenBuilder {
	return b.Claim("permissions", append([]string{}, p...))
}

// ExpiresAt sets "exp" to t, in whole seconds.
func (b *TokenBuilder) ExpiresAt(t time.Time) *TokenBuilder {
	return b.Claim("exp", t.Unix())
}

// ExpiresIn sets "exp" to d after now by the issuer's clock; a negative d
// makes an expired token.
func (b *TokenBuilder) ExpiresIn(d time.Duration) *TokenBuilder {
	return b.ExpiresAt(b.issuer.cfg.now().Add(d))
}

// NotBefore sets "nbf" to t, in whole seconds.
func (b *TokenBuilder) NotBefore(t time.Time) *TokenBuilder {
	return b.Claim("nbf", t.Unix())
}

// IssuedAt sets "iat" to t, in whole seconds.
func (b *TokenBuilder) IssuedAt(t time.Time) *TokenBuilder {
	return b.Claim("iat", t.Unix())
}

// Algorithm signs with the issuer's current key for alg and sets "alg" and
// "kid" to match. ES256 and EdDSA have keys from the start, ES384 and ES512
// once [Issuer.Rotate] made them. RS256, RS384, RS512, PS256, PS384 and PS512
// share the RSA key unless Rotate gave one of them its own; as that key is
// published with "alg":"RS256", verifiers that match a key's "alg" refuse
// the others with it — a test in itself — and accept them after Rotate(alg).
// "none" removes "kid" and leaves the signature empty.
func (b *TokenBuilder) Algorithm(alg string) *TokenBuilder {
	if alg == "none" {
		b.alg, b.key = alg, nil
		b.header["alg"] = alg
		delete(b.header, "kid")
		return b
	}
	k := b.issuer.lookup(alg)
	if k == nil {
		if strings.HasPrefix(alg, "HS") {
			return b.fail(fmt.Errorf("authtest: the issuer has no %s key; use SignWithSecret", alg))
		}
		return b.fail(fmt.Errorf("authtest: the issuer has no key for %q; Rotate(%q) makes one", alg, alg))
	}
	b.alg, b.key = alg, k.signer
	b.header["alg"] = alg
	b.header["kid"] = k.kid
	return b
}

// SignWith signs with a key the issuer does not publish, as an attacker or a
// misconfigured issuer would, and sets "alg" and "kid" to match; an empty
// kid removes "kid".
func (b *TokenBuilder) SignWith(alg string, key crypto.Signer, kid string) *TokenBuilder {
	b.alg, b.key = alg, key
	b.header["alg"] = alg
	if kid == "" {
		delete(b.header, "kid")
	} else {
		b.header["kid"] = kid
	}
	return b
}

// SignWithSecret signs with HS256, HS384 or HS512 and secret, sets "alg" and
// removes "kid" (set one afterwards with [TokenBuilder.Header]). Secrets of any
// length are accepted, so that tests can make the short ones verifiers must
// refuse.
func (b *TokenBuilder) SignWithSecret(alg string, secret []byte) *TokenBuilder {
	b.alg = alg
	b.key = append([]byte{}, secret...)
	b.header["alg"] = alg
	delete(b.header, "kid")
	return b
}

// Sign serialises header and claims and signs them, returning the compact
// token or the first error of the builder's calls.
func (b *TokenBuilder) Sign() (string, error) {
	if b.err != nil {
		return "", b.err
	}
	header, err := json.Marshal(b.header)
	if err != nil {
		return "", fmt.Errorf("authtest: encode token header: %w", err)
	}
	payload, err := json.Marshal(b.claims)
	if err != nil {
		return "", fmt.Errorf("authtest: encode token claims: %w", err)
	}
	return SignRaw(b.alg, b.key, header, payload)
}

// MustSign is [TokenBuilder.Sign] for tests: an error fails the test.
func (b *TokenBuilder) MustSign(t testing.TB) string {
	t.Helper()
	tok, err := b.Sign()
	if err != nil {
		t.Fatalf("authtest: sign token: %v", err)
	}
	return tok
}

// String returns the signed token and panics if it cannot be signed. It is
// for examples and development output, where there is no test to fail.
func (b *TokenBuilder) String() string {
	tok, err := b.Sign()
	if err != nil {
		panic(err)
	}
	return tok
}

func (b *TokenBuilder) fail(err error) *TokenBuilder {
	if b.err == nil {
		b.err = err
	}
	return b
}
