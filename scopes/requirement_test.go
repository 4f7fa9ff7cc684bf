package scopes_test

import (
	"errors"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/scopegate/scopegate/scopes"
)

func TestRequirementSatisfied(t *testing.T) {
	g := scopes.Grants{
		Scopes:      []string{"read:messages", "write:messages", "openid"},
		Permissions: []string{"org:admin:example", "delete:users"},
	}
	tests := []struct {
		name string
		req  scopes.Requirement
		want bool
	}{
		{"All one granted", scopes.All("read:messages"), true},
		{"All every argument counts", scopes.All("read:messages", "delete:messages"), false},
		{"All several granted", scopes.All("openid", "read:messages", "write:messages"), true},
		{"All repeated name", scopes.All("openid", "openid"), true},
		{"All case-sensitive", scopes.All("Read:Messages"), false},
		{"All ignores permissions", scopes.All("delete:users"), false},
		{"Any one of them", scopes.Any("delete:messages", "write:messages"), true},
		{"Any none", scopes.Any("delete:messages", "admin"), false},
		{"Any ignores permissions", scopes.Any("org:admin:example"), false},
		{"Permission granted", scopes.Permission("org:admin:example"), true},
		{"Permission all required", scopes.Permission("org:admin:example", "create:users"), false},
		{"Permission ignores scopes", scopes.Permission("read:messages"), false},
		{"AnyPermission one", scopes.AnyPermission("create:users", "delete:users"), true},
		{"AnyPermission none", scopes.AnyPermission("create:users"), false},
		{"And all hold", scopes.And(scopes.All("openid"), scopes.Permission("delete:users")), true},
		{"And one fails", scopes.And(scopes.All("openid"), scopes.Permission("create:users")), false},
		{"Or one holds", scopes.Or(scopes.All("admin"), scopes.Permission("delete:users")), true},
		{"Or none holds", scopes.Or(scopes.All("admin"), scopes.Permission("create:users")), false},
		{"nested", scopes.Or(scopes.And(scopes.All("admin"), scopes.Any("openid")), scopes.And(scopes.Any("x", "openid"))), true},

		// Invalid requirements are never satisfied, even when the grants hold every valid name.
		{"All empty", scopes.All(), false},
		{"All with empty name", scopes.All("openid", ""), false},
		{"All with space", scopes.All("read:messages write:messages"), false},
		{"Any empty", scopes.Any(), false},
		{"Any with one invalid name", scopes.Any("openid", "a b"), false},
		{"Permission empty", scopes.Permission(), false},
		{"AnyPermission empty", scopes.AnyPermission(), false},
		{"And empty", scopes.And(), false},
		{"Or empty", scopes.Or(), false},
		{"And with nil", scopes.And(scopes.All("openid"), nil), false},
		{"Or with invalid branch", scopes.Or(scopes.All("openid"), scopes.All()), false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			assert.Equal(t, tt.want, tt.req.Satisfied(g))
		})
	}
}

func TestRequirementNeverSatisfiedByNoGrants(t *testing.T) {
	for _, r := range []scopes.Requirement{
		scopes.All("a"), scopes.Any("a"), scopes.Permission("a"), scopes.AnyPermission("a"),
		scopes.And(scopes.All("a")), scopes.Or(scopes.All("a")),
	} {
		assert.False(t, r.Satisfied(scopes.Grants{}), r.String())
	}
}

func TestRequirementScopeAndString(t *testing.T) {
	tests := []struct {
		req       scopes.Requirement
		wantScope string
		wantStr   string
	}{
		{scopes.All("a", "b"), "a b", "all of scopes [a b]"},
		{scopes.All("a", "b", "a"), "a b", "all of scopes [a b]"},
		{scopes.Any("a", "b"), "a b", "any of scopes [a b]"},
		{scopes.Permission("org:admin"), "org:admin", "all of permissions [org:admin]"},
		{scopes.AnyPermission("p", "q"), "p q", "any of permissions [p q]"},
		{scopes.And(scopes.All("a"), scopes.Permission("p")), "a p", "(all of scopes [a] and all of permissions [p])"},
		{scopes.Or(scopes.All("a", "b"), scopes.Any("b", "c")), "a b c", "(all of scopes [a b] or any of scopes [b c])"},
		{scopes.And(scopes.Any("x")), "x", "any of scopes [x]"},
		{scopes.All(), "", "all of scopes []"},
		{scopes.And(nil, scopes.All("a")), "a", "(<nil> and all of scopes [a])"},
	}
	for _, tt := range tests {
		t.Run(tt.wantStr, func(t *testing.T) {
			assert.Equal(t, tt.wantScope, tt.req.Scope())
			assert.Equal(t, tt.wantStr, tt.req.String())
		})
	}
}

func TestValidate(t *testing.T) {
	tests := []struct {
		name    string
		req     scopes.Requirement
		wantErr string // "" when valid
	}{
		{"All", scopes.All("read:messages"), ""},
		{"every scope-token character", scopes.All("!#$%&'()*+,-./09:;<=>?@AZ[]^_`az{|}~"), ""},
		{"URL-like scope", scopes.Any("https://api.example.com/read"), ""},
		{"Permission", scopes.Permission("org:admin:example"), ""},
		{"And of valid", scopes.And(scopes.All("a"), scopes.Or(scopes.Any("b"), scopes.AnyPermission("c"))), ""},
		{"nil", nil, "scopes: invalid requirement: nil requirement"},
		{"All()", scopes.All(), "scopes: invalid requirement: All(): no scope given"},
		{"Any()", scopes.Any(), "scopes: invalid requirement: Any(): no scope given"},
		{"Permission()", scopes.Permission(), "scopes: invalid requirement: Permission(): no permission given"},
		{"AnyPermission()", scopes.AnyPermission(), "scopes: invalid requirement: AnyPermission(): no permission given"},
		{"empty name", scopes.All("a", ""), `scopes: invalid requirement: All("a", ""): argument 2: empty name`},
		{"space", scopes.All("a b"), `scopes: invalid requirement: All("a b"): argument 1: "a b" contains ' ', which is not an RFC 6749 scope-token character`},
		{"tab", scopes.Any("a\tb"), `scopes: invalid requirement: Any("a\tb"): argument 1: "a\tb" contains '\t', which is not an RFC 6749 scope-token character`},
		{"quote", scopes.Permission(`a"b`), `scopes: invalid requirement: Permission("a\"b"): argument 1: "a\"b" contains '"', which is not an RFC 6749 scope-token character`},
		{"backslash", scopes.AnyPermission(`a\b`), `scopes: invalid requirement: AnyPermission("a\\b"): argument 1: "a\\b" contains '\\', which is not an RFC 6749 scope-token character`},
		{"non-ASCII", scopes.All("lire", "écrire"), `scopes: invalid requirement: All("lire", "écrire"): argument 2: "écrire" contains 'é', which is not an RFC 6749 scope-token character`},
		{"DEL", scopes.All("a\x7f"), `scopes: invalid requirement: All("a\x7f"): argument 1: "a\x7f" contains '\x7f', which is not an RFC 6749 scope-token character`},
		{"And()", scopes.And(), "scopes: invalid requirement: And(): no requirement given"},
		{"Or()", scopes.Or(), "scopes: invalid requirement: Or(): no requirement given"},
		{"And with nil", scopes.And(scopes.All("a"), nil), "scopes: invalid requirement: And argument 2: nil requirement"},
		{"Or with invalid", scopes.Or(scopes.All("a"), scopes.Any()), "scopes: invalid requirement: Or argument 2: Any(): no scope given"},
		{"nested", scopes.And(scopes.Or(scopes.All(""))), `scopes: invalid requirement: And argument 1: Or argument 1: All(""): argument 1: empty name`},
		{"custom without Err", custom{scope: "x"}, ""},
		{"custom with nil Err", checkedCustom{custom: custom{scope: "x"}}, ""},
		{"custom with Err", checkedCustom{custom: custom{scope: "x"}, err: errCustom}, "scopes: invalid requirement: custom: custom is broken"},
		{"custom inside And", scopes.And(checkedCustom{err: errCustom}), "scopes: invalid requirement: And argument 1: custom: custom is broken"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := scopes.Validate(tt.req)
			if tt.wantErr == "" {
				assert.NoError(t, err)
				return
			}
			require.Error(t, err)
			assert.ErrorIs(t, err, scopes.ErrInvalidRequirement)
			assert.Equal(t, tt.wantErr, err.Error())
		})
	}
}

func TestValidateKeepsCustomError(t *testing.T) {
	err := scopes.Validate(scopes.Or(scopes.All("a"), checkedCustom{err: errCustom}))
	assert.ErrorIs(t, err, errCustom)
	assert.ErrorIs(t, err, scopes.ErrInvalidRequirement)
}

func TestMust(t *testing.T) {
	r := scopes.All("a")
	assert.Same(t, r, scopes.Must(r))
	assert.PanicsWithError(t, "scopes: invalid requirement: All(): no scope given", func() { scopes.Must(scopes.All()) })
}

func TestConstructorsCopyArguments(t *testing.T) {
	names := []string{"a", "b"}
	r := scopes.All(names...)
	names[1] = "c"
	assert.Equal(t, "a b", r.Scope())
	assert.True(t, r.Satisfied(scopes.Grants{Scopes: []string{"a", "b"}}))

	reqs := []scopes.Requirement{scopes.All("a"), scopes.All("b")}
	c := scopes.And(reqs...)
	reqs[1] = scopes.All("c")
	assert.Equal(t, "a b", c.Scope())
	assert.True(t, c.Satisfied(scopes.Grants{Scopes: []string{"a", "b"}}))
}

func TestCombinationWithCustomRequirement(t *testing.T) {
	c := scopes.Or(scopes.All("a"), custom{scope: "role:admin", ok: true})
	assert.Equal(t, "a role:admin", c.Scope())
	assert.True(t, c.Satisfied(scopes.Grants{}))
	assert.False(t, scopes.And(scopes.All("a"), custom{ok: true}).Satisfied(scopes.Grants{}))
}

var errCustom = errors.New("custom is broken")

// custom is a requirement written outside the package.
type custom struct {
	scope string
	ok    bool
}

func (c custom) Satisfied(scopes.Grants) bool { return c.ok }
func (c custom) Scope() string                { return c.scope }
func (c custom) String() string               { return "custom" }

// checkedCustom also reports construction mistakes.
type checkedCustom struct {
	custom
	err error
}

func (c checkedCustom) Err() error { return c.err }
