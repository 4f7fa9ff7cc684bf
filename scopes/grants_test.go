package scopes_test

import (
	"slices"
	"testing"

	"github.com/stretchr/testify/assert"

	"github.com/scopegate/scopegate/scopes"
)

func TestGrantsHas(t *testing.T) {
	g := scopes.Grants{
		Scopes:      []string{"read:messages", "write:messages"},
		Permissions: []string{"org:admin", "delete:users"},
	}
	tests := []struct {
		name           string
		value          string
		wantScope      bool
		wantPermission bool
	}{
		{"granted scope", "read:messages", true, false},
		{"granted permission", "org:admin", false, true},
		{"case matters", "Read:Messages", false, false},
		{"no prefix match", "read", false, false},
		{"no suffix match", "org:admin:example", false, false},
		{"surrounding space is not trimmed", " read:messages", false, false},
		{"empty name is never granted", "", false, false},
		{"two names are not one", "read:messages write:messages", false, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			assert.Equal(t, tt.wantScope, g.HasScope(tt.value), "HasScope")
			assert.Equal(t, tt.wantPermission, g.HasPermission(tt.value), "HasPermission")
		})
	}
}

func TestGrantsZeroValueGrantsNothing(t *testing.T) {
	var g scopes.Grants
	assert.False(t, g.HasScope("a"))
	assert.False(t, g.HasPermission("a"))
	assert.False(t, g.HasScope(""))
}

func TestGrantsEmptyNameNeverGrantedEvenIfListed(t *testing.T) {
	// Grants built by hand may hold an empty name; it still must not count as a grant.
	g := scopes.Grants{Scopes: []string{""}, Permissions: []string{""}}
	assert.False(t, g.HasScope(""))
	assert.False(t, g.HasPermission(""))
}

// testSession is a Session of permissions granted as asked, standing in for a provider's session model.
type testSession struct{ perms []string }

func (s *testSession) HasPermission(p string) bool { return slices.Contains(s.perms, p) }
func (s *testSession) CloneSession() scopes.Session {
	return &testSession{perms: slices.Clone(s.perms)}
}

// TestGrantsSession: HasPermission consults the session besides the permissions claim, and never for an
// empty name; scopes are not asked of it.
func TestGrantsSession(t *testing.T) {
	g := scopes.Grants{Permissions: []string{"read:users"}, Session: &testSession{perms: []string{"org:a:r", ""}}}
	assert.True(t, g.HasPermission("read:users"))
	assert.True(t, g.HasPermission("org:a:r"))
	assert.False(t, g.HasPermission("org:a:w"))
	assert.False(t, g.HasPermission(""), "an empty name is never granted, whatever the session says")
	assert.False(t, g.HasScope("org:a:r"))
	assert.True(t, scopes.Permission("read:users", "org:a:r").Satisfied(g))
	assert.True(t, scopes.AnyPermission("nope", "org:a:r").Satisfied(g))
	assert.False(t, scopes.All("org:a:r").Satisfied(g))
}
