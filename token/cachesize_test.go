package token

import (
	"fmt"
	"slices"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/scopegate/scopegate/internal/memsize"
)

// A string borrowed from the payload costs the estimate nothing; one
// decoded on its own (escaped) costs its allocation.
func TestHeldApart(t *testing.T) {
	text := []byte(`{"sub":"user_1"}`)
	assert.Zero(t, heldApart(borrowString(text[8:14]), text))
	assert.Zero(t, heldApart("", text))
	assert.Equal(t, memsize.Alloc(6), heldApart(strings.Clone("user_1"), text))
}

// The estimate counts the claim index, the audience list only when it
// outgrew the Token's room, and names and strings only when they have
// escapes.
func TestEntrySizeCountsWhatIsNotInTheToken(t *testing.T) {
	build := func(payload string) *verified {
		t.Helper()
		data := []byte(payload)
		var scratch [32]member
		members, err := parseFrozen(scratch[:0], data, maxPayloadDepth)
		require.NoError(t, err)
		tok := &verified{claims: claimData{raw: data, members: slices.Clone(members)}}
		require.NoError(t, tok.claims.decodeRegistered())
		return tok
	}
	claims := func(n int) string {
		var b strings.Builder
		b.WriteString(`{"sub":"user_1","aud":["a","b"]`)
		for i := range n - 2 {
			fmt.Fprintf(&b, `,"c%02d":%d`, i, i)
		}
		b.WriteString("}")
		return b.String()
	}
	base := func(tok *verified) int {
		return mapSlotBytes + memsize.Alloc(len("raw")) + memsize.Alloc(sizeofVerified) + memsize.Alloc(cap(tok.claims.raw)) +
			memsize.Alloc(cap(tok.claims.members)*sizeofMember)
	}

	for _, n := range []int{2, 16, 40} {
		tok := build(claims(n))
		assert.Equal(t, base(tok), entrySize("raw", tok), "%d claims, two audiences in the room", n)
	}

	audiences := build(`{"aud":["a","b","c"]}`)
	assert.Equal(t, base(audiences)+memsize.Alloc(cap(audiences.claims.audience)*sizeofString), entrySize("raw", audiences))

	escaped := build(`{"s\u0075b":"us\u0065r_1"}`)
	assert.Equal(t, base(escaped)+memsize.Alloc(len("sub"))+memsize.Alloc(len("user_1")), entrySize("raw", escaped))
}
