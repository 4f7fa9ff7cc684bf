package dpop_test

import (
	"crypto/tls"
	"net/http"
	"net/http/httptest"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/scopegate/scopegate/dpop"
)

func TestNormalizeURL(t *testing.T) {
	tests := []struct {
		in, want string
	}{
		{"https://api.example.com/api/private", "https://api.example.com/api/private"},
		{"HTTPS://API.Example.COM/api/private", "https://api.example.com/api/private"},
		{"https://api.example.com:443/x", "https://api.example.com/x"},
		{"http://api.example.com:80/x", "http://api.example.com/x"},
		{"http://api.example.com:443/x", "http://api.example.com:443/x"},
		{"https://api.example.com:08443/x", "https://api.example.com:8443/x"},
		{"https://api.example.com:/x", "https://api.example.com/x"},
		{"https://api.example.com", "https://api.example.com/"},
		{"https://api.example.com/a?x=1#frag", "https://api.example.com/a"},
		{"https://api.example.com/a?", "https://api.example.com/a"},
		{"https://api.example.com/%7Euser/%61", "https://api.example.com/~user/a"},
		{"https://api.example.com/a%2fb", "https://api.example.com/a%2Fb"},
		{"https://api.example.com/a/./b/../c", "https://api.example.com/a/c"},
		{"https://api.example.com/a/b/..", "https://api.example.com/a/"},
		{"https://api.example.com/../..", "https://api.example.com/"},
		{"https://api.example.com/Path/Case", "https://api.example.com/Path/Case"},
		{"https://[::1]:8443/x", "https://[::1]:8443/x"},
		{"https://[::1]/x", "https://[::1]/x"},
		{"http://127.0.0.1:8080/api/private", "http://127.0.0.1:8080/api/private"},
	}
	for _, tt := range tests {
		t.Run(tt.in, func(t *testing.T) {
			got, err := dpop.NormalizeURL(tt.in)
			require.NoError(t, err)
			assert.Equal(t, tt.want, got)
			again, err := dpop.NormalizeURL(got)
			require.NoError(t, err)
			assert.Equal(t, got, again, "a normal form is its own normal form")
		})
	}
}

// FuzzNormalizeURL checks that normalising never panics and that a normal
// form is its own normal form, which lets package bearer accept an "htu"
// equal to the request's normalised URL without normalising it again.
func FuzzNormalizeURL(f *testing.F) {
	for _, seed := range []string{"https://api.example.com/a/./b/../c?q#f", "HTTP://Host:080/%7e%2f", "https://[::1]/x/..", "http://h//x/%2E%2E/y", "https://h/a%zz"} {
		f.Add(seed)
	}
	f.Fuzz(func(t *testing.T, raw string) {
		normal, err := dpop.NormalizeURL(raw)
		if err != nil {
			return
		}
		again, err := dpop.NormalizeURL(normal)
		if err != nil || again != normal {
			t.Fatalf("%q normalises to %q, which normalises to %q, %v", raw, normal, again, err)
		}
	})
}

func TestNormalizeURLRefuses(t *testing.T) {
	for _, in := range []string{
		"", "/api/private", "api.example.com/x", "ftp://api.example.com/x", "mailto:a@example.com",
		"https://user:pass@api.example.com/x", "https:///x", "https://api.example.com:0/x",
		"https://api.example.com:x/y", "https://api.example.com/%zz", "https://api.example.com/%4",
	} {
		t.Run(in, func(t *testing.T) {
			_, err := dpop.NormalizeURL(in)
			assert.ErrorIs(t, err, dpop.ErrURL)
		})
	}
}

func TestTargetURL(t *testing.T) {
	tests := []struct {
		name           string
		publicOrigin   string
		trustForwarded bool
		target         string
		host           string
		tls            bool
		headers        map[string]string
		want           string
	}{
		{name: "plain http", target: "/api/private?x=1", host: "localhost:8080", want: "http://localhost:8080/api/private"},
		{name: "tls", target: "/api/private", host: "API.example.com:443", tls: true, want: "https://api.example.com/api/private"},
		{name: "forwarded ignored unless trusted", target: "/a", host: "backend:8080",
			headers: map[string]string{"X-Forwarded-Proto": "https", "X-Forwarded-Host": "api.example.com"}, want: "http://backend:8080/a"},
		{name: "x-forwarded trusted", trustForwarded: true, target: "/a", host: "backend:8080",
			headers: map[string]string{"X-Forwarded-Proto": "https, http", "X-Forwarded-Host": "api.example.com, backend"}, want: "https://api.example.com/a"},
		{name: "forwarded header trusted", trustForwarded: true, target: "/a", host: "backend:8080",
			headers: map[string]string{"Forwarded": `for=1.2.3.4;proto=https;host="api.example.com:8443", for=5.6.7.8`}, want: "https://api.example.com:8443/a"},
		{name: "forwarded proto only", trustForwarded: true, target: "/a", host: "api.example.com",
			headers: map[string]string{"X-Forwarded-Proto": "HTTPS"}, want: "https://api.example.com/a"},
		{name: "public origin wins", publicOrigin: "https://API.example.com/", trustForwarded: true, target: "/a/../b", host: "backend:8080",
			headers: map[string]string{"X-Forwarded-Host": "evil.example"}, want: "https://api.example.com/b"},
		{name: "public origin with a prefix", publicOrigin: "https://example.com/api", target: "/private", host: "backend",
			want: "https://example.com/api/private"},
		{name: "percent-encoding normalised", target: "/%7e/a%2f", host: "h", want: "http://h/~/a%2F"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			target, err := dpop.NewTarget(tt.publicOrigin, tt.trustForwarded)
			require.NoError(t, err)
			r := httptest.NewRequest(http.MethodGet, tt.target, nil)
			r.Host = tt.host
			if tt.tls {
				r.TLS = &tls.ConnectionState{}
			}
			for k, v := range tt.headers {
				r.Header.Set(k, v)
			}
			got, err := target.URL(r)
			require.NoError(t, err)
			assert.Equal(t, tt.want, got)
			assert.True(t, target.Matches(r, tt.want))
			assert.False(t, target.Matches(r, tt.want+"x"))
		})
	}
}

// One Target serves requests to several hosts and schemes in turn: it
// remembers the origin last normalised, and must never answer with it for
// another request's.
func TestTargetMatchesAcrossHosts(t *testing.T) {
	target, err := dpop.NewTarget("", false)
	require.NoError(t, err)
	requests := []struct {
		host  string
		tls   bool
		want  string
		other []string // what the same htu means, written otherwise
	}{
		{"api.example.com", true, "https://api.example.com/a/b", []string{"HTTPS://API.example.com:443/a/./b", "https://api.example.com/a/b?q=1#f"}},
		{"api.example.com", false, "http://api.example.com/a/b", []string{"http://api.example.com:80/a/c/../b"}},
		{"API.example.com:8443", true, "https://api.example.com:8443/a/b", []string{"https://api.example.com:08443/a/b"}},
		{"other.example", true, "https://other.example/a/b", []string{"https://other.example/a/%62"}},
	}
	for range 3 {
		for i, req := range requests {
			r := httptest.NewRequest(http.MethodGet, "/a/b", nil)
			r.Host = req.host
			if req.tls {
				r.TLS = &tls.ConnectionState{}
			}
			got, err := target.URL(r)
			require.NoError(t, err)
			assert.Equal(t, req.want, got)
			for _, htu := range append([]string{req.want}, req.other...) {
				assert.True(t, target.Matches(r, htu), "%s for %s", htu, req.want)
			}
			for j, other := range requests {
				if j != i {
					assert.False(t, target.Matches(r, other.want), "%s for %s", other.want, req.want)
				}
			}
			assert.False(t, target.Matches(r, "not a url"))
		}
	}
	bad := httptest.NewRequest(http.MethodGet, "/a/b", nil)
	bad.Host = "evil.example/path"
	assert.False(t, target.Matches(bad, "http://evil.example/path/a/b"))
}

func TestTargetURLReadsTheTargetAsSent(t *testing.T) {
	// A handler under http.StripPrefix sees a shortened r.URL.Path; the
	// client signed the whole path.
	target, err := dpop.NewTarget("", false)
	require.NoError(t, err)
	r := httptest.NewRequest(http.MethodGet, "http://h/api/private", nil)
	var got string
	http.StripPrefix("/api", http.HandlerFunc(func(_ http.ResponseWriter, r *http.Request) {
		got, err = target.URL(r)
	})).ServeHTTP(httptest.NewRecorder(), r)
	require.NoError(t, err)
	assert.Equal(t, "http://h/api/private", got)
}

func TestTargetURLRefusesForgedForwardedValues(t *testing.T) {
	target, err := dpop.NewTarget("", true)
	require.NoError(t, err)
	for _, h := range []map[string]string{
		{"X-Forwarded-Proto": "gopher"},
		{"X-Forwarded-Host": "evil.example/path"},
		{"Forwarded": "proto=ftp"},
	} {
		r := httptest.NewRequest(http.MethodGet, "/a", nil)
		for k, v := range h {
			r.Header.Set(k, v)
		}
		_, err := target.URL(r)
		assert.ErrorIs(t, err, dpop.ErrURL, h)
	}
}

func TestNewTargetRefusesBadOrigins(t *testing.T) {
	for _, origin := range []string{"api.example.com", "https://api.example.com/?x=1", "https://api.example.com/#f", "ftp://x", "https://u@x"} {
		_, err := dpop.NewTarget(origin, false)
		assert.ErrorContains(t, err, "e.g. https://api.example.com", origin)
	}
}
