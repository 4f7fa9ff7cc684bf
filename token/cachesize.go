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
	sizeofString   = int(unsafe.Sizeof(""))
	// mapSlotBytes is what one entry costs the map itself: its key and
	// value words, control byte and the spare room of a table that grows
	// by doubling (between 7/16 and 7/8 full), about 48 bytes on 64-bit.
	mapSlotBytes = 2 * int(unsafe.Sizeof("")+unsafe.Sizeof((*verified)(nil)))
)

// entrySize estimates the memory a cached entry keeps alive, excluding
// what a layer derived from it (derivedBytes, counted apart): the
// token text (the map key), the map slot, the Token, its header strings,
// the decoded payload, the claim index, the audience list when it outgrew
// the Token's room for it, and the claim names and strings that are not
// borrowed from the payload (see borrowString). Heap
// allocations are rounded up to the allocator's size classes, as
// memsize.Alloc approximates.
func entrySize(raw string, t *verified) int {
	c, h := &t.claims, &t.header
	n := mapSlotBytes + memsize.Alloc(len(raw)) + memsize.Alloc(sizeofVerified) +
		memsize.Strings(h.Algorithm, h.KeyID, h.Type, h.Category) + memsize.Alloc(cap(c.raw)) +
		memsize.Alloc(cap(c.members)*sizeofMember)
	if cap(c.audience) > 0 && &c.audience[:1][0] != &c.audienceRoom[0] {
		n += memsize.Alloc(cap(c.audience) * sizeofString)
	}
	for _, m := range c.members {
		n += heldApart(m.name, c.raw)
	}
	for _, s := range [...]string{c.issuer, c.subject, c.id, c.authorizedParty, c.clientID} {
		n += heldApart(s, c.raw)
	}
	for _, s := range c.audience {
		n += heldApart(s, c.raw)
	}
	return n
}

// heldApart estimates the heap memory s holds apart from the buffer text:
// nothing for a string borrowed from it, an allocation of its own for any
// other (one with escapes, decoded on its own).
func heldApart(s string, text []byte) int {
	if s == "" {
		return 0
	}
	p := uintptr(unsafe.Pointer(unsafe.StringData(s)))
	start := uintptr(unsafe.Pointer(unsafe.SliceData(text)))
	if p >= start && p+uintptr(len(s)) <= start+uintptr(len(text)) {
		return 0
	}
	return memsize.Alloc(len(s))
}
