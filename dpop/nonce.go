package dpop

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/base64"
	"encoding/binary"
	"errors"
	"fmt"
	"time"
)

// DefaultNonceLifetime is how long a server nonce stays acceptable unless
// NonceConfig.Lifetime says otherwise.
const DefaultNonceLifetime = 5 * time.Minute

// MinNonceSecretBytes is the shortest nonce secret accepted: HMAC-SHA256
// keys shorter than its output weaken it.
const MinNonceSecretBytes = 32

// nonceFutureSkew tolerates a nonce issued by an instance whose clock runs
// ahead of this one's.
const nonceFutureSkew = 30 * time.Second

// Why a nonce is refused; a client answers either by retrying with the
// nonce of the DPoP-Nonce header it receives.
var (
	ErrNonceInvalid = errors.New("dpop: nonce was not issued by this server")
	ErrNonceExpired = errors.New("dpop: nonce has expired")
)

// nonceLabel separates these MACs from anything else a shared secret might
// sign.
const nonceLabel = "scopegate dpop nonce v1\x00"

// nonceBytes is a nonce's length before encoding: an 8-byte issue time and
// 16 bytes of HMAC-SHA256 over it.
const nonceBytes = 8 + 16

// NonceConfig configures Nonces.
type NonceConfig struct {
	// Secret signs the nonces issued, at least MinNonceSecretBytes of
	// random bytes. Instances sharing it accept each other's nonces.
	Secret []byte
	// PreviousSecrets are still accepted, so that the secret can be
	// rotated without refusing the nonces clients hold.
	PreviousSecrets [][]byte
	// Lifetime is how long a nonce stays acceptable; default
	// DefaultNonceLifetime.
	Lifetime time.Duration
	// Now is the clock; default time.Now.
	Now func() time.Time
}

// Nonces issues and checks server nonces (RFC 9449 §8, §9) without keeping
// any state: a nonce is its issue time and a MAC over it, so a fleet
// sharing the secret needs no shared store, and a nonce expires by itself.
// It is safe for concurrent use.
type Nonces struct {
	secrets  [][]byte // the first issues; all verify
	lifetime time.Duration
	now      func() time.Time
}

// NewNonces validates cfg and returns its Nonces.
func NewNonces(cfg NonceConfig) (*Nonces, error) {
	n := &Nonces{lifetime: cfg.Lifetime, now: cfg.Now}
	for i, s := range append([][]byte{cfg.Secret}, cfg.PreviousSecrets...) {
		if len(s) < MinNonceSecretBytes {
			name := "Secret"
			if i > 0 {
				name = fmt.Sprintf("PreviousSecrets[%d]", i-1)
			}
			return nil, fmt.Errorf("dpop: nonce %s has %d bytes; use at least %d random bytes (openssl rand -base64 32)", name, len(s), MinNonceSecretBytes)
		}
		n.secrets = append(n.secrets, append([]byte(nil), s...))
	}
	if n.lifetime < 0 {
		return nil, fmt.Errorf("dpop: nonce Lifetime must not be negative (zero takes %s)", DefaultNonceLifetime)
	}
	if n.lifetime == 0 {
		n.lifetime = DefaultNonceLifetime
	}
	if n.now == nil {
		n.now = time.Now
	}
	return n, nil
}

// Issue returns a fresh nonce, for the DPoP-Nonce header.
func (n *Nonces) Issue() string {
	var raw [nonceBytes]byte
	binary.BigEndian.PutUint64(raw[:8], uint64(n.now().Unix()))
	copy(raw[8:], mac(n.secrets[0], raw[:8]))
	return base64.RawURLEncoding.EncodeToString(raw[:])
}

// Check reports whether nonce is one that these Nonces, or instances
// sharing a secret, issued within the lifetime: nil, ErrNonceInvalid or
// ErrNonceExpired.
func (n *Nonces) Check(nonce string) error {
	var raw [nonceBytes]byte
	if len(nonce) != base64.RawURLEncoding.EncodedLen(nonceBytes) {
		return ErrNonceInvalid
	}
	if _, err := base64.RawURLEncoding.Decode(raw[:], []byte(nonce)); err != nil {
		return ErrNonceInvalid
	}
	valid := false
	for _, s := range n.secrets {
		if hmac.Equal(raw[8:], mac(s, raw[:8])) {
			valid = true
			break
		}
	}
	if !valid {
		return ErrNonceInvalid
	}
	issued := time.Unix(int64(binary.BigEndian.Uint64(raw[:8])), 0)
	now := n.now()
	if issued.After(now.Add(nonceFutureSkew)) || now.Sub(issued) > n.lifetime {
		return ErrNonceExpired
	}
	return nil
}

// mac is the truncated HMAC-SHA256 of a nonce's issue time.
func mac(secret, issued []byte) []byte {
	h := hmac.New(sha256.New, secret)
	h.Write([]byte(nonceLabel))
	h.Write(issued)
	return h.Sum(nil)[:nonceBytes-8]
}
