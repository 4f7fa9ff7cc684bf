package clerkapi

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/scopegate/scopegate/internal/remote"
)

// errMalformed reports a 200 answer that is not the resource Clerk
// documents. It is a cause of UnavailableError, never of ErrInvalid: an
// answer we cannot read says nothing about the token, and calling the token
// invalid would sign every machine out whenever the answer changes shape.
var errMalformed = errors.New("clerkapi: malformed answer from Clerk")

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
	if !remote.Absent(m.active) {
		if string(m.active) == "false" {
			return nil, fmt.Errorf("%w: Clerk says the %s is not active", ErrInvalid, ep.noun)
		}
		return nil, fmt.Errorf("%w: \"active\" is not false", errMalformed)
	}
	// The object type first: another resource's members mean nothing.
	object, err := remote.String("object", m.object)
	if err != nil {
		return nil, malformed(err)
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
		if *s.dst, err = remote.String(s.name, s.raw); err != nil {
			return nil, malformed(err)
		}
		if *s.dst == "" {
			return nil, fmt.Errorf("%w: no %q", errMalformed, s.name)
		}
	}
	if res.Scopes, err = remote.Strings("scopes", m.scopes); err != nil {
		return nil, malformed(err)
	}
	// Clerk sends "expiration" in milliseconds (JSON.ts, and the OpenAPI
	// description: "in milliseconds").
	if res.ExpiresAt, err = remote.EpochTime("expiration", m.expiration, time.Millisecond); err != nil {
		return nil, malformed(err)
	}
	switch kind {
	case KindM2M:
		res.MachineID = res.Subject
		res.Claims, err = decodeClaims(m.claims)
	case KindOAuth:
		res.UserID = res.Subject
		if res.ClientID, err = remote.String("client_id", m.clientID); err != nil {
			err = malformed(err)
		}
	case KindAPIKey:
		switch {
		case strings.HasPrefix(res.Subject, "user_"):
			res.UserID = res.Subject
		case strings.HasPrefix(res.Subject, "org_"):
			res.OrgID = res.Subject
		}
		if res.Claims, err = decodeClaims(m.claims); err == nil {
			if res.Name, err = remote.String("name", m.name); err != nil {
				err = malformed(err)
			}
		}
	}
	if err != nil {
		return nil, err
	}
	return res, nil
}

// decodeBool returns the boolean raw holds; absent is false.
func decodeBool(name string, raw json.RawMessage) (bool, error) {
	switch {
	case remote.Absent(raw):
		return false, nil
	case string(raw) == "true":
		return true, nil
	case string(raw) == "false":
		return false, nil
	}
	return false, fmt.Errorf("%w: %q is not a boolean", errMalformed, name)
}

// decodeClaims reads "claims": a JSON object, kept as sent, or nil when
// absent or null (Record<string, any> | null in JSON.ts).
func decodeClaims(raw json.RawMessage) (json.RawMessage, error) {
	if remote.Absent(raw) {
		return nil, nil
	}
	if raw[0] != '{' {
		return nil, fmt.Errorf("%w: \"claims\" is neither an object nor null", errMalformed)
	}
	return bytes.Clone(raw), nil
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

// malformed says whose answer a member reader refused.
func malformed(err error) error {
	return fmt.Errorf("%w: %v", errMalformed, err)
}
