//go:build !race

package clerk_test

import (
	"testing"

	"github.com/stretchr/testify/assert"

	"github.com/scopegate/scopegate/clerk"
	"github.com/scopegate/scopegate/scopes"
)

// TestCheckReadsInPlace: the requirements of this package are trusted to read the grants a cache shares, so
// Check decides on them without copying the session: it allocates no more than the requirement itself does,
// where a copy would allocate the session and its lists. The race detector changes allocation counts, hence
// the build constraint.
func TestCheckReadsInPlace(t *testing.T) {
	g := scopes.Grants{Session: fullSession()}
	for _, req := range []scopes.Requirement{
		clerk.Role("admin"), clerk.Reverification("strict"), clerk.Feature("f"), clerk.Plan("u:p"),
		scopes.And(clerk.Role("admin"), clerk.Feature("f"), clerk.Plan("u:p"), clerk.ReverificationAfter(clerk.FirstFactor, 5),
			scopes.Permission("org:x:y")),
	} {
		satisfied := testing.AllocsPerRun(100, func() { req.Satisfied(g) })
		checked := testing.AllocsPerRun(100, func() {
			if !scopes.Check(req, g) {
				t.Fatalf("%v not satisfied", req)
			}
		})
		assert.Equal(t, satisfied, checked, "%v", req)
	}
	role := clerk.Role("admin")
	assert.Zero(t, testing.AllocsPerRun(100, func() { scopes.Check(role, g) }))

	// An application's requirement gets the copy.
	assert.NotZero(t, testing.AllocsPerRun(100, func() { scopes.Check(writer{}, g) }))
}
