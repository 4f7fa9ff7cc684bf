package main

import (
	"context"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/scopegate/scopegate/authtest"
	"github.com/scopegate/scopegate/echoauth"
	"github.com/scopegate/scopegate/token"
)

// TestSettingsReachTheConfiguration: each variable lands in the field it
// names, with its own value, not the default.
func TestSettingsReachTheConfiguration(t *testing.T) {
	tests := []struct {
		name  string
		env   map[string]string
		check func(t *testing.T, s settings)
	}{
		{"durations", map[string]string{"ISSUER_BASE_URL": "https://t.auth0.com/", "AUDIENCE": "a",
			"CLOCK_SKEW": "1s", "JWKS_CACHE_TTL": "2m", "JWKS_REFRESH_COOLDOWN": "7s"}, func(t *testing.T, s settings) {
			assert.Equal(t, time.Second, s.auth.ClockSkew)
			assert.Equal(t, 2*time.Minute, s.auth.CacheTTL)
			assert.Equal(t, 7*time.Second, s.auth.RefreshCooldown)
		}},
		{"zero skew compares exactly", map[string]string{"ISSUER_BASE_URL": "https://t.auth0.com/", "AUDIENCE": "a", "CLOCK_SKEW": "0s"},
			func(t *testing.T, s settings) { assert.Equal(t, token.NoClockSkew, s.auth.ClockSkew) }},
		{"audiences and sources", map[string]string{"ISSUER_BASE_URL": "https://t.auth0.com/", "AUDIENCE": " a , b ,",
			"JWKS_URI": "https://t.auth0.com/keys", "SESSION_COOKIE": "__session", "AUTHORIZED_PARTIES": "https://app.example.com"},
			func(t *testing.T, s settings) {
				assert.Equal(t, []string{"a", "b"}, s.auth.Audience)
				assert.Equal(t, "https://t.auth0.com/keys", s.auth.JWKSURL)
				assert.Equal(t, "__session", s.auth.Cookie)
				assert.Equal(t, []string{"https://app.example.com"}, s.auth.AuthorizedParties)
			}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s, err := loadSettings(envOf(tt.env))
			require.NoError(t, err)
			tt.check(t, s)
		})
	}
	_, err := loadSettings(envOf(map[string]string{"ISSUER_BASE_URL": "https://t.auth0.com/", "AUDIENCE": "a", "JWKS_CACHE_TTL": "0s"}))
	assert.ErrorContains(t, err, `JWKS_CACHE_TTL="0s"`, "only the skew may be zero")
}

// TestSettingsChangeBehaviour: CLOCK_SKEW and JWKS_URI change what the
// example answers, against a loopback issuer whose discovery is gone.
func TestSettingsChangeBehaviour(t *testing.T) {
	clock := authtest.NewClock(time.Unix(1_800_000_000, 0))
	issuer := authtest.NewIssuer(t, authtest.WithClock(clock.Now))
	issuer.SetHandler(authtest.DiscoveryPath, http.NotFoundHandler())
	issuer.SetHandler(authtest.OAuthMetadataPath, http.NotFoundHandler())
	s, err := loadSettings(envOf(map[string]string{
		"ISSUER_BASE_URL": issuer.URL(),
		"AUDIENCE":        issuer.Audience(),
		"JWKS_URI":        issuer.JWKSURL(),
		"CLOCK_SKEW":      "1s",
	}))
	require.NoError(t, err)
	s.auth.Now = clock.Now
	auth, err := echoauth.New(s.auth)
	require.NoError(t, err)
	api := httptest.NewServer(newServer(auth))
	t.Cleanup(api.Close)
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
func TestMistypedIssuerStops(t *testing.T) {
	issuer := authtest.NewIssuer(t, authtest.WithTrailingSlash())
	err := run(context.Background(), envOf(map[string]string{
		"PORT":            "0",
		"ISSUER_BASE_URL": strings.TrimSuffix(issuer.URL(), "/"),
		"AUDIENCE":        issuer.Audience(),
	}), io.Discard, io.Discard)
	require.Error(t, err)
	assert.Contains(t, err.Error(), "ISSUER_BASE_URL does not match")
	assert.Contains(t, err.Error(), "trailing slash")
}

// TestConfigurationErrorsSpeakTheEnvironment: a mistake the library finds
// at New is reported with the variable the user set.
func TestConfigurationErrorsSpeakTheEnvironment(t *testing.T) {
	tests := []struct {
		name string
		env  map[string]string
		want string
	}{
		{"issuer without a scheme", map[string]string{"ISSUER_BASE_URL": "tenant.auth0.com", "AUDIENCE": "a"},
			`ISSUER_BASE_URL "tenant.auth0.com" has no scheme; did you mean "https://tenant.auth0.com/"?`},
		{"JWKS URL without a scheme", map[string]string{"ISSUER_BASE_URL": "https://t.example.com", "AUDIENCE": "a", "JWKS_URI": "t.example.com/jwks.json"},
			`JWKS_URI "t.example.com/jwks.json" has no scheme; did you mean "https://t.example.com/jwks.json"?`},
		{"loopback issuer without a scheme", map[string]string{"ISSUER_BASE_URL": "localhost:3000", "AUDIENCE": "a"},
			`ISSUER_BASE_URL "localhost:3000" has no scheme; did you mean "http://localhost:3000"?`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			tt.env["PORT"] = "0"
			err := run(context.Background(), envOf(tt.env), io.Discard, io.Discard)
			require.Error(t, err)
			assert.Contains(t, err.Error(), tt.want)
			assert.NotContains(t, err.Error(), "jwks:")
			assert.NotContains(t, err.Error(), "bearer:")
		})
	}
}
