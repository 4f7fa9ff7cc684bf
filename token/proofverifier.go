package token

import (
	"fmt"
	"sync"

	"github.com/scopegate/scopegate/jwks"
)

// DefaultProofKeyCacheEntries is how many DPoP client keys a ProofVerifier
// remembers by default. A client keeps one key for many requests, so the
// keys of the clients active in the last minutes are what matters; past
// the bound the oldest is forgotten and parsed again when it returns.
const DefaultProofKeyCacheEntries = 4096

// maxCachedKeyBytes is the largest "jwk" a ProofVerifier remembers: a
// 4096-bit RSA key is about 740 bytes, an EC or OKP key under 200. Larger
// keys are verified all the same, only parsed each time, so that the
// cache's memory stays within entries × (this + the parsed key).
const maxCachedKeyBytes = 1536

// ProofConfig configures a ProofVerifier.
type ProofConfig struct {
	// MaxBytes caps a raw proof before any decoding; zero takes
	// DefaultMaxProofBytes.
	MaxBytes int
	// KeyCacheEntries bounds the client keys remembered; zero takes
	// DefaultProofKeyCacheEntries, a negative value remembers none.
	KeyCacheEntries int
}

// ProofVerifier verifies DPoP proofs as VerifyProof does, and remembers the
// public keys they carry once a proof they signed has verified in full
// (signature and claims; whether it fits the request and the token is the
// caller's to judge, so a client holding any valid proof can add its key:
// the bound keeps that from costing more than re-parsing evicted keys). A client
// signs every proof with one key, so parsing that key and computing its
// thumbprint (as much as a third of a proof's cost) happens once per client
// rather than once per request. Keys are remembered by their exact JSON
// text, so a different text is a different key, parsed and checked anew.
// A ProofVerifier is safe for concurrent use.
type ProofVerifier struct {
	maxBytes int
	keys     *proofKeyCache // nil when off
}

// NewProofVerifier checks cfg and returns a verifier.
func NewProofVerifier(cfg ProofConfig) (*ProofVerifier, error) {
	if cfg.MaxBytes < 0 {
		return nil, fmt.Errorf("token: ProofConfig.MaxBytes must not be negative (zero takes DefaultMaxProofBytes), got %d", cfg.MaxBytes)
	}
	v := &ProofVerifier{maxBytes: cfg.MaxBytes}
	switch {
	case cfg.KeyCacheEntries == 0:
		v.keys = newProofKeyCache(DefaultProofKeyCacheEntries)
	case cfg.KeyCacheEntries > 0:
		v.keys = newProofKeyCache(cfg.KeyCacheEntries)
	}
	return v, nil
}

// Verify checks the form and the signature of a DPoP proof, exactly as
// VerifyProof does.
func (v *ProofVerifier) Verify(raw string) (Proof, error) {
	return verifyProof(raw, v.maxBytes, v.keys)
}

// CachedKeys returns the number of client keys remembered.
func (v *ProofVerifier) CachedKeys() int {
	if v.keys == nil {
		return 0
	}
	v.keys.mu.RLock()
	defer v.keys.mu.RUnlock()
	return len(v.keys.entries)
}

// proofKey is a proof's parsed key and its RFC 7638 thumbprint.
type proofKey struct {
	key        *jwks.Key
	thumbprint string
}

// proofKeyCache remembers parsed proof keys by their JSON text, at most
// limit of them, forgetting the oldest first.
type proofKeyCache struct {
	mu      sync.RWMutex
	entries map[string]proofKey
	order   []string // ring of the remembered texts, in arrival order
	next    int      // where the next arrival goes in order
}

func newProofKeyCache(limit int) *proofKeyCache {
	return &proofKeyCache{entries: make(map[string]proofKey), order: make([]string, 0, limit)}
}

// get returns the key remembered for jwk; a nil cache remembers nothing.
func (c *proofKeyCache) get(jwk []byte) (proofKey, bool) {
	if c == nil {
		return proofKey{}, false
	}
	c.mu.RLock()
	k, ok := c.entries[string(jwk)]
	c.mu.RUnlock()
	return k, ok
}

// put remembers k for jwk, forgetting the oldest key when full.
func (c *proofKeyCache) put(jwk []byte, k proofKey) {
	if c == nil || len(jwk) > maxCachedKeyBytes {
		return
	}
	text := string(jwk)
	c.mu.Lock()
	defer c.mu.Unlock()
	if _, ok := c.entries[text]; ok {
		return // a concurrent request remembered it first
	}
	if len(c.order) < cap(c.order) {
		c.order = append(c.order, text)
	} else {
		delete(c.entries, c.order[c.next])
		c.order[c.next] = text
		c.next = (c.next + 1) % len(c.order)
	}
	c.entries[text] = k
}
