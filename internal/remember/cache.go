package remember

import (
	"sync"
	"time"
)

// entry is one remembered answer: a value, or the error a refusal gave.
// The value is never handed out as is by the packages using this one:
// they clone it for each caller; errors are immutable.
type entry[T any] struct {
	value  *T
	err    error
	until  time.Time
	shared *Shared
}

// cache remembers answers by the SHA-256 of their token, so that neither
// memory nor a heap dump holds a token, and every key is the same small
// size whatever clients send. It is bounded in entries.
type cache[T any] struct {
	mu      sync.RWMutex
	entries map[[32]byte]entry[T]
	max     int
}

// newCache returns a cache of at most maxEntries, or nil (no cache) when
// maxEntries is negative or zero.
func newCache[T any](maxEntries int) *cache[T] {
	if maxEntries <= 0 {
		return nil
	}
	return &cache[T]{entries: make(map[[32]byte]entry[T]), max: maxEntries}
}

// get returns the answer remembered for key while it is still good at now.
// A stale entry is left for put to overwrite or evict, so that lookups take
// only the read lock.
func (c *cache[T]) get(key [32]byte, now time.Time) (entry[T], bool) {
	if c == nil {
		return entry[T]{}, false
	}
	c.mu.RLock()
	e, ok := c.entries[key]
	c.mu.RUnlock()
	if !ok || !now.Before(e.until) {
		return entry[T]{}, false
	}
	return e, true
}

// put remembers e under key. When the cache is full it drops a stale entry
// among the first few the map yields, or else the first of them: Go
// randomises map iteration, so the choice costs O(1) and a client cannot
// predict it to push other clients' tokens out.
func (c *cache[T]) put(key [32]byte, e entry[T], now time.Time) {
	if c == nil {
		return
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	if _, ok := c.entries[key]; !ok {
		for len(c.entries) >= c.max {
			c.evictOne(now)
		}
	}
	c.entries[key] = e
}

// evictOne drops one entry; c.mu is held and the map is not empty.
func (c *cache[T]) evictOne(now time.Time) {
	const scan = 8
	var victim [32]byte
	n := 0
	for key, e := range c.entries {
		if n == 0 {
			victim = key
		}
		if !now.Before(e.until) {
			victim = key
			break
		}
		if n++; n == scan {
			break
		}
	}
	delete(c.entries, victim)
}

// len returns how many entries are held, stale ones included.
func (c *cache[T]) len() int {
	if c == nil {
		return 0
	}
	c.mu.RLock()
	defer c.mu.RUnlock()
	return len(c.entries)
}
