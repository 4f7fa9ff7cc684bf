package syncbuf_test

import (
	"fmt"
	"strings"
	"sync"
	"testing"

	"github.com/stretchr/testify/assert"

	"github.com/scopegate/scopegate/internal/syncbuf"
)

// TestBufferConcurrentWrites: writers in several goroutines while another
// reads; each write lands whole, and go test -race finds no race.
func TestBufferConcurrentWrites(t *testing.T) {
	var buf syncbuf.Buffer
	const writers, lines = 8, 100
	var wg sync.WaitGroup
	for w := range writers {
		wg.Go(func() {
			for i := range lines {
				fmt.Fprintf(&buf, "writer %d line %d\n", w, i)
			}
		})
	}
	wg.Go(func() {
		for range lines {
			_ = buf.String()
		}
	})
	wg.Wait()

	got := strings.Split(strings.TrimSuffix(buf.String(), "\n"), "\n")
	assert.Len(t, got, writers*lines)
	for _, line := range got {
		assert.Regexp(t, `^writer \d line \d+$`, line)
	}
}
