package jwks

import (
	"crypto"
	"crypto/ecdsa"
	"crypto/ed25519"
	"crypto/hmac"
	"crypto/rsa"
	"crypto/sha256"
	"crypto/sha512"
	"errors"
	"math/big"

	"github.com/scopegate/scopegate/internal/textsum"
)

// ErrSignature reports a signature that does not verify. It carries no detail
// on purpose: which step failed is of use to an attacker, not to the caller.
var ErrSignature = errors.New("jwks: signature is invalid")

// ErrAlgorithm reports an algorithm the key does not allow.
var ErrAlgorithm = errors.New("jwks: algorithm is not allowed for this key")

// Verify checks signature over signingInput (the ASCII "header.payload" of a
// compact JWS) with this key under alg.
func (k *Key) Verify(alg string, signingInput, signature []byte) error {
	if !k.Allows(alg) {
		return ErrAlgorithm
	}
	return k.verify(alg, signingInput, signature)
}

// VerifyString is Verify for a signing input held as a string, which is
// how a token arrives. Under the SHA-256 algorithms (RS256, PS256, ES256,
// the ones issuers use) the input is hashed from the string, without the
// copy a []byte conversion would make; the others take that copy.
func (k *Key) VerifyString(alg, signingInput string, signature []byte) error {
	if info, ok := algorithms[alg]; ok && info.hash == crypto.SHA256 && info.family != familyHMAC {
		if !k.Allows(alg) {
			return ErrAlgorithm
		}
		digest := textsum.SHA256(signingInput)
		return k.verifyDigest(info, digest[:], signature)
	}
	return k.Verify(alg, []byte(signingInput), signature)
}

// VerifyDigest is Verify for a caller that hashed the signing input
// itself, with DigestHash(alg): a server that needs the hash of a token's
// text as well (a DPoP proof's "ath") gets both from one pass over it.
// An algorithm without a digest form (EdDSA, HMAC) is ErrAlgorithm, and a
// digest of another length than the hash's is ErrSignature.
func (k *Key) VerifyDigest(alg string, digest, signature []byte) error {
	h, ok := DigestHash(alg)
	if !ok || !k.Allows(alg) {
		return ErrAlgorithm
	}
	if len(digest) != h.Size() {
		return ErrSignature
	}
	return k.verifyDigest(algorithms[alg], digest, signature)
}

// verify is Verify once the algorithm is allowed.
func (k *Key) verify(alg string, signingInput, signature []byte) error {
	info := algorithms[alg]
	switch info.family {
	case familyEdDSA:
		if !ed25519.Verify(k.public.(ed25519.PublicKey), signingInput, signature) {
			return ErrSignature
		}
		return nil
	case familyHMAC:
		mac := hmac.New(info.hash.New, k.secret)
		mac.Write(signingInput)
		if !hmac.Equal(mac.Sum(nil), signature) {
			return ErrSignature
		}
		return nil
	}
	return k.verifyDigest(info, sum(info.hash, signingInput), signature)
}

// verifyDigest checks a signature of the RSA and ECDSA families over the
// digest of its signing input.
func (k *Key) verifyDigest(info algorithmInfo, digest, signature []byte) error {
	switch info.family {
	case familyRSA:
		if rsa.VerifyPKCS1v15(k.public.(*rsa.PublicKey), info.hash, digest, signature) != nil {
			return ErrSignature
		}
	case familyRSAPSS:
		// RFC 7518 §3.5 fixes the salt to the hash length; accepting any
		// salt length would admit signatures the issuer never produced.
		opts := &rsa.PSSOptions{SaltLength: rsa.PSSSaltLengthEqualsHash, Hash: info.hash}
		if rsa.VerifyPSS(k.public.(*rsa.PublicKey), info.hash, digest, signature, opts) != nil {
			return ErrSignature
		}
	case familyECDSA:
		if !verifyECDSA(k.public.(*ecdsa.PublicKey), digest, signature) {
			return ErrSignature
		}
	default:
		return ErrAlgorithm
	}
	return nil
}

// verifyECDSA checks a JWS ECDSA signature, which is R and S as fixed-width
// big-endian integers (RFC 7518 §3.4), never ASN.1 DER: any other length is
// refused before the curve arithmetic, and so are zero values, which
// ecdsa.Verify also rejects but which are cheaper to refuse here.
func verifyECDSA(pub *ecdsa.PublicKey, digest, signature []byte) bool {
	size := (pub.Curve.Params().BitSize + 7) / 8
	if len(signature) != 2*size {
		return false
	}
	r := new(big.Int).SetBytes(signature[:size])
	s := new(big.Int).SetBytes(signature[size:])
	if r.Sign() == 0 || s.Sign() == 0 {
		return false
	}
	return ecdsa.Verify(pub, digest, r, s)
}

// sum hashes data with h. The fixed-size functions of the SHA-2 packages
// cost one allocation (the digest, which crypto/rsa and crypto/ecdsa keep
// hold of), where crypto.Hash.New and Sum(nil) cost two. The algorithms
// table uses no other hash; the generic path keeps sum total.
func sum(h crypto.Hash, data []byte) []byte {
	switch h {
	case crypto.SHA256:
		d := sha256.Sum256(data)
		return d[:]
	case crypto.SHA384:
		d := sha512.Sum384(data)
		return d[:]
	case crypto.SHA512:
		d := sha512.Sum512(data)
		return d[:]
	}
	hasher := h.New()
	hasher.Write(data)
	return hasher.Sum(nil)
}
