package dpop

import (
	"context"
	"crypto/sha256"
	"encoding/base64"
	"errors"
	"time"
)

// ReplayStore remembers the DPoP proofs a server has accepted, so that each
// is accepted once (RFC 9449 §11.1). Instances of one API share a store
// (Redis, say) so that a proof accepted by one is refused by the others.
//
// Implementations must be safe for concurrent use and must decide
// atomically: of two concurrent calls with one id, exactly one reports the
// id fresh.
type ReplayStore interface {
	// Use records id as used for at least ttl and reports whether it was
	// already recorded (a replay). The id is ReplayID's: 43 characters,
	// whatever the proof held. An error refuses the request with 503: a
	// proof that cannot be checked is not accepted.
	Use(ctx context.Context, id string, ttl time.Duration) (replayed bool, err error)
}

// ErrStoreFull is the error of a MemoryReplayStore that holds as many
// proofs as it may and none of them has expired yet: accepting another
// would mean forgetting one that could still be replayed.
var ErrStoreFull = errors.New("dpop: replay store is full")

// ReplayID is the identifier a ReplayStore keeps for a proof: the base64url
// SHA-256 of the thumbprint of the key that signed it and its "jti". It is
// scoped to the key, so that two clients choosing one jti do not collide,
// and of fixed length, so that a store's memory per entry does not depend
// on what a client sends.
func ReplayID(keyThumbprint, jti string) string {
	// Built on the stack: this runs on every DPoP request, and a proof's
	// jti is short (a UUID, or 16 to 32 random bytes encoded).
	var buf [256]byte
	var sum [sha256.Size]byte
	if len(keyThumbprint)+1+len(jti) <= len(buf) {
		in := append(append(append(buf[:0], keyThumbprint...), 0), jti...)
		sum = sha256.Sum256(in)
	} else {
		h := sha256.New()
		h.Write([]byte(keyThumbprint))
		h.Write([]byte{0})
		h.Write([]byte(jti))
		h.Sum(sum[:0])
	}
	var id [43]byte
	return string(base64.RawURLEncoding.AppendEncode(id[:0], sum[:]))
}
