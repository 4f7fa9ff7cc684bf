package introspect

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"strconv"
	"strings"
	"time"

	"github.com/scopegate/scopegate/internal/remote"
)

// errMalformed reports a 200 answer that is not an introspection response.
// It is a cause of UnavailableError, never of ErrInactive: an answer we
// cannot read says nothing about the token, and calling the token inactive
// would log every user out whenever the server misbehaves.
var errMalformed = errors.New("introspect: malformed introspection response")

// maxNumericDate bounds exp, iat and nbf, as package token does: seconds
// beyond 2^53 are not a real date and lose precision as a float64.
const maxNumericDate = 1 << 53

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
		if err := decodeString(s.name, s.raw, s.dst); err != nil {
			return nil, false, err
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
		if err := decodeDate(d.name, d.raw, d.dst); err != nil {
			return nil, false, err
		}
	}
	if r.Audience, err = decodeAudience(m.aud); err != nil {
		return nil, false, err
	}
	return r, !absent(m.iss), nil
}

// absent reports a member that was not sent, or sent as null.
func absent(raw json.RawMessage) bool {
	return raw == nil || string(raw) == "null"
}

// decodeString stores the string raw holds in dst.
func decodeString(name string, raw json.RawMessage, dst *string) error {
	if absent(raw) {
		return nil
	}
	if raw[0] != '"' || json.Unmarshal(raw, dst) != nil {
		return fmt.Errorf("%w: %q is not a string", errMalformed, name)
	}
	return nil
}

// decodeDate stores the NumericDate raw holds in dst: seconds since the
// epoch, possibly with a fraction (RFC 7662 §2.2 refers to RFC 7519's type).
func decodeDate(name string, raw json.RawMessage, dst *time.Time) error {
	if absent(raw) {
		return nil
	}
	if raw[0] != '-' && (raw[0] < '0' || raw[0] > '9') {
		return fmt.Errorf("%w: %q is not a number", errMalformed, name)
	}
	f, err := strconv.ParseFloat(string(raw), 64)
	if err != nil || math.IsNaN(f) || f < 0 || f >= maxNumericDate {
		return fmt.Errorf("%w: %q is out of range", errMalformed, name)
	}
	sec, frac := math.Modf(f)
	*dst = time.Unix(int64(sec), int64(frac*1e9))
	return nil
}

// decodeAudience reads "aud": a string or an array of strings.
func decodeAudience(raw json.RawMessage) ([]string, error) {
	if absent(raw) {
		return nil, nil
	}
	switch raw[0] {
	case '"':
		var s string
		if err := decodeString("aud", raw, &s); err != nil {
			return nil, err
		}
		return []string{s}, nil
	case '[':
		// Each element is checked on its own: into a []string, encoding/json
		// would turn a null element into "" without complaint.
		var elems []json.RawMessage
		if err := json.Unmarshal(raw, &elems); err != nil {
			return nil, fmt.Errorf("%w: \"aud\" is not an array of strings", errMalformed)
		}
		if len(elems) == 0 {
			return nil, nil // "aud": [] names no audience, as an absent one
		}
		aud := make([]string, 0, len(elems))
		for _, e := range elems {
			var s string
			if e[0] != '"' || json.Unmarshal(e, &s) != nil {
				return nil, fmt.Errorf("%w: \"aud\" is not an array of strings", errMalformed)
			}
			aud = append(aud, s)
		}
		return aud, nil
	}
	return nil, fmt.Errorf("%w: \"aud\" is neither a string nor an array of strings", errMalformed)
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
