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
	descTwoMethods   = "request carries a token by more than one method"
	descTwoQueryVals = "request carries the token query parameter more than once"
)

// tokenSources says where tokens may come from, besides the Authorization
// header, which is always read.
type tokenSources struct {
	cookie string // cookie name; "" for none
	query  string // query parameter name; "" for none
}

// extract finds the request's bearer token. It returns "" and nil when there
// is none, and an invalid_request *Error when the request is malformed.
//
// The header is read per RFC 6750 §2.1 and RFC 7235: the scheme compares
// case-insensitively and one or more spaces separate it from the token.
// Another scheme (Basic, say) is not an error: the request simply has no
// bearer token. A cookie is used only when the header carries no token, as
// Clerk's SDKs do, since browsers attach it to every request whether the
// client meant to or not. A query token is accepted only where enabled, and
// never beside another method (RFC 6750 §2: one method per request).
func (s tokenSources) extract(r *http.Request) (string, *Error) {
	token, bare, err := headerToken(r.Header)
	if err != nil {
		return "", err
	}
	if s.query != "" {
		values, ok := r.URL.Query()[s.query]
		if ok {
			if len(values) > 1 {
				return "", invalidRequest(descTwoQueryVals)
			}
			if token != "" {
				return "", invalidRequest(descTwoMethods)
			}
			if s.cookie != "" {
				if c, _ := r.Cookie(s.cookie); c != nil && c.Value != "" {
					return "", invalidRequest(descTwoMethods)
				}
			}
			if values[0] == "" {
				return "", invalidRequest(descEmptyBearer)
			}
			return values[0], nil
		}
	}
	if token != "" {
		return token, nil
	}
	// A bare value with no scheme is what Clerk's SDKs take for a token:
	// the request meant to authenticate by its header, so the cookie is not
	// consulted, and RFC 6750 gives a bare value no meaning of its own.
	if s.cookie != "" && !bare {
		if c, _ := r.Cookie(s.cookie); c != nil {
			return c.Value, nil
		}
	}
	return "", nil
}

// headerToken reads the bearer token of the Authorization header. bare
// reports a value of one word, no scheme and credentials, which is not a
// bearer token but is taken for one by some clients.
func headerToken(h http.Header) (token string, bare bool, err *Error) {
	values := h["Authorization"]
	switch len(values) {
	case 0:
		return "", false, nil
	case 1:
	default:
		return "", false, invalidRequest(descTwoHeaders)
	}
	scheme, rest, hasSpace := strings.Cut(values[0], " ")
	if !strings.EqualFold(scheme, "Bearer") {
		return "", !hasSpace && scheme != "", nil
	}
	token = strings.TrimLeft(rest, " ")
	if !hasSpace || token == "" {
		return "", false, invalidRequest(descEmptyBearer)
	}
	// Two vectorised scans: strings.ContainsAny walks a long token one byte
	// at a time and was the largest cost of a request with a cached token.
	if strings.IndexByte(token, ' ') >= 0 || strings.IndexByte(token, '\t') >= 0 {
		return "", false, invalidRequest(descBadBearer)
	}
	return token, false, nil
}

// isPreflight reports a CORS preflight request, which browsers send without
// credentials: it must reach the CORS middleware or handler untouched.
func isPreflight(r *http.Request) bool {
	return r.Method == http.MethodOptions &&
		r.Header.Get("Origin") != "" &&
		r.Header.Get("Access-Control-Request-Method") != ""
}
