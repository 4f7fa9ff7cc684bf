package scopes

import (
	"encoding/json"
	"errors"
	"slices"
	"strings"
	"testing"
)

// FuzzFromClaims checks that FromClaims never panics, that its results hold no empty or repeated names, and that
// it agrees with a plain encoding/json reading of the same claims.
func FuzzFromClaims(f *testing.F) {
	seeds := [][3]string{
		{`"openid read:messages"`, ``, `["read:messages","org:admin"]`},
		{`"  a   b  "`, `["b","c"]`, ``},
		{``, `"x y"`, `"p q"`},
		{`""`, `[]`, `[""]`},
		{`"a\tb c\u0020d"`, `["\u0061","b\"c"]`, `["a b"]`},
		{"\"a\xffb\"", `[ "a" , "b" ]`, "\"\u00e9\""},
		{`5`, `null`, `{}`},
		{`["a",5]`, `[["a"]]`, `"a`},
		{`["a",]`, `"a" x`, `  `},
		{"\"a\tb\"", `[`, `]`},
		{`"a a a a a a a a a a a a a a a a a a a a a a a a a a a a a a a a a b c d e f g h i j k l m n o p q r s t u v w x y z A B C D E"`, ``, ``},
	}
	for _, s := range seeds {
		f.Add([]byte(s[0]), []byte(s[1]), []byte(s[2]))
	}
	f.Fuzz(func(t *testing.T, scope, scp, permissions []byte) {
		g, err := fromClaims(scope, scp, permissions)

		want, wantErrClaim := referenceGrants(scope, scp, permissions)
		if err != nil {
			var ce *ClaimError
			if !errors.As(err, &ce) || !errors.Is(err, ErrInvalidClaim) {
				t.Fatalf("error %v (%T) is not a *ClaimError matching ErrInvalidClaim", err, err)
			}
			if ce.Claim != wantErrClaim {
				t.Fatalf("error names claim %q, encoding/json fails on %q", ce.Claim, wantErrClaim)
			}
			if g.Scopes != nil || g.Permissions != nil {
				t.Fatalf("grants %v returned with an error", g)
			}
			return
		}
		if wantErrClaim != "" {
			t.Fatalf("accepted claims that encoding/json rejects in %q: got %v", wantErrClaim, g)
		}

		for _, list := range [][]string{g.Scopes, g.Permissions} {
			if list != nil && len(list) == 0 {
				t.Fatal("empty result is not nil")
			}
			for i, n := range list {
				if n == "" {
					t.Fatalf("empty name in %q", list)
				}
				if slices.Contains(list[:i], n) {
					t.Fatalf("name %q repeated in %q", n, list)
				}
			}
		}
		if !slices.Equal(g.Scopes, want.Scopes) || !slices.Equal(g.Permissions, want.Permissions) {
			t.Fatalf("got %q %q, encoding/json reading gives %q %q", g.Scopes, g.Permissions, want.Scopes, want.Permissions)
		}

		// Every granted name that may appear in a requirement satisfies one.
		for _, s := range g.Scopes {
			if checkName(s) == "" && !All(s).Satisfied(g) {
				t.Fatalf("All(%q) not satisfied by %v", s, g)
			}
		}
		for _, p := range g.Permissions {
			if checkName(p) == "" && !Permission(p).Satisfied(g) {
				t.Fatalf("Permission(%q) not satisfied by %v", p, g)
			}
		}

		// Appending to one result must not show through the other.
		before := slices.Clone(g.Permissions)
		_ = append(g.Scopes, "\x00")
		if !slices.Equal(before, g.Permissions) {
			t.Fatal("appending to Scopes changed Permissions")
		}
	})
}

// referenceGrants reads the claims the obvious way, with encoding/json and strings.Split, to check the parser
// against. errClaim names the first claim encoding/json cannot read as a string or an array of strings.
func referenceGrants(scope, scp, permissions []byte) (g Grants, errClaim string) {
	var scopes, perms []string
	for _, c := range []struct {
		name string
		raw  []byte
		dst  *[]string
	}{{ClaimScope, scope, &scopes}, {ClaimScp, scp, &scopes}, {ClaimPermissions, permissions, &perms}} {
		if len(c.raw) == 0 {
			continue
		}
		var v any
		if json.Unmarshal(c.raw, &v) != nil {
			return Grants{}, c.name
		}
		var names []string
		switch v := v.(type) {
		case string:
			names = strings.Split(v, " ")
		case []any:
			for _, e := range v {
				s, ok := e.(string)
				if !ok {
					return Grants{}, c.name
				}
				names = append(names, s)
			}
		default:
			return Grants{}, c.name
		}
		for _, n := range names {
			if n != "" && !slices.Contains(*c.dst, n) {
				*c.dst = append(*c.dst, n)
			}
		}
	}
	return Grants{Scopes: scopes, Permissions: perms}, ""
}
