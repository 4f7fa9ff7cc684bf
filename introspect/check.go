package introspect

import (
	"fmt"
	"slices"
	"strings"
	"time"
)

// check applies the local rules to an active answer, in the order a reader
// of a refused token would look: lifetime, issuer, audience. The server
// vouched for the token, but a server answering for several tenants or
// APIs vouches for tokens that are not meant for this one, and a cached or
// delayed answer can outlive the token.
func (i *Introspector) check(r *Result, hasIssuer bool, now time.Time) error {
	// RFC 7519 §4.1.4: the token is valid strictly before exp.
	if !r.ExpiresAt.IsZero() && !now.Before(r.ExpiresAt.Add(i.skew)) {
		return fmt.Errorf("%w: expired at %s", ErrInactive, r.ExpiresAt.UTC().Format(time.RFC3339))
	}
	if !r.NotBefore.IsZero() && now.Add(i.skew).Before(r.NotBefore) {
		return fmt.Errorf("%w: not valid before %s", ErrInactive, r.NotBefore.UTC().Format(time.RFC3339))
	}
	if notAccessToken(r.TokenType) {
		// An endpoint also answers for refresh and ID tokens, which are no
		// credential for an API, as a JWT's "typ" tells the same.
		return fmt.Errorf("%w: token_type %q is not an access token's", ErrInactive, r.TokenType)
	}
	if i.issuer != "" && hasIssuer && r.Issuer != i.issuer {
		return fmt.Errorf("%w: issued by %q, not by the configured Issuer %q", ErrInactive, r.Issuer, i.issuer)
	}
	if len(i.audiences) > 0 {
		if len(r.Audience) == 0 {
			return fmt.Errorf("%w: the answer names no audience and Audiences is set", ErrInactive)
		}
		if !slices.ContainsFunc(r.Audience, func(a string) bool { return slices.Contains(i.audiences, a) }) {
			return fmt.Errorf("%w: audience %q is not among the configured Audiences", ErrInactive, r.Audience)
		}
	}
	return nil
}

// notAccessToken reports a token_type naming a refresh or an ID token,
// RFC 6749's and RFC 8693's names alike; an access token's type ("Bearer",
// "DPoP", RFC 8693's access_token) or none passes.
func notAccessToken(tokenType string) bool {
	switch strings.ToLower(tokenType) {
	case "refresh_token", "urn:ietf:params:oauth:token-type:refresh_token", "id_token", "urn:ietf:params:oauth:token-type:id_token":
		return true
	}
	return false
}
