package scopes

import "github.com/scopegate/scopegate/internal/sealed"

// Kind is what a requirement asks of a token, so that a refusal can say what
// was missing: "token lacks the required scope" for [All], "... permission"
// for [Permission], "... role" for package clerk's Role, and so on.
type Kind uint8

// The kinds of requirement. They are listed here, beside the scope and
// permission kinds, so that one switch in the authentication layer can
// describe every refusal; KindRole, KindFeature, KindPlan and
// KindReverification are the kinds of package clerk's requirements (Role,
// Feature, Plan, Reverification and ReverificationAfter).
const (
	// KindMixed is a combination of requirements of different kinds, or a
	// requirement an application implemented itself.
	KindMixed Kind = iota
	// KindScope is asked by All and Any.
	KindScope
	// KindPermission is asked by Permission and AnyPermission.
	KindPermission
	// KindRole is asked by clerk.Role: the active organization's role.
	KindRole
	// KindFeature is asked by clerk.Feature: a billing feature.
	KindFeature
	// KindPlan is asked by clerk.Plan: a billing plan.
	KindPlan
	// KindReverification is asked by clerk.Reverification and
	// clerk.ReverificationAfter: a recent verification of the user.
	KindReverification
)

// String returns the kind's noun: "scope", "permission", "role", "feature",
// "plan", "reverification", or "requirement" for KindMixed.
func (k Kind) String() string {
	switch k {
	case KindScope:
		return "scope"
	case KindPermission:
		return "permission"
	case KindRole:
		return "role"
	case KindFeature:
		return "feature"
	case KindPlan:
		return "plan"
	case KindReverification:
		return "reverification"
	}
	return "requirement"
}

// KindOf returns what r asks for. A combination ([And], [Or]) whose parts all
// ask for the same kind has that kind; any other is KindMixed, as is a
// requirement implemented outside this module.
func KindOf(r Requirement) Kind {
	if b, ok := r.(builtin); ok {
		return b.RequirementKind(sealed.Seal{})
	}
	return KindMixed
}

// builtin is implemented by the requirements of this module (this
// package's and package clerk's), which read the grants they are given
// without changing them. Its method is sealed: only this module can name
// its parameter type, so an application cannot claim either the kind or
// the trust of reading shared grants in place.
type builtin interface {
	Requirement
	RequirementKind(sealed.Seal) Kind
}

// Check reports whether g satisfies r. The requirements of this module (this
// package's and package clerk's) read g in place; a requirement implemented
// elsewhere is given its own copy of g ([Grants.Clone]), so that nothing it
// does to the slices or the session can reach what other readers of g see.
// The authentication middlewares decide through it, since the grants of a
// cached token are shared by every request presenting it. A nil r is never
// satisfied.
func Check(r Requirement, g Grants) bool {
	switch r := r.(type) {
	case nil:
		return false
	case builtin:
		return r.Satisfied(g)
	default:
		return r.Satisfied(g.Clone())
	}
}

// RequirementKind implements builtin.
func (r *nameRequirement) RequirementKind(sealed.Seal) Kind {
	if r.kind == permissionNames {
		return KindPermission
	}
	return KindScope
}

// RequirementKind implements builtin: the kind every part shares, or
// KindMixed.
func (c *combination) RequirementKind(sealed.Seal) Kind {
	if len(c.reqs) == 0 {
		return KindMixed
	}
	k := KindOf(c.reqs[0])
	for _, r := range c.reqs[1:] {
		if KindOf(r) != k {
			return KindMixed
		}
	}
	return k
}
