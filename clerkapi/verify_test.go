package clerkapi

import (
	"bufio"
	"context"
	"encoding/json"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// Each kind goes to its own endpoint, as @clerk/backend sends it, and comes
// back as @clerk/backend's machine auth object has it.
func TestVerifyEachKind(t *testing.T) {
	tests := []struct {
		name  string
		token string
		path  string
		body  string // the exact request body
		want  *Machine
	}{
		{
			name: "m2m", token: m2mToken, path: m2mPath, body: `{"token":"` + m2mToken + `"}`,
			want: &Machine{
				Kind: KindM2M, ID: "mt_f7f0ba8c3b4843ce7d85fcdd5e71853e",
				Subject: "mch_2xhFjEI5X2qWRvtV13BzSj8H6Dk", MachineID: "mch_2xhFjEI5X2qWRvtV13BzSj8H6Dk",
				Scopes:    []string{"mch_2yGkLpQ7Y3rXSwtU24CzTk9I7Em", "mch_2zHlMqR8Z4sYTxuV35DaUl0J8Fn"},
				Claims:    json.RawMessage(`{"important_metadata":"Some useful data"}`),
				ExpiresAt: time.UnixMilli(millis(testStart.Add(time.Hour))),
			},
		},
		{
			name: "oauth", token: oauthToken, path: oauthPath, body: `{"access_token":"` + oauthToken + `"}`,
			want: &Machine{
				Kind: KindOAuth, ID: "oat_0ef5a7a33d87ed87ee7954c845d80450",
				Subject: "user_2xhFjEI5X2qWRvtV13BzSj8H6Dk", UserID: "user_2xhFjEI5X2qWRvtV13BzSj8H6Dk",
				ClientID:  "client_2xhFjEI5X2qWRvtV13BzSj8H6Dk",
				Scopes:    []string{"read", "write"},
				ExpiresAt: time.UnixMilli(millis(testStart.Add(time.Hour))),
			},
		},
		{
			name: "api key", token: apiKeyToken, path: apiKeyPath, body: `{"secret":"` + apiKeyToken + `"}`,
			want: &Machine{
				Kind: KindAPIKey, ID: "ak_3beecc9c60adb5f9b850e91a8ee1e992",
				Subject: "user_2xhFjEI5X2qWRvtV13BzSj8H6Dk", UserID: "user_2xhFjEI5X2qWRvtV13BzSj8H6Dk",
				Name:   "MY_SERVICE_API_KEY",
				Scopes: []string{"scope:read", "scope:write"},
				Claims: json.RawMessage(`{"foo":"bar"}`),
			},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := newFixture(t, Config{})
			m, err := f.verify(tt.token)
			require.NoError(t, err)
			assert.Equal(t, tt.want, m)

			s := f.api.last(t)
			assert.Equal(t, http.MethodPost, s.method)
			assert.Equal(t, tt.path, s.path, "unversioned, as @clerk/backend's skipApiVersionInUrl")
			assert.Empty(t, s.query, "the token never travels in the URL")
			assert.Equal(t, "Bearer "+testSecretKey, s.authorization)
			assert.Equal(t, "2026-05-12", s.apiVersion)
			assert.Equal(t, "scopegate-clerkapi", s.userAgent)
			assert.Equal(t, "application/json", s.contentType)
			assert.Equal(t, "application/json", s.accept)
			assert.Equal(t, tt.body, s.body)
			assert.Equal(t, 1, f.api.calls())
		})
	}
}

// An API key's subject gives its userId or orgId by prefix, as
// authenticatedMachineObject does; a machine's gives neither.
func TestAPIKeySubject(t *testing.T) {
	tests := []struct {
		subject, userID, orgID string
	}{
		{subject: "user_2xhFjEI5X2qWRvtV13BzSj8H6Dk", userID: "user_2xhFjEI5X2qWRvtV13BzSj8H6Dk"},
		{subject: "org_2xhFjEI5X2qWRvtV13BzSj8H6Dk", orgID: "org_2xhFjEI5X2qWRvtV13BzSj8H6Dk"},
		{subject: "mch_2xhFjEI5X2qWRvtV13BzSj8H6Dk"},
		{subject: "User_x"},
	}
	for _, tt := range tests {
		t.Run(tt.subject, func(t *testing.T) {
			f := newFixture(t, Config{})
			f.api.setAnswer(apiKeyPath, resource(t, apiKeyAnswer("subject", tt.subject)))
			m, err := f.verify(apiKeyToken)
			require.NoError(t, err)
			assert.Equal(t, tt.subject, m.Subject)
			assert.Equal(t, tt.userID, m.UserID)
			assert.Equal(t, tt.orgID, m.OrgID)
			assert.Empty(t, m.MachineID, "Clerk's API key auth object has no machineId")
		})
	}
}

// Members Clerk sends as null, empty or not at all leave their fields
// zero.
func TestOptionalMembers(t *testing.T) {
	f := newFixture(t, Config{})
	f.api.setAnswer(m2mPath, resource(t, m2mAnswer("claims", json.RawMessage("null"), "scopes", []string{}, "expiration", json.RawMessage("null"))))
	m, err := f.verify(m2mToken)
	require.NoError(t, err)
	assert.Nil(t, m.Claims)
	assert.Nil(t, m.Scopes)
	assert.True(t, m.ExpiresAt.IsZero())

	f.api.setAnswer(apiKeyPath, resource(t, apiKeyAnswer("name", nil, "scopes", nil, "claims", nil)))
	m, err = f.verify(apiKeyToken)
	require.NoError(t, err)
	assert.Empty(t, m.Name)
	assert.Nil(t, m.Scopes)
	assert.Nil(t, m.Claims)
}

// Clerk's verdicts on the token are ErrInvalid: not found (404, as
// @clerk/backend's handleClerkAPIError reads it), revoked, expired, not
// active, or an expiration already passed.
func TestInvalidTokens(t *testing.T) {
	tests := []struct {
		name    string
		token   string
		path    string
		answer  func(t testing.TB) http.Handler
		errText string
	}{
		{name: "m2m not found", token: m2mToken, path: m2mPath, answer: notFound, errText: `Clerk does not know the M2M token (HTTP 404, code "resource_not_found", trace "7d5b1a2e9c3f4b6a")`},
		{name: "oauth not found", token: oauthToken, path: oauthPath, answer: notFound, errText: "Clerk does not know the OAuth access token (HTTP 404"},
		{name: "api key not found", token: apiKeyToken, path: apiKeyPath, answer: notFound, errText: "Clerk does not know the API key (HTTP 404"},
		{name: "404 with an empty JSON body", token: m2mToken, path: m2mPath, answer: func(testing.TB) http.Handler {
			return raw(http.StatusNotFound, "application/json", `{}`) // as @clerk/backend's own tests answer
		}, errText: "(HTTP 404)"},
		{name: "m2m revoked", token: m2mToken, path: m2mPath, answer: func(t testing.TB) http.Handler {
			return resource(t, m2mAnswer("revoked", true, "revocation_reason", "compromised"))
		}, errText: "Clerk says the M2M token is revoked"},
		{name: "oauth expired", token: oauthToken, path: oauthPath, answer: func(t testing.TB) http.Handler {
			return resource(t, oauthAnswer("expired", true, "expiration", millis(testStart.Add(-time.Minute))))
		}, errText: "Clerk says the OAuth access token is expired"},
		{name: "api key revoked with other members malformed", token: apiKeyToken, path: apiKeyPath, answer: func(t testing.TB) http.Handler {
			return resource(t, apiKeyAnswer("revoked", true, "scopes", "all"))
		}, errText: "revoked"},
		{name: "oauth not active", token: oauthToken, path: oauthPath, answer: func(testing.TB) http.Handler {
			return raw(http.StatusOK, "application/json", `{"active":false}`)
		}, errText: "is not active"},
		{name: "expiration passed though not flagged", token: m2mToken, path: m2mPath, answer: func(t testing.TB) http.Handler {
			return resource(t, m2mAnswer("expiration", millis(testStart.Add(-time.Second))))
		}, errText: "the M2M token expired at 2030-01-02T03:04:04Z"},
		{name: "expiration now", token: apiKeyToken, path: apiKeyPath, answer: func(t testing.TB) http.Handler {
			return resource(t, apiKeyAnswer("expiration", millis(testStart)))
		}, errText: "expired at"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := newFixture(t, Config{})
			f.api.setAnswer(tt.path, tt.answer(t))
			m, err := f.verify(tt.token)
			assert.Nil(t, m)
			requireInvalid(t, err)
			assert.ErrorContains(t, err, tt.errText)
			assert.Equal(t, uint64(1), f.client.Stats().Invalid)
		})
	}
}

// notFound is Clerk's 404 for a token it does not know.
func notFound(testing.TB) http.Handler { return clerkError(http.StatusNotFound, "resource_not_found") }

// A token that Clerk cannot have issued costs no call.
func TestRefusedWithoutCall(t *testing.T) {
	tests := []struct {
		name, token, errText string
	}{
		{name: "empty", token: "", errText: "empty"},
		{name: "no known prefix", token: "opaque-token", errText: "not a Clerk machine token"},
		{name: "a JWT", token: "eyJhbGciOiJSUzI1NiJ9.eyJzdWIiOiJtY2hfMSJ9.c2ln", errText: "not a Clerk machine token"},
		{name: "a session ID", token: "sess_2xhFjEI5X2qWRvtV13BzSj8H6Dk", errText: "not a Clerk machine token"},
		{name: "bare m2m prefix", token: "mt_", errText: "nothing but its prefix"},
		{name: "bare oauth prefix", token: "oat_", errText: "OAuth access token is nothing but its prefix"},
		{name: "too long", token: "ak_" + strings.Repeat("x", maxTokenBytes-2), errText: "longer than 4096 bytes"},
		{name: "a space", token: "mt_abc def", errText: "outside printable ASCII"},
		{name: "a control character", token: "oat_abc\x00", errText: "outside printable ASCII"},
		{name: "invalid UTF-8", token: "ak_abc\xff", errText: "outside printable ASCII"},
		{name: "non-ASCII", token: "ak_abcé", errText: "outside printable ASCII"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := newFixture(t, Config{})
			_, err := f.verify(tt.token)
			requireInvalid(t, err)
			assert.ErrorContains(t, err, tt.errText)
			assert.Zero(t, f.api.calls())
			assert.Equal(t, Stats{Invalid: 1}, f.client.Stats())
		})
	}
	f := newFixture(t, Config{})
	_, err := f.verify("ak_" + strings.Repeat("x", maxTokenBytes-3))
	requireInvalid(t, err)
	assert.Equal(t, 1, f.api.calls(), "a token of exactly 4 KiB is asked about")
}

// Nothing that fails to get Clerk's answer is an invalid token: overload,
// outages, our own secret key refused, requests Clerk did not take, and
// answers that are not the documented resource are all unavailable, with
// Clerk's Retry-After, and none is remembered.
func TestUnavailableAnswers(t *testing.T) {
	tests := []struct {
		name       string
		answer     http.Handler
		retryAfter time.Duration
		errText    string
	}{
		{name: "500", answer: clerkError(http.StatusInternalServerError, "internal_clerk_error"), retryAfter: time.Second, errText: `HTTP 500 from http://`},
		{name: "502 without a body", answer: raw(http.StatusBadGateway, "", ""), retryAfter: time.Second, errText: "HTTP 502"},
		{name: "503 with Retry-After", answer: clerkError(http.StatusServiceUnavailable, "service_unavailable", "Retry-After", "7"), retryAfter: 7 * time.Second, errText: "HTTP 503"},
		{name: "429 with Retry-After", answer: clerkError(http.StatusTooManyRequests, "too_many_requests", "Retry-After", "3"), retryAfter: 3 * time.Second, errText: `HTTP 429 from http://127.0.0.1`},
		{name: "429 with a huge Retry-After", answer: clerkError(http.StatusTooManyRequests, "too_many_requests", "Retry-After", "86400"), retryAfter: 5 * time.Minute, errText: "HTTP 429"},
		{name: "503 with a date Retry-After", answer: raw(http.StatusServiceUnavailable, "", "", "Retry-After", "Wed, 21 Oct 2015 07:28:00 GMT"), retryAfter: time.Second, errText: "HTTP 503"},
		{name: "401: our secret key refused", answer: clerkError(http.StatusUnauthorized, "authentication_invalid"), retryAfter: time.Second, errText: `HTTP 401 from http://127.0.0.1`},
		{name: "401 names the fix", answer: clerkError(http.StatusUnauthorized, "authentication_invalid"), retryAfter: time.Second, errText: "Clerk refused SecretKey"},
		{name: "403: our secret key refused", answer: clerkError(http.StatusForbidden, "authorization_invalid"), retryAfter: time.Second, errText: "Clerk refused SecretKey"},
		{name: "400", answer: clerkError(http.StatusBadRequest, "bad_request"), retryAfter: time.Second, errText: `HTTP 400 from http://127.0.0.1:`},
		{name: "422 feature off", answer: clerkError(http.StatusUnprocessableEntity, "api_keys_not_enabled"), retryAfter: time.Second, errText: `code "api_keys_not_enabled"`},
		{name: "404 page not from Clerk", answer: raw(http.StatusNotFound, "text/html", "<h1>Not Found</h1>"), retryAfter: time.Second, errText: "HTTP 404"},
		{name: "redirect not followed", answer: http.RedirectHandler("/elsewhere", http.StatusTemporaryRedirect), retryAfter: time.Second, errText: "HTTP 307"},
		{name: "200 as HTML", answer: raw(http.StatusOK, "text/html", "<html>"), retryAfter: time.Second, errText: "Content-Type"},
		{name: "200 without a Content-Type", answer: raw(http.StatusOK, "", "{}"), retryAfter: time.Second, errText: "Content-Type"},
		{name: "200 not JSON", answer: raw(http.StatusOK, "application/json", "<html>"), retryAfter: time.Second, errText: "not a JSON object"},
		{name: "200 another resource", answer: resource(t, oauthAnswer()), retryAfter: time.Second, errText: `"object" is not "machine_to_machine_token"`},
		{name: "200 without subject", answer: resource(t, m2mAnswer("subject", nil)), retryAfter: time.Second, errText: `no "subject"`},
		{name: "200 too large", answer: resource(t, m2mAnswer("claims", map[string]string{"pad": strings.Repeat("x", 2048)})), retryAfter: time.Second, errText: "MaxResponseBytes"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := newFixture(t, Config{MaxResponseBytes: 1024})
			f.api.setAnswer(m2mPath, tt.answer)
			m, err := f.verify(m2mToken)
			assert.Nil(t, m)
			ue := requireUnavailable(t, err)
			assert.Equal(t, tt.retryAfter, ue.RetryAfter)
			assert.ErrorContains(t, err, tt.errText)

			_, err = f.verify(m2mToken)
			requireUnavailable(t, err)
			assert.Equal(t, 2, f.api.calls(), "an unavailable answer is not remembered")
			assert.Zero(t, f.client.Stats().Entries)
			assert.Equal(t, uint64(2), f.client.Stats().Unavailable)
		})
	}
}

func TestConnectionRefusedIsUnavailable(t *testing.T) {
	down := httptest.NewServer(http.NotFoundHandler())
	base := down.URL
	down.Close()
	c, err := New(Config{SecretKey: testSecretKey, BaseURL: base})
	require.NoError(t, err)
	_, err = c.Verify(context.Background(), m2mToken)
	ue := requireUnavailable(t, err)
	assert.Equal(t, time.Second, ue.RetryAfter)
	assert.Equal(t, uint64(1), c.Stats().Calls)
	assert.Zero(t, c.Stats().Entries)
}

// A call that outlasts Timeout fails as unavailable; the handler holds the
// request until the client gives up, so nothing here sleeps.
func TestTimeoutIsUnavailable(t *testing.T) {
	f := newFixture(t, Config{Timeout: 50 * time.Millisecond})
	f.api.setAnswer(oauthPath, http.HandlerFunc(func(_ http.ResponseWriter, r *http.Request) { <-r.Context().Done() }))
	_, err := f.verify(oauthToken)
	ue := requireUnavailable(t, err)
	assert.ErrorIs(t, err, context.DeadlineExceeded)
	assert.Equal(t, time.Second, ue.RetryAfter)
}

// A request whose context ends stops waiting at once and fails as
// unavailable, but the call goes on for whoever shares it, and its answer
// is remembered.
func TestCallerCancelled(t *testing.T) {
	f := newFixture(t, Config{})
	g := newGate(t)
	f.api.setAnswer(m2mPath, g.Wrap(resource(t, m2mAnswer())))
	ctx, cancel := context.WithCancel(context.Background())
	errs := make(chan error, 1)
	go func() {
		_, err := f.client.Verify(ctx, m2mToken)
		errs <- err
	}()
	assert.Equal(t, m2mToken, g.WaitArrived())
	cancel()
	err := <-errs
	requireUnavailable(t, err)
	assert.ErrorIs(t, err, context.Canceled)

	g.Release()
	m, err := f.verify(m2mToken)
	require.NoError(t, err)
	assert.Equal(t, "mch_2xhFjEI5X2qWRvtV13BzSj8H6Dk", m.Subject)
	assert.Equal(t, 1, f.api.calls(), "the second request shared or reused the first call")
}

// A request whose context has already ended costs Clerk nothing, but is
// still answered from the cache.
func TestEndedContextMakesNoCall(t *testing.T) {
	f := newFixture(t, Config{})
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	_, err := f.client.Verify(ctx, apiKeyToken)
	requireUnavailable(t, err)
	assert.ErrorIs(t, err, context.Canceled)
	assert.Zero(t, f.api.calls())

	_, err = f.verify(apiKeyToken)
	require.NoError(t, err)
	m, err := f.client.Verify(ctx, apiKeyToken)
	require.NoError(t, err)
	assert.Equal(t, "MY_SERVICE_API_KEY", m.Name)
	assert.Equal(t, 1, f.api.calls())
}

// Error texts reach logs; neither the token nor the secret key may, even
// when Clerk (or something in its place) echoes them back.
func TestErrorsNeverContainSecrets(t *testing.T) {
	echo := func(code int, where string) http.Handler {
		return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			token, key := tokenOf(r), strings.TrimPrefix(r.Header.Get("Authorization"), "Bearer ")
			w.Header().Set("Content-Type", "application/json")
			w.Header().Set("CF-Ray", token)
			w.WriteHeader(code)
			b, _ := json.Marshal(map[string]any{
				"errors": []map[string]string{{
					"code": map[string]string{"token": token, "key": key, "part": token[3:20]}[where], "message": token + " " + key, "long_message": key,
				}},
			})
			_, _ = w.Write(b)
		})
	}
	answers := map[string]http.Handler{
		"404 echoing the token as code": echo(http.StatusNotFound, "token"),
		"404 echoing part of the token": echo(http.StatusNotFound, "part"),
		"401 echoing the key as code":   echo(http.StatusUnauthorized, "key"),
		"500 echoing the token":         echo(http.StatusInternalServerError, "token"),
		"revoked":                       resource(t, m2mAnswer("revoked", true)),
		"expired":                       resource(t, m2mAnswer("expiration", millis(testStart.Add(-time.Hour)))),
		"malformed":                     raw(http.StatusOK, "application/json", `{"object":"`+m2mToken+`"}`),
		"content type echo": http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			w.Header().Set("Content-Type", "text/"+tokenOf(r))
			_, _ = w.Write([]byte("{}"))
		}),
		"html echo": http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			w.Header().Set("Content-Type", "text/html")
			_, _ = w.Write([]byte(tokenOf(r) + r.Header.Get("Authorization")))
		}),
	}
	for name, answer := range answers {
		t.Run(name, func(t *testing.T) {
			f := newFixture(t, Config{})
			f.api.setAnswer(m2mPath, answer)
			_, err := f.verify(m2mToken)
			require.Error(t, err)
			assert.NotContains(t, err.Error(), m2mToken)
			assert.NotContains(t, err.Error(), m2mToken[3:20])
			assert.NotContains(t, err.Error(), testSecretKey)
			assert.NotContains(t, err.Error(), testSecretKey[8:])
		})
	}
}

// net/http quotes a malformed response in its error; a server that echoes
// the request there must not bring the token or the key into the logs.
func TestTransportErrorsNeverContainSecrets(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(t, err)
	t.Cleanup(func() { _ = ln.Close() })
	go func() {
		for {
			conn, err := ln.Accept()
			if err != nil {
				return
			}
			go func() {
				defer conn.Close()
				req, err := http.ReadRequest(bufio.NewReader(conn))
				if err != nil {
					return
				}
				body, _ := io.ReadAll(req.Body)
				var fields map[string]string
				_ = json.Unmarshal(body, &fields)
				// A status line quoting the token and the key.
				_, _ = io.WriteString(conn, "HTTP/1.1 "+fields["token"]+" "+req.Header.Get("Authorization")+"\r\n\r\n")
			}()
		}
	}()
	c, err := New(Config{SecretKey: testSecretKey, BaseURL: "http://" + ln.Addr().String()})
	require.NoError(t, err)
	_, err = c.Verify(context.Background(), m2mToken)
	requireUnavailable(t, err)
	assert.ErrorContains(t, err, "withheld")
	assert.NotContains(t, err.Error(), m2mToken)
	assert.NotContains(t, err.Error(), testSecretKey)
}
