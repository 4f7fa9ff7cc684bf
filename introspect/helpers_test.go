package introspect

import (
	"context"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"net/url"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/scopegate/scopegate/authtest"
	"github.com/scopegate/scopegate/internal/flighttest"
)

const (
	introspectPath = "/oauth2/introspect"
	testClientID   = "orders-api"
	testSecret     = "s3cret"
)

// testStart is where every test clock starts.
var testStart = time.Date(2030, time.January, 2, 3, 4, 5, 0, time.UTC)

// seen is what one introspection request carried.
type seen struct {
	method, contentType, accept, authorization, query string
	form                                              url.Values
}

// authServer is a loopback authorization server: an introspection endpoint
// whose answer each test chooses, and whatever else a test mounts beside it.
// It records every introspection request, so that tests assert on what was
// sent and how often.
type authServer struct {
	srv *httptest.Server

	mu       sync.Mutex
	answer   http.Handler
	others   map[string]http.Handler
	requests []seen
	counts   map[string]int // requests by path
	byToken  map[string]int // introspection requests by token
}

// newAuthServer starts a server whose introspection endpoint answers with
// answer.
func newAuthServer(t testing.TB, answer http.Handler) *authServer {
	t.Helper()
	e := &authServer{answer: answer, others: map[string]http.Handler{}, counts: map[string]int{}, byToken: map[string]int{}}
	e.srv = httptest.NewServer(http.HandlerFunc(e.serve))
	t.Cleanup(e.srv.Close)
	return e
}

func (e *authServer) serve(w http.ResponseWriter, r *http.Request) {
	e.mu.Lock()
	e.counts[r.URL.Path]++
	h, ok := e.others[r.URL.Path]
	e.mu.Unlock()
	if ok {
		h.ServeHTTP(w, r)
		return
	}
	if r.URL.Path != introspectPath {
		http.NotFound(w, r)
		return
	}
	_ = r.ParseForm()
	e.mu.Lock()
	e.requests = append(e.requests, seen{
		method: r.Method, contentType: r.Header.Get("Content-Type"), accept: r.Header.Get("Accept"),
		authorization: r.Header.Get("Authorization"), query: r.URL.RawQuery, form: r.PostForm,
	})
	e.byToken[r.PostForm.Get("token")]++
	h = e.answer
	e.mu.Unlock()
	h.ServeHTTP(w, r)
}

// URL returns the introspection endpoint's URL.
func (e *authServer) URL() string { return e.srv.URL + introspectPath }

// setAnswer replaces the introspection endpoint's answer.
func (e *authServer) setAnswer(h http.Handler) {
	e.mu.Lock()
	defer e.mu.Unlock()
	e.answer = h
}

// mount serves h at path.
func (e *authServer) mount(path string, h http.Handler) {
	e.mu.Lock()
	defer e.mu.Unlock()
	e.others[path] = h
}

// calls counts requests to path.
func (e *authServer) calls(path string) int {
	e.mu.Lock()
	defer e.mu.Unlock()
	return e.counts[path]
}

// introspections counts introspection requests.
func (e *authServer) introspections() int { return e.calls(introspectPath) }

// last returns the last introspection request.
func (e *authServer) last(t testing.TB) seen {
	t.Helper()
	e.mu.Lock()
	defer e.mu.Unlock()
	require.NotEmpty(t, e.requests, "the endpoint saw no introspection request")
	return e.requests[len(e.requests)-1]
}

// perToken returns how many introspection requests carried each token.
func (e *authServer) perToken() map[string]int {
	e.mu.Lock()
	defer e.mu.Unlock()
	m := make(map[string]int, len(e.byToken))
	for k, v := range e.byToken {
		m[k] = v
	}
	return m
}

// jsonAnswer answers 200 with body as application/json.
func jsonAnswer(body string) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		_, _ = w.Write([]byte(body))
	})
}

// memberAnswer answers 200 with the members as a JSON object.
func memberAnswer(t testing.TB, members map[string]any) http.Handler {
	t.Helper()
	b, err := json.Marshal(members)
	require.NoError(t, err)
	return jsonAnswer(string(b))
}

// statusAnswer answers code with the given headers, name/value pairs.
func statusAnswer(code int, header ...string) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
		for i := 0; i+1 < len(header); i += 2 {
			w.Header().Set(header[i], header[i+1])
		}
		w.WriteHeader(code)
	})
}

// activeMembers is a typical active answer, valid for an hour from
// testStart, with a member of the server's own ("tenant").
func activeMembers() map[string]any {
	return map[string]any{
		"active": true, "scope": "read:orders write:orders", "client_id": "mobile", "sub": "user-42",
		"username": "ada", "token_type": "Bearer",
		"exp": testStart.Add(time.Hour).Unix(), "iat": testStart.Add(-time.Minute).Unix(), "nbf": testStart.Add(-time.Minute).Unix(),
		"iss": "https://auth.example.com/", "aud": []string{"https://orders.example.com", "https://billing.example.com"},
		"jti": "tok-1", "tenant": "acme",
	}
}

// with returns activeMembers changed by the pairs given: a nil value
// removes the member.
func with(pairs ...any) map[string]any {
	m := activeMembers()
	for i := 0; i+1 < len(pairs); i += 2 {
		if pairs[i+1] == nil {
			delete(m, pairs[i].(string))
			continue
		}
		m[pairs[i].(string)] = pairs[i+1]
	}
	return m
}

// fixture is an Introspector on a test endpoint and a test clock.
type fixture struct {
	ep    *authServer
	clock *authtest.Clock
	in    *Introspector
}

// newFixture starts an endpoint answering answer and an Introspector on it.
// cfg's zero fields get the test's values: the endpoint, the credentials and
// the test clock. Tests of discovery build their own Introspector.
func newFixture(t testing.TB, answer http.Handler, cfg Config) *fixture {
	t.Helper()
	f := &fixture{ep: newAuthServer(t, answer), clock: authtest.NewClock(testStart)}
	if cfg.Endpoint == "" {
		cfg.Endpoint = f.ep.URL()
	}
	if cfg.ClientID == "" {
		cfg.ClientID, cfg.ClientSecret = testClientID, testSecret
	}
	if cfg.Now == nil {
		cfg.Now = f.clock.Now
	}
	in, err := New(cfg)
	require.NoError(t, err)
	f.in = in
	return f
}

// introspect asks about token with a background context.
func (f *fixture) introspect(token string) (*Result, error) {
	return f.in.Introspect(context.Background(), token)
}

// newGate returns a closed gate in front of the test server (see
// flighttest.Gate).
func newGate(t testing.TB) *flighttest.Gate {
	return flighttest.NewGate(t, "the endpoint", func(r *http.Request) string { return r.PostFormValue("token") })
}

// requireUnavailable asserts that err is an *UnavailableError, never an
// inactive token, and returns it.
func requireUnavailable(t testing.TB, err error) *UnavailableError {
	t.Helper()
	require.ErrorIs(t, err, ErrUnavailable)
	require.NotErrorIs(t, err, ErrInactive, "a failure to get an answer must never read as an inactive token")
	var ue *UnavailableError
	require.ErrorAs(t, err, &ue)
	return ue
}

// requireInactive asserts that err is ErrInactive, never unavailable.
func requireInactive(t testing.TB, err error) {
	t.Helper()
	require.ErrorIs(t, err, ErrInactive)
	require.NotErrorIs(t, err, ErrUnavailable)
}

// metadata serves a discovery document with the given members.
func metadata(t testing.TB, members map[string]string) http.Handler {
	t.Helper()
	b, err := json.Marshal(members)
	require.NoError(t, err)
	return jsonAnswer(string(b))
}
