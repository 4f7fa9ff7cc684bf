package clerkapi

import (
	"encoding/json"
	"slices"
	"time"
)

// Machine is what Clerk said about a valid machine token, with the fields
// of @clerk/backend's authenticated machine auth object
// (authenticatedMachineObject in packages/backend/src/tokens/authObjects.ts).
// Fields the kind does not have are zero. Every Machine returned by Verify
// is the caller's own: changing it changes nothing for other requests, even
// those answered from the same cached response.
//
// A revoked or expired token never comes back as a Machine: it is
// ErrInvalid.
type Machine struct {
	// Kind is the token's kind, which its prefix told.
	Kind Kind
	// ID is Clerk's ID of the token ("mt_…", "oat_…", "ak_…"); it is not
	// the token.
	ID string
	// Subject is whom the token stands for: the machine ("mch_…") of an
	// M2M token, the user ("user_…") of an OAuth token, the user, the
	// organization ("org_…") or the machine of an API key.
	Subject string
	// MachineID is the Subject of an M2M token (Clerk's machineId).
	MachineID string
	// ClientID is the OAuth application's client ID, for an OAuth token.
	ClientID string
	// UserID is the Subject of an OAuth token, and of an API key whose
	// subject starts with "user_" (Clerk's userId).
	UserID string
	// OrgID is the Subject of an API key whose subject starts with "org_"
	// (Clerk's orgId).
	OrgID string
	// Name is an API key's name.
	Name string
	// Scopes are the token's scopes as Clerk lists them; for an M2M token,
	// the machines allowed to receive it. Nil when there are none.
	Scopes []string
	// Claims are the custom claims of an M2M token or an API key: a JSON
	// object, or nil when Clerk sent null (an OAuth token has none).
	Claims json.RawMessage
	// ExpiresAt is when the token expires; zero for a token that does not.
	ExpiresAt time.Time
}

// clone returns a copy of m sharing no memory with it, so that what one
// handler does to its Machine cannot reach the cache or another request.
func (m *Machine) clone() *Machine {
	c := *m
	c.Scopes = slices.Clone(m.Scopes)
	c.Claims = slices.Clone(m.Claims)
	return &c
}

// Clone returns a copy of m that shares nothing with it.
func (m *Machine) Clone() *Machine { return m.clone() }
