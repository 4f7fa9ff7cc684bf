package bearer

import (
	"bytes"
	"context"
	"encoding/json"
	"net/http"
	"slices"
	"sync"
	"time"

	jwtmiddleware "github.com/auth0/go-jwt-middleware/v2"

	"github.com/scopegate/scopegate/clerk"
	"github.com/scopegate/scopegate/clerkapi"
	"github.com/scopegate/scopegate/scopes"
	"github.com/scopegate/scopegate/token"
)

// Auth is what authentication learnt about a request: who is signed in and
// what their token grants, or that nobody is. FromContext (and each face's
// GetAuth) never returns nil; a request no middleware looked at is signed
// out.
//
// Each request gets its own Auth, shared only by the handlers of that
// request. What the token established is shared by every request that
// presents the same token (the verification is cached), so it is reachable
// only through methods that return copies or read-only handles: nothing a
// handler does to what it receives changes what another request sees.
type Auth struct {
	// IsAuthenticated is true only for a request whose token passed
	// verification.
	IsAuthenticated bool
	// UserID is the "sub" claim of a user's token; "" for a machine's
	// (TokenType M2MToken), whose subject is in Subject and MachineID.
	UserID string
	// TokenType is the kind of token: SessionToken, OAuthToken or
	// M2MToken; "" when signed out.
	TokenType TokenType
	// Subject is the "sub" claim, whoever it names.
	Subject string
	// TokenID is the "jti" claim, the token's own identifier.
	TokenID string
	// ClientID is the OAuth client the token was issued to ("client_id",
	// else "azp"), for OAuth and machine tokens.
	ClientID string
	// MachineID names the machine of an M2MToken: its "sub" for Clerk's
	// (mch_...), its client for an OAuth client-credentials token.
	MachineID string
	// SessionID is the "sid" claim (Clerk session tokens carry one).
	SessionID string
	// SessionStatus is Clerk's "sts" claim ("active", "pending"). A pending
	// session is signed out unless Config.AcceptPendingSessions is set; its
	// signed-out auth object keeps SessionStatus "pending".
	SessionStatus string
	// OrgID, OrgRole and OrgSlug describe the active Clerk organization,
	// from version 1 claims (org_id, ...) or version 2 ("o").
	OrgID, OrgRole, OrgSlug string
	// Err says why the request is signed out when it presented a token, or
	// was malformed; nil when it simply had no token. RequireAuth and the
	// authorization middlewares answer with it.
	Err error

	// session is what the token established; nil when signed out. It is
	// shared, and what it holds never changes once built (the token's ath,
	// worked out at the first proof, is set once under a sync.Once).
	session *session
	// present records which of the string fields above the token gives,
	// possibly as "", so that JSON renders "" for those and null for the
	// others, as Clerk's auth object does.
	present presence
	// how says how the authenticator that saw the request answers.
	how *answering
	// scheme is the scheme the request's token came with, SchemeBearer
	// (also for cookies and query parameters) or SchemeDPoP; "" for none.
	scheme string
	// proven reports a request whose DPoP proof passed: its token is
	// bound to the key that signed the proof.
	proven bool
}

// session is what a verified token established, built once per token and
// shared by every request presenting it while its verification stays
// cached. Nothing changes it after it is built, but for ath, which the
// first DPoP proof works out once (see hasAccessTokenHash).
type session struct {
	grants    scopes.Grants
	claims    token.Claims
	token     token.Token
	validated any
	actor     json.RawMessage
	// acr and authTime are how and when the user authenticated (RFC 9068
	// §2.2.1): "" and zero when the token does not say, or says it in
	// another JSON type than a string and a NumericDate.
	acr      string
	authTime time.Time
	// jkt is the thumbprint of the key a DPoP-bound token is bound to
	// ("cnf.jkt", RFC 9449 §6.1); "" for an unbound token. otherBinding
	// reports a "cnf" naming only methods this API cannot check.
	jkt          string
	otherBinding bool
	// ath is the token's hash as DPoP proofs name it, computed at the
	// first proof (see hasAccessTokenHash).
	athOnce sync.Once
	ath     [43]byte
	// machine holds the claims that tell a client's own token from a
	// user's; tokenType is what they, the header and the issuer's
	// ecosystem make of the token.
	machine   machineClaims
	tokenType TokenType
	// machineClaimsJSON is what a machine's auth object shows as its
	// claims: the custom ones of a Clerk M2M token (null for none); nil
	// shows the whole payload.
	machineClaimsJSON json.RawMessage
	// name is a Clerk API key's name.
	name string
}

// presence is a set of the string fields of Auth.
type presence uint8

const (
	hasUserID presence = 1 << iota
	hasSessionID
	hasSessionStatus
	hasOrgID
	hasOrgRole
	hasOrgSlug
)

// DPoPKeyThumbprint returns the RFC 7638 thumbprint of the key the
// request proved possession of, which its token is bound to: "" unless
// the request authenticated with the DPoP scheme and a valid proof.
func (a *Auth) DPoPKeyThumbprint() string {
	if !a.proven || a.session == nil {
		return ""
	}
	return a.session.jkt
}

// Grants returns a copy of the scopes, permissions and Clerk session (a
// *clerk.Session in Grants.Session) the token carries; the zero Grants when
// signed out.
func (a *Auth) Grants() scopes.Grants {
	if a.session == nil {
		return scopes.Grants{}
	}
	return a.session.grants.Clone()
}

// Scopes returns a copy of the token's scopes ("scope" and "scp" claims).
func (a *Auth) Scopes() []string { return slices.Clone(a.grants().Scopes) }

// Permissions returns a copy of the token's permissions (Auth0 RBAC
// "permissions").
func (a *Auth) Permissions() []string { return slices.Clone(a.grants().Permissions) }

// OrgPermissions returns a copy of the active Clerk organization's
// permissions; nil without an organization.
func (a *Auth) OrgPermissions() []string {
	if s := a.clerkSession(); s != nil && s.Organization != nil {
		return slices.Clone(s.Organization.Permissions)
	}
	return nil
}

// FactorVerificationAge returns a copy of Clerk's "fva": minutes since the
// first and second factor were verified (-1: not set up); nil when absent
// or invalid.
func (a *Auth) FactorVerificationAge() []float64 {
	if s := a.clerkSession(); s != nil {
		return slices.Clone(s.FactorVerificationAge)
	}
	return nil
}

// Actor returns a copy of the "act" claim (RFC 8693 §4.1; Clerk
// impersonation), raw; nil when absent, null or signed out.
func (a *Auth) Actor() json.RawMessage {
	if a.session == nil {
		return nil
	}
	return bytes.Clone(a.session.actor)
}

// Claims returns the verified claims, a read-only handle; the zero Claims
// when signed out.
func (a *Auth) Claims() token.Claims {
	if a.session == nil {
		return token.Claims{}
	}
	return a.session.claims
}

// Token returns the verified token when the built-in verifier checked it;
// the zero Token when signed out or when a plugged ValidateToken did.
func (a *Auth) Token() token.Token {
	if a.session == nil {
		return token.Token{}
	}
	return a.session.token
}

// Validated returns what the token validator returned: a token.Token with
// the built-in verifier, token.Claims for an introspected opaque token, a
// *clerkapi.Machine for a Clerk opaque machine token (a copy of its own
// for each call), the plugged validator's own value otherwise
// (*validator.ValidatedClaims for go-jwt-middleware's), which is built
// anew for every request. The same value is stored under
// jwtmiddleware.ContextKey{} in the request context. Nil when signed out.
func (a *Auth) Validated() any {
	if a.session == nil {
		return nil
	}
	if m, ok := a.session.validated.(*clerkapi.Machine); ok {
		// Shared by every request of the same token: handed out as copies.
		return m.Clone()
	}
	return a.session.validated
}

// ACR returns the "acr" claim, the authentication context class the user
// authenticated with (RFC 9068 §2.2.1; Auth0 signals multi-factor with
// http://schemas.openid.net/pape/policies/2007/06/multi-factor); "" when
// absent, not a string, or signed out.
func (a *Auth) ACR() string {
	if a.session == nil {
		return ""
	}
	return a.session.acr
}

// AuthTime returns the "auth_time" claim, when the user last authenticated;
// the zero time when absent, not a NumericDate, or signed out.
func (a *Auth) AuthTime() time.Time {
	if a.session == nil {
		return time.Time{}
	}
	return a.session.authTime
}

// grants returns the shared grants, for reading in this package only.
func (a *Auth) grants() *scopes.Grants {
	if a.session == nil {
		return &scopes.Grants{}
	}
	return &a.session.grants
}

// clerkSession returns the shared Clerk session, for reading in this
// package only; nil when signed out or when the token carries none.
func (a *Auth) clerkSession() *clerk.Session {
	s, _ := a.grants().Session.(*clerk.Session)
	return s
}

// Has reports whether the request is signed in and its token satisfies req.
// It is false when signed out, whatever req asks.
func (a *Auth) Has(req scopes.Requirement) bool {
	return a.IsAuthenticated && scopes.Check(req, *a.grants())
}

// decodeClaims unmarshals the verified claims into v, for ClaimsAs. It
// returns ErrMissingToken when signed out.
func (a *Auth) decodeClaims(v any) error {
	if !a.IsAuthenticated || a.Claims().IsZero() {
		return ErrMissingToken
	}
	return a.Claims().Decode(v)
}

// authJSON is the JSON form of Auth. Names follow Clerk's auth object, so
// that frontends reading /me-style endpoints see familiar fields.
type authJSON struct {
	IsAuthenticated       bool            `json:"isAuthenticated"`
	TokenType             *TokenType      `json:"tokenType"`
	UserID                *string         `json:"userId"`
	SessionID             *string         `json:"sessionId"`
	SessionStatus         *string         `json:"sessionStatus"`
	SessionClaims         json.RawMessage `json:"sessionClaims"`
	Actor                 json.RawMessage `json:"actor"`
	OrgID                 *string         `json:"orgId"`
	OrgRole               *string         `json:"orgRole"`
	OrgSlug               *string         `json:"orgSlug"`
	OrgPermissions        []string        `json:"orgPermissions"`
	FactorVerificationAge json.RawMessage `json:"factorVerificationAge"`
	Scopes                []string        `json:"scopes"`
	Permissions           []string        `json:"permissions"`
	// ID, Subject and ClientID are the members Clerk's OAuth auth object
	// adds; rendered for an OAuthToken only.
	ID       *string `json:"id,omitempty"`
	Subject  *string `json:"subject,omitempty"`
	ClientID *string `json:"clientId,omitempty"`
}

// MarshalJSON renders the auth object as Clerk's: a string field the token
// gives is rendered as given, "" included, and one it leaves out as null.
// Every field is null when signed out, except the session status of a
// pending session. The token itself is never included.
func (a *Auth) MarshalJSON() ([]byte, error) {
	null := json.RawMessage("null")
	out := authJSON{
		IsAuthenticated:       a.IsAuthenticated,
		SessionStatus:         a.field(a.SessionStatus, hasSessionStatus),
		SessionClaims:         null,
		Actor:                 null,
		FactorVerificationAge: null,
	}
	if !a.IsAuthenticated {
		return json.Marshal(out)
	}
	if a.TokenType == M2MToken || a.TokenType == APIKey {
		return a.machineJSON()
	}
	if a.TokenType != "" {
		out.TokenType = &a.TokenType
	}
	if a.TokenType == OAuthToken {
		out.ID, out.Subject, out.ClientID = &a.TokenID, &a.Subject, &a.ClientID
	}
	out.UserID = a.field(a.UserID, hasUserID)
	out.SessionID = a.field(a.SessionID, hasSessionID)
	claims := a.Claims()
	if !claims.IsZero() {
		out.SessionClaims = claims.Raw()
		if fva, ok := claims.Value(clerk.ClaimFactorVerificationAge); ok {
			out.FactorVerificationAge = fva
		}
	}
	if actor := a.Actor(); actor != nil {
		out.Actor = actor
	}
	out.OrgID = a.field(a.OrgID, hasOrgID)
	out.OrgRole = a.field(a.OrgRole, hasOrgRole)
	out.OrgSlug = a.field(a.OrgSlug, hasOrgSlug)
	out.OrgPermissions = a.OrgPermissions()
	out.Scopes = nonNil(a.Scopes())
	out.Permissions = nonNil(a.Permissions())
	return json.Marshal(out)
}

// machineAuthJSON is the JSON form of a machine's auth object, with the
// members of Clerk's machine auth object for an M2M token.
type machineAuthJSON struct {
	IsAuthenticated bool      `json:"isAuthenticated"`
	TokenType       TokenType `json:"tokenType"`
	ID              *string   `json:"id"`
	Subject         *string   `json:"subject"`
	// MachineID and ClientID are an M2M token's; Name, UserID and OrgID an
	// API key's, as Clerk's auth objects have them (null when the token
	// has none, left out for the other kind).
	MachineID json.RawMessage `json:"machineId,omitempty"`
	ClientID  json.RawMessage `json:"clientId,omitempty"`
	Name      json.RawMessage `json:"name,omitempty"`
	UserID    json.RawMessage `json:"userId,omitempty"`
	OrgID     json.RawMessage `json:"orgId,omitempty"`
	Scopes    []string        `json:"scopes"`
	Claims    json.RawMessage `json:"claims"`
}

// strOrNull is s as a JSON string, or null for "".
func strOrNull(s string) json.RawMessage {
	if s == "" {
		return json.RawMessage("null")
	}
	b, _ := json.Marshal(s) // a string: it cannot fail
	return b
}

// machineJSON renders a signed-in machine: no user, session or
// organization members, which a machine has none of.
func (a *Auth) machineJSON() ([]byte, error) {
	str := func(s string) *string {
		if s == "" {
			return nil
		}
		return &s
	}
	out := machineAuthJSON{IsAuthenticated: true, TokenType: a.TokenType, ID: str(a.TokenID), Subject: str(a.Subject),
		Scopes: nonNil(a.Scopes()), Claims: json.RawMessage("null")}
	switch a.TokenType {
	case M2MToken:
		// Clerk's members of an M2M token, null when the token has none.
		out.MachineID, out.ClientID = strOrNull(a.MachineID), strOrNull(a.ClientID)
	case APIKey:
		out.Name, out.UserID, out.OrgID = strOrNull(a.session.name), strOrNull(a.UserID), strOrNull(a.OrgID)
	}
	if custom := a.session.machineClaimsJSON; custom != nil {
		out.Claims = slices.Clone(custom)
	} else if claims := a.Claims(); !claims.IsZero() {
		out.Claims = claims.Raw()
	}
	return json.Marshal(out)
}

// field renders a string field: null when it is "" and the token did not
// give it, the string otherwise (a handler may have set it).
func (a *Auth) field(s string, f presence) *string {
	if s == "" && a.present&f == 0 {
		return nil
	}
	return &s
}

// nonNil maps a nil list to [] for a signed-in request, where "no scopes"
// is an answer rather than an absence.
func nonNil(list []string) []string {
	if list == nil {
		return []string{}
	}
	return list
}

// authKey is the request context key of the *Auth.
type authKey struct{}

// authContext carries the request's own Auth in the request context. One
// value holds the Auth and answers both our key and go-jwt-middleware's
// ContextKey, so attaching the result costs a single allocation.
type authContext struct {
	context.Context
	auth Auth
}

// Value answers the two keys it carries and defers every other.
func (c *authContext) Value(key any) any {
	switch key.(type) {
	case authKey:
		return &c.auth
	case jwtmiddleware.ContextKey:
		if v := c.auth.Validated(); v != nil {
			return v
		}
	}
	return c.Context.Value(key)
}

// FromContext returns the auth object of a request's context, also for
// service code that receives a context.Context rather than the request;
// never nil.
func FromContext(ctx context.Context) *Auth {
	if a, ok := ctx.Value(authKey{}).(*Auth); ok && a != nil {
		return a
	}
	return &Auth{how: defaultAnswering}
}

// attach returns r carrying its own copy of auth in its context.
func attach(r *http.Request, auth Auth) *http.Request {
	return r.WithContext(&authContext{Context: r.Context(), auth: auth})
}
