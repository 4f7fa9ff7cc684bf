// Package echo5auth is the Echo v5 face of scopegate: middlewares that
// authenticate a request by its bearer JWT and authorize it by scope,
// permission or role, answering as RFC 6750 says. It has the names of
// package echoauth (the Echo v4 face) over *echo.Context; every decision is
// made by package bearer.
//
//	auth, err := echo5auth.New(echo5auth.Config{
//		Issuer:   "https://tenant.auth0.com/",
//		Audience: []string{"https://api.example.com"},
//	})
//	e.GET("/api/public", public)
//	e.GET("/api/private", private, auth.CheckJWT())
//	e.GET("/api/private-scoped", scoped, auth.CheckJWT(), echo5auth.RequireScopes("read:messages"))
//
// Failures are returned, never written: the middleware sets WWW-Authenticate
// (and Retry-After for 503) on the response, then returns an error that
// Echo v5's default HTTPErrorHandler renders as the JSON body bearer.Body
// (it has StatusCode and MarshalJSON), that the RFC 9457
// ProblemDetailsHTTPErrorHandler renders as a problem (it has
// ProblemError), and that unwraps to the *bearer.Error for an application's
// own handler.
package echo5auth

import (
	"errors"
	"net/http"

	"github.com/labstack/echo/v5"

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
	if cfg.ErrorHandler != nil {
		// Echo renders failures with its own HTTPErrorHandler; a handler
		// set here would silently never run.
		return nil, errors.New("echo5auth: Config.ErrorHandler is for httpauth; with Echo, set the Echo instance's HTTPErrorHandler, which receives every failure")
	}
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
func (a *Authenticator) CheckJWT(opts ...bearer.RouteOption) echo.MiddlewareFunc {
	route := a.Route(opts...)
	return func(next echo.HandlerFunc) echo.HandlerFunc {
		return func(c *echo.Context) error {
			r, answer := route.Require(c.Request())
			if answer != nil {
				return respond(c, answer)
			}
			c.SetRequest(r)
			return next(c)
		}
	}
}

// WithAuth returns the lax middleware: it attaches the auth object, signed
// in or signed out, and always calls the handler. A token that is present but
// invalid is never treated as signed in; RequireAuth further down the chain
// answers with the reason.
// Options are CheckJWT's.
func (a *Authenticator) WithAuth(opts ...bearer.RouteOption) echo.MiddlewareFunc {
	route := a.Route(opts...)
	return func(next echo.HandlerFunc) echo.HandlerFunc {
		return func(c *echo.Context) error {
			c.SetRequest(route.Attach(c.Request()))
			return next(c)
		}
	}
}

// RequireAuth makes a route strict after WithAuth; see bearer.RequireAuth.
func RequireAuth() echo.MiddlewareFunc { return rule(bearer.RequireAuth()) }

// RequireScopes answers 403 unless the token grants every one of the
// scopes; see bearer.RequireScopes.
func RequireScopes(required ...string) echo.MiddlewareFunc {
	return rule(bearer.RequireScopes(required...))
}

// RequireAnyScope answers 403 unless the token grants one of the scopes;
// see bearer.RequireAnyScope.
func RequireAnyScope(anyOf ...string) echo.MiddlewareFunc {
	return rule(bearer.RequireAnyScope(anyOf...))
}

// Has answers 403 unless the token satisfies req; see bearer.Has.
func Has(req scopes.Requirement) echo.MiddlewareFunc { return rule(bearer.Has(req)) }

// RequireStepUp answers 401 insufficient_user_authentication unless the
// user authenticated strongly and recently enough (RFC 9470); see
// bearer.RequireStepUp.
func RequireStepUp(s bearer.StepUp) echo.MiddlewareFunc { return rule(bearer.RequireStepUp(s)) }

// ClaimEquals answers 401 unless the token's claim equals expected; see
// bearer.ClaimEquals.
func ClaimEquals(claim string, expected any) echo.MiddlewareFunc {
	return rule(bearer.ClaimEquals(claim, expected))
}

// ClaimIncludes answers 401 unless the token's claim contains every
// expected value; see bearer.ClaimIncludes.
func ClaimIncludes(claim string, expected ...any) echo.MiddlewareFunc {
	return rule(bearer.ClaimIncludes(claim, expected...))
}

// ClaimCheck answers 401 unless check approves the verified claims; see
// bearer.ClaimCheck.
func ClaimCheck(check func(claims token.Claims) bool, description string) echo.MiddlewareFunc {
	return rule(bearer.ClaimCheck(check, description))
}

// rule adapts an authorization rule to Echo v5.
func rule(check bearer.Rule) echo.MiddlewareFunc {
	return func(next echo.HandlerFunc) echo.HandlerFunc {
		return func(c *echo.Context) error {
			if answer := check(c.Request()); answer != nil {
				return respond(c, answer)
			}
			return next(c)
		}
	}
}

// respond sets the answer's headers and returns a failure as the error the
// application's error handler renders; a redirect or a preflight's 204 it
// writes itself.
func respond(c *echo.Context, answer *bearer.Answer) error {
	answer.WriteHeaders(c.Response().Header())
	if answer.Err == nil {
		return c.NoContent(answer.Status)
	}
	return &failure{answer.Err}
}

// failure is the error the middlewares return for a failure: it unwraps to
// the *bearer.Error (errors.As finds it, and errors.Is matches its class)
// and has the forms Echo v5's error handlers render.
type failure struct {
	err *bearer.Error
}

// Error describes the failure for logs.
func (f *failure) Error() string { return f.err.Error() }

// Unwrap returns the *bearer.Error.
func (f *failure) Unwrap() error { return f.err }

// Is matches Echo v5's sentinel of the same status (echo.ErrUnauthorized,
// echo.ErrForbidden, echo.ErrBadRequest, echo.ErrServiceUnavailable), which
// application code may test for; the sentinels are not *echo.HTTPError, so
// a type assertion would miss them.
func (f *failure) Is(target error) bool {
	switch target {
	case echo.ErrBadRequest, echo.ErrUnauthorized, echo.ErrForbidden, echo.ErrServiceUnavailable:
		return echo.StatusCode(target) == f.err.Status
	}
	return false
}

// StatusCode gives Echo's default handler the status.
func (f *failure) StatusCode() int { return f.err.Status }

// MarshalJSON gives Echo's default handler the body, bearer.Body.
func (f *failure) MarshalJSON() ([]byte, error) { return f.err.MarshalJSON() }

// ProblemError renders the failure for Echo's RFC 9457 handler: the status,
// its text as the title, and the fixed error_description as the detail.
func (f *failure) ProblemError() *echo.ProblemError {
	return &echo.ProblemError{Status: f.err.Status, Title: http.StatusText(f.err.Status), Detail: f.err.Description}
}

// GetAuth returns the request's auth object; never nil.
func GetAuth(c *echo.Context) *Auth { return bearer.FromContext(c.Request().Context()) }

// ClaimsAs decodes the request's verified claims into a new T; see
// bearer.ClaimsAs.
func ClaimsAs[T any](c *echo.Context) (*T, error) { return bearer.ClaimsAs[T](c.Request().Context()) }
