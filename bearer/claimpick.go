package bearer

import (
	"encoding/json"

	"github.com/scopegate/scopegate/internal/tokenhook"
	"github.com/scopegate/scopegate/token"
)

// pickedClaim names a claim the auth object is built from.
type pickedClaim uint8

const (
	pickSub pickedClaim = iota
	pickSid
	pickSts
	pickAct
	pickScope
	pickScp
	pickPermissions
	pickVersion
	pickOrganization
	pickOrgID
	pickOrgRole
	pickOrgSlug
	pickOrgPermissions
	pickFeatures
	pickPlans
	pickFactorVerificationAge
	pickACR
	pickAuthTime
	pickCnf
	pickGrantType
	pickClientID
	pickAuthorizedParty
	pickTokenID
	pickUsername
	numPicked
)

// pickedIndex returns the slot of a claim name, or numPicked for a claim
// the auth object is not built from.
func pickedIndex(name string) pickedClaim {
	switch name {
	case "sub":
		return pickSub
	case "sid":
		return pickSid
	case "sts":
		return pickSts
	case "act":
		return pickAct
	case "scope":
		return pickScope
	case "scp":
		return pickScp
	case "permissions":
		return pickPermissions
	case "v":
		return pickVersion
	case "o":
		return pickOrganization
	case "org_id":
		return pickOrgID
	case "org_role":
		return pickOrgRole
	case "org_slug":
		return pickOrgSlug
	case "org_permissions":
		return pickOrgPermissions
	case "fea":
		return pickFeatures
	case "pla":
		return pickPlans
	case "fva":
		return pickFactorVerificationAge
	case "acr":
		return pickACR
	case "auth_time":
		return pickAuthTime
	case "cnf":
		return pickCnf
	case "gty":
		return pickGrantType
	case "client_id":
		return pickClientID
	case "azp":
		return pickAuthorizedParty
	case "jti":
		return pickTokenID
	case "username":
		return pickUsername
	}
	return numPicked
}

// pickedClaims finds the claims an auth object is built from, in one pass
// over a verified token's claims instead of a scan of them per name, and
// without copying them: their values are the verified payload, which this
// package only reads (what it keeps of them, it keeps as shared immutable
// data and hands out as copies). It answers scopes.Parse and clerk.Parse as
// their scopes.ClaimSource. It holds where each claim is rather than the
// claim, which keeps it a tenth of the size: it is built at every token's
// first sight.
type pickedClaims struct {
	claims token.Claims
	at     [numPicked]int32 // 1 + the claim's index in claims; 0 when absent
}

// pick finds the claims of c.
func (p *pickedClaims) pick(c token.Claims) {
	*p = pickedClaims{claims: c}
	for k := 0; ; k++ {
		name, _, ok := tokenhook.Claim(c, k)
		if !ok {
			break
		}
		if i := pickedIndex(name); i < numPicked {
			p.at[i] = int32(k + 1)
		}
	}
}

// raw returns the raw JSON value of claim i, nil when absent.
func (p *pickedClaims) raw(i pickedClaim) []byte {
	if p.at[i] == 0 {
		return nil
	}
	_, raw, _ := tokenhook.Claim(p.claims, int(p.at[i]-1))
	return raw
}

// Value returns the raw value of the claim name. A name this file does not
// gather is looked up in the claims themselves, so that a parser reading a
// new claim stays correct, only slower.
func (p *pickedClaims) Value(name string) (json.RawMessage, bool) {
	i := pickedIndex(name)
	if i == numPicked {
		return p.claims.Value(name)
	}
	return p.raw(i), p.at[i] != 0
}

// str returns the claim's string value: "" when it is absent, null or of
// another JSON type. The token's own strict reader decodes it, since
// encoding/json costs a handful of allocations per value.
func (p *pickedClaims) str(i pickedClaim) string {
	if !p.given(i) {
		return ""
	}
	s, err := tokenhook.String(p.raw(i))
	if err != nil {
		return ""
	}
	return s
}

// given reports whether the claim is present and not null.
func (p *pickedClaims) given(i pickedClaim) bool {
	return p.at[i] != 0 && string(p.raw(i)) != "null"
}
