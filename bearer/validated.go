package bearer

import (
	"encoding/json"
	"fmt"

	"github.com/scopegate/scopegate/clerk"
	"github.com/scopegate/scopegate/internal/tokenhook"
	"github.com/scopegate/scopegate/scopes"
	"github.com/scopegate/scopegate/token"
)

// newAuth builds the signed-in auth object from what the validator
// returned. Its session is shared by every request that presents the same
// token while the verification stays cached, so everything in it is built
// here, once, and never changed afterwards (but for the token's ath, set
// once at its first DPoP proof). It fills s, a zero session, and indexes
// the claims in picked; the caller provides both so that they share an
// allocation with its own result.
func newAuth(validated any, s *session, picked *pickedClaims) (Auth, error) {
	s.validated = validated
	auth := Auth{IsAuthenticated: true, session: s}
	switch v := validated.(type) {
	case token.Token:
		s.token = v
		s.claims = v.Claims()
	case token.Claims:
		// An introspected opaque token: its claims are the answer's.
		s.claims = v
	default:
		s.claims = claimsOf(validated)
	}
	if s.claims.IsZero() {
		// A plugged validator whose result has no JSON form: the request
		// is signed in, with no claims to read grants from.
		return auth, nil
	}
	c := picked
	c.pick(s.claims)
	var err error
	// Two plain statements rather than a table of pointers into auth:
	// those would move auth to the heap on every first sight.
	if c.given(pickSid) {
		if auth.SessionID, err = tokenhook.String(c.raw(pickSid)); err != nil {
			return Auth{}, fmt.Errorf("%w: sid", token.ErrClaimType)
		}
		auth.present |= hasSessionID
	}
	if c.given(pickSts) {
		if auth.SessionStatus, err = tokenhook.String(c.raw(pickSts)); err != nil {
			return Auth{}, fmt.Errorf("%w: sts", token.ErrClaimType)
		}
		auth.present |= hasSessionStatus
	}
	// "sub" was decoded with the registered claims, where a wrong JSON type
	// (null included) already failed; the string is shared with them rather
	// than copied, so the cache counts it once, with the token.
	auth.UserID = s.claims.Subject()
	auth.Subject = auth.UserID
	if c.given(pickSub) {
		auth.present |= hasUserID
	}
	s.acr, s.authTime = stepUpClaims(c)
	s.machine = machineClaimsOf(c)
	if c.given(pickCnf) {
		if s.jkt, s.otherBinding, err = binding(c.raw(pickCnf)); err != nil {
			return Auth{}, err
		}
	}
	if c.given(pickAct) {
		// Shared, like the payload it points into; Actor hands out copies.
		s.actor = c.raw(pickAct)
	}
	if s.grants, err = scopes.Parse(c); err != nil {
		return Auth{}, fmt.Errorf("%w: %w", token.ErrClaimType, err)
	}
	sess, err := clerk.Parse(c)
	if err != nil {
		return Auth{}, fmt.Errorf("%w: %w", token.ErrClaimType, err)
	}
	if sess == nil {
		// Only a session that exists goes in: a nil *clerk.Session would
		// make Grants.Session a non-nil interface.
		return auth, nil
	}
	s.grants.Session = sess
	if org := sess.Organization; org != nil {
		auth.OrgID, auth.OrgRole, auth.OrgSlug = org.ID, org.Role, org.Slug
		for _, f := range []struct {
			has  bool
			flag presence
		}{{org.HasID, hasOrgID}, {org.HasRole, hasOrgRole}, {org.HasSlug, hasOrgSlug}} {
			if f.has {
				auth.present |= f.flag
			}
		}
	}
	return auth, nil
}

// claimsOf recovers claims from a plugged validator's result through its
// JSON form, so that no validator package needs importing here. The result
// of go-jwt-middleware's validator, {"CustomClaims":{...},
// "RegisteredClaims":{...}}, is flattened into one claims object, registered
// claims first. Members that are null are dropped: in a Go struct they are
// nil slices and pointers, that is, claims the token did not have. The zero
// Claims when the value has no JSON object form.
func claimsOf(v any) token.Claims {
	data, err := json.Marshal(v)
	if err != nil {
		return token.Claims{}
	}
	var top map[string]json.RawMessage
	if json.Unmarshal(data, &top) != nil {
		return token.Claims{}
	}
	claims := make(map[string]json.RawMessage, len(top))
	_, hasRegistered := top["RegisteredClaims"]
	_, hasCustom := top["CustomClaims"]
	if hasRegistered || hasCustom {
		for _, part := range []string{"RegisteredClaims", "CustomClaims"} {
			var members map[string]json.RawMessage
			if json.Unmarshal(top[part], &members) != nil {
				continue
			}
			for name, value := range members {
				if _, seen := claims[name]; !seen {
					claims[name] = value
				}
			}
		}
	} else {
		claims = top
	}
	for name, value := range claims {
		if string(value) == "null" {
			delete(claims, name)
		}
	}
	if data, err = json.Marshal(claims); err != nil {
		return token.Claims{}
	}
	parsed, err := token.NewClaims(data)
	if err != nil {
		return token.Claims{}
	}
	return parsed
}
