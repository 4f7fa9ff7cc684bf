package scopes

import (
	"encoding/json"
	"errors"
	"strconv"
	"strings"
)

// Names of the claims that carry grants, for callers that pick them out of a token's payload.
const (
	ClaimScope       = "scope"
	ClaimScp         = "scp"
	ClaimPermissions = "permissions"
)

// ErrInvalidClaim is matched (with errors.Is) by every error of [Parse] and [Parse] about a grant claim,
// and by those of package clerk's Parse about Clerk's claims: one test tells a malformed token from others.
var ErrInvalidClaim = errors.New("scopes: invalid grant claim")

// ClaimError reports a grant claim whose value has the wrong JSON type. Its message names
// the claim but never quotes the value, so it can be logged without leaking token contents.
type ClaimError struct {
	// Claim is the claim's name: ClaimScope, ClaimScp or ClaimPermissions here, "sub" or one of Clerk's
	// claims ("o", "fea", ...) from package clerk.
	Claim string
}

// Error describes which claim is malformed.
func (e *ClaimError) Error() string {
	return "scopes: claim " + strconv.Quote(e.Claim) + " has the wrong JSON type"
}

// Unwrap lets errors.Is(err, ErrInvalidClaim) match.
func (e *ClaimError) Unwrap() error { return ErrInvalidClaim }

// ClaimSource gives the raw JSON value of a claim by its exact name. The verified claims of package token
// satisfy it, so that this package reads a token without depending on how it was verified.
type ClaimSource interface {
	// Value returns the claim's raw JSON and whether the token has it.
	Value(name string) (json.RawMessage, bool)
}

// Parse reads the scopes and Auth0 permissions a verified token carries, from the claims `scope`, `scp` and
// `permissions`. Each must be a JSON string of space-separated names or an array of strings (see the package
// documentation for the rules); Auth0 sends `permissions` as an array, and a string is accepted too so that
// issuers sending RBAC names the way they send scopes are understood. It is called once per token. Any other
// JSON type, null included, gives a [*ClaimError] and no grants: the token is malformed and should be treated
// as invalid.
//
// It leaves [Grants.Session] nil: a session model reads its own claims (package clerk's Parse, for Clerk's
// session tokens), and the caller sets the session it got.
func Parse(src ClaimSource) (Grants, error) {
	scope, _ := src.Value(ClaimScope)
	scp, _ := src.Value(ClaimScp)
	permissions, _ := src.Value(ClaimPermissions)
	return fromClaims(scope, scp, permissions)
}

// fromClaims parses grants from the raw JSON values of the claims `scope`, `scp` and `permissions`, each nil (or
// empty) when the token lacks the claim; see [Parse]. Text that is not JSON gives a [*ClaimError] too.
//
// The usual case (strings without escapes, a few dozen names at most) costs two allocations: one string holding
// the three values, of which every name is a substring, and one array backing both result slices.
func fromClaims(scope, scp, permissions []byte) (Grants, error) {
	if len(scope)+len(scp)+len(permissions) == 0 {
		return Grants{}, nil
	}
	var b strings.Builder
	b.Grow(len(scope) + len(scp) + len(permissions))
	b.Write(scope)
	b.Write(scp)
	b.Write(permissions)
	all := b.String()
	i, j := len(scope), len(scope)+len(scp)
	c := claimSet{
		{claim: ClaimScope, raw: all[:i]},
		{claim: ClaimScp, raw: all[i:j]},
		{claim: ClaimPermissions, raw: all[j:]},
	}
	for k := range c {
		if err := c[k].readRaw(); err != nil {
			return Grants{}, err
		}
	}
	return c.grants(), nil
}

// claimForm says how a claim value is read.
type claimForm uint8

const (
	absent      claimForm = iota
	fastForm              // raw, read by scanFast
	decodedForm           // decoded, read by walkDecoded
)

// claimValue is one grant claim on its way into Grants: first checked and counted, then its names added.
type claimValue struct {
	claim   string
	raw     string
	decoded any
	form    claimForm
	n       int // names, duplicates included: an upper bound for the result
}

// claimSet holds scope, scp and permissions, in that order.
type claimSet [3]claimValue

// readRaw checks raw and counts its names, with the general decoder only when the fast scanner declines.
func (c *claimValue) readRaw() error {
	if c.raw == "" {
		return nil
	}
	if n, ok := scanFast(c.raw, nil); ok {
		c.form, c.n = fastForm, n
		return nil
	}
	var v any
	if err := json.Unmarshal([]byte(c.raw), &v); err != nil {
		return &ClaimError{Claim: c.claim}
	}
	n, ok := walkDecoded(v, nil)
	if !ok {
		return &ClaimError{Claim: c.claim}
	}
	c.decoded, c.form, c.n = v, decodedForm, n
	return nil
}

// addTo adds the names of a checked claim to l.
func (c *claimValue) addTo(l *nameList) {
	switch c.form {
	case fastForm:
		scanFast(c.raw, l.add)
	case decodedForm:
		walkDecoded(c.decoded, l.add)
	}
}

// grants builds Grants from checked claims. Scopes and permissions share one array sized by the counts, so
// the appends below never reallocate.
func (c *claimSet) grants() Grants {
	total := c[0].n + c[1].n + c[2].n
	if total == 0 {
		return Grants{}
	}
	scopes := nameList{names: make([]string, 0, total)}
	c[0].addTo(&scopes)
	c[1].addTo(&scopes)
	s := scopes.names
	perms := nameList{names: s[len(s):len(s)]}
	c[2].addTo(&perms)
	return Grants{Scopes: clip(s), Permissions: clip(perms.names)}
}

// clip caps a result so that appending to it cannot overwrite the other slice sharing its array, and makes an
// empty result nil, so that a token without names compares equal to the zero Grants.
func clip(s []string) []string {
	if len(s) == 0 {
		return nil
	}
	return s[:len(s):len(s)]
}

// linearLimit is how many names are de-duplicated by scanning. Beyond it a map takes over, so that a token
// stuffed with thousands of names costs linear time, not quadratic.
const linearLimit = 32

// nameList collects names once each, in order of first appearance, dropping empty ones.
type nameList struct {
	names []string
	seen  map[string]struct{} // nil until names outgrows linearLimit
}

func (l *nameList) add(name string) {
	if name == "" {
		return
	}
	if l.seen != nil {
		if _, dup := l.seen[name]; dup {
			return
		}
		l.seen[name] = struct{}{}
	} else if contains(l.names, name) {
		return
	}
	l.names = append(l.names, name)
	if l.seen == nil && len(l.names) > linearLimit {
		l.seen = make(map[string]struct{}, 2*len(l.names))
		for _, n := range l.names {
			l.seen[n] = struct{}{}
		}
	}
}
