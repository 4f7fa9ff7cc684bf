package echoauth

import (
	"context"
	"encoding/json"

	jwtmiddleware "github.com/auth0/go-jwt-middleware/v2"
	"github.com/labstack/echo/v4"

	"github.com/scopegate/scopegate/echoauth/token"
	"github.com/scopegate/scopegate/scopes"
)

// Auth is what the authentication middlewares learnt about a request: who
// is signed in and what their token grants, or that nobody is. GetAuth
// never returns nil; a request no middleware looked at is signed out.
//
// An Auth is shared by every handler of the request and must not be
// modified.
type Auth struct {
	// IsAuthenticated is true only for a request whose token passed
	// verification.
	IsAuthenticated bool
	// UserID is the "sub" claim.
	UserID string
	// SessionID is the "sid" claim (Clerk session tokens carry one).
	SessionID string
	// SessionStatus is Clerk's "sts" claim ("active", "pending"). A pending
	// session is signed out unless Config.AcceptPendingSessions is set; its
	// signed-out auth object keeps SessionStatus "pending".
	SessionStatus string
	// Actor is the "act" claim (RFC 8693 §4.1; Clerk impersonation), raw.
	Actor json.RawMessage
	// OrgID, OrgRole, OrgSlug and OrgPermissions describe the active Clerk
	// organization, from version 1 claims (org_id, ...) or version 2 ("o").
	OrgID, OrgRole, OrgSlug string
	OrgPermissions          []string
	// FactorVerificationAge is Clerk's "fva": minutes since the first and
	// second factor were verified (-1: not set up); nil when absent or invalid.
	FactorVerificationAge []float64
	// Claims are the verified claims; nil when signed out.
	Claims *token.Claims
	// Token is the verified token when the built-in verifier checked it;
	// nil when signed out or when a plugged ValidateToken did.
	Token *token.Token
	// Validated is what the token validator returned: a *token.Token with
	// the built-in verifier, the plugged validator's own value otherwise
	// (*validator.ValidatedClaims for go-jwt-middleware's). The same value
	// is stored under jwtmiddleware.ContextKey{} in the request context.
	Validated any
	// Err says why the request is signed out when it presented a token, or
	// was malformed; nil when it simply had no token. RequireAuth and the
	// authorization middlewares answer with it.
	Err error

	grants    scopes.Grants
	realm     string
	signInURL string
}

// Grants returns the scopes and permissions the token grants.
func (a *Auth) Grants() scopes.Grants { return a.grants }

// Scopes returns the token's scopes ("scope" and "scp" claims).
func (a *Auth) Scopes() []string { return a.grants.Scopes }

// Permissions returns the token's permissions (Auth0 RBAC "permissions").
func (a *Auth) Permissions() []string { return a.grants.Permissions }

// Has reports whether the request is signed in and its token satisfies req.
// It is false when signed out, whatever req asks.
func (a *Auth) Has(req scopes.Requirement) bool {
	return a.IsAuthenticated && req != nil && req.Satisfied(a.grants)
}

// DecodeClaims unmarshals the verified claims into v, the application's own
// struct. It returns ErrMissingToken when signed out.
func (a *Auth) DecodeClaims(v any) error {
	if !a.IsAuthenticated || a.Claims == nil {
		return ErrMissingToken
	}
	return a.Claims.Decode(v)
}

// authJSON is the JSON form of Auth. Names follow Clerk's auth object, so
// that frontends reading /me-style endpoints see familiar fields.
type authJSON struct {
	IsAuthenticated       bool            `json:"isAuthenticated"`
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
}

// MarshalJSON renders the auth object; every field is null when signed out,
// except the session status of a pending session. The token itself is never
// included.
func (a *Auth) MarshalJSON() ([]byte, error) {
	null := json.RawMessage("null")
	out := authJSON{
		IsAuthenticated:       a.IsAuthenticated,
		SessionStatus:         nonEmpty(a.SessionStatus),
		SessionClaims:         null,
		Actor:                 null,
		FactorVerificationAge: null,
	}
	if !a.IsAuthenticated {
		return json.Marshal(out)
	}
	out.UserID = nonEmpty(a.UserID)
	out.SessionID = nonEmpty(a.SessionID)
	if a.Claims != nil && a.Claims.Raw() != nil {
		out.SessionClaims = a.Claims.Raw()
		if fva, ok := a.Claims.Value(scopes.ClaimFactorVerificationAge); ok {
			out.FactorVerificationAge = fva
		}
	}
	if a.Actor != nil {
		out.Actor = a.Actor
	}
	out.OrgID = nonEmpty(a.OrgID)
	out.OrgRole = nonEmpty(a.OrgRole)
	out.OrgSlug = nonEmpty(a.OrgSlug)
	out.OrgPermissions = a.OrgPermissions
	out.Scopes = nonNil(a.grants.Scopes)
	out.Permissions = nonNil(a.grants.Permissions)
	return json.Marshal(out)
}

// nonEmpty maps "" to JSON null.
func nonEmpty(s string) *string {
	if s == "" {
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

// authContext carries the Auth in the request context. One value answers
// both our key and go-jwt-middleware's ContextKey, so attaching the result
// costs a single allocation.
type authContext struct {
	context.Context
	auth *Auth
}

// Value answers the two keys it carries and defers every other.
func (c *authContext) Value(key any) any {
	switch key.(type) {
	case authKey:
		return c.auth
	case jwtmiddleware.ContextKey:
		if c.auth.Validated != nil {
			return c.auth.Validated
		}
	}
	return c.Context.Value(key)
}

// GetAuth returns the request's auth object; never nil.
func GetAuth(c echo.Context) *Auth {
	return FromContext(c.Request().Context())
}

// FromContext returns the auth object of a request context, for service
// code that receives a context.Context rather than an echo.Context; never nil.
func FromContext(ctx context.Context) *Auth {
	if a, ok := ctx.Value(authKey{}).(*Auth); ok && a != nil {
		return a
	}
	return &Auth{realm: DefaultRealm}
}

// attach stores auth in the request's context.
func attach(c echo.Context, auth *Auth) {
	r := c.Request()
	c.SetRequest(r.WithContext(&authContext{Context: r.Context(), auth: auth}))
}
