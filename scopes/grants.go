package scopes

import (
	"slices"
	"strings"
)

// Grants is what a verified token grants. It is built once per token by [Parse] (or [FromClaims]) and then
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

	// Subject is the `sub` claim. Clerk's checks of organizations, billing and reverification grant nothing
	// to a token without one.
	Subject string
	// Organization is the active Clerk organization, nil when the token names none.
	Organization *Organization
	// Features and Plans are the entries of Clerk's `fea` and `pla` claims ("o:dashboard", "u:pro", ...),
	// trimmed, in token order.
	Features, Plans []string
	// FactorVerificationAge is Clerk's `fva`: minutes since the first and the second factor were verified, -1
	// for a factor the user has not set up. Nil when the claim is absent or not two such numbers.
	FactorVerificationAge []float64

	// Session is what a signed-in session grants besides the token's scopes and permissions.
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

// Clone returns a deep copy of g: nothing in it shares memory with g.
func (g Grants) Clone() Grants {
	c := g
	c.Scopes = slices.Clone(g.Scopes)
	c.Permissions = slices.Clone(g.Permissions)
	c.Features = slices.Clone(g.Features)
	c.Plans = slices.Clone(g.Plans)
	c.FactorVerificationAge = slices.Clone(g.FactorVerificationAge)
	if g.Organization != nil {
		org := *g.Organization
		org.Permissions = slices.Clone(org.Permissions)
		c.Organization = &org
	}
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
//   - the Auth0 RBAC `permissions` claim ([Grants.Permissions]), matched exactly;
//   - the permissions of the active Clerk organization, matched as Clerk's has({ permission }) does: the
//     requested name is given exactly one leading "org:" ("admin:billing" and "org:org:admin:billing" both
//     look for "org:admin:billing"), and the token needs a subject and an active organization.
//
// Comparisons are case-sensitive. Scopes never count as permissions. Every permission requirement
// ([Permission], [AnyPermission]) decides through this method.
func (g Grants) HasPermission(p string) bool {
	if p == "" {
		return false
	}
	if contains(g.Permissions, p) || (g.Session != nil && g.Session.HasPermission(p)) {
		return true
	}
	org := g.activeOrganization()
	return org != nil && contains(org.Permissions, withOrgPrefix(p))
}

// activeOrganization returns the organization Clerk's organization checks may use: the token has a subject
// and the organization an ID.
func (g Grants) activeOrganization() *Organization {
	if g.Subject == "" || g.Organization == nil || g.Organization.ID == "" {
		return nil
	}
	return g.Organization
}

// withOrgPrefix gives s exactly one leading "org:", however many it had, as Clerk normalises roles and
// requested permissions.
func withOrgPrefix(s string) string {
	for strings.HasPrefix(s, "org:") {
		s = s[len("org:"):]
	}
	return "org:" + s
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
