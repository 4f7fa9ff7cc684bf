package bearer

import (
	"fmt"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
)

// A process that builds rules from request data cannot grow the set
// without end.
func TestDeclaredScopesAreBounded(t *testing.T) {
	var s scopeSet
	for i := range 3 * maxDeclaredScopes {
		s.add(fmt.Sprintf("scope:%d scope:%d:b", i, i))
	}
	assert.Len(t, s.union(nil), maxDeclaredScopes)
	assert.Len(t, s.union([]string{"configured", "configured"}), maxDeclaredScopes+1, "configured scopes always count, once")

	var short scopeSet
	short.add(strings.Repeat("s", maxDeclaredScopeBytes) + " " + strings.Repeat("l", maxDeclaredScopeBytes+1))
	assert.Equal(t, []string{strings.Repeat("s", maxDeclaredScopeBytes)}, short.union(nil), "a name over the bound is left out")
	before := short.changes()
	short.add(strings.Repeat("s", maxDeclaredScopeBytes))
	assert.Equal(t, before, short.changes(), "a name already held changes nothing")
	short.add("new")
	assert.NotEqual(t, before, short.changes())
}
