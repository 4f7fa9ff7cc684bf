package token

import "errors"

// ValidationError is the class of a token's failure. Its description is
// fixed text, safe to send to a client in an RFC 6750 error_description: it
// never holds token bytes, claim values or key material.
type ValidationError struct {
	description string
}

// Error returns the description.
func (e *ValidationError) Error() string { return e.description }

// Description returns the client-safe text.
func (e *ValidationError) Description() string { return e.description }

// The failure classes. Errors returned by Verify wrap exactly one of them
// (errors.Is), possibly with detail for logs that is not meant for clients.
var (
	ErrTooLarge          = &ValidationError{"token is too large"}
	ErrMalformed         = &ValidationError{"token is malformed"}
	ErrAlgorithm         = &ValidationError{"token algorithm is not allowed"}
	ErrUnsupportedHeader = &ValidationError{"token header has an unsupported parameter"}
	ErrType              = &ValidationError{"token type is not accepted"}
	ErrIssuer            = &ValidationError{"token issuer is not trusted"}
	ErrClaimType         = &ValidationError{"token claim has the wrong type"}
	ErrMissingClaim      = &ValidationError{"token lacks a required claim"}
	ErrExpired           = &ValidationError{"token is expired"}
	ErrNotYetValid       = &ValidationError{"token is not yet valid"}
	ErrIssuedInFuture    = &ValidationError{"token is issued in the future"}
	ErrTooOld            = &ValidationError{"token is too old"}
	ErrAudience          = &ValidationError{"token audience is not accepted"}
	ErrAuthorizedParty   = &ValidationError{"token authorized party is not accepted"}
	ErrUnknownKey        = &ValidationError{"token signing key is unknown"}
	ErrSignature         = &ValidationError{"token signature is invalid"}
)

// Description returns the client-safe description of err's failure class,
// or a generic one when err is not a validation failure.
func Description(err error) string {
	var v *ValidationError
	if errors.As(err, &v) {
		return v.description
	}
	return "token is invalid"
}
