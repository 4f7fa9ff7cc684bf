package echoauth_test

import (
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/scopegate/scopegate/authtest"
	"github.com/scopegate/scopegate/bearer"
	"github.com/scopegate/scopegate/echoauth"
	"github.com/scopegate/scopegate/internal/conformance"
	"github.com/scopegate/scopegate/scopes"
)

// TestErrorContract drives the strict middleware and the authorization
// middlewares through every row of the error contract.
func TestErrorContract(t *testing.T) {
	h := newHarness(t, nil)
	h.e.GET("/private", h.ok, h.auth.CheckJWT())
	h.e.GET("/scoped", h.ok, h.auth.CheckJWT(), echoauth.RequireScopes("read:messages"))
	h.e.GET("/both", h.ok, h.auth.CheckJWT(), echoauth.RequireScopes("read:messages", "write:messages"))
	h.e.GET("/any", h.ok, h.auth.CheckJWT(), echoauth.RequireAnyScope("read:messages", "write:messages"))
	h.e.GET("/admin", h.ok, h.auth.CheckJWT(), echoauth.Has(scopes.Permission("org:admin:example")))

	valid := h.issuer.Token().MustSign(t)
	reader := h.issuer.Token().Scope("read:messages").MustSign(t)
	writer := h.issuer.Token().Scope("openid write:messages").MustSign(t)
	readerWriter := h.issuer.Token().Scope("read:messages write:messages").MustSign(t)
	scpArray := h.issuer.Token().Claim("scp", []string{"read:messages"}).MustSign(t)
	scpString := h.issuer.Token().Claim("scp", "read:messages").MustSign(t)
	admin := h.issuer.Token().Permissions("org:admin:example").MustSign(t)
	expiredReader := h.issuer.Token().Scope("read:messages").ExpiresIn(-time.Hour).MustSign(t)
	forgedReader := authtest.TamperSignature(reader)

	tests := []struct {
		name          string
		path          string
		authorization []string
		status        int
		challenge     string
		body          string
	}{
		{"no token", "/private", nil, 401, `Bearer realm="api"`, "unauthorized"},
		{"basic scheme", "/private", []string{"Basic dXNlcjpwYXNz"}, 401, `Bearer realm="api"`, "unauthorized"},
		{"garbage", "/private", []string{"Bearer garbage"}, 401,
			`Bearer realm="api", error="invalid_token", error_description="token is malformed"`, "invalid_token"},
		{"valid", "/private", []string{"Bearer " + valid}, 200, "", ""},
		{"lowercase scheme", "/private", []string{"bearer " + valid}, 200, "", ""},
		{"uppercase scheme", "/private", []string{"BEARER " + valid}, 200, "", ""},
		{"several spaces", "/private", []string{"Bearer    " + valid}, 200, "", ""},
		{"two headers", "/private", []string{"Bearer " + valid, "Bearer " + valid}, 400,
			`Bearer realm="api", error="invalid_request", error_description="request has more than one Authorization header"`, "invalid_request"},
		{"bearer alone", "/private", []string{"Bearer"}, 400,
			`Bearer realm="api", error="invalid_request", error_description="Authorization header has the Bearer scheme but no token"`, "invalid_request"},
		{"bearer and spaces", "/private", []string{"Bearer   "}, 400,
			`Bearer realm="api", error="invalid_request", error_description="Authorization header has the Bearer scheme but no token"`, "invalid_request"},
		{"two tokens in one header", "/private", []string{"Bearer " + valid + " " + valid}, 400,
			`Bearer realm="api", error="invalid_request", error_description="Authorization header is not Bearer followed by one token"`, "invalid_request"},
		{"scoped without scope", "/scoped", []string{"Bearer " + valid}, 403,
			`Bearer realm="api", error="insufficient_scope", error_description="token lacks the required scope", scope="read:messages"`, "insufficient_scope"},
		{"scoped with other scope", "/scoped", []string{"Bearer " + writer}, 403,
			`Bearer realm="api", error="insufficient_scope", error_description="token lacks the required scope", scope="read:messages"`, "insufficient_scope"},
		{"scoped with scope", "/scoped", []string{"Bearer " + reader}, 200, "", ""},
		{"scoped with scp array", "/scoped", []string{"Bearer " + scpArray}, 200, "", ""},
		{"scoped with scp string", "/scoped", []string{"Bearer " + scpString}, 200, "", ""},
		{"scoped without token", "/scoped", nil, 401, `Bearer realm="api"`, "unauthorized"},
		{"expired token carrying the scope", "/scoped", []string{"Bearer " + expiredReader}, 401,
			`Bearer realm="api", error="invalid_token", error_description="token is expired"`, "invalid_token"},
		{"forged token carrying the scope", "/scoped", []string{"Bearer " + forgedReader}, 401,
			`Bearer realm="api", error="invalid_token", error_description="token signature is invalid"`, "invalid_token"},
		{"all scopes, one missing", "/both", []string{"Bearer " + reader}, 403,
			`Bearer realm="api", error="insufficient_scope", error_description="token lacks the required scope", scope="read:messages write:messages"`, "insufficient_scope"},
		{"all scopes present", "/both", []string{"Bearer " + readerWriter}, 200, "", ""},
		{"any scope, one present", "/any", []string{"Bearer " + writer}, 200, "", ""},
		{"any scope, none present", "/any", []string{"Bearer " + valid}, 403,
			`Bearer realm="api", error="insufficient_scope", error_description="token lacks the required scope", scope="read:messages write:messages"`, "insufficient_scope"},
		{"permission present", "/admin", []string{"Bearer " + admin}, 200, "", ""},
		{"permission missing", "/admin", []string{"Bearer " + reader}, 403,
			`Bearer realm="api", error="insufficient_scope", error_description="token lacks the required permission", scope="org:admin:example"`, "insufficient_scope"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			rec := h.serve(http.MethodGet, tt.path, tt.authorization...)
			require.Equal(t, tt.status, rec.Code, rec.Body.String())
			if tt.status == http.StatusOK {
				assert.True(t, h.ran)
				assert.Empty(t, rec.Header().Get("WWW-Authenticate"))
				return
			}
			assert.False(t, h.ran, "the handler must not run")
			assert.Equal(t, conformance.WithDPoPOffer(tt.challenge), rec.Header().Get("WWW-Authenticate"))
			var body bearer.Body
			require.NoError(t, json.Unmarshal(rec.Body.Bytes(), &body))
			assert.Equal(t, tt.body, body.Error)
			assert.NotEmpty(t, body.ErrorDescription)
			ae := h.authError(t)
			assert.Equal(t, tt.status, ae.Status)
		})
	}
}

// TestTypedErrors checks that the app's error handler can classify every
// failure with errors.Is, through the *echo.HTTPError it receives.
func TestTypedErrors(t *testing.T) {
	h := newHarness(t, nil)
	h.e.GET("/scoped", h.ok, h.auth.CheckJWT(), echoauth.RequireScopes("read:messages"))
	valid := h.issuer.Token().MustSign(t)
	tests := []struct {
		name          string
		authorization []string
		kind          error
	}{
		{"missing", nil, bearer.ErrMissingToken},
		{"malformed request", []string{"Bearer"}, bearer.ErrInvalidRequest},
		{"invalid", []string{"Bearer x.y.z"}, bearer.ErrInvalidToken},
		{"insufficient", []string{"Bearer " + valid}, bearer.ErrInsufficientScope},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			h.serve(http.MethodGet, "/scoped", tt.authorization...)
			require.Error(t, h.handled)
			assert.ErrorIs(t, h.handled, tt.kind)
			for _, other := range []error{bearer.ErrMissingToken, bearer.ErrInvalidRequest, bearer.ErrInvalidToken, bearer.ErrInsufficientScope, bearer.ErrUnavailable} {
				if other != tt.kind {
					assert.NotErrorIs(t, h.handled, other)
				}
			}
		})
	}
}

// TestKeysUnavailable answers 503 with Retry-After, not 401, when the
// issuer's keys cannot be fetched: the token may well be valid.
func TestKeysUnavailable(t *testing.T) {
	h := newHarness(t, nil)
	h.e.GET("/private", h.ok, h.auth.CheckJWT())
	h.issuer.SetHandler("/.well-known/jwks.json", http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
		http.Error(w, "down", http.StatusBadGateway)
	}))
	rec := h.serve(http.MethodGet, "/private", "Bearer "+h.issuer.Token().MustSign(t))
	require.Equal(t, http.StatusServiceUnavailable, rec.Code)
	assert.Equal(t, "30", rec.Header().Get("Retry-After"))
	assert.Equal(t, conformance.WithDPoPOffer(`Bearer realm="api"`), rec.Header().Get("WWW-Authenticate"), "the scheme, no error about the token")
	assert.JSONEq(t, `{"error":"temporarily_unavailable","error_description":"signing keys are unavailable, retry later"}`, rec.Body.String())
	assert.ErrorIs(t, h.handled, bearer.ErrUnavailable)
	assert.False(t, h.ran)
}

// TestRealm puts a configured realm in every challenge.
func TestRealm(t *testing.T) {
	h := newHarness(t, func(c *echoauth.Config) { c.Realm = "orders" })
	h.e.GET("/scoped", h.ok, h.auth.CheckJWT(), echoauth.RequireScopes("read:messages"))
	assert.Equal(t, conformance.WithDPoPOffer(`Bearer realm="orders"`), h.serve(http.MethodGet, "/scoped").Header().Get("WWW-Authenticate"))
	rec := h.serve(http.MethodGet, "/scoped", "Bearer "+h.issuer.Token().MustSign(t))
	assert.True(t, strings.HasPrefix(rec.Header().Get("WWW-Authenticate"), `Bearer realm="orders", error="insufficient_scope"`))
}

// TestSkipperAndPreflight let requests through untouched.
func TestSkipperAndPreflight(t *testing.T) {
	h := newHarness(t, func(c *echoauth.Config) {
		c.Skipper = func(r *http.Request) bool { return r.URL.Path == "/health" }
	})
	h.e.GET("/health", h.ok, h.auth.CheckJWT())
	h.e.OPTIONS("/private", h.ok, h.auth.CheckJWT())

	assert.Equal(t, http.StatusOK, h.serve(http.MethodGet, "/health").Code)
	assert.True(t, h.ran)

	// A preflight is answered 204 without credentials, and without running
	// the handler: anyone can send one.
	preflight := httptest.NewRequest(http.MethodOptions, "/private", nil)
	preflight.Header.Set("Origin", "https://app.example.com")
	preflight.Header.Set("Access-Control-Request-Method", "GET")
	assert.Equal(t, http.StatusNoContent, h.send(preflight).Code)
	assert.False(t, h.ran)

	// An OPTIONS request that is not a preflight is authenticated.
	assert.Equal(t, http.StatusUnauthorized, h.send(httptest.NewRequest(http.MethodOptions, "/private", nil)).Code)
	assert.False(t, h.ran)
}
