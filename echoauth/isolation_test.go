package echoauth_test

import (
	"bytes"
	"crypto/rsa"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"testing"

	jwtmiddleware "github.com/auth0/go-jwt-middleware/v2"
	"github.com/labstack/echo/v4"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/scopegate/scopegate/clerk"
	"github.com/scopegate/scopegate/echoauth"
	"github.com/scopegate/scopegate/jwks"
	"github.com/scopegate/scopegate/scopes"
	"github.com/scopegate/scopegate/token"
)

// isolationApp serves one cached token to routes that each guard a grant the
// token lacks, to a route where a handler writes into what it can reach, and
// to a route that records everything a handler can read.
type isolationApp struct {
	*harness
	t      *testing.T
	token  string
	mutate func(c echo.Context, a *echoauth.Auth)
	seen   snapshot
}

// The grants the token lacks, and the routes that require them.
const (
	isolationScope      = "admin:all"
	isolationPermission = "org:admin:billing"
)

// snapshot is everything a handler can read from an auth object.
type snapshot struct {
	JSON, Grants, Scopes, Permissions, OrgPermissions, FVA, Actor string
	Raw, ScopeValue, Audience, TokenRaw, TokenAudience, Validated string
	UserID, OrgID                                                 string
}

func takeSnapshot(c echo.Context, a *echoauth.Auth) snapshot {
	j, _ := json.Marshal(a)
	scope, _ := a.Claims().Value("scope")
	validated, _ := c.Request().Context().Value(jwtmiddleware.ContextKey{}).(token.Token)
	g := a.Grants()
	session := *g.Session.(*clerk.Session)
	org := *session.Organization
	g.Session, session.Organization = nil, nil // printed by value below, not by address
	return snapshot{
		JSON: string(j), Grants: fmt.Sprintf("%+v %+v %+v", g, session, org),
		Scopes: fmt.Sprint(a.Scopes()), Permissions: fmt.Sprint(a.Permissions()),
		OrgPermissions: fmt.Sprint(a.OrgPermissions()), FVA: fmt.Sprint(a.FactorVerificationAge()),
		Actor: string(a.Actor()), Raw: string(a.Claims().Raw()), ScopeValue: string(scope),
		Audience: fmt.Sprint(a.Claims().Audience()), TokenRaw: string(a.Token().Claims().Raw()),
		TokenAudience: fmt.Sprint(a.Token().Claims().Audience()), Validated: string(validated.Claims().Raw()),
		UserID: a.UserID, OrgID: a.OrgID,
	}
}

func newIsolationApp(t *testing.T) *isolationApp {
	app := &isolationApp{harness: newHarness(t, nil), t: t}
	app.token = app.mint("user_1")
	api := app.e.Group("", app.auth.CheckJWT())

	api.GET("/scope", app.ok, echoauth.RequireScopes(isolationScope))
	api.GET("/permission", app.ok, echoauth.Has(scopes.Permission(isolationPermission)))
	api.GET("/auth0-permission", app.ok, echoauth.Has(scopes.Permission("write:billing")))
	api.GET("/role", app.ok, echoauth.Has(clerk.Role("admin")))
	api.GET("/feature", app.ok, echoauth.Has(clerk.Feature("o:billing")))
	api.GET("/plan", app.ok, echoauth.Has(clerk.Plan("u:pro")))
	api.GET("/reverified", app.ok, echoauth.Has(clerk.Reverification("strict_mfa")))
	api.GET("/claim", app.ok, echoauth.ClaimIncludes("scope", isolationScope))
	api.GET("/mutate", func(c echo.Context) error {
		app.mutate(c, echoauth.GetAuth(c))
		return c.NoContent(http.StatusNoContent)
	})
	api.GET("/inspect", func(c echo.Context) error {
		app.seen = takeSnapshot(c, echoauth.GetAuth(c))
		return c.NoContent(http.StatusNoContent)
	})
	return app
}

// mint signs a token with the grants of the test for subject sub.
func (app *isolationApp) mint(sub string) string {
	return app.issuer.Token().Subject(sub).Scope("read:messages openid").
		Permissions("read:billing").Claim("org_id", "org_1").Claim("org_role", "org:member").
		Claim("org_permissions", []string{"org:member:read"}).Claim("fva", []float64{90, 90}).
		Claim("fea", "o:dashboard").Claim("pla", "u:free").
		Claim("act", map[string]string{"sub": "user_admin"}).MustSign(app.t)
}

// guarded are the routes the token must stay refused on, with their answer:
// 403 for a missing grant, 401 for a failed claim check.
var guarded = map[string]int{
	"/scope": 403, "/permission": 403, "/auth0-permission": 403, "/role": 403,
	"/feature": 403, "/plan": 403, "/reverified": 403, "/claim": 401,
}

// state requests every route with the token and returns what it saw.
func (app *isolationApp) state(t *testing.T) (snapshot, map[string]int) {
	t.Helper()
	require.Equal(t, http.StatusNoContent, app.serve(http.MethodGet, "/inspect", "Bearer "+app.token).Code)
	statuses := map[string]int{}
	for path := range guarded {
		statuses[path] = app.serve(http.MethodGet, path, "Bearer "+app.token).Code
	}
	return app.seen, statuses
}

// overwrite replaces every occurrence of old in b, in place, by new of the
// same length, so that a shared backing array would show the write.
func overwrite(b []byte, old, new string) {
	for i := bytes.Index(b, []byte(old)); i >= 0; i = bytes.Index(b, []byte(old)) {
		copy(b[i:], new)
	}
}

// TestHandlersCannotChangeWhatATokenGrants: the verification of a token is
// cached and shared by every request presenting it, yet nothing a handler
// reaches through its auth object, the claims, the token or the
// go-jwt-middleware context value writes through to what the next request
// of the same token sees or is granted.
func TestHandlersCannotChangeWhatATokenGrants(t *testing.T) {
	tests := []struct {
		name   string
		mutate func(c echo.Context, a *echoauth.Auth)
	}{
		{"Scopes", func(_ echo.Context, a *echoauth.Auth) { s := a.Scopes(); s[0] = isolationScope }},
		{"Permissions", func(_ echo.Context, a *echoauth.Auth) { p := a.Permissions(); p[0] = "write:billing" }},
		{"Grants scopes and permissions", func(_ echo.Context, a *echoauth.Auth) {
			g := a.Grants()
			g.Scopes[0], g.Permissions[0] = isolationScope, "write:billing"
		}},
		{"Grants organization", func(_ echo.Context, a *echoauth.Auth) {
			org := a.Grants().Session.(*clerk.Session).Organization
			org.Permissions[0], org.Role, org.ID = isolationPermission, "org:admin", "org_2"
		}},
		{"Grants features, plans and age", func(_ echo.Context, a *echoauth.Auth) {
			s := a.Grants().Session.(*clerk.Session)
			s.Features[0], s.Plans[0], s.FactorVerificationAge[0], s.FactorVerificationAge[1] = "o:billing", "u:pro", 0, 0
		}},
		{"Grants session replaced", func(_ echo.Context, a *echoauth.Auth) {
			g := a.Grants()
			s := g.Session.(*clerk.Session)
			s.Subject = "user_evil"
			g.Session = &clerk.Session{Subject: "user_1", Organization: &clerk.Organization{ID: "org_2", Role: "org:admin"}}
		}},
		{"OrgPermissions", func(_ echo.Context, a *echoauth.Auth) { a.OrgPermissions()[0] = isolationPermission }},
		{"FactorVerificationAge", func(_ echo.Context, a *echoauth.Auth) {
			f := a.FactorVerificationAge()
			f[0], f[1] = 0, 0
		}},
		{"Actor", func(_ echo.Context, a *echoauth.Auth) { overwrite(a.Actor(), "user_admin", "user_evil_") }},
		{"Claims raw bytes", func(_ echo.Context, a *echoauth.Auth) {
			overwrite(a.Claims().Raw(), "read:messages", "admin:all    ")
		}},
		{"Claims value", func(_ echo.Context, a *echoauth.Auth) {
			v, _ := a.Claims().Value("scope")
			overwrite(v, "read:messages", "admin:all    ")
		}},
		{"Claims audience", func(_ echo.Context, a *echoauth.Auth) { a.Claims().Audience()[0] = "urn:evil" }},
		{"Claims marshalled", func(_ echo.Context, a *echoauth.Auth) {
			b, _ := a.Claims().MarshalJSON()
			overwrite(b, "read:messages", "admin:all    ")
		}},
		{"Token", func(_ echo.Context, a *echoauth.Auth) {
			overwrite(a.Token().Claims().Raw(), "read:messages", "admin:all    ")
			a.Token().Claims().Audience()[0] = "urn:evil"
		}},
		{"Token key", func(_ echo.Context, a *echoauth.Auth) {
			// The key verifies every token of the issuer, not this one only.
			k := a.Token().Key()
			k.Public().(*rsa.PublicKey).N.SetInt64(3)
			*k = jwks.Key{}
		}},
		{"Validated", func(_ echo.Context, a *echoauth.Auth) {
			overwrite(a.Validated().(token.Token).Claims().Raw(), "read:messages", "admin:all    ")
		}},
		{"go-jwt-middleware context value", func(c echo.Context, _ *echoauth.Auth) {
			v := c.Request().Context().Value(jwtmiddleware.ContextKey{}).(token.Token)
			overwrite(v.Claims().Raw(), "read:messages", "admin:all    ")
		}},
		{"the fields of the request's own auth object", func(_ echo.Context, a *echoauth.Auth) {
			a.UserID, a.OrgID, a.OrgRole, a.SessionStatus = "user_evil", "org_2", "org:admin", "pending"
		}},
		{"a requirement of the application's that writes into the grants", func(c echo.Context, a *echoauth.Auth) {
			a.Has(sabotage{})
			a.Has(scopes.And(scopes.All("read:messages"), sabotage{}))
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			app := newIsolationApp(t)
			before, statuses := app.state(t)
			require.Equal(t, guarded, statuses)
			app.mutate = tt.mutate
			require.Equal(t, http.StatusNoContent, app.serve(http.MethodGet, "/mutate", "Bearer "+app.token).Code)
			after, afterStatuses := app.state(t)
			assert.Equal(t, before, after, "what the next request sees")
			assert.Equal(t, statuses, afterStatuses, "what the next request is granted")
			fresh := app.mint("user_2")
			assert.Equal(t, http.StatusNoContent, app.serve(http.MethodGet, "/inspect", "Bearer "+fresh).Code,
				"a token verified after the write still verifies")
			assert.Equal(t, 2, app.auth.CacheStats().Entries, "the one token was served from its cached verification")
		})
	}
}

// sabotage is an application's requirement that writes into the grants it
// is handed, as a careless one might (sorting or editing in place).
type sabotage struct{}

func (sabotage) Satisfied(g scopes.Grants) bool {
	g.Scopes[0] = isolationScope
	s := g.Session.(*clerk.Session)
	s.Organization.Permissions[0] = isolationPermission
	s.Features[0], s.FactorVerificationAge[0] = "o:billing", 0
	return false
}
func (sabotage) Scope() string  { return "" }
func (sabotage) String() string { return "sabotage" }

// TestRefusalCausesAreTheRequestsOwn: the cause of a refusal reaches a
// handler of a lax route through Auth.Err; writing into it changes nothing
// for the next request of the same (cached) token.
func TestRefusalCausesAreTheRequestsOwn(t *testing.T) {
	h := newHarness(t, nil)
	var seen []string
	h.e.GET("/me", func(c echo.Context) error {
		var ce *scopes.ClaimError
		if errors.As(echoauth.GetAuth(c).Err, &ce) {
			seen = append(seen, ce.Claim)
			ce.Claim = "written"
		}
		return c.NoContent(http.StatusNoContent)
	}, h.auth.WithAuth())
	tok := h.issuer.Token().Claim("org_id", "org_1").Claim("org_slug", 99).MustSign(t)
	for range 3 {
		require.Equal(t, http.StatusNoContent, h.serve(http.MethodGet, "/me", "Bearer "+tok).Code)
	}
	assert.Equal(t, []string{"org_slug", "org_slug", "org_slug"}, seen)
}
