package scopes

import (
	"encoding/json"
	"strconv"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// claimValueTests are JSON texts of one claim value and the names they give. The same table drives the tests
// of fromClaims for every claim, of Parse, and of the fast scanner against encoding/json.
var claimValueTests = []struct {
	name string
	raw  string
	want []string // nil with wantErr false: no names
	err  bool
}{
	{name: "space-separated string", raw: `"read:messages write:messages"`, want: []string{"read:messages", "write:messages"}},
	{name: "one name", raw: `"openid"`, want: []string{"openid"}},
	{name: "runs of spaces", raw: `"  a   b  "`, want: []string{"a", "b"}},
	{name: "empty string", raw: `""`},
	{name: "only spaces", raw: `"   "`},
	{name: "duplicates kept once in order", raw: `"b a b c a"`, want: []string{"b", "a", "c"}},
	{name: "escaped tab stays inside a name", raw: `"a\tb c"`, want: []string{"a\tb", "c"}},
	{name: "escaped newline stays inside a name", raw: `"a\nb"`, want: []string{"a\nb"}},
	{name: "escaped space separates", raw: `"a\u0020b"`, want: []string{"a", "b"}},
	{name: "escapes decoded", raw: `"r\u0065ad wr\/ite"`, want: []string{"read", "wr/ite"}},
	{name: "non-ASCII kept", raw: `"lire écrire"`, want: []string{"lire", "écrire"}},
	{name: "case preserved", raw: `"Read read"`, want: []string{"Read", "read"}},
	{name: "invalid UTF-8 replaced like encoding/json", raw: "\"a\xffb\"", want: []string{"a\uFFFDb"}},
	{name: "JSON whitespace around", raw: " \t\r\n\"a\" \n", want: []string{"a"}},
	{name: "array", raw: `["read:messages","write:messages"]`, want: []string{"read:messages", "write:messages"}},
	{name: "array with whitespace", raw: ` [ "a" ,	"b" ] `, want: []string{"a", "b"}},
	{name: "empty array", raw: `[]`},
	{name: "empty array with whitespace", raw: `[ ]`},
	{name: "array drops empty names", raw: `["", "a", ""]`, want: []string{"a"}},
	{name: "array elements verbatim", raw: `["a b", " c"]`, want: []string{"a b", " c"}},
	{name: "array duplicates kept once", raw: `["a","b","a"]`, want: []string{"a", "b"}},
	{name: "array with escapes", raw: `["\u0061", "b\"c"]`, want: []string{"a", `b"c`}},
	{name: "array escaped after plain names", raw: `["a","b","\u0061c","a"]`, want: []string{"a", "b", "ac"}},

	{name: "number", raw: `5`, err: true},
	{name: "null", raw: `null`, err: true},
	{name: "boolean", raw: `true`, err: true},
	{name: "object", raw: `{"scope":"a"}`, err: true},
	{name: "array with a number", raw: `["a", 5]`, err: true},
	{name: "array with null", raw: `[null]`, err: true},
	{name: "nested array", raw: `[["a"]]`, err: true},
	{name: "unterminated string", raw: `"a`, err: true},
	{name: "raw tab inside string", raw: "\"a\tb\"", err: true},
	{name: "trailing comma", raw: `["a",]`, err: true},
	{name: "missing comma", raw: `["a" "b"]`, err: true},
	{name: "unterminated array", raw: `["a"`, err: true},
	{name: "trailing garbage after string", raw: `"a" x`, err: true},
	{name: "trailing garbage after array", raw: `["a"] ]`, err: true},
	{name: "two strings", raw: `"a" "b"`, err: true},
	{name: "whitespace only", raw: `  `, err: true},
	{name: "unquoted", raw: `read`, err: true},
	{name: "bad escape", raw: `"\x"`, err: true},
	{name: "byte order mark", raw: "\uFEFF\"a\"", err: true},
}

func TestFromClaimsEachClaim(t *testing.T) {
	for _, tt := range claimValueTests {
		t.Run(tt.name, func(t *testing.T) {
			for claim, call := range map[string]func([]byte) (Grants, error){
				ClaimScope:       func(b []byte) (Grants, error) { return fromClaims(b, nil, nil) },
				ClaimScp:         func(b []byte) (Grants, error) { return fromClaims(nil, b, nil) },
				ClaimPermissions: func(b []byte) (Grants, error) { return fromClaims(nil, nil, b) },
			} {
				g, err := call([]byte(tt.raw))
				if tt.err {
					var ce *ClaimError
					require.ErrorAs(t, err, &ce, claim)
					assert.Equal(t, claim, ce.Claim)
					assert.ErrorIs(t, err, ErrInvalidClaim)
					assert.Equal(t, "scopes: claim "+strconv.Quote(claim)+" has the wrong JSON type", err.Error())
					assert.Zero(t, g)
					continue
				}
				require.NoError(t, err, claim)
				if claim == ClaimPermissions {
					assert.Equal(t, tt.want, g.Permissions, claim)
					assert.Nil(t, g.Scopes, claim)
				} else {
					assert.Equal(t, tt.want, g.Scopes, claim)
					assert.Nil(t, g.Permissions, claim)
				}
			}
		})
	}
}

// claimMap is a ClaimSource over raw JSON texts.
type claimMap map[string]string

func (m claimMap) Value(name string) (json.RawMessage, bool) {
	v, ok := m[name]
	return json.RawMessage(v), ok
}

// TestParse: Parse reads each grant claim as fromClaims does, and nothing else.
func TestParse(t *testing.T) {
	for _, tt := range claimValueTests {
		t.Run(tt.name, func(t *testing.T) {
			for _, claim := range []string{ClaimScope, ClaimScp, ClaimPermissions} {
				g, err := Parse(claimMap{claim: tt.raw, "sub": `"user_1"`})
				want, wantErr := fromClaims(
					[]byte(claimMap{claim: tt.raw}[ClaimScope]),
					[]byte(claimMap{claim: tt.raw}[ClaimScp]),
					[]byte(claimMap{claim: tt.raw}[ClaimPermissions]))
				assert.Equal(t, want, g, claim)
				assert.Equal(t, wantErr, err, claim)
			}
		})
	}

	// Claims of a session model, malformed ones included, are not Parse's to read.
	g, err := Parse(claimMap{"scope": `"a"`, "sub": `5`, "v": `2`, "o": `"x"`, "fea": `5`, "org_id": `5`, "fva": `[0,0]`})
	require.NoError(t, err)
	assert.Equal(t, Grants{Scopes: []string{"a"}}, g)
	assert.Nil(t, g.Session)
}

func TestScanFastAgreesWithEncodingJSON(t *testing.T) {
	for _, tt := range claimValueTests {
		t.Run(tt.name, func(t *testing.T) {
			n, ok := scanFast(tt.raw, nil)
			if !ok {
				return // left to encoding/json, which the other tests cover
			}
			var fast nameList
			m, ok2 := scanFast(tt.raw, &fast)
			require.True(t, ok2)
			assert.Equal(t, n, m)
			assert.LessOrEqual(t, len(fast.names), n, "n counts duplicates too")

			var v any
			require.NoError(t, json.Unmarshal([]byte(tt.raw), &v), "fast path accepted invalid JSON")
			var slow nameList
			slowN, ok3 := walkDecoded(v, &slow)
			require.True(t, ok3)
			assert.Equal(t, slowN, n)
			assert.Equal(t, slow.names, fast.names)
		})
	}
}

func TestScanFastDeclinesWhatNeedsDecoding(t *testing.T) {
	for _, raw := range []string{`"a\u0062"`, `["a\"b"]`, "\"a\xff\"", "\"a\tb\"", `null`, `5`, `{}`, ``} {
		_, ok := scanFast(raw, nil)
		assert.False(t, ok, "%q", raw)
	}
}

func TestFromClaimsCombinesScopeAndScp(t *testing.T) {
	g, err := fromClaims([]byte(`"a b"`), []byte(`["b","c","a","d"]`), []byte(`["a","p"]`))
	require.NoError(t, err)
	assert.Equal(t, []string{"a", "b", "c", "d"}, g.Scopes)
	assert.Equal(t, []string{"a", "p"}, g.Permissions, "permissions are de-duplicated on their own")
}

func TestFromClaimsScpWithoutScope(t *testing.T) {
	g, err := fromClaims(nil, []byte(`"x y"`), nil)
	require.NoError(t, err)
	assert.Equal(t, []string{"x", "y"}, g.Scopes)
}

func TestFromClaimsAbsentMeansEmpty(t *testing.T) {
	g, err := fromClaims(nil, nil, nil)
	require.NoError(t, err)
	assert.Zero(t, g)

	g, err = fromClaims([]byte{}, []byte{}, []byte{})
	require.NoError(t, err)
	assert.Zero(t, g)
}

func TestFromClaimsFirstErrorWins(t *testing.T) {
	_, err := fromClaims([]byte(`"a"`), []byte(`5`), []byte(`null`))
	var ce *ClaimError
	require.ErrorAs(t, err, &ce)
	assert.Equal(t, ClaimScp, ce.Claim)
}

func TestFromClaimsErrorDoesNotLeakValue(t *testing.T) {
	_, err := fromClaims([]byte(`{"secret":"hunter2"}`), nil, nil)
	require.Error(t, err)
	assert.NotContains(t, err.Error(), "hunter2")
}

// Escaped spaces give more names than the separators counted: the array
// grows, and the permissions, which share it, still come out whole; names
// the fast scanner took before it met an escape are not repeated.
func TestFromClaimsOutgrowsItsEstimate(t *testing.T) {
	g, err := fromClaims([]byte(`"a\u0020b\u0020c\u0020d\u0020e"`), []byte(`["f","g","\u0061h","f"]`), []byte(`["p","q"]`))
	require.NoError(t, err)
	assert.Equal(t, []string{"a", "b", "c", "d", "e", "f", "g", "ah"}, g.Scopes)
	assert.Equal(t, []string{"p", "q"}, g.Permissions)
	_ = append(g.Scopes, "x")
	assert.Equal(t, []string{"p", "q"}, g.Permissions)
}

func TestFromClaimsResultsDoNotOverlap(t *testing.T) {
	g, err := fromClaims([]byte(`"a b"`), nil, []byte(`["p","q"]`))
	require.NoError(t, err)
	_ = append(g.Scopes, "x")
	assert.Equal(t, []string{"p", "q"}, g.Permissions)
	assert.Equal(t, len(g.Scopes), cap(g.Scopes))
}

func TestFromClaimsDoesNotKeepCallerBytes(t *testing.T) {
	raw := []byte(`"read write"`)
	g, err := fromClaims(raw, nil, nil)
	require.NoError(t, err)
	copy(raw, `"XXXX XXXXX"`)
	assert.Equal(t, []string{"read", "write"}, g.Scopes)
}

func TestFromClaimsManyNames(t *testing.T) {
	// Past linearLimit de-duplication switches to a map; the result must not change.
	var names, want []string
	for i := range 3 * linearLimit {
		names = append(names, "s"+strconv.Itoa(i%(2*linearLimit)))
		if i < 2*linearLimit {
			want = append(want, "s"+strconv.Itoa(i))
		}
	}
	raw, err := json.Marshal(strings.Join(names, " "))
	require.NoError(t, err)
	arr, err := json.Marshal(names)
	require.NoError(t, err)

	g, err := fromClaims(raw, arr, arr)
	require.NoError(t, err)
	assert.Equal(t, want, g.Scopes)
	assert.Equal(t, want, g.Permissions)
}

func BenchmarkFromClaims(b *testing.B) {
	scope := []byte(`"openid profile email read:messages write:messages"`)
	perms := []byte(`["read:messages","write:messages","delete:messages","org:admin"]`)
	b.ReportAllocs()
	for b.Loop() {
		if _, err := fromClaims(scope, nil, perms); err != nil {
			b.Fatal(err)
		}
	}
}
