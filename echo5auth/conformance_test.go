package echo5auth_test

import (
	"net/http"
	"testing"

	"github.com/labstack/echo/v5"

	"github.com/scopegate/scopegate/bearer"
	"github.com/scopegate/scopegate/clerk"
	"github.com/scopegate/scopegate/echo5auth"
	"github.com/scopegate/scopegate/internal/conformance"
	"github.com/scopegate/scopegate/scopes"
)

// TestConformance answers the contract's table of HTTP cases through Echo v5
// and its default error handler.
func TestConformance(t *testing.T) {
	conformance.Run(t, conformance.Face{Name: "echo5auth", New: newServer})
}

// newServer serves the conformance routes through Echo v5.
func newServer(cfg bearer.Config) (http.Handler, error) {
	auth, err := echo5auth.New(cfg)
	if err != nil {
		return nil, err
	}
	e := echo.New()
	ok := func(c *echo.Context) error { return c.String(http.StatusOK, "ok") }
	strict := auth.CheckJWT()
	e.GET(conformance.Public, ok)
	e.GET(conformance.Private, ok, strict)
	e.OPTIONS(conformance.Private, ok, strict)
	e.GET(conformance.PrivateScoped, ok, strict, echo5auth.RequireScopes("read:messages"))
	e.GET(conformance.OrgAdmin, ok, strict, echo5auth.Has(scopes.Permission("org:admin:example")))
	e.GET(conformance.Both, ok, strict, echo5auth.RequireScopes("read:messages", "write:messages"))
	e.GET(conformance.AnyScope, ok, strict, echo5auth.RequireAnyScope("read:messages", "write:messages"))
	e.GET(conformance.Tenant, ok, strict, echo5auth.ClaimEquals("tenant", "acme"))
	e.GET(conformance.Me, func(c *echo.Context) error { return c.JSON(http.StatusOK, echo5auth.GetAuth(c)) }, auth.WithAuth())
	e.GET(conformance.Machine, func(c *echo.Context) error { return c.JSON(http.StatusOK, echo5auth.GetAuth(c)) },
		auth.CheckJWT(bearer.AcceptsToken(bearer.M2MToken)))
	e.GET(conformance.LaxMachine, func(c *echo.Context) error { return c.JSON(http.StatusOK, echo5auth.GetAuth(c)) },
		auth.WithAuth(bearer.AcceptsToken(bearer.M2MToken)))
	e.GET(conformance.Reverified, ok, strict, echo5auth.Has(clerk.Reverification("strict")))
	e.GET(conformance.Metadata, echo.WrapHandler(auth.ResourceMetadata()))
	e.GET(conformance.StepUp, ok, strict, echo5auth.RequireStepUp(conformance.StepUpRequirement))
	e.GET(conformance.Account, ok, auth.WithAuth(), echo5auth.RequireAuth())
	e.OPTIONS(conformance.Account, ok, auth.WithAuth(), echo5auth.RequireAuth())
	e.GET(conformance.LaxScoped, ok, auth.WithAuth(), echo5auth.RequireScopes("read:messages"))
	e.OPTIONS(conformance.LaxScoped, ok, auth.WithAuth(), echo5auth.RequireScopes("read:messages"))
	return e, nil
}
