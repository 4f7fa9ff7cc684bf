package introspect

import (
	"net/http"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestNewConfigErrors(t *testing.T) {
	ok := Config{Endpoint: "https://auth.example.com/oauth2/introspect", ClientID: "api", ClientSecret: "s"}
	change := func(f func(*Config)) Config {
		c := ok
		f(&c)
		return c
	}
	tests := []struct {
		name    string
		cfg     Config
		errText string // "" when cfg is valid
	}{
		{name: "endpoint over https", cfg: ok},
		{name: "endpoint on loopback over http", cfg: change(func(c *Config) { c.Endpoint = "http://127.0.0.1:8080/introspect" })},
		{name: "endpoint on localhost over http", cfg: change(func(c *Config) { c.Endpoint = "http://localhost:8080/introspect" })},
		{name: "issuer alone, for discovery", cfg: change(func(c *Config) { c.Endpoint, c.Issuer = "", "https://auth.example.com/" })},
		// Beside an Endpoint the issuer is only compared, never fetched.
		{name: "issuer that is no URL beside an endpoint", cfg: change(func(c *Config) { c.Issuer = "auth.example.com" })},
		{name: "post authentication", cfg: change(func(c *Config) { c.AuthMethod = ClientSecretPost })},
		{name: "no clock skew", cfg: change(func(c *Config) { c.ClockSkew = NoClockSkew })},
		{name: "cache off", cfg: change(func(c *Config) { c.CacheEntries = -1 })},

		{name: "neither endpoint nor issuer", cfg: change(func(c *Config) { c.Endpoint = "" }), errText: "Endpoint is required, or Issuer"},
		{name: "endpoint over http beyond loopback", cfg: change(func(c *Config) { c.Endpoint = "http://auth.example.com/introspect" }), errText: "Endpoint"},
		{name: "endpoint relative", cfg: change(func(c *Config) { c.Endpoint = "/oauth2/introspect" }), errText: "Endpoint must be an absolute URL"},
		{name: "endpoint with credentials", cfg: change(func(c *Config) { c.Endpoint = "https://u:pw@auth.example.com/introspect" }), errText: "Endpoint"},
		{name: "issuer for discovery over http beyond loopback", cfg: change(func(c *Config) { c.Endpoint, c.Issuer = "", "http://auth.example.com/" }), errText: "Issuer"},
		{name: "issuer for discovery without scheme", cfg: change(func(c *Config) { c.Endpoint, c.Issuer = "", "auth.example.com" }), errText: "Issuer must be an absolute URL"},
		{name: "no client id", cfg: change(func(c *Config) { c.ClientID = "" }), errText: "ClientID and ClientSecret"},
		{name: "no client secret", cfg: change(func(c *Config) { c.ClientSecret = "" }), errText: "ClientID and ClientSecret"},
		{name: "unknown auth method", cfg: change(func(c *Config) { c.AuthMethod = "private_key_jwt" }), errText: "AuthMethod"},
		{name: "empty audience", cfg: change(func(c *Config) { c.Audiences = []string{"https://api.example.com", ""} }), errText: "Audiences"},
		{name: "negative timeout", cfg: change(func(c *Config) { c.Timeout = -time.Second }), errText: "Timeout"},
		{name: "negative negative TTL", cfg: change(func(c *Config) { c.NegativeTTL = -time.Second }), errText: "NegativeTTL"},
		{name: "negative max TTL", cfg: change(func(c *Config) { c.MaxTTL = -time.Second }), errText: "MaxTTL"},
		{name: "negative skew", cfg: change(func(c *Config) { c.ClockSkew = -time.Second }), errText: "ClockSkew"},
		{name: "negative max response bytes", cfg: change(func(c *Config) { c.MaxResponseBytes = -1 }), errText: "MaxResponseBytes"},
		{name: "negative max concurrent", cfg: change(func(c *Config) { c.MaxConcurrent = -1 }), errText: "MaxConcurrent"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			in, err := New(tt.cfg)
			if tt.errText == "" {
				require.NoError(t, err)
				require.NotNil(t, in)
				return
			}
			require.ErrorContains(t, err, tt.errText)
			assert.Nil(t, in)
			assert.NotContains(t, err.Error(), "pw@", "a password in a URL must not reach the logs")
		})
	}
}

func TestNewDefaults(t *testing.T) {
	in, err := New(Config{Endpoint: "https://auth.example.com/introspect", ClientID: "api", ClientSecret: "s"})
	require.NoError(t, err)
	assert.Equal(t, ClientSecretBasic, in.auth)
	assert.Equal(t, DefaultTimeout, in.timeout)
	assert.Equal(t, DefaultTimeout, in.client.Timeout, "the default client has a timeout of its own")
	assert.Equal(t, DefaultMaxResponseBytes, in.maxBytes)
	entries, concurrent := in.answers.Limits()
	assert.Equal(t, DefaultMaxConcurrent, concurrent)
	assert.Equal(t, DefaultCacheEntries, entries)
	assert.Equal(t, DefaultNegativeTTL, in.negativeTTL)
	assert.Equal(t, DefaultMaxTTL, in.maxTTL)
	assert.Equal(t, DefaultClockSkew, in.skew)
	assert.NotNil(t, in.now)

	exact, err := New(Config{Endpoint: "https://auth.example.com/introspect", ClientID: "api", ClientSecret: "s", ClockSkew: NoClockSkew, CacheEntries: -1})
	require.NoError(t, err)
	assert.Zero(t, exact.skew)
	entries, _ = exact.answers.Limits()
	assert.Zero(t, entries, "CacheEntries -1 remembers nothing")
}

// A client given in Config is copied, and the copy never follows
// redirects, while the caller's own client keeps its behaviour.
func TestNewCopiesClientWithoutRedirects(t *testing.T) {
	own := &http.Client{Timeout: time.Minute}
	in, err := New(Config{Endpoint: "https://auth.example.com/introspect", ClientID: "api", ClientSecret: "s", Client: own})
	require.NoError(t, err)
	assert.NotSame(t, own, in.client)
	assert.Nil(t, own.CheckRedirect, "the caller's client is not modified")
	assert.Equal(t, time.Minute, in.client.Timeout)
	require.NotNil(t, in.client.CheckRedirect)
	assert.ErrorIs(t, in.client.CheckRedirect(nil, nil), http.ErrUseLastResponse)
}
