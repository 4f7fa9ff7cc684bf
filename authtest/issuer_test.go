package authtest_test

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/go-jose/go-jose/v4"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/scopegate/scopegate/authtest"
)

// get fetches url with the issuer's client and returns the response with its
// body read.
func get(t *testing.T, iss *authtest.Issuer, url string) (*http.Response, []byte) {
	t.Helper()
	return do(t, iss, http.MethodGet, url)
}

func do(t *testing.T, iss *authtest.Issuer, method, url string) (*http.Response, []byte) {
	t.Helper()
	req, err := http.NewRequest(method, url, nil)
	require.NoError(t, err)
	resp, err := iss.Client().Do(req)
	require.NoError(t, err)
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	require.NoError(t, err)
	return resp, body
}

type discoveryDoc struct {
	Issuer                 string   `json:"issuer"`
	JWKSURI                string   `json:"jwks_uri"`
	SigningAlgs            []string `json:"id_token_signing_alg_values_supported"`
	ResponseTypesSupported []string `json:"response_types_supported"`
	SubjectTypesSupported  []string `json:"subject_types_supported"`
}

func TestDiscovery(t *testing.T) {
	tests := []struct {
		name          string
		opts          []authtest.Option
		trailingSlash bool
		scheme        string
	}{
		{name: "default", scheme: "http://"},
		{name: "trailing slash", opts: []authtest.Option{authtest.WithTrailingSlash()}, trailingSlash: true, scheme: "http://"},
		{name: "tls", opts: []authtest.Option{authtest.WithTLS()}, scheme: "https://"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			iss := authtest.NewIssuer(t, tt.opts...)

			assert.True(t, strings.HasPrefix(iss.URL(), tt.scheme+"127.0.0.1:"), iss.URL())
			assert.Equal(t, tt.trailingSlash, strings.HasSuffix(iss.URL(), "/"))
			base := strings.TrimSuffix(iss.URL(), "/")
			assert.Equal(t, base+"/.well-known/openid-configuration", iss.DiscoveryURL())
			assert.Equal(t, base+"/.well-known/jwks.json", iss.JWKSURL())
			assert.NotContains(t, strings.TrimPrefix(iss.DiscoveryURL(), tt.scheme), "//")

			for _, path := range []string{authtest.DiscoveryPath, authtest.OAuthMetadataPath} {
				resp, body := get(t, iss, base+path)
				require.Equal(t, http.StatusOK, resp.StatusCode, path)
				assert.Equal(t, "application/json", resp.Header.Get("Content-Type"))
				assert.JSONEq(t, string(iss.Discovery()), string(body))

				var doc discoveryDoc
				require.NoError(t, json.Unmarshal(body, &doc))
				assert.Equal(t, discoveryDoc{
					Issuer:                 iss.URL(),
					JWKSURI:                iss.JWKSURL(),
					SigningAlgs:            []string{"ES256", "EdDSA", "RS256"},
					ResponseTypesSupported: []string{"code"},
					SubjectTypesSupported:  []string{"public"},
				}, doc)
			}
		})
	}
}

func TestDiscoveryAlgsFollowKeys(t *testing.T) {
	iss := authtest.NewIssuer(t)
	_, err := iss.Rotate("ES384")
	require.NoError(t, err)
	iss.Retire(iss.KeyID("EdDSA"))

	var doc discoveryDoc
	require.NoError(t, json.Unmarshal(iss.Discovery(), &doc))
	assert.Equal(t, []string{"ES256", "ES384", "RS256"}, doc.SigningAlgs)
}

func TestJWKSDocument(t *testing.T) {
	for _, opts := range [][]authtest.Option{nil, {authtest.WithTrailingSlash()}} {
		iss := authtest.NewIssuer(t, opts...)
		resp, body := get(t, iss, iss.JWKSURL())
		require.Equal(t, http.StatusOK, resp.StatusCode)
		assert.Equal(t, "application/json", resp.Header.Get("Content-Type"))
		assert.Equal(t, "max-age=600", resp.Header.Get("Cache-Control"))
		assert.Equal(t, iss.JWKS(), body)

		var raw struct {
			Keys []map[string]any `json:"keys"`
		}
		require.NoError(t, json.Unmarshal(body, &raw))
		require.Len(t, raw.Keys, 3)
		wantKty := map[string]string{"RS256": "RSA", "ES256": "EC", "EdDSA": "OKP"}
		kids := map[string]bool{}
		for _, k := range raw.Keys {
			alg, _ := k["alg"].(string)
			assert.Equal(t, "sig", k["use"])
			assert.Equal(t, wantKty[alg], k["kty"], alg)
			assert.Equal(t, iss.KeyID(alg), k["kid"])
			assert.NotContains(t, k, "d", "private key material published")
			kids[k["kid"].(string)] = true
		}
		assert.Len(t, kids, 3, "kids must differ")

		var set jose.JSONWebKeySet
		require.NoError(t, json.Unmarshal(body, &set))
		for _, alg := range []string{"RS256", "ES256", "EdDSA"} {
			keys := set.Key(iss.KeyID(alg))
			require.Len(t, keys, 1, alg)
			assert.True(t, keys[0].IsPublic())
			assert.True(t, keys[0].Valid())
			assert.True(t, publicEqual(iss.PublicKey(alg), keys[0].Key), alg)
		}
	}
}

func TestJWKSCacheControl(t *testing.T) {
	tests := []struct {
		name string
		opts []authtest.Option
		want string
	}{
		{name: "default", want: "max-age=600"},
		{name: "custom", opts: []authtest.Option{authtest.WithCacheControl("no-store")}, want: "no-store"},
		{name: "dropped", opts: []authtest.Option{authtest.WithCacheControl("")}, want: ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			iss := authtest.NewIssuer(t, tt.opts...)
			resp, _ := get(t, iss, iss.JWKSURL())
			assert.Equal(t, tt.want, resp.Header.Get("Cache-Control"))
			_, present := resp.Header["Cache-Control"]
			assert.Equal(t, tt.want != "", present)

			resp, _ = get(t, iss, iss.DiscoveryURL())
			assert.Empty(t, resp.Header.Get("Cache-Control"), "only the key set is cacheable")
		})
	}
}

func TestMethodsAndUnknownPaths(t *testing.T) {
	iss := authtest.NewIssuer(t, authtest.WithTrailingSlash())
	tests := []struct {
		name   string
		method string
		url    string
		status int
	}{
		{name: "HEAD jwks", method: http.MethodHead, url: iss.JWKSURL(), status: http.StatusOK},
		{name: "POST jwks", method: http.MethodPost, url: iss.JWKSURL(), status: http.StatusMethodNotAllowed},
		{name: "POST discovery", method: http.MethodPost, url: iss.DiscoveryURL(), status: http.StatusMethodNotAllowed},
		{name: "unknown path", method: http.MethodGet, url: iss.URL() + "authorize", status: http.StatusNotFound},
		{name: "double slash", method: http.MethodGet, url: iss.URL() + "/.well-known/openid-configuration", status: http.StatusNotFound},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			resp, _ := do(t, iss, tt.method, tt.url)
			assert.Equal(t, tt.status, resp.StatusCode)
			if tt.status == http.StatusMethodNotAllowed {
				assert.Equal(t, "GET, HEAD", resp.Header.Get("Allow"))
			}
		})
	}
	assert.Equal(t, int64(1), iss.Requests("//.well-known/openid-configuration"), "unknown paths are counted as received")
}

func TestRequests(t *testing.T) {
	iss := authtest.NewIssuer(t)
	assert.Zero(t, iss.Requests(authtest.JWKSPath))

	for range 3 {
		get(t, iss, iss.JWKSURL())
	}
	get(t, iss, iss.DiscoveryURL())
	get(t, iss, iss.JWKSURL()+"?x=1")

	assert.Equal(t, int64(4), iss.Requests(authtest.JWKSPath), "query strings do not split counts")
	assert.Equal(t, int64(1), iss.Requests(authtest.DiscoveryPath))
	assert.Zero(t, iss.Requests(authtest.OAuthMetadataPath))
	assert.Zero(t, iss.Requests(iss.JWKSURL()), "counts are by path, not URL")
}

func TestSetHandler(t *testing.T) {
	tests := []struct {
		name    string
		handler http.Handler
		status  int
		body    string
	}{
		{
			name:    "server error",
			handler: http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) { http.Error(w, "boom", http.StatusInternalServerError) }),
			status:  http.StatusInternalServerError,
			body:    "boom\n",
		},
		{
			name:    "garbage",
			handler: http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) { _, _ = w.Write([]byte("{not json")) }),
			status:  http.StatusOK,
			body:    "{not json",
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			iss := authtest.NewIssuer(t)
			iss.SetHandler(authtest.JWKSPath, tt.handler)
			resp, body := get(t, iss, iss.JWKSURL())
			assert.Equal(t, tt.status, resp.StatusCode)
			assert.Equal(t, tt.body, string(body))

			// Other paths keep their defaults.
			resp, _ = get(t, iss, iss.DiscoveryURL())
			assert.Equal(t, http.StatusOK, resp.StatusCode)

			iss.SetHandler(authtest.JWKSPath, nil)
			resp, body = get(t, iss, iss.JWKSURL())
			assert.Equal(t, http.StatusOK, resp.StatusCode)
			assert.Equal(t, iss.JWKS(), body)

			assert.Equal(t, int64(2), iss.Requests(authtest.JWKSPath), "overridden requests are counted")
		})
	}
}

func TestSetHandlerRedirectAndNewPath(t *testing.T) {
	iss := authtest.NewIssuer(t)
	iss.SetHandler("/moved/jwks.json", iss.DefaultHandler(authtest.JWKSPath))
	iss.SetHandler(authtest.JWKSPath, http.RedirectHandler("/moved/jwks.json", http.StatusFound))

	resp, body := get(t, iss, iss.JWKSURL())
	assert.Equal(t, http.StatusOK, resp.StatusCode)
	assert.Equal(t, iss.JWKS(), body)
	assert.Equal(t, int64(1), iss.Requests(authtest.JWKSPath))
	assert.Equal(t, int64(1), iss.Requests("/moved/jwks.json"))
}

func TestDefaultHandlerServesCurrentKeys(t *testing.T) {
	iss := authtest.NewIssuer(t)
	iss.SetHandler(authtest.JWKSPath, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("X-Wrapped", "yes")
		iss.DefaultHandler(authtest.JWKSPath).ServeHTTP(w, r)
	}))
	kid, err := iss.Rotate("ES256")
	require.NoError(t, err)

	resp, body := get(t, iss, iss.JWKSURL())
	assert.Equal(t, "yes", resp.Header.Get("X-Wrapped"))
	assert.Contains(t, string(body), kid)
	assert.Equal(t, http.StatusNotFound, httpStatus(iss.DefaultHandler("/nope")))
}

func httpStatus(h http.Handler) int {
	rec := &statusRecorder{header: http.Header{}}
	h.ServeHTTP(rec, &http.Request{Method: http.MethodGet, Header: http.Header{}})
	return rec.status
}

type statusRecorder struct {
	header http.Header
	status int
}

func (r *statusRecorder) Header() http.Header         { return r.header }
func (r *statusRecorder) Write(b []byte) (int, error) { return len(b), nil }
func (r *statusRecorder) WriteHeader(status int)      { r.status = status }

func TestSlow(t *testing.T) {
	t.Run("answers after the delay", func(t *testing.T) {
		iss := authtest.NewIssuer(t)
		iss.SetHandler(authtest.JWKSPath, authtest.Slow(20*time.Millisecond, iss.DefaultHandler(authtest.JWKSPath)))
		start := time.Now()
		resp, body := get(t, iss, iss.JWKSURL())
		assert.GreaterOrEqual(t, time.Since(start), 20*time.Millisecond)
		assert.Equal(t, http.StatusOK, resp.StatusCode)
		assert.Equal(t, iss.JWKS(), body)
	})
	t.Run("client timeout ends the wait", func(t *testing.T) {
		iss := authtest.NewIssuer(t)
		iss.SetHandler(authtest.JWKSPath, authtest.Slow(time.Hour, nil))
		ctx, cancel := context.WithTimeout(context.Background(), 20*time.Millisecond)
		defer cancel()
		req, err := http.NewRequestWithContext(ctx, http.MethodGet, iss.JWKSURL(), nil)
		require.NoError(t, err)
		_, err = iss.Client().Do(req)
		require.ErrorIs(t, err, context.DeadlineExceeded)
	})
	t.Run("close ends the wait", func(t *testing.T) {
		iss, err := authtest.Start()
		require.NoError(t, err)
		iss.SetHandler(authtest.JWKSPath, authtest.Slow(time.Hour, nil))
		done := make(chan error, 1)
		go func() {
			resp, err := iss.Client().Get(iss.JWKSURL())
			if err == nil {
				resp.Body.Close()
			}
			done <- err
		}()
		require.Eventually(t, func() bool { return iss.Requests(authtest.JWKSPath) == 1 }, 5*time.Second, time.Millisecond)

		closed := make(chan struct{})
		go func() { iss.Close(); close(closed) }()
		select {
		case <-closed:
		case <-time.After(5 * time.Second):
			t.Fatal("Close waited for a slow handler")
		}
		<-done
	})
}

func TestStartAndClose(t *testing.T) {
	iss, err := authtest.Start(authtest.WithAudience("urn:my-api"))
	require.NoError(t, err)
	assert.Equal(t, "urn:my-api", iss.Audience())
	resp, _ := get(t, iss, iss.DiscoveryURL())
	assert.Equal(t, http.StatusOK, resp.StatusCode)

	iss.Close()
	iss.Close() // idempotent, as t.Cleanup may close again
	_, err = http.Get(iss.DiscoveryURL())
	assert.Error(t, err)

	// Tokens remain available for output after the server is gone.
	assert.NotEmpty(t, iss.Token().String())
}

func TestStartErrors(t *testing.T) {
	tests := []struct {
		name string
		opts []authtest.Option
	}{
		{name: "bad address", opts: []authtest.Option{authtest.WithAddr("256.0.0.1:0")}},
		{name: "RSA too small", opts: []authtest.Option{authtest.WithRSABits(256)}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			iss, err := authtest.Start(tt.opts...)
			assert.Error(t, err)
			assert.Nil(t, iss)
		})
	}
}

func TestNewIssuerFailsTheTest(t *testing.T) {
	ft := &fakeTB{TB: t}
	func() {
		defer func() { _ = recover() }()
		authtest.NewIssuer(ft, authtest.WithAddr("256.0.0.1:0"))
	}()
	assert.True(t, ft.failed)
	assert.Contains(t, ft.msg, "authtest: start issuer")
}

func TestWithAddr(t *testing.T) {
	iss := authtest.NewIssuer(t, authtest.WithAddr("localhost:0"))
	assert.True(t, strings.HasPrefix(iss.URL(), "http://127.0.0.1:") || strings.HasPrefix(iss.URL(), "http://[::1]:"), iss.URL())
	resp, _ := get(t, iss, iss.JWKSURL())
	assert.Equal(t, http.StatusOK, resp.StatusCode)
}

// TestConcurrentFetchesDuringRotation is the load the library's own cache tests
// put on the issuer; it must stay consistent and race-free.
func TestConcurrentFetchesDuringRotation(t *testing.T) {
	iss := authtest.NewIssuer(t)
	client := &http.Client{Transport: &http.Transport{MaxIdleConnsPerHost: 100}}
	defer client.CloseIdleConnections()

	const fetches = 1000
	stop := make(chan struct{})
	rotated := make(chan int)
	go func() {
		n := 0
		defer func() { rotated <- n }()
		for {
			select {
			case <-stop:
				return
			default:
			}
			kid, err := iss.Rotate([]string{"ES256", "EdDSA"}[n%2])
			if !assert.NoError(t, err) {
				return
			}
			iss.Retire(kid)
			_ = iss.JWKS()
			n++
		}
	}()

	var wg sync.WaitGroup
	errs := make(chan error, fetches)
	for range fetches {
		wg.Go(func() {
			resp, err := client.Get(iss.JWKSURL())
			if err != nil {
				errs <- err
				return
			}
			defer resp.Body.Close()
			var set jose.JSONWebKeySet
			if err := json.NewDecoder(resp.Body).Decode(&set); err != nil {
				errs <- err
				return
			}
			if len(set.Key(iss.KeyID("RS256"))) != 1 {
				errs <- assert.AnError
			}
		})
	}
	wg.Wait()
	close(stop)
	n := <-rotated
	close(errs)
	for err := range errs {
		t.Error(err)
	}
	assert.Equal(t, int64(fetches), iss.Requests(authtest.JWKSPath))
	assert.Positive(t, n)
}

// fakeTB records a Fatal instead of ending the test, to test helpers that
// fail tests.
type fakeTB struct {
	testing.TB
	failed bool
	msg    string
}

func (f *fakeTB) Helper() {}
func (f *fakeTB) Fatalf(format string, args ...any) {
	f.failed = true
	f.msg = fmt.Sprintf(format, args...)
	panic("fatal")
}
func (f *fakeTB) Cleanup(fn func()) { f.TB.Cleanup(fn) }
