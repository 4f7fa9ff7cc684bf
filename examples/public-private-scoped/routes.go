package main

import (
	"net/http"

	"github.com/labstack/echo/v4"

	"github.com/scopegate/scopegate/echoauth"
	"github.com/scopegate/scopegate/scopes"
)

// message is the body of every successful answer.
type message struct {
	Message string `json:"message"`
}

// newServer wires the routes of the Auth0 API quickstarts, plus an
// organization admin route and a lax /api/me, onto a new Echo.
func newServer(auth *echoauth.Authenticator) *echo.Echo {
	e := echo.New()
	e.HideBanner = true
	e.HidePort = true

	api := e.Group("/api")
	api.GET("/public", func(c echo.Context) error {
		return c.JSON(http.StatusOK, message{"Hello from a public endpoint! You don't need to be authenticated to see this."})
	})
	api.GET("/private", func(c echo.Context) error {
		return c.JSON(http.StatusOK, message{"Hello from a private endpoint! You need to be authenticated to see this."})
	}, auth.CheckJWT())
	api.GET("/private-scoped", func(c echo.Context) error {
		return c.JSON(http.StatusOK, message{"Hello from a private endpoint! You need to be authenticated and have a scope of read:messages to see this."})
	}, auth.CheckJWT(), echoauth.RequireScopes("read:messages"))
	api.GET("/org-admin", func(c echo.Context) error {
		return c.JSON(http.StatusOK, message{"Hello, organization admin! You have the org:admin:example permission."})
	}, auth.CheckJWT(), echoauth.Has(scopes.Permission("org:admin:example")))
	// Lax: signed in or signed out, the handler runs and shows what it knows.
	api.GET("/me", func(c echo.Context) error {
		return c.JSON(http.StatusOK, echoauth.GetAuth(c))
	}, auth.WithAuth())
	return e
}
