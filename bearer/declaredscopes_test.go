package bearer

import (
	"fmt"
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
}
