// Package tokenhook gives package bearer ways into a verified token that are
// no part of package token's public API: keeping what it derives from the
// token beside the token's cached verification, counted against the same
// byte bound, and reading the claims without copying them, with the same
// strict JSON reader that verified them rather than encoding/json's
// reflection, which costs a verification more than its parsing. Package
// token sets every hook when it is initialised.
package tokenhook

// Derive returns what compute derives from the verification behind tok, a
// token.Token: computed once per verification, shared by every caller while
// the verification stays cached, and charged, with the bytes compute
// reports, against the cache's byte bound. The value must be treated as
// immutable. compute is handed tok and arg back: a function that captures
// nothing, with its state in arg, costs no allocation on the calls that
// find the value already derived, which is every call but the first.
var Derive func(tok any, compute func(tok, arg any) (value any, bytes int), arg any) any

// Claim returns the name and raw JSON value of the i-th claim of claims, a
// token.Claims, in token order, and false past the last. The value is the
// verified payload itself, shared by every request presenting the token:
// the caller may read it and keep it, but must never change it nor hand
// it out. (An index rather than a callback: a closure handed to a hook
// escapes, and this runs at every token's first sight.)
var Claim func(claims any, i int) (name string, raw []byte, ok bool)

// String decodes raw, one JSON string value of a verified token's claims,
// with the verifier's strict reader. A string without escapes is borrowed
// from the claims' payload, which never changes, at no allocation; one with
// escapes costs one. Another JSON type is an error.
var String func(raw []byte) (string, error)

// Member returns the raw JSON value of the member name of object, a JSON
// object value of a verified token's claims (nil when it has none), and how
// many members object has. It is an error when object is not a JSON
// object. The value aliases object.
var Member func(object []byte, name string) (value []byte, members int, err error)

// TextHash returns the SHA-256 of raw, and true, when tok, a token.Token,
// was verified from exactly that text and the verifier hashed it with the
// signature's digest (a token bound to a key, under RS256, PS256 or
// ES256); false otherwise, when the caller hashes raw itself. A validator
// plugged in place of the verifier may have verified another text than
// the request's: its hash is never taken for raw's.
var TextHash func(tok any, raw string) ([32]byte, bool)
