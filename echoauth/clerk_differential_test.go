//go:build integration

package echoauth_test

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"math/rand/v2"
	"os"
	"os/exec"
	"path/filepath"
	"reflect"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/scopegate/scopegate/authtest"
	"github.com/scopegate/scopegate/bearer"
	"github.com/scopegate/scopegate/clerk"
	"github.com/scopegate/scopegate/echoauth"
	"github.com/scopegate/scopegate/internal/clerkhas"
	"github.com/scopegate/scopegate/scopes"
	"github.com/scopegate/scopegate/token"
)

// clerkHarnessPath is integration/clerk, which runs Clerk's own JavaScript SDK on session token claims.
const clerkHarnessPath = "../integration/clerk"

// clerkCase is one input line of decide.mjs (see its README).
type clerkCase struct {
	Name    string            `json:"name,omitempty"`
	Claims  json.RawMessage   `json:"claims,omitempty"`
	Checks  []json.RawMessage `json:"checks"`
	Options *clerkOptions     `json:"options,omitempty"`
}

type clerkOptions struct {
	TreatPendingAsSignedOut *bool           `json:"treatPendingAsSignedOut,omitempty"`
	AcceptsToken            json.RawMessage `json:"acceptsToken,omitempty"`
	SignedOut               bool            `json:"signedOut,omitempty"`
}

// clerkResult is one output line of decide.mjs.
type clerkResult struct {
	Name          string                     `json:"name"`
	Auth          map[string]json.RawMessage `json:"auth"`
	UndefinedKeys []string                   `json:"undefinedKeys"`
	Has           []json.RawMessage          `json:"has"`
	SignedIn      *bool                      `json:"signedIn"`
	Throws        *string                    `json:"throws"`
}

// clerkTally counts what the differential test compared and which known differences it met.
type clerkTally struct {
	cases, fromFile, crafted, generated int
	hasCompared, hasUnexpressible       int
	hasRefused, hasRefusedClerkTrue     int
	clerkThrows, wrongTypes, notModeled int
	fieldsCompared                      int
	undefinedAsNull                     int
}

// TestClerkDifferential runs Clerk's SDK (integration/clerk/decide.mjs) and scopegate on the same session
// token claims, every case of cases.jsonl plus crafted and generated ones, and compares what each decides:
// signed in or out (pending sessions included), the auth object's fields, and every has() answer.
//
// Our side goes through the real middleware with a token signed by authtest carrying the same claims (iss,
// aud, exp, iat and nbf replaced by valid ones: the harness does not verify tokens). has() params map to
// requirements as in the README: {permission} → scopes.Permission, {role} → Role, {feature} → Feature,
// {plan} → Plan, {reverification} → Reverification or ReverificationAfter, several keys → And, {} → false.
//
// Known, deliberate differences are checked to be exactly that and counted: claims of the wrong JSON type
// make our token invalid; a version 2 fea entry without a colon beside o makes Clerk throw and our token
// invalid; missing claims render null where Clerk leaves the key out.
func TestClerkDifferential(t *testing.T) {
	dir := clerkHarnessDir(t)
	var tally clerkTally

	cases := loadClerkCases(t, filepath.Join(dir, "cases.jsonl"))
	tally.fromFile = len(cases)
	crafted := craftedClerkCases(t)
	tally.crafted = len(crafted)
	cases = append(cases, crafted...)
	generated := generatedClerkCases(t, 40)
	tally.generated = len(generated)
	cases = append(cases, generated...)
	results := runClerk(t, dir, cases)

	// The decisions of the Clerk preset: Permission reads the organization's
	// permissions only, as has({ permission }) does.
	apps := map[bool]*clerkApp{
		false: newClerkApp(t, func(c *echoauth.Config) { c.IgnorePermissionsClaim = true }),
		true: newClerkApp(t, func(c *echoauth.Config) {
			c.IgnorePermissionsClaim = true
			c.AcceptPendingSessions = true
		}),
	}
	for i, c := range cases {
		t.Run(fmt.Sprintf("%03d %s", i, c.Name), func(t *testing.T) {
			compareWithClerk(t, apps, c, results[i], &tally)
		})
	}
	tally.cases = len(cases)
	t.Logf("%d cases (%d from cases.jsonl, %d crafted, %d generated); %d has() answers compared, "+
		"%d params no requirement expresses (Clerk false), %d refused by Validate (of which Clerk true: %d, documented); "+
		"Clerk throws: %d, wrong claim types: %d, not modelled: %d; %d auth fields compared "+
		"(Clerk undefined rendered null: %d)",
		tally.cases, tally.fromFile, tally.crafted, tally.generated, tally.hasCompared,
		tally.hasUnexpressible, tally.hasRefused, tally.hasRefusedClerkTrue,
		tally.clerkThrows, tally.wrongTypes, tally.notModeled, tally.fieldsCompared,
		tally.undefinedAsNull)
}

// clerkHarnessDir returns the harness directory, or skips the test when it is not installed; with CI=true a
// missing installation fails instead.
func clerkHarnessDir(t *testing.T) string {
	t.Helper()
	dir, err := filepath.Abs(clerkHarnessPath)
	require.NoError(t, err)
	_, errNode := exec.LookPath("node")
	_, errModules := os.Stat(filepath.Join(dir, "node_modules", "@clerk", "backend", "package.json"))
	if errNode != nil || errModules != nil {
		msg := fmt.Sprintf("Clerk harness not installed (node: %v; node_modules: %v): run (cd integration/clerk && npm ci)",
			errNode, errModules)
		if os.Getenv("CI") == "true" {
			t.Fatal(msg)
		}
		t.Skip(msg)
	}
	return dir
}

func loadClerkCases(t *testing.T, path string) []clerkCase {
	t.Helper()
	data, err := os.ReadFile(path)
	require.NoError(t, err)
	var cases []clerkCase
	for n, line := range bytes.Split(data, []byte("\n")) {
		if len(bytes.TrimSpace(line)) == 0 {
			continue
		}
		var c clerkCase
		dec := json.NewDecoder(bytes.NewReader(line))
		dec.DisallowUnknownFields()
		require.NoError(t, dec.Decode(&c), "%s:%d", path, n+1)
		cases = append(cases, c)
	}
	require.NotEmpty(t, cases)
	return cases
}

// runClerk starts decide.mjs once, writes every case and reads one answer per case.
func runClerk(t *testing.T, dir string, cases []clerkCase) []clerkResult {
	t.Helper()
	var in bytes.Buffer
	for _, c := range cases {
		line, err := json.Marshal(c)
		require.NoError(t, err)
		in.Write(line)
		in.WriteByte('\n')
	}
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	cmd := exec.CommandContext(ctx, "node", "decide.mjs")
	cmd.Dir = dir
	cmd.Stdin = &in
	var out, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &stderr
	require.NoError(t, cmd.Run(), "decide.mjs: %s", stderr.String())

	var results []clerkResult
	sc := bufio.NewScanner(&out)
	sc.Buffer(nil, 16<<20)
	for sc.Scan() {
		var r clerkResult
		require.NoError(t, json.Unmarshal(sc.Bytes(), &r), sc.Text())
		results = append(results, r)
	}
	require.NoError(t, sc.Err())
	require.Len(t, results, len(cases), "one answer per case")
	for i, r := range results {
		require.Equal(t, cases[i].Name, r.Name, "answers in case order")
	}
	return results
}

// compareWithClerk decides one case on our side and compares.
func compareWithClerk(t *testing.T, apps map[bool]*clerkApp, c clerkCase, res clerkResult, tally *clerkTally) {
	opts := clerkOptions{}
	if c.Options != nil {
		opts = *c.Options
	}
	if len(opts.AcceptsToken) > 0 {
		var one string
		var many []string
		switch {
		case json.Unmarshal(opts.AcceptsToken, &one) == nil && (one == "session_token" || one == "any"):
		case json.Unmarshal(opts.AcceptsToken, &many) == nil && slices.Contains(many, "session_token"):
		default:
			// A session token under an acceptsToken without session_token: Clerk
			// turns it into a signed-out machine object of that type, which this
			// claims-only comparison does not model (bearer's own tests cover
			// AcceptsToken).
			tally.notModeled++
			t.Logf("not modelled: acceptsToken %s", opts.AcceptsToken)
			return
		}
	}
	acceptPending := opts.TreatPendingAsSignedOut != nil && !*opts.TreatPendingAsSignedOut
	app := apps[acceptPending]

	var claims map[string]json.RawMessage
	var auth *echoauth.Auth
	var body map[string]json.RawMessage
	var sessionClaims json.RawMessage
	if opts.SignedOut {
		auth, body, sessionClaims = app.me(t, "")
	} else {
		require.NoError(t, json.Unmarshal(c.Claims, &claims))
		auth, body, sessionClaims = app.me(t, clerkToken(t, app.issuer, claims))
	}

	// Deliberate difference: Clerk throws building the auth object (a version 2 fea entry without a colon
	// while o is present: a 500 from getAuth()); our token is invalid.
	if res.Throws != nil {
		tally.clerkThrows++
		assert.False(t, auth.IsAuthenticated, "Clerk throws (%s); ours must be signed out", *res.Throws)
		var ce *scopes.ClaimError
		if assert.True(t, errors.As(auth.Err, &ce), "ours: %v", auth.Err) {
			assert.Equal(t, clerk.ClaimFeatures, ce.Claim)
		}
		assert.Contains(t, *res.Throws, "missing colon")
		return
	}
	// Deliberate difference: a claim of the wrong JSON type makes our token invalid.
	if reasons := wrongClaimTypes(claims); len(reasons) > 0 {
		tally.wrongTypes++
		t.Logf("deliberate difference, wrong claim types %v: Clerk signedIn %v, ours invalid", reasons, deref(res.SignedIn))
		assert.False(t, auth.IsAuthenticated)
		assert.ErrorIs(t, auth.Err, bearer.ErrInvalidToken)
		return
	}
	require.NotNil(t, res.SignedIn)
	if auth.Err != nil && !errors.Is(auth.Err, bearer.ErrPendingSession) {
		t.Fatalf("ours is signed out: %v", auth.Err)
	}
	assert.Equal(t, *res.SignedIn, auth.IsAuthenticated, "signed in")

	compareAuthFields(t, res, auth, body, tally)
	if auth.IsAuthenticated {
		compareSessionClaims(t, res.Auth["sessionClaims"], sessionClaims)
	} else {
		assert.JSONEq(t, "null", string(res.Auth["sessionClaims"]))
		assert.JSONEq(t, "null", string(sessionClaims))
	}

	// has(): through the auth object, and without HTTP through scopes.Parse and clerk.Parse on the same claims.
	var direct *scopes.Grants
	if auth.IsAuthenticated {
		// The map the token was signed from: a case may repeat a member,
		// which JSON.parse resolves to the last and our parser refuses.
		payload, err := json.Marshal(claims)
		require.NoError(t, err)
		parsed, err := token.NewClaims(payload)
		require.NoError(t, err)
		g, err := scopes.Parse(parsed)
		require.NoError(t, err)
		g.Permissions = nil // IgnorePermissionsClaim, as the apps are configured
		session, err := clerk.Parse(parsed)
		require.NoError(t, err)
		if session != nil {
			g.Session = session
		}
		direct = &g
	}
	require.Len(t, res.Has, len(c.Checks))
	for i, params := range c.Checks {
		var clerkHas bool
		require.NoError(t, json.Unmarshal(res.Has[i], &clerkHas), "Clerk's has(%s) threw: %s", params, res.Has[i])
		req, ok, err := clerkhas.Requirement(params)
		require.NoError(t, err)
		if !ok {
			tally.hasUnexpressible++
			assert.False(t, clerkHas, "has(%s): Clerk grants what no requirement expresses", params)
			continue
		}
		if err := scopes.Validate(req); err != nil {
			tally.hasRefused++
			assert.False(t, auth.Has(req), "a refused requirement is never satisfied")
			if clerkHas {
				why := documentedRefusal(params)
				if assert.NotEmpty(t, why, "has(%s): Clerk true, ours refused: %v", params, err) {
					tally.hasRefusedClerkTrue++
					t.Logf("documented difference: has(%s) is true in Clerk, Validate refuses it: %s", params, why)
				}
			}
			continue
		}
		tally.hasCompared++
		assert.Equal(t, clerkHas, auth.Has(req), "has(%s) as %v", params, req)
		if direct != nil {
			assert.Equal(t, auth.Has(req), req.Satisfied(*direct), "has(%s): middleware and Parse agree", params)
		}
	}
}

// clerkToken signs the case's claims; iss, aud, exp, iat and nbf are the issuer's own.
func clerkToken(t *testing.T, issuer *authtest.Issuer, claims map[string]json.RawMessage) string {
	b := issuer.Token().Without("sub")
	for name, value := range claims {
		switch name {
		case "iss", "aud", "exp", "iat", "nbf":
			continue
		}
		b.Claim(name, value)
	}
	return b.MustSign(t)
}

// clerkFields are the auth object's fields both implementations render; sessionClaims is compared apart.
var clerkFields = []string{
	"isAuthenticated", "userId", "sessionId", "sessionStatus", "actor",
	"orgId", "orgRole", "orgSlug", "orgPermissions", "factorVerificationAge",
}

func compareAuthFields(t *testing.T, res clerkResult, auth *echoauth.Auth, body map[string]json.RawMessage, tally *clerkTally) {
	t.Helper()
	for _, key := range clerkFields {
		tally.fieldsCompared++
		clerk, present := res.Auth[key]
		switch {
		case !present:
			// Deliberate: Clerk's undefined (key left out) is our null.
			require.Contains(t, res.UndefinedKeys, key)
			tally.undefinedAsNull++
			clerk = json.RawMessage("null")
		case key == "orgPermissions" && bytes.HasPrefix(clerk, []byte("[")) && bytes.Contains(clerk, []byte("null")):
			// Documented difference: a null element of v1 org_permissions is "" on our side.
			var list []*string
			if json.Unmarshal(clerk, &list) == nil {
				fixed := make([]string, len(list))
				for i, p := range list {
					if p != nil {
						fixed[i] = *p
					}
				}
				t.Logf("documented difference: org_permissions null element rendered \"\"")
				clerk, _ = json.Marshal(fixed)
			}
		}
		ours, ok := body[key]
		require.True(t, ok, "our JSON lacks %s", key)
		assert.True(t, jsonEqual(t, clerk, ours), "%s: Clerk %s, ours %s", key, clerk, ours)
	}

	// The Go fields.
	for key, got := range map[string]string{
		"userId": auth.UserID, "sessionId": auth.SessionID, "sessionStatus": auth.SessionStatus,
		"orgId": auth.OrgID, "orgRole": auth.OrgRole, "orgSlug": auth.OrgSlug,
	} {
		var want string
		_ = json.Unmarshal(res.Auth[key], &want) // absent, null or another type: ""
		assert.Equal(t, want, got, "Auth.%s", key)
	}
	var perms []string
	if json.Unmarshal(res.Auth["orgPermissions"], &perms) == nil && perms != nil {
		assert.Equal(t, perms, auth.OrgPermissions(), "Auth.OrgPermissions, in Clerk's order")
	} else {
		assert.Nil(t, auth.OrgPermissions())
	}
	var fva []float64
	if json.Unmarshal(res.Auth["factorVerificationAge"], &fva) == nil && validFactorAge(fva) {
		assert.Equal(t, fva, auth.FactorVerificationAge())
	} else {
		assert.Nil(t, auth.FactorVerificationAge())
	}
}

// validFactorAge is Clerk's rule for fva: two finite numbers, each -1 or at least 0.
func validFactorAge(fva []float64) bool {
	if len(fva) != 2 {
		return false
	}
	for _, a := range fva {
		if a != -1 && a < 0 {
			return false
		}
	}
	return true
}

// compareSessionClaims compares the payloads but for the claims our token replaces.
func compareSessionClaims(t *testing.T, clerk, ours json.RawMessage) {
	t.Helper()
	var c, o map[string]any
	require.NoError(t, json.Unmarshal(clerk, &c))
	require.NoError(t, json.Unmarshal(ours, &o))
	for _, name := range []string{"iss", "aud", "exp", "iat", "nbf"} {
		delete(c, name)
		delete(o, name)
	}
	assert.Equal(t, c, o, "sessionClaims")
}

func jsonEqual(t *testing.T, a, b json.RawMessage) bool {
	t.Helper()
	var x, y any
	require.NoError(t, json.Unmarshal(a, &x), "%s", a)
	require.NoError(t, json.Unmarshal(b, &y), "%s", b)
	return reflect.DeepEqual(x, y)
}

func deref(b *bool) any {
	if b == nil {
		return nil
	}
	return *b
}

// wrongClaimTypes lists the claims of a JSON type our token refuses where Clerk copies the value: the claims
// the path of the token reads (v1: org_*; v2: o and its members), fea and pla, sid and sts, and sub (which
// Clerk's own verification also requires to be a string; the harness does not verify).
func wrongClaimTypes(claims map[string]json.RawMessage) []string {
	var reasons []string
	kind := func(raw json.RawMessage) byte {
		s := bytes.TrimSpace(raw)
		if len(s) == 0 {
			return 0
		}
		switch s[0] {
		case '"':
			return 's'
		case 'n':
			return 'n'
		case '{':
			return 'o'
		case '[':
			return 'a'
		}
		return 'x'
	}
	stringOrNull := func(name string, raw json.RawMessage) {
		if k := kind(raw); k != 's' && k != 'n' {
			reasons = append(reasons, name+" "+string(raw))
		}
	}
	for _, name := range []string{"fea", "pla"} {
		if raw, ok := claims[name]; ok {
			stringOrNull(name, raw)
		}
	}
	// sub is a registered claim: it must be a string. sid and sts may be
	// null, which reads as absent, as in Clerk.
	if raw, ok := claims["sub"]; ok && kind(raw) != 's' {
		reasons = append(reasons, "sub "+string(raw))
	}
	for _, name := range []string{"sid", "sts"} {
		if raw, ok := claims[name]; ok {
			stringOrNull(name, raw)
		}
	}
	var v float64
	version2 := json.Unmarshal(claims["v"], &v) == nil && v == 2
	if version2 {
		if raw, ok := claims["o"]; ok {
			switch kind(raw) {
			case 'n':
			case 'o':
				var members map[string]json.RawMessage
				_ = json.Unmarshal(raw, &members)
				for _, m := range []string{"id", "slg", "rol", "per", "fpm"} {
					if mv, ok := members[m]; ok {
						stringOrNull("o."+m, mv)
					}
				}
			default:
				reasons = append(reasons, "o "+string(raw))
			}
		}
		return reasons
	}
	for _, name := range []string{"org_id", "org_role", "org_slug"} {
		if raw, ok := claims[name]; ok {
			stringOrNull(name, raw)
		}
	}
	if raw, ok := claims["org_permissions"]; ok {
		var list []*string
		if kind(raw) != 'n' && json.Unmarshal(raw, &list) != nil {
			reasons = append(reasons, "org_permissions "+string(raw))
		}
	}
	return reasons
}

// documentedRefusal explains why Clerk grants params whose requirement Validate refuses, or returns "" when
// the refusal is not one of the documented differences.
func documentedRefusal(params json.RawMessage) string {
	var p map[string]any
	if json.Unmarshal(params, &p) != nil {
		return ""
	}
	for _, key := range []string{"feature", "plan"} {
		s, ok := p[key].(string)
		if !ok {
			continue
		}
		parts := strings.Split(s, ":")
		switch {
		case len(parts) > 2:
			return fmt.Sprintf("Clerk reads %s %q as %q:%q and ignores the rest", key, s, parts[0], parts[1])
		case len(parts) == 2 && parts[1] == "":
			return fmt.Sprintf("Clerk reads %s %q as the name %q", key, s, parts[0])
		}
	}
	for _, key := range []string{"role", "permission"} {
		s, ok := p[key].(string)
		if !ok {
			continue
		}
		if s == "" || strings.ContainsAny(s, " ,\"\\") || strings.IndexFunc(s, func(r rune) bool { return r < 0x21 || r > 0x7e }) >= 0 {
			return fmt.Sprintf("Clerk compares %s %q, a name Validate refuses", key, s)
		}
	}
	return ""
}

// craftedClerkCases are inputs beyond cases.jsonl: the differences found while writing these tests (fixed
// ones as regressions, documented ones to keep them visible) and a few more edges.
func craftedClerkCases(t *testing.T) []clerkCase {
	base := func(extra string) string { return `{"sub":"user_c","sid":"sess_c"` + extra + `}` }
	orgChecks := `[{"role":"admin"},{"permission":"org:a:r"},{"permission":"org:b:r"},{"permission":"org:c:r"},{"feature":"b"},{"feature":"o:c"}]`
	lines := []struct{ name, claims, checks, options string }{
		{"crafted: o member names are case-sensitive (ID, ROL, Per, FPM are not id, rol, per, fpm)",
			base(`,"v":2,"fea":"o:a","o":{"ID":"org_1","Slg":"acme","ROL":"admin","Per":"r","FPM":"1"}`), orgChecks, ``},
		{"crafted: o with id and ID", base(`,"v":2,"fea":"o:a","o":{"id":"org_1","ID":"org_2","rol":"admin","per":"r","fpm":"1"}`), orgChecks, ``},
		{"crafted: o null is no organization", base(`,"v":2,"fea":"o:a","o":null`), orgChecks, ``},
		{"crafted: U+0085 is not JavaScript whitespace", base(`,"v":2,"fea":"o:a,\u0085o:b,o:c","o":{"id":"org_1","per":"r,\u0085w","fpm":"1,1\u0085,1"}`), orgChecks, ``},
		{"crafted: U+FEFF and U+3000 are JavaScript whitespace", base(`,"v":2,"fea":"\ufeffo:a\u3000,\u2028o:b,o:c\u00a0","o":{"id":"org_1","per":"\ufeffr\u2029","fpm":"1,\u30001,1\ufeff"}`), orgChecks, ``},
		{"crafted: v2 o without per gives orgPermissions []", base(`,"v":2,"fea":"o:a","o":{"id":"org_1","rol":"admin"}`), orgChecks, ``},
		{"crafted: o members null", base(`,"v":2,"fea":"o:a","o":{"id":null,"slg":null,"rol":null,"per":null,"fpm":null}`), orgChecks, ``},
		{"crafted: v 20e-1 is 2", base(`,"v":20e-1,"fea":"o:a","o":{"id":"org_1","rol":"admin","per":"r","fpm":"1"}`), orgChecks, ``},
		{"crafted: empty strings render as given", `{"sub":"","sid":"","sts":"","org_id":"","org_role":"","org_slug":""}`,
			`[{"role":"admin"},{"role":"org:"}]`, ``},
		{"crafted: v2 o with empty strings", base(`,"v":2,"o":{"id":"","slg":"","rol":""}`), `[{"role":"admin"}]`, ``},
		{"crafted: v1 org_permissions with a null element", base(`,"org_id":"org_1","org_permissions":["org:a:r",null]`),
			`[{"permission":"org:a:r"},{"permission":"a:r"}]`, ``},
		{"crafted: names Validate refuses that Clerk grants", base(`,"org_id":"org_1","org_role":"org:","org_permissions":["org:","org:a b"],"fea":"o:o,o:dashboard","pla":"u:u"`),
			`[{"role":""},{"permission":""},{"permission":"a b"},{"feature":"o:"},{"feature":"org:dashboard:manage"},{"plan":"u:"},{"plan":"user:u:x"}]`, ``},
		{"crafted: a top-level permissions claim is not an organization permission", base(`,"permissions":["org:admin:example","admin:example"]`),
			`[{"permission":"org:admin:example"},{"permission":"admin:example"}]`, ``},
		{"crafted: top-level permissions beside an organization", base(`,"org_id":"org_1","org_role":"org:member","org_permissions":["org:a:r"],"permissions":["org:b:r"]`),
			`[{"permission":"org:a:r"},{"permission":"org:b:r"}]`, ``},
		{"crafted: sid null", base(`,"sid":null`), `[]`, ``},
		{"crafted: sts number", base(`,"sts":1`), `[]`, ``},
		{"crafted: pending v1 accepted", base(`,"sts":"pending","org_id":"org_1","org_role":"org:admin","org_permissions":["org:a:r"]`),
			`[{"role":"admin"},{"permission":"a:r"}]`, `{"treatPendingAsSignedOut":false}`},
		{"crafted: pending v1 signed out", base(`,"sts":"pending","org_id":"org_1","org_role":"org:admin"`), `[{"role":"admin"},{}]`, `{"treatPendingAsSignedOut":true}`},
		{"crafted: signed out", ``, `[{"role":"admin"},{}]`, `{"signedOut":true}`},
		{"crafted: acceptsToken any", base(`,"v":2,"o":{"id":"org_1","rol":"admin"}`), `[{"role":"admin"}]`, `{"acceptsToken":"any"}`},
		{"crafted: acceptsToken list", base(`,"v":2,"o":{"id":"org_1","rol":"admin"}`), `[{"role":"admin"}]`, `{"acceptsToken":["api_key","session_token"]}`},
		{"crafted: fva floats and -0", base(`,"fva":[-0,9.999]`),
			`[{"reverification":"strict"},{"reverification":"strict_mfa"},{"reverification":{"level":"multi_factor","afterMinutes":9.999}},{"reverification":{"level":"first_factor","afterMinutes":1e-9}}]`, ``},
		{"crafted: act null and object", base(`,"act":null,"fea":"u:a"`), `[{"feature":"u:a"}]`, ``},
		{"crafted: fea ou and uo with spaces around", base(`,"v":2,"fea":"  ou:a ,uo:b  ,  u:c","pla":" o:pro ","o":{"id":"org_1","per":"r","fpm":"1,1"}`),
			`[{"permission":"org:a:r"},{"permission":"org:b:r"},{"feature":"u:a"},{"feature":"o:b"},{"feature":"user:c"},{"feature":"org:c"},{"plan":"organization:pro"}]`, ``},
		{"crafted: many features and big masks", base(`,"v":2,"fea":"o:f0,u:x,o:f1,o:f2,o:f3","o":{"id":"org_1","rol":"admin","per":"a,b,c,d,e,f,g,h","fpm":"340282366920938463463374607431768211455,00000000000000000000170,7 ,abc"}`),
			`[{"permission":"org:f0:h"},{"permission":"org:f1:b"},{"permission":"org:f1:h"},{"permission":"org:f2:c"},{"permission":"org:f3:a"}]`, ``},
	}
	var cases []clerkCase
	for _, l := range lines {
		c := clerkCase{Name: l.name}
		if l.claims != "" {
			c.Claims = json.RawMessage(l.claims)
		}
		require.NoError(t, json.Unmarshal([]byte(l.checks), &c.Checks), l.name)
		if l.options != "" {
			c.Options = &clerkOptions{}
			require.NoError(t, json.Unmarshal([]byte(l.options), c.Options), l.name)
		}
		cases = append(cases, c)
	}
	return cases
}

// generatedClerkCases builds n random-ish combinations of v1 and v2 claims, fea, per, fpm, roles, plans, fva
// and sts, with has() calls on names the claims use and on others. The seed is fixed: the cases are the
// same on every run.
func generatedClerkCases(t *testing.T, n int) []clerkCase {
	r := rand.New(rand.NewPCG(2026, 11))
	pick := func(xs ...string) string { return xs[r.IntN(len(xs))] }
	chance := func(k int) bool { return r.IntN(k) == 0 }
	features := []string{"dashboard", "teams", "reports", "a", "b"}
	perNames := []string{"read", "write", "manage", "delete", "read"}
	masks := []string{"0", "1", "2", "3", "5", "7", "15", "31", "18446744073709551617", "36893488147419103231", "+1", " 3 ", "x", "", "007"}
	fvas := []string{`[5,5]`, `[10,10]`, `[1440,0]`, `[5,-1]`, `[-1,5]`, `[-1,-1]`, `[0.5,30]`, `[59,1439]`, `"5,5"`, `[5]`, `null`, `[5,"5"]`}
	prefixes := []string{"", "", "o:", "org:", "organization:", "u:", "user:"}

	var cases []clerkCase
	for i := range n {
		claims := map[string]any{"sub": "user_gen", "sid": fmt.Sprintf("sess_%d", i)}
		if chance(12) {
			claims["sub"] = ""
		}
		version := pick("2", "2", "2", "2", "absent", `"2"`, "1")
		if version != "absent" {
			claims["v"] = json.RawMessage(version)
		}
		var fea []string
		for range r.IntN(5) {
			entry := pick("o", "o", "o", "u", "ou", "uo", "x") + ":" + pick(features...)
			if chance(6) {
				entry = " " + entry + "  "
			}
			fea = append(fea, entry)
		}
		if chance(15) {
			fea = append(fea, "broken")
		}
		if len(fea) > 0 || chance(4) {
			claims["fea"] = strings.Join(fea, ",")
		}
		var per []string
		for range r.IntN(5) {
			per = append(per, pick(perNames...))
		}
		if len(per) > 1 && chance(5) {
			per[1] = " " + per[1] + " "
		}
		var fpm []string
		for range r.IntN(5) {
			fpm = append(fpm, pick(masks...))
		}
		role := pick("admin", "member", "org:admin", "billing", "")
		if version != "1" && version != "absent" && !chance(6) {
			o := map[string]any{}
			for _, m := range [][2]string{
				{"id", pick("org_gen", "org_gen", "org_gen", "")}, {"slg", "acme"}, {"rol", role},
				{"per", strings.Join(per, ",")}, {"fpm", strings.Join(fpm, ",")},
			} {
				if !chance(8) {
					o[m[0]] = m[1]
				}
			}
			claims["o"] = o
		}
		if version == "1" || version == "absent" || version == `"2"` || chance(5) {
			if !chance(5) {
				claims["org_id"] = "org_v1"
			}
			claims["org_role"] = pick("org:admin", "org:member", "admin")
			var perms []string
			for range r.IntN(4) {
				p := pick(features...) + ":" + pick(perNames...)
				if !chance(4) {
					p = "org:" + p
				}
				perms = append(perms, p)
			}
			claims["org_permissions"] = perms
			claims["org_slug"] = "acme-v1"
		}
		if chance(2) {
			claims["pla"] = strings.Join([]string{pick("u:free", "o:pro", "ou:team"), pick("u:free", "o:pro", "x:bad", "uo:gold")}, ",")
		}
		if !chance(4) {
			claims["fva"] = json.RawMessage(pick(fvas...))
		}
		switch r.IntN(5) {
		case 0:
			claims["sts"] = "pending"
		case 1, 2:
			claims["sts"] = "active"
		}
		if chance(6) {
			claims["act"] = map[string]any{"sub": "user_admin"}
		}
		var options *clerkOptions
		if claims["sts"] == "pending" && chance(2) {
			no := false
			options = &clerkOptions{TreatPendingAsSignedOut: &no}
		}

		var checks []map[string]any
		single := func() map[string]any {
			switch r.IntN(5) {
			case 0:
				return map[string]any{"permission": pick("org:", "org:", "", "org:org:") + pick(features...) + ":" + pick(perNames...)}
			case 1:
				return map[string]any{"role": pick("admin", "org:admin", "member", "org:org:admin", "billing", "org:member")}
			case 2:
				return map[string]any{"feature": pick(prefixes...) + pick(features...)}
			case 3:
				return map[string]any{"plan": pick(prefixes...) + pick("free", "pro", "team", "gold", "bad")}
			}
			if chance(2) {
				return map[string]any{"reverification": pick("strict_mfa", "strict", "moderate", "lax")}
			}
			return map[string]any{"reverification": map[string]any{
				"level":        pick("first_factor", "second_factor", "multi_factor"),
				"afterMinutes": []float64{1, 6, 10, 10.5, 60, 1440}[r.IntN(6)],
			}}
		}
		for range 8 + r.IntN(5) {
			c := single()
			if chance(3) {
				for k, v := range single() {
					c[k] = v
				}
			}
			checks = append(checks, c)
		}
		if chance(4) {
			checks = append(checks, map[string]any{})
		}

		rawClaims, err := json.Marshal(claims)
		require.NoError(t, err)
		c := clerkCase{Name: fmt.Sprintf("generated %02d", i), Claims: rawClaims, Options: options}
		for _, check := range checks {
			raw, err := json.Marshal(check)
			require.NoError(t, err)
			c.Checks = append(c.Checks, raw)
		}
		cases = append(cases, c)
	}
	return cases
}
