package clerk_test

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/scopegate/scopegate/clerk"
	"github.com/scopegate/scopegate/scopes"
)

// fullSession has a value in every field, so that a copy that shares any of them shows.
func fullSession() *clerk.Session {
	return &clerk.Session{
		Subject: "user_1",
		Organization: &clerk.Organization{ID: "org_1", Slug: "acme", Role: "org:admin", Permissions: []string{"org:x:y"},
			HasID: true, HasSlug: true, HasRole: true},
		Features: []string{"o:f"}, Plans: []string{"u:p"}, FactorVerificationAge: []float64{1, 2},
	}
}

func TestKindOf(t *testing.T) {
	tests := []struct {
		req  scopes.Requirement
		want scopes.Kind
		noun string
	}{
		{clerk.Role("admin"), scopes.KindRole, "role"},
		{clerk.Feature("o:x"), scopes.KindFeature, "feature"},
		{clerk.Plan("u:pro"), scopes.KindPlan, "plan"},
		{clerk.Reverification("strict"), scopes.KindReverification, "reverification"},
		{clerk.ReverificationAfter(clerk.FirstFactor, 5), scopes.KindReverification, "reverification"},
		{clerk.Role(""), scopes.KindRole, "role"},
		{scopes.And(clerk.Role("admin"), clerk.Role("billing")), scopes.KindRole, "role"},
		{scopes.Or(clerk.Reverification("lax"), clerk.ReverificationAfter(clerk.MultiFactor, 1)), scopes.KindReverification, "reverification"},
		{scopes.And(clerk.Feature("a"), clerk.Plan("b")), scopes.KindMixed, "requirement"},
		{scopes.Or(scopes.All("a"), clerk.Role("admin")), scopes.KindMixed, "requirement"},
		{scopes.And(scopes.Permission("org:a:r"), clerk.Role("admin")), scopes.KindMixed, "requirement"},
	}
	for _, tt := range tests {
		t.Run(tt.req.String(), func(t *testing.T) {
			assert.Equal(t, tt.want, scopes.KindOf(tt.req))
			assert.Equal(t, tt.noun, scopes.KindOf(tt.req).String())
		})
	}
}

func TestSessionHasPermission(t *testing.T) {
	s := fullSession()
	assert.True(t, s.HasPermission("org:x:y"))
	assert.True(t, s.HasPermission("x:y"), "one leading org: is added")
	assert.True(t, s.HasPermission("org:org:x:y"))
	assert.False(t, s.HasPermission("ORG:x:y"))
	assert.False(t, s.HasPermission("x"))
	assert.False(t, s.HasPermission(""))

	s.Organization.Permissions = append(s.Organization.Permissions, "org:")
	assert.False(t, s.HasPermission(""), "an empty name is never granted, even if the token lists org:")

	for name, s := range map[string]*clerk.Session{
		"no subject":      {Organization: &clerk.Organization{ID: "org_1", Permissions: []string{"org:x:y"}}},
		"no organization": {Subject: "user_1"},
		"no ID":           {Subject: "user_1", Organization: &clerk.Organization{Permissions: []string{"org:x:y"}}},
		"nil":             nil,
	} {
		assert.False(t, s.HasPermission("org:x:y"), name)
		assert.False(t, scopes.Permission("org:x:y").Satisfied(scopes.Grants{Session: s}), name)
	}
}

// TestSessionCloneSession: nothing in a clone shares memory with the original.
func TestSessionCloneSession(t *testing.T) {
	s := fullSession()
	c, ok := s.CloneSession().(*clerk.Session)
	require.True(t, ok)
	require.Equal(t, s, c)
	c.Subject = "x"
	c.Organization.ID, c.Organization.Permissions[0] = "x", "x"
	c.Features[0], c.Plans[0], c.FactorVerificationAge[0] = "x", "x", 99
	assert.Equal(t, fullSession(), s)

	assert.Equal(t, &clerk.Session{}, (&clerk.Session{}).CloneSession())
	var none *clerk.Session
	assert.Equal(t, none, none.CloneSession(), "a nil session's copy is a nil session")

	g := scopes.Grants{Scopes: []string{"a"}, Session: fullSession()}
	gc := g.Clone()
	gc.Session.(*clerk.Session).Organization.Permissions[0] = "x"
	assert.Equal(t, fullSession(), g.Session, "Grants.Clone copies the session deeply")
}

// writer is an application's requirement that writes into every part of the grants it is handed, as a
// careless one might.
type writer struct{}

func (writer) Satisfied(g scopes.Grants) bool {
	if s, ok := g.Session.(*clerk.Session); ok {
		s.Subject = "written"
		s.Features[0], s.Plans[0], s.FactorVerificationAge[0] = "written", "written", -1
		s.Organization.ID, s.Organization.Role, s.Organization.Permissions[0] = "written", "written", "written"
	}
	return true
}
func (writer) Scope() string  { return "" }
func (writer) String() string { return "writer" }

// TestCheckGivesApplicationRequirementsACopy: Check hands an application's requirement its own copy of the
// Clerk session, also beside this package's requirements in And and Or, so that the session a cache shares
// between requests stays as it was; this package's requirements read it in place.
func TestCheckGivesApplicationRequirementsACopy(t *testing.T) {
	g := scopes.Grants{Session: fullSession()}
	for _, req := range []scopes.Requirement{
		writer{},
		scopes.And(clerk.Role("admin"), writer{}, clerk.Feature("f")),
		scopes.Or(clerk.Plan("nope"), writer{}),
	} {
		assert.True(t, scopes.Check(req, g), req.String())
		assert.Equal(t, fullSession(), g.Session)
	}
	assert.True(t, scopes.Check(scopes.And(clerk.Role("admin"), clerk.Feature("f"), clerk.Plan("p"),
		clerk.ReverificationAfter(clerk.MultiFactor, 3), scopes.Permission("x:y")), g))
}
