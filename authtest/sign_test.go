package authtest_test

import (
	"crypto"
	"crypto/ecdsa"
	"crypto/ed25519"
	"crypto/elliptic"
	"crypto/hmac"
	"crypto/rsa"
	"encoding/base64"
	"io"
	"math/big"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/scopegate/scopegate/authtest"
)

func hashFor(alg string) crypto.Hash {
	switch {
	case strings.HasSuffix(alg, "384"):
		return crypto.SHA384
	case strings.HasSuffix(alg, "512"):
		return crypto.SHA512
	default:
		return crypto.SHA256
	}
}

// verifyRaw checks sig over input with the standard library alone, so that
// tokens go-jose would not parse can be verified too.
func verifyRaw(t *testing.T, alg string, key any, input, sig []byte) {
	t.Helper()
	h := hashFor(alg)
	d := h.New()
	d.Write(input)
	digest := d.Sum(nil)
	switch alg[:2] {
	case "RS":
		require.NoError(t, rsa.VerifyPKCS1v15(key.(*rsa.PublicKey), h, digest, sig))
	case "PS":
		require.NoError(t, rsa.VerifyPSS(key.(*rsa.PublicKey), h, digest, sig, &rsa.PSSOptions{SaltLength: rsa.PSSSaltLengthEqualsHash}))
	case "ES":
		pub := key.(*ecdsa.PublicKey)
		size := (pub.Curve.Params().BitSize + 7) / 8
		require.Len(t, sig, 2*size, "R||S, each padded to the curve size")
		r := new(big.Int).SetBytes(sig[:size])
		s := new(big.Int).SetBytes(sig[size:])
		require.True(t, ecdsa.Verify(pub, digest, r, s))
	case "Ed":
		require.True(t, ed25519.Verify(key.(ed25519.PublicKey), input, sig))
	case "HS":
		mac := hmac.New(h.New, key.([]byte))
		mac.Write(input)
		require.True(t, hmac.Equal(mac.Sum(nil), sig))
	default:
		t.Fatalf("no verifier for %s", alg)
	}
}

// opaqueSigner hides the concrete key type, as a hardware or KMS signer does.
type opaqueSigner struct{ s crypto.Signer }

func (o opaqueSigner) Public() crypto.PublicKey { return o.s.Public() }
func (o opaqueSigner) Sign(r io.Reader, d []byte, opts crypto.SignerOpts) ([]byte, error) {
	return o.s.Sign(r, d, opts)
}

func TestSignRaw(t *testing.T) {
	rsaKey, err := authtest.NewRSAKey(2048)
	require.NoError(t, err)
	p256, err := authtest.NewECKey(elliptic.P256())
	require.NoError(t, err)
	p384, err := authtest.NewECKey(elliptic.P384())
	require.NoError(t, err)
	p521, err := authtest.NewECKey(elliptic.P521())
	require.NoError(t, err)
	edKey, err := authtest.NewEd25519Key()
	require.NoError(t, err)
	secret := []byte("0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef")

	type signer interface{ Public() crypto.PublicKey }
	tests := []struct {
		alg    string
		key    any
		sigLen int // 0: not fixed by the algorithm
	}{
		{alg: "RS256", key: rsaKey, sigLen: 256},
		{alg: "RS384", key: rsaKey, sigLen: 256},
		{alg: "RS512", key: rsaKey, sigLen: 256},
		{alg: "PS256", key: rsaKey, sigLen: 256},
		{alg: "PS384", key: rsaKey, sigLen: 256},
		{alg: "PS512", key: rsaKey, sigLen: 256},
		{alg: "ES256", key: p256, sigLen: 64},
		{alg: "ES384", key: p384, sigLen: 96},
		{alg: "ES512", key: p521, sigLen: 132},
		{alg: "ES256", key: opaqueSigner{p256}, sigLen: 64},
		{alg: "EdDSA", key: edKey, sigLen: 64},
		{alg: "Ed25519", key: edKey, sigLen: 64},
		{alg: "HS256", key: secret, sigLen: 32},
		{alg: "HS384", key: secret, sigLen: 48},
		{alg: "HS512", key: secret, sigLen: 64},
	}
	inputs := []struct {
		name            string
		header, payload []byte
	}{
		{"json", []byte(`{"alg":"X"}`), []byte(`{"sub":"a"}`)},
		{"duplicate keys", []byte(`{"alg":"X","alg":"none"}`), []byte(`{"exp":1,"exp":9999999999}`)},
		{"not json", []byte("not json"), []byte("\xff\xfe invalid utf-8")},
		{"whitespace", []byte(" { \"alg\" : \"X\" } "), []byte("\n{}\n")},
		{"empty", nil, nil},
	}
	for _, tt := range tests {
		for _, in := range inputs {
			t.Run(tt.alg+"/"+in.name, func(t *testing.T) {
				tok, err := authtest.SignRaw(tt.alg, tt.key, in.header, in.payload)
				require.NoError(t, err)
				parts := strings.Split(tok, ".")
				require.Len(t, parts, 3)
				assert.NotContains(t, tok, "=", "no padding")
				assert.Equal(t, string(in.header), string(segment(t, tok, 0)), "header byte for byte")
				assert.Equal(t, string(in.payload), string(segment(t, tok, 1)), "payload byte for byte")

				sig := segment(t, tok, 2)
				assert.Len(t, sig, tt.sigLen)
				key := tt.key
				if s, ok := key.(signer); ok {
					key = s.Public()
				}
				verifyRaw(t, tt.alg, key, []byte(parts[0]+"."+parts[1]), sig)
			})
		}
	}
}

func TestSignRawNone(t *testing.T) {
	for _, key := range []any{nil, []byte("ignored")} {
		tok, err := authtest.SignRaw("none", key, []byte(`{"alg":"none"}`), []byte(`{}`))
		require.NoError(t, err)
		enc := base64.RawURLEncoding
		assert.Equal(t, enc.EncodeToString([]byte(`{"alg":"none"}`))+"."+enc.EncodeToString([]byte(`{}`))+".", tok)
	}
}

func TestSignRawErrors(t *testing.T) {
	rsaKey, err := authtest.NewRSAKey(2048)
	require.NoError(t, err)
	ecKey, err := authtest.NewECKey(elliptic.P256())
	require.NoError(t, err)
	edKey, err := authtest.NewEd25519Key()
	require.NoError(t, err)

	tests := []struct {
		name string
		alg  string
		key  any
	}{
		{"HMAC with a signer", "HS256", rsaKey},
		{"HMAC with a string", "HS256", "secret"},
		{"RSA with a secret", "RS256", []byte("secret")},
		{"RSA with no key", "RS256", nil},
		{"RSA with an EC key", "RS256", ecKey},
		{"PSS with an Ed25519 key", "PS256", edKey},
		{"ECDSA with an RSA key", "ES256", rsaKey},
		{"EdDSA with an EC key", "EdDSA", ecKey},
		{"unknown algorithm", "XS256", rsaKey},
		{"empty algorithm", "", rsaKey},
		{"lower-case none", "None", nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			tok, err := authtest.SignRaw(tt.alg, tt.key, []byte("{}"), []byte("{}"))
			assert.Error(t, err)
			assert.Empty(t, tok)
		})
	}
}

// TestSignRawWithIssuerKey is the pattern for malformed tokens that carry a
// valid signature: the issuer's own key signs bytes no encoder would produce.
func TestSignRawWithIssuerKey(t *testing.T) {
	iss := authtest.NewIssuer(t)
	header := []byte(`{"alg":"RS256","kid":"` + iss.KeyID("RS256") + `","typ":"JWT"}`)
	payload := []byte(`{"iss":"` + iss.URL() + `","exp":1,"exp":9999999999}`)
	tok, err := authtest.SignRaw("RS256", iss.Signer("RS256"), header, payload)
	require.NoError(t, err)
	parts := strings.Split(tok, ".")
	verifyRaw(t, "RS256", iss.PublicKey("RS256"), []byte(parts[0]+"."+parts[1]), segment(t, tok, 2))
}
