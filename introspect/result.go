package introspect

import (
	"encoding/json"
	"slices"
	"time"
)

// Result is what the authorization server said about an active token
// (RFC 7662 §2.2). Members the server left out are zero. Every Result
// returned is the caller's own: changing it changes nothing for other
// requests, even those answered from the same cached response.
type Result struct {
	// Active is true: inactive tokens come back as ErrInactive instead.
	Active bool
	// Subject ("sub"), ClientID ("client_id"), Username ("username"),
	// TokenType ("token_type"), Issuer ("iss") and ID ("jti") are the
	// server's strings as sent.
	Subject, ClientID, Username, TokenType, Issuer, ID string
	// Scopes are the space-separated members of "scope".
	Scopes []string
	// Audience is "aud", a single string becoming a one-element list.
	Audience []string
	// ExpiresAt ("exp"), IssuedAt ("iat") and NotBefore ("nbf") are zero
	// when absent.
	ExpiresAt, IssuedAt, NotBefore time.Time
	// Claims is the whole response object, for members this type does not
	// name (RFC 7662 §2.2 lets servers add their own).
	Claims json.RawMessage
}

// clone returns a copy of r sharing no memory with it, so that what one
// handler does to its Result cannot reach the cache or another request.
func (r *Result) clone() *Result {
	c := *r
	c.Scopes = slices.Clone(r.Scopes)
	c.Audience = slices.Clone(r.Audience)
	c.Claims = slices.Clone(r.Claims)
	return &c
}
