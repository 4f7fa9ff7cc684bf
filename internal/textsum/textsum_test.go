package textsum

import (
	"crypto/sha256"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// The sum of every length, around SHA-256's block size and multiples of it,
// is crypto/sha256's of the same bytes; hashing allocates nothing.
func TestSHA256(t *testing.T) {
	text := strings.Repeat("eyJhbGciOiJSUzI1NiJ9.", 100)
	for _, n := range []int{0, 1, 63, 64, 511, 512, 513, 1023, 1024, 1025, len(text)} {
		assert.Equal(t, sha256.Sum256([]byte(text[:n])), SHA256(text[:n]), n)
	}
	assert.Zero(t, testing.AllocsPerRun(10, func() { SHA256(text) }))
}

// Resuming from a prefix's state gives the sum of the whole text, for
// prefixes that end inside a block, on its edge and many blocks in, and
// allocates nothing; a state that is not one is refused.
func TestSHA256After(t *testing.T) {
	text := strings.Repeat("eyJ0eXAiOiJkcG9wK2p3dCJ9.", 60)
	for _, cut := range []int{0, 1, 55, 63, 64, 65, 511, 512, 513, 1000} {
		state := Prefix(text[:cut])
		for _, end := range []int{cut, cut + 1, cut + 64, min(cut+513, len(text)), len(text)} {
			got, err := SHA256After(state, text[cut:end])
			require.NoError(t, err)
			assert.Equal(t, sha256.Sum256([]byte(text[:end])), got, "prefix %d, end %d", cut, end)
		}
	}
	state := Prefix(text[:100])
	assert.Zero(t, testing.AllocsPerRun(10, func() { _, _ = SHA256After(state, text[100:]) }))
	_, err := SHA256After([]byte("not a state"), text)
	assert.Error(t, err)
}
