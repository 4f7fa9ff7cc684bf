package clerkapi

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/scopegate/scopegate/authtest"
	"github.com/scopegate/scopegate/internal/flighttest"
)

// Tokens shaped as Clerk's (the fixtures of @clerk/backend's
// packages/backend/src/fixtures/machine.ts), and a secret key shaped as an
// instance's.
const (
	testSecretKey = "sk_test_c2NvcGVnYXRlLXRlc3Qtc2VjcmV0LWtleQ"
	m2mToken      = "mt_8XOIucKvqHVr5tYP123456789abcdefghij"
	oauthToken    = "oat_8XOIucKvqHVr5tYP123456789abcdefghij"
	apiKeyToken   = "ak_LCWGdaM8mv8K4PC/57IICZQXAeWfCgF30DZaFXHoGn9="
)

// The verify endpoints, as @clerk/backend calls them.
const (
	m2mPath    = "/m2m_tokens/verify"
	oauthPath  = "/oauth_applications/access_tokens/verify"
	apiKeyPath = "/api_keys/verify"
)

// testStart is where every test clock starts.
var testStart = time.Date(2030, time.January, 2, 3, 4, 5, 0, time.UTC)

// millis is t in milliseconds since the epoch, as Clerk sends timestamps.
func millis(t time.Time) int64 { return t.UnixMilli() }

// m2mAnswer is the 200 answer of POST /m2m_tokens/verify for m2mToken, as
// the Backend API's OpenAPI description (bapi/2026-05-12.yml) documents it,
// changed by the pairs given: a nil value removes the member.
func m2mAnswer(pairs ...any) map[string]any {
	return with(map[string]any{
		"object":            "machine_to_machine_token",
		"id":                "mt_f7f0ba8c3b4843ce7d85fcdd5e71853e",
		"subject":           "mch_2xhFjEI5X2qWRvtV13BzSj8H6Dk",
		"claims":            map[string]any{"important_metadata": "Some useful data"},
		"scopes":            []string{"mch_2yGkLpQ7Y3rXSwtU24CzTk9I7Em", "mch_2zHlMqR8Z4sYTxuV35DaUl0J8Fn"},
		"revoked":           false,
		"revocation_reason": nil,
		"expired":           false,
		"expiration":        millis(testStart.Add(time.Hour)),
		"last_used_at":      nil,
		"created_at":        millis(testStart.Add(-time.Minute)),
		"updated_at":        millis(testStart.Add(-time.Minute)),
	}, pairs...)
}

// oauthAnswer is the 200 answer of POST
// /oauth_applications/access_tokens/verify for oauthToken.
func oauthAnswer(pairs ...any) map[string]any {
	return with(map[string]any{
		"object":            "clerk_idp_oauth_access_token",
		"id":                "oat_0ef5a7a33d87ed87ee7954c845d80450",
		"client_id":         "client_2xhFjEI5X2qWRvtV13BzSj8H6Dk",
		"subject":           "user_2xhFjEI5X2qWRvtV13BzSj8H6Dk",
		"scopes":            []string{"read", "write"},
		"revoked":           false,
		"revocation_reason": nil,
		"expired":           false,
		"expiration":        millis(testStart.Add(time.Hour)),
		"created_at":        millis(testStart.Add(-time.Minute)),
		"updated_at":        millis(testStart.Add(-time.Minute)),
	}, pairs...)
}

// apiKeyAnswer is the 200 answer of POST /api_keys/verify for apiKeyToken.
func apiKeyAnswer(pairs ...any) map[string]any {
	return with(map[string]any{
		"object":            "api_key",
		"id":                "ak_3beecc9c60adb5f9b850e91a8ee1e992",
		"type":              "api_key",
		"subject":           "user_2xhFjEI5X2qWRvtV13BzSj8H6Dk",
		"name":              "MY_SERVICE_API_KEY",
		"description":       "This is my API Key",
		"claims":            map[string]any{"foo": "bar"},
		"scopes":            []string{"scope:read", "scope:write"},
		"revoked":           false,
		"revocation_reason": nil,
		"expired":           false,
		"expiration":        nil,
		"created_by":        "user_2xhFjEI5X2qWRvtV13BzSj8H6Dk",
		"last_used_at":      millis(testStart.Add(-time.Hour)),
		"created_at":        millis(testStart.Add(-24 * time.Hour)),
		"updated_at":        millis(testStart.Add(-24 * time.Hour)),
	}, pairs...)
}

// with returns m changed by the pairs given: a nil value removes the member.
func with(m map[string]any, pairs ...any) map[string]any {
	for i := 0; i+1 < len(pairs); i += 2 {
		if pairs[i+1] == nil {
			delete(m, pairs[i].(string))
			continue
		}
		m[pairs[i].(string)] = pairs[i+1]
	}
	return m
}

// seen is what one verify request carried.
type seen struct {
	method, path, query                                       string
	authorization, apiVersion, userAgent, contentType, accept string
	body                                                      string
}

// tokenKey is the context key under which the stand-in hands the token of
// a request to its handlers.
type tokenKey struct{}

// clerkAPI is a loopback stand-in for Clerk's Backend API: the three verify
// endpoints, each answering as the test chooses, by default as Clerk does
// for the three test tokens (their documented resource) and for any other
// token (404 with Clerk's error body). It records every request, so that
// tests assert on what was sent and how often.
type clerkAPI struct {
	srv *httptest.Server

	mu       sync.Mutex
	answers  map[string]http.Handler // by path
	requests []seen
	byToken  map[string]int
}

// newClerkAPI starts the stand-in.
func newClerkAPI(t testing.TB) *clerkAPI {
	t.Helper()
	c := &clerkAPI{
		answers: map[string]http.Handler{
			m2mPath:    knownOr404(m2mToken, resource(t, m2mAnswer())),
			oauthPath:  knownOr404(oauthToken, resource(t, oauthAnswer())),
			apiKeyPath: knownOr404(apiKeyToken, resource(t, apiKeyAnswer())),
		},
		byToken: map[string]int{},
	}
	c.srv = httptest.NewServer(http.HandlerFunc(c.serve))
	t.Cleanup(c.srv.Close)
	return c
}

func (c *clerkAPI) serve(w http.ResponseWriter, r *http.Request) {
	body, _ := io.ReadAll(r.Body)
	var fields map[string]string
	_ = json.Unmarshal(body, &fields)
	token := fields["token"] + fields["access_token"] + fields["secret"]
	c.mu.Lock()
	c.requests = append(c.requests, seen{
		method: r.Method, path: r.URL.Path, query: r.URL.RawQuery,
		authorization: r.Header.Get("Authorization"), apiVersion: r.Header.Get("Clerk-API-Version"),
		userAgent: r.Header.Get("User-Agent"), contentType: r.Header.Get("Content-Type"), accept: r.Header.Get("Accept"),
		body: string(body),
	})
	c.byToken[token]++
	h, ok := c.answers[r.URL.Path]
	c.mu.Unlock()
	if !ok {
		clerkError(http.StatusNotFound, "resource_not_found").ServeHTTP(w, r)
		return
	}
	r.Body = io.NopCloser(bytes.NewReader(body))
	h.ServeHTTP(w, r.WithContext(context.WithValue(r.Context(), tokenKey{}, token)))
}

// URL is the stand-in's base URL.
func (c *clerkAPI) URL() string { return c.srv.URL }

// setAnswer replaces how path answers.
func (c *clerkAPI) setAnswer(path string, h http.Handler) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.answers[path] = h
}

// calls counts verify requests.
func (c *clerkAPI) calls() int {
	c.mu.Lock()
	defer c.mu.Unlock()
	return len(c.requests)
}

// last returns the last request.
func (c *clerkAPI) last(t testing.TB) seen {
	t.Helper()
	c.mu.Lock()
	defer c.mu.Unlock()
	require.NotEmpty(t, c.requests, "Clerk saw no request")
	return c.requests[len(c.requests)-1]
}

// perToken returns how many requests carried each token.
func (c *clerkAPI) perToken() map[string]int {
	c.mu.Lock()
	defer c.mu.Unlock()
	m := make(map[string]int, len(c.byToken))
	for k, v := range c.byToken {
		m[k] = v
	}
	return m
}

// tokenOf returns the token of a request the stand-in is serving.
func tokenOf(r *http.Request) string {
	token, _ := r.Context().Value(tokenKey{}).(string)
	return token
}

// knownOr404 answers with h for token and as Clerk does for a token it does
// not know otherwise.
func knownOr404(token string, h http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if tokenOf(r) != token {
			clerkError(http.StatusNotFound, "resource_not_found").ServeHTTP(w, r)
			return
		}
		h.ServeHTTP(w, r)
	})
}

// resource answers 200 with members as a JSON object.
func resource(t testing.TB, members map[string]any) http.Handler {
	t.Helper()
	b, err := json.Marshal(members)
	require.NoError(t, err)
	return raw(http.StatusOK, "application/json", string(b))
}

// raw answers code with body as contentType ("" for none), and the header
// pairs given.
func raw(code int, contentType, body string, header ...string) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
		if contentType != "" {
			w.Header().Set("Content-Type", contentType)
		}
		for i := 0; i+1 < len(header); i += 2 {
			w.Header().Set(header[i], header[i+1])
		}
		w.WriteHeader(code)
		_, _ = io.WriteString(w, body)
	})
}

// clerkError answers code with Clerk's error body (the 400 and 404 answers
// of the OpenAPI description: {"errors": [{"message", "long_message",
// "code"}]}, with the clerk_trace_id @clerk/backend reads), and the header
// pairs given.
func clerkError(code int, errCode string, header ...string) http.Handler {
	b, _ := json.Marshal(map[string]any{
		"errors": []map[string]string{{
			"message": "some details about the error", "long_message": "some details about the error", "code": errCode,
		}},
		"clerk_trace_id": "7d5b1a2e9c3f4b6a",
	})
	return raw(code, "application/json", string(b), header...)
}

// fixture is a Client on the stand-in and a test clock.
type fixture struct {
	api    *clerkAPI
	clock  *authtest.Clock
	client *Client
}

// newFixture starts the stand-in and a Client on it. cfg's zero fields get
// the test's values: the stand-in's URL, the secret key and the clock.
func newFixture(t testing.TB, cfg Config) *fixture {
	t.Helper()
	f := &fixture{api: newClerkAPI(t), clock: authtest.NewClock(testStart)}
	if cfg.BaseURL == "" {
		cfg.BaseURL = f.api.URL()
	}
	if cfg.SecretKey == "" {
		cfg.SecretKey = testSecretKey
	}
	if cfg.Now == nil {
		cfg.Now = f.clock.Now
	}
	c, err := New(cfg)
	require.NoError(t, err)
	f.client = c
	return f
}

// verify asks about token with a background context.
func (f *fixture) verify(token string) (*Machine, error) {
	return f.client.Verify(context.Background(), token)
}

// newGate returns a closed gate in front of the test server (see
// flighttest.Gate).
func newGate(t testing.TB) *flighttest.Gate {
	return flighttest.NewGate(t, "Clerk", tokenOf)
}

// requireUnavailable asserts that err is an *UnavailableError, never an
// invalid token, and returns it.
func requireUnavailable(t testing.TB, err error) *UnavailableError {
	t.Helper()
	require.ErrorIs(t, err, ErrUnavailable)
	require.NotErrorIs(t, err, ErrInvalid, "a failure to get an answer must never read as an invalid token")
	var ue *UnavailableError
	require.ErrorAs(t, err, &ue)
	return ue
}

// requireInvalid asserts that err is ErrInvalid, never unavailable.
func requireInvalid(t testing.TB, err error, msgAndArgs ...any) {
	t.Helper()
	require.ErrorIs(t, err, ErrInvalid, msgAndArgs...)
	require.NotErrorIs(t, err, ErrUnavailable, msgAndArgs...)
}
