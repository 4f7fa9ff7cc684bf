package jwks

import "strings"

// prefix starts the message of every error this package returns.
const prefix = "jwks: "

// nested is an error of this package quoted inside another one. The outer
// message already starts with the prefix, so the inner one drops its own: a
// discovery failure caused by a 404 reads "jwks: discovery failed: unexpected
// HTTP status 404 from …" rather than repeating "jwks:" at every level.
// Unwrap keeps the inner error reachable, so errors.Is and errors.As on the
// outer one still find every sentinel and type along the chain.
type nested struct{ err error }

// inner quotes err, an error of this package, inside another one.
func inner(err error) error { return nested{err} }

// Error is err's message without the package prefix.
func (n nested) Error() string { return strings.TrimPrefix(n.err.Error(), prefix) }

// Unwrap returns the quoted error.
func (n nested) Unwrap() error { return n.err }
