package clerk

import (
	"fmt"
	"slices"
	"strings"

	"github.com/scopegate/scopegate/internal/sealed"
	"github.com/scopegate/scopegate/scopes"
)

// Role requires the active Clerk organization role, compared as Clerk's has({ role }) does: both sides are
// given exactly one leading "org:", so Role("admin") and Role("org:admin") are the same requirement. The token
// needs a subject and an active organization.
func Role(role string) scopes.Requirement {
	r := &requirement{kind: "Role", name: role}
	r.err = checkClerkName(role)
	return r
}

// Feature requires a Clerk billing feature from the `fea` claim. "o:name", "org:name" and "organization:name"
// look in the organization's features, "u:name" and "user:name" in the user's, and a bare "name" in either.
// Other prefixes are invalid (see [scopes.Validate]). No active organization is needed: a token carries organization
// features only while one is active.
func Feature(feature string) scopes.Requirement {
	r := &requirement{kind: "Feature", name: feature}
	r.err = checkBillingName(feature)
	return r
}

// Plan requires a Clerk billing plan from the `pla` claim, scoped like [Feature].
func Plan(plan string) scopes.Requirement {
	r := &requirement{kind: "Plan", name: plan}
	r.err = checkBillingName(plan)
	return r
}

// requirement is what Role, Feature and Plan build.
type requirement struct {
	kind string
	name string
	err  error
}

// Satisfied implements scopes.Requirement.
func (r *requirement) Satisfied(g scopes.Grants) bool {
	s := sessionOf(g)
	if r.err != nil || s == nil || s.Subject == "" {
		return false
	}
	switch r.kind {
	case "Role":
		org := s.activeOrganization()
		return org != nil && org.Role != "" && withOrgPrefix(org.Role) == withOrgPrefix(r.name)
	case "Feature":
		return hasBillingEntry(s.Features, r.name)
	case "Plan":
		return hasBillingEntry(s.Plans, r.name)
	}
	return false
}

// Scope implements scopes.Requirement: roles, features and plans are not OAuth scopes, so a challenge names none.
func (r *requirement) Scope() string { return "" }

// String implements scopes.Requirement.
func (r *requirement) String() string { return fmt.Sprintf("%s(%q)", r.kind, r.name) }

// Err reports a requirement built with an invalid name.
func (r *requirement) Err() error { return r.err }

// RequirementKind gives scopes.KindOf the kind, and tells scopes.Check that the requirement only reads the
// grants.
func (r *requirement) RequirementKind(sealed.Seal) scopes.Kind {
	switch r.kind {
	case "Role":
		return scopes.KindRole
	case "Feature":
		return scopes.KindFeature
	}
	return scopes.KindPlan
}

// The request prefixes of features and plans.
var (
	orgBillingScopes  = map[string]bool{"o": true, "org": true, "organization": true}
	userBillingScopes = map[string]bool{"u": true, "user": true}
)

// hasBillingEntry looks a requested feature or plan up in the token's entries, as Clerk does.
func hasBillingEntry(entries []string, requested string) bool {
	if len(entries) == 0 {
		return false
	}
	org, user, ok := splitByScope(entries)
	if !ok {
		return false
	}
	scope, name, scoped := strings.Cut(requested, ":")
	switch {
	case !scoped:
		return slices.Contains(org, requested) || slices.Contains(user, requested)
	case orgBillingScopes[scope]:
		return slices.Contains(org, name)
	case userBillingScopes[scope]:
		return slices.Contains(user, name)
	}
	return false
}

// checkClerkName refuses names that no token can grant.
func checkClerkName(name string) error {
	if name == "" {
		return fmt.Errorf("empty name")
	}
	if strings.ContainsAny(name, " ,\\\"") {
		return fmt.Errorf("%q contains a space, comma, quote or backslash", name)
	}
	return nil
}

// checkBillingName refuses a feature or plan with an unknown prefix or an empty name: Clerk's SDK answers
// false for the first and looks up a surprising name for the second ("o:" looks for a feature named "o").
func checkBillingName(name string) error {
	if err := checkClerkName(name); err != nil {
		return err
	}
	scope, rest, scoped := strings.Cut(name, ":")
	if !scoped {
		return nil
	}
	if !orgBillingScopes[scope] && !userBillingScopes[scope] {
		return fmt.Errorf("%q has prefix %q; use o:, org:, organization:, u:, user: or none", name, scope)
	}
	if rest == "" || strings.Contains(rest, ":") {
		return fmt.Errorf("%q needs exactly one name after its prefix", name)
	}
	return nil
}
