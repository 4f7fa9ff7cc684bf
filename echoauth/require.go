package echoauth

import (
	"fmt"

	"github.com/labstack/echo/v4"

	"github.com/scopegate/scopegate/scopes"
)

// describe is the error_description of a 403 for a requirement of kind k.
func describe(k scopes.Kind) string {
	if k == scopes.KindMixed {
		return "token does not meet the route's requirement"
	}
	if k == scopes.KindReverification {
		return "session needs a more recent verification"
	}
	return "token lacks the required " + k.String()
}

// RequireAuth makes a route strict after WithAuth: a signed-out request is
// answered as CheckJWT would have (401, or 400/503 with the reason WithAuth
// recorded). With Config.SignInURL set, a signed-out browser page navigation
// is redirected there instead (303, with a redirect_url parameter); API calls
// still get 401. Without WithAuth or CheckJWT before it, every request is
// signed out.
func RequireAuth() echo.MiddlewareFunc {
	return func(next echo.HandlerFunc) echo.HandlerFunc {
		return func(c echo.Context) error {
			auth := GetAuth(c)
			if !auth.IsAuthenticated {
				if auth.signInURL != "" && isPageNavigation(c.Request()) {
					return redirectToSignIn(c, auth.signInURL)
				}
				return failure(auth).respond(c, auth.realm)
			}
			return next(c)
		}
	}
}

// RequireScopes answers 403 unless the token grants every one of the scopes
// (from "scope" or "scp"). Unlike express-oauth2-jwt-bearer's requiredScopes,
// every argument counts. It panics at route registration when a scope is
// empty or not a valid RFC 6749 scope token.
func RequireScopes(required ...string) echo.MiddlewareFunc {
	return require(scopes.All(required...), "RequireScopes")
}

// RequireAnyScope answers 403 unless the token grants at least one of the
// scopes. It panics at route registration on an invalid scope.
func RequireAnyScope(anyOf ...string) echo.MiddlewareFunc {
	return require(scopes.Any(anyOf...), "RequireAnyScope")
}

// Has answers 403 unless the token satisfies req, a requirement of package
// scopes: scopes.Permission("org:admin:example") (Auth0 permissions or the
// active Clerk organization's), scopes.Role("admin"), scopes.Feature,
// scopes.Plan, scopes.Reverification, scopes.All(...), or combinations with
// scopes.And and scopes.Or. It panics at route registration when req is
// invalid.
func Has(req scopes.Requirement) echo.MiddlewareFunc {
	return require(req, "Has")
}

// require builds an authorization middleware. A request without a valid
// token is answered 401 (or with the reason authentication recorded), never
// 403: RFC 6750 keeps insufficient_scope for tokens that are valid. The 403
// says what kind of grant was missing.
func require(req scopes.Requirement, name string) echo.MiddlewareFunc {
	if req == nil {
		panic(fmt.Sprintf("echoauth.%s: the requirement is nil", name))
	}
	if err := scopes.Validate(req); err != nil {
		panic(fmt.Sprintf("echoauth.%s: %v", name, err))
	}
	scope, description := req.Scope(), describe(scopes.KindOf(req))
	return func(next echo.HandlerFunc) echo.HandlerFunc {
		return func(c echo.Context) error {
			auth := GetAuth(c)
			if !auth.IsAuthenticated {
				return failure(auth).respond(c, auth.realm)
			}
			if !auth.Has(req) {
				return insufficientScope(description, scope).respond(c, auth.realm)
			}
			return next(c)
		}
	}
}
