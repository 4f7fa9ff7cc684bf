package bearer

import (
	"fmt"
	"net/http"
)

// RouteOption adjusts how one route's authentication middleware
// authenticates: each face's CheckJWT and WithAuth take them.
type RouteOption struct {
	apply func(*routeSettings) error
}

// routeSettings is what RouteOptions set.
type routeSettings struct {
	accepts typeSet
}

// AcceptsToken makes the route accept the given token types only, as
// Clerk's acceptsToken does: a valid token of another type is signed out
// (401 on a strict route), never taken for what the route expects. For
// example, a route for services takes AcceptsToken(M2MToken), and a route
// for people AcceptsToken(SessionToken, OAuthToken). Without it a route
// accepts Config.AcceptsToken. An unknown type panics at route
// registration.
func AcceptsToken(types ...TokenType) RouteOption {
	return RouteOption{func(s *routeSettings) error {
		set, err := newTypeSet(types, "AcceptsToken")
		if err != nil {
			return err
		}
		s.accepts = set
		return nil
	}}
}

// AcceptsAnyToken makes the route accept every token type, Clerk's
// acceptsToken "any".
func AcceptsAnyToken() RouteOption {
	return RouteOption{func(s *routeSettings) error {
		s.accepts = allTypes
		return nil
	}}
}

// Route is an Authenticator as one route uses it: the same keys, caches
// and settings, with the route's options. Build it once, at route
// registration, with Authenticator.Route.
type Route struct {
	a       *Authenticator
	accepts typeSet
}

// Route applies opts to the authenticator's defaults. It panics on an
// invalid option, at route registration, as the rules do.
func (a *Authenticator) Route(opts ...RouteOption) *Route {
	s := routeSettings{accepts: a.accepts}
	for _, opt := range opts {
		if opt.apply == nil {
			panic("scopegate: a route option is the zero RouteOption; use AcceptsToken or AcceptsAnyToken")
		}
		if err := opt.apply(&s); err != nil {
			panic(fmt.Sprintf("scopegate: %v", err))
		}
	}
	if err := a.checkAccepts(s.accepts, "AcceptsToken"); err != nil {
		panic(fmt.Sprintf("scopegate: %v", err))
	}
	return &Route{a: a, accepts: s.accepts}
}

// Require is Authenticator.Require for this route.
func (rt *Route) Require(r *http.Request) (*http.Request, *Answer) {
	return rt.a.require(r, rt.accepts)
}

// Attach is Authenticator.Attach for this route.
func (rt *Route) Attach(r *http.Request) *http.Request {
	return rt.a.attach(r, rt.accepts)
}

// checkAccepts refuses a set of types no token can have here: session
// tokens are Clerk's, so without ClerkTokens a route accepting them alone
// would refuse every token.
func (a *Authenticator) checkAccepts(accepts typeSet, where string) error {
	if session, _ := SessionToken.bit(); accepts == session && !a.clerkTokens {
		return fmt.Errorf("bearer: %s: SessionToken alone needs ClerkTokens (the Clerk preset): without it no token is a session token, so every request would be refused", where)
	}
	return nil
}
