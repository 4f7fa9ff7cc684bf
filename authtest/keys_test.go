package authtest_test

import (
	"crypto"
	"crypto/ecdsa"
	"crypto/ed25519"
	"crypto/elliptic"
	"crypto/rsa"
	"crypto/x509"
	"encoding/json"
	"encoding/pem"
	"testing"

	"github.com/go-jose/go-jose/v4"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/scopegate/scopegate/authtest"
)

func publicEqual(a, b crypto.PublicKey) bool {
	eq, ok := a.(interface{ Equal(crypto.PublicKey) bool })
	return ok && eq.Equal(b)
}

// publishedKeys fetches the key set over HTTP, as the code under test does.
func publishedKeys(t *testing.T, iss *authtest.Issuer) *jose.JSONWebKeySet {
	t.Helper()
	_, body := get(t, iss, iss.JWKSURL())
	var set jose.JSONWebKeySet
	require.NoError(t, json.Unmarshal(body, &set))
	return &set
}

func kidsOf(set *jose.JSONWebKeySet) []string {
	kids := []string{}
	for _, k := range set.Keys {
		kids = append(kids, k.KeyID)
	}
	return kids
}

func TestInitialKeys(t *testing.T) {
	tests := []struct {
		alg   string
		check func(t *testing.T, pub crypto.PublicKey)
	}{
		{"RS256", func(t *testing.T, pub crypto.PublicKey) {
			require.IsType(t, &rsa.PublicKey{}, pub)
			assert.Equal(t, 2048, pub.(*rsa.PublicKey).N.BitLen())
		}},
		{"ES256", func(t *testing.T, pub crypto.PublicKey) {
			require.IsType(t, &ecdsa.PublicKey{}, pub)
			assert.Equal(t, elliptic.P256(), pub.(*ecdsa.PublicKey).Curve)
		}},
		{"EdDSA", func(t *testing.T, pub crypto.PublicKey) {
			require.IsType(t, ed25519.PublicKey{}, pub)
		}},
	}
	iss := authtest.NewIssuer(t)
	for _, tt := range tests {
		t.Run(tt.alg, func(t *testing.T) {
			pub := iss.PublicKey(tt.alg)
			tt.check(t, pub)
			assert.NotEmpty(t, iss.KeyID(tt.alg))
			assert.True(t, publicEqual(pub, iss.Signer(tt.alg).Public()))

			block, rest := pem.Decode(iss.PublicKeyPEM(tt.alg))
			require.NotNil(t, block)
			assert.Empty(t, rest)
			assert.Equal(t, "PUBLIC KEY", block.Type)
			parsed, err := x509.ParsePKIXPublicKey(block.Bytes)
			require.NoError(t, err)
			assert.True(t, publicEqual(pub, parsed))
		})
	}

	t.Run("RSA algorithms share the RSA key", func(t *testing.T) {
		for _, alg := range []string{"RS384", "RS512", "PS256", "PS384", "PS512"} {
			assert.Equal(t, iss.KeyID("RS256"), iss.KeyID(alg), alg)
		}
	})
	t.Run("no key", func(t *testing.T) {
		for _, alg := range []string{"ES384", "ES512", "HS256", "none", ""} {
			assert.Empty(t, iss.KeyID(alg), alg)
			assert.Nil(t, iss.PublicKey(alg), alg)
			assert.Nil(t, iss.PublicKeyPEM(alg), alg)
			assert.Nil(t, iss.Signer(alg), alg)
		}
	})
	t.Run("kids are random per issuer", func(t *testing.T) {
		other := authtest.NewIssuer(t)
		assert.NotEqual(t, iss.KeyID("RS256"), other.KeyID("RS256"))
		assert.False(t, publicEqual(iss.PublicKey("RS256"), other.PublicKey("RS256")))
	})
}

func TestWithRSABits(t *testing.T) {
	iss := authtest.NewIssuer(t, authtest.WithRSABits(1024))
	assert.Equal(t, 1024, iss.PublicKey("RS256").(*rsa.PublicKey).N.BitLen())
	_, err := iss.Rotate("PS256")
	require.NoError(t, err)
	assert.Equal(t, 1024, iss.PublicKey("PS256").(*rsa.PublicKey).N.BitLen())
}

func TestRotate(t *testing.T) {
	tests := []struct {
		alg       string
		unchanged []string // algorithms whose signer must not change
	}{
		{alg: "RS256", unchanged: []string{"ES256", "EdDSA"}},
		{alg: "PS256", unchanged: []string{"RS256", "PS384"}},
		{alg: "ES256", unchanged: []string{"RS256", "EdDSA"}},
		{alg: "ES384", unchanged: []string{"ES256"}},
		{alg: "ES512", unchanged: []string{"ES256"}},
		{alg: "EdDSA", unchanged: []string{"RS256", "ES256"}},
	}
	for _, tt := range tests {
		t.Run(tt.alg, func(t *testing.T) {
			iss := authtest.NewIssuer(t)
			before := kidsOf(publishedKeys(t, iss))
			oldKid := iss.KeyID(tt.alg)
			unchanged := map[string]string{}
			for _, alg := range tt.unchanged {
				unchanged[alg] = iss.KeyID(alg)
			}

			kid, err := iss.Rotate(tt.alg)
			require.NoError(t, err)
			assert.NotEqual(t, oldKid, kid)
			assert.Equal(t, kid, iss.KeyID(tt.alg))
			for alg, k := range unchanged {
				assert.Equal(t, k, iss.KeyID(alg), alg)
			}

			set := publishedKeys(t, iss)
			assert.Equal(t, append(before, kid), kidsOf(set), "old keys stay published, new one last")
			keys := set.Key(kid)
			require.Len(t, keys, 1)
			assert.Equal(t, tt.alg, keys[0].Algorithm)
			assert.Equal(t, "sig", keys[0].Use)
			assert.True(t, publicEqual(iss.PublicKey(tt.alg), keys[0].Key))

			tok := iss.Token().Algorithm(tt.alg).MustSign(t)
			assert.Equal(t, kid, headerOf(t, tok)["kid"])
			verify(t, tok, tt.alg, keys[0].Key)
		})
	}
}

func TestRotateErrors(t *testing.T) {
	iss := authtest.NewIssuer(t)
	before := iss.JWKS()
	for _, alg := range []string{"HS256", "none", "", "RS1", "ES256K"} {
		kid, err := iss.Rotate(alg)
		assert.Error(t, err, alg)
		assert.Empty(t, kid)
	}
	assert.Equal(t, before, iss.JWKS())
}

func TestRetire(t *testing.T) {
	iss := authtest.NewIssuer(t)
	old := iss.KeyID("RS256")
	oldToken := iss.Token().MustSign(t)
	fresh, err := iss.Rotate("RS256")
	require.NoError(t, err)

	iss.Retire(old)
	set := publishedKeys(t, iss)
	assert.Empty(t, set.Key(old), "retired key still published")
	assert.Len(t, set.Key(fresh), 1)
	assert.Len(t, set.Keys, 3)
	assert.Empty(t, set.Key(headerOf(t, oldToken)["kid"].(string)), "tokens of a retired key find no key")

	t.Run("unknown and repeated kids are ignored", func(t *testing.T) {
		before := iss.JWKS()
		iss.Retire("no-such-kid")
		iss.Retire(old)
		assert.Equal(t, before, iss.JWKS())
	})

	t.Run("a retired current key keeps signing", func(t *testing.T) {
		kid := iss.KeyID("ES256")
		iss.Retire(kid)
		tok := iss.Token().Algorithm("ES256").MustSign(t)
		assert.Equal(t, kid, headerOf(t, tok)["kid"])
		assert.Empty(t, publishedKeys(t, iss).Key(kid))
		verify(t, tok, "ES256", iss.PublicKey("ES256"))
	})

	t.Run("retiring everything publishes an empty set", func(t *testing.T) {
		for _, k := range publishedKeys(t, iss).Keys {
			iss.Retire(k.KeyID)
		}
		assert.JSONEq(t, `{"keys":[]}`, string(iss.JWKS()))
		var doc discoveryDoc
		require.NoError(t, json.Unmarshal(iss.Discovery(), &doc))
		assert.Equal(t, []string{}, doc.SigningAlgs)
	})
}

func TestKeyHelpers(t *testing.T) {
	rsaKey, err := authtest.NewRSAKey(2048)
	require.NoError(t, err)
	assert.Equal(t, 2048, rsaKey.N.BitLen())

	for _, curve := range []elliptic.Curve{elliptic.P256(), elliptic.P384(), elliptic.P521()} {
		ecKey, err := authtest.NewECKey(curve)
		require.NoError(t, err)
		assert.Equal(t, curve, ecKey.Curve)
	}
	_, err = authtest.NewECKey(nil)
	assert.Error(t, err)

	edKey, err := authtest.NewEd25519Key()
	require.NoError(t, err)
	assert.Len(t, edKey, ed25519.PrivateKeySize)

	_, err = authtest.NewRSAKey(128)
	assert.Error(t, err)
}
