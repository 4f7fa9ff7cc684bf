package echoauth

import (
	"errors"

	"github.com/labstack/echo/v4"

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
		return nil, errors.New("echoauth: Config.ErrorHandler is for httpauth; with Echo, set the Echo instance's HTTPErrorHandler, which receives every failure")
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
		return func(c echo.Context) error {
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
		return func(c echo.Context) error {
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

// rule adapts an authorization rule to Echo.
func rule(check bearer.Rule) echo.MiddlewareFunc {
	return func(next echo.HandlerFunc) echo.HandlerFunc {
		return func(c echo.Context) error {
			if answer := check(c.Request()); answer != nil {
				return respond(c, answer)
			}
			return next(c)
		}
	}
}

// respond sets the answer's headers and returns a failure as the
// *echo.HTTPError the application's error handler renders; a redirect or a
// preflight's 204 it writes itself.
func respond(c echo.Context, answer *bearer.Answer) error {
	answer.WriteHeaders(c.Response().Header())
	if answer.Err == nil {
		return c.NoContent(answer.Status)
	}
	// The *bearer.Error renders itself (json.Marshaler): Echo's default
	// handler writes its JSON body, bearer.Body's or Clerk's
	// reverification hint.
	return &echo.HTTPError{Code: answer.Status, Message: answer.Err, Internal: answer.Err}
}

// GetAuth returns the request's auth object; never nil.
func GetAuth(c echo.Context) *Auth { return bearer.FromContext(c.Request().Context()) }

// ClaimsAs decodes the request's verified claims into a new T; see
// bearer.ClaimsAs.
func ClaimsAs[T any](c echo.Context) (*T, error) { return bearer.ClaimsAs[T](c.Request().Context()) }
