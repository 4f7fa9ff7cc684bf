// Package clerkhas maps the params of Clerk's has() to the requirement an
// application writes with this module instead, so that clerk's own tests and
// the differential test against Clerk's SDK (package echoauth, build tag
// integration) ask the same question of both implementations.
package clerkhas

import (
	"encoding/json"
	"fmt"

	"github.com/scopegate/scopegate/clerk"
	"github.com/scopegate/scopegate/scopes"
)

// Requirement maps the JSON params of a has() call to the requirement that
// asks the same: {permission} → [scopes.Permission], {role} → [clerk.Role],
// {feature} → [clerk.Feature], {plan} → [clerk.Plan], {reverification:
// "strict"} → [clerk.Reverification], {reverification: {level,
// afterMinutes}} → [clerk.ReverificationAfter], several keys → [scopes.And]
// of them; other keys are ignored.
//
// ok is false when no requirement expresses the params: nothing asked ({}
// is always false in Clerk), or a value of a JSON type no constructor takes
// (Clerk fails those closed). err is not nil only when params is not a JSON
// object.
func Requirement(params []byte) (req scopes.Requirement, ok bool, err error) {
	var p map[string]any
	if err := json.Unmarshal(params, &p); err != nil {
		return nil, false, fmt.Errorf("clerkhas: has() params %s: %w", params, err)
	}
	var reqs []scopes.Requirement
	for _, key := range []string{"role", "permission", "feature", "plan", "reverification"} {
		v, asked := p[key]
		if !asked {
			continue
		}
		if key == "reverification" {
			switch v := v.(type) {
			case string:
				reqs = append(reqs, clerk.Reverification(v))
			case map[string]any:
				level, okLevel := v["level"].(string)
				after, okAfter := v["afterMinutes"].(float64)
				if !okLevel || !okAfter {
					return nil, false, nil
				}
				reqs = append(reqs, clerk.ReverificationAfter(level, after))
			default:
				return nil, false, nil
			}
			continue
		}
		s, isString := v.(string)
		if !isString {
			return nil, false, nil
		}
		switch key {
		case "role":
			reqs = append(reqs, clerk.Role(s))
		case "permission":
			reqs = append(reqs, scopes.Permission(s))
		case "feature":
			reqs = append(reqs, clerk.Feature(s))
		case "plan":
			reqs = append(reqs, clerk.Plan(s))
		}
	}
	switch len(reqs) {
	case 0:
		return nil, false, nil
	case 1:
		return reqs[0], true, nil
	}
	return scopes.And(reqs...), true, nil
}
