package jwks

import (
	"bytes"
	"crypto/ecdh"
	"crypto/ecdsa"
	"crypto/ed25519"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/rsa"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"math/big"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func b64(b []byte) string { return base64.RawURLEncoding.EncodeToString(b) }

// offCurve returns a P-256 public key whose point is not on the curve.
func offCurve(k *ecdsa.PrivateKey) *ecdsa.PublicKey {
	return &ecdsa.PublicKey{Curve: k.Curve, X: k.X, Y: new(big.Int).Add(k.Y, big.NewInt(1))}
}

func TestNewPublicKey(t *testing.T) {
	k := testKeys(t)
	tests := []struct {
		name    string
		public  any
		alg     string
		wantErr error
	}{
		{"RSA 2048", &k.rsa.PublicKey, "", nil},
		{"RSA 2048 pinned RS256", &k.rsa.PublicKey, RS256, nil},
		{"RSA 2048 pinned PS512", &k.rsa.PublicKey, PS512, nil},
		{"RSA 1024", &k.rsa1024.PublicKey, "", ErrWeakKey},
		{"RSA e=3", &rsa.PublicKey{N: k.rsa.N, E: 3}, "", ErrWeakKey},
		{"RSA e=65535 (below 65537)", &rsa.PublicKey{N: k.rsa.N, E: 65535}, "", ErrWeakKey},
		{"RSA even e", &rsa.PublicKey{N: k.rsa.N, E: 65538}, "", ErrWeakKey},
		{"RSA without modulus", &rsa.PublicKey{E: 65537}, "", ErrWeakKey},
		{"P-256", &k.p256.PublicKey, "", nil},
		{"P-384", &k.p384.PublicKey, ES384, nil},
		{"P-521", &k.p521.PublicKey, ES512, nil},
		{"P-256 off its curve", offCurve(k.p256), "", ErrInvalidKey},
		{"P-224 is not a JWS curve", &k.p224.PublicKey, "", ErrInvalidKey},
		{"EC without coordinates", &ecdsa.PublicKey{Curve: elliptic.P256()}, "", ErrInvalidKey},
		{"Ed25519", k.ed.Public(), "", nil},
		{"Ed25519 pinned EdDSA", k.ed.Public(), EdDSA, nil},
		{"Ed25519 of 31 bytes", ed25519.PublicKey(make([]byte, 31)), "", ErrInvalidKey},
		{"nil", nil, "", ErrInvalidKey},
		{"RSA private key", k.rsa, "", ErrInvalidKey},
		{"EC private key", k.p256, "", ErrInvalidKey},
		{"Ed25519 private key", k.ed, "", ErrInvalidKey},
		{"RSA key by value", k.rsa.PublicKey, "", ErrInvalidKey},
		{"unsupported type", "not a key", "", ErrInvalidKey},
		{"alg none", &k.rsa.PublicKey, "none", ErrInvalidKey},
		{"alg rs256 (case matters)", &k.rsa.PublicKey, "rs256", ErrInvalidKey},
		{"alg HS256 on RSA", &k.rsa.PublicKey, HS256, ErrInvalidKey},
		{"alg ES256 on RSA", &k.rsa.PublicKey, ES256, ErrInvalidKey},
		{"alg RS256 on P-256", &k.p256.PublicKey, RS256, ErrInvalidKey},
		{"alg ES384 on P-256", &k.p256.PublicKey, ES384, ErrInvalidKey},
		{"alg EdDSA on P-256", &k.p256.PublicKey, EdDSA, ErrInvalidKey},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			key, err := NewPublicKey(tt.public, "kid-1", tt.alg)
			if tt.wantErr != nil {
				require.ErrorIs(t, err, tt.wantErr)
				assert.Nil(t, key)
				return
			}
			require.NoError(t, err)
			assert.Equal(t, "kid-1", key.ID())
			assert.Equal(t, tt.alg, key.Algorithm())
			assert.Equal(t, tt.public, key.Public())
			assert.False(t, key.IsSymmetric())
		})
	}
}

func TestNewHMACKey(t *testing.T) {
	tests := []struct {
		alg     string
		size    int
		wantErr bool
	}{
		{HS256, 32, false},
		{HS256, 64, false},
		{HS256, 31, true},
		{HS256, 0, true},
		{HS384, 48, false},
		{HS384, 47, true},
		{HS384, 32, true},
		{HS512, 64, false},
		{HS512, 63, true},
		{HS512, 48, true},
		{RS256, 64, true},
		{"", 64, true},
		{"none", 64, true},
		{"hs256", 64, true},
	}
	for _, tt := range tests {
		t.Run(fmt.Sprintf("%s %d bytes", tt.alg, tt.size), func(t *testing.T) {
			key, err := NewHMACKey(hmacSecret(tt.size), "h", tt.alg)
			if tt.wantErr {
				require.Error(t, err)
				assert.Nil(t, key)
				return
			}
			require.NoError(t, err)
			assert.True(t, key.IsSymmetric())
			assert.Nil(t, key.Public())
			assert.Equal(t, tt.alg, key.Algorithm())
			assert.Equal(t, "h", key.ID())
		})
	}

	t.Run("error tells how to make a good secret", func(t *testing.T) {
		_, err := NewHMACKey([]byte("short"), "", HS256)
		require.Error(t, err)
		assert.Contains(t, err.Error(), "at least 32 bytes")
		assert.Contains(t, err.Error(), "openssl rand")
	})

	t.Run("the secret is copied", func(t *testing.T) {
		secret := hmacSecret(32)
		key, err := NewHMACKey(secret, "", HS256)
		require.NoError(t, err)
		sig := sign(t, HS256, hmacSecret(32), []byte("a.b"))
		for i := range secret {
			secret[i] = 0
		}
		assert.NoError(t, key.Verify(HS256, []byte("a.b"), sig))
	})
}

// The documentation of ErrWeakKey promises it for "an HMAC secret shorter than
// its hash", but NewHMACKey returns an unwrapped error.
func TestNewHMACKeyShortSecretIsErrWeakKey(t *testing.T) {
	_, err := NewHMACKey(hmacSecret(31), "", HS256)
	assert.ErrorIs(t, err, ErrWeakKey)
	_, err = NewHMACKey(hmacSecret(64), "", RS256)
	assert.ErrorIs(t, err, ErrInvalidKey)
}

// jwkCase is one JWK and what each parser makes of it.
type jwkCase struct {
	name string
	jwk  json.RawMessage
	// wantErr is ParseJWK's error; nil means accepted.
	wantErr error
	// errText is part of the error's message.
	errText string
	// remoteRefused marks keys that parseRemoteSet must skip although
	// ParseJWK accepts them: symmetric keys.
	remoteRefused bool
}

func jwkCases(t *testing.T) []jwkCase {
	k := testKeys(t)
	rsaPub, p256 := &k.rsa.PublicKey, &k.p256.PublicKey
	off := offCurve(k.p256)
	return []jwkCase{
		{name: "RSA 2048", jwk: jwkJSON(t, rsaPub, "r", "", "")},
		{name: "RSA 2048 RS256 sig", jwk: jwkJSON(t, rsaPub, "r", RS256, "sig")},
		{name: "RSA 2048 PS256", jwk: jwkJSON(t, rsaPub, "r", PS256, "")},
		{name: "RSA 1024", jwk: jwkJSON(t, &k.rsa1024.PublicKey, "r", RS256, "sig"), wantErr: ErrWeakKey},
		{name: "RSA e=3", jwk: jwkJSON(t, &rsa.PublicKey{N: k.rsa.N, E: 3}, "r", "", ""), wantErr: ErrWeakKey},
		{name: "RSA even e", jwk: jwkJSON(t, &rsa.PublicKey{N: k.rsa.N, E: 65538}, "r", "", ""), wantErr: ErrWeakKey},
		{name: "P-256", jwk: jwkJSON(t, p256, "e", ES256, "sig")},
		{name: "P-384", jwk: jwkJSON(t, &k.p384.PublicKey, "e", "", "")},
		{name: "P-521", jwk: jwkJSON(t, &k.p521.PublicKey, "e", ES512, "")},
		{name: "P-256 off its curve", wantErr: ErrInvalidKey, jwk: mustJSON(t, map[string]any{
			"kty": "EC", "crv": "P-256", "kid": "e", "x": b64(off.X.FillBytes(make([]byte, 32))), "y": b64(off.Y.FillBytes(make([]byte, 32))),
		})},
		{name: "Ed25519", jwk: jwkJSON(t, k.ed.Public(), "d", EdDSA, "sig")},
		{name: "Ed25519 without alg", jwk: jwkJSON(t, k.ed.Public(), "d", "", "")},
		{name: "Ed25519 of 31 bytes", wantErr: ErrInvalidKey, jwk: mustJSON(t, map[string]any{
			"kty": "OKP", "crv": "Ed25519", "x": b64(make([]byte, 31)),
		})},
		{name: "X25519 is for key agreement", wantErr: ErrInvalidKey, jwk: mustJSON(t, map[string]any{
			"kty": "OKP", "crv": "X25519", "x": b64(make([]byte, 32)),
		})},
		{name: "use enc", jwk: jwkJSON(t, rsaPub, "r", "", "enc"), wantErr: ErrNotForSignatures},
		{name: "use empty", jwk: jwkWith(t, rsaPub, "r", "", map[string]any{"use": ""}), wantErr: ErrNotForSignatures},
		{name: "key_ops encrypt", jwk: jwkWith(t, rsaPub, "r", "", map[string]any{"key_ops": []string{"encrypt"}}), wantErr: ErrNotForSignatures},
		{name: "key_ops sign only", jwk: jwkWith(t, rsaPub, "r", "", map[string]any{"key_ops": []string{"sign"}}), wantErr: ErrNotForSignatures},
		{name: "key_ops empty", jwk: jwkWith(t, rsaPub, "r", "", map[string]any{"key_ops": []string{}}), wantErr: ErrNotForSignatures},
		{name: "key_ops verify", jwk: jwkWith(t, rsaPub, "r", "", map[string]any{"key_ops": []string{"verify"}})},
		{name: "key_ops sign and verify", jwk: jwkWith(t, p256, "e", "", map[string]any{"key_ops": []string{"sign", "verify"}, "use": "sig"})},
		{name: "RSA private key", jwk: jwkJSON(t, k.rsa, "r", RS256, "sig"), wantErr: ErrInvalidKey, errText: "publish only the public part"},
		{name: "EC private key", jwk: jwkJSON(t, k.p256, "e", ES256, ""), wantErr: ErrInvalidKey, errText: "publish only the public part"},
		{name: "Ed25519 private key", jwk: jwkJSON(t, k.ed, "d", EdDSA, ""), wantErr: ErrInvalidKey, errText: "publish only the public part"},
		{name: "public key with a d member", jwk: jwkWith(t, p256, "e", "", map[string]any{"d": b64(k.p256.D.Bytes())}), wantErr: ErrInvalidKey, errText: "publish only the public part"},
		{name: "oct HS256", jwk: jwkJSON(t, hmacSecret(32), "s", HS256, "sig"), remoteRefused: true},
		{name: "oct HS512", jwk: jwkJSON(t, hmacSecret(64), "s", HS512, ""), remoteRefused: true},
		{name: "oct HS512 too short", jwk: jwkJSON(t, hmacSecret(32), "s", HS512, ""), wantErr: errAny},
		{name: "oct HS256 too short", jwk: jwkJSON(t, hmacSecret(16), "s", HS256, ""), wantErr: errAny},
		{name: "oct without alg", jwk: jwkJSON(t, hmacSecret(64), "s", "", ""), wantErr: ErrInvalidKey},
		{name: "oct with RS256", jwk: jwkJSON(t, hmacSecret(64), "s", RS256, ""), wantErr: errAny},
		{name: "RSA pinned ES256", jwk: jwkJSON(t, rsaPub, "r", ES256, ""), wantErr: ErrInvalidKey},
		{name: "RSA pinned HS256", jwk: jwkJSON(t, rsaPub, "r", HS256, ""), wantErr: ErrInvalidKey},
		{name: "P-256 pinned ES384", jwk: jwkJSON(t, p256, "e", ES384, ""), wantErr: ErrInvalidKey},
		{name: "P-256 pinned RS256", jwk: jwkJSON(t, p256, "e", RS256, ""), wantErr: ErrInvalidKey},
		{name: "Ed25519 pinned ES256", jwk: jwkJSON(t, k.ed.Public(), "d", ES256, ""), wantErr: ErrInvalidKey},
		{name: "alg none", jwk: jwkJSON(t, rsaPub, "r", "none", ""), wantErr: ErrInvalidKey},
		{name: "alg rs256", jwk: jwkJSON(t, rsaPub, "r", "rs256", ""), wantErr: ErrInvalidKey},
		{name: "alg RSA-OAEP", jwk: jwkJSON(t, rsaPub, "r", "RSA-OAEP", ""), wantErr: ErrInvalidKey},
		{name: "unknown kty", jwk: json.RawMessage(`{"kty":"XYZ","x":"AA"}`), wantErr: ErrInvalidKey},
		{name: "no kty", jwk: json.RawMessage(`{"n":"AA","e":"AQAB"}`), wantErr: ErrInvalidKey},
		{name: "not JSON", jwk: json.RawMessage(`{"kty":`), wantErr: ErrInvalidKey},
		{name: "JSON array", jwk: json.RawMessage(`[]`), wantErr: ErrInvalidKey},
	}
}

// errAny marks a case that must fail without promising which sentinel.
var errAny = errors.New("any error")

func mustJSON(t testing.TB, v any) json.RawMessage {
	t.Helper()
	b, err := json.Marshal(v)
	require.NoError(t, err)
	return b
}

func TestParseJWK(t *testing.T) {
	for _, tt := range jwkCases(t) {
		t.Run(tt.name, func(t *testing.T) {
			key, err := ParseJWK(tt.jwk)
			switch {
			case tt.wantErr == errAny:
				require.Error(t, err)
				assert.Nil(t, key)
			case tt.wantErr != nil:
				require.ErrorIs(t, err, tt.wantErr)
				assert.Nil(t, key)
				assert.Contains(t, err.Error(), tt.errText)
			default:
				require.NoError(t, err)
				require.NotNil(t, key)
				var meta struct {
					Kid string `json:"kid"`
					Alg string `json:"alg"`
				}
				require.NoError(t, json.Unmarshal(tt.jwk, &meta))
				assert.Equal(t, meta.Kid, key.ID())
				assert.Equal(t, meta.Alg, key.Algorithm())
				assert.Equal(t, tt.remoteRefused, key.IsSymmetric())
			}
		})
	}
}

// A remote key set skips what ParseJWK refuses and, in addition, every
// symmetric key.
func TestParseRemoteSetKeyHygiene(t *testing.T) {
	k := testKeys(t)
	good := jwkJSON(t, &k.p256b.PublicKey, "good", ES256, "sig")
	for _, tt := range jwkCases(t) {
		if !json.Valid(tt.jwk) {
			continue // not a key set member at all: the whole document is broken
		}
		t.Run(tt.name, func(t *testing.T) {
			set, skipped, err := parseRemoteSet(jwksJSON(t, tt.jwk, good))
			require.NoError(t, err, "one bad key must not spoil the set")
			_, err = set.find("good", ES256)
			require.NoError(t, err)

			accepted := tt.wantErr == nil && !tt.remoteRefused
			if accepted {
				assert.Empty(t, skipped)
				assert.Len(t, set.keys, 2)
				return
			}
			assert.Len(t, set.keys, 1)
			require.Len(t, skipped, 1)
			assert.Contains(t, skipped[0].Error(), "key 0")
		})

		if tt.remoteRefused {
			t.Run(tt.name+" alone", func(t *testing.T) {
				set, skipped, err := parseRemoteSet(jwksJSON(t, tt.jwk))
				require.ErrorIs(t, err, ErrNoUsableKeys)
				assert.Nil(t, set)
				require.Len(t, skipped, 1)
				assert.ErrorIs(t, skipped[0], ErrInvalidKey)
				assert.Contains(t, skipped[0].Error(), "symmetric")
			})
		}
	}
}

func TestParseRemoteSet(t *testing.T) {
	k := testKeys(t)
	rsaJWK := jwkJSON(t, &k.rsa.PublicKey, "dup", RS256, "sig")
	ecJWK := jwkJSON(t, &k.p256.PublicKey, "dup", ES256, "sig")

	t.Run("duplicate kid keeps the first", func(t *testing.T) {
		set, skipped, err := parseRemoteSet(jwksJSON(t, rsaJWK, ecJWK))
		require.NoError(t, err)
		key, err := set.find("dup", RS256)
		require.NoError(t, err)
		assert.Equal(t, &k.rsa.PublicKey, key.Public())
		key, err = set.find("dup", ES256) // the kid wins; alg does not pick the other key
		require.NoError(t, err)
		assert.Equal(t, &k.rsa.PublicKey, key.Public())
		require.Len(t, skipped, 1)
		assert.Contains(t, skipped[0].Error(), "duplicate kid")
	})

	for _, body := range []string{``, `nope`, `[]`, `{"keys":{}}`} {
		t.Run("not a set: "+body, func(t *testing.T) {
			_, _, err := parseRemoteSet([]byte(body))
			require.Error(t, err)
			assert.NotErrorIs(t, err, ErrNoUsableKeys)
		})
	}
	for _, body := range []string{`{}`, `{"keys":[]}`, `{"keys":null}`, `null`} {
		t.Run("no keys: "+body, func(t *testing.T) {
			_, _, err := parseRemoteSet([]byte(body))
			require.ErrorIs(t, err, ErrNoUsableKeys)
		})
	}
}

// appendMembers adds members, given as JSON text, at the end of a JWK, where
// encoding/json lets them override earlier members with the same name in
// another case.
func appendMembers(jwk json.RawMessage, members string) json.RawMessage {
	s := string(jwk)
	return json.RawMessage(s[:len(s)-1] + "," + members + "}")
}

// go-jose decodes JWK members case-sensitively (and rejects duplicates),
// encoding/json matches them case-insensitively with the last one winning.
// The hygiene checks read "kty", "use" and "key_ops" with encoding/json, so a
// JWK with a trailing member differing only in case makes the checks see
// another key than the one go-jose builds.
func TestParseJWKCaseVariantMembers(t *testing.T) {
	k := testKeys(t)
	good := jwkJSON(t, &k.p256.PublicKey, "good", ES256, "sig")

	smuggled := appendMembers(jwkJSON(t, hmacSecret(32), "sym", HS256, ""), `"Kty":"RSA"`)
	set, _, err := parseRemoteSet(jwksJSON(t, smuggled, good))
	require.NoError(t, err)
	for _, key := range set.keys {
		assert.False(t, key.IsSymmetric(), "a remote key set yielded a symmetric key")
	}

	encUse := appendMembers(jwkJSON(t, &k.rsa.PublicKey, "r", "", "enc"), `"Use":"sig"`)
	_, err = ParseJWK(encUse)
	assert.ErrorIs(t, err, ErrNotForSignatures)

	encOps := appendMembers(jwkWith(t, &k.rsa.PublicKey, "r", "", map[string]any{"key_ops": []string{"encrypt"}}), `"KEY_OPS":["verify"]`)
	_, err = ParseJWK(encOps)
	assert.ErrorIs(t, err, ErrNotForSignatures)
}

func TestParseJWKS(t *testing.T) {
	k := testKeys(t)
	rsaJWK := jwkJSON(t, &k.rsa.PublicKey, "r", RS256, "sig")
	ecJWK := jwkJSON(t, &k.p256.PublicKey, "e", ES256, "sig")
	octJWK := jwkJSON(t, hmacSecret(32), "s", HS256, "")
	weakJWK := jwkJSON(t, &k.rsa1024.PublicKey, "w", RS256, "sig")
	encJWK := jwkJSON(t, &k.p384.PublicKey, "x", "", "enc")

	tests := []struct {
		name    string
		body    []byte
		wantIDs []string
		wantErr error
		errText string
	}{
		{name: "two keys", body: jwksJSON(t, rsaJWK, ecJWK), wantIDs: []string{"r", "e"}},
		{name: "a static set may hold an HMAC key", body: jwksJSON(t, octJWK, ecJWK), wantIDs: []string{"s", "e"}},
		{name: "one weak key fails the set", body: jwksJSON(t, rsaJWK, weakJWK, ecJWK), wantErr: ErrWeakKey, errText: "key 1"},
		{name: "one encryption key fails the set", body: jwksJSON(t, encJWK, rsaJWK), wantErr: ErrNotForSignatures, errText: "key 0"},
		{name: "empty set", body: []byte(`{"keys":[]}`), wantErr: errAny, errText: "no keys"},
		{name: "no keys member", body: []byte(`{}`), wantErr: errAny},
		{name: "a single JWK is not a set", body: rsaJWK, wantErr: errAny},
		{name: "not JSON", body: []byte(`-----BEGIN PUBLIC KEY-----`), wantErr: errAny},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			keys, err := ParseJWKS(tt.body)
			if tt.wantErr != nil {
				if tt.wantErr != errAny {
					require.ErrorIs(t, err, tt.wantErr)
				}
				require.Error(t, err)
				assert.Nil(t, keys)
				assert.Contains(t, err.Error(), tt.errText)
				return
			}
			require.NoError(t, err)
			var ids []string
			for _, key := range keys {
				ids = append(ids, key.ID())
			}
			assert.Equal(t, tt.wantIDs, ids)
		})
	}
}

// flatPEM puts a PEM block on one line, its line breaks replaced by sep.
func flatPEM(block []byte, sep string) []byte {
	lines := strings.Split(strings.TrimSpace(strings.ReplaceAll(string(block), "\r", "")), "\n")
	return []byte(strings.Join(lines, sep))
}

func TestParsePEM(t *testing.T) {
	k := testKeys(t)

	rsaPKIX := pkixPEM(t, &k.rsa.PublicKey)
	pkcs1 := pemBlock("RSA PUBLIC KEY", x509.MarshalPKCS1PublicKey(&k.rsa.PublicKey))
	tmpl := &x509.Certificate{
		SerialNumber: big.NewInt(1),
		Subject:      pkix.Name{CommonName: "issuer.test"},
		NotBefore:    time.Now().Add(-time.Hour),
		NotAfter:     time.Now().Add(time.Hour),
	}
	certDER, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &k.p256.PublicKey, k.p256)
	require.NoError(t, err)
	cert := pemBlock("CERTIFICATE", certDER)
	pkcs8, err := x509.MarshalPKCS8PrivateKey(k.p256)
	require.NoError(t, err)
	ecPriv, err := x509.MarshalECPrivateKey(k.p256)
	require.NoError(t, err)
	x25519, err := ecdh.X25519().GenerateKey(rand.Reader)
	require.NoError(t, err)

	tests := []struct {
		name       string
		pem        []byte
		alg        string
		wantPublic any
		wantErr    error
		errText    string
	}{
		{name: "PKIX RSA", pem: rsaPKIX, wantPublic: &k.rsa.PublicKey},
		{name: "PKIX RSA pinned RS256", pem: rsaPKIX, alg: RS256, wantPublic: &k.rsa.PublicKey},
		{name: "PKIX P-256", pem: pkixPEM(t, &k.p256.PublicKey), wantPublic: &k.p256.PublicKey},
		{name: "PKIX P-521", pem: pkixPEM(t, &k.p521.PublicKey), alg: ES512, wantPublic: &k.p521.PublicKey},
		{name: "PKIX Ed25519", pem: pkixPEM(t, k.ed.Public()), wantPublic: k.ed.Public()},
		{name: "PKCS #1", pem: pkcs1, wantPublic: &k.rsa.PublicKey},
		{name: "certificate", pem: cert, wantPublic: &k.p256.PublicKey},
		{name: "on one line, line breaks lost", pem: flatPEM(rsaPKIX, ""), wantPublic: &k.rsa.PublicKey},
		{name: "on one line, line breaks as \\n", pem: flatPEM(rsaPKIX, `\n`), wantPublic: &k.rsa.PublicKey},
		{name: "on one line, CRLF lost", pem: flatPEM(bytes.ReplaceAll(rsaPKIX, []byte("\n"), []byte("\r\n")), ""), wantPublic: &k.rsa.PublicKey},
		{name: "on one line, private key", pem: flatPEM(pemBlock("PRIVATE KEY", pkcs8), ""), wantErr: ErrInvalidKey, errText: "private key"},
		{name: "on one line, two blocks", pem: append(flatPEM(rsaPKIX, ""), flatPEM(rsaPKIX, "")...), wantErr: errAny, errText: "more than one PEM block"},
		{name: "on one line, markers disagree", pem: []byte("-----BEGIN PUBLIC KEY-----AAAA-----END CERTIFICATE-----"), wantErr: errAny, errText: "no PEM block"},
		{name: "on one line, not base64", pem: []byte("-----BEGIN PUBLIC KEY-----not*base64-----END PUBLIC KEY-----"), wantErr: errAny, errText: "no PEM block"},
		{name: "text around the block", pem: append(append([]byte("Clerk JWT public key:\n"), rsaPKIX...), "\n\n"...), wantPublic: &k.rsa.PublicKey},
		{name: "PKIX RSA 1024", pem: pkixPEM(t, &k.rsa1024.PublicKey), wantErr: ErrWeakKey},
		{name: "PKCS #1 e=3", pem: pemBlock("RSA PUBLIC KEY", x509.MarshalPKCS1PublicKey(&rsa.PublicKey{N: k.rsa.N, E: 3})), wantErr: ErrWeakKey},
		{name: "PKIX P-224", pem: pkixPEM(t, &k.p224.PublicKey), wantErr: ErrInvalidKey},
		{name: "PKIX X25519", pem: pkixPEM(t, x25519.PublicKey()), wantErr: ErrInvalidKey},
		{name: "pinned to an alg that does not fit", pem: rsaPKIX, alg: ES256, wantErr: ErrInvalidKey},
		{name: "pinned to none", pem: rsaPKIX, alg: "none", wantErr: ErrInvalidKey},
		{name: "PKCS #8 private key", pem: pemBlock("PRIVATE KEY", pkcs8), wantErr: ErrInvalidKey, errText: "openssl pkey -pubout"},
		{name: "PKCS #1 private key", pem: pemBlock("RSA PRIVATE KEY", x509.MarshalPKCS1PrivateKey(k.rsa)), wantErr: ErrInvalidKey, errText: "private key"},
		{name: "SEC 1 private key", pem: pemBlock("EC PRIVATE KEY", ecPriv), wantErr: ErrInvalidKey, errText: "private key"},
		{name: "encrypted private key", pem: pemBlock("ENCRYPTED PRIVATE KEY", []byte{1, 2, 3}), wantErr: ErrInvalidKey, errText: "private key"},
		{name: "two blocks", pem: append(pkixPEM(t, &k.p256.PublicKey), rsaPKIX...), wantErr: errAny, errText: "more than one PEM block"},
		{name: "certificate chain", pem: append(append([]byte{}, cert...), cert...), wantErr: errAny, errText: "more than one PEM block"},
		{name: "garbage", pem: []byte("definitely not a key"), wantErr: errAny, errText: "no PEM block"},
		{name: "empty", pem: nil, wantErr: errAny, errText: "no PEM block"},
		{name: "a JWK is not PEM", pem: jwkJSON(t, &k.rsa.PublicKey, "", "", ""), wantErr: errAny, errText: "no PEM block"},
		{name: "unsupported block", pem: pemBlock("OPENSSH PRIVATE KEY", []byte{1}), wantErr: ErrInvalidKey, errText: "unsupported"},
		{name: "corrupt PKIX bytes", pem: pemBlock("PUBLIC KEY", []byte("garbage")), wantErr: ErrInvalidKey},
		{name: "corrupt certificate", pem: pemBlock("CERTIFICATE", []byte("garbage")), wantErr: ErrInvalidKey},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			key, err := ParsePEM(tt.pem, "pem-kid", tt.alg)
			if tt.wantErr != nil {
				if tt.wantErr != errAny {
					require.ErrorIs(t, err, tt.wantErr)
				}
				require.Error(t, err)
				assert.Nil(t, key)
				assert.Contains(t, err.Error(), tt.errText)
				return
			}
			require.NoError(t, err)
			assert.Equal(t, tt.wantPublic, key.Public())
			assert.Equal(t, "pem-kid", key.ID())
			assert.Equal(t, tt.alg, key.Algorithm())
		})
	}
}
