package echo5auth_test

import (
	"errors"
	"net/http"
	"net/http/httptest"
	"testing"

	"github.com/labstack/echo/v5"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/scopegate/scopegate/authtest"
	"github.com/scopegate/scopegate/bearer"
	"github.com/scopegate/scopegate/echo5auth"
	"github.com/scopegate/scopegate/internal/conformance"
)

// TestErrorHandlers: a failure renders through Echo v5's RFC 9457 handler as
// a problem with the fixed description, through an application's own
// handler as the *bearer.Error, and always with the challenge set first.
func TestErrorHandlers(t *testing.T) {
	issuer := authtest.NewIssuer(t)
	auth, err := echo5auth.New(echo5auth.Config{Issuer: issuer.URL(), Audience: []string{issuer.Audience()}})
	require.NoError(t, err)
	valid := issuer.Token().MustSign(t)
	tests := []struct {
		name      string
		token     string
		status    int
		challenge string
		problem   string
		kind      error
	}{
		{"no token", "", 401, `Bearer realm="api"`,
			`{"type":"about:blank","title":"Unauthorized","status":401,"detail":"bearer token is missing"}`, bearer.ErrMissingToken},
		{"garbage", "garbage", 401, `Bearer realm="api", error="invalid_token", error_description="token is malformed"`,
			`{"type":"about:blank","title":"Unauthorized","status":401,"detail":"token is malformed"}`, bearer.ErrInvalidToken},
		{"no scope", valid, 403, `Bearer realm="api", error="insufficient_scope", error_description="token lacks the required scope", scope="read:messages"`,
			`{"type":"about:blank","title":"Forbidden","status":403,"detail":"token lacks the required scope"}`, bearer.ErrInsufficientScope},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			e := echo.New()
			e.HTTPErrorHandler = echo.ProblemDetailsHTTPErrorHandler(false)
			var handled error
			e.GET("/scoped", func(c *echo.Context) error { return c.NoContent(http.StatusOK) },
				func(next echo.HandlerFunc) echo.HandlerFunc {
					return func(c *echo.Context) error { handled = next(c); return handled }
				}, auth.CheckJWT(), echo5auth.RequireScopes("read:messages"))
			req := httptest.NewRequest(http.MethodGet, "/scoped", nil)
			if tt.token != "" {
				req.Header.Set("Authorization", "Bearer "+tt.token)
			}
			rec := httptest.NewRecorder()
			e.ServeHTTP(rec, req)
			assert.Equal(t, tt.status, rec.Code)
			assert.Equal(t, conformance.WithDPoPOffer(tt.challenge), rec.Header().Get("WWW-Authenticate"))
			assert.Equal(t, "application/problem+json", rec.Header().Get("Content-Type"))
			assert.JSONEq(t, tt.problem, rec.Body.String())

			var be *bearer.Error
			require.True(t, errors.As(handled, &be), "an application's handler finds the *bearer.Error")
			assert.Equal(t, tt.status, be.Status)
			assert.ErrorIs(t, handled, tt.kind)
			assert.Equal(t, tt.status, echo.StatusCode(handled))
			sentinel := map[int]error{401: echo.ErrUnauthorized, 403: echo.ErrForbidden}[tt.status]
			assert.ErrorIs(t, handled, sentinel, "Echo's sentinel of the same status")
			for _, other := range []error{echo.ErrBadRequest, echo.ErrUnauthorized, echo.ErrForbidden, echo.ErrServiceUnavailable} {
				if other != sentinel {
					assert.NotErrorIs(t, handled, other)
				}
			}
		})
	}
}

// TestErrorHandlerIsRefused: Echo renders failures with its own error
// handler, so Config.ErrorHandler would never run; New says so.
func TestErrorHandlerIsRefused(t *testing.T) {
	_, err := echo5auth.New(echo5auth.Config{Issuer: "https://tenant.auth0.com/", Audience: []string{"a"},
		ErrorHandler: func(http.ResponseWriter, *http.Request, *bearer.Error) {}})
	require.Error(t, err)
	assert.Contains(t, err.Error(), "HTTPErrorHandler")
}
