package remember

import (
	"errors"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
)

var errRefused = errors.New("refused")

// A full cache drops a stale entry before a live one.
func TestCacheEvictsStaleFirst(t *testing.T) {
	c := newCache[string](2)
	now := time.Unix(1_800_000_000, 0)
	stale, live, next := [32]byte{1}, [32]byte{2}, [32]byte{3}
	c.put(stale, entry[string]{err: errRefused, until: now.Add(time.Second)}, now)
	c.put(live, entry[string]{err: errRefused, until: now.Add(time.Hour)}, now)
	later := now.Add(time.Minute)
	c.put(next, entry[string]{err: errRefused, until: later.Add(time.Hour)}, later)
	assert.Equal(t, 2, c.len())
	_, ok := c.get(live, later)
	assert.True(t, ok, "the live entry stays")
	_, ok = c.get(next, later)
	assert.True(t, ok)
}

// Bounded: however many distinct keys arrive, at most the bound is held.
func TestCacheBound(t *testing.T) {
	c := newCache[string](16)
	now := time.Unix(1_800_000_000, 0)
	for i := range 1000 {
		c.put([32]byte{byte(i), byte(i >> 8)}, entry[string]{err: errRefused, until: now.Add(time.Hour)}, now)
		assert.LessOrEqual(t, c.len(), 16)
	}
	assert.Nil(t, newCache[string](0), "no bound, no cache")
	assert.Nil(t, newCache[string](-1))
}
