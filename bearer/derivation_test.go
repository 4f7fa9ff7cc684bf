package bearer

import (
	"testing"

	"github.com/stretchr/testify/assert"
	requires "github.com/stretchr/testify/require"

	"github.com/scopegate/scopegate/internal/memsize"
	"github.com/scopegate/scopegate/token"
)

// A refusal keeps nothing of what was built before it: the cache keeps a
// refused token's derivation beside it and counts the derivation alone.
func TestRefusedDerivationHoldsNothing(t *testing.T) {
	claims, err := token.NewClaims([]byte(`{"iss":"https://issuer.example/","sub":"user_1","scope":"a b",` +
		`"permissions":["p"],"act":{"sub":"admin"},"cnf":{"x5t#S256":"bwcK0esc3ACC3DB2Y5_lESsXE8o9ltc05O89jdN-dg2"}}`))
	requires.NoError(t, err)
	d := (&Authenticator{}).derive(claims)
	requires.Equal(t, descOtherBinding, d.description)
	assert.Nil(t, d.auth.session)
	assert.Nil(t, d.session.grants.Scopes)
	assert.Nil(t, d.session.grants.Permissions)
	assert.Nil(t, d.session.actor)
	assert.True(t, d.session.claims.IsZero())
	assert.True(t, d.claims.claims.IsZero())
	assert.Equal(t, memsize.Alloc(sizeofDerivation), d.retainedBytes())
}
