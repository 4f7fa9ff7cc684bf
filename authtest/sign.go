package authtest

import (
	"crypto"
	"crypto/ecdsa"
	"crypto/ed25519"
	"crypto/hmac"
	"crypto/rand"
	"crypto/rsa"
	"encoding/asn1"
	"encoding/base64"
	"fmt"
	"math/big"
)

// SignRaw signs header and payload exactly as given — they need not be JSON,
// let alone valid JSON — and returns the compact serialisation
// base64url(header) "." base64url(payload) "." base64url(signature). It is for
// adversarial tests whose tokens no JSON encoder would produce: duplicate
// keys, invalid UTF-8, a header that is an array.
//
// key is a [crypto.Signer] for the RS*, PS*, ES* and EdDSA (or Ed25519, its
// fully-specified name) algorithms and a
// []byte secret for HS256, HS384 and HS512; with alg "none" it is ignored and
// the signature is empty. The alg argument only chooses how to sign: it is
// not checked against the header, so a token can claim one algorithm and be
// signed with another. ECDSA signatures take the fixed-size R||S form of
// RFC 7518 §3.4, sized by the key's curve, not by alg.
func SignRaw(alg string, key any, header, payload []byte) (string, error) {
	enc := base64.RawURLEncoding
	input := enc.EncodeToString(header) + "." + enc.EncodeToString(payload)
	sig, err := signature(alg, key, []byte(input))
	if err != nil {
		return "", err
	}
	return input + "." + enc.EncodeToString(sig), nil
}

func signature(alg string, key any, input []byte) ([]byte, error) {
	switch alg {
	case "none":
		return nil, nil
	case "HS256", "HS384", "HS512":
		secret, ok := key.([]byte)
		if !ok {
			return nil, fmt.Errorf("authtest: %s signs with a []byte secret, not %T", alg, key)
		}
		mac := hmac.New(hashOf(alg).New, secret)
		mac.Write(input)
		return mac.Sum(nil), nil
	}

	signer, ok := key.(crypto.Signer)
	if !ok {
		return nil, fmt.Errorf("authtest: %s signs with a crypto.Signer, not %T", alg, key)
	}
	pub := signer.Public()
	switch alg {
	case "RS256", "RS384", "RS512", "PS256", "PS384", "PS512":
		if _, ok := pub.(*rsa.PublicKey); !ok {
			return nil, fmt.Errorf("authtest: %s needs an RSA key, not %T", alg, pub)
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
			return nil, fmt.Errorf("authtest: %s needs an ECDSA key, not %T", alg, pub)
		}
		h := hashOf(alg)
		der, err := signer.Sign(rand.Reader, digest(h, input), h)
		if err != nil {
			return nil, fmt.Errorf("authtest: %s sign: %w", alg, err)
		}
		return fixedRS(der, (ec.Curve.Params().BitSize+7)/8)
	case "EdDSA", "Ed25519":
		if _, ok := pub.(ed25519.PublicKey); !ok {
			return nil, fmt.Errorf("authtest: %s needs an Ed25519 key, not %T", alg, pub)
		}
		// Ed25519 hashes the message itself; crypto.Hash(0) says so.
		return signer.Sign(rand.Reader, input, crypto.Hash(0))
	default:
		return nil, fmt.Errorf("authtest: cannot sign with algorithm %q", alg)
	}
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

// fixedRS turns the ASN.1 signature every crypto.Signer returns for ECDSA
// into the JWS form: R and S as big-endian integers, each padded to the
// curve's size, concatenated. Verifiers reject the DER form.
func fixedRS(der []byte, size int) ([]byte, error) {
	var sig struct{ R, S *big.Int }
	rest, err := asn1.Unmarshal(der, &sig)
	if err != nil || len(rest) != 0 {
		return nil, fmt.Errorf("authtest: ECDSA signer returned a malformed signature")
	}
	if sig.R.Sign() <= 0 || sig.S.Sign() <= 0 || sig.R.BitLen() > size*8 || sig.S.BitLen() > size*8 {
		return nil, fmt.Errorf("authtest: ECDSA signer returned an out-of-range signature")
	}
	out := make([]byte, 2*size)
	sig.R.FillBytes(out[:size])
	sig.S.FillBytes(out[size:])
	return out, nil
}
