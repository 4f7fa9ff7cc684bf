package clerkapi

import (
	"context"
	"net/http"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestNewRefusesMistakes(t *testing.T) {
	tests := []struct {
		name    string
		cfg     Config
		errText string
	}{
		{name: "no secret key", cfg: Config{}, errText: "SecretKey is required"},
		{name: "trailing newline", cfg: Config{SecretKey: testSecretKey + "\n"}, errText: "trim it"},
		{name: "space inside", cfg: Config{SecretKey: "sk_test_abc def"}, errText: "whitespace"},
		{name: "publishable key", cfg: Config{SecretKey: "pk_test_Y2xlcmsuZXhhbXBsZS5jb20k"}, errText: "publishable key"},
		{name: "machine secret key", cfg: Config{SecretKey: "ak_0123456789abcdef"}, errText: "sk_live_ or sk_test_"},
		{name: "bare prefix", cfg: Config{SecretKey: "sk_test_"}, errText: "sk_live_ or sk_test_"},
		{name: "other environment", cfg: Config{SecretKey: "sk_prod_abc"}, errText: "sk_live_ or sk_test_"},
		{name: "relative base URL", cfg: Config{SecretKey: testSecretKey, BaseURL: "api.clerk.com"}, errText: "absolute URL"},
		{name: "http off loopback", cfg: Config{SecretKey: testSecretKey, BaseURL: "http://api.clerk.com"}, errText: "must use https"},
		{name: "credentials in base URL", cfg: Config{SecretKey: testSecretKey, BaseURL: "https://u:p@api.clerk.com"}, errText: "must not carry credentials"},
		{name: "query in base URL", cfg: Config{SecretKey: testSecretKey, BaseURL: "https://api.clerk.com/?x=1"}, errText: "query"},
		{name: "fragment in base URL", cfg: Config{SecretKey: testSecretKey, BaseURL: "https://api.clerk.com/#x"}, errText: "fragment"},
		{name: "versioned base URL", cfg: Config{SecretKey: testSecretKey, BaseURL: "https://api.clerk.com/v1"}, errText: `use "https://api.clerk.com"`},
		{name: "versioned base URL with slash", cfg: Config{SecretKey: testSecretKey, BaseURL: "https://api.clerk.com/v1/"}, errText: "/v1"},
		{name: "negative Timeout", cfg: Config{SecretKey: testSecretKey, Timeout: -1}, errText: "Timeout must not be negative"},
		{name: "negative NegativeTTL", cfg: Config{SecretKey: testSecretKey, NegativeTTL: -1}, errText: "NegativeTTL must not be negative"},
		{name: "negative MaxTTL", cfg: Config{SecretKey: testSecretKey, MaxTTL: -time.Second}, errText: "MaxTTL must not be negative"},
		{name: "negative MaxResponseBytes", cfg: Config{SecretKey: testSecretKey, MaxResponseBytes: -1}, errText: "MaxResponseBytes"},
		{name: "negative MaxConcurrent", cfg: Config{SecretKey: testSecretKey, MaxConcurrent: -1}, errText: "MaxConcurrent"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c, err := New(tt.cfg)
			require.Error(t, err)
			assert.Nil(t, c)
			assert.ErrorContains(t, err, tt.errText)
			assert.Contains(t, err.Error(), "clerkapi: ")
			if len(tt.cfg.SecretKey) > len("sk_test_") { // the bare prefix is named in the fix
				assert.NotContains(t, err.Error(), tt.cfg.SecretKey, "a key never reaches the logs")
			}
			assert.NotContains(t, err.Error(), "u:p@")
		})
	}
}

func TestNewAccepts(t *testing.T) {
	for _, cfg := range []Config{
		{SecretKey: "sk_live_abc"},
		{SecretKey: testSecretKey, BaseURL: "https://api.clerk.com/"},
		{SecretKey: testSecretKey, BaseURL: "https://clerk-proxy.example.com/clerk"},
		{SecretKey: testSecretKey, BaseURL: "http://127.0.0.1:8080"},
		{SecretKey: testSecretKey, BaseURL: "http://localhost"},
		{SecretKey: testSecretKey, BaseURL: "http://[::1]:9000/"},
		{SecretKey: testSecretKey, CacheEntries: -1},
	} {
		_, err := New(cfg)
		assert.NoError(t, err, "%+v", cfg)
	}
}

func TestNewDefaults(t *testing.T) {
	c, err := New(Config{SecretKey: testSecretKey})
	require.NoError(t, err)
	assert.Equal(t, DefaultBaseURL, c.baseURL)
	assert.Equal(t, DefaultTimeout, c.timeout)
	assert.Equal(t, DefaultMaxResponseBytes, c.maxBytes)
	assert.Equal(t, DefaultNegativeTTL, c.negativeTTL)
	assert.Equal(t, DefaultMaxTTL, c.maxTTL)
	entries, concurrent := c.answers.Limits()
	assert.Equal(t, DefaultMaxConcurrent, concurrent)
	assert.Equal(t, DefaultCacheEntries, entries)
	assert.Equal(t, DefaultTimeout, c.client.Timeout)
	assert.NotNil(t, c.now)

	off, err := New(Config{SecretKey: testSecretKey, CacheEntries: -1})
	require.NoError(t, err)
	entries, _ = off.answers.Limits()
	assert.Zero(t, entries, "CacheEntries -1 remembers nothing")
}

// A BaseURL with a path (a proxy in front of Clerk) keeps it, and a
// trailing slash does not double.
func TestBaseURLPath(t *testing.T) {
	f := newFixture(t, Config{})
	c, err := New(Config{SecretKey: testSecretKey, BaseURL: f.api.URL() + "/clerk/", Now: f.clock.Now})
	require.NoError(t, err)
	_, err = c.Verify(context.Background(), m2mToken)
	requireInvalid(t, err) // the stand-in has nothing at that path: Clerk's 404
	assert.Equal(t, "/clerk"+m2mPath, f.api.last(t).path)
}

// A client given in Config is copied, so that its CheckRedirect stays the
// caller's while the copy never follows redirects.
func TestClientIsCopied(t *testing.T) {
	mine := &http.Client{Timeout: time.Minute}
	c, err := New(Config{SecretKey: testSecretKey, Client: mine})
	require.NoError(t, err)
	assert.Nil(t, mine.CheckRedirect)
	assert.NotSame(t, mine, c.client)
	assert.NotNil(t, c.client.CheckRedirect)
	assert.Equal(t, time.Minute, c.client.Timeout)
}
