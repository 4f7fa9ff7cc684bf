package bearer

import (
	"net/http"
	"strings"
)

// Descriptions of malformed requests (400 invalid_request).
const (
	descTwoHeaders   = "request has more than one Authorization header"
	descEmptyBearer  = "Authorization header has the Bearer scheme but no token"
	descBadBearer    = "Authorization header is not Bearer followed by one token"
	descEmptyDPoP    = "Authorization header has the DPoP scheme but no token"
	descBadDPoP      = "Authorization header is not DPoP followed by one token"
	descTwoMethods   = "request carries a token by more than one method"
	descTwoQueryVals = "request carries the token query parameter more than once"
)

// tokenSources says where tokens may come from, besides the Authorization
// header, which is always read.
type tokenSources struct {
	cookie string // cookie name; "" for none
	query  string // query parameter name; "" for none
	dpop   bool   // the header's DPoP scheme is recognised
}

// extract finds the request's token and the scheme it came with (see
// Auth.scheme). It returns "" and nil when there is none, and an
// invalid_request *Error when the request is malformed.
//
// The header is read per RFC 6750 §2.1 and RFC 7235: the scheme compares
// case-insensitively and one or more spaces separate it from the token.
// Another scheme (Basic, say) is not an error: the request simply has no
// bearer token; so is the DPoP scheme (RFC 9449 §7.1) unless DPoP is on. A
// cookie is used only when the header carries no token, as
// Clerk's SDKs do, since browsers attach it to every request whether the
// client meant to or not. A query token is accepted only where enabled, and
// never beside another method (RFC 6750 §2: one method per request).
func (s tokenSources) extract(r *http.Request) (string, string, *Error) {
	token, scheme, bare, err := headerToken(r.Header, s.dpop)
	if err != nil {
		return "", scheme, err
	}
	if s.query != "" {
		values, ok := r.URL.Query()[s.query]
		if ok {
			if len(values) > 1 {
				return "", SchemeBearer, invalidRequest(descTwoQueryVals)
			}
			if token != "" {
				return "", scheme, invalidRequest(descTwoMethods)
			}
			if s.cookie != "" {
				if c, _ := r.Cookie(s.cookie); c != nil && c.Value != "" {
					return "", SchemeBearer, invalidRequest(descTwoMethods)
				}
			}
			if values[0] == "" {
				return "", SchemeBearer, invalidRequest(descEmptyBearer)
			}
			return values[0], SchemeBearer, nil
		}
	}
	if token != "" {
		return token, scheme, nil
	}
	// A bare value with no scheme is what Clerk's SDKs take for a token:
	// the request meant to authenticate by its header, so the cookie is not
	// consulted, and RFC 6750 gives a bare value no meaning of its own.
	if s.cookie != "" && !bare {
		if c, _ := r.Cookie(s.cookie); c != nil {
			return c.Value, SchemeBearer, nil
		}
	}
	return "", "", nil
}

// headerToken reads the token of the Authorization header and its scheme:
// Bearer, or DPoP when acceptDPoP. bare reports a value of one word, no
// scheme and credentials, which is not a bearer token but is taken for one
// by some clients.
func headerToken(h http.Header, acceptDPoP bool) (token, scheme string, bare bool, err *Error) {
	values := h["Authorization"]
	switch len(values) {
	case 0:
		return "", "", false, nil
	case 1:
	default:
		return "", "", false, invalidRequest(descTwoHeaders)
	}
	name, rest, hasSpace := strings.Cut(values[0], " ")
	empty, bad := descEmptyBearer, descBadBearer
	switch {
	case strings.EqualFold(name, SchemeBearer):
		scheme = SchemeBearer
	case acceptDPoP && strings.EqualFold(name, SchemeDPoP):
		scheme, empty, bad = SchemeDPoP, descEmptyDPoP, descBadDPoP
	default:
		return "", "", !hasSpace && name != "", nil
	}
	token = strings.TrimLeft(rest, " ")
	if !hasSpace || token == "" {
		return "", scheme, false, invalidRequest(empty)
	}
	// Two vectorised scans: strings.ContainsAny walks a long token one byte
	// at a time and was the largest cost of a request with a cached token.
	if strings.IndexByte(token, ' ') >= 0 || strings.IndexByte(token, '\t') >= 0 {
		return "", scheme, false, invalidRequest(bad)
	}
	return token, scheme, false, nil
}

// isPreflight reports a CORS preflight request, which browsers send without
// credentials: it must reach the CORS middleware or handler untouched.
func isPreflight(r *http.Request) bool {
	return r.Method == http.MethodOptions &&
		r.Header.Get("Origin") != "" &&
		r.Header.Get("Access-Control-Request-Method") != ""
}
