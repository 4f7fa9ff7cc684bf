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
	sid, err := auth.Claims.String("sid")
	if err != nil {
		return nil, err
	}
	auth.SessionID = sid
	auth.grants, err = grantsOf(auth.Claims)
	if err != nil {
		return nil, err
	}
	return auth, nil
}

// grantsOf reads the scope, scp and permissions claims.
func grantsOf(c *token.Claims) (scopes.Grants, error) {
	scope, _ := c.Value("scope")
	scp, _ := c.Value("scp")
	permissions, _ := c.Value("permissions")
	g, err := scopes.FromClaims(scope, scp, permissions)
	if err != nil {
		return g, fmt.Errorf("%w: %w", token.ErrClaimType, err)
	}
	return g, nil
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
