// Package httpauth is the net/http face of scopegate: middlewares of the
// form func(http.Handler) http.Handler that authenticate a request by its
// bearer JWT and authorize it by scope, permission or role, answering as
// RFC 6750 says. Every decision is made by package bearer; this package only
// adapts it to net/http.
//
//	auth, err := httpauth.New(httpauth.Config{
//		Issuer:   "https://tenant.auth0.com/",
//		Audience: []string{"https://api.example.com"},
//	})
//	mux.Handle("GET /api/public", public)
//	mux.Handle("GET /api/private", auth.CheckJWT()(private))
//	mux.Handle("GET /api/private-scoped", auth.CheckJWT()(httpauth.RequireScopes("read:messages")(scoped)))
//
// Failures are written as a JSON body (bearer.Body) with the
// WWW-Authenticate challenge, or by Config.ErrorHandler when it is set.
package httpauth

import (
	"net/http"

	"github.com/scopegate/scopegate/bearer"
	"github.com/scopegate/scopegate/scopes"
	"github.com/scopegate/scopegate/token"
)

// Config configures an Authenticator; see bearer.Config.
type Config = bearer.Config

// Auth is a request's auth object; see bearer.Auth.
type Auth = bearer.Auth

// Authenticator builds the authentication middlewares from one validated
// configuration. Its bearer.Authenticator gives Prefetch, KeySets and
// CacheStats. It is safe for concurrent use; create it once at startup.
type Authenticator struct {
	*bearer.Authenticator
}

// New validates cfg and returns an Authenticator. Every configuration
// mistake is reported here with how to fix it, not at the first request.
func New(cfg Config) (*Authenticator, error) {
	a, err := bearer.New(cfg)
	if err != nil {
		return nil, err
	}
	return &Authenticator{a}, nil
}

// CheckJWT returns the strict middleware: a request without a valid token is
// answered 401 (400 when malformed, 503 when a service it needs, such as the
// issuer's keys, is unavailable) and never
// reaches the handler.
// Options set the route's own rules, such as the token types it accepts
// (bearer.AcceptsToken).
func (a *Authenticator) CheckJWT(opts ...bearer.RouteOption) func(http.Handler) http.Handler {
	route := a.Route(opts...)
	return func(next http.Handler) http.Handler {
		return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			r, answer := route.Require(r)
			if answer != nil {
				answer.Write(w, r)
				return
			}
			next.ServeHTTP(w, r)
		})
	}
}

// WithAuth returns the lax middleware: it attaches the auth object, signed
// in or signed out, and always calls the handler. A token that is present but
// invalid is never treated as signed in; RequireAuth further down the chain
// answers with the reason.
// Options are CheckJWT's.
func (a *Authenticator) WithAuth(opts ...bearer.RouteOption) func(http.Handler) http.Handler {
	route := a.Route(opts...)
	return func(next http.Handler) http.Handler {
		return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			next.ServeHTTP(w, route.Attach(r))
		})
	}
}

// RequireAuth makes a route strict after WithAuth; see bearer.RequireAuth.
func RequireAuth() func(http.Handler) http.Handler { return rule(bearer.RequireAuth()) }

// RequireScopes answers 403 unless the token grants every one of the
// scopes; see bearer.RequireScopes.
func RequireScopes(required ...string) func(http.Handler) http.Handler {
	return rule(bearer.RequireScopes(required...))
}

// RequireAnyScope answers 403 unless the token grants one of the scopes;
// see bearer.RequireAnyScope.
func RequireAnyScope(anyOf ...string) func(http.Handler) http.Handler {
	return rule(bearer.RequireAnyScope(anyOf...))
}

// Has answers 403 unless the token satisfies req; see bearer.Has.
func Has(req scopes.Requirement) func(http.Handler) http.Handler { return rule(bearer.Has(req)) }

// RequireStepUp answers 401 insufficient_user_authentication unless the
// user authenticated strongly and recently enough (RFC 9470); see
// bearer.RequireStepUp.
func RequireStepUp(s bearer.StepUp) func(http.Handler) http.Handler {
	return rule(bearer.RequireStepUp(s))
}

// ClaimEquals answers 401 unless the token's claim equals expected; see
// bearer.ClaimEquals.
func ClaimEquals(claim string, expected any) func(http.Handler) http.Handler {
	return rule(bearer.ClaimEquals(claim, expected))
}

// ClaimIncludes answers 401 unless the token's claim contains every
// expected value; see bearer.ClaimIncludes.
func ClaimIncludes(claim string, expected ...any) func(http.Handler) http.Handler {
	return rule(bearer.ClaimIncludes(claim, expected...))
}

// ClaimCheck answers 401 unless check approves the verified claims; see
// bearer.ClaimCheck.
func ClaimCheck(check func(claims token.Claims) bool, description string) func(http.Handler) http.Handler {
	return rule(bearer.ClaimCheck(check, description))
}

// rule adapts an authorization rule to net/http.
func rule(check bearer.Rule) func(http.Handler) http.Handler {
	return func(next http.Handler) http.Handler {
		return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			if answer := check(r); answer != nil {
				answer.Write(w, r)
				return
			}
			next.ServeHTTP(w, r)
		})
	}
}

// GetAuth returns the request's auth object; never nil.
func GetAuth(r *http.Request) *Auth { return bearer.FromContext(r.Context()) }

// ClaimsAs decodes the request's verified claims into a new T; see
// bearer.ClaimsAs.
func ClaimsAs[T any](r *http.Request) (*T, error) { return bearer.ClaimsAs[T](r.Context()) }
