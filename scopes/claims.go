package scopes

import (
	"encoding/json"
	"math"
)

// Parse reads every grant a verified token carries: scopes and Auth0 permissions (see [FromClaims]), the
// subject, and Clerk's active organization (version 1 or 2 claims), features, plans and factor verification
// age. It is called once per token. A claim of the wrong JSON type gives a [*ClaimError]: the token is
// malformed and should be treated as invalid.
func Parse(src ClaimSource) (Grants, error) {
	scope, _ := src.Value(ClaimScope)
	scp, _ := src.Value(ClaimScp)
	permissions, _ := src.Value(ClaimPermissions)
	g, err := FromClaims(scope, scp, permissions)
	if err != nil {
		return Grants{}, err
	}
	if raw, ok := src.Value("sub"); ok {
		if json.Unmarshal(raw, &g.Subject) != nil {
			return Grants{}, &ClaimError{Claim: "sub"}
		}
	}
	if g.Organization, err = organizationFromClaims(src); err != nil {
		return Grants{}, err
	}
	if g.Features, err = listClaim(src, ClaimFeatures); err != nil {
		return Grants{}, err
	}
	if g.Plans, err = listClaim(src, ClaimPlans); err != nil {
		return Grants{}, err
	}
	g.FactorVerificationAge = factorVerificationAge(src)
	return g, nil
}

// factorVerificationAge reads "fva" when it is exactly two finite numbers, each -1 or at least 0; anything
// else is not an error, only an age that satisfies no reverification requirement, as in Clerk's SDK.
func factorVerificationAge(src ClaimSource) []float64 {
	raw, ok := src.Value(ClaimFactorVerificationAge)
	if !ok {
		return nil
	}
	var ages []*float64 // pointers, so that a null element is seen as one
	if json.Unmarshal(raw, &ages) != nil || len(ages) != 2 {
		return nil
	}
	out := make([]float64, 2)
	for i, a := range ages {
		if a == nil || math.IsInf(*a, 0) || math.IsNaN(*a) || (*a != -1 && *a < 0) {
			return nil
		}
		out[i] = *a
	}
	return out
}
