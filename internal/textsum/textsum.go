// Package textsum hashes text held as a string without copying it: a token
// arrives as a string, and []byte(s) of one costs as much as a third of
// hashing it. jwks hashes a token's signing input this way,
// bearer a token's whole text for a DPoP proof's "ath", and token the
// payload of a proof whose header it hashed before (Prefix, SHA256After).
package textsum

import (
	"crypto/sha256"
	"encoding"
	"hash"
	"unsafe"
)

// SHA256 returns the SHA-256 of s.
func SHA256(s string) [sha256.Size]byte {
	return sha256.Sum256(readOnly(s))
}

// Write writes s to h, which must be one of the standard library's hashes:
// they read what they are given and keep none of it. (Small enough to be
// inlined, so that a digest made by the caller stays on its stack.)
func Write(h hash.Hash, s string) {
	h.Write(readOnly(s))
}

// readOnly returns the bytes of s without copying them, for a hash to read.
// Nothing may write to them: a Go string never changes.
func readOnly(s string) []byte {
	return unsafe.Slice(unsafe.StringData(s), len(s))
}

// Prefix returns the state of SHA-256 once it has hashed prefix, for
// SHA256After: text that starts the same way each time (a client's DPoP
// proofs all start with one header) is then hashed from where the prefix
// ends.
func Prefix(prefix string) []byte {
	d := sha256.New()
	Write(d, prefix)
	// crypto/sha256's digests are BinaryMarshalers, and marshalling one
	// cannot fail.
	state, err := d.(encoding.BinaryMarshaler).MarshalBinary()
	if err != nil {
		panic("textsum: SHA-256 state: " + err.Error())
	}
	return state
}

// SHA256After returns the SHA-256 of the prefix whose state Prefix
// returned followed by s: the same sum as SHA256(prefix + s), without
// hashing prefix again. A state Prefix did not return is an error.
func SHA256After(state []byte, s string) ([sha256.Size]byte, error) {
	var sum [sha256.Size]byte
	d := sha256.New()
	if err := d.(encoding.BinaryUnmarshaler).UnmarshalBinary(state); err != nil {
		return sum, err
	}
	Write(d, s)
	d.Sum(sum[:0])
	return sum, nil
}
