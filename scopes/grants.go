package scopes

// Grants is what a verified token grants. It is built once per token by [FromClaims] or [FromMap] and then
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
}

// HasScope reports whether s is one of the granted scopes. The comparison is exact and case-sensitive; an empty
// name is never granted.
func (g Grants) HasScope(s string) bool {
	return s != "" && contains(g.Scopes, s)
}

// HasPermission reports whether p is a granted permission, exact and case-sensitive; an empty name is never
// granted. Permissions are read from [Grants.Permissions] (the Auth0 RBAC `permissions` claim), never from the
// scopes.
//
// Every permission requirement ([Permission], [AnyPermission]) decides through this method, so that a new
// source of permissions added to Grants is honoured by all of them at once.
func (g Grants) HasPermission(p string) bool {
	return p != "" && contains(g.Permissions, p)
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
