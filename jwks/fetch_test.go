package jwks

import (
	"context"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestMaxAge(t *testing.T) {
	tests := []struct {
		name   string
		values []string
		want   time.Duration
		ok     bool
	}{
		{"absent", nil, 0, false},
		{"max-age", []string{"max-age=600"}, 10 * time.Minute, true},
		{"with other directives", []string{"public, max-age=120, must-revalidate"}, 2 * time.Minute, true},
		{"case-insensitive name", []string{"Max-Age=60"}, time.Minute, true},
		{"quoted", []string{`max-age="30"`}, 30 * time.Second, true},
		{"s-maxage", []string{"s-maxage=300"}, 5 * time.Minute, true},
		{"zero", []string{"max-age=0"}, 0, true},
		{"no-cache", []string{"no-cache"}, 0, true},
		{"no-store wins over a later max-age", []string{"no-store, max-age=600"}, 0, true},
		{"no-store wins over an earlier max-age", []string{"max-age=3600, no-store"}, 0, true},
		{"no-cache wins over an earlier max-age", []string{"max-age=3600, no-cache"}, 0, true},
		{"no-cache on a second header line", []string{"max-age=3600", "no-cache"}, 0, true},
		{"the first usable max-age counts", []string{"max-age=60, s-maxage=90"}, time.Minute, true},
		{"negative is ignored", []string{"max-age=-5"}, 0, false},
		{"not a number is ignored", []string{"max-age=soon"}, 0, false},
		{"an unusable max-age does not hide a usable one", []string{"max-age=x, s-maxage=90"}, 90 * time.Second, true},
		{"second header line", []string{"public", "max-age=45"}, 45 * time.Second, true},
		{"absurdly large is capped at a year", []string{"max-age=99999999999999"}, 365 * 24 * time.Hour, true},
		{"overflowing int64 is ignored", []string{"max-age=999999999999999999999"}, 0, false},
		{"private only", []string{"private"}, 0, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			h := http.Header{}
			for _, v := range tt.values {
				h.Add("Cache-Control", v)
			}
			got, ok := maxAge(h)
			assert.Equal(t, tt.ok, ok)
			assert.Equal(t, tt.want, got)
		})
	}
}

func TestCheckKeyURL(t *testing.T) {
	tests := []struct {
		url string
		ok  bool
	}{
		{"https://tenant.auth0.com/.well-known/jwks.json", true},
		{"https://203.0.113.7/jwks", true},
		{"http://127.0.0.1:8080/jwks", true},
		{"http://127.8.9.10/jwks", true},
		{"http://[::1]:9000/jwks", true},
		{"http://localhost:3000/jwks", true},
		{"http://LOCALHOST/jwks", true},
		{"http://tenant.auth0.com/.well-known/jwks.json", false},
		{"http://10.0.0.1/jwks", false},
		{"http://localhost.evil.example/jwks", false},
		{"http://127.0.0.1.nip.io/jwks", false},
		{"ftp://127.0.0.1/jwks", false},
		{"file:///etc/jwks.json", false},
		{"/.well-known/jwks.json", false},
		{"https:///jwks", false},
		{"https://user:pass@tenant.auth0.com/jwks", false},
		{"https://tenant.auth0.com/%zz", false},
		{"https://u:pass@tenant.auth0.com/%zz", false}, // does not parse
		{"u:pass@tenant.auth0.com/jwks", false},        // parses with the scheme "u"
		{"", false},
	}
	for _, tt := range tests {
		t.Run(tt.url, func(t *testing.T) {
			_, err := checkKeyURL("URL", tt.url)
			if tt.ok {
				assert.NoError(t, err)
				return
			}
			require.Error(t, err)
			assert.True(t, strings.HasPrefix(err.Error(), "jwks: URL "), "names the setting: %v", err)
			assert.NotContains(t, err.Error(), "pass", "never shows a password")
		})
	}
}

func TestDiscoveryURLs(t *testing.T) {
	tests := []struct {
		issuer string
		want   []string
	}{
		{"https://tenant.auth0.com/", []string{
			"https://tenant.auth0.com/.well-known/openid-configuration",
			"https://tenant.auth0.com/.well-known/oauth-authorization-server",
		}},
		{"https://clerk.example.com", []string{
			"https://clerk.example.com/.well-known/openid-configuration",
			"https://clerk.example.com/.well-known/oauth-authorization-server",
		}},
		{"https://idp.example.com/realms/main", []string{
			"https://idp.example.com/realms/main/.well-known/openid-configuration",
			"https://idp.example.com/.well-known/oauth-authorization-server/realms/main",
		}},
		{"https://idp.example.com/realms/main/", []string{
			"https://idp.example.com/realms/main/.well-known/openid-configuration",
			"https://idp.example.com/.well-known/oauth-authorization-server/realms/main",
		}},
		{"http://127.0.0.1:4000", []string{
			"http://127.0.0.1:4000/.well-known/openid-configuration",
			"http://127.0.0.1:4000/.well-known/oauth-authorization-server",
		}},
	}
	for _, tt := range tests {
		t.Run(tt.issuer, func(t *testing.T) {
			got, err := discoveryURLs(tt.issuer)
			require.NoError(t, err)
			assert.Equal(t, tt.want, got)
			for _, u := range got {
				_, rest, _ := strings.Cut(u, "://")
				assert.NotContains(t, rest, "//")
			}
		})
	}
	for _, bad := range []string{"tenant.auth0.com", "/relative", "https://", "::"} {
		t.Run("invalid "+bad, func(t *testing.T) {
			_, err := discoveryURLs(bad)
			assert.ErrorIs(t, err, ErrDiscovery)
		})
	}
}

func TestGet(t *testing.T) {
	srv := newKeyServer(t, []byte(`{"keys":[]}`))
	client := guardedClient(http.DefaultClient)
	ctx := context.Background()

	t.Run("200 within the limit", func(t *testing.T) {
		res, err := get(ctx, client, srv.URL(), 11)
		require.NoError(t, err)
		assert.Equal(t, `{"keys":[]}`, string(res.body))
	})
	t.Run("one byte over the limit", func(t *testing.T) {
		_, err := get(ctx, client, srv.URL(), 10)
		assert.ErrorIs(t, err, ErrFetchTooLarge)
	})
	t.Run("asks for JSON", func(t *testing.T) {
		accept := make(chan string, 1)
		srv.handle("/accept", http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			accept <- r.Header.Get("Accept")
		}))
		_, err := get(ctx, client, srv.srv.URL+"/accept", 100)
		require.NoError(t, err)
		assert.Equal(t, "application/json", <-accept)
	})
	t.Run("status other than 200", func(t *testing.T) {
		for _, code := range []int{http.StatusNoContent, http.StatusNotModified, http.StatusNotFound, http.StatusInternalServerError} {
			srv.handle("/status", http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) { w.WriteHeader(code) }))
			_, err := get(ctx, client, srv.srv.URL+"/status", 100)
			require.ErrorIs(t, err, ErrFetchStatus, code)
			var se *StatusError
			require.ErrorAs(t, err, &se)
			assert.Equal(t, code, se.Code())
			assert.Equal(t, srv.srv.URL+"/status", se.URL())
		}
	})
}

func TestGuardedClient(t *testing.T) {
	srv := newKeyServer(t, []byte(`{"keys":[]}`))
	other := newKeyServer(t, []byte(`{"keys":[]}`)) // another port: another origin
	redirect := func(to string) http.Handler {
		return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { http.Redirect(w, r, to, http.StatusFound) })
	}
	srv.handle("/same", redirect(jwksPath))
	srv.handle("/other", redirect(other.URL()))
	srv.handle("/two1", redirect("/two2"))
	srv.handle("/two2", redirect(jwksPath))
	srv.handle("/three1", redirect("/three2"))
	srv.handle("/three2", redirect("/three3"))
	srv.handle("/three3", redirect(jwksPath))
	srv.handle("/loop", redirect("/loop"))

	followed := false
	base := &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error {
		followed = true
		return nil // a permissive caller's client must not weaken the guard
	}}
	client := guardedClient(base)

	tests := []struct {
		path    string
		wantErr error
	}{
		{"/same", nil},
		{"/two1", nil},
		{"/other", ErrRedirect},
		{"/loop", ErrTooManyRedirects},
	}
	for _, tt := range tests {
		t.Run(tt.path, func(t *testing.T) {
			_, err := get(context.Background(), client, srv.srv.URL+tt.path, 100)
			if tt.wantErr != nil {
				assert.ErrorIs(t, err, tt.wantErr)
				return
			}
			assert.NoError(t, err)
		})
	}
	assert.Zero(t, other.requests(jwksPath), "the other origin was never asked")
	assert.False(t, followed, "the caller's CheckRedirect is replaced")
	assert.NotSame(t, base, client, "the caller's client is not modified")

	t.Run("maxRedirects same-origin redirects are followed", func(t *testing.T) {
		_, err := get(context.Background(), client, srv.srv.URL+"/three1", 100)
		assert.NoError(t, err)
	})
}

func TestWithScheme(t *testing.T) {
	tests := []struct {
		raw  string
		want string // "": no guess
	}{
		{"tenant.auth0.com", "https://tenant.auth0.com"},
		{"tenant.auth0.com/", "https://tenant.auth0.com/"},
		{"tenant.us.auth0.com/.well-known/jwks.json", "https://tenant.us.auth0.com/.well-known/jwks.json"},
		{"clerk.example.com:443", "https://clerk.example.com:443"},
		{"//tenant.auth0.com/", "https://tenant.auth0.com/"},
		{"203.0.113.7/jwks", "https://203.0.113.7/jwks"},
		{"[2001:db8::1]:8443/", "https://[2001:db8::1]:8443/"},
		{"localhost", "http://localhost"},
		{"LOCALHOST:3000/", "http://LOCALHOST:3000/"},
		{"127.0.0.1:4000", "http://127.0.0.1:4000"},
		{"[::1]:4000", "http://[::1]:4000"},
		// Not a missing scheme, or too little to guess from: checkKeyURL
		// explains these.
		{"https://tenant.auth0.com/", ""},
		{"http://tenant.auth0.com/", ""},
		{"ftp://tenant.auth0.com/", ""},
		{"/.well-known/jwks.json", ""},
		{"tenant", ""},
		{"", ""},
		{"https:tenant.auth0.com", ""},
		{"user:pass@tenant.auth0.com", ""},
		{"mailto:admin@tenant.auth0.com", ""},
		{"tenant auth0.com", ""},
		{"tenant.auth0.com/%zz", ""},
	}
	for _, tt := range tests {
		t.Run(tt.raw, func(t *testing.T) {
			got, ok := withScheme(tt.raw)
			assert.Equal(t, tt.want, got)
			assert.Equal(t, tt.want != "", ok)
			if ok {
				_, err := checkKeyURL("Issuer", got)
				assert.NoError(t, err, "the guess passes the URL rules")
			}
		})
	}
}
