package echoauth

import (
	"encoding/json"
	"fmt"

	"github.com/scopegate/scopegate/echoauth/token"
	"github.com/scopegate/scopegate/scopes"
)

// newAuth builds the signed-in auth object from what the validator returned.
func newAuth(validated any) (*Auth, error) {
	auth := &Auth{IsAuthenticated: true, Validated: validated}
	if tok, ok := validated.(*token.Token); ok {
		auth.Token = tok
		auth.Claims = &tok.Claims
	} else {
		auth.Claims = claimsOf(validated)
	}
	if auth.Claims == nil {
		// A plugged validator whose result has no JSON form: the request
		// is signed in, with no claims to read grants from.
		return auth, nil
	}
	auth.UserID = auth.Claims.Subject
	var err error
	if auth.SessionID, err = auth.Claims.String("sid"); err != nil {
		return nil, err
	}
	if auth.SessionStatus, err = auth.Claims.String("sts"); err != nil {
		return nil, err
	}
	if act, ok := auth.Claims.Value("act"); ok && string(act) != "null" {
		auth.Actor = act
	}
	if auth.grants, err = scopes.Parse(auth.Claims); err != nil {
		return nil, fmt.Errorf("%w: %w", token.ErrClaimType, err)
	}
	if org := auth.grants.Organization; org != nil {
		auth.OrgID, auth.OrgRole, auth.OrgSlug, auth.OrgPermissions = org.ID, org.Role, org.Slug, org.Permissions
	}
	auth.FactorVerificationAge = auth.grants.FactorVerificationAge
	return auth, nil
}

// claimsOf recovers claims from a plugged validator's result through its
// JSON form, so that no validator package needs importing here. The result
// of go-jwt-middleware's validator, {"CustomClaims":{...},
// "RegisteredClaims":{...}}, is flattened into one claims object, registered
// claims first. Members that are null are dropped: in a Go struct they are
// nil slices and pointers, that is, claims the token did not have. Nil when
// the value has no JSON object form.
func claimsOf(v any) *token.Claims {
	data, err := json.Marshal(v)
	if err != nil {
		return nil
	}
	var top map[string]json.RawMessage
	if json.Unmarshal(data, &top) != nil {
		return nil
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
		return nil
	}
	parsed, err := token.NewClaims(data)
	if err != nil {
		return nil
	}
	return parsed
}
