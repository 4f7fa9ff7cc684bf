package echoauth_test

import (
	"net/http"
	"testing"

	"github.com/labstack/echo/v4"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/scopegate/scopegate/bearer"
	"github.com/scopegate/scopegate/echoauth"
	"github.com/scopegate/scopegate/internal/conformance"
	"github.com/scopegate/scopegate/token"
)

// TestClaimChecks answers as express-oauth2-jwt-bearer's claim helpers do:
// 401 invalid_token, with a missing claim and a wrong value told apart.
func TestClaimChecks(t *testing.T) {
	h := newHarness(t, nil)
	h.e.GET("/equals", h.ok, h.auth.CheckJWT(), echoauth.ClaimEquals("tier", "gold"))
	h.e.GET("/equals-bool", h.ok, h.auth.CheckJWT(), echoauth.ClaimEquals("email_verified", true))
	h.e.GET("/equals-number", h.ok, h.auth.CheckJWT(), echoauth.ClaimEquals("level", 3))
	h.e.GET("/includes", h.ok, h.auth.CheckJWT(), echoauth.ClaimIncludes("groups", "admins", "staff"))
	h.e.GET("/includes-mixed", h.ok, h.auth.CheckJWT(), echoauth.ClaimIncludes("flags", 1, true))
	h.e.GET("/check", h.ok, h.auth.CheckJWT(), echoauth.ClaimCheck(func(c token.Claims) bool {
		return c.Subject() == "user_123"
	}, "only user_123 may"))
	h.e.GET("/check-default", h.ok, h.auth.CheckJWT(), echoauth.ClaimCheck(func(token.Claims) bool { return false }, ""))
	h.e.GET("/unauthenticated", h.ok, echoauth.ClaimEquals("tier", "gold"))

	tok := func(claims map[string]any) string {
		b := h.issuer.Token()
		for k, v := range claims {
			b.Claim(k, v)
		}
		return b.MustSign(t)
	}
	tests := []struct {
		name        string
		path        string
		token       string
		status      int
		description string
	}{
		{"equal string", "/equals", tok(map[string]any{"tier": "gold"}), 200, ""},
		{"other string", "/equals", tok(map[string]any{"tier": "silver"}), 401, "Unexpected 'tier' value"},
		{"same text, other type", "/equals", tok(map[string]any{"tier": []string{"gold"}}), 401, "Unexpected 'tier' value"},
		{"missing", "/equals", tok(nil), 401, "Missing 'tier' claim"},
		{"bool", "/equals-bool", tok(map[string]any{"email_verified": true}), 200, ""},
		{"bool as string", "/equals-bool", tok(map[string]any{"email_verified": "true"}), 401, "Unexpected 'email_verified' value"},
		{"number", "/equals-number", tok(map[string]any{"level": 3}), 200, ""},
		{"number as float", "/equals-number", tok(map[string]any{"level": 3.0}), 200, ""},
		{"includes from array", "/includes", tok(map[string]any{"groups": []string{"staff", "admins", "x"}}), 200, ""},
		{"includes from string", "/includes", tok(map[string]any{"groups": "staff admins"}), 200, ""},
		{"includes one missing", "/includes", tok(map[string]any{"groups": []string{"staff"}}), 401, "Unexpected 'groups' value"},
		{"includes wrong type", "/includes", tok(map[string]any{"groups": 7}), 401, "Unexpected 'groups' value"},
		{"includes among other types", "/includes", tok(map[string]any{"groups": []any{"staff", 1, nil, map[string]int{"a": 1}, "admins"}}), 200, ""},
		{"includes non-strings", "/includes-mixed", tok(map[string]any{"flags": []any{1, true, "x"}}), 200, ""},
		{"includes non-strings, one missing", "/includes-mixed", tok(map[string]any{"flags": []any{1, "true", "x"}}), 401, "Unexpected 'flags' value"},
		{"includes missing", "/includes", tok(nil), 401, "Missing 'groups' claim"},
		{"check passes", "/check", tok(nil), 200, ""},
		{"check fails", "/check", h.issuer.Token().Subject("user_9").MustSign(t), 401, "only user_123 may"},
		{"check default description", "/check-default", tok(nil), 401, "token failed a claim check"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			rec := h.serve(http.MethodGet, tt.path, "Bearer "+tt.token)
			require.Equal(t, tt.status, rec.Code, rec.Body.String())
			if tt.status != 200 {
				assert.Equal(t, conformance.WithDPoPOffer(`Bearer realm="api", error="invalid_token", error_description="`+tt.description+`"`), rec.Header().Get("WWW-Authenticate"))
				assert.False(t, h.ran)
			}
		})
	}
	rec := h.serve(http.MethodGet, "/unauthenticated", "Bearer "+tok(map[string]any{"tier": "gold"}))
	assert.Equal(t, http.StatusUnauthorized, rec.Code, "no authentication middleware ran")
}

// TestClaimCheckMistakesPanicAtRegistration refuses checks that could never
// answer properly.
func TestClaimCheckMistakesPanicAtRegistration(t *testing.T) {
	assert.Panics(t, func() { echoauth.ClaimEquals("", "x") })
	assert.Panics(t, func() { echoauth.ClaimEquals(`a"b`, "x") })
	assert.Panics(t, func() { echoauth.ClaimEquals("tier", []string{"gold"}) })
	assert.Panics(t, func() { echoauth.ClaimIncludes("groups") })
	assert.Panics(t, func() { echoauth.ClaimIncludes("groups", []string{"admins"}) })
	assert.Panics(t, func() { echoauth.ClaimCheck(nil, "") })
	assert.Panics(t, func() { echoauth.ClaimCheck(func(token.Claims) bool { return true }, "line\nbreak") })
}

// TestClaimsAs decodes custom claims into the application's own type.
func TestClaimsAs(t *testing.T) {
	type tenantClaims struct {
		Tenant string   `json:"tenant"`
		Groups []string `json:"groups"`
	}
	h := newHarness(t, nil)
	var got *tenantClaims
	var gotErr error
	h.e.GET("/me", func(c echo.Context) error {
		got, gotErr = echoauth.ClaimsAs[tenantClaims](c)
		return nil
	}, h.auth.WithAuth())
	h.serve(http.MethodGet, "/me", "Bearer "+h.issuer.Token().Claim("tenant", "acme").Claim("groups", []string{"a"}).MustSign(t))
	require.NoError(t, gotErr)
	assert.Equal(t, &tenantClaims{Tenant: "acme", Groups: []string{"a"}}, got)

	h.serve(http.MethodGet, "/me")
	assert.Nil(t, got)
	assert.ErrorIs(t, gotErr, bearer.ErrMissingToken)
}

// TestSignInRedirect sends signed-out page navigations to the sign-in page
// and keeps answering 401 to API calls.
func TestSignInRedirect(t *testing.T) {
	h := newHarness(t, func(c *echoauth.Config) { c.SignInURL = "https://accounts.example.com/sign-in?app=1" })
	h.e.GET("/dashboard", h.ok, h.auth.WithAuth(), echoauth.RequireAuth())
	tests := []struct {
		name     string
		headers  map[string]string
		status   int
		location string
	}{
		{"navigation with fetch metadata", map[string]string{"Sec-Fetch-Dest": "document", "Sec-Fetch-Mode": "navigate"}, 303,
			"https://accounts.example.com/sign-in?app=1&redirect_url=http%3A%2F%2Fexample.com%2Fdashboard%3Ftab%3D2"},
		{"old browser asking for HTML", map[string]string{"Accept": "text/html,application/xhtml+xml"}, 303,
			"https://accounts.example.com/sign-in?app=1&redirect_url=http%3A%2F%2Fexample.com%2Fdashboard%3Ftab%3D2"},
		{"fetch from a script", map[string]string{"Sec-Fetch-Dest": "empty", "Sec-Fetch-Mode": "cors", "Accept": "text/html"}, 401, ""},
		{"API client", map[string]string{"Accept": "application/json"}, 401, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			req := httpRequest()
			req.URL.Path, req.URL.RawQuery = "/dashboard", "tab=2"
			req.RequestURI = "/dashboard?tab=2"
			for k, v := range tt.headers {
				req.Header.Set(k, v)
			}
			rec := h.send(req)
			assert.Equal(t, tt.status, rec.Code)
			assert.Equal(t, tt.location, rec.Header().Get("Location"))
			assert.False(t, h.ran)
		})
	}
	_, err := echoauth.New(echoauth.Config{Issuer: "https://a.example.com/", Audience: []string{"x"}, SignInURL: "javascript:alert(1)"})
	assert.ErrorContains(t, err, "SignInURL")
}
