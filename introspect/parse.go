package introspect

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/scopegate/scopegate/internal/remote"
)

// errMalformed reports a 200 answer that is not an introspection response.
// It is a cause of UnavailableError, never of ErrInactive: an answer we
// cannot read says nothing about the token, and calling the token inactive
// would log every user out whenever the server misbehaves.
var errMalformed = errors.New("introspect: malformed introspection response")

// members holds the raw values of the members the parser reads; nil when
// absent.
type members struct {
	active, scope, clientID, sub, username, tokenType, exp, iat, nbf, iss, aud, jti json.RawMessage
}

// slot returns where the member called name goes, or nil for a member the
// parser does not read.
func (m *members) slot(name string) *json.RawMessage {
	switch name {
	case "active":
		return &m.active
	case "scope":
		return &m.scope
	case "client_id":
		return &m.clientID
	case "sub":
		return &m.sub
	case "username":
		return &m.username
	case "token_type":
		return &m.tokenType
	case "exp":
		return &m.exp
	case "iat":
		return &m.iat
	case "nbf":
		return &m.nbf
	case "iss":
		return &m.iss
	case "aud":
		return &m.aud
	case "jti":
		return &m.jti
	}
	return nil
}

// parseResponse reads an introspection response body (RFC 7662 §2.2). It
// returns ErrInactive for "active": false, an errMalformed error for anything
// that is not a JSON object with a boolean "active" and well-typed members,
// and otherwise the Result, with whether "iss" was present.
//
// A member the parser reads may appear only once: encoding/json would keep
// the last, and a parser elsewhere (a proxy, a log pipeline) the first, so
// {"active":false,"active":true} means different things to different
// readers. A member that is JSON null counts as absent, because some servers
// serialise every field they know and null is how they say "none"; refusing
// them would make every token unavailable, and the answer's verdict is
// "active" anyway.
func parseResponse(body []byte) (res *Result, hasIssuer bool, err error) {
	m, err := readMembers(body)
	if err != nil {
		return nil, false, err
	}
	switch string(m.active) {
	case "true":
	case "false":
		// Other members of an inactive answer are not read: RFC 7662 §2.2
		// says servers should not send any, and a bad one changes nothing.
		return nil, false, ErrInactive
	case "":
		return nil, false, fmt.Errorf("%w: no \"active\" member", errMalformed)
	default:
		return nil, false, fmt.Errorf("%w: \"active\" is not a boolean", errMalformed)
	}
	r := &Result{Active: true, Claims: bytes.Clone(bytes.TrimSpace(body))}
	var scope string
	for _, s := range []struct {
		name string
		raw  json.RawMessage
		dst  *string
	}{
		{"scope", m.scope, &scope}, {"client_id", m.clientID, &r.ClientID}, {"sub", m.sub, &r.Subject},
		{"username", m.username, &r.Username}, {"token_type", m.tokenType, &r.TokenType},
		{"iss", m.iss, &r.Issuer}, {"jti", m.jti, &r.ID},
	} {
		if *s.dst, err = remote.String(s.name, s.raw); err != nil {
			return nil, false, malformed(err)
		}
	}
	if scopes := strings.Fields(scope); len(scopes) > 0 {
		r.Scopes = scopes // nil otherwise, as for an absent "aud"
	}
	for _, d := range []struct {
		name string
		raw  json.RawMessage
		dst  *time.Time
	}{{"exp", m.exp, &r.ExpiresAt}, {"iat", m.iat, &r.IssuedAt}, {"nbf", m.nbf, &r.NotBefore}} {
		// RFC 7662 §2.2 refers to RFC 7519's NumericDate: seconds.
		if *d.dst, err = remote.EpochTime(d.name, d.raw, time.Second); err != nil {
			return nil, false, malformed(err)
		}
	}
	if r.Audience, err = decodeAudience(m.aud); err != nil {
		return nil, false, err
	}
	return r, !remote.Absent(m.iss), nil
}

// decodeAudience reads "aud": a string or an array of strings.
func decodeAudience(raw json.RawMessage) ([]string, error) {
	if remote.Absent(raw) {
		return nil, nil
	}
	switch raw[0] {
	case '"':
		s, err := remote.String("aud", raw)
		if err != nil {
			return nil, malformed(err)
		}
		return []string{s}, nil
	case '[':
		aud, err := remote.Strings("aud", raw) // "aud": [] names no audience, as an absent one
		if err != nil {
			return nil, malformed(err)
		}
		return aud, nil
	}
	return nil, fmt.Errorf("%w: \"aud\" is neither a string nor an array of strings", errMalformed)
}

// malformed says whose answer a member reader refused.
func malformed(err error) error {
	return fmt.Errorf("%w: %v", errMalformed, err)
}

// readMembers checks that body is exactly one JSON object and collects the
// members the parser reads.
func readMembers(body []byte) (*members, error) {
	m := &members{}
	if err := remote.ReadMembers(body, m.slot); err != nil {
		return nil, fmt.Errorf("%w: %v", errMalformed, err)
	}
	return m, nil
}
