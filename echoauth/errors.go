package echoauth

import (
	"errors"
	"fmt"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/labstack/echo/v4"
)

// The classes of failure, matched with errors.Is against any *Error and any
// *echo.HTTPError returned by the middlewares (through their Internal).
var (
	// ErrMissingToken: the request carries no bearer token (401, bare
	// challenge). A request with another scheme, such as Basic, has none.
	ErrMissingToken = errors.New("echoauth: no bearer token")
	// ErrInvalidRequest: the request is malformed, e.g. two Authorization
	// headers or a token sent by two methods (400, invalid_request).
	ErrInvalidRequest = errors.New("echoauth: malformed request")
	// ErrInvalidToken: the token failed verification (401, invalid_token).
	ErrInvalidToken = errors.New("echoauth: invalid token")
	// ErrInsufficientScope: the token is valid but lacks what the route
	// requires (403, insufficient_scope).
	ErrInsufficientScope = errors.New("echoauth: insufficient scope")
	// ErrPendingSession is the cause of the invalid_token answer for a Clerk
	// session whose status is "pending" (see Config.AcceptPendingSessions).
	ErrPendingSession = errors.New("echoauth: session is pending")
	// ErrUnavailable: the issuer's signing keys cannot be fetched and none
	// is cached for the token (503 with Retry-After).
	ErrUnavailable = errors.New("echoauth: signing keys are unavailable")
)

// Error is an authentication or authorization failure with everything its
// HTTP answer needs. Description is fixed text: it never holds token bytes,
// claim values or key material.
type Error struct {
	// Kind is one of the Err* classes above.
	Kind error
	// Status is the HTTP status: 400, 401, 403 or 503.
	Status int
	// Code is the RFC 6750 error code ("invalid_request", "invalid_token",
	// "insufficient_scope"), or "" for a missing token and for 503.
	Code string
	// Description is the error_description.
	Description string
	// Scope is the scope="" attribute of a 403 challenge.
	Scope string
	// RetryAfter is the Retry-After of a 503.
	RetryAfter time.Duration
	// Cause is the underlying error, for logs.
	Cause error
}

// Error describes the failure for logs.
func (e *Error) Error() string {
	msg := e.Kind.Error() + ": " + e.Description
	if e.Cause != nil {
		msg += ": " + e.Cause.Error()
	}
	return msg
}

// Is matches the failure's class.
func (e *Error) Is(target error) bool { return target == e.Kind }

// Unwrap returns the cause.
func (e *Error) Unwrap() error { return e.Cause }

// Body is the JSON body of every failure.
type Body struct {
	// Error is the RFC 6750 error code ("invalid_token", ...), or
	// "unauthorized" for a missing token and "temporarily_unavailable" for
	// unreachable keys, which RFC 6750 gives no code.
	Error string `json:"error"`
	// ErrorDescription is the fixed text of the WWW-Authenticate challenge.
	ErrorDescription string `json:"error_description"`
}

// Constructors of the failures the middlewares produce.

func missingToken() *Error {
	return &Error{Kind: ErrMissingToken, Status: http.StatusUnauthorized, Description: "bearer token is missing"}
}

func invalidRequest(description string) *Error {
	return &Error{Kind: ErrInvalidRequest, Status: http.StatusBadRequest, Code: "invalid_request", Description: description}
}

func invalidToken(description string, cause error) *Error {
	return &Error{Kind: ErrInvalidToken, Status: http.StatusUnauthorized, Code: "invalid_token", Description: description, Cause: cause}
}

func insufficientScope(description, scope string) *Error {
	return &Error{Kind: ErrInsufficientScope, Status: http.StatusForbidden, Code: "insufficient_scope", Description: description, Scope: scope}
}

func unavailable(retryAfter time.Duration, cause error) *Error {
	return &Error{Kind: ErrUnavailable, Status: http.StatusServiceUnavailable, Description: "signing keys are unavailable, retry later",
		RetryAfter: retryAfter, Cause: cause}
}

// challenge renders the WWW-Authenticate value (RFC 6750 §3). Every
// challenge names the realm, so that even the bare one carries a parameter.
func (e *Error) challenge(realm string) string {
	var b strings.Builder
	b.WriteString(`Bearer realm="`)
	b.WriteString(realm)
	b.WriteByte('"')
	if e.Code != "" {
		b.WriteString(`, error="`)
		b.WriteString(e.Code)
		b.WriteString(`", error_description="`)
		b.WriteString(e.Description)
		b.WriteByte('"')
	}
	if e.Scope != "" {
		b.WriteString(`, scope="`)
		b.WriteString(e.Scope)
		b.WriteByte('"')
	}
	return b.String()
}

// respond sets the failure's headers on the response and returns it as the
// *echo.HTTPError the application's error handler renders.
func (e *Error) respond(c echo.Context, realm string) error {
	h := c.Response().Header()
	body := Body{Error: e.Code, ErrorDescription: e.Description}
	// Every failure names the scheme and realm that would authenticate the
	// request; an outage adds no error code, since nothing is wrong with the
	// token, and says when to come back.
	h.Set(echo.HeaderWWWAuthenticate, e.challenge(realm))
	switch e.Status {
	case http.StatusServiceUnavailable:
		seconds := int((e.RetryAfter + time.Second - 1) / time.Second)
		h.Set(echo.HeaderRetryAfter, strconv.Itoa(max(seconds, 1)))
		body.Error = "temporarily_unavailable"
	default:
		if body.Error == "" {
			body.Error = "unauthorized"
		}
	}
	return &echo.HTTPError{Code: e.Status, Message: body, Internal: e}
}

// checkRealm refuses realms that cannot sit inside a quoted-string as is.
func checkRealm(realm string) error {
	if err := checkChallengeText(realm); err != nil {
		return fmt.Errorf("echoauth: Realm %w", err)
	}
	return nil
}
