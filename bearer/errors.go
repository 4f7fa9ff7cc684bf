package bearer

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"strings"
	"time"
)

// The classes of failure, matched with errors.Is against any *Error, and
// through the errors the faces return (an *echo.HTTPError's Internal, say).
var (
	// ErrMissingToken: the request carries no bearer token (401, bare
	// challenge). A request with another scheme, such as Basic, has none.
	ErrMissingToken = errors.New("bearer: no bearer token")
	// ErrInvalidRequest: the request is malformed, e.g. two Authorization
	// headers or a token sent by two methods (400, invalid_request).
	ErrInvalidRequest = errors.New("bearer: malformed request")
	// ErrInvalidToken: the token failed verification (401, invalid_token).
	ErrInvalidToken = errors.New("bearer: invalid token")
	// ErrInsufficientScope: the token is valid but lacks what the route
	// requires (403, insufficient_scope).
	ErrInsufficientScope = errors.New("bearer: insufficient scope")
	// ErrPendingSession is the cause of the invalid_token answer for a Clerk
	// session whose status is "pending" (see Config.AcceptPendingSessions).
	ErrPendingSession = errors.New("bearer: session is pending")
	// ErrUnavailable: something the decision depends on cannot be reached,
	// so the request is neither accepted nor refused (503 with
	// Retry-After): the issuer's signing keys (none cached for the token),
	// the DPoP replay store (failing, or full of live proofs), the
	// introspection endpoint or Clerk's Backend API. The Description says
	// which, and the Cause why.
	ErrUnavailable = errors.New("bearer: temporarily unavailable")
	// ErrInsufficientAuthentication: the token is valid but its user did
	// not authenticate strongly or recently enough for the route (401,
	// insufficient_user_authentication, RFC 9470).
	ErrInsufficientAuthentication = errors.New("bearer: insufficient user authentication")
	// ErrInvalidDPoPProof: the request's DPoP proof is missing, malformed,
	// for another request or token, or replayed (401, invalid_dpop_proof,
	// RFC 9449 §7.1).
	ErrInvalidDPoPProof = errors.New("bearer: invalid DPoP proof")
	// ErrUseDPoPNonce: the proof lacks a nonce this server issued, or its
	// nonce expired (401, use_dpop_nonce, RFC 9449 §9); the answer carries
	// a fresh one in the DPoP-Nonce header, and the client retries with it.
	ErrUseDPoPNonce = errors.New("bearer: DPoP proof needs a fresh server nonce")
)

// Error is an authentication or authorization failure with everything its
// HTTP answer needs. Description is fixed text: it never holds token bytes,
// claim values or key material.
//
// An Error renders itself: StatusCode gives its status and MarshalJSON its
// body, so that error handlers which look for those (Echo v5's default one,
// say) answer as scopegate does.
type Error struct {
	// Kind is one of the Err* classes above.
	Kind error
	// Status is the HTTP status: 400, 401, 403 or 503.
	Status int
	// Code is the error code ("invalid_request", "invalid_token",
	// "insufficient_scope" of RFC 6750, "insufficient_user_authentication"
	// of RFC 9470, "invalid_dpop_proof" and "use_dpop_nonce" of RFC 9449),
	// or "" for a missing token and for 503.
	Code string
	// Description is the error_description.
	Description string
	// Scope is the scope="" attribute of a 403 challenge.
	Scope string
	// ACRValues and MaxAge are the acr_values="" and max_age="" attributes
	// of an insufficient_user_authentication challenge (RFC 9470 §3): the
	// accepted authentication context classes, space-separated in order of
	// preference, and the longest time since the user authenticated; ""
	// and a negative MaxAge leave them out.
	ACRValues string
	MaxAge    time.Duration
	// RetryAfter is the Retry-After of a 503.
	RetryAfter time.Duration
	// Scheme is the authentication scheme the request used: SchemeDPoP
	// for a DPoP request (and for every DPoP proof failure), SchemeBearer
	// for a Bearer one, "" when the request carried no token. The
	// challenge puts the error on this scheme; when DPoP is required, a
	// Bearer request's error goes on the DPoP challenge instead, the only
	// one offered, while Scheme still says Bearer.
	Scheme string
	// DPoPNonce is the nonce of the DPoP-Nonce header of a use_dpop_nonce
	// failure.
	DPoPNonce string
	// Cause is the underlying error, for logs.
	Cause error

	// body, when set, is the JSON body instead of Body's (the one Clerk's
	// frontends recognise for a failed reverification).
	body json.RawMessage
}

// Error describes the failure for logs: its class, its description and its
// cause, without saying the description twice when the cause starts with it
// (as the verifier's errors do).
func (e *Error) Error() string {
	msg := e.Kind.Error() + ": " + e.Description
	if e.Cause != nil {
		cause := e.Cause.Error()
		if rest, ok := strings.CutPrefix(cause, e.Description); ok {
			return msg + rest
		}
		msg += ": " + cause
	}
	return msg
}

// Is matches the failure's class.
func (e *Error) Is(target error) bool { return target == e.Kind }

// Unwrap returns the cause.
func (e *Error) Unwrap() error { return e.Cause }

// StatusCode returns the HTTP status.
func (e *Error) StatusCode() int { return e.Status }

// Body is the JSON body of every failure.
type Body struct {
	// Error is the RFC 6750 error code ("invalid_token", ...), or
	// "unauthorized" for a missing token and "temporarily_unavailable" for
	// a 503 (ErrUnavailable), which RFC 6750 gives no code.
	Error string `json:"error"`
	// ErrorDescription is the fixed text of the WWW-Authenticate challenge.
	ErrorDescription string `json:"error_description"`
}

// Body returns the JSON body of the failure.
func (e *Error) Body() Body {
	b := Body{Error: e.Code, ErrorDescription: e.Description}
	switch {
	case e.Status == http.StatusServiceUnavailable:
		b.Error = "temporarily_unavailable"
	case b.Error == "":
		b.Error = "unauthorized"
	}
	return b
}

// MarshalJSON renders the body of the failure: Body's JSON, or the Clerk
// reverification hint (see Config.ClerkReverificationBody).
func (e *Error) MarshalJSON() ([]byte, error) {
	if e.body != nil {
		return bytes.Clone(e.body), nil
	}
	return json.Marshal(e.Body())
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

func insufficientAuthentication(description, acrValues string, maxAge time.Duration) *Error {
	return &Error{Kind: ErrInsufficientAuthentication, Status: http.StatusUnauthorized, Code: "insufficient_user_authentication",
		Description: description, ACRValues: acrValues, MaxAge: maxAge}
}

func invalidProof(description string, cause error) *Error {
	return &Error{Kind: ErrInvalidDPoPProof, Status: http.StatusUnauthorized, Code: "invalid_dpop_proof", Description: description,
		Cause: cause, Scheme: SchemeDPoP}
}

// unavailable is a 503 whose description says what could not be reached.
func unavailable(description string, retryAfter time.Duration, cause error) *Error {
	return &Error{Kind: ErrUnavailable, Status: http.StatusServiceUnavailable, Description: description,
		RetryAfter: retryAfter, Cause: cause}
}

// checkRealm refuses realms that cannot sit inside a quoted-string as is.
func checkRealm(realm string) error {
	if err := checkChallengeText(realm); err != nil {
		return fmt.Errorf("bearer: Realm %w", err)
	}
	return nil
}
