// Package textsum hashes text held as a string without copying it to the
// heap: a token arrives as a string, and []byte(s) of one costs as much as
// a third of hashing it. jwks hashes a token's signing input this way and
// bearer a token's whole text, for a DPoP proof's "ath".
package textsum

import "crypto/sha256"

// SHA256 returns the SHA-256 of s, which goes through a buffer on the
// stack a chunk at a time.
func SHA256(s string) [sha256.Size]byte {
	d := sha256.New()
	var buf [512]byte
	for len(s) > 0 {
		n := copy(buf[:], s)
		d.Write(buf[:n])
		s = s[n:]
	}
	var sum [sha256.Size]byte
	d.Sum(sum[:0])
	return sum
}
