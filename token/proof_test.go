package token_test

import (
	"crypto/rand"
	"crypto/rsa"
	"encoding/base64"
	"encoding/json"
	"strings"
	"testing"
	"time"

	jose "github.com/go-jose/go-jose/v4"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/scopegate/scopegate/authtest"
	"github.com/scopegate/scopegate/token"
)

const proofURL = "https://api.example.com/api/private"

func TestVerifyProofAcceptsEveryAsymmetricAlgorithm(t *testing.T) {
	iat := time.Unix(1_800_000_000, 0)
	for _, alg := range []string{"ES256", "ES384", "ES512", "RS256", "PS256", "EdDSA"} {
		t.Run(alg, func(t *testing.T) {
			key := authtest.MustDPoPKey(t, alg)
			raw := key.Proof("GET", proofURL).IssuedAt(iat).ID("proof-1").For("the.access.token").Nonce("n-1").MustSign(t)
			p, err := token.VerifyProof(raw, 0)
			require.NoError(t, err)
			assert.Equal(t, token.Proof{
				Algorithm: alg, KeyThumbprint: key.Thumbprint(), ID: "proof-1", Method: "GET", URL: proofURL,
				IssuedAt: iat, AccessTokenHash: "R2a7yCsxS8BpCgk-2VRP3xHZJ8n6zSvOygTlU97Z9m0", Nonce: "n-1",
			}, p)
		})
	}
}

func TestVerifyProofRefuses(t *testing.T) {
	key := authtest.MustDPoPKey(t, "ES256")
	other := authtest.MustDPoPKey(t, "ES256")
	proof := func() *authtest.ProofBuilder { return key.Proof("GET", proofURL) }
	privateJWK, err := (&jose.JSONWebKey{Key: key.Signer()}).MarshalJSON()
	require.NoError(t, err)
	weak, err := rsa.GenerateKey(rand.Reader, 1024)
	require.NoError(t, err)
	weakJWK, err := (&jose.JSONWebKey{Key: &weak.PublicKey}).MarshalJSON()
	require.NoError(t, err)
	signWeak := func() string {
		h, _ := json.Marshal(map[string]any{"typ": "dpop+jwt", "alg": "RS256", "jwk": json.RawMessage(weakJWK)})
		c, _ := json.Marshal(map[string]any{"jti": "j", "htm": "GET", "htu": proofURL, "iat": 1})
		raw, err := authtest.SignRaw("RS256", weak, h, c)
		require.NoError(t, err)
		return raw
	}
	b64 := base64.RawURLEncoding.EncodeToString

	tests := []struct {
		name string
		raw  string
		want error
	}{
		{"too large", strings.Repeat("a", token.DefaultMaxProofBytes+1), token.ErrProofTooLarge},
		{"empty", "", token.ErrProofMalformed},
		{"two segments", "a.b", token.ErrProofMalformed},
		{"bad base64 header", "!!.e30.AA", token.ErrProofMalformed},
		{"header not JSON", b64([]byte("nope")) + ".e30.AA", token.ErrProofMalformed},
		{"no typ", proof().WithoutHeader("typ").MustSign(t), token.ErrProofType},
		{"typ JWT", proof().Header("typ", "JWT").MustSign(t), token.ErrProofType},
		{"typ at+jwt", proof().Header("typ", "at+jwt").MustSign(t), token.ErrProofType},
		{"typ a number", proof().Header("typ", 1).MustSign(t), token.ErrProofType},
		{"alg none", proof().Header("alg", "none").MustSign(t), token.ErrProofAlgorithm},
		{"alg HS256", proof().Header("alg", "HS256").MustSign(t), token.ErrProofAlgorithm},
		{"alg unknown", proof().Header("alg", "ES257").MustSign(t), token.ErrProofAlgorithm},
		{"alg another curve", proof().Header("alg", "ES384").MustSign(t), token.ErrProofAlgorithm},
		{"alg not a string", proof().Header("alg", true).MustSign(t), token.ErrProofAlgorithm},
		{"no jwk", proof().WithoutHeader("jwk").MustSign(t), token.ErrProofKey},
		{"jwk with the private key", proof().Header("jwk", json.RawMessage(privateJWK)).MustSign(t), token.ErrProofKey},
		{"jwk symmetric", proof().Header("jwk", map[string]string{"kty": "oct", "k": "c2VjcmV0"}).MustSign(t), token.ErrProofKey},
		{"jwk not an object", proof().Header("jwk", "key").MustSign(t), token.ErrProofKey},
		{"jwk RSA of 1024 bits", signWeak(), token.ErrProofKey},
		{"signed by another key", proof().SignedBy(other).MustSign(t), token.ErrProofSignature},
		{"signature stripped", strings.TrimRightFunc(proof().MustSign(t), func(r rune) bool { return r != '.' }), token.ErrProofSignature},
		{"crit", proof().Header("crit", []string{"exp"}).MustSign(t), token.ErrProofMalformed},
		{"no jti", proof().Without("jti").MustSign(t), token.ErrProofClaim},
		{"empty jti", proof().ID("").MustSign(t), token.ErrProofClaim},
		{"no htm", proof().Without("htm").MustSign(t), token.ErrProofClaim},
		{"no htu", proof().Without("htu").MustSign(t), token.ErrProofClaim},
		{"no iat", proof().Without("iat").MustSign(t), token.ErrProofClaim},
		{"iat a string", proof().Claim("iat", "1800000000").MustSign(t), token.ErrProofClaim},
		{"htm a number", proof().Claim("htm", 1).MustSign(t), token.ErrProofClaim},
		{"ath a number", proof().Claim("ath", 1).MustSign(t), token.ErrProofClaim},
		{"nonce an object", proof().Claim("nonce", map[string]int{}).MustSign(t), token.ErrProofClaim},
	}
	// A verifier that has already seen key refuses the same proofs: a
	// remembered key skips parsing, never a check.
	warm, err := token.NewProofVerifier(token.ProofConfig{})
	require.NoError(t, err)
	_, err = warm.Verify(proof().MustSign(t))
	require.NoError(t, err)
	require.Equal(t, 1, warm.CachedKeys())
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := token.VerifyProof(tt.raw, 0)
			require.ErrorIs(t, err, tt.want)
			assert.Equal(t, tt.want.Error(), token.Description(err), "the description is the class's fixed text")
			_, err = warm.Verify(tt.raw)
			assert.ErrorIs(t, err, tt.want, "with the key remembered")
		})
	}
	assert.Equal(t, 1, warm.CachedKeys(), "refused proofs of the key already remembered add nothing")

	// A key new to the verifier is remembered only when its proof verifies
	// in full: not when the signature fails, nor when the claims do.
	fresh := authtest.MustDPoPKey(t, "ES256")
	for name, raw := range map[string]string{
		"signed by another key": fresh.Proof("GET", proofURL).SignedBy(other).MustSign(t),
		"no jti":                fresh.Proof("GET", proofURL).Without("jti").MustSign(t),
		"iat a string":          fresh.Proof("GET", proofURL).Claim("iat", "now").MustSign(t),
	} {
		_, err := warm.Verify(raw)
		require.Error(t, err, name)
		assert.Equal(t, 1, warm.CachedKeys(), "%s: the key of a refused proof is not remembered", name)
	}
	_, err = warm.Verify(fresh.Proof("GET", proofURL).MustSign(t))
	require.NoError(t, err)
	assert.Equal(t, 2, warm.CachedKeys())
}

func TestVerifyProofMaxBytes(t *testing.T) {
	raw := authtest.MustDPoPKey(t, "ES256").Proof("GET", proofURL).MustSign(t)
	_, err := token.VerifyProof(raw, len(raw))
	assert.NoError(t, err)
	_, err = token.VerifyProof(raw, len(raw)-1)
	assert.ErrorIs(t, err, token.ErrProofTooLarge)
}

func TestVerifyProofTypeIsAMediaType(t *testing.T) {
	key := authtest.MustDPoPKey(t, "ES256")
	for _, typ := range []string{"dpop+jwt", "DPoP+JWT", "application/dpop+jwt"} {
		_, err := token.VerifyProof(key.Proof("GET", proofURL).Header("typ", typ).MustSign(t), 0)
		assert.NoError(t, err, typ)
	}
}
