package echoauth_test

import (
	"context"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	jwtmiddleware "github.com/auth0/go-jwt-middleware/v2"
	gjmjwks "github.com/auth0/go-jwt-middleware/v2/jwks"
	"github.com/auth0/go-jwt-middleware/v2/validator"
	"github.com/labstack/echo/v4"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/scopegate/scopegate/authtest"
	"github.com/scopegate/scopegate/echoauth"
	"github.com/scopegate/scopegate/scopes"
)

// scopeClaims are custom claims as go-jwt-middleware users declare them.
type scopeClaims struct {
	Scope       string   `json:"scope"`
	Permissions []string `json:"permissions"`
}

// Validate accepts every token; the scope is checked by the middleware.
func (scopeClaims) Validate(context.Context) error { return nil }

// TestPluggedGoJWTMiddlewareValidator runs go-jwt-middleware's own
// validator in place of the built-in verifier: handlers written for it keep
// finding *validator.ValidatedClaims under its context key, and scope and
// permission checks read the custom claims.
func TestPluggedGoJWTMiddlewareValidator(t *testing.T) {
	issuer := authtest.NewIssuer(t, authtest.WithTrailingSlash())
	issuerURL, err := url.Parse(issuer.URL())
	require.NoError(t, err)
	provider := gjmjwks.NewCachingProvider(issuerURL, time.Minute)
	v, err := validator.New(provider.KeyFunc, validator.RS256, issuer.URL(), []string{issuer.Audience()},
		validator.WithCustomClaims(func() validator.CustomClaims { return &scopeClaims{} }))
	require.NoError(t, err)

	auth, err := echoauth.New(echoauth.Config{ValidateToken: v.ValidateToken})
	require.NoError(t, err)

	e := echo.New()
	var claims *validator.ValidatedClaims
	var seen *echoauth.Auth
	handler := func(c echo.Context) error {
		claims, _ = c.Request().Context().Value(jwtmiddleware.ContextKey{}).(*validator.ValidatedClaims)
		seen = echoauth.GetAuth(c)
		return c.NoContent(http.StatusOK)
	}
	e.GET("/scoped", handler, auth.CheckJWT(), echoauth.RequireScopes("read:messages"))
	e.GET("/admin", handler, auth.CheckJWT(), echoauth.Has(scopes.Permission("org:admin:example")))

	tests := []struct {
		name   string
		path   string
		token  string
		status int
	}{
		{"scope present", "/scoped", issuer.Token().Scope("read:messages").MustSign(t), 200},
		{"scope missing", "/scoped", issuer.Token().Scope("openid").MustSign(t), 403},
		{"permission present", "/admin", issuer.Token().Permissions("org:admin:example").MustSign(t), 200},
		{"permission missing", "/admin", issuer.Token().MustSign(t), 403},
		{"invalid token", "/scoped", authtest.TamperSignature(issuer.Token().Scope("read:messages").MustSign(t)), 401},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			claims, seen = nil, nil
			req := httpRequest()
			req.URL.Path = tt.path
			req.Header.Set("Authorization", "Bearer "+tt.token)
			rec := serveEcho(e, req)
			require.Equal(t, tt.status, rec.Code, rec.Body.String())
			if tt.status != http.StatusOK {
				return
			}
			require.NotNil(t, claims)
			assert.Equal(t, authtest.DefaultSubject, claims.RegisteredClaims.Subject)
			assert.Equal(t, authtest.DefaultSubject, seen.UserID)
			assert.True(t, seen.Token().IsZero(), "a plugged validator's result is not a token.Token")
			assert.Same(t, claims, seen.Validated())
		})
	}
}

// TestPluggedValidatorOpaqueResult signs in requests whose validator returns
// something without JSON claims, granting nothing.
func TestPluggedValidatorOpaqueResult(t *testing.T) {
	auth, err := echoauth.New(echoauth.Config{ValidateToken: func(context.Context, string) (any, error) {
		return make(chan int), nil
	}})
	require.NoError(t, err)
	e := echo.New()
	e.GET("/private", func(c echo.Context) error { return c.NoContent(http.StatusOK) }, auth.CheckJWT())
	e.GET("/scoped", func(c echo.Context) error { return c.NoContent(http.StatusOK) }, auth.CheckJWT(), echoauth.RequireScopes("read:messages"))
	for path, status := range map[string]int{"/private": 200, "/scoped": 403} {
		req := httpRequest()
		req.URL.Path = path
		req.Header.Set("Authorization", "Bearer anything")
		assert.Equal(t, status, serveEcho(e, req).Code, path)
	}
}

// TestPluggedValidatorSizeCap refuses oversized tokens before a plugged
// validator sees them, with the built-in verifier's answer.
func TestPluggedValidatorSizeCap(t *testing.T) {
	tests := []struct {
		name     string
		maxBytes int
		size     int
		status   int
		called   bool
	}{
		{"default cap, at it", 0, 16 << 10, 200, true},
		{"default cap, over it", 0, 16<<10 + 1, 401, false},
		{"own cap, over it", 1024, 1025, 401, false},
		{"own cap, under it", 1024, 1000, 200, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			called := false
			auth, err := echoauth.New(echoauth.Config{MaxTokenBytes: tt.maxBytes, ValidateToken: func(context.Context, string) (any, error) {
				called = true
				return map[string]any{"sub": "user_1"}, nil
			}})
			require.NoError(t, err)
			e := echo.New()
			e.GET("/private", func(c echo.Context) error { return c.NoContent(http.StatusOK) }, auth.CheckJWT())
			req := httpRequest()
			req.URL.Path = "/private"
			req.Header.Set("Authorization", "Bearer "+strings.Repeat("a", tt.size))
			rec := serveEcho(e, req)
			assert.Equal(t, tt.status, rec.Code)
			assert.Equal(t, tt.called, called)
			if tt.status == 401 {
				assert.Contains(t, rec.Header().Get("WWW-Authenticate"), `error="invalid_token", error_description="token is too large"`)
			}
		})
	}
	_, err := echoauth.New(echoauth.Config{MaxTokenBytes: -1, ValidateToken: func(context.Context, string) (any, error) { return nil, nil }})
	assert.ErrorContains(t, err, "MaxTokenBytes must not be negative")
}
