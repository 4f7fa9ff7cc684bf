package echoauth_test

import (
	"context"
	"net/http"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/scopegate/scopegate/authtest"
	"github.com/scopegate/scopegate/bearer"
	"github.com/scopegate/scopegate/echoauth"
	"github.com/scopegate/scopegate/jwks"
)

// TestNewRefusesBadConfiguration fails at construction, with a message that
// says what to set.
func TestNewRefusesBadConfiguration(t *testing.T) {
	noop := func(context.Context, string) (any, error) { return nil, nil }
	tests := []struct {
		name string
		cfg  echoauth.Config
		want string
	}{
		{"nothing", echoauth.Config{}, "set Issuer and Audience"},
		{"no audience", echoauth.Config{Issuer: "https://tenant.auth0.com/"}, "needs an Audience"},
		{"no issuer", echoauth.Config{Audience: []string{"https://api.example.com"}}, "Issuer is required"},
		{"empty audience", echoauth.Config{Issuer: "https://tenant.auth0.com/", Audience: []string{""}}, "non-empty audience"},
		{"http issuer", echoauth.Config{Issuer: "http://tenant.auth0.com/", Audience: []string{"a"}, JWKSURL: "http://tenant.auth0.com/jwks"}, "must use https"},
		{"alg none", echoauth.Config{Issuer: "https://tenant.auth0.com/", Audience: []string{"a"}, Algorithms: []string{"none"}}, `algorithm "none" is not supported`},
		{"negative skew", echoauth.Config{Issuer: "https://tenant.auth0.com/", Audience: []string{"a"}, ClockSkew: -2}, "ClockSkew must not be negative"},
		{"negative ttl", echoauth.Config{Issuer: "https://tenant.auth0.com/", Audience: []string{"a"}, RemoteKeys: bearer.RemoteKeysConfig{CacheTTL: -1}}, "RemoteKeys.CacheTTL must not be negative"},
		{"negative body cap", echoauth.Config{Issuer: "https://tenant.auth0.com/", Audience: []string{"a"}, RemoteKeys: bearer.RemoteKeysConfig{MaxResponseBytes: -1}}, "RemoteKeys.MaxResponseBytes must not be negative"},
		{"negative token cache", echoauth.Config{Issuer: "https://tenant.auth0.com/", Audience: []string{"a"}, TokenCache: bearer.TokenCacheConfig{MaxEntries: -1}}, "set TokenCache.Off to turn the cache off"},
		{"error handler", echoauth.Config{Issuer: "https://tenant.auth0.com/", Audience: []string{"a"},
			ErrorHandler: func(http.ResponseWriter, *http.Request, *bearer.Error) {}}, "Config.ErrorHandler is for httpauth"},
		{"realm with quote", echoauth.Config{Issuer: "https://tenant.auth0.com/", Audience: []string{"a"}, Realm: `a"b`}, "Realm"},
		{"validator and issuer", echoauth.Config{Issuer: "https://tenant.auth0.com/", Audience: []string{"a"}, ValidateToken: noop}, "either ValidateToken or Issuer"},
		{"duplicate issuer", echoauth.Config{Issuer: "https://a/", Audience: []string{"x"},
			Issuers: []bearer.IssuerConfig{{Issuer: "https://a/", Audience: []string{"y"}}}}, "configured twice"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := echoauth.New(tt.cfg)
			require.Error(t, err)
			assert.Contains(t, err.Error(), tt.want)
		})
	}
}

// TestWeakStaticKeysFailAtConstruction refuses short HMAC secrets where the
// key is built, before any Authenticator exists.
func TestWeakStaticKeysFailAtConstruction(t *testing.T) {
	_, err := jwks.NewHMACKey([]byte("too short"), "", jwks.HS256)
	require.ErrorContains(t, err, "at least 32 bytes")
}

// TestRequirementMistakesPanicAtRegistration reports a malformed scope when
// routes are built, not when the first request comes.
func TestRequirementMistakesPanicAtRegistration(t *testing.T) {
	assert.PanicsWithValue(t, `scopegate: RequireScopes: scopes: invalid requirement: All(): no scope given`, func() { echoauth.RequireScopes() })
	assert.Panics(t, func() { echoauth.RequireScopes("read messages") })
	assert.Panics(t, func() { echoauth.RequireAnyScope("") })
	assert.Panics(t, func() { echoauth.Has(nil) })
}

// TestRemoteKeysBodyCap: RemoteKeys.MaxResponseBytes reaches the key sets
// the Authenticator fetches.
func TestRemoteKeysBodyCap(t *testing.T) {
	issuer := authtest.NewIssuer(t)
	for _, tt := range []struct {
		limit int64
		fails bool
	}{{0, false}, {64, true}} {
		auth, err := echoauth.New(echoauth.Config{Issuer: issuer.URL(), Audience: []string{issuer.Audience()},
			RemoteKeys: bearer.RemoteKeysConfig{MaxResponseBytes: tt.limit}})
		require.NoError(t, err)
		err = auth.Prefetch(t.Context())
		if tt.fails {
			assert.ErrorIs(t, err, jwks.ErrFetchTooLarge, "limit %d", tt.limit)
		} else {
			assert.NoError(t, err, "limit %d", tt.limit)
		}
	}
}
