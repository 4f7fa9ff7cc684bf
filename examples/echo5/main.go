// Command echo5 runs the API of examples/public-private-scoped on Echo v5:
// the same routes, the same environment, the same answers, and the same dev
// mode with its curl commands.
package main

import (
	"net/http"

	"github.com/labstack/echo/v5"

	"github.com/scopegate/scopegate/bearer"
	"github.com/scopegate/scopegate/echo5auth"
	"github.com/scopegate/scopegate/examples/internal/app"
	"github.com/scopegate/scopegate/scopes"
)

func main() { app.Main(newServer) }

// newServer wires the routes of the Auth0 API quickstarts, plus an
// organization admin route and a lax /api/me, onto a new Echo v5.
func newServer(s app.Settings) (http.Handler, *bearer.Authenticator, error) {
	auth, err := echo5auth.New(s.Auth)
	if err != nil {
		return nil, nil, err
	}
	e := echo.New()

	if path := auth.ResourceMetadataPath(); path != "" {
		e.GET(path, echo.WrapHandler(auth.ResourceMetadata()))
	}
	api := e.Group("/api")
	api.GET("/public", func(c *echo.Context) error { return c.JSON(http.StatusOK, app.PublicMessage) })
	api.GET("/private", func(c *echo.Context) error {
		return c.JSON(http.StatusOK, app.PrivateMessage)
	}, auth.CheckJWT())
	api.GET("/private-scoped", func(c *echo.Context) error {
		return c.JSON(http.StatusOK, app.PrivateScopedMessage)
	}, auth.CheckJWT(), echo5auth.RequireScopes("read:messages"))
	api.GET("/org-admin", func(c *echo.Context) error {
		return c.JSON(http.StatusOK, app.OrgAdminMessage)
	}, auth.CheckJWT(), echo5auth.Has(scopes.Permission("org:admin:example")))
	// Step-up (RFC 9470): a recent enough, strong enough authentication.
	api.GET("/step-up", func(c *echo.Context) error {
		return c.JSON(http.StatusOK, app.StepUpMessage)
	}, auth.CheckJWT(), echo5auth.RequireStepUp(s.StepUp))
	// Services only: a client-credentials (machine) token, never a user's.
	api.GET("/machine", func(c *echo.Context) error {
		return c.JSON(http.StatusOK, echo5auth.GetAuth(c))
	}, auth.CheckJWT(bearer.AcceptsToken(bearer.M2MToken)))
	// Lax: signed in or signed out, the handler runs and shows what it knows.
	api.GET("/me", func(c *echo.Context) error {
		return c.JSON(http.StatusOK, echo5auth.GetAuth(c))
	}, auth.WithAuth())
	return e, auth.Authenticator, nil
}
