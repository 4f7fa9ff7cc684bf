package token

import (
	"strings"
	"sync"
)

// headerCacheEntries bounds the headers a Verifier remembers. An issuer
// signs every token under one header per key (Auth0's and Clerk's differ
// only by "kid"), so a few dozen cover every issuer of a deployment and
// its key rotations.
const headerCacheEntries = 64

// maxCachedHeaderText is the longest header text remembered; real headers
// are under 200 characters.
const maxCachedHeaderText = 512

// headerCache remembers the headers of verified tokens by their base64url
// text: decoding and parsing a header then costs a first sight nothing
// after the first token of its key. The same text always decodes to the
// same header, so nothing is skipped that could fail. Only the header of a
// token whose signature verified is remembered, so junk cannot fill it;
// past its bound it starts afresh rather than track which header is
// oldest.
type headerCache struct {
	mu      sync.RWMutex
	entries map[string]Header
}

// get returns the header remembered for text.
func (c *headerCache) get(text string) (Header, bool) {
	c.mu.RLock()
	h, ok := c.entries[text]
	c.mu.RUnlock()
	return h, ok
}

// put remembers h for text, which is copied, so that the token it is part
// of is not kept alive.
func (c *headerCache) put(text string, h Header) {
	if len(text) > maxCachedHeaderText {
		return
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.entries == nil || len(c.entries) >= headerCacheEntries {
		c.entries = make(map[string]Header, headerCacheEntries)
	}
	c.entries[strings.Clone(text)] = h
}
