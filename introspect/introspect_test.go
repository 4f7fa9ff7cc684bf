package introspect

import (
	"context"
	"encoding/base64"
	"encoding/json"
	"net"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestClientAuthentication(t *testing.T) {
	// An id and a secret with characters that RFC 6749 §2.3.1's
	// form-urlencoding changes: a ':' would otherwise split Basic wrongly.
	const id, secret = "orders api:v2", "p@ss:w+rd/%"
	tests := []struct {
		name   string
		method AuthMethod
		check  func(t *testing.T, s seen)
	}{
		{name: "basic by default", method: "", check: requireBasic(id, secret)},
		{name: "basic", method: ClientSecretBasic, check: requireBasic(id, secret)},
		{name: "post", method: ClientSecretPost, check: func(t *testing.T, s seen) {
			assert.Empty(t, s.authorization)
			assert.Equal(t, id, s.form.Get("client_id"))
			assert.Equal(t, secret, s.form.Get("client_secret"))
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := newFixture(t, memberAnswer(t, activeMembers()), Config{ClientID: id, ClientSecret: secret, AuthMethod: tt.method})
			_, err := f.introspect("opaque-token-1")
			require.NoError(t, err)
			s := f.ep.last(t)
			assert.Equal(t, http.MethodPost, s.method)
			assert.Equal(t, "application/x-www-form-urlencoded", s.contentType)
			assert.Equal(t, "application/json", s.accept)
			assert.Empty(t, s.query, "the token never travels in the URL")
			assert.Equal(t, "opaque-token-1", s.form.Get("token"))
			assert.Equal(t, "access_token", s.form.Get("token_type_hint"))
			tt.check(t, s)
		})
	}
}

// requireBasic checks an Authorization header carrying id and secret, each
// form-urlencoded before Basic encoding.
func requireBasic(id, secret string) func(t *testing.T, s seen) {
	return func(t *testing.T, s seen) {
		t.Helper()
		encoded, ok := strings.CutPrefix(s.authorization, "Basic ")
		require.True(t, ok, "Authorization %q is not Basic", s.authorization)
		raw, err := base64.StdEncoding.DecodeString(encoded)
		require.NoError(t, err)
		gotID, gotSecret, ok := strings.Cut(string(raw), ":")
		require.True(t, ok)
		assert.Equal(t, url.QueryEscape(id), gotID)
		assert.Equal(t, url.QueryEscape(secret), gotSecret)
		assert.NotContains(t, s.form, "client_secret", "the secret is sent once, not also in the body")
	}
}

func TestActiveResult(t *testing.T) {
	members := activeMembers()
	body, err := json.Marshal(members)
	require.NoError(t, err)
	f := newFixture(t, jsonAnswer(string(body)), Config{Issuer: "https://auth.example.com/", Audiences: []string{"https://orders.example.com"}})
	res, err := f.introspect("opaque-token-1")
	require.NoError(t, err)
	assert.Equal(t, &Result{
		Active:    true,
		Subject:   "user-42",
		ClientID:  "mobile",
		Username:  "ada",
		TokenType: "Bearer",
		Issuer:    "https://auth.example.com/",
		ID:        "tok-1",
		Scopes:    []string{"read:orders", "write:orders"},
		Audience:  []string{"https://orders.example.com", "https://billing.example.com"},
		ExpiresAt: time.Unix(testStart.Add(time.Hour).Unix(), 0),
		IssuedAt:  time.Unix(testStart.Add(-time.Minute).Unix(), 0),
		NotBefore: time.Unix(testStart.Add(-time.Minute).Unix(), 0),
		Claims:    body,
	}, res)
	var claims struct {
		Tenant string `json:"tenant"`
	}
	require.NoError(t, json.Unmarshal(res.Claims, &claims))
	assert.Equal(t, "acme", claims.Tenant, "members of the server's own stay reachable through Claims")
}

func TestInactive(t *testing.T) {
	tests := []struct {
		name string
		body string
	}{
		{name: "active false", body: `{"active":false}`},
		// RFC 7662 §2.2: an inactive answer's other members mean nothing,
		// even badly typed ones.
		{name: "active false with junk members", body: `{"active":false,"exp":"soon","aud":42}`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := newFixture(t, jsonAnswer(tt.body), Config{})
			res, err := f.introspect("revoked-token")
			requireInactive(t, err)
			assert.Nil(t, res)
			assert.Equal(t, uint64(1), f.in.Stats().Inactive)
		})
	}
}

func TestEmptyTokenIsInactiveWithoutCall(t *testing.T) {
	f := newFixture(t, memberAnswer(t, activeMembers()), Config{})
	_, err := f.introspect("")
	requireInactive(t, err)
	assert.Zero(t, f.ep.introspections())
}

// exp and nbf are checked on the answer, with the skew on either side; a
// boundary exactly at the skew is refused for exp (valid strictly before)
// and accepted for nbf.
func TestLifetimeChecks(t *testing.T) {
	now := testStart
	tests := []struct {
		name    string
		skew    time.Duration
		members map[string]any
		active  bool
	}{
		{name: "exp in the future", members: with("exp", now.Add(time.Minute).Unix()), active: true},
		{name: "exp passed within the skew", members: with("exp", now.Add(-4*time.Second).Unix()), active: true},
		{name: "exp passed by exactly the skew", members: with("exp", now.Add(-5*time.Second).Unix()), active: false},
		{name: "exp passed beyond the skew", members: with("exp", now.Add(-time.Hour).Unix()), active: false},
		{name: "exp now without skew", skew: NoClockSkew, members: with("exp", now.Unix()), active: false},
		{name: "exp a second ahead without skew", skew: NoClockSkew, members: with("exp", now.Add(time.Second).Unix()), active: true},
		{name: "no exp", members: with("exp", nil), active: true},
		{name: "nbf ahead within the skew", members: with("nbf", now.Add(4*time.Second).Unix()), active: true},
		{name: "nbf ahead by exactly the skew", members: with("nbf", now.Add(5*time.Second).Unix()), active: true},
		{name: "nbf ahead beyond the skew", members: with("nbf", now.Add(6*time.Second).Unix()), active: false},
		{name: "nbf a second ahead without skew", skew: NoClockSkew, members: with("nbf", now.Add(time.Second).Unix()), active: false},
		{name: "fractional exp just ahead", skew: NoClockSkew, members: with("exp", float64(now.Unix())+0.5), active: true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := newFixture(t, memberAnswer(t, tt.members), Config{ClockSkew: tt.skew})
			res, err := f.introspect("opaque-token")
			if tt.active {
				require.NoError(t, err)
				assert.True(t, res.Active)
				return
			}
			requireInactive(t, err)
			assert.Nil(t, res)
		})
	}
}

func TestIssuerAndAudience(t *testing.T) {
	const iss, api = "https://auth.example.com/", "https://orders.example.com"
	tests := []struct {
		name      string
		issuer    string
		audiences []string
		members   map[string]any
		errText   string // "" when active
	}{
		{name: "issuer matches", issuer: iss, members: activeMembers()},
		{name: "no iss in the answer", issuer: iss, members: with("iss", nil)},
		{name: "iss null in the answer", issuer: iss, members: with("iss", json.RawMessage("null"))},
		{name: "other issuer", issuer: iss, members: with("iss", "https://evil.example.com/"), errText: "not by the configured Issuer"},
		{name: "issuer without its trailing slash", issuer: iss, members: with("iss", "https://auth.example.com"), errText: "Issuer"},
		{name: "empty iss", issuer: iss, members: with("iss", ""), errText: "Issuer"},
		{name: "no Issuer configured accepts any iss", members: with("iss", "https://other.example.com/")},
		{name: "audience in an array", audiences: []string{api}, members: activeMembers()},
		{name: "audience as a string", audiences: []string{api}, members: with("aud", api)},
		{name: "one of several configured", audiences: []string{"https://x.example.com", api}, members: with("aud", api)},
		{name: "other audience", audiences: []string{api}, members: with("aud", "https://admin.example.com"), errText: "not among the configured Audiences"},
		{name: "no aud with Audiences set", audiences: []string{api}, members: with("aud", nil), errText: "names no audience"},
		{name: "empty aud array with Audiences set", audiences: []string{api}, members: with("aud", []string{}), errText: "names no audience"},
		{name: "no aud without Audiences", members: with("aud", nil)},
		{name: "a Bearer access token", members: with("token_type", "Bearer")},
		{name: "an RFC 8693 access token", members: with("token_type", "urn:ietf:params:oauth:token-type:access_token")},
		{name: "a refresh token", members: with("token_type", "refresh_token"), errText: "is not an access token's"},
		{name: "an RFC 8693 refresh token", members: with("token_type", "urn:ietf:params:oauth:token-type:refresh_token"), errText: "not an access token"},
		{name: "an ID token", members: with("token_type", "ID_Token"), errText: "not an access token"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := newFixture(t, memberAnswer(t, tt.members), Config{Issuer: tt.issuer, Audiences: tt.audiences})
			res, err := f.introspect("opaque-token")
			if tt.errText == "" {
				require.NoError(t, err)
				assert.True(t, res.Active)
				return
			}
			requireInactive(t, err)
			assert.ErrorContains(t, err, tt.errText)
		})
	}
}

// An answer that cannot be read says nothing about the token: it is
// unavailable, never inactive, and it is not remembered.
func TestMalformedAnswersAreUnavailable(t *testing.T) {
	withType := func(contentType, body string) http.Handler {
		return http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
			if contentType != "" {
				w.Header().Set("Content-Type", contentType)
			}
			_, _ = w.Write([]byte(body))
		})
	}
	tests := []struct {
		name    string
		answer  http.Handler
		errText string
	}{
		{name: "not JSON", answer: jsonAnswer(`<html>`), errText: "not a JSON object"},
		{name: "a JSON array", answer: jsonAnswer(`[{"active":true}]`), errText: "not a JSON object"},
		{name: "truncated", answer: jsonAnswer(`{"active":true,"sub":"a`), errText: "malformed"},
		{name: "two objects", answer: jsonAnswer(`{"active":true}{"active":false}`), errText: "data after"},
		{name: "no active", answer: jsonAnswer(`{"sub":"user-42"}`), errText: `no "active"`},
		{name: "active a string", answer: jsonAnswer(`{"active":"true"}`), errText: `"active" is not a boolean`},
		{name: "active null", answer: jsonAnswer(`{"active":null}`), errText: `"active" is not a boolean`},
		{name: "active 1", answer: jsonAnswer(`{"active":1}`), errText: `"active" is not a boolean`},
		{name: "active twice", answer: jsonAnswer(`{"active":false,"active":true}`), errText: "twice"},
		{name: "exp a string", answer: jsonAnswer(`{"active":true,"exp":"1893553445"}`), errText: `"exp" is not a number`},
		{name: "exp negative", answer: jsonAnswer(`{"active":true,"exp":-1}`), errText: `"exp" is out of range`},
		{name: "exp huge", answer: jsonAnswer(`{"active":true,"exp":1e300}`), errText: `"exp" is out of range`},
		{name: "sub a number", answer: jsonAnswer(`{"active":true,"sub":42}`), errText: `"sub" is not a string`},
		{name: "aud with a number", answer: jsonAnswer(`{"active":true,"aud":["a",1]}`), errText: `"aud"`},
		{name: "aud with null", answer: jsonAnswer(`{"active":true,"aud":["a",null]}`), errText: `"aud"`},
		{name: "text/html", answer: withType("text/html", activeJSON(t)), errText: "Content-Type"},
		{name: "no content type", answer: withType("", activeJSON(t)), errText: "Content-Type"},
		{name: "too large", answer: jsonAnswer(`{"active":true,"pad":"` + strings.Repeat("x", 200) + `"}`), errText: "MaxResponseBytes"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := newFixture(t, tt.answer, Config{MaxResponseBytes: 128})
			_, err := f.introspect("opaque-token")
			ue := requireUnavailable(t, err)
			assert.ErrorContains(t, err, tt.errText)
			assert.Equal(t, time.Second, ue.RetryAfter)

			_, err = f.introspect("opaque-token")
			requireUnavailable(t, err)
			assert.Equal(t, 2, f.ep.introspections(), "an unavailable answer is not remembered")
		})
	}
}

// activeJSON is activeMembers as JSON.
func activeJSON(t testing.TB) string {
	b, err := json.Marshal(activeMembers())
	require.NoError(t, err)
	return string(b)
}

func TestFailedCallsAreUnavailable(t *testing.T) {
	tests := []struct {
		name       string
		answer     http.Handler
		retryAfter time.Duration
		errText    string
	}{
		{name: "500", answer: statusAnswer(http.StatusInternalServerError), retryAfter: time.Second, errText: "HTTP 500"},
		{name: "503 with Retry-After", answer: statusAnswer(http.StatusServiceUnavailable, "Retry-After", "7"), retryAfter: 7 * time.Second, errText: "HTTP 503"},
		{name: "429 with a huge Retry-After", answer: statusAnswer(http.StatusTooManyRequests, "Retry-After", "86400"), retryAfter: 5 * time.Minute, errText: "HTTP 429"},
		{name: "503 with a date Retry-After", answer: statusAnswer(http.StatusServiceUnavailable, "Retry-After", "Wed, 21 Oct 2015 07:28:00 GMT"), retryAfter: time.Second, errText: "HTTP 503"},
		{name: "503 with Retry-After 0", answer: statusAnswer(http.StatusServiceUnavailable, "Retry-After", "0"), retryAfter: time.Second, errText: "HTTP 503"},
		{name: "401: our credentials refused", answer: statusAnswer(http.StatusUnauthorized), retryAfter: time.Second, errText: "refused ClientID and ClientSecret"},
		{name: "403: our credentials refused", answer: statusAnswer(http.StatusForbidden), retryAfter: time.Second, errText: "refused ClientID and ClientSecret"},
		{name: "400", answer: statusAnswer(http.StatusBadRequest), retryAfter: time.Second, errText: "HTTP 400"},
		{name: "redirect not followed", answer: http.RedirectHandler("/elsewhere", http.StatusTemporaryRedirect), retryAfter: time.Second, errText: "HTTP 307"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := newFixture(t, tt.answer, Config{})
			res, err := f.introspect("opaque-token")
			assert.Nil(t, res)
			ue := requireUnavailable(t, err)
			assert.Equal(t, tt.retryAfter, ue.RetryAfter)
			assert.ErrorContains(t, err, tt.errText)
			assert.Zero(t, f.ep.calls("/elsewhere"), "a redirect would send the token again")

			_, err = f.introspect("opaque-token")
			requireUnavailable(t, err)
			assert.Equal(t, 2, f.ep.introspections(), "an unavailable answer is not remembered")
			assert.Equal(t, uint64(2), f.in.Stats().Unavailable)
		})
	}
}

func TestConnectionRefusedIsUnavailable(t *testing.T) {
	down := httptest.NewServer(http.NotFoundHandler())
	endpoint := down.URL + introspectPath
	down.Close()
	in, err := New(Config{Endpoint: endpoint, ClientID: testClientID, ClientSecret: testSecret})
	require.NoError(t, err)
	_, err = in.Introspect(context.Background(), "opaque-token")
	ue := requireUnavailable(t, err)
	assert.Equal(t, time.Second, ue.RetryAfter)
	assert.Equal(t, uint64(1), in.Stats().Calls)
}

// A call that outlasts Timeout fails as unavailable; the handler holds the
// request until the client gives up, so nothing here sleeps.
func TestTimeoutIsUnavailable(t *testing.T) {
	hang := http.HandlerFunc(func(_ http.ResponseWriter, r *http.Request) { <-r.Context().Done() })
	f := newFixture(t, hang, Config{Timeout: 50 * time.Millisecond})
	_, err := f.introspect("opaque-token")
	requireUnavailable(t, err)
	assert.ErrorIs(t, err, context.DeadlineExceeded)
}

// A request whose context ends stops waiting at once and fails as
// unavailable, but the call goes on for whoever shares it, and its answer
// is remembered.
func TestCallerCancelled(t *testing.T) {
	g := newGate(t)
	f := newFixture(t, g.Wrap(memberAnswer(t, activeMembers())), Config{})
	ctx, cancel := context.WithCancel(context.Background())
	errs := make(chan error, 1)
	go func() {
		_, err := f.in.Introspect(ctx, "opaque-token")
		errs <- err
	}()
	g.WaitArrived()
	cancel()
	err := <-errs
	requireUnavailable(t, err)
	assert.ErrorIs(t, err, context.Canceled)

	g.Release()
	res, err := f.introspect("opaque-token")
	require.NoError(t, err)
	assert.Equal(t, "user-42", res.Subject)
	assert.Equal(t, 1, f.ep.introspections(), "the second request shared or reused the first call")
}

// A request whose context has already ended costs the issuer nothing, but
// is still answered from the cache.
func TestEndedContextMakesNoCall(t *testing.T) {
	f := newFixture(t, memberAnswer(t, activeMembers()), Config{})
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	_, err := f.in.Introspect(ctx, "opaque-token")
	requireUnavailable(t, err)
	assert.ErrorIs(t, err, context.Canceled)
	assert.Zero(t, f.ep.introspections())

	_, err = f.introspect("opaque-token")
	require.NoError(t, err)
	res, err := f.in.Introspect(ctx, "opaque-token")
	require.NoError(t, err)
	assert.True(t, res.Active)
	assert.Equal(t, 1, f.ep.introspections())
}

// Error texts reach logs; the token must not.
func TestErrorsNeverContainTheToken(t *testing.T) {
	const token = "SECRET-OPAQUE-TOKEN-3f9a"
	answers := map[string]http.Handler{
		"inactive":  jsonAnswer(`{"active":false}`),
		"expired":   memberAnswer(t, with("exp", testStart.Add(-time.Hour).Unix())),
		"audience":  memberAnswer(t, with("aud", "https://other.example.com")),
		"malformed": jsonAnswer(`{"active":"yes"}`),
		"status":    statusAnswer(http.StatusBadGateway),
		"echo": http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			// A server that echoes the request in an error page.
			w.Header().Set("Content-Type", "text/plain")
			_, _ = w.Write([]byte(r.PostFormValue("token")))
		}),
	}
	for name, answer := range answers {
		t.Run(name, func(t *testing.T) {
			f := newFixture(t, answer, Config{Audiences: []string{"https://orders.example.com"}})
			_, err := f.introspect(token)
			require.Error(t, err)
			assert.NotContains(t, err.Error(), token)
			assert.NotContains(t, err.Error(), testSecret)
		})
	}
}

// A server answering with a broken HTTP response that quotes the token
// gets an error that does not: net/http's own text would quote it.
func TestMalformedHTTPResponseDoesNotEchoTheToken(t *testing.T) {
	const tok = "opaque-secret-token-value"
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(t, err)
	t.Cleanup(func() { ln.Close() })
	go func() {
		for {
			conn, err := ln.Accept()
			if err != nil {
				return
			}
			buf := make([]byte, 4096)
			_, _ = conn.Read(buf)
			_, _ = conn.Write([]byte("NOT-HTTP " + tok + "\r\n\r\n"))
			conn.Close()
		}
	}()
	in, err := New(Config{Endpoint: "http://" + ln.Addr().String() + "/introspect", ClientID: testClientID, ClientSecret: testSecret})
	require.NoError(t, err)
	_, err = in.Introspect(context.Background(), tok)
	require.ErrorIs(t, err, ErrUnavailable)
	assert.NotContains(t, err.Error(), tok)
	assert.NotContains(t, err.Error(), testSecret)
}
