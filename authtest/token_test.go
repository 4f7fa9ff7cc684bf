package authtest_test

import (
	"bytes"
	"crypto"
	"crypto/ecdsa"
	"crypto/rsa"
	"encoding/base64"
	"encoding/json"
	"strings"
	"testing"
	"time"

	"github.com/go-jose/go-jose/v4"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/scopegate/scopegate/authtest"
)

// segment decodes part n of a compact token.
func segment(t *testing.T, tok string, n int) []byte {
	t.Helper()
	parts := strings.Split(tok, ".")
	require.Len(t, parts, 3, "compact JWS has three parts")
	b, err := base64.RawURLEncoding.DecodeString(parts[n])
	require.NoError(t, err)
	return b
}

func decodeObject(t *testing.T, b []byte) map[string]any {
	t.Helper()
	var m map[string]any
	d := json.NewDecoder(bytes.NewReader(b))
	d.UseNumber()
	require.NoError(t, d.Decode(&m))
	return m
}

func headerOf(t *testing.T, tok string) map[string]any { return decodeObject(t, segment(t, tok, 0)) }
func claimsOf(t *testing.T, tok string) map[string]any { return decodeObject(t, segment(t, tok, 1)) }

// verify checks tok's signature with go-jose, accepting only alg, and
// returns the verified payload.
func verify(t *testing.T, tok, alg string, key any) []byte {
	t.Helper()
	jws, err := jose.ParseSigned(tok, []jose.SignatureAlgorithm{jose.SignatureAlgorithm(alg)})
	require.NoError(t, err)
	payload, err := jws.Verify(key)
	require.NoError(t, err, "signature must verify")
	return payload
}

func num(n int64) json.Number { return json.Number(strings.TrimSpace(string(mustJSON(n)))) }

func mustJSON(v any) []byte {
	b, err := json.Marshal(v)
	if err != nil {
		panic(err)
	}
	return b
}

var fixedNow = time.Date(2030, 1, 2, 3, 4, 5, 0, time.UTC)

func fixedClock() time.Time { return fixedNow }

func TestTokenDefaults(t *testing.T) {
	iss := authtest.NewIssuer(t, authtest.WithClock(fixedClock))
	tok := iss.Token().MustSign(t)

	assert.Equal(t, map[string]any{"alg": "RS256", "typ": "JWT", "kid": iss.KeyID("RS256")}, headerOf(t, tok))
	assert.Equal(t, map[string]any{
		"iss": iss.URL(),
		"sub": "user_123",
		"aud": "https://api.example.com",
		"iat": num(fixedNow.Unix()),
		"exp": num(fixedNow.Add(time.Hour).Unix()),
	}, claimsOf(t, tok))

	// Serialisation is canonical: sorted keys, no whitespace.
	assert.Equal(t, `{"alg":"RS256","kid":"`+iss.KeyID("RS256")+`","typ":"JWT"}`, string(segment(t, tok, 0)))
}

func TestTokenIssuerOptions(t *testing.T) {
	t.Run("trailing slash issuer", func(t *testing.T) {
		iss := authtest.NewIssuer(t, authtest.WithTrailingSlash())
		assert.Equal(t, iss.URL(), claimsOf(t, iss.Token().MustSign(t))["iss"])
		assert.True(t, strings.HasSuffix(iss.URL(), "/"))
	})
	t.Run("audience", func(t *testing.T) {
		iss := authtest.NewIssuer(t, authtest.WithAudience("urn:orders"))
		assert.Equal(t, "urn:orders", claimsOf(t, iss.Token().MustSign(t))["aud"])
	})
	t.Run("no audience", func(t *testing.T) {
		iss := authtest.NewIssuer(t, authtest.WithAudience(""))
		assert.NotContains(t, claimsOf(t, iss.Token().MustSign(t)), "aud")
	})
}

func TestTokenVerifiesForEveryAlgorithm(t *testing.T) {
	iss := authtest.NewIssuer(t)
	for _, alg := range []string{"ES384", "ES512"} {
		_, err := iss.Rotate(alg)
		require.NoError(t, err)
	}
	set := publishedKeys(t, iss)

	for _, alg := range []string{"RS256", "RS384", "RS512", "PS256", "PS384", "PS512", "ES256", "ES384", "ES512", "EdDSA"} {
		t.Run(alg, func(t *testing.T) {
			tok := iss.Token().Algorithm(alg).Scope("read:messages").MustSign(t)
			header := headerOf(t, tok)
			assert.Equal(t, alg, header["alg"])
			assert.Equal(t, iss.KeyID(alg), header["kid"])

			keys := set.Key(header["kid"].(string))
			require.Len(t, keys, 1, "signing key is published")
			payload := verify(t, tok, alg, keys[0].Key)
			assert.Equal(t, segment(t, tok, 1), payload)
			assert.Equal(t, "read:messages", decodeObject(t, payload)["scope"])

			_, err := verifyErr(tok, alg, otherKeyLike(t, keys[0].Key))
			assert.Error(t, err, "another key of the same type must not verify")
		})
	}
}

func verifyErr(tok, alg string, key any) ([]byte, error) {
	jws, err := jose.ParseSigned(tok, []jose.SignatureAlgorithm{jose.SignatureAlgorithm(alg)})
	if err != nil {
		return nil, err
	}
	return jws.Verify(key)
}

// otherKeyLike returns a fresh public key of pub's type, which must not
// verify what pub's private key signed.
func otherKeyLike(t *testing.T, pub crypto.PublicKey) crypto.PublicKey {
	t.Helper()
	var (
		k   crypto.Signer
		err error
	)
	switch pub := pub.(type) {
	case *rsa.PublicKey:
		k, err = authtest.NewRSAKey(2048)
	case *ecdsa.PublicKey:
		k, err = authtest.NewECKey(pub.Curve)
	default:
		k, err = authtest.NewEd25519Key()
	}
	require.NoError(t, err)
	return k.Public()
}

func TestClaimOverrides(t *testing.T) {
	iss := authtest.NewIssuer(t, authtest.WithClock(fixedClock))
	at := time.Date(2031, 5, 6, 7, 8, 9, 0, time.UTC)
	tests := []struct {
		name  string
		build func(*authtest.TokenBuilder) *authtest.TokenBuilder
		check func(t *testing.T, claims map[string]any, raw string)
	}{
		{"wrong type exp", func(b *authtest.TokenBuilder) *authtest.TokenBuilder { return b.Claim("exp", "123") },
			func(t *testing.T, c map[string]any, _ string) { assert.Equal(t, "123", c["exp"]) }},
		{"null exp", func(b *authtest.TokenBuilder) *authtest.TokenBuilder { return b.Claim("exp", nil) },
			func(t *testing.T, c map[string]any, raw string) {
				assert.Contains(t, c, "exp")
				assert.Nil(t, c["exp"])
				assert.Contains(t, raw, `"exp":null`)
			}},
		{"without exp", func(b *authtest.TokenBuilder) *authtest.TokenBuilder { return b.Without("exp") },
			func(t *testing.T, c map[string]any, _ string) { assert.NotContains(t, c, "exp") }},
		{"without everything", func(b *authtest.TokenBuilder) *authtest.TokenBuilder {
			return b.Without("iss").Without("sub").Without("aud").Without("iat").Without("exp")
		}, func(t *testing.T, c map[string]any, raw string) {
			assert.Empty(t, c)
			assert.Equal(t, "{}", raw)
		}},
		{"raw JSON claim", func(b *authtest.TokenBuilder) *authtest.TokenBuilder {
			return b.Claim("exp", json.RawMessage(`1e3`))
		}, func(t *testing.T, _ map[string]any, raw string) { assert.Contains(t, raw, `"exp":1e3`) }},
		{"case-variant claim is separate", func(b *authtest.TokenBuilder) *authtest.TokenBuilder { return b.Claim("Exp", 1) },
			func(t *testing.T, c map[string]any, _ string) {
				assert.Equal(t, num(1), c["Exp"])
				assert.Equal(t, num(fixedNow.Add(time.Hour).Unix()), c["exp"])
			}},
		{"nested claim", func(b *authtest.TokenBuilder) *authtest.TokenBuilder {
			return b.Claim("o", map[string]any{"id": "org_1", "per": []string{"a", "b"}})
		}, func(t *testing.T, c map[string]any, _ string) {
			assert.Equal(t, map[string]any{"id": "org_1", "per": []any{"a", "b"}}, c["o"])
		}},
		{"subject", func(b *authtest.TokenBuilder) *authtest.TokenBuilder { return b.Subject("auth0|42") },
			func(t *testing.T, c map[string]any, _ string) { assert.Equal(t, "auth0|42", c["sub"]) }},
		{"one audience is a string", func(b *authtest.TokenBuilder) *authtest.TokenBuilder { return b.Audience("a") },
			func(t *testing.T, c map[string]any, _ string) { assert.Equal(t, "a", c["aud"]) }},
		{"several audiences are an array", func(b *authtest.TokenBuilder) *authtest.TokenBuilder { return b.Audience("a", "b") },
			func(t *testing.T, c map[string]any, _ string) { assert.Equal(t, []any{"a", "b"}, c["aud"]) }},
		{"no audience is an empty array", func(b *authtest.TokenBuilder) *authtest.TokenBuilder { return b.Audience() },
			func(t *testing.T, c map[string]any, _ string) { assert.Equal(t, []any{}, c["aud"]) }},
		{"scope", func(b *authtest.TokenBuilder) *authtest.TokenBuilder { return b.Scope("read:messages write:messages") },
			func(t *testing.T, c map[string]any, _ string) {
				assert.Equal(t, "read:messages write:messages", c["scope"])
			}},
		{"permissions", func(b *authtest.TokenBuilder) *authtest.TokenBuilder { return b.Permissions("read:messages") },
			func(t *testing.T, c map[string]any, _ string) {
				assert.Equal(t, []any{"read:messages"}, c["permissions"])
			}},
		{"no permissions", func(b *authtest.TokenBuilder) *authtest.TokenBuilder { return b.Permissions() },
			func(t *testing.T, c map[string]any, raw string) { assert.Contains(t, raw, `"permissions":[]`) }},
		{"expires at", func(b *authtest.TokenBuilder) *authtest.TokenBuilder { return b.ExpiresAt(at) },
			func(t *testing.T, c map[string]any, _ string) { assert.Equal(t, num(at.Unix()), c["exp"]) }},
		{"expires in uses the issuer clock", func(b *authtest.TokenBuilder) *authtest.TokenBuilder { return b.ExpiresIn(-time.Minute) },
			func(t *testing.T, c map[string]any, _ string) {
				assert.Equal(t, num(fixedNow.Add(-time.Minute).Unix()), c["exp"])
			}},
		{"not before", func(b *authtest.TokenBuilder) *authtest.TokenBuilder { return b.NotBefore(at) },
			func(t *testing.T, c map[string]any, _ string) { assert.Equal(t, num(at.Unix()), c["nbf"]) }},
		{"issued at", func(b *authtest.TokenBuilder) *authtest.TokenBuilder { return b.IssuedAt(at) },
			func(t *testing.T, c map[string]any, _ string) { assert.Equal(t, num(at.Unix()), c["iat"]) }},
		{"issuer", func(b *authtest.TokenBuilder) *authtest.TokenBuilder { return b.Claim("iss", "https://evil.example/") },
			func(t *testing.T, c map[string]any, _ string) { assert.Equal(t, "https://evil.example/", c["iss"]) }},
		{"later call wins", func(b *authtest.TokenBuilder) *authtest.TokenBuilder { return b.Subject("a").Claim("sub", "b") },
			func(t *testing.T, c map[string]any, _ string) { assert.Equal(t, "b", c["sub"]) }},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			tok := tt.build(iss.Token()).MustSign(t)
			raw := segment(t, tok, 1)
			tt.check(t, claimsOf(t, tok), string(raw))
			// Whatever the claims, the signature is the issuer's.
			assert.Equal(t, raw, verify(t, tok, "RS256", iss.PublicKey("RS256")))
		})
	}
}

func TestHeaderOverrides(t *testing.T) {
	iss := authtest.NewIssuer(t)
	tests := []struct {
		name  string
		build func(*authtest.TokenBuilder) *authtest.TokenBuilder
		want  map[string]any
	}{
		{"kid", func(b *authtest.TokenBuilder) *authtest.TokenBuilder { return b.Header("kid", "unknown") },
			map[string]any{"alg": "RS256", "typ": "JWT", "kid": "unknown"}},
		{"without kid", func(b *authtest.TokenBuilder) *authtest.TokenBuilder { return b.WithoutHeader("kid") },
			map[string]any{"alg": "RS256", "typ": "JWT"}},
		{"typ", func(b *authtest.TokenBuilder) *authtest.TokenBuilder { return b.Header("typ", "at+jwt") },
			map[string]any{"alg": "RS256", "typ": "at+jwt", "kid": iss.KeyID("RS256")}},
		{"without typ", func(b *authtest.TokenBuilder) *authtest.TokenBuilder { return b.WithoutHeader("typ") },
			map[string]any{"alg": "RS256", "kid": iss.KeyID("RS256")}},
		{"crit", func(b *authtest.TokenBuilder) *authtest.TokenBuilder {
			return b.Header("crit", []string{"x-unknown"}).Header("x-unknown", true)
		}, map[string]any{"alg": "RS256", "typ": "JWT", "kid": iss.KeyID("RS256"), "crit": []any{"x-unknown"}, "x-unknown": true}},
		{"jku", func(b *authtest.TokenBuilder) *authtest.TokenBuilder {
			return b.Header("jku", "https://evil.example/jwks")
		},
			map[string]any{"alg": "RS256", "typ": "JWT", "kid": iss.KeyID("RS256"), "jku": "https://evil.example/jwks"}},
		{"kid of wrong type", func(b *authtest.TokenBuilder) *authtest.TokenBuilder { return b.Header("kid", 7) },
			map[string]any{"alg": "RS256", "typ": "JWT", "kid": num(7)}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			tok := tt.build(iss.Token()).MustSign(t)
			assert.Equal(t, tt.want, headerOf(t, tok))
		})
	}
}

// TestHeaderAlgDoesNotChangeSigning: the header can lie about the algorithm,
// which is what algorithm-confusion tests need.
func TestHeaderAlgDoesNotChangeSigning(t *testing.T) {
	iss := authtest.NewIssuer(t)
	tok := iss.Token().Header("alg", "HS256").MustSign(t)
	assert.Equal(t, "HS256", headerOf(t, tok)["alg"])

	parts := strings.Split(tok, ".")
	verifyRaw(t, "RS256", iss.PublicKey("RS256"), []byte(parts[0]+"."+parts[1]), segment(t, tok, 2))
}

func TestAlgorithmNone(t *testing.T) {
	iss := authtest.NewIssuer(t)
	tok := iss.Token().Algorithm("none").MustSign(t)
	assert.True(t, strings.HasSuffix(tok, "."))
	assert.Equal(t, map[string]any{"alg": "none", "typ": "JWT"}, headerOf(t, tok))
	assert.Empty(t, segment(t, tok, 2))

	// A later Algorithm restores signing and the kid.
	tok = iss.Token().Algorithm("none").Algorithm("ES256").MustSign(t)
	verify(t, tok, "ES256", iss.PublicKey("ES256"))
}

func TestSignWith(t *testing.T) {
	iss := authtest.NewIssuer(t)
	rsaKey, err := authtest.NewRSAKey(2048)
	require.NoError(t, err)
	edKey, err := authtest.NewEd25519Key()
	require.NoError(t, err)

	tests := []struct {
		name    string
		alg     string
		key     crypto.Signer
		kid     string
		wantKid any
	}{
		{name: "foreign RSA key with kid", alg: "RS256", key: rsaKey, kid: "attacker", wantKid: "attacker"},
		{name: "foreign key reusing the issuer's kid", alg: "RS256", key: rsaKey, kid: iss.KeyID("RS256"), wantKid: iss.KeyID("RS256")},
		{name: "no kid", alg: "PS256", key: rsaKey},
		{name: "Ed25519", alg: "EdDSA", key: edKey, kid: "ed", wantKid: "ed"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			tok := iss.Token().SignWith(tt.alg, tt.key, tt.kid).MustSign(t)
			h := headerOf(t, tok)
			assert.Equal(t, tt.alg, h["alg"])
			if tt.wantKid == nil {
				assert.NotContains(t, h, "kid")
			} else {
				assert.Equal(t, tt.wantKid, h["kid"])
			}
			verify(t, tok, tt.alg, tt.key.Public())
			_, err := verifyErr(tok, tt.alg, iss.PublicKey(tt.alg))
			assert.Error(t, err, "the issuer's key must not verify a foreign signature")
		})
	}

	_, err = iss.Token().SignWith("RS256", nil, "").Sign()
	assert.Error(t, err)
}

func TestSignWithSecret(t *testing.T) {
	iss := authtest.NewIssuer(t)
	secret := bytes.Repeat([]byte("s3cr3t!"), 10)
	for _, alg := range []string{"HS256", "HS384", "HS512"} {
		t.Run(alg, func(t *testing.T) {
			tok := iss.Token().SignWithSecret(alg, secret).MustSign(t)
			assert.Equal(t, map[string]any{"alg": alg, "typ": "JWT"}, headerOf(t, tok))
			verify(t, tok, alg, secret)

			tok = iss.Token().SignWithSecret(alg, secret).Header("kid", "k1").MustSign(t)
			assert.Equal(t, "k1", headerOf(t, tok)["kid"])
			verify(t, tok, alg, secret)
		})
	}

	t.Run("secret is copied", func(t *testing.T) {
		s := []byte("0123456789abcdef0123456789abcdef")
		b := iss.Token().SignWithSecret("HS256", s)
		s[0] = 'X'
		verify(t, b.MustSign(t), "HS256", []byte("0123456789abcdef0123456789abcdef"))
	})
	t.Run("short secrets are allowed", func(t *testing.T) {
		tok, err := iss.Token().SignWithSecret("HS256", []byte("k")).Sign()
		require.NoError(t, err)
		parts := strings.Split(tok, ".")
		verifyRaw(t, "HS256", []byte("k"), []byte(parts[0]+"."+parts[1]), segment(t, tok, 2))
	})
}

func TestSignErrors(t *testing.T) {
	iss := authtest.NewIssuer(t)
	tests := []struct {
		name  string
		build func(*authtest.TokenBuilder) *authtest.TokenBuilder
		msg   string
	}{
		{"unknown algorithm", func(b *authtest.TokenBuilder) *authtest.TokenBuilder { return b.Algorithm("XX1") }, `no key for "XX1"`},
		{"ES384 before rotation", func(b *authtest.TokenBuilder) *authtest.TokenBuilder { return b.Algorithm("ES384") }, `Rotate("ES384")`},
		{"HMAC from the issuer", func(b *authtest.TokenBuilder) *authtest.TokenBuilder { return b.Algorithm("HS256") }, "SignWithSecret"},
		{"first error sticks", func(b *authtest.TokenBuilder) *authtest.TokenBuilder {
			return b.Algorithm("XX1").Algorithm("ES256")
		}, `"XX1"`},
		{"unmarshalable claim", func(b *authtest.TokenBuilder) *authtest.TokenBuilder { return b.Claim("c", make(chan int)) }, "claims"},
		{"unmarshalable header", func(b *authtest.TokenBuilder) *authtest.TokenBuilder { return b.Header("h", func() {}) }, "header"},
		{"key of the wrong type", func(b *authtest.TokenBuilder) *authtest.TokenBuilder {
			return b.SignWith("ES256", iss.Signer("RS256"), "")
		}, "ECDSA"},
		{"secret for an asymmetric algorithm", func(b *authtest.TokenBuilder) *authtest.TokenBuilder {
			return b.SignWithSecret("RS256", []byte("x"))
		}, "crypto.Signer"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			b := tt.build(iss.Token())
			tok, err := b.Sign()
			require.Error(t, err)
			assert.Empty(t, tok)
			assert.Contains(t, err.Error(), tt.msg)

			assert.Panics(t, func() { _ = b.String() })

			ft := &fakeTB{TB: t}
			assert.Panics(t, func() { b.MustSign(ft) })
			assert.True(t, ft.failed)
			assert.Contains(t, ft.msg, tt.msg)
		})
	}
}

func TestCloneIsIndependent(t *testing.T) {
	iss := authtest.NewIssuer(t)
	base := iss.Token().Scope("read")
	a := base.Clone().Scope("write").WithoutHeader("typ")
	b := base.Clone().Without("scope").Algorithm("EdDSA")

	assert.Equal(t, "read", claimsOf(t, base.MustSign(t))["scope"])
	assert.Equal(t, "JWT", headerOf(t, base.MustSign(t))["typ"])
	assert.Equal(t, "write", claimsOf(t, a.MustSign(t))["scope"])
	assert.NotContains(t, claimsOf(t, b.MustSign(t)), "scope")
	verify(t, base.MustSign(t), "RS256", iss.PublicKey("RS256"))
	verify(t, b.MustSign(t), "EdDSA", iss.PublicKey("EdDSA"))
}

func TestTokensAreDeterministic(t *testing.T) {
	iss := authtest.NewIssuer(t, authtest.WithClock(fixedClock))
	// Ed25519 and RSA PKCS #1 v1.5 signatures are deterministic, so equal
	// tokens prove equal bytes were signed.
	for _, alg := range []string{"EdDSA", "RS256"} {
		build := func() string {
			return iss.Token().Algorithm(alg).Scope("a b").Claim("m", map[string]int{"z": 1, "a": 2}).Audience("x", "y").MustSign(t)
		}
		assert.Equal(t, build(), build(), alg)
	}
}

func TestStringForDevOutput(t *testing.T) {
	iss := authtest.NewIssuer(t)
	tok := iss.Token().String()
	verify(t, tok, "RS256", iss.PublicKey("RS256"))
}
