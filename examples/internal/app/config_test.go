package app

import (
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/scopegate/scopegate/bearer"
	"github.com/scopegate/scopegate/introspect"
	"github.com/scopegate/scopegate/token"
)

// TestSettingsReachTheConfiguration: each variable lands in the field it
// names, with its own value, not the default.
func TestSettingsReachTheConfiguration(t *testing.T) {
	tests := []struct {
		name  string
		env   map[string]string
		check func(t *testing.T, s Settings)
	}{
		{"durations", map[string]string{"ISSUER_BASE_URL": "https://t.auth0.com/", "AUDIENCE": "a",
			"CLOCK_SKEW": "1s", "JWKS_CACHE_TTL": "2m", "JWKS_REFRESH_COOLDOWN": "7s"}, func(t *testing.T, s Settings) {
			assert.Equal(t, time.Second, s.Auth.ClockSkew)
			assert.Equal(t, 2*time.Minute, s.Auth.RemoteKeys.CacheTTL)
			assert.Equal(t, 7*time.Second, s.Auth.RemoteKeys.RefreshCooldown)
		}},
		{"zero skew compares exactly", map[string]string{"ISSUER_BASE_URL": "https://t.auth0.com/", "AUDIENCE": "a", "CLOCK_SKEW": "0s"},
			func(t *testing.T, s Settings) { assert.Equal(t, token.NoClockSkew, s.Auth.ClockSkew) }},
		{"audiences and sources", map[string]string{"ISSUER_BASE_URL": "https://t.auth0.com/", "AUDIENCE": " a , b ,",
			"JWKS_URI": "https://t.auth0.com/keys", "SESSION_COOKIE": "__session", "AUTHORIZED_PARTIES": "https://app.example.com"},
			func(t *testing.T, s Settings) {
				assert.Equal(t, []string{"a", "b"}, s.Auth.Audience)
				assert.Equal(t, "https://t.auth0.com/keys", s.Auth.JWKSURL)
				assert.Equal(t, "__session", s.Auth.Cookie)
				assert.Equal(t, []string{"https://app.example.com"}, s.Auth.AuthorizedParties)
			}},
		{"resource from the audience", map[string]string{"ISSUER_BASE_URL": "https://t.auth0.com/", "AUDIENCE": "https://api.example.com,urn:other"},
			func(t *testing.T, s Settings) {
				assert.Equal(t, "https://api.example.com", s.Auth.Resource)
				assert.Equal(t, []string{"read:messages"}, s.Auth.ResourceScopes)
			}},
		{"no resource from an audience that is not a URL", map[string]string{"ISSUER_BASE_URL": "https://t.auth0.com/", "AUDIENCE": "my-api"},
			func(t *testing.T, s Settings) { assert.Empty(t, s.Auth.Resource) }},
		{"resource set", map[string]string{"ISSUER_BASE_URL": "https://t.auth0.com/", "AUDIENCE": "my-api", "RESOURCE": "https://api.example.com/v1"},
			func(t *testing.T, s Settings) { assert.Equal(t, "https://api.example.com/v1", s.Auth.Resource) }},
		{"step-up defaults", map[string]string{}, func(t *testing.T, s Settings) {
			assert.Equal(t, bearer.StepUp{ACR: []string{defaultStepUpACR}, MaxAge: 10 * time.Minute}, s.StepUp)
		}},
		{"step-up", map[string]string{"STEP_UP_ACR": "urn:mfa, urn:hwk", "STEP_UP_MAX_AGE": "90s"}, func(t *testing.T, s Settings) {
			assert.Equal(t, bearer.StepUp{ACR: []string{"urn:mfa", "urn:hwk"}, MaxAge: 90 * time.Second}, s.StepUp)
		}},
		{"dpop defaults", map[string]string{}, func(t *testing.T, s Settings) {
			assert.Equal(t, bearer.DPoPConfig{}, s.Auth.DPoP, "allowed, no nonces, the request's own origin")
		}},
		{"dpop set", map[string]string{"DPOP": "Required", "DPOP_NONCE": "on", "PUBLIC_ORIGIN": "https://api.example.com"}, func(t *testing.T, s Settings) {
			assert.Equal(t, bearer.DPoPRequired, s.Auth.DPoP.Mode)
			assert.Len(t, s.Auth.DPoP.NonceSecret, 32, "a random secret for one process")
			assert.Equal(t, "https://api.example.com", s.Auth.DPoP.PublicOrigin)
		}},
		{"clerk machine", map[string]string{"CLERK_FRONTEND_API": "https://app.clerk.accounts.dev", "MACHINE_ID": " mch_api ",
			"CLERK_SECRET_KEY": "sk_test_abc"}, func(t *testing.T, s Settings) {
			assert.Equal(t, "mch_api", s.Auth.MachineID)
			assert.True(t, s.Auth.ClerkTokens)
			require.NotNil(t, s.Auth.ClerkAPI)
			assert.Equal(t, "sk_test_abc", s.Auth.ClerkAPI.SecretKey)
		}},
		{"introspection", map[string]string{"ISSUER_BASE_URL": "https://t.auth0.com/", "AUDIENCE": "a", "INTROSPECTION_URL": "https://t.auth0.com/introspect",
			"INTROSPECTION_CLIENT_ID": "api", "INTROSPECTION_CLIENT_SECRET": "s3cret"}, func(t *testing.T, s Settings) {
			require.NotNil(t, s.Auth.Introspection)
			assert.Equal(t, introspect.Config{Endpoint: "https://t.auth0.com/introspect", ClientID: "api", ClientSecret: "s3cret",
				Issuer: "https://t.auth0.com/", Audiences: []string{"a"}}, *s.Auth.Introspection)
		}},
		{"dpop nonce secret", map[string]string{"DPOP_NONCE": "on", "DPOP_NONCE_SECRET": "shared by every instance of this API!"}, func(t *testing.T, s Settings) {
			assert.Equal(t, []byte("shared by every instance of this API!"), s.Auth.DPoP.NonceSecret)
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s, err := LoadSettings(envOf(tt.env))
			require.NoError(t, err)
			tt.check(t, s)
		})
	}
	_, err := LoadSettings(envOf(map[string]string{"STEP_UP_ACR": `urn:a"b`, "STEP_UP_MAX_AGE": "soon"}))
	assert.ErrorContains(t, err, `STEP_UP_ACR value "urn:a\"b"`)
	assert.ErrorContains(t, err, `STEP_UP_MAX_AGE="soon"`)
	_, err = LoadSettings(envOf(map[string]string{"ISSUER_BASE_URL": "https://t.auth0.com/", "AUDIENCE": "a", "JWKS_CACHE_TTL": "0s"}))
	assert.ErrorContains(t, err, `JWKS_CACHE_TTL="0s" is not a positive Go duration`, "only the skew may be zero")
	_, err = LoadSettings(envOf(map[string]string{"CLOCK_SKEW": "-1s", "STEP_UP_ACR": " , ", "AUTHORIZED_PARTIES": ","}))
	assert.ErrorContains(t, err, `CLOCK_SKEW="-1s" is not a zero or positive Go duration`)
	assert.ErrorContains(t, err, `STEP_UP_ACR=" , " lists no value`, "an empty list would accept any acr")
	assert.ErrorContains(t, err, `AUTHORIZED_PARTIES="," lists no party`, "an empty list would leave azp unchecked")
	_, err = LoadSettings(envOf(map[string]string{"DPOP": "sometimes", "DPOP_NONCE": "yes"}))
	assert.ErrorContains(t, err, `DPOP="sometimes" is not off, allowed or required`)
	assert.ErrorContains(t, err, `DPOP_NONCE="yes" is not on or off`)
	_, err = LoadSettings(envOf(map[string]string{"DPOP": "off", "PUBLIC_ORIGIN": "https://api.example.com"}))
	assert.ErrorContains(t, err, "DPOP=off: PUBLIC_ORIGIN and DPOP_NONCE concern DPoP proofs")
	_, err = LoadSettings(envOf(map[string]string{"ISSUER_BASE_URL": "https://t.auth0.com/", "AUDIENCE": "a", "INTROSPECTION_URL": "https://t.auth0.com/introspect"}))
	assert.ErrorContains(t, err, "set INTROSPECTION_URL, INTROSPECTION_CLIENT_ID and INTROSPECTION_CLIENT_SECRET together")
	_, err = LoadSettings(envOf(map[string]string{"INTROSPECTION_URL": "https://t.auth0.com/introspect"}))
	assert.ErrorContains(t, err, "INTROSPECTION_URL needs ISSUER_BASE_URL")
	withHTTP, err := LoadSettings(envOf(map[string]string{"ISSUER_BASE_URL": "https://t.auth0.com/", "AUDIENCE": "a",
		"INTROSPECTION_URL": "http://t.auth0.com/introspect", "INTROSPECTION_CLIENT_ID": "api", "INTROSPECTION_CLIENT_SECRET": "s"}))
	require.NoError(t, err)
	_, err = bearer.New(withHTTP.Auth)
	assert.Contains(t, inEnvironmentWords(err), `INTROSPECTION_URL "http://t.auth0.com/introspect" must use https`)
	_, err = LoadSettings(envOf(map[string]string{"CLERK_SECRET_KEY": "sk_test_abc"}))
	assert.ErrorContains(t, err, "CLERK_SECRET_KEY verifies Clerk's opaque machine tokens")
	withPK, err := LoadSettings(envOf(map[string]string{"CLERK_FRONTEND_API": "https://app.clerk.accounts.dev", "CLERK_SECRET_KEY": "pk_test_abc"}))
	require.NoError(t, err)
	_, err = bearer.New(withPK.Auth)
	assert.Contains(t, inEnvironmentWords(err), "CLERK_SECRET_KEY")
	assert.NotContains(t, inEnvironmentWords(err), "pk_test_abc", "the key is never echoed")
	_, err = LoadSettings(envOf(map[string]string{"MACHINE_ID": "mch_api"}))
	assert.ErrorContains(t, err, "MACHINE_ID is a Clerk machine ID (mch_...): set it with CLERK_PUBLISHABLE_KEY or CLERK_FRONTEND_API")
	s, err := LoadSettings(envOf(map[string]string{"CLERK_FRONTEND_API": "https://app.clerk.accounts.dev", "MACHINE_ID": "api"}))
	require.NoError(t, err)
	_, err = bearer.New(s.Auth)
	assert.Equal(t, `MACHINE_ID "api" is not a Clerk machine ID, which starts with mch_`, inEnvironmentWords(err))
	_, err = LoadSettings(envOf(map[string]string{"DPOP_NONCE_SECRET": "x"}))
	assert.ErrorContains(t, err, "DPOP_NONCE_SECRET needs DPOP_NONCE=on")
	for _, tc := range []struct {
		env  map[string]string
		want string
	}{
		{map[string]string{"ISSUER_BASE_URL": "not a url", "AUDIENCE": "a"}, `ISSUER_BASE_URL "not a url" is not an absolute URL`},
		{map[string]string{"ISSUER_BASE_URL": "http://example.com/", "AUDIENCE": "a"}, `ISSUER_BASE_URL "http://example.com/" must use https`},
		{map[string]string{"ISSUER_BASE_URL": "https://u:secret@example.com/", "AUDIENCE": "a"}, `ISSUER_BASE_URL "https://xxxxx@example.com/" must not carry credentials`},
		{map[string]string{"ISSUER_BASE_URL": "https://example.com/", "AUDIENCE": "a", "JWKS_URI": "ftp://example.com/jwks"}, `JWKS_URI "ftp://example.com/jwks" must use https`},
	} {
		settings, err := LoadSettings(envOf(tc.env))
		require.NoError(t, err)
		_, err = bearer.New(settings.Auth)
		require.Error(t, err)
		assert.Contains(t, inEnvironmentWords(err), tc.want)
		assert.NotContains(t, inEnvironmentWords(err), "secret")
	}
	short, err := LoadSettings(envOf(map[string]string{"DPOP_NONCE": "on", "DPOP_NONCE_SECRET": "short"}))
	require.NoError(t, err)
	_, err = bearer.New(short.Auth)
	assert.Equal(t, "DPOP_NONCE_SECRET has 5 bytes; use at least 32 random bytes (openssl rand -base64 32)", inEnvironmentWords(err))
}

// envOf turns a map into a getenv function.
func envOf(env map[string]string) func(string) string {
	return func(name string) string { return env[name] }
}
