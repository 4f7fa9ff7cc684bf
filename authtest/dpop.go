package authtest

import (
	"crypto"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"maps"
	"strings"
	"testing"
	"time"

	jose "github.com/go-jose/go-jose/v4"
)

// DPoPKey is a client's DPoP key pair (RFC 9449): it signs proofs, and its
// thumbprint binds access tokens to it ([TokenBuilder.BoundTo]). Use one
// per client under test; it is safe for concurrent use.
type DPoPKey struct {
	alg        string
	signer     crypto.Signer
	jwk        json.RawMessage // the public key, as a proof's "jwk" header
	thumbprint string
	now        func() time.Time
}

// NewDPoPKey generates a DPoP key for alg: ES256 (what most clients use),
// ES384, ES512, RS256 and the other RSA algorithms, or EdDSA.
func NewDPoPKey(alg string) (*DPoPKey, error) {
	// RFC 9449 §4.2: a proof is signed with an asymmetric key, which the
	// proof carries; a shared secret cannot be.
	if strings.HasPrefix(alg, "HS") {
		return nil, fmt.Errorf("authtest: a DPoP proof is signed with an asymmetric key, not %s; use ES256, RS256 or EdDSA", alg)
	}
	signer, err := generateKey(alg, DefaultRSABits)
	if err != nil {
		return nil, err
	}
	pub := jose.JSONWebKey{Key: signer.Public()}
	jwk, err := pub.MarshalJSON()
	if err != nil {
		return nil, fmt.Errorf("authtest: DPoP key: %w", err)
	}
	sum, err := pub.Thumbprint(crypto.SHA256)
	if err != nil {
		return nil, fmt.Errorf("authtest: DPoP key thumbprint: %w", err)
	}
	return &DPoPKey{alg: alg, signer: signer, jwk: jwk, thumbprint: base64.RawURLEncoding.EncodeToString(sum), now: time.Now}, nil
}

// MustDPoPKey is NewDPoPKey for tests: it fails t on error.
func MustDPoPKey(t testing.TB, alg string) *DPoPKey {
	t.Helper()
	k, err := NewDPoPKey(alg)
	if err != nil {
		t.Fatal(err)
	}
	return k
}

// WithClock returns a copy of the key whose proofs are issued at now()
// (a Clock's Now, say), for servers under an injected clock.
func (k *DPoPKey) WithClock(now func() time.Time) *DPoPKey {
	c := *k
	c.now = now
	return &c
}

// Algorithm returns the algorithm the key signs its proofs with.
func (k *DPoPKey) Algorithm() string { return k.alg }

// Thumbprint returns the key's RFC 7638 thumbprint, the "jkt" a bound
// token carries in "cnf".
func (k *DPoPKey) Thumbprint() string { return k.thumbprint }

// JWK returns the public key as a JWK, the "jwk" header of its proofs.
func (k *DPoPKey) JWK() json.RawMessage { return append(json.RawMessage(nil), k.jwk...) }

// Signer returns the private key, for proofs a test signs by hand.
func (k *DPoPKey) Signer() crypto.Signer { return k.signer }

// Proof returns a builder for a DPoP proof of a request with method and
// url: header {"typ":"dpop+jwt","alg":<the key's>,"jwk":<the public key>}
// and claims {"jti":<random>,"htm":method,"htu":url,"iat":now}, now being
// the key's clock (see WithClock). Add the
// access token's hash with [ProofBuilder.For] and a server nonce with
// [ProofBuilder.Nonce]; every member can be changed or removed to build a
// proof the server must refuse.
func (k *DPoPKey) Proof(method, url string) *ProofBuilder {
	return &ProofBuilder{
		key:    k,
		header: map[string]any{"typ": "dpop+jwt", "alg": k.alg, "jwk": k.jwk},
		claims: map[string]any{"jti": randomID(16), "htm": method, "htu": url, "iat": k.now().Unix()},
	}
}

// ProofBuilder builds and signs a DPoP proof. Methods return the builder so
// calls chain; it is not safe for concurrent use.
type ProofBuilder struct {
	key    *DPoPKey
	header map[string]any
	claims map[string]any
	signer crypto.Signer // another key than the one in "jwk", when set
}

// For binds the proof to the access token it accompanies: "ath" is the
// base64url SHA-256 of the token (RFC 9449 §4.2).
func (b *ProofBuilder) For(accessToken string) *ProofBuilder {
	sum := sha256.Sum256([]byte(accessToken))
	return b.Claim("ath", base64.RawURLEncoding.EncodeToString(sum[:]))
}

// Nonce sets the "nonce" claim to a nonce the server gave (RFC 9449 §8).
func (b *ProofBuilder) Nonce(nonce string) *ProofBuilder { return b.Claim("nonce", nonce) }

// IssuedAt sets "iat".
func (b *ProofBuilder) IssuedAt(t time.Time) *ProofBuilder { return b.Claim("iat", t.Unix()) }

// ID sets "jti", the proof's identifier, which a server accepts once.
func (b *ProofBuilder) ID(jti string) *ProofBuilder { return b.Claim("jti", jti) }

// Claim sets a claim to any JSON-marshalable value.
func (b *ProofBuilder) Claim(name string, value any) *ProofBuilder {
	b.claims[name] = value
	return b
}

// Without removes a claim.
func (b *ProofBuilder) Without(name string) *ProofBuilder {
	delete(b.claims, name)
	return b
}

// Header sets a header parameter; setting "alg" changes only what the proof
// claims, not how it is signed.
func (b *ProofBuilder) Header(name string, value any) *ProofBuilder {
	b.header[name] = value
	return b
}

// WithoutHeader removes a header parameter.
func (b *ProofBuilder) WithoutHeader(name string) *ProofBuilder {
	delete(b.header, name)
	return b
}

// SignedBy signs the proof with another key than the one its "jwk" names,
// for a proof whose signature must not verify.
func (b *ProofBuilder) SignedBy(other *DPoPKey) *ProofBuilder {
	b.signer = other.signer
	return b
}

// Clone returns an independent copy of the builder.
func (b *ProofBuilder) Clone() *ProofBuilder {
	c := *b
	c.header = maps.Clone(b.header)
	c.claims = maps.Clone(b.claims)
	return &c
}

// Sign serialises and signs the proof.
func (b *ProofBuilder) Sign() (string, error) {
	header, err := json.Marshal(b.header)
	if err != nil {
		return "", fmt.Errorf("authtest: proof header: %w", err)
	}
	claims, err := json.Marshal(b.claims)
	if err != nil {
		return "", fmt.Errorf("authtest: proof claims: %w", err)
	}
	signer := b.key.signer
	if b.signer != nil {
		signer = b.signer
	}
	return SignRaw(b.key.alg, signer, header, claims)
}

// MustSign is Sign for tests: it fails t on error.
func (b *ProofBuilder) MustSign(t testing.TB) string {
	t.Helper()
	p, err := b.Sign()
	if err != nil {
		t.Fatal(err)
	}
	return p
}

// BoundTo binds the token to a client's DPoP key: "cnf" becomes
// {"jkt": the key's thumbprint} (RFC 9449 §6.1), and the token is usable
// only with proofs that key signs.
func (b *TokenBuilder) BoundTo(k *DPoPKey) *TokenBuilder {
	return b.Claim("cnf", map[string]string{"jkt": k.thumbprint})
}

// randomID is n random bytes in base64url: a key's "kid", a proof's "jti".
func randomID(n int) string {
	b := make([]byte, n)
	_, _ = rand.Read(b) // crypto/rand.Read never fails (it aborts the program instead)
	return base64.RawURLEncoding.EncodeToString(b)
}
