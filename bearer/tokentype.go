package bearer

import (
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"strings"

	"github.com/scopegate/scopegate/token"
)

// TokenType is the kind of token a request presented, named as Clerk's
// tokenType names it, so that a route can say which kinds it accepts
// (AcceptsToken) and a handler can tell a machine from a person.
type TokenType string

// The token types. A user's token is a SessionToken from a Clerk issuer
// (Config.ClerkTokens) and an OAuthToken from any other; a client acting
// for itself presents an M2MToken; a Clerk API key is an APIKey.
const (
	// SessionToken is a Clerk session token: a user signed in to one of
	// the application's own frontends.
	SessionToken TokenType = "session_token"
	// OAuthToken is an access token a client holds on behalf of a user:
	// a Clerk OAuth application's token ("typ" at+jwt), or a user's access
	// token from Auth0 or any OAuth issuer.
	OAuthToken TokenType = "oauth_token"
	// M2MToken is a token a client holds for itself, with no user behind
	// it: a Clerk machine-to-machine token ("sub" mch_..., or its "cat"),
	// an OAuth client-credentials token (Auth0's "gty"
	// client-credentials, RFC 9068 §2.2's "sub" equal to "client_id", or an
	// introspection answer naming a client but no resource owner).
	M2MToken TokenType = "m2m_token"
	// APIKey is a Clerk API key ("ak_...", opaque), which a user or an
	// organization created; verified through Clerk's Backend API
	// (Config.ClerkAPI).
	APIKey TokenType = "api_key"
)

// ErrTokenType is the cause of the invalid_token answer for a valid token
// of a type the route does not accept (AcceptsToken, Config.AcceptsToken),
// of no type a request may present (a Clerk JWT template's, or one mixing
// Clerk's classes), or a Clerk M2M token not meant for Config.MachineID.
var ErrTokenType = errors.New("bearer: token type not accepted")

// typeSet is a set of token types, one bit each.
type typeSet uint8

// allTypes accepts every token type.
const allTypes = typeSet(1<<len(tokenTypesOrder) - 1)

// tokenTypesOrder fixes the bit of each type.
var tokenTypesOrder = [...]TokenType{SessionToken, OAuthToken, M2MToken, APIKey}

// bit returns the set holding t alone, and false for a type this package
// does not know.
func (t TokenType) bit() (typeSet, bool) {
	for i, known := range tokenTypesOrder {
		if t == known {
			return 1 << i, true
		}
	}
	return 0, false
}

// has reports whether the set holds t.
func (s typeSet) has(t TokenType) bool {
	b, ok := t.bit()
	return ok && s&b != 0
}

// newTypeSet builds the set of types, or says which entry is unknown, in
// the words of where it came from (a Config field or a route option).
func newTypeSet(types []TokenType, where string) (typeSet, error) {
	var s typeSet
	for _, t := range types {
		b, ok := t.bit()
		if !ok {
			return 0, fmt.Errorf("bearer: %s: unknown token type %q; use bearer.SessionToken, bearer.OAuthToken, bearer.M2MToken or bearer.APIKey", where, string(t))
		}
		s |= b
	}
	if s == 0 {
		return 0, fmt.Errorf("bearer: %s: no token type given; name at least one, or use AcceptsAnyToken", where)
	}
	return s, nil
}

// descNoTokenType is the error_description of a token of no type a request
// may present.
const descNoTokenType = "token is not a session, OAuth or machine token"

// descNotForThisMachine is the error_description of a Clerk M2M token that
// does not list Config.MachineID among the machines that may receive it.
const descNotForThisMachine = "machine token is not for this machine"

// refusal is the error_description of a token whose type the route does
// not accept: fixed text per type.
func (t TokenType) refusal() string {
	switch t {
	case SessionToken:
		return "route does not accept session tokens"
	case OAuthToken:
		return "route does not accept OAuth access tokens"
	case M2MToken:
		return "route does not accept machine tokens"
	case APIKey:
		return "route does not accept API keys"
	}
	return "token is not of a type this route accepts"
}

// machineClaims are the claims that tell a client's own token from a
// user's: "" for absent, or a JSON type other than a string.
type machineClaims struct {
	grantType, clientID, authorizedParty, id, username string
}

// machineClaimsOf reads them from a verified token's picked claims. The
// registered ones ("client_id", "azp", "jti") were decoded with the token,
// where a wrong type already failed it.
func machineClaimsOf(c *pickedClaims) machineClaims {
	return machineClaims{grantType: c.str(pickGrantType), clientID: c.claims.ClientID(),
		authorizedParty: c.claims.AuthorizedParty(), id: c.claims.ID(), username: c.str(pickUsername)}
}

// Clerk's token categories, in the "cat" header of the tokens it signs, and
// the subject prefix of its machines.
const (
	clerkSessionCategory = "cl_B7d4PD111AAA"
	// clerkIgnoreCategory is the category Clerk's session verification
	// lets through as well.
	clerkIgnoreCategory = "cl_I7d4PD111III"
	clerkM2MCategory    = "cl_B7d4PD333AAA"
	clerkMachinePrefix  = "mch_"
)

// isAccessTokenType reports a "typ" of RFC 9068 access tokens, which Clerk
// gives its OAuth applications' tokens.
func isAccessTokenType(typ string) bool {
	t := strings.ToLower(typ)
	return t == "at+jwt" || t == "application/at+jwt"
}

// typeOf decides a verified token's type. With clerk (Config.ClerkTokens)
// it follows @clerk/backend, which verifies each class with its own rules
// and refuses a token that mixes them: a machine subject with the M2M
// category (or none) and no "typ" at+jwt is an M2MToken; a machine subject
// otherwise, or the M2M category on another subject, is no type at all;
// "typ" at+jwt is an OAuthToken; the session category (or none, or the
// "ignore" one) a SessionToken; any other category (a JWT template's, say,
// which Clerk never accepts as a request's token) no type. Otherwise a
// client-credentials token is an M2MToken and every other an OAuthToken:
// Auth0's "gty" client-credentials, a "sub" equal to "client_id" (RFC 9068
// §2.2), or, in an introspection answer (introspected), a "client_id" with
// neither "sub" nor "username", RFC 7662's two names for the resource
// owner. header is the zero Header for a plugged validator's result and an
// introspected token.
func typeOf(clerk, introspected bool, header token.Header, subject string, m machineClaims) (TokenType, bool) {
	if clerk {
		machineSubject := strings.HasPrefix(subject, clerkMachinePrefix)
		switch {
		case machineSubject:
			if (header.Category == "" || header.Category == clerkM2MCategory) && !isAccessTokenType(header.Type) {
				return M2MToken, true
			}
			return "", false
		case header.Category == clerkM2MCategory:
			return "", false
		case isAccessTokenType(header.Type):
			return OAuthToken, true
		}
		switch header.Category {
		case "", clerkSessionCategory, clerkIgnoreCategory:
			return SessionToken, true
		}
		return "", false
	}
	noOwner := introspected && subject == "" && m.username == ""
	if m.grantType == "client-credentials" || m.clientID != "" && (subject == m.clientID || noOwner) {
		// No resource owner: the client acts for itself.
		return M2MToken, true
	}
	return OAuthToken, true
}

// clerkReservedClaims are the claims Clerk's machine-token service adds to
// every M2M JWT; the others are the token's custom claims, which Clerk's
// machine auth object shows as its claims.
var clerkReservedClaims = map[string]bool{"iss": true, "sub": true, "exp": true, "nbf": true, "iat": true, "jti": true}

// clerkMachineScopes reads a Clerk M2M token's scopes as @clerk/backend
// does: "scopes" split on spaces, else "aud", else none. Clerk's scopes are
// the IDs of the machines allowed to receive the token.
func clerkMachineScopes(c token.Claims) []string {
	if raw, ok := c.Value("scopes"); ok {
		var s string
		if json.Unmarshal(raw, &s) == nil {
			return strings.Fields(s)
		}
	}
	if raw, ok := c.Value("aud"); ok {
		var list []string
		if json.Unmarshal(raw, &list) == nil {
			return list
		}
		var one string
		if json.Unmarshal(raw, &one) == nil && one != "" {
			return []string{one}
		}
	}
	return []string{}
}

// clerkCustomClaims is a Clerk M2M token's claims without those Clerk adds
// to every one, or null when none is left, as Clerk's machine auth object
// shows them.
func clerkCustomClaims(c token.Claims) json.RawMessage {
	null := json.RawMessage("null")
	var all map[string]json.RawMessage
	if json.Unmarshal(c.Raw(), &all) != nil {
		return null
	}
	for name := range clerkReservedClaims {
		delete(all, name)
	}
	if len(all) == 0 {
		return null
	}
	out, err := json.Marshal(all)
	if err != nil {
		return null
	}
	return out
}

// checkParty applies Config.AuthorizedParties to a Clerk session token, as
// the verifier applies it to every token of other issuers: "azp" present
// and listed.
func checkParty(azp string, parties []string) error {
	switch {
	case azp == "":
		return fmt.Errorf("%w: azp", token.ErrMissingClaim)
	case !slices.Contains(parties, azp):
		return token.ErrAuthorizedParty
	}
	return nil
}
