package bearer

import (
	"encoding/json"
	"fmt"
	"net/http"
	"slices"
	"strings"

	"github.com/scopegate/scopegate/token"
)

// ClaimEquals answers 401 invalid_token unless the token's claim equals
// expected, a string, bool, number or nil, as express-oauth2-jwt-bearer's
// claimEquals does, with its descriptions: "Missing '<claim>' claim" and
// "Unexpected '<claim>' value". It panics at route registration on an
// unusable claim name or expected value.
func ClaimEquals(claim string, expected any) Rule {
	mustClaimName("ClaimEquals", claim)
	want := mustPrimitive("ClaimEquals", expected)
	return claimMiddleware(claim, func(raw json.RawMessage) bool {
		var got any
		return json.Unmarshal(raw, &got) == nil && got == want
	})
}

// ClaimIncludes answers 401 invalid_token unless the token's claim, an array
// or a space-separated string, contains every expected value (strings,
// bools, numbers or nil), as express-oauth2-jwt-bearer's claimIncludes
// does: elements of other types in the array are allowed and simply match
// nothing. The descriptions are those of ClaimEquals.
func ClaimIncludes(claim string, expected ...any) Rule {
	mustClaimName("ClaimIncludes", claim)
	if len(expected) == 0 {
		panic("scopegate: ClaimIncludes: give at least one expected value")
	}
	wants := make([]any, len(expected))
	for i, e := range expected {
		wants[i] = mustPrimitive("ClaimIncludes", e)
	}
	return claimMiddleware(claim, func(raw json.RawMessage) bool {
		var values []any
		var s string
		switch {
		case json.Unmarshal(raw, &s) == nil:
			for _, v := range strings.Split(s, " ") {
				values = append(values, v)
			}
		case json.Unmarshal(raw, &values) == nil:
		default:
			return false
		}
		for _, want := range wants {
			if !slices.Contains(values, want) {
				return false
			}
		}
		return true
	})
}

// mustPrimitive returns v as encoding/json decodes it (numbers as float64),
// so that it compares with ==, and panics unless v is a JSON primitive.
func mustPrimitive(fn string, v any) any {
	raw, err := json.Marshal(v)
	if err != nil || !isJSONPrimitive(raw) {
		panic(fmt.Sprintf("scopegate: %s: expected values must be strings, bools, numbers or nil, not %T", fn, v))
	}
	var decoded any
	_ = json.Unmarshal(raw, &decoded)
	return decoded
}

// ClaimCheck answers 401 invalid_token, with description as its
// error_description, unless check approves the verified claims (like
// express-oauth2-jwt-bearer's claimCheck). description must be fixed text
// of printable ASCII without quotes or backslashes; "" gives "token failed
// a claim check".
func ClaimCheck(check func(claims token.Claims) bool, description string) Rule {
	if check == nil {
		panic("scopegate: ClaimCheck: check is nil")
	}
	if description == "" {
		description = "token failed a claim check"
	}
	if err := checkChallengeText(description); err != nil {
		panic("scopegate: ClaimCheck: description " + err.Error())
	}
	return authorize(func(_ *http.Request, auth *Auth) *Answer {
		if claims := auth.Claims(); claims.IsZero() || !check(claims) {
			return fail(invalidToken(description, nil), auth)
		}
		return nil
	})
}

// claimMiddleware checks one claim with match.
func claimMiddleware(claim string, match func(json.RawMessage) bool) Rule {
	// express-oauth2-jwt-bearer's texts, which the claim name (checked at
	// registration, and never a token's content) makes precise.
	missing := "Missing '" + claim + "' claim"
	unexpected := "Unexpected '" + claim + "' value"
	return authorize(func(_ *http.Request, auth *Auth) *Answer {
		raw, ok := auth.Claims().Value(claim)
		if !ok {
			return fail(invalidToken(missing, nil), auth)
		}
		if !match(raw) {
			return fail(invalidToken(unexpected, nil), auth)
		}
		return nil
	})
}

// mustClaimName panics unless claim can appear in an error_description.
func mustClaimName(fn, claim string) {
	if claim == "" {
		panic("scopegate: " + fn + ": the claim name is empty")
	}
	if err := checkChallengeText(claim); err != nil {
		panic("scopegate: " + fn + ": claim name " + err.Error())
	}
}

// checkChallengeText refuses text that cannot sit inside a quoted-string of
// a challenge as is (RFC 6750 §3: %x20-21 / %x23-5B / %x5D-7E).
func checkChallengeText(s string) error {
	for _, r := range s {
		if r < 0x20 || r > 0x7e || r == '"' || r == '\\' {
			return fmt.Errorf("%q must be printable ASCII without quotes or backslashes", s)
		}
	}
	return nil
}

// isJSONPrimitive reports a JSON string, number, boolean or null.
func isJSONPrimitive(raw []byte) bool {
	return len(raw) > 0 && raw[0] != '{' && raw[0] != '['
}
