package token

import (
	"sync"
)

// Defaults of the verified-token cache.
const (
	// DefaultCacheEntries bounds how many verified tokens are remembered.
	DefaultCacheEntries = 10_000
	// DefaultCacheBytes bounds the memory they take, approximately.
	DefaultCacheBytes = 32 << 20
)

// tokenCache remembers tokens that passed every check, keyed by their exact
// text, so that a client presenting the same token again costs a map lookup
// and the time-based checks instead of a signature verification. Only
// verified tokens enter, so junk cannot fill it; it is bounded in entries and
// in bytes.
type tokenCache struct {
	mu         sync.RWMutex
	entries    map[string]*Token
	bytes      int
	maxEntries int
	maxBytes   int
}

// newTokenCache returns a cache, or nil when maxEntries is negative.
func newTokenCache(maxEntries, maxBytes int) *tokenCache {
	if maxEntries < 0 || maxBytes < 0 {
		return nil
	}
	if maxEntries == 0 {
		maxEntries = DefaultCacheEntries
	}
	if maxBytes == 0 {
		maxBytes = DefaultCacheBytes
	}
	return &tokenCache{entries: make(map[string]*Token), maxEntries: maxEntries, maxBytes: maxBytes}
}

// get returns the cached verification of raw, or nil.
func (c *tokenCache) get(raw string) *Token {
	c.mu.RLock()
	t := c.entries[raw]
	c.mu.RUnlock()
	return t
}

// put remembers t. When the cache is full it first drops entries that can
// no longer pass (expired at the given time), then arbitrary ones: Go's map
// iteration order is randomised, which makes the choice unpredictable to a
// client trying to evict others' tokens.
func (c *tokenCache) put(raw string, t *Token, expired func(*Token) bool) {
	size := entrySize(raw, t)
	if size > c.maxBytes {
		return
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	if _, ok := c.entries[raw]; ok {
		return
	}
	for len(c.entries) >= c.maxEntries || c.bytes+size > c.maxBytes {
		c.evictOne(expired)
	}
	c.entries[raw] = t
	c.bytes += size
}

// evictOne drops an expired entry among the first few the map yields, or
// else the first one.
func (c *tokenCache) evictOne(expired func(*Token) bool) {
	const scan = 8
	var victim string
	n := 0
	for raw, t := range c.entries {
		if n == 0 {
			victim = raw
		}
		if expired(t) {
			victim = raw
			break
		}
		if n++; n == scan {
			break
		}
	}
	c.deleteLocked(victim)
}

// remove forgets raw if it still maps to t.
func (c *tokenCache) remove(raw string, t *Token) {
	c.mu.Lock()
	if c.entries[raw] == t {
		c.deleteLocked(raw)
	}
	c.mu.Unlock()
}

// deleteLocked forgets raw; c.mu is held.
func (c *tokenCache) deleteLocked(raw string) {
	if t, ok := c.entries[raw]; ok {
		c.bytes -= entrySize(raw, t)
		delete(c.entries, raw)
	}
}

// len returns the number of cached tokens.
func (c *tokenCache) len() int {
	c.mu.RLock()
	defer c.mu.RUnlock()
	return len(c.entries)
}

// entrySize estimates the memory an entry holds: the token text (the map
// key), the decoded payload, the claim index and the fixed structures.
func entrySize(raw string, t *Token) int {
	const overhead = 512
	return len(raw) + len(t.Claims.raw) + len(t.Claims.members)*40 + overhead
}

// CachedTokens returns how many verified tokens the cache holds, for
// metrics; 0 when the cache is off.
func (v *Verifier) CachedTokens() int {
	if v.cache == nil {
		return 0
	}
	return v.cache.len()
}
