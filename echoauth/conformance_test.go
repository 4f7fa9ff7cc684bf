package echoauth_test

import (
	"net/http"
	"testing"

	"github.com/labstack/echo/v4"

	"github.com/scopegate/scopegate/bearer"
	"github.com/scopegate/scopegate/clerk"
	"github.com/scopegate/scopegate/echoauth"
	"github.com/scopegate/scopegate/internal/conformance"
	"github.com/scopegate/scopegate/scopes"
)

// TestConformance answers the contract's table of HTTP cases through Echo v4
// and its default error handler.
func TestConformance(t *testing.T) {
	conformance.Run(t, conformance.Face{Name: "echoauth", New: func(cfg bearer.Config) (http.Handler, error) {
		auth, err := echoauth.New(cfg)
		if err != nil {
			return nil, err
		}
		e := echo.New()
		ok := func(c echo.Context) error { return c.String(http.StatusOK, "ok") }
		strict := auth.CheckJWT()
		e.GET(conformance.Public, ok)
		e.GET(conformance.Private, ok, strict)
		e.OPTIONS(conformance.Private, ok, strict)
		e.GET(conformance.PrivateScoped, ok, strict, echoauth.RequireScopes("read:messages"))
		e.GET(conformance.OrgAdmin, ok, strict, echoauth.Has(scopes.Permission("org:admin:example")))
		e.GET(conformance.Both, ok, strict, echoauth.RequireScopes("read:messages", "write:messages"))
		e.GET(conformance.AnyScope, ok, strict, echoauth.RequireAnyScope("read:messages", "write:messages"))
		e.GET(conformance.Tenant, ok, strict, echoauth.ClaimEquals("tenant", "acme"))
		e.GET(conformance.Me, func(c echo.Context) error { return c.JSON(http.StatusOK, echoauth.GetAuth(c)) }, auth.WithAuth())
		e.GET(conformance.Machine, func(c echo.Context) error { return c.JSON(http.StatusOK, echoauth.GetAuth(c)) },
			auth.CheckJWT(bearer.AcceptsToken(bearer.M2MToken)))
		e.GET(conformance.LaxMachine, func(c echo.Context) error { return c.JSON(http.StatusOK, echoauth.GetAuth(c)) },
			auth.WithAuth(bearer.AcceptsToken(bearer.M2MToken)))
		e.GET(conformance.Reverified, ok, strict, echoauth.Has(clerk.Reverification("strict")))
		e.GET(conformance.Metadata, echo.WrapHandler(auth.ResourceMetadata()))
		e.GET(conformance.StepUp, ok, strict, echoauth.RequireStepUp(conformance.StepUpRequirement))
		e.GET(conformance.Account, ok, auth.WithAuth(), echoauth.RequireAuth())
		e.OPTIONS(conformance.Account, ok, auth.WithAuth(), echoauth.RequireAuth())
		e.GET(conformance.LaxScoped, ok, auth.WithAuth(), echoauth.RequireScopes("read:messages"))
		e.OPTIONS(conformance.LaxScoped, ok, auth.WithAuth(), echoauth.RequireScopes("read:messages"))
		return e, nil
	}})
}
