package token

import "unsafe"

// A token's and a proof's payload is decoded into a buffer of its own on
// the heap, and nothing writes to that buffer once it is decoded: the
// claims index it and the verified-token cache keeps it. The names and
// string values read from such a frozen buffer are borrowed from it rather
// than copied, so that reading a payload costs no allocation per string, or
// for the names: a string without escapes is its bytes in the payload as
// they stand. A string with escapes is decoded into an allocation of its
// own, which nothing writes to either.
//
// Borrowing is safe because Go strings are only ever read and the buffer is
// only ever read once decoded; the garbage collector keeps the buffer alive
// for as long as any string borrowed from it, as it does for substrings.

// borrowString returns b's bytes as a string without copying them. b must
// be part of a frozen buffer, or a fresh allocation nothing else refers to.
func borrowString(b []byte) string {
	return unsafe.String(unsafe.SliceData(b), len(b))
}

// readOnly returns the bytes of s without copying them, for a reader that
// keeps none of them (a decoder's input). Nothing may write to them: a Go
// string never changes.
func readOnly(s string) []byte {
	return unsafe.Slice(unsafe.StringData(s), len(s))
}
