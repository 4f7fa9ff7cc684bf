package textsum

import (
	"crypto/sha256"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
)

// The sum of every length around the buffer's, chunk boundaries included,
// is crypto/sha256's of the same bytes; hashing allocates nothing.
func TestSHA256(t *testing.T) {
	text := strings.Repeat("eyJhbGciOiJSUzI1NiJ9.", 100)
	for _, n := range []int{0, 1, 63, 64, 511, 512, 513, 1023, 1024, 1025, len(text)} {
		assert.Equal(t, sha256.Sum256([]byte(text[:n])), SHA256(text[:n]), n)
	}
	assert.Zero(t, testing.AllocsPerRun(10, func() { SHA256(text) }))
}
