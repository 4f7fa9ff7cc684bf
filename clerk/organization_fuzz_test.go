package clerk_test

import (
	"encoding/json"
	"errors"
	"math"
	"reflect"
	"strings"
	"testing"

	"github.com/scopegate/scopegate/clerk"
	"github.com/scopegate/scopegate/scopes"
	"github.com/scopegate/scopegate/token"
)

// rawClaims is a ClaimSource over raw values that need not be JSON at all, so that the fuzzer reaches Parse
// with anything a ClaimSource could return.
type rawClaims map[string][]byte

func (c rawClaims) Value(name string) (json.RawMessage, bool) {
	v, ok := c[name]
	return v, ok
}

// FuzzClerkClaims feeds arbitrary bytes as the Clerk claims v, o, fea, pla and fva to Parse: it must never
// panic, fail only with a *scopes.ClaimError naming a claim it reads, and, when it succeeds, give a version 2
// organization whose permissions all start with "org:" and which Clerk-style requirements then grant. When
// the same values form a JSON payload that token.NewClaims accepts, as a real token's would, Parse must
// decide the same through it.
func FuzzClerkClaims(f *testing.F) {
	seeds := [][5]string{
		{`2`, `{"id":"org_1","slg":"acme","rol":"admin","per":"manage,read","fpm":"3,2"}`, `"o:dashboard,o:teams"`, `"u:free,o:pro"`, `[5,5]`},
		{`2`, `{"id":"org_1","per":"p0,p1,p2","fpm":"18446744073709551617,1267650600228229401496703205376"}`, `"o:a,o:b"`, ``, `[1440,0]`},
		{`2`, `{"id":"org_1","per":" read , ,write","fpm":" 7 ,+3,-1,3.0,0x3,1e1,,\u0663"}`, `" o:a , x:skip,o: spaced,uo:c,ou:d,u:e"`, `""`, `[5,-1]`},
		{`2`, `{"id":"org_1","per":"r\u0085,\ufeffw","fpm":"3\u0085,\ufeff3"}`, `"o:a,\u0085o:b,\ufeffo:c"`, `null`, `[-1,-1]`},
		{`2`, `{"id":"org_1","per":"r","fpm":"1,1"}`, `"o:a,,o:b"`, ``, `"5,5"`},
		{`2`, `{}`, `"o:a"`, ``, `[0.5,-2]`},
		{`2`, `null`, `"o:a"`, ``, `null`},
		{`2`, `{"ID":"org_1","ROL":"admin","Per":"r","FPM":"1"}`, `"o:a"`, ``, `[1e400,0]`},
		{`2`, `{"id":5}`, `["o:a"]`, `5`, `[5,"5"]`},
		{`2`, `"x"`, `"o:a"`, `"u:p"`, `[]`},
		{`2`, `[]`, ``, ``, `{}`},
		{`"2"`, `{"id":"org_1","rol":"admin"}`, `"o:a"`, `"u:p,"`, `[10,10]`},
		{`2.0`, `{"id":"org_1","rol":"org:admin","per":"r","fpm":"1"}`, `"o:a"`, ``, ``},
		{`20e-1`, ` { "id" : "org_1" , "per" : "r" , "fpm" : "1" } `, ` "o:a" `, ``, ` [ 1 , 2 ] `},
		{`3`, `{`, `"o:a`, `"`, `[`},
		{`null`, `{"id":"org_1","per":"a\"b,c\\d","fpm":"3"}`, `"o:\"x\""`, ``, `[-0,0]`},
		{``, ``, ``, ``, ``},
	}
	for _, s := range seeds {
		f.Add([]byte(s[0]), []byte(s[1]), []byte(s[2]), []byte(s[3]), []byte(s[4]))
	}
	f.Fuzz(func(t *testing.T, v, o, fea, pla, fva []byte) {
		src := rawClaims{"sub": []byte(`"user_1"`)}
		for name, raw := range map[string][]byte{
			clerk.ClaimVersion: v, clerk.ClaimOrganization: o, clerk.ClaimFeatures: fea,
			clerk.ClaimPlans: pla, clerk.ClaimFactorVerificationAge: fva,
		} {
			if len(raw) > 0 {
				src[name] = raw
			}
		}
		g, err := clerk.Parse(src)
		checkClerkSession(t, g, err)
		again, errAgain := clerk.Parse(src)
		if !reflect.DeepEqual(g, again) || (err == nil) != (errAgain == nil) {
			t.Fatalf("Parse is not deterministic: %+v %v, then %+v %v", g, err, again, errAgain)
		}

		// The same values as a real payload, when each is one JSON value (so that none can add members).
		for _, raw := range [][]byte{v, o, fea, pla, fva} {
			if len(raw) > 0 && !json.Valid(raw) {
				return
			}
		}
		var payload strings.Builder
		payload.WriteString(`{"sub":"user_1"`)
		for _, m := range []struct {
			name string
			raw  []byte
		}{{"v", v}, {"o", o}, {"fea", fea}, {"pla", pla}, {"fva", fva}} {
			if len(m.raw) > 0 {
				payload.WriteString(`,"` + m.name + `":`)
				payload.Write(m.raw)
			}
		}
		payload.WriteString("}")
		claims, err2 := token.NewClaims([]byte(payload.String()))
		if err2 != nil {
			return
		}
		g2, err2 := clerk.Parse(claims)
		checkClerkSession(t, g2, err2)
		if (err == nil) != (err2 == nil) || (err == nil && !reflect.DeepEqual(g, g2)) {
			t.Fatalf("raw values give %+v %v, the payload %s gives %+v %v", g, err, payload.String(), g2, err2)
		}
	})
}

// checkClerkSession checks what Parse returned for claims without org_* claims.
func checkClerkSession(t *testing.T, g *clerk.Session, err error) {
	t.Helper()
	if err != nil {
		var ce *scopes.ClaimError
		if !errors.As(err, &ce) || !errors.Is(err, scopes.ErrInvalidClaim) {
			t.Fatalf("error %v (%T) is not a *ClaimError", err, err)
		}
		switch ce.Claim {
		case clerk.ClaimOrganization, clerk.ClaimFeatures, clerk.ClaimPlans:
		default:
			t.Fatalf("error names claim %q, which cannot be malformed here", ce.Claim)
		}
		if g != nil {
			t.Fatalf("session %+v returned with an error", g)
		}
		return
	}
	if g == nil {
		// Nothing of Clerk's model in the claims: every requirement is false, as without a session.
		grants := scopes.Grants{}
		for _, req := range []scopes.Requirement{clerk.Role("admin"), clerk.Feature("a"), clerk.Plan("p"), clerk.Reverification("lax")} {
			if req.Satisfied(grants) {
				t.Fatalf("%v satisfied without a session", req)
			}
		}
		return
	}
	if g.Subject != "user_1" {
		t.Fatalf("subject %q", g.Subject)
	}
	if fva := g.FactorVerificationAge; fva != nil {
		if len(fva) != 2 {
			t.Fatalf("fva %v", fva)
		}
		for _, a := range fva {
			if math.IsNaN(a) || math.IsInf(a, 0) || (a != -1 && a < 0) {
				t.Fatalf("fva %v holds an invalid age", fva)
			}
		}
	}
	for _, list := range [][]string{g.Features, g.Plans} {
		for _, e := range list {
			if strings.Contains(e, ",") || strings.TrimFunc(e, isTrimmedByJS) != e {
				t.Fatalf("entry %q of %q is not split and trimmed", e, list)
			}
		}
	}
	if !reflect.DeepEqual(g.CloneSession(), g) {
		t.Fatalf("the clone %+v differs from %+v", g.CloneSession(), g)
	}
	org := g.Organization
	if org == nil {
		return
	}
	grants := scopes.Grants{Session: g}
	if org.Permissions == nil {
		t.Fatal("a version 2 organization has nil permissions")
	}
	if org.Role != "" && !strings.HasPrefix(org.Role, "org:") {
		t.Fatalf("role %q lacks org:", org.Role)
	}
	for _, p := range org.Permissions {
		if !strings.HasPrefix(p, "org:") {
			t.Fatalf("permission %q lacks org:", p)
		}
		// What the token lists, a requirement naming it grants, whenever the name is valid.
		req := scopes.Permission(p)
		if scopes.Validate(req) == nil && req.Satisfied(grants) != (org.ID != "") {
			t.Fatalf("Permission(%q) satisfied %v with organization ID %q", p, req.Satisfied(grants), org.ID)
		}
		if g.HasPermission(p) != (org.ID != "") {
			t.Fatalf("HasPermission(%q) is %v with organization ID %q", p, g.HasPermission(p), org.ID)
		}
	}
	if org.Role != "" {
		req := clerk.Role(org.Role)
		if scopes.Validate(req) == nil && req.Satisfied(grants) != (org.ID != "") {
			t.Fatalf("Role(%q) satisfied %v with organization ID %q", org.Role, req.Satisfied(grants), org.ID)
		}
	}
}

// isTrimmedByJS reports the characters JavaScript's String.prototype.trim removes.
func isTrimmedByJS(r rune) bool {
	switch r {
	case '\t', '\n', '\v', '\f', '\r', ' ', '\u00a0', '\u1680', '\u202f', '\u205f', '\u3000', '\ufeff', '\u2028', '\u2029':
		return true
	}
	return r >= '\u2000' && r <= '\u200a'
}
