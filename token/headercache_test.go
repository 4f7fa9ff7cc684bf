package token

import (
	"context"
	"encoding/json"
	"strconv"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/scopegate/scopegate/authtest"
	"github.com/scopegate/scopegate/jwks"
)

// A header is remembered only once a token signed under it verified, is
// then the header a fresh parse gives, and the cache stays within its
// bound however many signed headers arrive.
func TestHeaderCache(t *testing.T) {
	secret := []byte("0123456789abcdef0123456789abcdef")
	key, err := jwks.NewHMACKey(secret, "k1", jwks.HS256)
	require.NoError(t, err)
	keys, err := jwks.NewStatic(key)
	require.NoError(t, err)
	now := time.Unix(1_900_000_000, 0)
	v, err := New(Config{
		Issuers:      []Issuer{{Issuer: "https://issuer.example/", Audiences: []string{"api"}, Keys: keys}},
		Now:          func() time.Time { return now },
		CacheEntries: -1,
	})
	require.NoError(t, err)
	payload, err := json.Marshal(map[string]any{"iss": "https://issuer.example/", "aud": "api", "exp": now.Add(time.Hour).Unix()})
	require.NoError(t, err)
	sign := func(header map[string]any) string {
		h, err := json.Marshal(header)
		require.NoError(t, err)
		raw, err := authtest.SignRaw("HS256", secret, h, payload)
		require.NoError(t, err)
		return raw
	}

	forged := authtest.TamperSignature(sign(map[string]any{"alg": "HS256", "kid": "k1", "typ": "JWT", "x": "forged"}))
	_, err = v.Verify(context.Background(), forged)
	assert.ErrorIs(t, err, ErrSignature)
	assert.Empty(t, v.headers.entries, "a header whose token did not verify is not remembered")

	raw := sign(map[string]any{"alg": "HS256", "kid": "k1", "typ": "JWT"})
	for range 2 {
		tok, err := v.Verify(context.Background(), raw)
		require.NoError(t, err)
		assert.Equal(t, Header{Algorithm: "HS256", KeyID: "k1", Type: "JWT"}, tok.Header())
	}
	assert.Len(t, v.headers.entries, 1)

	for i := range 2 * headerCacheEntries {
		_, err := v.Verify(context.Background(), sign(map[string]any{"alg": "HS256", "kid": "k1", "n": strconv.Itoa(i)}))
		require.NoError(t, err)
		assert.LessOrEqual(t, len(v.headers.entries), headerCacheEntries)
	}
}
