package jwks

import (
	"crypto"
	"crypto/ecdsa"
	"crypto/ed25519"
	"crypto/rsa"
	"errors"
	"fmt"
	"math/big"
	"slices"
)

// MinRSABits is the smallest RSA modulus the package accepts (RFC 7518 §3.3
// and NIST SP 800-131A both retire anything shorter).
const MinRSABits = 2048

// Key is one verification key. Build it with ParsePEM, ParseJWK, ParseJWKS,
// NewHMACKey or NewPublicKey, which check it; a Key is immutable afterwards and
// safe to share between goroutines.
type Key struct {
	id        string
	algorithm string
	public    crypto.PublicKey
	secret    []byte
}

// ID returns the key's "kid", or "" when it has none.
func (k *Key) ID() string { return k.id }

// Algorithm returns the algorithm the key is pinned to, or "" when any
// algorithm that fits its type may use it.
func (k *Key) Algorithm() string { return k.algorithm }

// Public returns a copy of the public key (*rsa.PublicKey, *ecdsa.PublicKey
// or ed25519.PublicKey), or nil for an HMAC key. It is a copy because the
// key verifies every token of its issuer: nothing its caller does to the
// value may change what verifies.
func (k *Key) Public() crypto.PublicKey {
	switch pub := k.public.(type) {
	case *rsa.PublicKey:
		return &rsa.PublicKey{N: new(big.Int).Set(pub.N), E: pub.E}
	case *ecdsa.PublicKey:
		b, err := pub.Bytes()
		if err != nil {
			return nil // checked when the key was built: it cannot fail
		}
		c, err := ecdsa.ParseUncompressedPublicKey(pub.Curve, b)
		if err != nil {
			return nil
		}
		return c
	case ed25519.PublicKey:
		return slices.Clone(pub)
	}
	return nil
}

// IsSymmetric reports whether the key is an HMAC secret.
func (k *Key) IsSymmetric() bool { return k.secret != nil }

// Allows reports whether a token signed with alg may be verified by this key:
// the algorithm is supported, fits the key's type and size, and equals the
// key's pinned algorithm when it has one (RFC 8725 §3.1: one key, one
// algorithm where the issuer says so).
func (k *Key) Allows(alg string) bool {
	if k.algorithm != "" && k.algorithm != alg {
		return false
	}
	return fits(alg, k.public, k.secret)
}

// NewPublicKey wraps a public key given as a Go value, checks it, and pins it
// to alg when alg is not empty.
func NewPublicKey(public crypto.PublicKey, kid, alg string) (*Key, error) {
	k := &Key{id: kid, algorithm: alg, public: public}
	if err := k.check(); err != nil {
		return nil, err
	}
	return k, nil
}

// NewHMACKey wraps a shared secret for HS256, HS384 or HS512. The secret must
// be at least as long as the hash output (RFC 7518 §3.2): a shorter secret is
// guessable offline from any token it signed.
func NewHMACKey(secret []byte, kid, alg string) (*Key, error) {
	info, ok := algorithms[alg]
	if !ok || info.family != familyHMAC {
		return nil, fmt.Errorf("%w: an HMAC secret needs alg HS256, HS384 or HS512, not %q", ErrInvalidKey, alg)
	}
	if len(secret) < info.hash.Size() {
		return nil, fmt.Errorf("%w: an %s secret must be at least %d bytes, got %d: generate one with `openssl rand -base64 %d`",
			ErrWeakKey, alg, info.hash.Size(), len(secret), info.hash.Size())
	}
	// Copy so that the caller clearing or reusing its buffer cannot change the key.
	return &Key{id: kid, algorithm: alg, secret: append([]byte(nil), secret...)}, nil
}

// Errors describing why a key was refused.
var (
	// ErrWeakKey reports an RSA key below MinRSABits or with a non-standard
	// public exponent, or an HMAC secret shorter than its hash.
	ErrWeakKey = errors.New("jwks: key is too weak")
	// ErrInvalidKey reports key material that is not a usable public key:
	// points off their curve, unsupported types, private keys.
	ErrInvalidKey = errors.New("jwks: key is not a valid public key")
	// ErrNotForSignatures reports a JWK whose "use" or "key_ops" exclude
	// signature verification.
	ErrNotForSignatures = errors.New("jwks: key is not meant for signature verification")
)

// check applies the key hygiene rules shared by every source.
func (k *Key) check() error {
	if k.algorithm != "" && !IsSupported(k.algorithm) {
		return fmt.Errorf("%w: algorithm %q is not supported", ErrInvalidKey, k.algorithm)
	}
	switch pub := k.public.(type) {
	case *rsa.PublicKey:
		if pub.N == nil || pub.N.BitLen() < MinRSABits {
			bits := 0
			if pub.N != nil {
				bits = pub.N.BitLen()
			}
			return fmt.Errorf("%w: RSA key has %d bits, at least %d are required", ErrWeakKey, bits, MinRSABits)
		}
		// Exponents below 65537 (3 above all) invite the low-exponent attacks
		// on PKCS#1 v1.5 signature verification; even exponents are not RSA.
		if pub.E < 65537 || pub.E%2 == 0 {
			return fmt.Errorf("%w: RSA public exponent must be odd and at least 65537", ErrWeakKey)
		}
	case *ecdsa.PublicKey:
		if pub.Curve == nil || pub.X == nil || pub.Y == nil {
			return fmt.Errorf("%w: incomplete EC key", ErrInvalidKey)
		}
		if p := pub.Curve.Params().Name; p != "P-256" && p != "P-384" && p != "P-521" {
			return fmt.Errorf("%w: curve %s is not supported", ErrInvalidKey, p)
		}
		// ECDH validates that the point lies on its curve and is not the
		// point at infinity; an off-curve point enables invalid-curve attacks.
		if _, err := pub.ECDH(); err != nil {
			return fmt.Errorf("%w: EC point is not on its curve", ErrInvalidKey)
		}
	case ed25519.PublicKey:
		if len(pub) != ed25519.PublicKeySize {
			return fmt.Errorf("%w: Ed25519 key must be %d bytes", ErrInvalidKey, ed25519.PublicKeySize)
		}
	case nil:
		if k.secret == nil {
			return fmt.Errorf("%w: no key material", ErrInvalidKey)
		}
	default:
		return fmt.Errorf("%w: unsupported key type %T", ErrInvalidKey, k.public)
	}
	if k.algorithm != "" && !fits(k.algorithm, k.public, k.secret) {
		return fmt.Errorf("%w: algorithm %s does not fit this key", ErrInvalidKey, k.algorithm)
	}
	return nil
}

// sameAs reports whether two keys have the same kid, algorithm and material.
func (k *Key) sameAs(other *Key) bool {
	if k.id != other.id || k.algorithm != other.algorithm || (k.secret == nil) != (other.secret == nil) {
		return false
	}
	if k.secret != nil {
		return string(k.secret) == string(other.secret)
	}
	type equaler interface{ Equal(crypto.PublicKey) bool }
	e, ok := k.public.(equaler)
	return ok && e.Equal(other.public)
}
