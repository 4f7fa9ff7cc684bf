package scopes

import (
	"fmt"
	"strings"
)

// And requires every one of reqs. And() with no requirement, a nil one or an invalid one is invalid
// (see [Validate]).
func And(reqs ...Requirement) Requirement { return newCombination("And", true, reqs) }

// Or requires at least one of reqs. Or() with no requirement, a nil one or an invalid one is invalid
// (see [Validate]): a mistake in any branch is reported even though another branch could be satisfied.
func Or(reqs ...Requirement) Requirement { return newCombination("Or", false, reqs) }

// combination is what And and Or build.
type combination struct {
	all   bool
	reqs  []Requirement // copied so the caller may reuse its slice
	scope string        // the parts' names, once each, built once because every refusal needs it
	err   error
}

func newCombination(ctor string, all bool, reqs []Requirement) *combination {
	c := &combination{all: all, reqs: append([]Requirement(nil), reqs...)}
	var l nameList
	for _, r := range c.reqs {
		if r != nil {
			splitNames(r.Scope(), &l)
		}
	}
	c.scope = strings.Join(l.names, " ")
	if len(reqs) == 0 {
		c.err = &requirementError{detail: ctor + "(): no requirement given"}
		return c
	}
	for i, r := range c.reqs {
		err := Validate(r)
		if err == nil {
			continue
		}
		e := &requirementError{detail: fmt.Sprintf("%s argument %d: ", ctor, i+1)}
		if inner, ok := err.(*requirementError); ok {
			e.detail += inner.detail
			e.cause = inner.cause
		} else {
			e.detail += err.Error()
			e.cause = err
		}
		c.err = e
		return c
	}
	return c
}

// Satisfied reports whether g satisfies every part (And) or at least one (Or).
func (c *combination) Satisfied(g Grants) bool {
	if c.err != nil {
		return false
	}
	for _, r := range c.reqs {
		// Check, so that a part the application implemented gets its own
		// copy of g.
		if Check(r, g) != c.all {
			return !c.all
		}
	}
	return c.all
}

// Scope returns the names of every part, once each: with Or too, since the client may obtain any of them.
func (c *combination) Scope() string { return c.scope }

// String describes the combination, e.g. "(all of scopes [a] or any of permissions [b])".
func (c *combination) String() string {
	if len(c.reqs) == 1 && c.reqs[0] != nil {
		return c.reqs[0].String()
	}
	op := " or "
	if c.all {
		op = " and "
	}
	parts := make([]string, len(c.reqs))
	for i, r := range c.reqs {
		if r == nil {
			parts[i] = "<nil>"
		} else {
			parts[i] = r.String()
		}
	}
	return "(" + strings.Join(parts, op) + ")"
}

// Err returns the construction mistake, if any; see [Validate].
func (c *combination) Err() error { return c.err }
