package token

import (
	"sync"
	"sync/atomic"
)

// Defaults of the verified-token cache.
const (
	// DefaultCacheEntries bounds how many verified tokens are remembered.
	DefaultCacheEntries = 10_000
	// DefaultCacheBytes bounds the memory they take: the token text, the
	// verified token and what a layer above derives from it (bearer's
	// auth object), as estimated by the cache.
	DefaultCacheBytes = 32 << 20
)

// tokenCache remembers tokens that passed every check, keyed by their exact
// text, so that a client presenting the same token again costs a map lookup
// and the time-based checks instead of a signature verification. Only
// verified tokens enter, so junk cannot fill it; it is bounded in entries and
// in bytes.
type tokenCache struct {
	mu         sync.RWMutex
	entries    map[string]*verified
	bytes      int
	maxEntries int
	maxBytes   int
	// expired reports an entry that can no longer pass; full caches drop
	// such entries first.
	expired func(*verified) bool

	hits, misses, evictions atomic.Uint64
}

// newTokenCache returns a cache, or nil when maxEntries is negative.
func newTokenCache(maxEntries, maxBytes int, expired func(*verified) bool) *tokenCache {
	if maxEntries < 0 || maxBytes < 0 {
		return nil
	}
	if maxEntries == 0 {
		maxEntries = DefaultCacheEntries
	}
	if maxBytes == 0 {
		maxBytes = DefaultCacheBytes
	}
	return &tokenCache{
		entries:    make(map[string]*verified),
		maxEntries: maxEntries,
		maxBytes:   maxBytes,
		expired:    expired,
	}
}

// get returns the cached verification of raw, or nil.
func (c *tokenCache) get(raw string) *verified {
	c.mu.RLock()
	t := c.entries[raw]
	c.mu.RUnlock()
	return t
}

// put remembers t. When the cache is full it first drops entries that can
// no longer pass, then arbitrary ones: Go's map iteration order is
// randomised, which makes the choice unpredictable to a client trying to
// evict others' tokens.
func (c *tokenCache) put(raw string, t *verified) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if _, ok := c.entries[raw]; ok {
		return
	}
	t.cache = c
	size := entrySize(raw, t)
	if size > c.maxBytes {
		return
	}
	for len(c.entries) >= c.maxEntries || c.bytes+size > c.maxBytes {
		c.evictOne()
	}
	c.entries[raw] = t
	t.cached = true
	c.bytes += size
}

// charge adds what a layer derived from t to the cache's byte count, while
// t is cached, and evicts until the count is within its bound again.
func (c *tokenCache) charge(t *verified, bytes int) {
	c.mu.Lock()
	defer c.mu.Unlock()
	t.derivedBytes = bytes
	if !t.cached {
		return
	}
	c.bytes += bytes
	for c.bytes > c.maxBytes && len(c.entries) > 0 {
		c.evictOne()
	}
}

// evictOne drops an expired entry among the first few the map yields, or
// else the first one; c.mu is held.
func (c *tokenCache) evictOne() {
	const scan = 8
	var victim string
	n := 0
	for raw, t := range c.entries {
		if n == 0 {
			victim = raw
		}
		if c.expired(t) {
			victim = raw
			break
		}
		if n++; n == scan {
			break
		}
	}
	c.deleteLocked(victim)
	c.evictions.Add(1)
}

// remove forgets raw if it still maps to t.
func (c *tokenCache) remove(raw string, t *verified) {
	c.mu.Lock()
	if c.entries[raw] == t {
		c.deleteLocked(raw)
	}
	c.mu.Unlock()
}

// deleteLocked forgets raw; c.mu is held. The size subtracted is the one
// added: entrySize depends only on the entry and on derivedBytes, which
// changes under c.mu.
func (c *tokenCache) deleteLocked(raw string) {
	if t, ok := c.entries[raw]; ok {
		c.bytes -= entrySize(raw, t) + t.derivedBytes
		t.cached = false
		delete(c.entries, raw)
	}
}

// CacheStats describes the verified-token cache, for metrics.
type CacheStats struct {
	// Entries is how many verified tokens the cache holds.
	Entries int
	// Bytes is the memory they hold, as the cache estimates it; it stays
	// within Config.CacheBytes.
	Bytes int
	// Hits and Misses count lookups since the verifier was built: a hit is
	// a token found in the cache that passed its re-check, a miss one that
	// was verified in full (a stale entry included). Tokens refused before
	// the lookup (too large) count as neither.
	Hits, Misses uint64
	// Evictions counts entries dropped to make room.
	Evictions uint64
}

// CacheStats returns the state of the verified-token cache; the zero value
// when the cache is off.
func (v *Verifier) CacheStats() CacheStats {
	c := v.cache
	if c == nil {
		return CacheStats{}
	}
	c.mu.RLock()
	s := CacheStats{Entries: len(c.entries), Bytes: c.bytes}
	c.mu.RUnlock()
	s.Hits, s.Misses, s.Evictions = c.hits.Load(), c.misses.Load(), c.evictions.Load()
	return s
}
