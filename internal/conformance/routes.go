// Package conformance is the one table of HTTP cases every face of
// scopegate (echoauth, echo5auth, httpauth) must answer identically: the
// whole answering contract, from the status to the last header and body
// byte that matters. A face's test builds its own server over the routes
// below with its own API and hands it to Run; the cases live here only.
package conformance

import (
	"net/http"
	"slices"
	"time"

	"github.com/scopegate/scopegate/bearer"
)

// The routes a face's server serves, each with the middlewares its comment
// names. Every handler answers 200 with the body "ok", except Me, Machine
// and LaxMachine, which answer the auth object as JSON.
const (
	// Public has no middleware.
	Public = "/api/public"
	// Private is strict (CheckJWT); it answers OPTIONS too, so that
	// preflights reach the strict middleware.
	Private = "/api/private"
	// PrivateScoped is strict, then RequireScopes("read:messages").
	PrivateScoped = "/api/private-scoped"
	// OrgAdmin is strict, then Has(scopes.Permission("org:admin:example")).
	OrgAdmin = "/api/org-admin"
	// Me is lax (WithAuth) and answers the auth object as JSON.
	Me = "/api/me"
	// Both is strict, then RequireScopes("read:messages", "write:messages").
	Both = "/api/both"
	// AnyScope is strict, then RequireAnyScope("read:messages", "write:messages").
	AnyScope = "/api/any-scope"
	// Tenant is strict, then ClaimEquals("tenant", "acme").
	Tenant = "/api/tenant"
	// Account is lax, then RequireAuth: a page a browser navigates to. It
	// answers OPTIONS too.
	Account = "/account"
	// LaxScoped is lax, then RequireScopes("read:messages"); it answers
	// OPTIONS too.
	LaxScoped = "/api/lax-scoped"
	// StepUp is strict, then RequireStepUp(StepUpRequirement).
	StepUp = "/api/step-up"
	// Reverified is strict, then Has(clerk.Reverification("strict")).
	Reverified = "/api/reverified"
	// Machine is strict for machine tokens only
	// (CheckJWT(bearer.AcceptsToken(bearer.M2MToken))) and answers the auth
	// object as JSON, as Me does.
	Machine = "/api/machine"
	// LaxMachine is lax for machine tokens only
	// (WithAuth(bearer.AcceptsToken(bearer.M2MToken))) and answers the auth
	// object as JSON.
	LaxMachine = "/api/lax-machine"
	// Metadata serves Authenticator.ResourceMetadata, the protected
	// resource metadata of Resource.
	Metadata = "/.well-known/oauth-protected-resource"
)

// Resource is the protected resource identifier of the "resource" variant.
const Resource = "https://api.example.com"

// MultiFactor is the authentication context class Auth0 gives a user who
// passed multi-factor authentication.
const MultiFactor = "http://schemas.openid.net/pape/policies/2007/06/multi-factor"

// StepUpRequirement is the requirement of the StepUp route: multi-factor
// authentication within the last ten minutes.
var StepUpRequirement = bearer.StepUp{ACR: []string{MultiFactor}, MaxAge: 10 * time.Minute}

// Face is a face under test.
type Face struct {
	// Name names the face in test output.
	Name string
	// New builds the face's server over the routes above, configured with
	// cfg, or returns the error of the face's New.
	New func(cfg bearer.Config) (http.Handler, error)

	// Routes, when set, lists the only routes the server has, and Methods
	// the only methods it routes: the cases of others are skipped. An
	// example application serves the quickstart routes (Public, Private,
	// PrivateScoped, OrgAdmin, Me) for GET only.
	Routes, Methods []string
	// AnyOKBody accepts any body with a 200 from a handler other than Me,
	// for a server whose handlers answer something else than "ok".
	AnyOKBody bool
}

// serves reports whether the face routes the request of a case.
func (f Face) serves(r request) bool {
	method := r.method
	if method == "" {
		method = http.MethodGet
	}
	return (f.Routes == nil || slices.Contains(f.Routes, r.path)) &&
		(f.Methods == nil || slices.Contains(f.Methods, method))
}
