package clerkapi

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

// errMalformed reports a 200 answer that is not the resource Clerk
// documents. It is a cause of UnavailableError, never of ErrInvalid: an
// answer we cannot read says nothing about the token, and calling the token
// invalid would sign every machine out whenever the answer changes shape.
var errMalformed = errors.New("clerkapi: malformed answer from Clerk")

// maxMillis bounds "expiration": milliseconds beyond 2^53 are not a real
// date and lose precision as a float64 (JavaScript's own limit).
const maxMillis = 1 << 53

// members holds the raw values of the members the parser reads; nil when
// absent.
type members struct {
	object, id, subject, scopes, claims, revoked, expired, expiration, name, clientID, active json.RawMessage
}

// slot returns where the member called name goes, or nil for a member the
// parser does not read (created_at, last_used_at, revocation_reason, ...).
func (m *members) slot(name string) *json.RawMessage {
	switch name {
	case "object":
		return &m.object
	case "id":
		return &m.id
	case "subject":
		return &m.subject
	case "scopes":
		return &m.scopes
	case "claims":
		return &m.claims
	case "revoked":
		return &m.revoked
	case "expired":
		return &m.expired
	case "expiration":
		return &m.expiration
	case "name":
		return &m.name
	case "client_id":
		return &m.clientID
	case "active":
		return &m.active
	}
	return nil
}

// parseMachine reads the 200 answer of kind's verify endpoint: the
// M2MTokenJSON, IdPOAuthAccessTokenJSON or APIKeyJSON of @clerk/backend's
// packages/backend/src/api/resources/JSON.ts, as the 2026-05-12 OpenAPI
// description of the Backend API documents them. It returns ErrInvalid for
// an answer that says the token is revoked or expired, or, for an OAuth
// token, {"active": false} (the endpoint's answer about an expired JWT
// access token); an errMalformed error for anything that is not such a
// JSON object with well-typed members; and otherwise the Machine, built as
// authenticatedMachineObject (packages/backend/src/tokens/authObjects.ts)
// builds the auth object: M2M machineId from the subject, OAuth userId from
// the subject, API key userId or orgId from the subject's prefix. Its
// expiration is not compared with any clock here.
//
// A member the parser reads may appear only once: encoding/json would keep
// the last, and a parser elsewhere the first, so {"revoked":true,
// "revoked":false} means different things to different readers. A member
// that is JSON null counts as absent.
func parseMachine(kind Kind, body []byte) (*Machine, error) {
	ep := endpointOf(kind)
	m, err := readMembers(body)
	if err != nil {
		return nil, err
	}
	if !absent(m.active) {
		if string(m.active) == "false" {
			return nil, fmt.Errorf("%w: Clerk says the %s is not active", ErrInvalid, ep.noun)
		}
		return nil, fmt.Errorf("%w: \"active\" is not false", errMalformed)
	}
	// The object type first: another resource's members mean nothing.
	var object string
	if err := decodeString("object", m.object, &object); err != nil {
		return nil, err
	}
	if object != ep.object {
		// The value itself stays out of the text: it is the answer's, and
		// could be anything, the token included.
		return nil, fmt.Errorf("%w: \"object\" is not %q", errMalformed, ep.object)
	}
	// The verdicts next: the rest of a refused token's answer changes
	// nothing, even when it is malformed.
	for _, v := range []struct {
		name string
		raw  json.RawMessage
	}{{"revoked", m.revoked}, {"expired", m.expired}} {
		set, err := decodeBool(v.name, v.raw)
		if err != nil {
			return nil, err
		}
		if set {
			return nil, fmt.Errorf("%w: Clerk says the %s is %s", ErrInvalid, ep.noun, v.name)
		}
	}
	res := &Machine{Kind: kind}
	for _, s := range []struct {
		name string
		raw  json.RawMessage
		dst  *string
	}{{"id", m.id, &res.ID}, {"subject", m.subject, &res.Subject}} {
		if err := decodeString(s.name, s.raw, s.dst); err != nil {
			return nil, err
		}
		if *s.dst == "" {
			return nil, fmt.Errorf("%w: no %q", errMalformed, s.name)
		}
	}
	if res.Scopes, err = decodeScopes(m.scopes); err != nil {
		return nil, err
	}
	if res.ExpiresAt, err = decodeMillis("expiration", m.expiration); err != nil {
		return nil, err
	}
	switch kind {
	case KindM2M:
		res.MachineID = res.Subject
		res.Claims, err = decodeClaims(m.claims)
	case KindOAuth:
		res.UserID = res.Subject
		err = decodeString("client_id", m.clientID, &res.ClientID)
	case KindAPIKey:
		switch {
		case strings.HasPrefix(res.Subject, "user_"):
			res.UserID = res.Subject
		case strings.HasPrefix(res.Subject, "org_"):
			res.OrgID = res.Subject
		}
		if res.Claims, err = decodeClaims(m.claims); err == nil {
			err = decodeString("name", m.name, &res.Name)
		}
	}
	if err != nil {
		return nil, err
	}
	return res, nil
}

// absent reports a member that was not sent, or sent as null.
func absent(raw json.RawMessage) bool {
	return raw == nil || string(raw) == "null"
}

// decodeString stores the string raw holds in dst; absent leaves dst.
func decodeString(name string, raw json.RawMessage, dst *string) error {
	if absent(raw) {
		return nil
	}
	if raw[0] != '"' || json.Unmarshal(raw, dst) != nil {
		return fmt.Errorf("%w: %q is not a string", errMalformed, name)
	}
	return nil
}

// decodeBool returns the boolean raw holds; absent is false.
func decodeBool(name string, raw json.RawMessage) (bool, error) {
	switch {
	case absent(raw):
		return false, nil
	case string(raw) == "true":
		return true, nil
	case string(raw) == "false":
		return false, nil
	}
	return false, fmt.Errorf("%w: %q is not a boolean", errMalformed, name)
}

// decodeScopes reads "scopes", an array of strings; nil when absent or
// empty. Each element is checked on its own: into a []string,
// encoding/json would turn a null element into "" without complaint.
func decodeScopes(raw json.RawMessage) ([]string, error) {
	if absent(raw) {
		return nil, nil
	}
	var elems []json.RawMessage
	if raw[0] != '[' || json.Unmarshal(raw, &elems) != nil {
		return nil, fmt.Errorf("%w: \"scopes\" is not an array of strings", errMalformed)
	}
	if len(elems) == 0 {
		return nil, nil
	}
	scopes := make([]string, 0, len(elems))
	for _, e := range elems {
		var s string
		if e[0] != '"' || json.Unmarshal(e, &s) != nil {
			return nil, fmt.Errorf("%w: \"scopes\" is not an array of strings", errMalformed)
		}
		scopes = append(scopes, s)
	}
	return scopes, nil
}

// decodeClaims reads "claims": a JSON object, kept as sent, or nil when
// absent or null (Record<string, any> | null in JSON.ts).
func decodeClaims(raw json.RawMessage) (json.RawMessage, error) {
	if absent(raw) {
		return nil, nil
	}
	if raw[0] != '{' {
		return nil, fmt.Errorf("%w: \"claims\" is neither an object nor null", errMalformed)
	}
	return bytes.Clone(raw), nil
}

// decodeMillis reads a timestamp in milliseconds since the epoch, as Clerk
// sends "expiration" (JSON.ts, and the OpenAPI description: "in
// milliseconds"); the zero time when absent or null.
func decodeMillis(name string, raw json.RawMessage) (time.Time, error) {
	if absent(raw) {
		return time.Time{}, nil
	}
	if raw[0] != '-' && (raw[0] < '0' || raw[0] > '9') {
		return time.Time{}, fmt.Errorf("%w: %q is not a number", errMalformed, name)
	}
	f, err := strconv.ParseFloat(string(raw), 64)
	if err != nil || math.IsNaN(f) || f < 0 || f >= maxMillis {
		return time.Time{}, fmt.Errorf("%w: %q is out of range", errMalformed, name)
	}
	ms, frac := math.Modf(f)
	return time.UnixMilli(int64(ms)).Add(time.Duration(frac * float64(time.Millisecond))), nil
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
