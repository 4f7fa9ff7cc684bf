package scopes_test

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/scopegate/scopegate/scopes"
)

func TestKindOf(t *testing.T) {
	tests := []struct {
		req  scopes.Requirement
		want scopes.Kind
		noun string
	}{
		{scopes.All("a"), scopes.KindScope, "scope"},
		{scopes.Any("a", "b"), scopes.KindScope, "scope"},
		{scopes.Permission("a"), scopes.KindPermission, "permission"},
		{scopes.AnyPermission("a"), scopes.KindPermission, "permission"},
		{scopes.And(scopes.All("a"), scopes.Any("b")), scopes.KindScope, "scope"},
		{scopes.Or(scopes.Permission("a"), scopes.And(scopes.AnyPermission("b"))), scopes.KindPermission, "permission"},
		{scopes.Or(scopes.All("a"), scopes.Permission("a")), scopes.KindMixed, "requirement"},
		{forgedKind{}, scopes.KindMixed, "requirement"},
		{scopes.And(scopes.All("a"), applicationRequirement{}), scopes.KindMixed, "requirement"},
		{applicationRequirement{}, scopes.KindMixed, "requirement"},
		{nil, scopes.KindMixed, "requirement"},
	}
	for _, tt := range tests {
		name := "nil"
		if tt.req != nil {
			name = tt.req.String()
		}
		t.Run(name, func(t *testing.T) {
			assert.Equal(t, tt.want, scopes.KindOf(tt.req))
			assert.Equal(t, tt.noun, scopes.KindOf(tt.req).String())
		})
	}
}

// applicationRequirement is a requirement implemented outside the package
// that writes into the grants it is handed, as a careless one might.
type applicationRequirement struct{}

func (applicationRequirement) Satisfied(g scopes.Grants) bool {
	if len(g.Scopes) > 0 {
		g.Scopes[0] = "written"
	}
	if s, ok := g.Session.(*testSession); ok && len(s.perms) > 0 {
		s.perms[0] = "written"
	}
	return true
}
func (applicationRequirement) Scope() string  { return "" }
func (applicationRequirement) String() string { return "application" }

// TestCheckGivesApplicationRequirementsACopy: Check hands a requirement of
// the application's a deep copy of the grants, also inside And and Or, so
// that the grants a cache shares between requests stay as they were.
func TestCheckGivesApplicationRequirementsACopy(t *testing.T) {
	g := scopes.Grants{Scopes: []string{"read"}, Session: &testSession{perms: []string{"org:s:r"}}}
	for _, req := range []scopes.Requirement{
		applicationRequirement{},
		scopes.And(scopes.All("read"), applicationRequirement{}),
		scopes.Or(scopes.All("nope"), applicationRequirement{}),
	} {
		assert.True(t, scopes.Check(req, g), req.String())
		assert.Equal(t, []string{"read"}, g.Scopes)
		assert.Equal(t, &testSession{perms: []string{"org:s:r"}}, g.Session)
	}
	assert.False(t, scopes.Check(nil, g))
	assert.True(t, scopes.Check(scopes.All("read"), g))
	assert.False(t, scopes.Check(scopes.All("write"), g))
}

// TestGrantsClone: nothing in a clone shares memory with the original.
func TestGrantsClone(t *testing.T) {
	g := scopes.Grants{Scopes: []string{"a"}, Permissions: []string{"p"}, Session: &testSession{perms: []string{"org:s:r"}}}
	c := g.Clone()
	require.Equal(t, g, c)
	c.Scopes[0], c.Permissions[0] = "x", "x"
	c.Session.(*testSession).perms[0] = "x"
	assert.Equal(t, scopes.Grants{Scopes: []string{"a"}, Permissions: []string{"p"}, Session: &testSession{perms: []string{"org:s:r"}}}, g)
	assert.Equal(t, scopes.Grants{}, scopes.Grants{}.Clone())
}

// forgedKind tries to pass for a requirement of this module: a method of the
// same name cannot take the sealed parameter, so it is a different method and
// neither KindOf nor Check trusts it.
type forgedKind struct{ applicationRequirement }

func (forgedKind) RequirementKind() scopes.Kind { return scopes.KindScope }

// TestCheckDoesNotTrustForgedKinds: an application's requirement that claims
// a kind by name still gets a copy.
func TestCheckDoesNotTrustForgedKinds(t *testing.T) {
	g := scopes.Grants{Scopes: []string{"read"}}
	assert.True(t, scopes.Check(forgedKind{}, g))
	assert.Equal(t, []string{"read"}, g.Scopes)
}
