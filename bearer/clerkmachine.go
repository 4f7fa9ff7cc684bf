package bearer

import (
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"slices"

	"github.com/scopegate/scopegate/clerkapi"
	"github.com/scopegate/scopegate/scopes"
)

// descClerkUnavailable is the error_description of a Clerk machine token
// that Clerk's Backend API could not judge.
const descClerkUnavailable = "Clerk's Backend API is unavailable, retry later"

// authenticateClerkMachine authenticates a Clerk opaque machine token of
// type t (its prefix says which) on a route accepting the token types
// accepts. A route that does not accept t refuses it without asking Clerk:
// checking what a route refuses costs nothing (Clerk's own Express
// middleware calls its Backend API for every opaque token on every route).
func (a *Authenticator) authenticateClerkMachine(r *http.Request, raw, scheme string, t TokenType, accepts typeSet) Auth {
	if !accepts.has(t) {
		return a.signedOut(invalidToken(t.refusal(), ErrTokenType))
	}
	v, err := a.clerkAPI.VerifyShared(r.Context(), raw, a.deriveClerkMachine)
	if err != nil {
		var unavail *clerkapi.UnavailableError
		if errors.As(err, &unavail) {
			return a.signedOut(unavailable(descClerkUnavailable, unavail.RetryAfter, err))
		}
		return a.signedOut(invalidToken(descOpaqueInactive, err))
	}
	d := v.(*derivation)
	if d.description != "" {
		return a.signedOut(invalidToken(d.description, fmt.Errorf("bearer: Clerk machine token refused: %w", d.cause)))
	}
	return a.confirm(r, raw, scheme, a.admit(d))
}

// deriveClerkMachine builds the auth object of a Clerk machine token as
// @clerk/backend builds its machine auth object, once per answer: its
// scopes, its custom claims, and who it stands for.
func (a *Authenticator) deriveClerkMachine(m *clerkapi.Machine) any {
	t := TokenType(m.Kind)
	s := &session{validated: m, tokenType: t, grants: scopes.Grants{Scopes: slices.Clone(m.Scopes)},
		machineClaimsJSON: json.RawMessage("null"), name: m.Name}
	if m.Claims != nil {
		s.machineClaimsJSON = slices.Clone(m.Claims)
	}
	auth := Auth{IsAuthenticated: true, session: s, how: a.how, TokenType: t, Subject: m.Subject, TokenID: m.ID,
		MachineID: m.MachineID, ClientID: m.ClientID, UserID: m.UserID, OrgID: m.OrgID}
	if m.UserID != "" {
		auth.present |= hasUserID
	}
	if m.OrgID != "" {
		auth.present |= hasOrgID
	}
	if t == M2MToken && a.machineID != "" && !slices.Contains(m.Scopes, a.machineID) {
		return &derivation{description: descNotForThisMachine, cause: ErrTokenType}
	}
	return &derivation{auth: auth}
}
