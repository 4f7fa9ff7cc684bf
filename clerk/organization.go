package clerk

import (
	"encoding/json"
	"math/big"
	"strings"
	"unicode"

	"github.com/scopegate/scopegate/scopes"
)

// Organization is the active organization of a Clerk session, from version 1 claims (org_id, org_slug,
// org_role, org_permissions) or version 2 ("o" with its permission masks).
type Organization struct {
	// ID is the organization's ID ("org_..."); an Organization without one is not active.
	ID string
	// Slug is the organization's slug.
	Slug string
	// Role is the member's role, "org:admin" for example.
	Role string
	// Permissions are the member's organization permissions, "org:invoices:read" for example.
	Permissions []string
	// HasID, HasSlug and HasRole tell a value the token gives, possibly "", from one it leaves out or sets to
	// null. Clerk's auth object shows the former as given and the latter as null.
	HasID, HasSlug, HasRole bool
}

// organizationFromClaims reads the active organization of a Clerk session token. Version 1 tokens carry it in
// org_id, org_role, org_slug and org_permissions; version 2 tokens ("v": 2, a number) in the "o" object, with
// permissions packed into bit masks against the "fea" list. Nil when the token has no organization claims.
func organizationFromClaims(src scopes.ClaimSource) (*Organization, error) {
	if isVersion2(src) {
		return organizationV2(src)
	}
	return organizationV1(src)
}

// isVersion2 reports a version 2 session token: "v" is the JSON number 2, not the string "2".
func isVersion2(src scopes.ClaimSource) bool {
	raw, ok := src.Value(ClaimVersion)
	if !ok {
		return false
	}
	var v float64
	return json.Unmarshal(raw, &v) == nil && v == 2 && strings.TrimSpace(string(raw))[0] != '"'
}

// organizationV1 reads the version 1 claims verbatim.
func organizationV1(src scopes.ClaimSource) (*Organization, error) {
	// Tokens without organization claims, most of them, allocate nothing.
	_, hasID := src.Value(ClaimOrgID)
	_, hasRole := src.Value(ClaimOrgRole)
	_, hasSlug := src.Value(ClaimOrgSlug)
	_, hasPermissions := src.Value(ClaimOrgPermissions)
	if !hasID && !hasRole && !hasSlug && !hasPermissions {
		return nil, nil
	}
	org := &Organization{}
	found := false
	for _, f := range []struct {
		claim string
		into  *string
		has   *bool
	}{{ClaimOrgID, &org.ID, &org.HasID}, {ClaimOrgRole, &org.Role, &org.HasRole}, {ClaimOrgSlug, &org.Slug, &org.HasSlug}} {
		raw, ok := src.Value(f.claim)
		if !ok {
			continue
		}
		if json.Unmarshal(raw, f.into) != nil {
			return nil, &scopes.ClaimError{Claim: f.claim}
		}
		*f.has = !isJSONNull(raw)
		found = true
	}
	if raw, ok := src.Value(ClaimOrgPermissions); ok {
		if json.Unmarshal(raw, &org.Permissions) != nil {
			return nil, &scopes.ClaimError{Claim: ClaimOrgPermissions}
		}
		found = true
	}
	if !found {
		return nil, nil
	}
	return org, nil
}

// organizationV2 decodes the "o" claim. Its role is stored without the "org:" prefix, and its permissions as,
// for each organization feature of "fea" in order, a decimal bit mask over the comma-separated names of "per":
// bit j set (least significant first) grants "org:<feature>:<per[j]>". The rules follow Clerk's JavaScript SDK
// to the letter, quirks included (an empty "per" entry still takes its index), so that both decide alike.
func organizationV2(src scopes.ClaimSource) (*Organization, error) {
	raw, ok := src.Value(ClaimOrganization)
	if !ok || isJSONNull(raw) {
		// Clerk tests "o" for truth: null is no organization, like an absent claim.
		return nil, nil
	}
	// The members are looked up by their exact names, as JavaScript does: decoding into a struct would let
	// encoding/json match "ID" or "Rol" case-insensitively and grant an organization Clerk does not see.
	var members map[string]json.RawMessage
	if json.Unmarshal(raw, &members) != nil || members == nil {
		return nil, &scopes.ClaimError{Claim: ClaimOrganization}
	}
	var id, slug, role, per, fpm string
	var hasID, hasSlug bool
	for _, m := range []struct {
		name string
		into *string
		has  *bool
	}{{"id", &id, &hasID}, {"slg", &slug, &hasSlug}, {"rol", &role, nil}, {"per", &per, nil}, {"fpm", &fpm, nil}} {
		v, ok := members[m.name]
		if !ok {
			continue
		}
		if json.Unmarshal(v, m.into) != nil {
			return nil, &scopes.ClaimError{Claim: ClaimOrganization}
		}
		if m.has != nil {
			*m.has = !isJSONNull(v)
		}
	}
	org := &Organization{ID: id, Slug: slug, HasID: hasID, HasSlug: hasSlug}
	if role != "" {
		// Clerk tests the role for truth: an empty one is no role at all.
		org.Role, org.HasRole = "org:"+role, true
	}
	features, err := listClaim(src, ClaimFeatures)
	if err != nil {
		return nil, err
	}
	orgFeatures, _, ok := splitByScope(features)
	if !ok {
		// Clerk's SDK fails to build the auth object for such a token; the token is unusable either way.
		return nil, &scopes.ClaimError{Claim: ClaimFeatures}
	}
	org.Permissions = decodePermissionMasks(per, fpm, orgFeatures)
	if org.Permissions == nil {
		// Clerk's auth object has orgPermissions [] for a version 2 organization, never undefined.
		org.Permissions = []string{}
	}
	return org, nil
}

// isJSONNull reports a raw JSON null.
func isJSONNull(raw json.RawMessage) bool {
	return strings.TrimSpace(string(raw)) == "null"
}

// splitByScope sorts "fea" or "pla" entries ("o:x", "u:y", "ou:z") into the organization's and the user's
// lists; "ou" and "uo" belong to both, other scopes to neither. ok is false when an entry has no colon.
func splitByScope(entries []string) (org, user []string, ok bool) {
	for _, entry := range entries {
		scope, name, found := strings.Cut(entry, ":")
		if !found {
			return nil, nil, false
		}
		switch scope {
		case "o":
			org = append(org, name)
		case "u":
			user = append(user, name)
		case "ou", "uo":
			org = append(org, name)
			user = append(user, name)
		}
	}
	return org, user, true
}

// decodePermissionMasks expands the masks of "fpm" against the names of "per". The i-th mask belongs to the
// i-th organization feature; masks are decimal strings of any length, of which only the bits below len(per)
// matter, and a mask that is not all ASCII digits grants nothing but keeps its position.
func decodePermissionMasks(per, fpm string, features []string) []string {
	if per == "" || fpm == "" {
		return nil
	}
	names := trimmedSplit(per)
	masks := trimmedSplit(fpm)
	var perms []string
	for i, feature := range features {
		if i >= len(masks) {
			break
		}
		bits, ok := decimalBits(masks[i])
		if !ok {
			continue
		}
		for j, name := range names {
			if j < bits.BitLen() && bits.Bit(j) == 1 {
				perms = append(perms, "org:"+feature+":"+name)
			}
		}
	}
	return perms
}

// decimalBits parses a string of ASCII digits of any length. Its length is bounded by the token size cap, so
// the conversion cost is too.
func decimalBits(decimal string) (*big.Int, bool) {
	if decimal == "" {
		return nil, false
	}
	for i := 0; i < len(decimal); i++ {
		if decimal[i] < '0' || decimal[i] > '9' {
			return nil, false
		}
	}
	return new(big.Int).SetString(decimal, 10)
}

// trimmedSplit splits a comma-separated value and trims every entry as JavaScript's String.prototype.trim
// does, keeping empty ones: their positions count.
func trimmedSplit(s string) []string {
	parts := strings.Split(s, ",")
	for i, p := range parts {
		parts[i] = strings.TrimFunc(p, isJSWhitespace)
	}
	return parts
}

// isJSWhitespace reports the characters String.prototype.trim removes (ECMAScript WhiteSpace and
// LineTerminator). They differ from unicode.IsSpace, which strings.TrimSpace uses: U+FEFF is trimmed by
// JavaScript only, U+0085 by Go only; either difference would change which features and masks Clerk sees.
func isJSWhitespace(r rune) bool {
	switch r {
	case '\t', '\n', '\v', '\f', '\r', ' ', '\u00a0', '\ufeff', '\u2028', '\u2029':
		return true
	}
	return r > 0xff && unicode.Is(unicode.Zs, r)
}

// listClaim reads a comma-separated string claim such as "fea" or "pla" into trimmed entries; absent or empty
// gives none. A claim of another JSON type makes the token malformed.
func listClaim(src scopes.ClaimSource, claim string) ([]string, error) {
	raw, ok := src.Value(claim)
	if !ok {
		return nil, nil
	}
	var s string
	if json.Unmarshal(raw, &s) != nil {
		return nil, &scopes.ClaimError{Claim: claim}
	}
	if s == "" {
		return nil, nil
	}
	return trimmedSplit(s), nil
}
