package bearer

import (
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/scopegate/scopegate/token"
)

// Answer is what a request gets instead of reaching its handler: a failure
// (400, 401, 403 or 503, with Err set), the 303 that sends a signed-out page
// navigation to the sign-in page, or the 204 of a CORS preflight on a strict
// route. Every part of it is decided here; a face only writes it out: the
// headers with WriteHeaders, then Err through the framework's error path so
// that the application's error handler renders it, or, for an answer
// without Err, the bare status.
type Answer struct {
	// Status is the HTTP status.
	Status int
	// Err is the failure; nil for a redirect and a preflight.
	Err *Error

	how      *answering // the settings of the authenticator that answers
	location string     // of a redirect
}

// preflightAnswer is the bare 204 a CORS preflight gets on a protected
// route. It has no Err, so nothing in it can change.
var preflightAnswer = &Answer{Status: http.StatusNoContent}

// answering holds what an Authenticator's answers depend on; every auth
// object points to its authenticator's.
type answering struct {
	realm        string
	signInURL    string
	errorHandler ErrorHandler
	// now and skew are the authenticator's clock and tolerance, for the
	// rules that look at time (RequireStepUp).
	now  func() time.Time
	skew time.Duration
	// clerkReverification answers a failed clerk.Reverification with the
	// body Clerk's frontends recognise.
	clerkReverification bool
	// resourceMetadata is the URL of the protected resource metadata that
	// 401 and 403 challenges name; "" for none.
	resourceMetadata string
	// dpop checks DPoP proofs; nil when DPoP is off. Challenges offer the
	// schemes its mode accepts.
	dpop *dpopChecker
}

// defaultAnswering answers for requests no authenticator has seen.
var defaultAnswering = &answering{realm: DefaultRealm, now: time.Now, skew: token.DefaultClockSkew}

// fail is the answer of a failure of the request whose auth object is
// auth, answered as its authenticator says, on the scheme it used.
func fail(err *Error, auth *Auth) *Answer {
	how := auth.how
	if how == nil {
		how = defaultAnswering
	}
	if err.Scheme == "" {
		err.Scheme = auth.scheme
	}
	return &Answer{Status: err.Status, Err: err, how: how}
}

// ErrorHandler writes the response to a failure, for an application that
// wants its own body, on the faces that write answers themselves (httpauth):
// the WWW-Authenticate and Retry-After headers are set already. The Echo
// faces hand failures to Echo's HTTPErrorHandler instead, which serves the
// same purpose there.
type ErrorHandler func(w http.ResponseWriter, r *http.Request, err *Error)

// WriteHeaders sets the answer's headers on h: for a failure the RFC 6750
// challenge (every failure names the scheme and realm that would
// authenticate the request) and, for a 503, Retry-After; for a redirect,
// Location.
func (a *Answer) WriteHeaders(h http.Header) {
	if a.location != "" {
		h.Set("Location", a.location)
	}
	if a.Err == nil {
		return
	}
	h.Set("WWW-Authenticate", a.Challenge())
	if a.Err.DPoPNonce != "" {
		h.Set("DPoP-Nonce", a.Err.DPoPNonce)
	}
	if a.Status == http.StatusServiceUnavailable {
		seconds := int((a.Err.RetryAfter + time.Second - 1) / time.Second)
		h.Set("Retry-After", strconv.Itoa(max(seconds, 1)))
	}
}

// Challenge renders the WWW-Authenticate value of a failure (RFC 6750 §3,
// RFC 9449 §7.1); "" for an answer without Err. It offers every scheme the
// API accepts: Bearer unless DPoP is required, DPoP (with the algorithms
// its proofs may use) unless it is off; the error goes on the scheme the
// request used. Every challenge names the realm, so that even the bare one
// carries a parameter; an outage adds no error code, since nothing is
// wrong with the token.
func (a *Answer) Challenge() string {
	e := a.Err
	if e == nil {
		return ""
	}
	how := a.how
	if how == nil {
		how = defaultAnswering // an Answer built outside this package
	}
	offerBearer := how.dpop == nil || how.dpop.mode != DPoPRequired
	errorOnDPoP := how.dpop != nil && (e.Scheme == SchemeDPoP || !offerBearer)
	var b strings.Builder
	if offerBearer {
		b.WriteString(SchemeBearer)
		how.writeParams(&b, e, !errorOnDPoP)
	}
	if how.dpop != nil {
		if offerBearer {
			b.WriteString(", ")
		}
		b.WriteString(SchemeDPoP)
		how.writeParams(&b, e, errorOnDPoP)
		b.WriteString(`, algs="`)
		b.WriteString(how.dpop.algs)
		b.WriteByte('"')
	}
	return b.String()
}

// writeParams writes one challenge's parameters: the realm, the error's
// when withError, and the resource metadata's URL.
func (how *answering) writeParams(b *strings.Builder, e *Error, withError bool) {
	b.WriteString(` realm="`)
	b.WriteString(how.realm)
	b.WriteByte('"')
	if withError {
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
		if e.ACRValues != "" {
			b.WriteString(`, acr_values="`)
			b.WriteString(e.ACRValues)
			b.WriteByte('"')
		}
		if e.Kind == ErrInsufficientAuthentication && e.MaxAge >= 0 {
			b.WriteString(`, max_age="`)
			b.WriteString(strconv.FormatInt(int64(e.MaxAge/time.Second), 10))
			b.WriteByte('"')
		}
	}
	if how.resourceMetadata != "" && (e.Status == http.StatusUnauthorized || e.Status == http.StatusForbidden) {
		b.WriteString(`, resource_metadata="`)
		b.WriteString(how.resourceMetadata)
		b.WriteByte('"')
	}
}

// Write sends the whole answer to r on w: headers, status and, for a
// failure, its JSON body, or what Config.ErrorHandler writes when it is set.
// It serves faces without an error path of their own, such as plain
// net/http.
func (a *Answer) Write(w http.ResponseWriter, r *http.Request) {
	a.WriteHeaders(w.Header())
	if a.Err == nil {
		w.WriteHeader(a.Status)
		return
	}
	if a.how != nil && a.how.errorHandler != nil {
		h := a.how.errorHandler
		h(w, r, a.Err)
		return
	}
	body, _ := a.Err.MarshalJSON() // two strings: it cannot fail
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(a.Status)
	_, _ = w.Write(append(body, '\n'))
}
