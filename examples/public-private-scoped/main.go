// Command public-private-scoped runs the API of the Auth0 quickstarts on
// Echo v4 with scopegate: /api/public for anyone, /api/private for a valid
// token, /api/private-scoped for a token with the read:messages scope,
// /api/org-admin for the org:admin:example permission, and /api/me showing
// the auth object, signed in or not. examples/echo5 and examples/nethttp
// serve the same routes, read the same environment and answer the same.
//
// With no ISSUER_BASE_URL it runs in dev mode: an issuer embedded in the
// process serves discovery and keys on loopback, and the program prints curl
// commands with ready-made tokens. Set ISSUER_BASE_URL and AUDIENCE to use
// your Auth0 tenant or any OpenID Connect issuer, or CLERK_PUBLISHABLE_KEY
// (and optionally CLERK_JWT_KEY) for Clerk session tokens.
package main

import (
	"net/http"

	"github.com/labstack/echo/v4"

	"github.com/scopegate/scopegate/bearer"
	"github.com/scopegate/scopegate/echoauth"
	"github.com/scopegate/scopegate/examples/internal/app"
	"github.com/scopegate/scopegate/scopes"
)

func main() { app.Main(newServer) }

// newServer wires the routes of the Auth0 API quickstarts, plus an
// organization admin route and a lax /api/me, onto a new Echo.
func newServer(s app.Settings) (http.Handler, *bearer.Authenticator, error) {
	auth, err := echoauth.New(s.Auth)
	if err != nil {
		return nil, nil, err
	}
	e := echo.New()
	e.HideBanner = true
	e.HidePort = true

	if path := auth.ResourceMetadataPath(); path != "" {
		e.GET(path, echo.WrapHandler(auth.ResourceMetadata()))
	}
	api := e.Group("/api")
	api.GET("/public", func(c echo.Context) error { return c.JSON(http.StatusOK, app.PublicMessage) })
	api.GET("/private", func(c echo.Context) error {
		return c.JSON(http.StatusOK, app.PrivateMessage)
	}, auth.CheckJWT())
	api.GET("/private-scoped", func(c echo.Context) error {
		return c.JSON(http.StatusOK, app.PrivateScopedMessage)
	}, auth.CheckJWT(), echoauth.RequireScopes("read:messages"))
	api.GET("/org-admin", func(c echo.Context) error {
		return c.JSON(http.StatusOK, app.OrgAdminMessage)
	}, auth.CheckJWT(), echoauth.Has(scopes.Permission("org:admin:example")))
	// Step-up (RFC 9470): a recent enough, strong enough authentication.
	api.GET("/step-up", func(c echo.Context) error {
		return c.JSON(http.StatusOK, app.StepUpMessage)
	}, auth.CheckJWT(), echoauth.RequireStepUp(s.StepUp))
	// Services only: a client-credentials (machine) token, never a user's.
	api.GET("/machine", func(c echo.Context) error {
		return c.JSON(http.StatusOK, echoauth.GetAuth(c))
	}, auth.CheckJWT(bearer.AcceptsToken(bearer.M2MToken)))
	// Lax: signed in or signed out, the handler runs and shows what it knows.
	api.GET("/me", func(c echo.Context) error {
		return c.JSON(http.StatusOK, echoauth.GetAuth(c))
	}, auth.WithAuth())
	return e, auth.Authenticator, nil
}
