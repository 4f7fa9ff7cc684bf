package echoauth_test

import (
	"errors"
	"net/http"
	"net/http/httptest"
	"testing"
	"time"

	"github.com/labstack/echo/v4"
	"github.com/stretchr/testify/require"

	"github.com/scopegate/scopegate/authtest"
	"github.com/scopegate/scopegate/bearer"
	"github.com/scopegate/scopegate/echoauth"
)

// harness is an Echo app protected by an Authenticator that trusts a
// loopback issuer. Its handlers record whether they ran.
type harness struct {
	issuer *authtest.Issuer
	auth   *echoauth.Authenticator
	e      *echo.Echo
	ran    bool
	// handled is the last error the app's HTTPErrorHandler received.
	handled error
}

// newHarness builds a harness; adjust may change the configuration.
func newHarness(t *testing.T, adjust func(*echoauth.Config)) *harness {
	t.Helper()
	h := &harness{issuer: authtest.NewIssuer(t)}
	cfg := echoauth.Config{Issuer: h.issuer.URL(), Audience: []string{h.issuer.Audience()}}
	if adjust != nil {
		adjust(&cfg)
	}
	auth, err := echoauth.New(cfg)
	require.NoError(t, err)
	h.auth = auth
	h.e = echo.New()
	defaultHandler := h.e.HTTPErrorHandler
	h.e.HTTPErrorHandler = func(err error, c echo.Context) {
		h.handled = err
		defaultHandler(err, c)
	}
	return h
}

// ok is a handler that records that it ran.
func (h *harness) ok(c echo.Context) error {
	h.ran = true
	return c.String(http.StatusOK, "ok")
}

// serve sends a request with the given Authorization header values.
func (h *harness) serve(method, path string, authorization ...string) *httptest.ResponseRecorder {
	req := httptest.NewRequest(method, path, nil)
	for _, v := range authorization {
		req.Header.Add("Authorization", v)
	}
	return h.send(req)
}

// send serves req and resets the record of handler runs first.
func (h *harness) send(req *http.Request) *httptest.ResponseRecorder {
	h.ran = false
	h.handled = nil
	rec := httptest.NewRecorder()
	h.e.ServeHTTP(rec, req)
	return rec
}

// authError returns the *bearer.Error behind the last handled error.
func (h *harness) authError(t *testing.T) *bearer.Error {
	t.Helper()
	var he *echo.HTTPError
	require.True(t, errors.As(h.handled, &he), "the app's error handler got %T, want *echo.HTTPError", h.handled)
	var ae *bearer.Error
	require.True(t, errors.As(he.Internal, &ae), "Internal is %T, want *bearer.Error", he.Internal)
	return ae
}

// time1m is a minute, for tokens that expired a little while ago, well
// beyond the default skew.
const time1m = time.Minute

// httpRequest returns a plain GET request.
func httpRequest() *http.Request {
	return httptest.NewRequest(http.MethodGet, "/", nil)
}

// serveEcho serves req with e.
func serveEcho(e *echo.Echo, req *http.Request) *httptest.ResponseRecorder {
	rec := httptest.NewRecorder()
	e.ServeHTTP(rec, req)
	return rec
}

// echoContext shortens handler signatures in tests.
type echoContext = echo.Context

// newEcho returns an Echo app with default settings.
func newEcho() *echo.Echo { return echo.New() }
