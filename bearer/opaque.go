package bearer

import (
	"errors"
	"fmt"
	"net/http"
	"strings"

	"github.com/scopegate/scopegate/introspect"
	"github.com/scopegate/scopegate/token"
)

// Descriptions of opaque-token failures: fixed text.
const (
	descOpaqueInactive    = "token is not active"
	descOpaqueTooLarge    = "token is too large"
	descOpaqueUnavailable = "token introspection is unavailable, retry later"
)

// isOpaque reports a token that is not shaped as a compact JWT (two dots):
// one that only introspection can judge. A JWT, well formed or not, is
// never sent to the introspection endpoint.
func isOpaque(raw string) bool { return strings.Count(raw, ".") != 2 }

// authenticateOpaque authenticates an opaque token by introspection, on a
// route accepting the token types accepts. Its type is known only from the
// answer (an RFC 7662 token says nothing of itself), so the route's types
// are checked after it; every route that accepts an OAuth or machine token
// can be presented one. (Without ClerkTokens, which Introspection excludes,
// every route does: a route accepting session tokens alone is refused at
// registration.)
func (a *Authenticator) authenticateOpaque(r *http.Request, raw, scheme string, accepts typeSet) Auth {
	if len(raw) > a.maxOpaqueBytes {
		return a.signedOut(invalidToken(descOpaqueTooLarge, nil))
	}
	v, err := a.introspector.IntrospectShared(r.Context(), raw, a.deriveIntrospected)
	if err != nil {
		var unavail *introspect.UnavailableError
		if errors.As(err, &unavail) {
			e := unavailable(unavail.RetryAfter, err)
			e.Description = descOpaqueUnavailable
			return a.signedOut(e)
		}
		return a.signedOut(invalidToken(descOpaqueInactive, err))
	}
	d := v.(*derivation)
	if d.description != "" {
		// The shared refusal's cause stays shared; each request gets its
		// own error around it.
		return a.signedOut(invalidToken(d.description, fmt.Errorf("bearer: introspected token refused: %w", d.cause)))
	}
	auth := a.admit(d)
	if !accepts.has(auth.TokenType) {
		return a.signedOut(invalidToken(auth.TokenType.refusal(), ErrTokenType))
	}
	return a.confirm(r, raw, scheme, auth)
}

// deriveIntrospected works out what an active introspection answer
// establishes, once per answer: its members are the token's claims.
func (a *Authenticator) deriveIntrospected(res *introspect.Result) any {
	claims, err := token.NewClaims(res.Claims)
	if err != nil {
		return &derivation{description: token.Description(err), cause: err}
	}
	return a.derive(claims)
}

// IntrospectionStats reports the calls, cache hits and refusals of opaque
// token introspection, for metrics; the zero Stats without
// Config.Introspection.
func (a *Authenticator) IntrospectionStats() introspect.Stats {
	if a.introspector == nil {
		return introspect.Stats{}
	}
	return a.introspector.Stats()
}
