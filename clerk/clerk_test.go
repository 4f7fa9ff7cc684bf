package clerk_test

import (
	"encoding/json"
	"errors"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/scopegate/scopegate/clerk"
	"github.com/scopegate/scopegate/internal/clerkhas"
	"github.com/scopegate/scopegate/scopes"
	"github.com/scopegate/scopegate/token"
)

// The expectations below are the answers of Clerk's JavaScript SDK (@clerk/backend 3.25.0, @clerk/shared
// 4.41.0) on the same claims, as integration/clerk/decide.mjs prints them; the differential test in package
// echoauth (build tag integration) compares both implementations on these inputs and more.

// parseClerk parses a session token payload as the middleware does: scopes.Parse, then clerk.Parse for the
// session.
func parseClerk(t *testing.T, payload string) (scopes.Grants, error) {
	t.Helper()
	claims, err := token.NewClaims([]byte(payload))
	require.NoError(t, err, "payload %s", payload)
	g, err := scopes.Parse(claims)
	if err != nil {
		return scopes.Grants{}, err
	}
	s, err := clerk.Parse(claims)
	if err != nil {
		return scopes.Grants{}, err
	}
	if s != nil {
		g.Session = s
	}
	return g, nil
}

// mustSession parses the Clerk session of a payload that must be valid; nil when the token carries none.
func mustSession(t *testing.T, payload string) *clerk.Session {
	t.Helper()
	claims, err := token.NewClaims([]byte(payload))
	require.NoError(t, err, "payload %s", payload)
	s, err := clerk.Parse(claims)
	require.NoError(t, err, "payload %s", payload)
	return s
}

// organizationOf is the session's organization, nil without a session.
func organizationOf(s *clerk.Session) *clerk.Organization {
	if s == nil {
		return nil
	}
	return s.Organization
}

// mustParseClerk parses a payload that must be valid.
func mustParseClerk(t *testing.T, payload string) scopes.Grants {
	t.Helper()
	g, err := parseClerk(t, payload)
	require.NoError(t, err, "payload %s", payload)
	return g
}

// requirementForClerk is the requirement for the params of a has() call (clerkhas.Requirement); ok is false
// when none expresses them.
func requirementForClerk(t *testing.T, params string) (req scopes.Requirement, ok bool) {
	t.Helper()
	req, ok, err := clerkhas.Requirement([]byte(params))
	require.NoError(t, err)
	return req, ok
}

// clerkCheck is one has() call: its params and Clerk's answer.
type clerkCheck struct {
	params string
	clerk  bool
	// refused: Validate refuses our requirement, which is therefore never satisfied. With clerk true this is
	// a documented difference: Clerk's lax parsing of the name finds something to grant.
	refused bool
}

func check(params string, clerk bool) clerkCheck { return clerkCheck{params: params, clerk: clerk} }

func refused(params string, clerk bool) clerkCheck {
	return clerkCheck{params: params, clerk: clerk, refused: true}
}

// clerkHasTests are session token payloads and has() calls on them.
var clerkHasTests = []struct {
	name   string
	claims string
	checks []clerkCheck
}{
	{
		name:   "docs example: fea o:dashboard,o:teams, per manage,read, fpm 3,2",
		claims: `{"sub":"user_1","v":2,"fea":"o:dashboard,o:teams","o":{"id":"org_1","slg":"acme","rol":"admin","per":"manage,read","fpm":"3,2"}}`,
		checks: []clerkCheck{
			check(`{"permission":"org:dashboard:manage"}`, true),
			check(`{"permission":"org:dashboard:read"}`, true),
			check(`{"permission":"org:teams:read"}`, true),
			check(`{"permission":"org:teams:manage"}`, false),
			check(`{"permission":"dashboard:read"}`, true),
			check(`{"permission":"org:org:teams:read"}`, true),
			check(`{"permission":"ORG:teams:read"}`, false),
			check(`{"permission":"teams:read:x"}`, false),
			check(`{"role":"admin"}`, true),
			check(`{"role":"org:admin"}`, true),
			check(`{"role":"org:org:admin"}`, true),
			check(`{"role":"org:member"}`, false),
			check(`{"role":"Admin"}`, false),
			check(`{"role":"admin","permission":"org:teams:read"}`, true),
			check(`{"role":"admin","permission":"org:teams:manage"}`, false),
			check(`{"role":"member","permission":"org:teams:read"}`, false),
			check(`{"feature":"dashboard"}`, true),
			check(`{"feature":"o:teams"}`, true),
			check(`{"feature":"u:teams"}`, false),
			check(`{}`, false),
			check(`{"unknown":"admin"}`, false),
		},
	},
	{
		name:   "v1 claims are read verbatim; only the requested permission is normalised",
		claims: `{"sub":"user_1","org_id":"org_1","org_slug":"acme","org_role":"org:admin","org_permissions":["org:admin:example","admin:billing"],"fea":"o:dashboard","pla":"u:free"}`,
		checks: []clerkCheck{
			check(`{"permission":"org:admin:example"}`, true),
			check(`{"permission":"admin:example"}`, true),
			check(`{"permission":"org:org:admin:example"}`, true),
			check(`{"permission":"ORG:admin:example"}`, false),
			check(`{"permission":"admin:billing"}`, false),
			check(`{"permission":"org:admin:billing"}`, false),
			check(`{"role":"admin"}`, true),
			check(`{"role":"org:org:admin"}`, true),
			check(`{"role":"billing"}`, false),
			check(`{"feature":"dashboard"}`, true),
			check(`{"plan":"u:free"}`, true),
			check(`{"plan":"o:free"}`, false),
		},
	},
	{
		name:   "v1 org_role without the org: prefix",
		claims: `{"sub":"user_1","org_id":"org_1","org_role":"admin","org_permissions":[]}`,
		checks: []clerkCheck{
			check(`{"role":"admin"}`, true),
			check(`{"role":"org:admin"}`, true),
			check(`{"permission":"org:x"}`, false),
		},
	},
	{
		name:   "v2 o.rol already prefixed gives org:org:admin, still admin",
		claims: `{"sub":"user_1","v":2,"o":{"id":"org_1","rol":"org:admin"}}`,
		checks: []clerkCheck{
			check(`{"role":"admin"}`, true),
			check(`{"role":"org:admin"}`, true),
			check(`{"role":"org:org:admin"}`, true),
			check(`{"role":"member"}`, false),
		},
	},
	{
		name:   "v1 permissions without an active organization",
		claims: `{"sub":"user_1","org_role":"org:admin","org_permissions":["org:a:r"]}`,
		checks: []clerkCheck{
			check(`{"permission":"org:a:r"}`, false),
			check(`{"role":"admin"}`, false),
		},
	},
	{
		name:   "v2 without o: no active organization, but org features count",
		claims: `{"sub":"user_1","v":2,"fea":"u:insights,o:dashboard","pla":"o:pro"}`,
		checks: []clerkCheck{
			check(`{"permission":"org:dashboard:read"}`, false),
			check(`{"role":"admin"}`, false),
			check(`{"feature":"o:dashboard"}`, true),
			check(`{"feature":"organization:dashboard"}`, true),
			check(`{"feature":"insights"}`, true),
			check(`{"plan":"org:pro"}`, true),
		},
	},
	{
		name:   "v2 o without id: no active organization",
		claims: `{"sub":"user_1","v":2,"fea":"o:a","o":{"rol":"admin","per":"r","fpm":"1"}}`,
		checks: []clerkCheck{
			check(`{"role":"admin"}`, false),
			check(`{"permission":"org:a:r"}`, false),
			check(`{"feature":"a"}`, true),
		},
	},
	{
		name:   "v2 o {}: present, empty",
		claims: `{"sub":"user_1","v":2,"fea":"o:a","o":{}}`,
		checks: []clerkCheck{
			check(`{"role":"admin"}`, false),
			check(`{"permission":"org:a:r"}`, false),
			check(`{"feature":"a"}`, true),
		},
	},
	{
		name:   "v2 o without rol",
		claims: `{"sub":"user_1","v":2,"fea":"o:a","o":{"id":"org_1","per":"r","fpm":"1"}}`,
		checks: []clerkCheck{
			check(`{"role":"admin"}`, false),
			check(`{"permission":"org:a:r"}`, true),
			check(`{"role":"admin","permission":"org:a:r"}`, false),
		},
	},
	{
		name:   "empty sub: every check fails",
		claims: `{"sub":"","v":2,"fea":"o:a,u:b","pla":"u:p","fva":[0,0],"o":{"id":"org_1","rol":"admin","per":"r","fpm":"1"}}`,
		checks: []clerkCheck{
			check(`{"role":"admin"}`, false),
			check(`{"permission":"org:a:r"}`, false),
			check(`{"feature":"a"}`, false),
			check(`{"plan":"p"}`, false),
			check(`{"reverification":"lax"}`, false),
		},
	},
	{
		name:   "no sub claim: every check fails",
		claims: `{"v":2,"fea":"o:a","o":{"id":"org_1","rol":"admin","per":"r","fpm":"1"}}`,
		checks: []clerkCheck{
			check(`{"role":"admin"}`, false),
			check(`{"permission":"org:a:r"}`, false),
			check(`{"feature":"a"}`, false),
		},
	},
	{
		name:   "v \"2\" is a string: the v1 path, o ignored",
		claims: `{"sub":"user_1","v":"2","fea":"o:a","o":{"id":"org_1","rol":"admin","per":"r","fpm":"1"}}`,
		checks: []clerkCheck{
			check(`{"role":"admin"}`, false),
			check(`{"permission":"org:a:r"}`, false),
			check(`{"feature":"a"}`, true),
		},
	},
	{
		name:   "v 2.0 is the number 2",
		claims: `{"sub":"user_1","v":2.0,"o":{"id":"org_1","rol":"admin"}}`,
		checks: []clerkCheck{check(`{"role":"admin"}`, true)},
	},
	{
		name:   "v 3: the v1 path",
		claims: `{"sub":"user_1","v":3,"org_id":"org_1","org_role":"org:admin","org_permissions":["org:a:r"],"o":{"id":"org_2","rol":"member"}}`,
		checks: []clerkCheck{
			check(`{"role":"admin"}`, true),
			check(`{"role":"member"}`, false),
			check(`{"permission":"org:a:r"}`, true),
		},
	},
	{
		name:   "v2 ignores the v1 claims",
		claims: `{"sub":"user_1","v":2,"org_id":"org_1","org_role":"org:admin","org_permissions":["org:a:r"]}`,
		checks: []clerkCheck{
			check(`{"role":"admin"}`, false),
			check(`{"permission":"org:a:r"}`, false),
		},
	},
	{
		name:   "feature and plan scopes",
		claims: `{"sub":"user_1","v":2,"fea":"o:dashboard,u:insights,ou:both,uo:other,x:odd","pla":"u:free_user,o:pro","o":{"id":"org_1","rol":"admin"}}`,
		checks: []clerkCheck{
			check(`{"feature":"dashboard"}`, true),
			check(`{"feature":"o:dashboard"}`, true),
			check(`{"feature":"org:dashboard"}`, true),
			check(`{"feature":"organization:dashboard"}`, true),
			check(`{"feature":"u:dashboard"}`, false),
			check(`{"feature":"user:dashboard"}`, false),
			check(`{"feature":"insights"}`, true),
			check(`{"feature":"user:insights"}`, true),
			check(`{"feature":"org:insights"}`, false),
			check(`{"feature":"o:both"}`, true),
			check(`{"feature":"u:both"}`, true),
			check(`{"feature":"o:other"}`, true),
			check(`{"feature":"u:other"}`, true),
			check(`{"feature":"odd"}`, false),
			check(`{"feature":"Dashboard"}`, false),
			check(`{"plan":"pro"}`, true),
			check(`{"plan":"o:pro"}`, true),
			check(`{"plan":"u:pro"}`, false),
			check(`{"plan":"free_user"}`, true),
			check(`{"plan":"user:free_user"}`, true),
			check(`{"plan":"dashboard"}`, false),
			check(`{"feature":"pro"}`, false),
			check(`{"feature":"dashboard","plan":"pro"}`, true),
			check(`{"feature":"dashboard","plan":"free"}`, false),
			refused(`{"feature":"x:odd"}`, false),
			refused(`{"feature":"O:dashboard"}`, false),
			refused(`{"feature":""}`, false),
			refused(`{"plan":"u:"}`, false),
			refused(`{"feature":"org:insights:x"}`, false),
			// Clerk reads "org:dashboard:manage" as the org feature "dashboard": a documented difference.
			refused(`{"feature":"org:dashboard:manage"}`, true),
		},
	},
	{
		name:   `feature "o:" reads as the feature named o in Clerk`,
		claims: `{"sub":"user_1","v":2,"fea":"o:o","o":{"id":"org_1","rol":"admin"}}`,
		checks: []clerkCheck{
			check(`{"feature":"o"}`, true),
			refused(`{"feature":"o:"}`, true), // documented difference
			check(`{"plan":"anything"}`, false),
		},
	},
	{
		name:   "fea and pla with a colon-less entry: billing checks fail, the token stays valid (no o)",
		claims: `{"sub":"user_1","v":2,"fea":"u:a,broken","pla":"u:p,"}`,
		checks: []clerkCheck{
			check(`{"feature":"a"}`, false),
			check(`{"feature":"u:a"}`, false),
			check(`{"plan":"p"}`, false),
		},
	},
	{
		name:   "every asked dimension must pass",
		claims: `{"sub":"user_1","v":2,"fea":"o:dashboard","pla":"o:pro","fva":[2,2],"o":{"id":"org_1","rol":"admin","per":"read","fpm":"1"}}`,
		checks: []clerkCheck{
			check(`{"feature":"dashboard","permission":"org:dashboard:read"}`, true),
			check(`{"feature":"dashboard","permission":"org:dashboard:write"}`, false),
			check(`{"feature":"missing","permission":"org:dashboard:read"}`, false),
			check(`{"plan":"pro","role":"member"}`, false),
			check(`{"plan":"pro","role":"admin","reverification":"strict"}`, true),
			check(`{"plan":"pro","role":"admin","reverification":{"level":"first_factor","afterMinutes":2}}`, false),
			check(`{"feature":"missing","reverification":"lax"}`, false),
		},
	},
	{
		name:   "has() values of other JSON types fail closed",
		claims: `{"sub":"user_1","org_id":"org_1","org_role":"org:admin","org_permissions":["org:a:r"],"fea":"u:x","pla":"u:p","fva":[0,0]}`,
		checks: []clerkCheck{
			check(`{"role":null}`, false),
			check(`{"permission":5}`, false),
			check(`{"feature":true}`, false),
			check(`{"plan":["p"]}`, false),
			check(`{"reverification":null}`, false),
			check(`{"reverification":{"level":"second_factor","afterMinutes":"10"}}`, false),
			check(`{"role":"admin","feature":null}`, false),
		},
	},
	{
		name:   "requirement names Validate refuses",
		claims: `{"sub":"user_1","org_id":"org_1","org_role":"org:","org_permissions":["org:","org:a b"]}`,
		checks: []clerkCheck{
			check(`{"role":"org:"}`, true),
			// Clerk compares "" (made "org:") with the role "org:"; we refuse an empty name.
			refused(`{"role":""}`, true),
			refused(`{"permission":""}`, true),
			refused(`{"permission":"org:a b"}`, true),
			refused(`{"role":"a b"}`, false),
		},
	},
}

// TestClerkHas decides every has() call of clerkHasTests with the matching requirement.
func TestClerkHas(t *testing.T) {
	for _, tt := range clerkHasTests {
		t.Run(tt.name, func(t *testing.T) {
			g := mustParseClerk(t, tt.claims)
			for _, c := range tt.checks {
				req, ok := requirementForClerk(t, c.params)
				if !ok {
					assert.False(t, c.clerk, "%s: Clerk grants what no requirement can ask", c.params)
					continue
				}
				err := scopes.Validate(req)
				if c.refused {
					assert.Error(t, err, "%s: Validate should refuse %v", c.params, req)
					assert.False(t, req.Satisfied(g), "%s: a refused requirement is never satisfied", c.params)
					continue
				}
				require.NoError(t, err, c.params)
				assert.Equal(t, c.clerk, req.Satisfied(g), "%s as %v", c.params, req)
			}
		})
	}
}

// TestClerkNothingAsked: has({}) is false in Clerk; the closest requirement, And(), is invalid and never
// satisfied.
func TestClerkNothingAsked(t *testing.T) {
	g := mustParseClerk(t, `{"sub":"user_1","v":2,"fea":"o:a","o":{"id":"org_1","rol":"admin","per":"r","fpm":"1"}}`)
	req := scopes.And()
	assert.Error(t, scopes.Validate(req))
	assert.False(t, req.Satisfied(g))
	assert.False(t, scopes.Or().Satisfied(g))
}

// TestClerkOrganizationV2 checks the organization decoded from version 2 claims, permissions in Clerk's order:
// by feature, then by index in per.
func TestClerkOrganizationV2(t *testing.T) {
	per70 := make([]string, 70)
	for i := range per70 {
		per70[i] = "p" + itoa(i)
	}
	per101 := make([]string, 101)
	for i := range per101 {
		per101[i] = "p" + itoa(i)
	}
	tests := []struct {
		name  string
		fea   string // "" leaves the claim out
		o     string // the o claim, JSON
		want  []string
		id    string
		slug  string
		role  string
		noOrg bool // Organization is nil
	}{
		{name: "docs example", fea: "o:dashboard,o:teams", o: `{"id":"org_1","slg":"acme","rol":"admin","per":"manage,read","fpm":"3,2"}`,
			want: []string{"org:dashboard:manage", "org:dashboard:read", "org:teams:read"}, id: "org_1", slug: "acme", role: "org:admin"},
		{name: "fpm 2^64+1 beyond uint64", fea: "o:big", o: `{"id":"org_1","per":"` + strings.Join(per70, ",") + `","fpm":"18446744073709551617"}`,
			want: []string{"org:big:p0", "org:big:p64"}, id: "org_1"},
		{name: "fpm 2^100", fea: "o:f", o: `{"id":"org_1","per":"` + strings.Join(per101, ",") + `","fpm":"1267650600228229401496703205376"}`,
			want: []string{"org:f:p100"}, id: "org_1"},
		{name: "fpm 2^69 and 2^53+1, float-unsafe", fea: "o:f69,o:f53", o: `{"id":"org_1","per":"` + strings.Join(per70, ",") + `","fpm":"590295810358705651712,9007199254740993"}`,
			want: []string{"org:f69:p69", "org:f53:p0", "org:f53:p53"}, id: "org_1"},
		{name: "bits beyond per are ignored", fea: "o:a,o:b", o: `{"id":"org_1","per":"x,y","fpm":"255,1267650600228229401496703205376"}`,
			want: []string{"org:a:x", "org:a:y"}, id: "org_1"},
		{name: "empty per entries keep their index and give org:<f>:", fea: "o:a", o: `{"id":"org_1","per":" read , ,write","fpm":"7"}`,
			want: []string{"org:a:read", "org:a:", "org:a:write"}, id: "org_1"},
		{name: "fea and fpm entries trimmed, the value after the colon kept", fea: " o:dash , x:skip,o: spaced", o: `{"id":"org_1","per":"r","fpm":" 1 ,\t1\n"}`,
			want: []string{"org:dash:r", "org: spaced:r"}, id: "org_1"},
		{name: "trimmed as JavaScript does: U+FEFF is whitespace", fea: "o:a,\ufeffo:b", o: `{"id":"org_1","per":"\ufeffr","fpm":"1,1\ufeff"}`,
			want: []string{"org:a:r", "org:b:r"}, id: "org_1"},
		{name: "trimmed as JavaScript does: U+0085 is not whitespace", fea: "o:a,\u0085o:b,o:c,o:d", o: `{"id":"org_1","per":"r\u0085,w","fpm":"1,3,3\u0085"}`,
			want: []string{"org:a:r\u0085", "org:c:r\u0085", "org:c:w"}, id: "org_1"},
		{name: "non-digit fpm entries give nothing but keep their position", fea: "o:f0,o:f1,o:f2,o:f3,o:f4,o:f5,o:f6,o:f7,o:f8",
			o:    `{"id":"org_1","per":"r,w","fpm":"+3,-1,3.0,0x3,1e1,,\u0663, 3 ,0003"}`,
			want: []string{"org:f7:r", "org:f7:w", "org:f8:r", "org:f8:w"}, id: "org_1"},
		{name: "extra fpm entries ignored", fea: "o:only", o: `{"id":"org_1","per":"r","fpm":"1,1,1"}`, want: []string{"org:only:r"}, id: "org_1"},
		{name: "features beyond fpm get nothing", fea: "o:a,o:b,o:c", o: `{"id":"org_1","per":"r","fpm":"1"}`, want: []string{"org:a:r"}, id: "org_1"},
		{name: "fpm 0 and 00", fea: "o:a,o:b", o: `{"id":"org_1","per":"r","fpm":"0,00"}`, want: []string{}, id: "org_1"},
		{name: "u: takes no position, uo: and ou: do", fea: "u:analytics,o:dashboard,uo:reports,ou:exports,o:teams",
			o:    `{"id":"org_1","per":"a,b,c","fpm":"1,2,4,7"}`,
			want: []string{"org:dashboard:a", "org:reports:b", "org:exports:c", "org:teams:a", "org:teams:b", "org:teams:c"}, id: "org_1"},
		{name: "unknown scopes take no position", fea: "x:foo,O:bar,org:baz,o:a", o: `{"id":"org_1","per":"r","fpm":"1"}`, want: []string{"org:a:r"}, id: "org_1"},
		{name: "duplicate features each take a position", fea: "o:a,o:a", o: `{"id":"org_1","per":"r,w","fpm":"1,2"}`,
			want: []string{"org:a:r", "org:a:w"}, id: "org_1"},
		{name: "missing per", fea: "o:a", o: `{"id":"org_1","rol":"admin","fpm":"1"}`, want: []string{}, id: "org_1", role: "org:admin"},
		{name: "missing fpm", fea: "o:a", o: `{"id":"org_1","per":"r"}`, want: []string{}, id: "org_1"},
		{name: "empty per and fpm", fea: "o:a", o: `{"id":"org_1","per":"","fpm":""}`, want: []string{}, id: "org_1"},
		{name: "null members are absent", fea: "o:a", o: `{"id":null,"slg":null,"rol":null,"per":null,"fpm":null}`, want: []string{}},
		{name: "no fea", o: `{"id":"org_1","per":"r","fpm":"1"}`, want: []string{}, id: "org_1"},
		{name: "o {}", fea: "o:a", o: `{}`, want: []string{}},
		{name: "rol already prefixed", o: `{"id":"org_1","rol":"org:admin"}`, want: []string{}, id: "org_1", role: "org:org:admin"},
		{name: "member names are exact: ID, Rol, PER are not id, rol, per", fea: "o:a",
			o: `{"ID":"org_1","Slg":"acme","ROL":"admin","Per":"r","FPM":"1"}`, want: []string{}},
		{name: "o null is no organization", fea: "o:a", o: `null`, noOrg: true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			claims := map[string]json.RawMessage{"sub": json.RawMessage(`"user_1"`), "v": json.RawMessage(`2`), "o": json.RawMessage(tt.o)}
			if tt.fea != "" {
				claims["fea"] = mustJSON(t, tt.fea)
			}
			org := organizationOf(mustSession(t, string(mustJSON(t, claims))))
			if tt.noOrg {
				assert.Nil(t, org)
				return
			}
			require.NotNil(t, org)
			assert.Equal(t, tt.want, org.Permissions, "order: by feature, then by per index")
			assert.NotNil(t, org.Permissions, "a version 2 organization has a list, maybe empty")
			assert.Equal(t, tt.id, org.ID)
			assert.Equal(t, tt.slug, org.Slug)
			assert.Equal(t, tt.role, org.Role)
			for _, p := range org.Permissions {
				assert.True(t, strings.HasPrefix(p, "org:"), p)
			}
		})
	}
}

// TestClerkOrganizationV1 checks that version 1 claims are copied as they are.
func TestClerkOrganizationV1(t *testing.T) {
	s := mustSession(t, `{"sub":"user_1","org_id":"org_1","org_slug":"acme","org_role":"admin","org_permissions":["org:a:r","b:c"],"o":{"id":"org_2"}}`)
	require.NotNil(t, organizationOf(s))
	assert.Equal(t, clerk.Organization{ID: "org_1", Slug: "acme", Role: "admin", Permissions: []string{"org:a:r", "b:c"},
		HasID: true, HasSlug: true, HasRole: true}, *s.Organization)

	s = mustSession(t, `{"sub":"user_1","v":"2","o":{"id":"org_2","rol":"admin"}}`)
	assert.Nil(t, organizationOf(s), `"v":"2" is not version 2; o is ignored`)

	s = mustSession(t, `{"sub":"user_1"}`)
	assert.Nil(t, organizationOf(s))

	s = mustSession(t, `{"sub":"user_1","v":2,"org_id":"org_1"}`)
	assert.Nil(t, organizationOf(s), "version 2 ignores org_id")
}

// TestClerkOrganizationPresence tells a value the token gives as "" from one it leaves out or sets to null, as
// Clerk's auth object does ("" versus null); a version 2 role is tested for truth, so "" is no role.
func TestClerkOrganizationPresence(t *testing.T) {
	tests := []struct {
		name                    string
		claims                  string
		hasID, hasSlug, hasRole bool
	}{
		{"v1 all given", `{"sub":"u","org_id":"org_1","org_slug":"acme","org_role":"admin"}`, true, true, true},
		{"v1 empty strings", `{"sub":"u","org_id":"","org_slug":"","org_role":""}`, true, true, true},
		{"v1 nulls", `{"sub":"u","org_id":null,"org_slug":null,"org_role":null,"org_permissions":[]}`, false, false, false},
		{"v1 only the id", `{"sub":"u","org_id":""}`, true, false, false},
		{"v2 all given", `{"sub":"u","v":2,"o":{"id":"org_1","slg":"acme","rol":"admin"}}`, true, true, true},
		{"v2 empty strings", `{"sub":"u","v":2,"o":{"id":"","slg":"","rol":""}}`, true, true, false},
		{"v2 nulls", `{"sub":"u","v":2,"o":{"id":null,"slg":null,"rol":null}}`, false, false, false},
		{"v2 empty object", `{"sub":"u","v":2,"o":{}}`, false, false, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			org := organizationOf(mustSession(t, tt.claims))
			require.NotNil(t, org)
			assert.Equal(t, [3]bool{tt.hasID, tt.hasSlug, tt.hasRole}, [3]bool{org.HasID, org.HasSlug, org.HasRole})
		})
	}
}

// TestClerkClaimErrors: claims of the wrong JSON type make the token invalid (Clerk copies them and fails
// has() closed, or throws); so does a version 2 fea entry without a colon while o is present, which makes
// Clerk throw.
func TestClerkClaimErrors(t *testing.T) {
	tests := []struct {
		claims string
		claim  string // the claim the error names
	}{
		{`{"sub":"u","v":2,"fea":"o:a,,o:b","o":{"id":"org_1","per":"r","fpm":"1,1"}}`, "fea"},
		{`{"sub":"u","v":2,"fea":"o:a,broken","o":{}}`, "fea"},
		{`{"sub":"u","v":2,"fea":"o:a,","o":{"id":"org_1"}}`, "fea"},
		{`{"sub":"u","v":2,"fea":"  ","o":{"id":"org_1"}}`, "fea"},
		{`{"sub":"u","org_id":5}`, "org_id"},
		{`{"sub":"u","org_role":["admin"]}`, "org_role"},
		{`{"sub":"u","org_slug":{}}`, "org_slug"},
		{`{"sub":"u","org_id":"org_1","org_permissions":"org:a:r"}`, "org_permissions"},
		{`{"sub":"u","org_id":"org_1","org_permissions":["org:a:r",5]}`, "org_permissions"},
		{`{"sub":"u","v":2,"o":"x"}`, "o"},
		{`{"sub":"u","v":2,"o":[]}`, "o"},
		{`{"sub":"u","v":2,"o":false}`, "o"},
		{`{"sub":"u","v":2,"o":{"id":5}}`, "o"},
		{`{"sub":"u","v":2,"o":{"rol":true}}`, "o"},
		{`{"sub":"u","v":2,"o":{"id":"org_1","per":["r"],"fpm":"1"}}`, "o"},
		{`{"sub":"u","v":2,"o":{"id":"org_1","per":"r","fpm":1}}`, "o"},
		{`{"sub":"u","fea":["o:a"]}`, "fea"},
		{`{"sub":"u","pla":5}`, "pla"},
	}
	for _, tt := range tests {
		_, err := parseClerk(t, tt.claims)
		var ce *scopes.ClaimError
		if assert.True(t, errors.As(err, &ce), "%s: got %v", tt.claims, err) {
			assert.Equal(t, tt.claim, ce.Claim, tt.claims)
			assert.ErrorIs(t, err, scopes.ErrInvalidClaim)
		}
	}

	// Off the paths that read them, the same claims are not looked at.
	for _, claims := range []string{
		`{"sub":"u","v":2,"org_id":5,"org_permissions":"x"}`,
		`{"sub":"u","o":"x"}`,
		`{"sub":"u","v":2,"fea":"o:a,broken"}`,
		`{"sub":"u","fea":"o:a,broken","o":{"id":"org_1"}}`,
		`{"sub":"u","fva":"5,5"}`,
		`{"sub":"u","v":2,"o":null}`,
	} {
		_, err := parseClerk(t, claims)
		assert.NoError(t, err, claims)
	}
}

// TestClerkReverification checks every level against fva values, Clerk's answers.
func TestClerkReverification(t *testing.T) {
	levels := []string{
		`"strict_mfa"`, `"strict"`, `"moderate"`, `"lax"`,
		`{"level":"first_factor","afterMinutes":6}`,
		`{"level":"second_factor","afterMinutes":6}`,
		`{"level":"multi_factor","afterMinutes":6}`,
	}
	tests := []struct {
		fva  string // "" leaves the claim out
		want [7]bool
	}{
		{`[5,5]`, [7]bool{true, true, true, true, true, true, true}},
		{`[5,15]`, [7]bool{false, false, true, true, true, false, false}},
		{`[10,10]`, [7]bool{false, false, true, true, false, false, false}},
		{`[9.99,9.99]`, [7]bool{true, true, true, true, false, false, false}},
		{`[5,-1]`, [7]bool{true, true, true, true, true, true, true}},
		{`[15,-1]`, [7]bool{false, false, true, true, false, false, false}},
		{`[-1,5]`, [7]bool{false, true, true, true, false, true, false}},
		{`[-1,-1]`, [7]bool{}},
		{`[1439,1439]`, [7]bool{false, false, false, true, false, false, false}},
		{`[1440,0]`, [7]bool{false, true, true, true, false, true, false}},
		{`[0,0]`, [7]bool{true, true, true, true, true, true, true}},
		{`[-0,0.5]`, [7]bool{true, true, true, true, true, true, true}},
		{`[0.5,-2]`, [7]bool{}},
		{`[-2,0]`, [7]bool{}},
		{`"5,5"`, [7]bool{}},
		{`[5]`, [7]bool{}},
		{`[5,5,5]`, [7]bool{}},
		{`[]`, [7]bool{}},
		{`[null,5]`, [7]bool{}},
		{`["5",5]`, [7]bool{}},
		{`[5,true]`, [7]bool{}},
		{`{"0":5,"1":5}`, [7]bool{}},
		{`5`, [7]bool{}},
		{`null`, [7]bool{}},
		{``, [7]bool{}},
	}
	for _, tt := range tests {
		payload := `{"sub":"user_1","v":2}`
		if tt.fva != "" {
			payload = `{"sub":"user_1","v":2,"fva":` + tt.fva + `}`
		}
		g := mustParseClerk(t, payload)
		for i, level := range levels {
			req, ok := requirementForClerk(t, `{"reverification":`+level+`}`)
			require.True(t, ok)
			require.NoError(t, scopes.Validate(req))
			assert.Equal(t, tt.want[i], req.Satisfied(g), "fva %s, reverification %s", tt.fva, level)
		}
	}

	// The age boundary is strict: afterMinutes must exceed the age.
	g := mustParseClerk(t, `{"sub":"user_1","fva":[10,10]}`)
	assert.False(t, clerk.ReverificationAfter(clerk.SecondFactor, 10).Satisfied(g))
	assert.True(t, clerk.ReverificationAfter(clerk.SecondFactor, 10.5).Satisfied(g))
	assert.Equal(t, []float64{10, 10}, mustSession(t, `{"sub":"user_1","fva":[10,10]}`).FactorVerificationAge)

	assert.Nil(t, mustSession(t, `{"sub":"user_1","fva":[5,"5"]}`),
		"an invalid fva is not an error, only no age, and then the token carries no session")
	assert.Nil(t, mustSession(t, `{"sub":"user_1","org_id":"org_1","fva":[5,"5"]}`).FactorVerificationAge)

	for _, req := range []scopes.Requirement{
		clerk.Reverification("unknown"),
		clerk.Reverification(""),
		clerk.Reverification("Strict"),
		clerk.Reverification("constructor"),
		clerk.ReverificationAfter(clerk.SecondFactor, 0),
		clerk.ReverificationAfter(clerk.SecondFactor, -5),
		clerk.ReverificationAfter("bogus", 10),
		clerk.ReverificationAfter("", 10),
	} {
		assert.Error(t, scopes.Validate(req), "%v", req)
		assert.False(t, req.Satisfied(mustParseClerk(t, `{"sub":"user_1","fva":[0,0]}`)), "%v", req)
	}
}

// TestClerkPermissionSources: Permission matches the Auth0 permissions claim exactly, and the active Clerk
// organization's permissions as Clerk does; a requirement of several names may mix both sources.
func TestClerkPermissionSources(t *testing.T) {
	auth0 := mustParseClerk(t, `{"sub":"auth0|1","permissions":["read:users","org:billing:manage"]}`)
	clerkOrg := mustParseClerk(t, `{"sub":"user_1","v":2,"fea":"o:a","o":{"id":"org_1","per":"r","fpm":"1"}}`)
	both := mustParseClerk(t, `{"sub":"user_1","permissions":["read:users"],"v":2,"fea":"o:a","o":{"id":"org_1","per":"r","fpm":"1"}}`)
	noSub := mustParseClerk(t, `{"permissions":["read:users"],"v":2,"fea":"o:a","o":{"id":"org_1","per":"r","fpm":"1"}}`)
	tests := []struct {
		req                          scopes.Requirement
		auth0, clerkOrg, both, noSub bool
	}{
		{scopes.Permission("read:users"), true, false, true, true},
		{scopes.Permission("org:read:users"), false, false, false, false},
		{scopes.Permission("Read:Users"), false, false, false, false},
		{scopes.Permission("org:billing:manage"), true, false, false, false},
		{scopes.Permission("billing:manage"), false, false, false, false},
		{scopes.Permission("org:a:r"), false, true, true, false},
		{scopes.Permission("a:r"), false, true, true, false},
		{scopes.Permission("org:org:a:r"), false, true, true, false},
		{scopes.Permission("read:users", "org:a:r"), false, false, true, false},
		{scopes.AnyPermission("read:users", "org:a:r"), true, true, true, true},
		{scopes.And(scopes.Permission("read:users"), clerk.Role("admin")), false, false, false, false},
	}
	for _, tt := range tests {
		assert.Equal(t, tt.auth0, tt.req.Satisfied(auth0), "auth0 %v", tt.req)
		assert.Equal(t, tt.clerkOrg, tt.req.Satisfied(clerkOrg), "clerk %v", tt.req)
		assert.Equal(t, tt.both, tt.req.Satisfied(both), "both %v", tt.req)
		assert.Equal(t, tt.noSub, tt.req.Satisfied(noSub), "no sub %v", tt.req)
	}
	// Scopes never count as permissions.
	g := mustParseClerk(t, `{"sub":"user_1","scope":"org:a:r"}`)
	assert.False(t, scopes.Permission("org:a:r").Satisfied(g))
}

// TestClerkParseFields checks the other fields of the Session.
func TestClerkParseFields(t *testing.T) {
	assert.Equal(t, &clerk.Session{Subject: "user_1", Features: []string{"o:a", "u:b"}, Plans: []string{"u:free"},
		FactorVerificationAge: []float64{1.5, -1}},
		mustSession(t, `{"sub":"user_1","fea":" o:a , u:b ","pla":"u:free","fva":[1.5,-1]}`))

	s := mustSession(t, `{"sub":"user_1","org_id":"org_1","fea":"","pla":null}`)
	require.NotNil(t, s)
	assert.Nil(t, s.Features)
	assert.Nil(t, s.Plans)
	assert.False(t, clerk.Feature("a").Satisfied(scopes.Grants{Session: s}))

	// Without the claims of Clerk's session model there is no session, whatever else the token says: a
	// subject alone, or an empty fea, grants nothing in it.
	for _, payload := range []string{
		`{}`,
		`{"sub":"user_1"}`,
		`{"sub":"user_1","scope":"read","permissions":["org:a:r"],"v":2}`,
		`{"sub":"user_1","fea":"","pla":null,"fva":null}`,
		`{"sub":"user_1","v":2,"o":null}`,
		`{"sub":"user_1","o":{"id":"org_1"}}`,
	} {
		assert.Nil(t, mustSession(t, payload), payload)
	}
	// Without a subject a session is still read, and grants nothing.
	s = mustSession(t, `{"org_id":"org_1","org_role":"org:admin","org_permissions":["org:a:r"]}`)
	require.NotNil(t, s)
	assert.Empty(t, s.Subject)
	assert.False(t, s.HasPermission("org:a:r"))
	assert.False(t, clerk.Role("admin").Satisfied(scopes.Grants{Session: s}))
}

func mustJSON(t *testing.T, v any) json.RawMessage {
	t.Helper()
	b, err := json.Marshal(v)
	require.NoError(t, err)
	return b
}

func itoa(i int) string {
	b, _ := json.Marshal(i)
	return string(b)
}
