package jwks

import (
	"context"
	"encoding/base64"
	"encoding/json"
	"log/slog"
	"net/http"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/scopegate/scopegate/authtest"
)

// requestCounts snapshots how often the issuer was asked for each of its
// documents, so that subtests sharing one issuer can assert deltas.
type requestCounts struct{ discovery, oauth, jwks int64 }

func countsOf(iss *authtest.Issuer) requestCounts {
	return requestCounts{
		discovery: iss.Requests(authtest.DiscoveryPath),
		oauth:     iss.Requests(authtest.OAuthMetadataPath),
		jwks:      iss.Requests(authtest.JWKSPath),
	}
}

func (c requestCounts) since(before requestCounts) requestCounts {
	return requestCounts{c.discovery - before.discovery, c.oauth - before.oauth, c.jwks - before.jwks}
}

// document serves a metadata document built from the issuer's own, with
// members replaced (or, for nil values, removed).
func document(t testing.TB, iss *authtest.Issuer, members map[string]any) http.Handler {
	t.Helper()
	var doc map[string]any
	require.NoError(t, json.Unmarshal(iss.Discovery(), &doc))
	for name, v := range members {
		if v == nil {
			delete(doc, name)
		} else {
			doc[name] = v
		}
	}
	b, err := json.Marshal(doc)
	require.NoError(t, err)
	return answerBody(b)
}

// TestRemoteAgainstIssuer runs discovery and rotation against authtest's
// issuer. The subtests share one issuer, whose RSA key is costly to make, and
// restore every handler they replace.
func TestRemoteAgainstIssuer(t *testing.T) {
	iss := authtest.NewIssuer(t)
	rsaKid := iss.KeyID("RS256")
	require.NotEmpty(t, rsaKid)
	ctx := context.Background()

	newRemote := func(t *testing.T, cfg RemoteConfig) (*Remote, *authtest.Clock) {
		clock := newTestClock()
		cfg.Now = clock.Now
		cfg.RefreshCooldown = testCooldown
		// The failures these subtests provoke would otherwise be logged to
		// slog.Default, which tests of the default logging capture.
		cfg.Logger = slog.New(slog.DiscardHandler)
		r, err := NewRemote(cfg)
		require.NoError(t, err)
		return r, clock
	}
	setHandler := func(t *testing.T, path string, h http.Handler) {
		iss.SetHandler(path, h)
		t.Cleanup(func() { iss.SetHandler(path, nil) })
	}

	discovery := []struct {
		name     string
		issuer   string // default iss.URL()
		handlers map[string]func(t *testing.T) http.Handler
		want     requestCounts
		errIs    []error
		errText  string
	}{
		{
			name: "openid-configuration",
			want: requestCounts{discovery: 1, jwks: 1},
		},
		{
			name: "oauth-authorization-server when openid-configuration is 404",
			handlers: map[string]func(*testing.T) http.Handler{
				authtest.DiscoveryPath: func(*testing.T) http.Handler { return http.NotFoundHandler() },
			},
			want: requestCounts{discovery: 1, oauth: 1, jwks: 1},
		},
		{
			name: "no fallback when openid-configuration fails otherwise",
			handlers: map[string]func(*testing.T) http.Handler{
				authtest.DiscoveryPath: func(*testing.T) http.Handler { return answerStatus(http.StatusInternalServerError) },
			},
			want:  requestCounts{discovery: 1},
			errIs: []error{ErrDiscovery, ErrFetchStatus},
		},
		{
			name: "both documents missing",
			handlers: map[string]func(*testing.T) http.Handler{
				authtest.DiscoveryPath:     func(*testing.T) http.Handler { return http.NotFoundHandler() },
				authtest.OAuthMetadataPath: func(*testing.T) http.Handler { return http.NotFoundHandler() },
			},
			want:  requestCounts{discovery: 1, oauth: 1},
			errIs: []error{ErrDiscovery, ErrFetchStatus},
		},
		{
			name: "document names another issuer",
			handlers: map[string]func(*testing.T) http.Handler{
				authtest.DiscoveryPath: func(t *testing.T) http.Handler {
					return document(t, iss, map[string]any{"issuer": "https://other-tenant.auth0.com/"})
				},
			},
			want:    requestCounts{discovery: 1},
			errIs:   []error{ErrDiscovery, ErrIssuerMismatch},
			errText: "other-tenant",
		},
		{
			name:    "document issuer lacks the configured trailing slash",
			issuer:  iss.URL() + "/",
			want:    requestCounts{discovery: 1},
			errIs:   []error{ErrDiscovery, ErrIssuerMismatch},
			errText: "trailing slash",
		},
		{
			name: "document issuer has a trailing slash the configuration lacks",
			handlers: map[string]func(*testing.T) http.Handler{
				authtest.DiscoveryPath: func(t *testing.T) http.Handler {
					return document(t, iss, map[string]any{"issuer": iss.URL() + "/"})
				},
			},
			want:  requestCounts{discovery: 1},
			errIs: []error{ErrDiscovery, ErrIssuerMismatch},
		},
		{
			name:   "trailing slash on both sides",
			issuer: iss.URL() + "/",
			handlers: map[string]func(*testing.T) http.Handler{
				authtest.DiscoveryPath: func(t *testing.T) http.Handler {
					return document(t, iss, map[string]any{"issuer": iss.URL() + "/"})
				},
			},
			want: requestCounts{discovery: 1, jwks: 1},
		},
		{
			name: "jwks_uri over http beyond loopback",
			handlers: map[string]func(*testing.T) http.Handler{
				authtest.DiscoveryPath: func(t *testing.T) http.Handler {
					return document(t, iss, map[string]any{"jwks_uri": "http://keys.example.com/jwks.json"})
				},
			},
			want:    requestCounts{discovery: 1},
			errIs:   []error{ErrDiscovery},
			errText: "https",
		},
		{
			name: "no jwks_uri",
			handlers: map[string]func(*testing.T) http.Handler{
				authtest.DiscoveryPath: func(t *testing.T) http.Handler { return document(t, iss, map[string]any{"jwks_uri": nil}) },
			},
			want:    requestCounts{discovery: 1},
			errIs:   []error{ErrDiscovery},
			errText: "jwks_uri",
		},
		{
			name: "not a metadata document",
			handlers: map[string]func(*testing.T) http.Handler{
				authtest.DiscoveryPath: func(*testing.T) http.Handler { return answerBody([]byte("<html></html>")) },
			},
			want:  requestCounts{discovery: 1},
			errIs: []error{ErrDiscovery},
		},
		{
			name: "discovery redirected to another origin",
			handlers: map[string]func(*testing.T) http.Handler{
				authtest.DiscoveryPath: func(*testing.T) http.Handler {
					return http.RedirectHandler("https://attacker.example/.well-known/openid-configuration", http.StatusFound)
				},
			},
			want:  requestCounts{discovery: 1},
			errIs: []error{ErrDiscovery, ErrRedirect},
		},
	}
	for _, tt := range discovery {
		t.Run("discovery/"+tt.name, func(t *testing.T) {
			for path, h := range tt.handlers {
				setHandler(t, path, h(t))
			}
			issuer := tt.issuer
			if issuer == "" {
				issuer = iss.URL()
			}
			r, _ := newRemote(t, RemoteConfig{Issuer: issuer})
			before := countsOf(iss)
			key, err := r.Key(ctx, rsaKid, RS256)
			assert.Equal(t, tt.want, countsOf(iss).since(before))

			if tt.errIs == nil {
				require.NoError(t, err)
				assert.Equal(t, rsaKid, key.ID())
				assert.Equal(t, iss.JWKSURL(), r.Stats().JWKSURL)
				return
			}
			ue := requireUnavailable(t, err)
			for _, target := range tt.errIs {
				assert.ErrorIs(t, err, target)
			}
			assert.Contains(t, ue.Error(), tt.errText)
			assert.Empty(t, r.Stats().JWKSURL)
			assert.Zero(t, r.Stats().Keys, "no keys from an untrusted document")
		})
	}

	t.Run("explicit URL skips discovery", func(t *testing.T) {
		r, _ := newRemote(t, RemoteConfig{Issuer: iss.URL(), URL: iss.JWKSURL()})
		before := countsOf(iss)
		_, err := r.Key(ctx, rsaKid, RS256)
		require.NoError(t, err)
		assert.Equal(t, requestCounts{jwks: 1}, countsOf(iss).since(before))
	})

	t.Run("discovery happens once", func(t *testing.T) {
		r, clock := newRemote(t, RemoteConfig{Issuer: iss.URL()})
		before := countsOf(iss)
		require.NoError(t, r.Prefetch(ctx))
		clock.Advance(DefaultCacheTTL)
		require.NoError(t, r.Prefetch(ctx))
		_, err := r.Key(ctx, "unknown", RS256)
		require.ErrorIs(t, err, ErrKeyNotFound)
		assert.Equal(t, requestCounts{discovery: 1, jwks: 3}, countsOf(iss).since(before))
	})

	t.Run("a failed key fetch discovers again", func(t *testing.T) {
		r, clock := newRemote(t, RemoteConfig{Issuer: iss.URL()})
		before := countsOf(iss)
		require.NoError(t, r.Prefetch(ctx))

		setHandler(t, authtest.JWKSPath, answerStatus(http.StatusNotFound))
		clock.Advance(DefaultCacheTTL)
		require.NoError(t, r.Prefetch(ctx), "the cached keys still serve")
		assert.Empty(t, r.Stats().JWKSURL, "the key set may have moved")

		iss.SetHandler(authtest.JWKSPath, nil)
		clock.Advance(testCooldown)
		require.NoError(t, r.Prefetch(ctx))
		assert.Equal(t, requestCounts{discovery: 2, jwks: 3}, countsOf(iss).since(before))
		assert.Equal(t, iss.JWKSURL(), r.Stats().JWKSURL)
	})

	t.Run("rotation: a new kid is found on first sight", func(t *testing.T) {
		r, _ := newRemote(t, RemoteConfig{Issuer: iss.URL()})
		require.NoError(t, r.Prefetch(ctx))
		oldKid := iss.KeyID("ES256")

		newKid, err := iss.Rotate("ES256")
		require.NoError(t, err)
		token := iss.Token().Algorithm("ES256").MustSign(t)
		parts := strings.Split(token, ".")
		require.Len(t, parts, 3)
		sig, err := base64.RawURLEncoding.DecodeString(parts[2])
		require.NoError(t, err)

		before := countsOf(iss)
		key, err := r.Key(ctx, newKid, ES256)
		require.NoError(t, err)
		assert.Equal(t, requestCounts{jwks: 1}, countsOf(iss).since(before), "one refetch, no discovery")
		require.NoError(t, key.Verify(ES256, []byte(parts[0]+"."+parts[1]), sig))

		old, err := r.Key(ctx, oldKid, ES256)
		require.NoError(t, err, "the previous key stays published during the rotation")
		assert.ErrorIs(t, old.Verify(ES256, []byte(parts[0]+"."+parts[1]), sig), ErrSignature)
		assert.Equal(t, requestCounts{jwks: 1}, countsOf(iss).since(before))
	})
}
