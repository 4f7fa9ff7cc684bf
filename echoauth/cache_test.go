package echoauth_test

import (
	"net/http"
	"strconv"
	"testing"

	"github.com/labstack/echo/v4"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/scopegate/scopegate/echoauth"
)

// TestCacheStatsThroughTheAuthenticator: what the requests of one token
// share (the derivation their auth objects are copied from) is counted with
// the token, so a byte bound on the cache covers both.
func TestCacheStatsThroughTheAuthenticator(t *testing.T) {
	tests := []struct {
		name  string
		bytes int // TokenCache.MaxBytes
	}{
		{"default bound", 0},
		{"16 KiB bound", 16 << 10},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			h := newHarness(t, func(c *echoauth.Config) { c.TokenCache.MaxBytes = tt.bytes })
			var seen []*echoauth.Auth
			h.e.GET("/me", func(c echo.Context) error {
				seen = append(seen, echoauth.GetAuth(c))
				return c.NoContent(http.StatusNoContent)
			}, h.auth.CheckJWT())

			// Scopes, permissions and an organization give the auth object
			// strings and lists of its own.
			build := func(i int) string {
				return h.issuer.Token().Subject("user_"+strconv.Itoa(i)).
					Scope("read:messages write:messages openid profile email").
					Permissions("org:admin:example", "read:billing").
					Claim("org_id", "org_1").Claim("org_role", "org:admin").
					Claim("org_permissions", []string{"org:admin:example"}).MustSign(t)
			}
			first := build(0)
			for range 3 {
				require.Equal(t, http.StatusNoContent, h.serve(http.MethodGet, "/me", "Bearer "+first).Code)
			}
			require.Len(t, seen, 3)
			assert.NotSame(t, seen[0], seen[2], "every request has an auth object of its own")
			assert.Equal(t, seen[0], seen[2], "built from the one derivation of the cached token")
			stats := h.auth.CacheStats()
			assert.Equal(t, 1, stats.Entries)
			assert.EqualValues(t, 2, stats.Hits)
			assert.EqualValues(t, 1, stats.Misses)
			assert.Greater(t, stats.Bytes, len(first)+1024, "the token text, the verified token and its auth object")

			for i := 1; i <= 40; i++ {
				require.Equal(t, http.StatusNoContent, h.serve(http.MethodGet, "/me", "Bearer "+build(i)).Code)
				if tt.bytes > 0 {
					require.LessOrEqual(t, h.auth.CacheStats().Bytes, tt.bytes, "after token %d", i)
				}
			}
			stats = h.auth.CacheStats()
			if tt.bytes > 0 {
				assert.Less(t, stats.Entries, 41)
				assert.Positive(t, stats.Evictions)
			} else {
				assert.Equal(t, 41, stats.Entries)
			}
		})
	}
}

// TestCacheStatsWithoutTheCache are zero when the cache is off.
func TestCacheStatsWithoutTheCache(t *testing.T) {
	h := newHarness(t, func(c *echoauth.Config) { c.TokenCache.Off = true })
	h.e.GET("/me", h.ok, h.auth.CheckJWT())
	require.Equal(t, http.StatusOK, h.serve(http.MethodGet, "/me", "Bearer "+h.issuer.Token().MustSign(t)).Code)
	assert.Equal(t, 0, h.auth.CacheStats().Entries)
	assert.Zero(t, h.auth.CacheStats().Misses)
}
