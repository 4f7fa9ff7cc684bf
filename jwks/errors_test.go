package jwks

import (
	"context"
	"fmt"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// assertNamedOnce checks that an error message reads as one sentence of this
// package: its prefix at the start, and nowhere else.
func assertNamedOnce(t *testing.T, err error) {
	t.Helper()
	require.Error(t, err)
	msg := err.Error()
	assert.LessOrEqual(t, strings.Count(msg, "jwks:"), 1, msg)
	assert.True(t, strings.HasPrefix(msg, prefix), "starts with the package prefix: %s", msg)
}

// TestErrorTexts drives the failures a deployment meets through a loopback
// server, and checks every place the resulting error shows up: the lookup
// that failed, a readiness probe, the key set's Stats. Each names the package
// once and still matches every sentinel on its chain.
func TestErrorTexts(t *testing.T) {
	k := testKeys(t)
	const discoveryPath = "/.well-known/openid-configuration"
	tests := []struct {
		name string
		// setup configures srv and returns the key set's configuration.
		setup func(t *testing.T, srv *keyServer) RemoteConfig
		errIs []error // besides ErrUnavailable
		// want is the exact message, with {srv} for the server's origin;
		// "" where the operating system words part of it.
		want string
	}{
		{
			name:  "discovery 404",
			setup: func(_ *testing.T, srv *keyServer) RemoteConfig { return RemoteConfig{Issuer: srv.srv.URL} },
			errIs: []error{ErrDiscovery, ErrFetchStatus},
			want:  "jwks: signing keys are unavailable: discovery failed: unexpected HTTP status 404 from {srv}/.well-known/openid-configuration",
		},
		{
			name: "discovery 500",
			setup: func(_ *testing.T, srv *keyServer) RemoteConfig {
				srv.handle(discoveryPath, answerStatus(http.StatusInternalServerError))
				return RemoteConfig{Issuer: srv.srv.URL}
			},
			errIs: []error{ErrDiscovery, ErrFetchStatus},
			want:  "jwks: signing keys are unavailable: discovery failed: unexpected HTTP status 500 from {srv}/.well-known/openid-configuration",
		},
		{
			name: "JWKS 500",
			setup: func(_ *testing.T, srv *keyServer) RemoteConfig {
				srv.handle(jwksPath, answerStatus(http.StatusInternalServerError))
				return RemoteConfig{URL: srv.URL()}
			},
			errIs: []error{ErrFetchStatus},
			want:  "jwks: signing keys are unavailable: unexpected HTTP status 500 from {srv}/jwks.json",
		},
		{
			name: "JWKS 500 after discovery",
			setup: func(t *testing.T, srv *keyServer) RemoteConfig {
				srv.handle(discoveryPath, metadata(t, srv.srv.URL, srv.URL()))
				srv.handle(jwksPath, answerStatus(http.StatusInternalServerError))
				return RemoteConfig{Issuer: srv.srv.URL}
			},
			errIs: []error{ErrFetchStatus},
			want:  "jwks: signing keys are unavailable: unexpected HTTP status 500 from {srv}/jwks.json",
		},
		{
			name: "body too large",
			setup: func(_ *testing.T, srv *keyServer) RemoteConfig {
				return RemoteConfig{URL: srv.URL(), MaxResponseBytes: 64}
			},
			errIs: []error{ErrFetchTooLarge},
			want:  "jwks: signing keys are unavailable: response body is too large: more than 64 bytes from {srv}/jwks.json",
		},
		{
			name: "discovery document too large",
			setup: func(t *testing.T, srv *keyServer) RemoteConfig {
				srv.handle(discoveryPath, metadata(t, srv.srv.URL, srv.URL()))
				return RemoteConfig{Issuer: srv.srv.URL, MaxResponseBytes: 16}
			},
			errIs: []error{ErrDiscovery, ErrFetchTooLarge},
			want:  "jwks: signing keys are unavailable: discovery failed: response body is too large: more than 16 bytes from {srv}/.well-known/openid-configuration",
		},
		{
			name: "redirect refused",
			setup: func(t *testing.T, srv *keyServer) RemoteConfig {
				srv.handle(jwksPath, http.RedirectHandler("http://127.0.0.2:1/jwks.json", http.StatusFound))
				return RemoteConfig{URL: srv.URL()}
			},
			errIs: []error{ErrRedirect},
			want:  "jwks: signing keys are unavailable: redirect to another origin refused: {srv}/jwks.json redirected to http://127.0.0.2:1/jwks.json",
		},
		{
			name: "redirect refused, its password redacted",
			setup: func(t *testing.T, srv *keyServer) RemoteConfig {
				srv.handle(jwksPath, http.RedirectHandler("https://user:hunter2@keys.example/jwks.json", http.StatusFound))
				return RemoteConfig{URL: srv.URL()}
			},
			errIs: []error{ErrRedirect},
			want:  "jwks: signing keys are unavailable: redirect to another origin refused: {srv}/jwks.json redirected to https://user:xxxxx@keys.example/jwks.json",
		},
		{
			name: "discovery redirect refused",
			setup: func(t *testing.T, srv *keyServer) RemoteConfig {
				srv.handle(discoveryPath, http.RedirectHandler("https://attacker.example/.well-known/openid-configuration", http.StatusFound))
				return RemoteConfig{Issuer: srv.srv.URL}
			},
			errIs: []error{ErrDiscovery, ErrRedirect},
			want:  "jwks: signing keys are unavailable: discovery failed: redirect to another origin refused: {srv}/.well-known/openid-configuration redirected to https://attacker.example/.well-known/openid-configuration",
		},
		{
			name: "too many redirects",
			setup: func(t *testing.T, srv *keyServer) RemoteConfig {
				srv.handle("/loop", http.RedirectHandler("/loop", http.StatusFound))
				return RemoteConfig{URL: srv.srv.URL + "/loop"}
			},
			errIs: []error{ErrTooManyRedirects},
			want:  "jwks: signing keys are unavailable: stopped after 3 redirects, starting at {srv}/loop",
		},
		{
			name: "not a JWK set",
			setup: func(_ *testing.T, srv *keyServer) RemoteConfig {
				srv.setBody([]byte("<html>upstream error</html>"))
				return RemoteConfig{URL: srv.URL()}
			},
			want: "jwks: signing keys are unavailable: the response is not a JWK Set: invalid character '<' looking for beginning of value",
		},
		{
			name: "no usable key",
			setup: func(t *testing.T, srv *keyServer) RemoteConfig {
				srv.setBody(jwksJSON(t, jwkJSON(t, &k.rsa1024.PublicKey, "weak", RS256, "sig")))
				return RemoteConfig{URL: srv.URL()}
			},
			errIs: []error{ErrNoUsableKeys},
			want:  "jwks: signing keys are unavailable: the key set has no usable key (1 keys listed)",
		},
		{
			name: "issuer mismatch",
			setup: func(t *testing.T, srv *keyServer) RemoteConfig {
				srv.handle(discoveryPath, metadata(t, "https://other-tenant.auth0.com/", srv.URL()))
				return RemoteConfig{Issuer: srv.srv.URL}
			},
			errIs: []error{ErrDiscovery, ErrIssuerMismatch},
			want: `jwks: signing keys are unavailable: discovery failed: the discovery document names another issuer: {srv}/.well-known/openid-configuration has "issuer" "https://other-tenant.auth0.com/", ` +
				`the configured Issuer is "{srv}" (they must be equal, trailing slash included)`,
		},
		{
			name: "jwks_uri over http beyond loopback",
			setup: func(t *testing.T, srv *keyServer) RemoteConfig {
				srv.handle(discoveryPath, metadata(t, srv.srv.URL, "http://keys.example.com/jwks.json"))
				return RemoteConfig{Issuer: srv.srv.URL}
			},
			errIs: []error{ErrDiscovery},
			want:  `jwks: signing keys are unavailable: discovery failed: {srv}/.well-known/openid-configuration: jwks_uri "http://keys.example.com/jwks.json" must use https (plain http is allowed only on loopback)`,
		},
		{
			name: "unreachable JWKS server",
			setup: func(*testing.T, *keyServer) RemoteConfig {
				gone := httptest.NewServer(http.NotFoundHandler())
				gone.Close() // its port now refuses connections
				return RemoteConfig{URL: gone.URL + jwksPath}
			},
		},
		{
			name: "unreachable issuer",
			setup: func(*testing.T, *keyServer) RemoteConfig {
				gone := httptest.NewServer(http.NotFoundHandler())
				gone.Close()
				return RemoteConfig{Issuer: gone.URL}
			},
			errIs: []error{ErrDiscovery},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			srv := newKeyServer(t, goodSet(t))
			cfg := tt.setup(t, srv)
			cfg.Now = newTestClock().Now
			cfg.Logger = slog.New(slog.DiscardHandler)
			r, err := NewRemote(cfg)
			require.NoError(t, err)
			ctx := context.Background()

			keyErr := func() error { _, err := r.Key(ctx, "rsa", RS256); return err }()
			probeErr := r.Prefetch(ctx) // refused by the cooldown: the same failure
			for _, err := range []error{keyErr, probeErr} {
				assertNamedOnce(t, err)
				assert.ErrorIs(t, err, ErrUnavailable)
				for _, target := range tt.errIs {
					assert.ErrorIs(t, err, target)
				}
				if tt.want != "" {
					assert.Equal(t, strings.ReplaceAll(tt.want, "{srv}", srv.srv.URL), err.Error())
				}
			}

			// The bare failure, as Stats and the logs show it.
			cause := lastErr(r)
			assertNamedOnce(t, cause)
			assert.Equal(t, cause.Error(), r.Stats().LastError)
			for _, target := range tt.errIs {
				assert.ErrorIs(t, cause, target)
			}
			if tt.want != "" {
				want := strings.ReplaceAll(tt.want, "{srv}", srv.srv.URL)
				assert.Equal(t, "jwks: "+strings.TrimPrefix(want, "jwks: signing keys are unavailable: "), cause.Error())
			}
		})
	}
}

// TestErrorTextsOffline: errors of this package that quote others, built
// without any server.
func TestErrorTextsOffline(t *testing.T) {
	k := testKeys(t)
	rsaKey, err := NewPublicKey(&k.rsa.PublicKey, "a", RS256)
	require.NoError(t, err)
	rsaKey2, err := NewPublicKey(&k.rsa2.PublicKey, "a", RS256)
	require.NoError(t, err)

	tests := []struct {
		name  string
		err   func() error
		errIs []error
		want  string
	}{
		{
			name: "a weak key in a static JWK Set",
			err: func() error {
				_, err := ParseJWKS(jwksJSON(t, jwkJSON(t, &k.rsa1024.PublicKey, "weak", RS256, "sig")))
				return err
			},
			errIs: []error{ErrWeakKey},
			want:  "jwks: key 0 of the set: key is too weak: RSA key has 1024 bits, at least 2048 are required",
		},
		{
			name: "a symmetric key in a static JWK Set without alg",
			err: func() error {
				_, err := ParseJWKS(jwksJSON(t, jwkWith(t, hmacSecret(32), "hs", "", map[string]any{"alg": nil})))
				return err
			},
			errIs: []error{ErrInvalidKey},
		},
		{
			name: "two static keys with one kid",
			err: func() error {
				_, err := NewStatic(rsaKey, rsaKey2)
				return err
			},
			want: `jwks: static keys: duplicate kid "a"; the first key with it is kept`,
		},
		{
			name:  "unavailable with a cause of this package",
			err:   func() error { return &UnavailableError{Cause: ErrNoUsableKeys} },
			errIs: []error{ErrUnavailable, ErrNoUsableKeys},
			want:  "jwks: signing keys are unavailable: the key set has no usable key",
		},
		{
			name:  "unavailable with a foreign cause",
			err:   func() error { return &UnavailableError{Cause: context.DeadlineExceeded} },
			errIs: []error{ErrUnavailable, context.DeadlineExceeded},
			want:  "jwks: signing keys are unavailable: context deadline exceeded",
		},
		{
			name: "issuer without scheme",
			err:  func() error { _, err := NewRemote(RemoteConfig{Issuer: "tenant.auth0.com/"}); return err },
			want: `jwks: Issuer "tenant.auth0.com/" has no scheme; did you mean "https://tenant.auth0.com/"?`,
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := tt.err()
			assertNamedOnce(t, err)
			for _, target := range tt.errIs {
				assert.ErrorIs(t, err, target)
			}
			if tt.want != "" {
				assert.Equal(t, tt.want, err.Error())
			}
		})
	}

	t.Run("a skipped remote key, as logged", func(t *testing.T) {
		_, skipped, err := parseRemoteSet(jwksJSON(t,
			jwkJSON(t, &k.rsa.PublicKey, "rsa", RS256, "sig"),
			jwkJSON(t, &k.rsa1024.PublicKey, "weak", RS256, "sig"),
		))
		require.NoError(t, err)
		require.Len(t, skipped, 1)
		assert.Equal(t, "key 1: key is too weak: RSA key has 1024 bits, at least 2048 are required", skipped[0].Error())
		assert.ErrorIs(t, skipped[0], ErrWeakKey)
	})

	t.Run("inner keeps errors.As", func(t *testing.T) {
		se := &StatusError{url: "https://x.example/jwks", code: 502}
		err := fmt.Errorf("%w: %w", ErrDiscovery, inner(se))
		assert.Equal(t, "jwks: discovery failed: unexpected HTTP status 502 from https://x.example/jwks", err.Error())
		var got *StatusError
		require.ErrorAs(t, err, &got)
		assert.Same(t, se, got)
		assert.ErrorIs(t, err, ErrFetchStatus)
	})
}
