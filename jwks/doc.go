// Package jwks supplies the keys that verify JWT signatures: static keys given
// by the application (a PEM public key, a JWK or JWK Set, an HMAC secret) and
// remote key sets fetched from an issuer's JWKS endpoint, found through OpenID
// Connect discovery or named explicitly, cached and refreshed.
//
// Every key passes the same hygiene rules before it can verify anything: it is
// meant for signatures, RSA keys have at least 2048 bits and a standard public
// exponent, elliptic curve points lie on their curve, HMAC secrets are at least
// as long as the hash they feed, and a remote key set never yields a symmetric
// key. Static keys that break a rule are refused when they are parsed; a remote
// key that breaks one is skipped while the rest of its set stays usable.
//
// The package knows nothing of HTTP frameworks or of JWT claims: it answers one
// question, "which key verifies a signature made with this kid and alg?".
package jwks
