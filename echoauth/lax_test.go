package echoauth_test

import (
	"context"
	"encoding/json"
	"net/http"
	"testing"

	jwtmiddleware "github.com/auth0/go-jwt-middleware/v2"
	"github.com/labstack/echo/v4"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/scopegate/scopegate/bearer"
	"github.com/scopegate/scopegate/echoauth"
	"github.com/scopegate/scopegate/internal/conformance"
	"github.com/scopegate/scopegate/scopes"
	"github.com/scopegate/scopegate/token"
)

// TestWithAuthNeverRejects attaches a signed-in or signed-out auth object
// and always runs the handler; RequireAuth afterwards answers with the reason
// the request is signed out.
func TestWithAuthNeverRejects(t *testing.T) {
	h := newHarness(t, nil)
	var seen *echoauth.Auth
	record := func(c echo.Context) error {
		seen = echoauth.GetAuth(c)
		return h.ok(c)
	}
	api := h.e.Group("/api", h.auth.WithAuth())
	api.GET("/me", record)
	api.GET("/orders", record, echoauth.RequireAuth())
	api.GET("/scoped", record, echoauth.RequireScopes("read:messages"))

	valid := h.issuer.Token().Scope("read:messages").MustSign(t)
	expired := h.issuer.Token().Scope("read:messages").ExpiresIn(-time1m).MustSign(t)

	tests := []struct {
		name          string
		path          string
		authorization []string
		status        int
		signedIn      bool
		challenge     string
	}{
		{"no token, lax", "/api/me", nil, 200, false, ""},
		{"invalid token, lax", "/api/me", []string{"Bearer " + expired}, 200, false, ""},
		{"malformed request, lax", "/api/me", []string{"Bearer"}, 200, false, ""},
		{"valid token, lax", "/api/me", []string{"Bearer " + valid}, 200, true, ""},
		{"no token, required", "/api/orders", nil, 401, false, `Bearer realm="api"`},
		{"invalid token, required", "/api/orders", []string{"Bearer " + expired}, 401, false,
			`Bearer realm="api", error="invalid_token", error_description="token is expired"`},
		{"malformed request, required", "/api/orders", []string{"Bearer"}, 400, false,
			`Bearer realm="api", error="invalid_request", error_description="Authorization header has the Bearer scheme but no token"`},
		{"valid token, required", "/api/orders", []string{"Bearer " + valid}, 200, true, ""},
		{"invalid token, scope required", "/api/scoped", []string{"Bearer " + expired}, 401, false,
			`Bearer realm="api", error="invalid_token", error_description="token is expired"`},
		{"valid token, scope required", "/api/scoped", []string{"Bearer " + valid}, 200, true, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			seen = nil
			rec := h.serve(http.MethodGet, tt.path, tt.authorization...)
			require.Equal(t, tt.status, rec.Code, rec.Body.String())
			assert.Equal(t, conformance.WithDPoPOffer(tt.challenge), rec.Header().Get("WWW-Authenticate"))
			if tt.status != http.StatusOK {
				assert.False(t, h.ran)
				return
			}
			require.NotNil(t, seen)
			assert.Equal(t, tt.signedIn, seen.IsAuthenticated)
			assert.Equal(t, tt.signedIn, seen.Has(scopes.All("read:messages")))
		})
	}
}

// TestRequireWithoutAuthentication answers 401, never 403, when no
// authentication middleware ran before an authorization middleware.
func TestRequireWithoutAuthentication(t *testing.T) {
	h := newHarness(t, nil)
	h.e.GET("/scoped", h.ok, echoauth.RequireScopes("read:messages"))
	h.e.GET("/orders", h.ok, echoauth.RequireAuth())
	for _, path := range []string{"/scoped", "/orders"} {
		rec := h.serve(http.MethodGet, path, "Bearer "+h.issuer.Token().Scope("read:messages").MustSign(t))
		assert.Equal(t, http.StatusUnauthorized, rec.Code, path)
		assert.Equal(t, `Bearer realm="api"`, rec.Header().Get("WWW-Authenticate"), path)
		assert.False(t, h.ran)
	}
}

// TestAuthObject checks what handlers and service code can read.
func TestAuthObject(t *testing.T) {
	h := newHarness(t, nil)
	var auth *echoauth.Auth
	var fromCtx *echoauth.Auth
	var validated any
	type tenant struct {
		Tenant string `json:"tenant"`
	}
	var custom *tenant
	var customErr error
	h.e.GET("/me", func(c echo.Context) error {
		auth = echoauth.GetAuth(c)
		ctx := c.Request().Context()
		fromCtx = bearer.FromContext(ctx)
		validated = ctx.Value(jwtmiddleware.ContextKey{})
		custom, customErr = echoauth.ClaimsAs[tenant](c)
		return c.JSON(http.StatusOK, auth)
	}, h.auth.WithAuth())

	tok := h.issuer.Token().Subject("user_42").Claim("sid", "sess_1").Scope("read:messages openid").
		Permissions("org:admin:example").Claim("tenant", "acme").MustSign(t)
	rec := h.serve(http.MethodGet, "/me", "Bearer "+tok)
	require.Equal(t, http.StatusOK, rec.Code)

	assert.Same(t, auth, fromCtx)
	assert.True(t, auth.IsAuthenticated)
	assert.Equal(t, "user_42", auth.UserID)
	assert.Equal(t, "sess_1", auth.SessionID)
	assert.Equal(t, []string{"read:messages", "openid"}, auth.Scopes())
	assert.Equal(t, []string{"org:admin:example"}, auth.Permissions())
	require.False(t, auth.Token().IsZero())
	assert.Equal(t, auth.Token(), validated, "go-jwt-middleware's context key holds the validator's result")
	assert.Equal(t, h.issuer.URL(), auth.Claims().Issuer())

	require.NoError(t, customErr)
	assert.Equal(t, "acme", custom.Tenant)

	var body map[string]any
	require.NoError(t, json.Unmarshal(rec.Body.Bytes(), &body))
	assert.Equal(t, true, body["isAuthenticated"])
	assert.Equal(t, "user_42", body["userId"])
	assert.Equal(t, "sess_1", body["sessionId"])
	assert.Equal(t, "acme", body["sessionClaims"].(map[string]any)["tenant"])
	assert.NotContains(t, rec.Body.String(), tok[:20], "the token itself is never rendered")

	rec = h.serve(http.MethodGet, "/me")
	assert.JSONEq(t, `{"isAuthenticated":false,"tokenType":null,"userId":null,"sessionId":null,"sessionStatus":null,"sessionClaims":null,"actor":null,"orgId":null,"orgRole":null,"orgSlug":null,"orgPermissions":null,"factorVerificationAge":null,"scopes":null,"permissions":null}`, rec.Body.String())
	assert.Nil(t, validated)
	assert.ErrorIs(t, customErr, bearer.ErrMissingToken)
	assert.Nil(t, custom)
}

// TestGetAuthNeverNil answers a signed-out object where no middleware ran.
func TestGetAuthNeverNil(t *testing.T) {
	e := echo.New()
	c := e.NewContext(httpRequest(), nil)
	auth := echoauth.GetAuth(c)
	require.NotNil(t, auth)
	assert.False(t, auth.IsAuthenticated)
	assert.False(t, auth.Has(scopes.All("read:messages")))
	require.NotNil(t, bearer.FromContext(context.Background()))
}

// TestValidatedIsToken documents what the built-in verifier stores.
func TestValidatedIsToken(t *testing.T) {
	h := newHarness(t, nil)
	var validated any
	h.e.GET("/private", func(c echo.Context) error {
		validated = c.Request().Context().Value(jwtmiddleware.ContextKey{})
		return nil
	}, h.auth.CheckJWT())
	h.serve(http.MethodGet, "/private", "Bearer "+h.issuer.Token().MustSign(t))
	_, ok := validated.(token.Token)
	assert.True(t, ok, "got %T", validated)
}
