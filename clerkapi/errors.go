package clerkapi

import (
	"errors"
	"strings"
	"time"
)

// prefix starts the message of every error this package returns.
const prefix = "clerkapi: "

var (
	// ErrInvalid reports a token Clerk does not vouch for: it does not know
	// it (HTTP 404, which @clerk/backend reports as "token-invalid"), or
	// says it is revoked, expired or not active, or its expiration has
	// passed; or the token is not shaped as a Clerk machine token at all,
	// and was refused without a call. Errors wrap it with the reason, for
	// logs; the client should get a plain 401.
	ErrInvalid = errors.New("clerkapi: token is not valid")
	// ErrUnavailable is matched by every *UnavailableError.
	ErrUnavailable = errors.New("clerkapi: Clerk's Backend API is unavailable")
)

// defaultRetryAfter is the RetryAfter of failures that carry no hint of
// their own: short, because most are a single dropped connection or a flood
// of calls that ends as soon as the calls in flight return.
const defaultRetryAfter = time.Second

// UnavailableError reports that no trustworthy answer could be had about a
// token: Clerk is unreachable, slow, overloaded (HTTP 429 or 5xx), refused
// our secret key (HTTP 401 or 403), or answered something that is not the
// documented resource. The token may well be good, so the request should
// be answered 503, not 401. Each caller gets its own copy.
type UnavailableError struct {
	// RetryAfter is how long to wait before trying again: Clerk's
	// Retry-After when it sent one (at most five minutes), else a second.
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
