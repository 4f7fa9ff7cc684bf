package clerk

import (
	"encoding/json"
	"math"

	"github.com/scopegate/scopegate/scopes"
)

// Names of the Clerk session token claims this package reads besides the registered "sub", for callers that
// pick them out of a token's payload or match the Claim of a [scopes.ClaimError].
const (
	ClaimVersion               = "v"   // 2 for version 2 session tokens
	ClaimOrganization          = "o"   // version 2: {"id", "slg", "rol", "per", "fpm"}
	ClaimFeatures              = "fea" // version 2: "o:dashboard,u:export"
	ClaimPlans                 = "pla" // "u:free,o:pro"
	ClaimFactorVerificationAge = "fva" // [minutes since first factor, minutes since second factor]
	ClaimOrgID                 = "org_id"
	ClaimOrgRole               = "org_role"
	ClaimOrgSlug               = "org_slug"
	ClaimOrgPermissions        = "org_permissions"
)

// Parse reads the Clerk session a verified token describes: its subject, the active organization (version 1
// or 2 claims), features, plans and factor verification age. It is called once per token, beside
// [scopes.Parse], and its result goes into [scopes.Grants].Session when it is not nil.
//
// A claim of the wrong JSON type gives a [*scopes.ClaimError] naming it, which matches
// [scopes.ErrInvalidClaim]: the token is malformed and should be treated as invalid. So does a version 2
// "fea" entry without a colon while "o" is present, which makes Clerk's SDK throw.
//
// The session is nil, with no error, when the token grants nothing in Clerk's model: no organization
// claims, and no feature, plan or usable factor verification age. A subject alone is left out because every
// requirement of this package also needs one of those, so a nil session decides the same while an access
// token of another issuer costs nothing.
func Parse(src scopes.ClaimSource) (*Session, error) {
	org, err := organizationFromClaims(src)
	if err != nil {
		return nil, err
	}
	features, err := listClaim(src, ClaimFeatures)
	if err != nil {
		return nil, err
	}
	plans, err := listClaim(src, ClaimPlans)
	if err != nil {
		return nil, err
	}
	fva := factorVerificationAge(src)
	if org == nil && features == nil && plans == nil && fva == nil {
		// Most tokens of other issuers end here, having cost a few lookups:
		// the subject is decoded only for a session that needs it.
		return nil, nil
	}
	s := &Session{Organization: org, Features: features, Plans: plans, FactorVerificationAge: fva}
	if raw, ok := src.Value("sub"); ok {
		if json.Unmarshal(raw, &s.Subject) != nil {
			return nil, &scopes.ClaimError{Claim: "sub"}
		}
	}
	return s, nil
}

// factorVerificationAge reads "fva" when it is exactly two finite numbers, each -1 or at least 0; anything
// else is not an error, only an age that satisfies no reverification requirement, as in Clerk's SDK.
func factorVerificationAge(src scopes.ClaimSource) []float64 {
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
