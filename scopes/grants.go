package scopes

import "slices"

// Grants is what a verified token grants. It is built once per token by [Parse] and then
// only read, so it is safe for concurrent use; the zero value grants nothing.
//
// The slices returned by the parsers may share one backing array; appending to one of them never changes the
// other.
type Grants struct {
	// Scopes are the names from the `scope` claim followed by those from `scp`, each once, in order of first
	// appearance.
	Scopes []string
	// Permissions are the names from the Auth0 RBAC `permissions` claim, each once, in order of first
	// appearance.
	Permissions []string
	// Session is what a signed-in session grants besides the claims above, such as Clerk's active
	// organization, billing and reverification (a *clerk.Session); nil when the token carries none.
	Session Session
}

// Session is what a signed-in session grants besides the token's scopes and permissions, such as Clerk's
// active organization (package clerk). HasPermission consults it. Nil when the token carries none.
//
// It is an interface so that this package, which knows OAuth scopes and permissions only, need not know any
// provider's session model: the requirements of such a model read it by its concrete type.
type Session interface {
	// HasPermission reports whether the session grants the permission p, as it was asked for
	// (Permission("org:admin:example")).
	HasPermission(p string) bool
	// CloneSession returns a deep copy, for Grants.Clone.
	CloneSession() Session
}

// Clone returns a deep copy of g: nothing in it shares memory with g. [Check] hands one to a requirement the
// application implemented, so that it cannot write into grants that other requests share.
func (g Grants) Clone() Grants {
	c := Grants{Scopes: slices.Clone(g.Scopes), Permissions: slices.Clone(g.Permissions)}
	if g.Session != nil {
		c.Session = g.Session.CloneSession()
	}
	return c
}

// HasScope reports whether s is one of the granted scopes. The comparison is exact and case-sensitive; an empty
// name is never granted.
func (g Grants) HasScope(s string) bool {
	return s != "" && contains(g.Scopes, s)
}

// HasPermission reports whether p is a granted permission; an empty name is never granted. Two sources count,
// so that one check serves both providers:
//
//   - the Auth0 RBAC `permissions` claim ([Grants.Permissions]), matched exactly and case-sensitively;
//   - the session ([Grants.Session]), by its own rule: Clerk's active organization grants "org:admin:billing"
//     when asked for "admin:billing" too, as Clerk's has({ permission }) does.
//
// Scopes never count as permissions. Every permission requirement ([Permission], [AnyPermission]) decides
// through this method.
func (g Grants) HasPermission(p string) bool {
	if p == "" {
		return false
	}
	return contains(g.Permissions, p) || (g.Session != nil && g.Session.HasPermission(p))
}

// contains is a linear scan: tokens carry few names, and a scan over a handful of strings beats hashing them.
func contains(list []string, s string) bool {
	for _, v := range list {
		if v == s {
			return true
		}
	}
	return false
}
