package clerkapi

import (
	"bytes"
	"encoding/json"
	"errors"
	"reflect"
	"strings"
	"testing"
	"time"
)

// FuzzParseMachine feeds arbitrary bodies to the parser of each kind's
// answer. It must never panic; it must fail only with ErrInvalid (and then
// only for an answer that says revoked, expired or not active) or with
// errMalformed; and a Machine it accepts must be consistent: the kind asked
// for, an ID and a subject, the fields of @clerk/backend's auth object
// derived from the subject as Clerk derives them, claims that are a JSON
// object, and the members as encoding/json reads the same body.
func FuzzParseMachine(f *testing.F) {
	for _, seed := range []struct {
		kind byte
		body string
	}{
		{0, mustJSON(m2mAnswer())},
		{1, mustJSON(oauthAnswer())},
		{2, mustJSON(apiKeyAnswer())},
		{2, mustJSON(apiKeyAnswer("subject", "org_2xhFjEI5X2qWRvtV13BzSj8H6Dk"))},
		{0, mustJSON(m2mAnswer("revoked", true))},
		{1, `{"active":false}`},
		{1, `{"active":true}`},
		{0, `{"object":"machine_to_machine_token","id":"mt_1","subject":"mch_1","scopes":["a",null],"claims":[]}`},
		{0, `{"object":"machine_to_machine_token","id":"mt_1","subject":"mch_1","expiration":1.5e300}`},
		{2, `{"object":"api_key","id":"ak_1","subject":"user_1","\u0073ubject":"org_1"}`},
		{2, `{"object":"api_key","ID":"x","id":"ak_1","subject":"user_1","Subject":"org_1"}`},
		{0, `{}`},
		{0, ``},
		{0, `[`},
	} {
		f.Add(seed.kind, []byte(seed.body))
	}
	kinds := []Kind{KindM2M, KindOAuth, KindAPIKey}
	f.Fuzz(func(t *testing.T, k byte, body []byte) {
		kind := kinds[int(k)%len(kinds)]
		m, err := parseMachine(kind, body)
		if err != nil {
			if m != nil {
				t.Fatal("a Machine with an error")
			}
			switch {
			case errors.Is(err, ErrInvalid) && errors.Is(err, errMalformed):
				t.Fatalf("both invalid and malformed: %v", err)
			case errors.Is(err, ErrInvalid):
				var members map[string]json.RawMessage
				if json.Unmarshal(body, &members) != nil ||
					string(members["revoked"]) != "true" && string(members["expired"]) != "true" && string(members["active"]) != "false" {
					t.Fatalf("invalid without a verdict in the answer: %v", err)
				}
			case !errors.Is(err, errMalformed):
				t.Fatalf("an error that is neither invalid nor malformed: %v", err)
			}
			return
		}
		checkMachine(t, kind, m)

		// The answer is a JSON object whose read members appear once, so
		// encoding/json, matching names exactly through a map, reads them
		// alike.
		var members map[string]json.RawMessage
		if err := json.Unmarshal(body, &members); err != nil {
			t.Fatalf("accepted a body encoding/json refuses: %v", err)
		}
		str := func(name string) string {
			var s string
			_ = json.Unmarshal(members[name], &s)
			return s
		}
		if m.ID != str("id") || m.Subject != str("subject") {
			t.Fatalf("id %q, subject %q differ from encoding/json's", m.ID, m.Subject)
		}
		var scopes []string
		_ = json.Unmarshal(members["scopes"], &scopes)
		if len(scopes) == 0 {
			scopes = nil
		}
		if !reflect.DeepEqual(m.Scopes, scopes) {
			t.Fatalf("scopes %q differ from encoding/json's %q", m.Scopes, scopes)
		}
		if kind != KindOAuth && string(members["claims"]) != "null" && !bytes.Equal(m.Claims, members["claims"]) {
			t.Fatalf("claims %s differ from encoding/json's %s", m.Claims, members["claims"])
		}
		again, err := parseMachine(kind, body)
		if err != nil || !reflect.DeepEqual(m, again) {
			t.Fatal("parsing the same body twice gave different answers")
		}
	})
}

// checkMachine checks what every accepted Machine of kind must satisfy.
func checkMachine(t *testing.T, kind Kind, m *Machine) {
	t.Helper()
	if m.Kind != kind || m.ID == "" || m.Subject == "" {
		t.Fatalf("kind %q, ID %q, subject %q", m.Kind, m.ID, m.Subject)
	}
	var machineID, userID, orgID string
	switch kind {
	case KindM2M:
		machineID = m.Subject
	case KindOAuth:
		userID = m.Subject
	case KindAPIKey:
		if strings.HasPrefix(m.Subject, "user_") {
			userID = m.Subject
		}
		if strings.HasPrefix(m.Subject, "org_") {
			orgID = m.Subject
		}
	}
	if m.MachineID != machineID || m.UserID != userID || m.OrgID != orgID {
		t.Fatalf("machineId %q, userId %q, orgId %q for the %s subject %q", m.MachineID, m.UserID, m.OrgID, kind, m.Subject)
	}
	if kind != KindOAuth && m.ClientID != "" || kind != KindAPIKey && m.Name != "" {
		t.Fatalf("a field of another kind: client %q, name %q", m.ClientID, m.Name)
	}
	if m.Claims != nil && (kind == KindOAuth || m.Claims[0] != '{' || !json.Valid(m.Claims)) {
		t.Fatalf("claims %q", m.Claims)
	}
	if m.Scopes != nil && len(m.Scopes) == 0 {
		t.Fatal("empty scopes are not nil")
	}
	if !m.ExpiresAt.IsZero() && (m.ExpiresAt.Before(time.UnixMilli(0)) || !m.ExpiresAt.Before(time.UnixMilli(1<<53) /* remote.EpochTime's bound */)) {
		t.Fatalf("expiration %v out of range", m.ExpiresAt)
	}
}

// mustJSON is v as JSON.
func mustJSON(v any) string {
	b, err := json.Marshal(v)
	if err != nil {
		panic(err)
	}
	return string(b)
}
