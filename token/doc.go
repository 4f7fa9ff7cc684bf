// Package token verifies compact JWS access tokens into claims, with the
// checks an API needs and nothing it must not do: algorithms pinned and never
// "none", the issuer matched exactly and before any key is fetched, the
// audience required, expiry required, time claims within a small skew,
// unknown critical headers refused, keys never taken from the token itself,
// and a size cap applied before any decoding.
//
// Parsing is the package's own strict path over the standard library's
// crypto: base64url without padding or stray bits, header and payload as JSON
// objects in valid UTF-8 with no duplicate member at any depth, and claim
// names matched case-sensitively. Keys come from package jwks, which uses
// go-jose for JWK handling.
//
// The package knows nothing of HTTP frameworks; a Verifier's ValidateToken
// method fits go-jwt-middleware's jwtmiddleware.ValidateToken.
package token
