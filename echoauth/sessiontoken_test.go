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

// TestClerkPresetSignsOutMachineTokens: under the Clerk preset a route
// accepts session tokens only, as Clerk's authenticateRequest does under its
// default acceptsToken "session_token". A machine-to-machine token, an OAuth
// access token, or a token of another category is signed out: 401 on a
// strict route, a signed-out auth object (never a user) on a lax one.
func TestClerkPresetSignsOutMachineTokens(t *testing.T) {
	issuer := authtest.NewIssuer(t, authtest.WithAudience(""))
	cfg, err := bearer.Clerk(bearer.ClerkOptions{FrontendAPI: issuer.URL(), JWTKey: string(issuer.PublicKeyPEM("RS256"))})
	require.NoError(t, err)
	cfg.Issuer = issuer.URL() // the loopback issuer speaks http
	auth, err := echoauth.New(cfg)
	require.NoError(t, err)
	e := echo.New()
	e.GET("/api/private", func(c echo.Context) error { return c.NoContent(http.StatusOK) }, auth.CheckJWT())
	var seen *echoauth.Auth
	e.GET("/api/me", func(c echo.Context) error {
		seen = echoauth.GetAuth(c)
		return c.JSON(http.StatusOK, seen)
	}, auth.WithAuth())

	session := func() *authtest.TokenBuilder { return issuer.Token().Subject("user_1").Claim("sid", "sess_1") }
	machine := func() *authtest.TokenBuilder {
		return issuer.Token().Subject("mch_2vYVtestTESTtestTESTtest").Claim("jti", "mt_1").
			Claim("scopes", "mch_other").Header("cat", "cl_B7d4PD333AAA")
	}
	// The preset's typ rule refuses an OAuth access token (typ at+jwt)
	// before its signature, for its type; every other machine token is
	// refused, once verified, for what it is.
	const (
		isSession    = ""
		notSession   = "token is not a session token"
		wrongTokenTy = "token type is not accepted"
	)
	tests := []struct {
		name        string
		token       string
		description string
	}{
		{"a session token without cat", session().MustSign(t), isSession},
		{"a session token with the session category", session().Header("cat", "cl_B7d4PD111AAA").MustSign(t), isSession},
		{"a token with the ignore category", session().Header("cat", "cl_I7d4PD111III").MustSign(t), isSession},
		{"an M2M token", machine().MustSign(t), notSession},
		{"an M2M token without cat", machine().WithoutHeader("cat").MustSign(t), notSession},
		{"a session-shaped token with the M2M category", session().Header("cat", "cl_B7d4PD333AAA").MustSign(t), notSession},
		{"a session-shaped token with the JWT template category", session().Header("cat", "cl_B7d4PD222AAA").MustSign(t), notSession},
		{"a machine subject with the session category", machine().Header("cat", "cl_B7d4PD111AAA").MustSign(t), notSession},
		{"an OAuth access token", session().Header("typ", "at+jwt").MustSign(t), wrongTokenTy},
		{"an OAuth access token, media type", session().Header("typ", "application/at+jwt").MustSign(t), wrongTokenTy},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			rec := serveEchoBearer(e, "/api/private", tt.token)
			seen = nil
			me := serveEchoBearer(e, "/api/me", tt.token)
			require.Equal(t, http.StatusOK, me.Code)
			require.NotNil(t, seen)
			if tt.description == isSession {
				assert.Equal(t, http.StatusOK, rec.Code, rec.Header().Get("WWW-Authenticate"))
				assert.True(t, seen.IsAuthenticated)
				return
			}
			assert.Equal(t, http.StatusUnauthorized, rec.Code)
			assert.Equal(t, conformance.WithDPoPOffer(`Bearer realm="api", error="invalid_token", error_description="`+tt.description+`"`),
				rec.Header().Get("WWW-Authenticate"))
			assert.False(t, seen.IsAuthenticated, "a machine is never signed in as a user")
			assert.Empty(t, seen.UserID)
			assert.NotContains(t, me.Body.String(), "mch_", "nothing of the machine shows as the user")
			if tt.description == notSession {
				assert.ErrorIs(t, seen.Err, bearer.ErrNotSessionToken)
			}
		})
	}
}

// serveEchoBearer serves a GET of path with tok as its bearer token.
func serveEchoBearer(e *echo.Echo, path, tok string) *httptest.ResponseRecorder {
	req := httptest.NewRequest(http.MethodGet, path, nil)
	req.Header.Set("Authorization", "Bearer "+tok)
	return serveEcho(e, req)
}

// TestSessionTokensOnlyNeedsTheVerifier: a plugged validator hides the
// header the rule reads, so the combination fails at New.
func TestSessionTokensOnlyNeedsTheVerifier(t *testing.T) {
	_, err := echoauth.New(echoauth.Config{SessionTokensOnly: true, ValidateToken: func(_ context.Context, _ string) (any, error) { return nil, nil }})
	require.Error(t, err)
	assert.Contains(t, err.Error(), "SessionTokensOnly")
	assert.Contains(t, err.Error(), "ValidateToken")
}

// TestSessionTokensOnlyRefusesAccessTokens: without the preset's typ list,
// SessionTokensOnly itself signs out a token typed as an OAuth access token
// once it has verified.
func TestSessionTokensOnlyRefusesAccessTokens(t *testing.T) {
	h := newHarness(t, func(c *echoauth.Config) { c.SessionTokensOnly = true })
	h.e.GET("/private", h.ok, h.auth.CheckJWT())
	for _, typ := range []string{"at+jwt", "application/at+jwt", "AT+JWT"} {
		rec := h.serve(http.MethodGet, "/private", "Bearer "+h.issuer.Token().Header("typ", typ).MustSign(t))
		assert.Equal(t, http.StatusUnauthorized, rec.Code, typ)
		assert.Contains(t, rec.Header().Get("WWW-Authenticate"), `error_description="token is not a session token"`, typ)
	}
	rec := h.serve(http.MethodGet, "/private", "Bearer "+h.issuer.Token().Header("typ", "JWT").MustSign(t))
	assert.Equal(t, http.StatusOK, rec.Code)
}
