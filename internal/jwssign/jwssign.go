// Package jwssign computes JWS signatures (RFC 7515) with the standard
// library's crypto alone: the one signing primitive behind authtest's tokens
// and the tests that forge their own, so that every signature a test makes
// is made the same way and independently of the verifier under test.
//
// It imports nothing of this module, so that any package's tests can use it,
// internal tests included, without an import cycle. Its errors name no
// package: the caller's own prefix says where they arose.
package jwssign

import (
	"crypto"
	"crypto/ecdsa"
	"crypto/ed25519"
	"crypto/hmac"
	"crypto/rand"
	"crypto/rsa"
	"encoding/asn1"
	"errors"
	"fmt"
	"math/big"
)

// Sign returns the JWS signature of input under alg, the bytes that
// base64url-encoded form a compact token's third segment.
//
// key is a [crypto.Signer] for the RS*, PS*, ES* and EdDSA (or Ed25519, its
// fully-specified name) algorithms and a []byte secret for HS256, HS384 and
// HS512; with alg "none" it is ignored and the signature is empty. PS*
// signatures use a salt as long as the hash (RFC 7518 §3.5). ECDSA
// signatures take the fixed-size R||S form of RFC 7518 §3.4, sized by the
// key's curve, not by alg, so that a test can sign ES256 with a P-384 key.
func Sign(alg string, key any, input []byte) ([]byte, error) {
	switch alg {
	case "none":
		return nil, nil
	case "HS256", "HS384", "HS512":
		secret, ok := key.([]byte)
		if !ok {
			return nil, fmt.Errorf("%s signs with a []byte secret, not %T", alg, key)
		}
		mac := hmac.New(hashOf(alg).New, secret)
		mac.Write(input)
		return mac.Sum(nil), nil
	}

	signer, ok := key.(crypto.Signer)
	if !ok {
		return nil, fmt.Errorf("%s signs with a crypto.Signer, not %T", alg, key)
	}
	pub := signer.Public()
	switch alg {
	case "RS256", "RS384", "RS512", "PS256", "PS384", "PS512":
		if _, ok := pub.(*rsa.PublicKey); !ok {
			return nil, fmt.Errorf("%s needs an RSA key, not %T", alg, pub)
		}
		h := hashOf(alg)
		var opts crypto.SignerOpts = h
		if alg[0] == 'P' {
			// RFC 7518 §3.5 fixes the salt to the hash's length, which is
			// also what verifiers that auto-detect it accept.
			opts = &rsa.PSSOptions{SaltLength: rsa.PSSSaltLengthEqualsHash, Hash: h}
		}
		return signer.Sign(rand.Reader, digest(h, input), opts)
	case "ES256", "ES384", "ES512":
		ec, ok := pub.(*ecdsa.PublicKey)
		if !ok {
			return nil, fmt.Errorf("%s needs an ECDSA key, not %T", alg, pub)
		}
		h := hashOf(alg)
		der, err := signer.Sign(rand.Reader, digest(h, input), h)
		if err != nil {
			return nil, fmt.Errorf("%s sign: %w", alg, err)
		}
		return fixedFromDER(der, (ec.Curve.Params().BitSize+7)/8)
	case "EdDSA", "Ed25519":
		if _, ok := pub.(ed25519.PublicKey); !ok {
			return nil, fmt.Errorf("%s needs an Ed25519 key, not %T", alg, pub)
		}
		// Ed25519 hashes the message itself; crypto.Hash(0) says so.
		return signer.Sign(rand.Reader, input, crypto.Hash(0))
	default:
		return nil, fmt.Errorf("cannot sign with algorithm %q", alg)
	}
}

// FixedRS encodes an ECDSA signature as JWS wants it (RFC 7518 §3.4): R and
// S as big-endian integers, each left-padded to size bytes, the curve's
// byte size, and concatenated. It checks neither value, so that tests can
// encode zero, the group order or a high S; it panics when one does not fit
// in size bytes.
func FixedRS(r, s *big.Int, size int) []byte {
	out := make([]byte, 2*size)
	r.FillBytes(out[:size])
	s.FillBytes(out[size:])
	return out
}

// fixedFromDER turns the ASN.1 signature every crypto.Signer returns for
// ECDSA into the JWS form; verifiers reject the DER form.
func fixedFromDER(der []byte, size int) ([]byte, error) {
	var sig struct{ R, S *big.Int }
	rest, err := asn1.Unmarshal(der, &sig)
	if err != nil || len(rest) != 0 {
		return nil, errors.New("ECDSA signer returned a malformed signature")
	}
	if sig.R.Sign() <= 0 || sig.S.Sign() <= 0 || sig.R.BitLen() > size*8 || sig.S.BitLen() > size*8 {
		return nil, errors.New("ECDSA signer returned an out-of-range signature")
	}
	return FixedRS(sig.R, sig.S, size), nil
}

// hashOf returns the hash an RS, PS, ES or HS algorithm name ends in.
func hashOf(alg string) crypto.Hash {
	switch alg[len(alg)-3:] {
	case "384":
		return crypto.SHA384
	case "512":
		return crypto.SHA512
	default:
		return crypto.SHA256
	}
}

func digest(h crypto.Hash, input []byte) []byte {
	w := h.New()
	w.Write(input)
	return w.Sum(nil)
}
