package jwks

import (
	"crypto"
	"crypto/ecdsa"
	"crypto/ed25519"
	"crypto/elliptic"
	"crypto/rsa"
)

// Signature algorithms from RFC 7518 and RFC 8037 that the package can verify.
const (
	RS256 = "RS256"
	RS384 = "RS384"
	RS512 = "RS512"
	PS256 = "PS256"
	PS384 = "PS384"
	PS512 = "PS512"
	ES256 = "ES256"
	ES384 = "ES384"
	ES512 = "ES512"
	EdDSA = "EdDSA"
	HS256 = "HS256"
	HS384 = "HS384"
	HS512 = "HS512"
)

// AsymmetricAlgorithms lists every public-key algorithm the package verifies,
// in a stable order. It is the default allow-list for remote key sets.
func AsymmetricAlgorithms() []string {
	return []string{RS256, RS384, RS512, PS256, PS384, PS512, ES256, ES384, ES512, EdDSA}
}

// family groups algorithms by the kind of key they need.
type family int

const (
	familyUnknown family = iota
	familyRSA
	familyRSAPSS
	familyECDSA
	familyEdDSA
	familyHMAC
)

// algorithmInfo is what verification needs to know about one algorithm.
type algorithmInfo struct {
	family family
	hash   crypto.Hash
	curve  elliptic.Curve // ECDSA only: the one curve the algorithm allows
}

// algorithms maps each supported name to its parameters. Anything absent,
// "none" first of all, cannot be verified.
var algorithms = map[string]algorithmInfo{
	RS256: {family: familyRSA, hash: crypto.SHA256},
	RS384: {family: familyRSA, hash: crypto.SHA384},
	RS512: {family: familyRSA, hash: crypto.SHA512},
	PS256: {family: familyRSAPSS, hash: crypto.SHA256},
	PS384: {family: familyRSAPSS, hash: crypto.SHA384},
	PS512: {family: familyRSAPSS, hash: crypto.SHA512},
	ES256: {family: familyECDSA, hash: crypto.SHA256, curve: elliptic.P256()},
	ES384: {family: familyECDSA, hash: crypto.SHA384, curve: elliptic.P384()},
	ES512: {family: familyECDSA, hash: crypto.SHA512, curve: elliptic.P521()},
	EdDSA: {family: familyEdDSA},
	HS256: {family: familyHMAC, hash: crypto.SHA256},
	HS384: {family: familyHMAC, hash: crypto.SHA384},
	HS512: {family: familyHMAC, hash: crypto.SHA512},
}

// IsSupported reports whether alg names an algorithm the package can verify.
// Names are case-sensitive, as RFC 7515 requires: "rs256" and "None" are not
// algorithms.
func IsSupported(alg string) bool {
	_, ok := algorithms[alg]
	return ok
}

// DigestHash returns the hash of the algorithms whose signature covers a
// digest of the signing input, the RSA and ECDSA ones (for VerifyDigest),
// and false for EdDSA and HMAC, which sign or authenticate the input
// itself, and for unknown names.
func DigestHash(alg string) (crypto.Hash, bool) {
	info, ok := algorithms[alg]
	if !ok || info.family == familyEdDSA || info.family == familyHMAC {
		return 0, false
	}
	return info.hash, true
}

// IsSymmetric reports whether alg is an HMAC algorithm.
func IsSymmetric(alg string) bool {
	return algorithms[alg].family == familyHMAC
}

// fits reports whether a key of this material can verify alg at all, before
// any JWK "alg" pinning is considered.
func fits(alg string, public crypto.PublicKey, secret []byte) bool {
	info, ok := algorithms[alg]
	if !ok {
		return false
	}
	switch info.family {
	case familyRSA, familyRSAPSS:
		_, ok := public.(*rsa.PublicKey)
		return ok
	case familyECDSA:
		k, ok := public.(*ecdsa.PublicKey)
		return ok && k.Curve == info.curve
	case familyEdDSA:
		_, ok := public.(ed25519.PublicKey)
		return ok
	case familyHMAC:
		return secret != nil && len(secret) >= info.hash.Size()
	}
	return false
}
