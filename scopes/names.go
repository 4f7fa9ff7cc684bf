package scopes

import (
	"fmt"
	"strings"
)

// All requires every one of the scopes. Unlike a helper that reads only its first argument, every argument
// counts: All("a", "b") is satisfied by a token granting both a and b.
//
// All() with no scope, or with a name that is not an RFC 6749 scope-token, is invalid (see [Validate]).
func All(scopes ...string) Requirement {
	return newNameRequirement("All", scopeNames, true, scopes)
}

// Any requires at least one of the scopes. Any() with no scope, or with an invalid name, is invalid
// (see [Validate]).
func Any(scopes ...string) Requirement {
	return newNameRequirement("Any", scopeNames, false, scopes)
}

// Permission requires every one of the permissions, as decided by [Grants.HasPermission]: the Auth0 RBAC
// `permissions` claim ([Grants.Permissions]) or the session (Clerk's active organization), never the scopes.
// Permission() with no name, or with an invalid name, is invalid (see [Validate]).
func Permission(perms ...string) Requirement {
	return newNameRequirement("Permission", permissionNames, true, perms)
}

// AnyPermission requires at least one of the permissions, as decided by [Grants.HasPermission].
// AnyPermission() with no name, or with an invalid name, is invalid (see [Validate]).
func AnyPermission(perms ...string) Requirement {
	return newNameRequirement("AnyPermission", permissionNames, false, perms)
}

// nameKind says which grants a name requirement looks at.
type nameKind uint8

const (
	scopeNames nameKind = iota
	permissionNames
)

// nameRequirement is what All, Any, Permission and AnyPermission build.
type nameRequirement struct {
	kind  nameKind
	all   bool     // every name must be granted; otherwise one suffices
	names []string // the arguments, copied so the caller may reuse its slice, once each
	scope string   // names joined by spaces, built once because every refusal needs it
	err   error
}

func newNameRequirement(ctor string, kind nameKind, all bool, names []string) *nameRequirement {
	r := &nameRequirement{kind: kind, all: all}
	var l nameList
	for _, n := range names {
		l.add(n)
	}
	r.names = l.names
	r.scope = strings.Join(r.names, " ")
	if len(names) == 0 {
		r.err = &requirementError{detail: ctor + "(): no " + kind.noun() + " given"}
		return r
	}
	for i, n := range names {
		if why := checkName(n); why != "" {
			r.err = &requirementError{detail: fmt.Sprintf("%s: argument %d: %s", call(ctor, names), i+1, why)}
			return r
		}
	}
	return r
}

// call renders a constructor call for error messages, e.g. All("a", "b c").
func call(ctor string, args []string) string {
	var b strings.Builder
	b.WriteString(ctor)
	b.WriteByte('(')
	for i, a := range args {
		if i > 0 {
			b.WriteString(", ")
		}
		fmt.Fprintf(&b, "%q", a)
	}
	b.WriteByte(')')
	return b.String()
}

func (k nameKind) noun() string {
	if k == permissionNames {
		return "permission"
	}
	return "scope"
}

func (r *nameRequirement) has(g Grants, name string) bool {
	if r.kind == permissionNames {
		return g.HasPermission(name)
	}
	return g.HasScope(name)
}

// Satisfied reports whether g grants every name (All, Permission) or at least one (Any, AnyPermission).
func (r *nameRequirement) Satisfied(g Grants) bool {
	if r.err != nil {
		return false
	}
	for _, n := range r.names {
		if r.has(g, n) != r.all {
			return !r.all
		}
	}
	return r.all
}

// Scope returns the names joined by spaces.
func (r *nameRequirement) Scope() string { return r.scope }

// String describes the requirement, e.g. "any of permissions [a b]".
func (r *nameRequirement) String() string {
	q := "any"
	if r.all {
		q = "all"
	}
	return fmt.Sprintf("%s of %ss %v", q, r.kind.noun(), r.names)
}

// Err returns the construction mistake, if any; see [Validate].
func (r *nameRequirement) Err() error { return r.err }
