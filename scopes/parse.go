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
// The usual case (strings without escapes, a few dozen names at most) costs two allocations, and the names are
// added as each value is checked, rather than counted first: one string holding the three values, of which
// every name is a substring, and one array backing both result slices. The array is sized by the separators
// (every name but the last of a value ends at a space or a comma, counted by vectorised scans): never too few
// but for escaped separators, when it grows, and exact for what issuers send, but for spaces between array
// elements and repeated names.
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

	bound := strings.Count(all, " ") + strings.Count(all, ",")
	for _, v := range [...][]byte{scope, scp, permissions} {
		if len(v) > 0 {
			bound++ // the value's last name
		}
	}
	scopes := nameList{names: make([]string, 0, bound)}
	if !addNames(all[:i], &scopes) {
		return Grants{}, &ClaimError{Claim: ClaimScope}
	}
	if !addNames(all[i:j], &scopes) {
		return Grants{}, &ClaimError{Claim: ClaimScp}
	}
	s := scopes.names
	perms := nameList{names: s[len(s):len(s)]}
	if !addNames(all[j:], &perms) {
		return Grants{}, &ClaimError{Claim: ClaimPermissions}
	}
	return Grants{Scopes: clip(s), Permissions: clip(perms.names)}, nil
}

// addNames adds the names of raw, one claim's JSON value ("" when absent), to l, and reports whether raw is a
// grant claim at all: a string or an array of strings. The general decoder runs only when the fast scanner
// declines. The names the scanner yielded before declining are the first ones the decoder yields, in the same
// order, and l keeps each name once, so they change nothing.
func addNames(raw string, l *nameList) bool {
	if raw == "" {
		return true
	}
	if _, ok := scanFast(raw, l); ok {
		return true
	}
	var v any
	if err := json.Unmarshal([]byte(raw), &v); err != nil {
		return false
	}
	if _, ok := walkDecoded(v, nil); !ok {
		return false
	}
	walkDecoded(v, l)
	return true
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
