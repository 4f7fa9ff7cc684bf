package clerk

import (
	"slices"
	"strings"

	"github.com/scopegate/scopegate/scopes"
)

// Session is what a Clerk session token grants besides scopes and permissions: the state Clerk's has()
// decides on. [Parse] builds it once per token; it goes into [scopes.Grants].Session, where
// [scopes.Grants.HasPermission] (and so [scopes.Permission]) consults it, and where this package's
// requirements find it. It is only read afterwards, so it is safe for concurrent use.
type Session struct {
	// Subject is the `sub` claim. Clerk's checks of organizations, billing and reverification grant nothing
	// to a session without one.
	Subject string
	// Organization is the active organization, nil when the token names none.
	Organization *Organization
	// Features and Plans are the entries of the `fea` and `pla` claims ("o:dashboard", "u:pro", ...),
	// trimmed, in token order.
	Features, Plans []string
	// FactorVerificationAge is `fva`: minutes since the first and the second factor were verified, -1 for a
	// factor the user has not set up. Nil when the claim is absent or not two such numbers.
	FactorVerificationAge []float64
}

// HasPermission reports whether the active organization grants the permission p, matched as Clerk's
// has({ permission }) does: the requested name is given exactly one leading "org:" ("admin:billing" and
// "org:org:admin:billing" both look for "org:admin:billing"), and the session needs a subject and an active
// organization. The comparison is case-sensitive; an empty name is never granted.
func (s *Session) HasPermission(p string) bool {
	if p == "" {
		return false
	}
	org := s.activeOrganization()
	return org != nil && slices.Contains(org.Permissions, withOrgPrefix(p))
}

// CloneSession returns a deep copy of s, for [scopes.Grants.Clone]: nothing in it shares memory with s, so a
// requirement the application implemented can be handed it without reaching grants other requests share.
func (s *Session) CloneSession() scopes.Session {
	if s == nil {
		return s
	}
	c := *s
	c.Features = slices.Clone(s.Features)
	c.Plans = slices.Clone(s.Plans)
	c.FactorVerificationAge = slices.Clone(s.FactorVerificationAge)
	if s.Organization != nil {
		org := *s.Organization
		org.Permissions = slices.Clone(org.Permissions)
		c.Organization = &org
	}
	return &c
}

// sessionOf returns the Clerk session of g, nil when it has none.
func sessionOf(g scopes.Grants) *Session {
	s, _ := g.Session.(*Session)
	return s
}

// activeOrganization returns the organization Clerk's organization checks may use: the session has a
// subject and the organization an ID.
func (s *Session) activeOrganization() *Organization {
	if s == nil || s.Subject == "" || s.Organization == nil || s.Organization.ID == "" {
		return nil
	}
	return s.Organization
}

// withOrgPrefix gives s exactly one leading "org:", however many it had, as Clerk normalises roles and
// requested permissions.
func withOrgPrefix(s string) string {
	for strings.HasPrefix(s, "org:") {
		s = s[len("org:"):]
	}
	return "org:" + s
}
