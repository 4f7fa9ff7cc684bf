package authtest_test

import (
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/scopegate/scopegate/authtest"
	"github.com/scopegate/scopegate/token"
)

func TestDPoPKeyProofs(t *testing.T) {
	clock := authtest.NewClock(time.Unix(1_800_000_000, 0))
	key := authtest.MustDPoPKey(t, "ES256").WithClock(clock.Now)
	assert.Equal(t, "ES256", key.Algorithm())
	assert.Len(t, key.Thumbprint(), 43)
	assert.Contains(t, string(key.JWK()), `"kty":"EC"`)
	assert.NotContains(t, string(key.JWK()), `"d"`, "the public key only")

	b := key.Proof("GET", "https://api.example.com/x").For("tok")
	first, second := b.MustSign(t), b.MustSign(t)
	assert.Equal(t, first[:strings.LastIndexByte(first, '.')], second[:strings.LastIndexByte(second, '.')], "one builder, one jti")
	p, err := token.VerifyProof(first, 0)
	require.NoError(t, err)
	assert.Equal(t, clock.Now(), p.IssuedAt, "issued by the key's clock")
	assert.Equal(t, key.Thumbprint(), p.KeyThumbprint)

	other, err := token.VerifyProof(key.Proof("GET", "https://api.example.com/x").MustSign(t), 0)
	require.NoError(t, err)
	assert.NotEqual(t, p.ID, other.ID, "each proof gets its own jti")

	clone := b.Clone().Nonce("n")
	withNonce, err := token.VerifyProof(clone.MustSign(t), 0)
	require.NoError(t, err)
	assert.Equal(t, "n", withNonce.Nonce)
	again, err := token.VerifyProof(b.MustSign(t), 0)
	require.NoError(t, err)
	assert.Empty(t, again.Nonce, "a clone's changes leave the original alone")
}

func TestNewDPoPKeyRefuses(t *testing.T) {
	for _, tc := range []struct{ alg, want string }{
		{"HS256", "a DPoP proof is signed with an asymmetric key, not HS256"},
		{"none", `no key type for algorithm "none"`},
	} {
		t.Run(tc.alg, func(t *testing.T) {
			_, err := authtest.NewDPoPKey(tc.alg)
			assert.ErrorContains(t, err, tc.want)
		})
	}
}

func TestTokenBoundTo(t *testing.T) {
	issuer := authtest.NewIssuer(t)
	key := authtest.MustDPoPKey(t, "ES256")
	raw := issuer.Token().BoundTo(key).MustSign(t)
	claims := claimsOf(t, raw)
	assert.Equal(t, map[string]any{"jkt": key.Thumbprint()}, claims["cnf"])
}
