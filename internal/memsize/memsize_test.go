package memsize

import (
	"runtime"
	"testing"

	"github.com/stretchr/testify/assert"
)

func TestAlloc(t *testing.T) {
	tests := []struct {
		n, want int
	}{
		{-1, 0}, {0, 0}, {1, 16}, {16, 16}, {17, 32}, {128, 128}, {129, 144}, {1000, 1072}, {16 << 10, 17 << 10},
	}
	for _, tt := range tests {
		assert.Equal(t, tt.want, Alloc(tt.n), "Alloc(%d)", tt.n)
	}
}

func TestList(t *testing.T) {
	assert.Equal(t, 0, List(nil))
	list := make([]string, 2, 4)                                  // 4 headers of 16 bytes
	list[0], list[1] = "read:messages", "write:messages-and-more" // 16 and 32
	assert.Equal(t, 64+16+32, List(list))
}

// The estimate stays within an eighth of what the allocator really hands
// out, for the sizes a token's parts have.
func TestAllocFollowsTheAllocator(t *testing.T) {
	for _, n := range []int{16, 40, 100, 300, 582, 881, 1500, 4095, 9000, 12287} {
		const count = 1024
		keep := make([][]byte, count)
		var before, after runtime.MemStats
		runtime.ReadMemStats(&before)
		for i := range keep {
			keep[i] = make([]byte, n)
		}
		runtime.ReadMemStats(&after)
		runtime.KeepAlive(keep)
		real := float64(after.TotalAlloc-before.TotalAlloc) / count
		assert.InEpsilon(t, real, float64(Alloc(n)), 0.125, "n=%d: allocator %.0f, estimate %d", n, real, Alloc(n))
	}
}
