package token

import (
	"unsafe"

	"github.com/scopegate/scopegate/internal/memsize"
)

// Sizes the cache's estimate is built from. They are those of the types
// involved, so that the estimate follows the structures if they change.
const (
	sizeofVerified = int(unsafe.Sizeof(verified{}))
	sizeofMember   = int(unsafe.Sizeof(member{}))
	// mapSlotBytes is what one entry costs the map itself: its key and
	// value words, control byte and the spare room of a table that grows
	// by doubling (between 7/16 and 7/8 full), about 48 bytes on 64-bit.
	mapSlotBytes = 2 * int(unsafe.Sizeof("")+unsafe.Sizeof((*verified)(nil)))
)

// entrySize estimates the memory a cached entry keeps alive, excluding
// what a layer derived from it (derivedBytes, counted apart): the
// token text (the map key), the map slot, the Token, its header and claim
// strings, the decoded payload and the claim index. Heap allocations are
// rounded up to the allocator's size classes, as memsize.Alloc approximates.
func entrySize(raw string, t *verified) int {
	c, h := &t.claims, &t.header
	return mapSlotBytes + memsize.Alloc(len(raw)) + memsize.Alloc(sizeofVerified) +
		memsize.Strings(h.Algorithm, h.KeyID, h.Type, h.Category) +
		memsize.Alloc(cap(c.raw)) + memsize.Alloc(cap(c.members)*sizeofMember) + memsize.Alloc(c.namesLen()) +
		memsize.Strings(c.issuer, c.subject, c.id, c.authorizedParty, c.clientID) + memsize.List(c.audience)
}

// namesLen is the length of the text the claim names share (the scanner
// keeps them back to back in one string).
func (c *claimData) namesLen() int {
	n := 0
	for _, m := range c.members {
		n += len(m.name)
	}
	return n
}
