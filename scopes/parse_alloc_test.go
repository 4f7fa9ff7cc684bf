//go:build !race

package scopes

import (
	"testing"

	"github.com/stretchr/testify/assert"
)

// The race detector changes allocation counts, hence the build constraint.
func TestFromClaimsAllocations(t *testing.T) {
	scope := []byte(`"openid profile email read:messages write:messages"`)
	scp := []byte(`["a","b"]`)
	perms := []byte(`["read:messages","write:messages","delete:messages","org:admin"]`)
	allocs := testing.AllocsPerRun(100, func() {
		if _, err := fromClaims(scope, scp, perms); err != nil {
			t.Fatal(err)
		}
	})
	assert.LessOrEqual(t, allocs, 2.0)

	allocs = testing.AllocsPerRun(100, func() {
		_, _ = fromClaims(nil, nil, nil)
	})
	assert.Zero(t, allocs)
}
