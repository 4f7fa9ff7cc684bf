package token

import (
	"crypto"
	"fmt"
	"slices"
	"strings"
	"sync"

	"github.com/scopegate/scopegate/internal/textsum"
	"github.com/scopegate/scopegate/jwks"
)

// DefaultProofKeyCacheEntries is how many DPoP client keys a ProofVerifier
// remembers by default, each under the text of the proof header that
// carries it (a client sending one key under two header texts takes two
// entries). A client keeps one key for many requests, so the keys of the
// clients active in the last minutes are what matters; past the bound the
// oldest is forgotten and parsed again when it returns.
const DefaultProofKeyCacheEntries = 4096

// maxCachedHeaderBytes is the longest proof header a ProofVerifier
// remembers, as the base64url text it is sent in: with a 4096-bit RSA key
// it is about 1,050 characters, with an EC or OKP key under 400. Longer
// headers are verified all the same, only parsed each time, so that the
// cache's memory stays within entries × (this + the parsed key + a
// SHA-256 state of about 110 bytes).
const maxCachedHeaderBytes = 2048

// ProofConfig configures a ProofVerifier.
type ProofConfig struct {
	// MaxBytes caps a raw proof before any decoding; zero takes
	// DefaultMaxProofBytes.
	MaxBytes int
	// KeyCacheEntries bounds the client keys remembered, one entry per
	// proof header text; zero takes DefaultProofKeyCacheEntries, a
	// negative value remembers none.
	KeyCacheEntries int
	// Algorithms, when not empty, are the only proof algorithms accepted:
	// a proof under another is refused with ErrProofAlgorithm before its
	// signature is checked. Empty accepts every asymmetric algorithm of
	// package jwks (jwks.AsymmetricAlgorithms).
	Algorithms []string
}

// ProofVerifier verifies DPoP proofs as VerifyProof does, and remembers the
// public keys they carry once a proof they signed has verified in full
// (signature and claims; whether it fits the request and the token is the
// caller's to judge, so a client holding any valid proof can add its key:
// the bound keeps that from costing more than re-parsing evicted keys). A
// client signs every proof with one key under one header, so decoding that
// header, parsing its key and computing the key's thumbprint (as much as
// half of what a proof costs besides its signature) happens once per
// client rather than once per request; under the SHA-256 algorithms the
// header is hashed once too, and each later proof hashes only its payload.
// Keys are remembered by the exact
// text of the header that carries them, so a different text is a
// different key, decoded, parsed and checked anew. A ProofVerifier is safe
// for concurrent use.
type ProofVerifier struct {
	maxBytes   int
	keys       *proofKeyCache // nil when off
	algorithms []string       // nil: every one VerifyProof accepts
}

// NewProofVerifier checks cfg and returns a verifier.
func NewProofVerifier(cfg ProofConfig) (*ProofVerifier, error) {
	if cfg.MaxBytes < 0 {
		return nil, fmt.Errorf("token: ProofConfig.MaxBytes must not be negative (zero takes DefaultMaxProofBytes), got %d", cfg.MaxBytes)
	}
	for _, alg := range cfg.Algorithms {
		if !jwks.IsSupported(alg) || jwks.IsSymmetric(alg) {
			return nil, fmt.Errorf("token: ProofConfig.Algorithms entry %q is not an asymmetric algorithm; use some of %s", alg, strings.Join(jwks.AsymmetricAlgorithms(), ", "))
		}
	}
	v := &ProofVerifier{maxBytes: cfg.MaxBytes}
	if len(cfg.Algorithms) > 0 {
		// Cloned only when set: an empty list, cloned, would be a non-nil
		// list that accepts nothing.
		v.algorithms = slices.Clone(cfg.Algorithms)
	}
	switch {
	case cfg.KeyCacheEntries == 0:
		v.keys = newProofKeyCache(DefaultProofKeyCacheEntries)
	case cfg.KeyCacheEntries > 0:
		v.keys = newProofKeyCache(cfg.KeyCacheEntries)
	}
	return v, nil
}

// Verify checks the form and the signature of a DPoP proof as VerifyProof
// does, under the configured algorithms only.
func (v *ProofVerifier) Verify(raw string) (Proof, error) {
	return verifyProof(raw, v.maxBytes, v.keys, v.algorithms)
}

// CachedKeys returns the number of client keys remembered: one per proof
// header text.
func (v *ProofVerifier) CachedKeys() int {
	if v.keys == nil {
		return 0
	}
	v.keys.mu.RLock()
	defer v.keys.mu.RUnlock()
	return len(v.keys.entries)
}

// proofKey is what a proof's header establishes: the algorithm it names,
// and its key, parsed, with the key's RFC 7638 thumbprint. headerState,
// when the cache holds the key and the algorithm hashes with SHA-256, is
// the hash's state after "header.", the start of every signing input under
// that header: a client's next proofs hash only their payload (with an RSA
// key the header is two thirds of the signing input).
type proofKey struct {
	algorithm   string
	key         *jwks.Key
	thumbprint  string
	headerState []byte
}

// proofKeyCache remembers proof keys by the text of the header that
// carries them, at most limit of them, forgetting the oldest first.
type proofKeyCache struct {
	mu      sync.RWMutex
	entries map[string]proofKey
	order   []string // ring of the remembered texts, in arrival order
	next    int      // where the next arrival goes in order
}

func newProofKeyCache(limit int) *proofKeyCache {
	return &proofKeyCache{entries: make(map[string]proofKey), order: make([]string, 0, limit)}
}

// get returns the key remembered for header; a nil cache remembers
// nothing.
func (c *proofKeyCache) get(header string) (proofKey, bool) {
	if c == nil {
		return proofKey{}, false
	}
	c.mu.RLock()
	k, ok := c.entries[header]
	c.mu.RUnlock()
	return k, ok
}

// put remembers k for the header of parts, forgetting the oldest key when
// full. The header is copied: it is a slice of a request's header value,
// which would otherwise stay alive with it.
func (c *proofKeyCache) put(parts compact, k proofKey) {
	header := parts.header
	if c == nil || len(header) > maxCachedHeaderBytes {
		return
	}
	if h, ok := jwks.DigestHash(k.algorithm); ok && h == crypto.SHA256 {
		k.headerState = textsum.Prefix(parts.signingInput[:len(header)+1])
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	if _, ok := c.entries[header]; ok {
		return // a concurrent request remembered it first
	}
	text := strings.Clone(header)
	if len(c.order) < cap(c.order) {
		c.order = append(c.order, text)
	} else {
		delete(c.entries, c.order[c.next])
		c.order[c.next] = text
		c.next = (c.next + 1) % len(c.order)
	}
	c.entries[text] = k
}
