package bearer

import (
	"errors"
	"fmt"
	"net/http"
	"strings"
	"time"

	"github.com/scopegate/scopegate/introspect"
	"github.com/scopegate/scopegate/token"
)

// Descriptions of opaque-token failures: fixed text.
const (
	descOpaqueNotAccepted = "route does not accept OAuth or machine tokens"
	descOpaqueInactive    = "token is not active"
	descOpaqueTooLarge    = "token is too large"
	descOpaqueUnavailable = "token introspection is unavailable, retry later"
)

// isOpaque reports a token that is not shaped as a compact JWS (two dots):
// one that only the issuer can judge. A JWS, well formed or not, is never
// sent to it; other shapes (a JWE's five parts included) are, and are
// judged by the answer alone, since none would verify here.
func isOpaque(raw string) bool { return strings.Count(raw, ".") != 2 }

// authenticateOpaque authenticates an opaque token by introspection, on a
// route accepting the token types accepts. An introspected token is an
// OAuth or a machine token, so a route that accepts neither refuses it
// without a call; which of the two it is, only the answer tells (an RFC
// 7662 token says nothing of itself), so the route's types are checked
// again after it.
func (a *Authenticator) authenticateOpaque(r *http.Request, raw, scheme string, accepts typeSet) Auth {
	if !accepts.has(OAuthToken) && !accepts.has(M2MToken) {
		return a.signedOut(invalidToken(descOpaqueNotAccepted, ErrTokenType))
	}
	if len(raw) > a.maxOpaqueBytes {
		return a.signedOut(invalidToken(descOpaqueTooLarge, nil))
	}
	v, err := a.introspector.IntrospectShared(r.Context(), raw, a.deriveIntrospected)
	if err != nil {
		var unavail *introspect.UnavailableError
		if errors.As(err, &unavail) {
			return a.signedOut(unavailable(descOpaqueUnavailable, unavail.RetryAfter, err))
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
// establishes, once per answer: its members are the token's claims, held
// to the Config's rules as a JWT's are.
func (a *Authenticator) deriveIntrospected(res *introspect.Result) any {
	claims, err := token.NewClaims(res.Claims)
	if err == nil {
		err = a.opaqueRules.check(claims, a.how.now())
	}
	if err != nil {
		return &derivation{description: token.Description(err), cause: err}
	}
	return a.derive(claims)
}

// opaqueRules are Config.AuthorizedParties, RequireSubject and MaxTokenAge,
// for introspected tokens; issuer, audience and lifetime are judged by
// package introspect.
type opaqueRules struct {
	parties        []string
	requireSubject bool
	maxAge, skew   time.Duration
}

// check applies the rules to an answer's claims. The authorized party is
// "azp", or "client_id", RFC 7662's name for the client.
func (o opaqueRules) check(c token.Claims, now time.Time) error {
	if o.requireSubject && c.Subject() == "" {
		return fmt.Errorf("%w: sub", token.ErrMissingClaim)
	}
	if len(o.parties) > 0 {
		party := c.AuthorizedParty()
		if party == "" {
			party, _ = c.String("client_id")
		}
		if err := checkParty(party, o.parties); err != nil {
			return err
		}
	}
	if o.maxAge > 0 {
		iat := c.IssuedAt()
		if iat.IsZero() {
			return fmt.Errorf("%w: iat", token.ErrMissingClaim)
		}
		if now.Sub(iat) > o.maxAge+o.skew {
			return token.ErrTooOld
		}
	}
	return nil
}

// IntrospectionStats reports opaque token introspection for metrics: calls
// made, answers remembered and reused, calls shared, inactive tokens,
// outages, calls refused as busy, entries held. The zero Stats without
// Config.Introspection.
func (a *Authenticator) IntrospectionStats() introspect.Stats {
	if a.introspector == nil {
		return introspect.Stats{}
	}
	return a.introspector.Stats()
}
