package echoauth_test

import (
	"context"
	"net/http"
	"net/http/httptest"
	"testing"

	"github.com/labstack/echo/v4"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/scopegate/scopegate/authtest"
	"github.com/scopegate/scopegate/bearer"
	"github.com/scopegate/scopegate/echoauth"
	"github.com/scopegate/scopegate/internal/conformance"
)

// TestClerkTokenTypes: under the Clerk preset tokens are typed as Clerk's
// authenticateRequest types them, and a route accepts session tokens only
// unless it says otherwise (Clerk's default acceptsToken "session_token"). A
// token of another type is signed out: 401 on a strict route, a signed-out
// auth object (never a user) on a lax one. A route that accepts machine or
// OAuth tokens gets their auth object.
func TestClerkTokenTypes(t *testing.T) {
	issuer := authtest.NewIssuer(t, authtest.WithAudience(""))
	cfg, err := bearer.Clerk(bearer.ClerkOptions{FrontendAPI: issuer.URL(), JWTKey: string(issuer.PublicKeyPEM("RS256"))})
	require.NoError(t, err)
	cfg.Issuer = issuer.URL() // the loopback issuer speaks http
	auth, err := echoauth.New(cfg)
	require.NoError(t, err)
	e := echo.New()
	var seen *echoauth.Auth
	me := func(c echo.Context) error {
		seen = echoauth.GetAuth(c)
		return c.JSON(http.StatusOK, seen)
	}
	e.GET("/api/private", me, auth.CheckJWT())
	e.GET("/api/machine", me, auth.CheckJWT(bearer.AcceptsToken(bearer.M2MToken)))
	e.GET("/api/oauth", me, auth.CheckJWT(bearer.AcceptsToken(bearer.OAuthToken)))
	e.GET("/api/any", me, auth.CheckJWT(bearer.AcceptsAnyToken()))
	e.GET("/api/me", me, auth.WithAuth())

	session := func() *authtest.TokenBuilder { return issuer.Token().Subject("user_1").Claim("sid", "sess_1") }
	machine := func() *authtest.TokenBuilder {
		return issuer.Token().Subject("mch_2vYVtestTESTtestTESTtest").Claim("jti", "mt_1").
			Claim("scopes", "mch_other").Header("cat", "cl_B7d4PD333AAA")
	}
	oauth := func() *authtest.TokenBuilder {
		return issuer.Token().Subject("user_1").Claim("client_id", "client_1").Claim("jti", "oat_1").Header("typ", "at+jwt")
	}
	const (
		noSessions = "route does not accept session tokens"
		noMachines = "route does not accept machine tokens"
		noOAuth    = "route does not accept OAuth access tokens"
		noType     = "token is not a session, OAuth or machine token"
	)
	tests := []struct {
		name     string
		token    string
		typ      bearer.TokenType // "" for no type at all
		refusals map[string]string
	}{
		{"a session token without cat", session().MustSign(t), bearer.SessionToken,
			map[string]string{"/api/machine": noSessions, "/api/oauth": noSessions}},
		{"a session token with the session category", session().Header("cat", "cl_B7d4PD111AAA").MustSign(t), bearer.SessionToken,
			map[string]string{"/api/machine": noSessions, "/api/oauth": noSessions}},
		{"a token with the ignore category", session().Header("cat", "cl_I7d4PD111III").MustSign(t), bearer.SessionToken,
			map[string]string{"/api/machine": noSessions, "/api/oauth": noSessions}},
		{"an M2M token", machine().MustSign(t), bearer.M2MToken,
			map[string]string{"/api/private": noMachines, "/api/oauth": noMachines}},
		{"an M2M token without cat", machine().WithoutHeader("cat").MustSign(t), bearer.M2MToken,
			map[string]string{"/api/private": noMachines, "/api/oauth": noMachines}},
		// Clerk verifies each class with its own rules, so a token mixing
		// two classes is refused everywhere.
		{"a session-shaped token with the M2M category", session().Header("cat", "cl_B7d4PD333AAA").MustSign(t), "",
			map[string]string{"/api/private": noType, "/api/machine": noType, "/api/oauth": noType, "/api/any": noType}},
		{"a machine subject with the session category", machine().Header("cat", "cl_B7d4PD111AAA").MustSign(t), "",
			map[string]string{"/api/private": noType, "/api/machine": noType, "/api/oauth": noType, "/api/any": noType}},
		{"a machine subject typed as an OAuth access token", machine().Header("typ", "at+jwt").MustSign(t), "",
			map[string]string{"/api/private": noType, "/api/machine": noType, "/api/oauth": noType, "/api/any": noType}},
		{"an OAuth access token", oauth().MustSign(t), bearer.OAuthToken,
			map[string]string{"/api/private": noOAuth, "/api/machine": noOAuth}},
		{"an OAuth access token, media type", oauth().Header("typ", "application/at+jwt").MustSign(t), bearer.OAuthToken,
			map[string]string{"/api/private": noOAuth, "/api/machine": noOAuth}},
		{"a token with the JWT template category", session().Header("cat", "cl_B7d4PD222AAA").MustSign(t), "",
			map[string]string{"/api/private": noType, "/api/machine": noType, "/api/oauth": noType, "/api/any": noType}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			for _, path := range []string{"/api/private", "/api/machine", "/api/oauth", "/api/any"} {
				seen = nil
				rec := serveEchoBearer(e, path, tt.token)
				description, refused := tt.refusals[path]
				if refused {
					assert.Equal(t, http.StatusUnauthorized, rec.Code, path)
					assert.Equal(t, conformance.WithDPoPOffer(`Bearer realm="api", error="invalid_token", error_description="`+description+`"`),
						rec.Header().Get("WWW-Authenticate"), path)
					continue
				}
				require.Equal(t, http.StatusOK, rec.Code, "%s: %s", path, rec.Header().Get("WWW-Authenticate"))
				require.NotNil(t, seen)
				assert.Equal(t, tt.typ, seen.TokenType, path)
			}
			// On a lax route that accepts session tokens only (the preset's
			// default), nothing of another type shows as the user.
			seen = nil
			rec := serveEchoBearer(e, "/api/me", tt.token)
			require.Equal(t, http.StatusOK, rec.Code)
			require.NotNil(t, seen)
			if tt.typ == bearer.SessionToken {
				assert.True(t, seen.IsAuthenticated)
				assert.Equal(t, "user_1", seen.UserID)
				return
			}
			assert.False(t, seen.IsAuthenticated, "only a session signs in here")
			assert.Empty(t, seen.UserID)
			assert.ErrorIs(t, seen.Err, bearer.ErrTokenType)
			assert.NotContains(t, rec.Body.String(), "mch_", "nothing of the machine shows as the user")
		})
	}

	// What a machine route and an OAuth route see.
	seen = nil
	require.Equal(t, http.StatusOK, serveEchoBearer(e, "/api/machine", machine().MustSign(t)).Code)
	assert.Equal(t, bearer.M2MToken, seen.TokenType)
	assert.Equal(t, "mch_2vYVtestTESTtestTESTtest", seen.MachineID)
	assert.Equal(t, "mch_2vYVtestTESTtestTESTtest", seen.Subject)
	assert.Equal(t, "mt_1", seen.TokenID)
	assert.Empty(t, seen.UserID, "a machine is never a user")
	seen = nil
	require.Equal(t, http.StatusOK, serveEchoBearer(e, "/api/oauth", oauth().MustSign(t)).Code)
	assert.Equal(t, bearer.OAuthToken, seen.TokenType)
	assert.Equal(t, "user_1", seen.UserID)
	assert.Equal(t, "client_1", seen.ClientID)
	assert.Empty(t, seen.MachineID)
}

// serveEchoBearer serves a GET of path with tok as its bearer token.
func serveEchoBearer(e *echo.Echo, path, tok string) *httptest.ResponseRecorder {
	req := httptest.NewRequest(http.MethodGet, path, nil)
	req.Header.Set("Authorization", "Bearer "+tok)
	return serveEcho(e, req)
}

// TestClerkTokensNeedTheVerifier: a plugged validator hides the header
// Clerk's typing reads, so the combination fails at New.
func TestClerkTokensNeedTheVerifier(t *testing.T) {
	_, err := echoauth.New(echoauth.Config{ClerkTokens: true, ValidateToken: func(_ context.Context, _ string) (any, error) { return nil, nil }})
	require.Error(t, err)
	assert.Contains(t, err.Error(), "ClerkTokens")
	assert.Contains(t, err.Error(), "ValidateToken")
}
