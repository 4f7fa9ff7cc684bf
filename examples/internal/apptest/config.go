package apptest

import (
	"context"
	"io"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/scopegate/scopegate/authtest"
	"github.com/scopegate/scopegate/examples/internal/app"
)

// TestSettingsChangeBehaviour: CLOCK_SKEW and JWKS_URI change what the
// example answers, against a loopback issuer whose discovery is gone.
func testSettingsChangeBehaviour(t *testing.T, server app.Server) {
	clock := authtest.NewClock(time.Unix(1_800_000_000, 0))
	issuer := authtest.NewIssuer(t, authtest.WithClock(clock.Now))
	issuer.SetHandler(authtest.DiscoveryPath, http.NotFoundHandler())
	issuer.SetHandler(authtest.OAuthMetadataPath, http.NotFoundHandler())
	s, err := app.LoadSettings(envOf(map[string]string{
		"ISSUER_BASE_URL": issuer.URL(),
		"AUDIENCE":        issuer.Audience(),
		"JWKS_URI":        issuer.JWKSURL(),
		"CLOCK_SKEW":      "1s",
	}))
	require.NoError(t, err)
	s.Auth.Now = clock.Now
	api, _ := startAPI(t, s, server)
	status := func(tok string) int { return privateStatus(t, api, tok) }
	now := clock.Now()
	assert.Equal(t, 200, status(issuer.Token().MustSign(t)), "keys from JWKS_URI, no discovery needed")
	// exp is whole seconds: expiring now is valid within any skew, two
	// seconds ago is beyond a 1 s skew though within the default 5 s.
	assert.Equal(t, 200, status(issuer.Token().ExpiresAt(now).MustSign(t)), "within a 1 s skew")
	assert.Equal(t, 401, status(issuer.Token().ExpiresAt(now.Add(-2*time.Second)).MustSign(t)), "beyond a 1 s skew")
	assert.Zero(t, issuer.Requests(authtest.DiscoveryPath)+issuer.Requests(authtest.OAuthMetadataPath))
}

// TestMistypedIssuerStops: an ISSUER_BASE_URL that the issuer's own
// discovery document contradicts (Auth0's trailing slash forgotten) is a
// configuration error the example stops on, not an outage it waits out.
func testMistypedIssuerStops(t *testing.T, server app.Server) {
	issuer := authtest.NewIssuer(t, authtest.WithTrailingSlash())
	err := app.Run(context.Background(), envOf(map[string]string{
		"PORT":            "0",
		"ISSUER_BASE_URL": strings.TrimSuffix(issuer.URL(), "/"),
		"AUDIENCE":        issuer.Audience(),
	}), io.Discard, io.Discard, server)
	require.Error(t, err)
	assert.Contains(t, err.Error(), "ISSUER_BASE_URL does not match")
	assert.Contains(t, err.Error(), "trailing slash")
}

// TestConfigurationErrorsSpeakTheEnvironment: a mistake the library finds
// at New is reported with the variable the user set.
func testConfigurationErrorsSpeakTheEnvironment(t *testing.T, server app.Server) {
	tests := []struct {
		name string
		env  map[string]string
		want string
	}{
		{"issuer without a scheme", map[string]string{"ISSUER_BASE_URL": "tenant.auth0.com", "AUDIENCE": "a"},
			`ISSUER_BASE_URL "tenant.auth0.com" has no scheme; did you mean "https://tenant.auth0.com/"?`},
		{"JWKS URL without a scheme", map[string]string{"ISSUER_BASE_URL": "https://t.example.com", "AUDIENCE": "a", "JWKS_URI": "t.example.com/jwks.json"},
			`JWKS_URI "t.example.com/jwks.json" has no scheme; did you mean "https://t.example.com/jwks.json"?`},
		{"resource not a URL", map[string]string{"ISSUER_BASE_URL": "https://t.example.com", "AUDIENCE": "a", "RESOURCE": "api.example.com"},
			`RESOURCE "api.example.com" must be an absolute URL`},
		{"loopback issuer without a scheme", map[string]string{"ISSUER_BASE_URL": "localhost:3000", "AUDIENCE": "a"},
			`ISSUER_BASE_URL "localhost:3000" has no scheme; did you mean "http://localhost:3000"?`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			tt.env["PORT"] = "0"
			err := app.Run(context.Background(), envOf(tt.env), io.Discard, io.Discard, server)
			require.Error(t, err)
			assert.Contains(t, err.Error(), tt.want)
			assert.NotContains(t, err.Error(), "jwks:")
			assert.NotContains(t, err.Error(), "bearer:")
		})
	}
}
