package introspect

import (
	"errors"
	"strings"
	"time"
)

// prefix starts the message of every error this package returns.
const prefix = "introspect: "

var (
	// ErrInactive reports a token the authorization server does not vouch
	// for: it answered "active": false, or the active answer failed a local
	// check (expired, not yet valid, another issuer or audience). Errors wrap
	// it with the reason, for logs; the client should get a plain 401.
	ErrInactive = errors.New("introspect: token is not active")
	// ErrUnavailable is matched by every *UnavailableError.
	ErrUnavailable = errors.New("introspect: token introspection is unavailable")
)

// defaultRetryAfter is the RetryAfter of failures that carry no hint of
// their own: short, because most are a single dropped connection or a flood
// of calls that ends as soon as the calls in flight return.
const defaultRetryAfter = time.Second

// UnavailableError reports that no trustworthy answer could be had about a
// token: the endpoint is unreachable, slow, overloaded, refused our
// credentials, or answered something that is not an introspection response.
// The token may well be good, so the request should be answered 503, not 401.
// Each caller gets its own copy.
type UnavailableError struct {
	// RetryAfter is how long to wait before trying again: the server's
	// Retry-After when it sent one, else a default of a second (longer
	// while discovery is cooling down after a failure).
	RetryAfter time.Duration
	// Cause is what went wrong, for logs.
	Cause error
}

// Error describes the failure.
func (e *UnavailableError) Error() string {
	if e.Cause == nil {
		return ErrUnavailable.Error()
	}
	// The cause is usually one of this package's own errors: drop its prefix
	// rather than repeat it.
	return ErrUnavailable.Error() + ": " + strings.TrimPrefix(e.Cause.Error(), prefix)
}

// Is makes errors.Is(err, ErrUnavailable) true.
func (e *UnavailableError) Is(target error) bool { return target == ErrUnavailable }

// Unwrap returns the cause.
func (e *UnavailableError) Unwrap() error { return e.Cause }

// unavailable wraps cause with the default RetryAfter.
func unavailable(cause error) *UnavailableError {
	return &UnavailableError{RetryAfter: defaultRetryAfter, Cause: cause}
}
