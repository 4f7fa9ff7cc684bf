package token

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math"
	"math/rand/v2"
	"strconv"
	"strings"
	"testing"
	"unicode/utf16"
	"unicode/utf8"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// jsonTestDepth is the nesting limit the tests use unless a case says otherwise.
const jsonTestDepth = 8

// jsonTestPayload is a realistic access-token payload: registered claims, an
// audience array, scopes, permissions and a nested custom claim.
const jsonTestPayload = `{"iss":"https://tenant.eu.auth0.com/","sub":"auth0|6512f0c1a2b3c4d5e6f70812",` +
	`"aud":["https://api.example.com","https://tenant.eu.auth0.com/userinfo"],"iat":1718000000,` +
	`"exp":1718086400,"nbf":1717999990,"azp":"Xq3kP9aZ2mN8vB7cL1dF6gH4jK0sT5wY","scope":"openid profile email read:messages write:messages",` +
	`"permissions":["read:messages","write:messages","org:admin:example"],"jti":"b6f1c0de-8d5a-4c1e-9f7a-2e3d4c5b6a79",` +
	`"https://example.com/claims":{"org_id":"org_9Xq3kP9aZ2mN8vB7","roles":["admin","billing"],"tier":2}}`

// kv is an expected member in tests: its name and its raw value as text.
type kv struct{ name, value string }

// jsonMembersKV turns members into kv pairs so testify can diff them readably.
func jsonMembersKV(ms []member) []kv {
	out := make([]kv, 0, len(ms))
	for _, m := range ms {
		out = append(out, kv{m.name, string(m.value)})
	}
	return out
}

func TestParseObjectAccepts(t *testing.T) {
	tests := []struct {
		name string
		in   string
		want []kv
	}{
		{"empty object", `{}`, []kv{}},
		{"empty object in whitespace", " \t\r\n{ \t\r\n} \t\r\n", []kv{}},
		{"one member", `{"a":1}`, []kv{{"a", `1`}}},
		{"whitespace everywhere", " { \"a\" : 1 ,\n\t\"b\"\r\n:\t[ 1 , 2 ] } ", []kv{{"a", `1`}, {"b", `[ 1 , 2 ]`}}},
		{"document order kept", `{"z":1,"a":2,"m":3}`, []kv{{"z", `1`}, {"a", `2`}, {"m", `3`}}},
		{"every value type", `{"s":"x","n":-1.5e3,"t":true,"f":false,"z":null,"o":{"k":"v"},"a":[1,"2",null]}`,
			[]kv{{"s", `"x"`}, {"n", `-1.5e3`}, {"t", `true`}, {"f", `false`}, {"z", `null`}, {"o", `{"k":"v"}`}, {"a", `[1,"2",null]`}}},
		{"empty nested containers", `{"o":{},"a":[],"aa":[[],{}],"w":{ },"x":[ ]}`,
			[]kv{{"o", `{}`}, {"a", `[]`}, {"aa", `[[],{}]`}, {"w", `{ }`}, {"x", `[ ]`}}},
		{"nested objects may reuse names of other objects", `{"a":{"a":{"a":1}},"b":{"a":2},"c":[{"a":1},{"a":2}]}`,
			[]kv{{"a", `{"a":{"a":1}}`}, {"b", `{"a":2}`}, {"c", `[{"a":1},{"a":2}]`}}},
		{"names are case-sensitive", `{"exp":1,"Exp":2,"EXP":3}`, []kv{{"exp", `1`}, {"Exp", `2`}, {"EXP", `3`}}},
		{"escaped name is decoded", `{"\u0065xp":1,"a\"b":2,"c\\d":3,"\/":4,"\b\f\n\r\t":5}`,
			[]kv{{"exp", `1`}, {`a"b`, `2`}, {`c\d`, `3`}, {"/", `4`}, {"\b\f\n\r\t", `5`}}},
		{"escaped value kept raw", `{"a":"\u00e9\n\"","b":"\ud83d\ude00"}`, []kv{{"a", `"\u00e9\n\""`}, {"b", `"\ud83d\ude00"`}}},
		{"escaped NUL is allowed", `{"\u0000":"\u0000"}`, []kv{{"\x00", `"\u0000"`}}},
		{"raw unicode", `{"名前":"日本語","emoji":"😀","é":"\u00e9"}`, []kv{{"名前", `"日本語"`}, {"emoji", `"😀"`}, {"é", `"\u00e9"`}}},
		{"raw U+FFFD and DEL are valid", "{\"\uFFFD\":\"\x7f\"}", []kv{{"\uFFFD", "\"\x7f\""}}},
		{"surrogate pair escapes, any case", `{"a":"\uD83D\uDE00","b":"\udbff\udfff"}`, []kv{{"a", `"\uD83D\uDE00"`}, {"b", `"\udbff\udfff"`}}},
		{"empty name", `{"":1}`, []kv{{"", `1`}}},
		{"numbers of every form", `{"a":0,"b":-0,"c":1,"d":-1,"e":123456789012345678901234567890,"f":0.5,"g":-0.0,` +
			`"h":1e5,"i":1E5,"j":1e+5,"k":1e-5,"l":1.25E-10,"m":-9.5e+300,"n":1e400,"o":1718086400.123}`,
			[]kv{{"a", `0`}, {"b", `-0`}, {"c", `1`}, {"d", `-1`}, {"e", `123456789012345678901234567890`}, {"f", `0.5`}, {"g", `-0.0`},
				{"h", `1e5`}, {"i", `1E5`}, {"j", `1e+5`}, {"k", `1e-5`}, {"l", `1.25E-10`}, {"m", `-9.5e+300`}, {"n", `1e400`}, {"o", `1718086400.123`}}},
		{"realistic payload", jsonTestPayload, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := parseObject(nil, []byte(tt.in), jsonTestDepth)
			require.NoError(t, err)
			if tt.want != nil {
				assert.Equal(t, tt.want, jsonMembersKV(got))
			}
			jsonAssertSameAsEncodingJSON(t, []byte(tt.in), got)
			// Borrowing the names changes nothing that can be read.
			frozen, err := parseFrozen(nil, []byte(tt.in), jsonTestDepth)
			require.NoError(t, err)
			assert.Equal(t, jsonMembersKV(got), jsonMembersKV(frozen))
		})
	}
}

func TestParseObjectRejects(t *testing.T) {
	type tc struct {
		name string
		in   string
	}
	classes := []struct {
		err   error
		cases []tc
	}{
		{errJSONSyntax, []tc{
			{"empty input", ``},
			{"only whitespace", " \n\t "},
			{"unclosed object", `{`},
			{"unclosed after member", `{"a":1`},
			{"unclosed after comma", `{"a":1,`},
			{"missing value", `{"a":}`},
			{"missing colon", `{"a" 1}`},
			{"missing name", `{:1}`},
			{"unquoted name", `{a:1}`},
			{"number name", `{1:1}`},
			{"single-quoted name", `{'a':1}`},
			{"single-quoted value", `{"a":'x'}`},
			{"trailing comma in object", `{"a":1,}`},
			{"trailing comma in array", `{"a":[1,]}`},
			{"leading comma", `{,"a":1}`},
			{"double comma", `{"a":1,,"b":2}`},
			{"missing comma", `{"a":1 "b":2}`},
			{"missing comma in array", `{"a":[1 2]}`},
			{"empty array element", `{"a":[,1]}`},
			{"trailing data", `{} x`},
			{"two objects", `{} {}`},
			{"trailing comma at top", `{},`},
			{"mismatched closer", `{"a":[1}}`},
			{"mismatched closer 2", `{"a":{"b":1]}`},
			{"extra closer", `{"a":1}}`},
			{"unterminated string", `{"a":"x}`},
			{"unterminated name", `{"a`},
			{"raw newline in string", "{\"a\":\"x\ny\"}"},
			{"raw tab in string", "{\"a\":\"x\ty\"}"},
			{"raw NUL in name", "{\"a\x00\":1}"},
			{"raw 0x1f in string", "{\"a\":\"\x1f\"}"},
			{"bad escape", `{"a":"\x41"}`},
			{"bad escape \\a", `{"a":"\a"}`},
			{"escaped single quote", `{"a":"\'"}`},
			{"short \\u escape", `{"a":"\u12"}`},
			{"non-hex \\u escape", `{"a":"\u12g4"}`},
			{"upper-case \\U escape", `{"a":"\U0041"}`},
			{"backslash at end", `{"a":"\`},
			{"high surrogate then malformed escape", `{"a":"\ud800\uzzzz"}`},
			{"NaN", `{"a":NaN}`},
			{"Infinity", `{"a":Infinity}`},
			{"-Infinity", `{"a":-Infinity}`},
			{"leading zero", `{"a":01}`},
			{"negative leading zero", `{"a":-01}`},
			{"plus sign", `{"a":+1}`},
			{"lone minus", `{"a":-}`},
			{"leading point", `{"a":.5}`},
			{"trailing point", `{"a":1.}`},
			{"point before exponent", `{"a":1.e5}`},
			{"empty exponent", `{"a":1e}`},
			{"signed empty exponent", `{"a":1e+}`},
			{"hex number", `{"a":0x10}`},
			{"number then letter", `{"a":1x}`},
			{"number at end", `{"a":1`},
			{"capital True", `{"a":True}`},
			{"truncated true", `{"a":tru}`},
			{"truncated null at end", `{"a":nul`},
			{"true with suffix", `{"a":truex}`},
			{"comment", `{"a":1 /* c */}`},
			{"line comment", "{\"a\":1 // c\n}"},
			{"byte order mark", "\uFEFF{}"},
			{"form feed is not whitespace", "{\f}"},
			{"vertical tab is not whitespace", "{\v}"},
			{"non-breaking space is not whitespace", "{\u00a0}"},
			{"valid UTF-8 outside strings", `{"a":1é}`},
			{"invalid array as top level", `[1,]`},
			{"bare word", `nope`},
			{"lone surrogate after error is not reached", `{"a":1,}"\ud800"`},
		}},
		{errJSONNotObject, []tc{
			{"array", `[1]`},
			{"empty array", `[]`},
			{"array of objects", `[{"a":1}]`},
			{"string", `"x"`},
			{"number", `1`},
			{"negative number", ` -1.5e3 `},
			{"true", `true`},
			{"false", `false`},
			{"null", `null`},
		}},
		{errJSONDuplicateKey, []tc{
			{"top level", `{"exp":1,"exp":2}`},
			{"top level not adjacent", `{"exp":1,"iat":2,"exp":3}`},
			{"different value types", `{"aud":"a","aud":["b"]}`},
			{"nested", `{"a":{"b":1,"b":2}}`},
			{"deeply nested", `{"a":[{"b":{"c":1,"c":1}}]}`},
			{"second object in array", `{"a":[{"b":1},{"b":1,"b":1}]}`},
			{"escaped duplicate", `{"exp":1,"\u0065xp":2}`},
			{"both escaped differently", `{"\u0065xp":1,"\u0065\u0078p":2}`},
			{"escaped upper-case hex", `{"é":1,"\u00E9":2}`},
			{"solidus escape", `{"a/b":1,"a\/b":2}`},
			{"surrogate pair against raw", `{"😀":1,"\ud83d\ude00":2}`},
			{"empty names", `{"":1,"":2}`},
			{"duplicate after nested object closed", `{"a":{"x":1},"b":2,"a":3}`},
		}},
		{errJSONInvalidUTF8, []tc{
			{"invalid byte in name", "{\"a\xff\":1}"},
			{"invalid byte in value", "{\"a\":\"\xff\"}"},
			{"truncated sequence in value", "{\"a\":\"\xe6\x97\"}"},
			{"overlong encoding", "{\"a\":\"\xc0\xaf\"}"},
			{"encoded surrogate", "{\"a\":\"\xed\xa0\x80\"}"},
			{"beyond U+10FFFF", "{\"a\":\"\xf4\x90\x80\x80\"}"},
			{"continuation byte alone", "{\"a\":\"\x80\"}"},
			{"outside strings, before name", "{\xff\"a\":1}"},
			{"outside strings, after value", "{\"a\":1\xff}"},
			{"outside strings, as value", "{\"a\":\xff}"},
			{"outside strings, trailing", "{\"a\":1}\xff"},
			{"outside strings, leading", "\xff{}"},
			{"outside strings, inside literal", "{\"a\":tr\xffe}"},
			{"lone high surrogate", `{"a":"\ud800"}`},
			{"lone high surrogate in name", `{"\ud800":1}`},
			{"lone low surrogate", `{"a":"\udc00"}`},
			{"reversed pair", `{"a":"\udc00\ud800"}`},
			{"high surrogate twice", `{"a":"\ud800\ud800"}`},
			{"high surrogate then other escape", `{"a":"\ud800\n"}`},
			{"high surrogate then text", `{"a":"\ud800x"}`},
			{"high surrogate then non-surrogate escape", `{"a":"\ud800\u0041"}`},
			{"lone surrogate in nested array", `{"a":[["\udfff"]]}`},
		}},
	}
	for _, class := range classes {
		for _, tt := range class.cases {
			t.Run(fmt.Sprintf("%v/%s", class.err, tt.name), func(t *testing.T) {
				dst := []member{{name: "kept"}}
				got, err := parseObject(dst, []byte(tt.in), jsonTestDepth)
				require.ErrorIs(t, err, class.err)
				assert.Equal(t, dst, got, "dst must come back with its original length")
				if class.err == errJSONSyntax {
					assert.False(t, json.Valid([]byte(tt.in)), "encoding/json accepts a case listed as a syntax error")
				}
			})
		}
	}
}

// TestParseObjectTruncated cuts valid documents at every byte: no proper
// prefix is a document, and each is a syntax error unless the cut splits a
// UTF-8 sequence.
func TestParseObjectTruncated(t *testing.T) {
	docs := []string{
		jsonTestPayload,
		`{"a" : [ -1.5e+3 , 0 , true , false , null , { } , [ ] ] , "\u0065\ud83d\ude00\n" : "x\"y" }`,
		`{"日本":"😀é","n":-0.0E-7}`,
	}
	for _, doc := range docs {
		_, err := parseObject(nil, []byte(doc), jsonTestDepth)
		require.NoError(t, err)
		for cut := range len(doc) {
			prefix := []byte(doc[:cut])
			_, err := parseObject(nil, prefix, jsonTestDepth)
			if utf8.Valid(prefix) {
				assert.ErrorIs(t, err, errJSONSyntax, "prefix %q", prefix)
			} else {
				assert.ErrorIs(t, err, errJSONInvalidUTF8, "prefix %q", prefix)
			}
		}
	}
}

func TestParseObjectDepth(t *testing.T) {
	// nest wraps the innermost value in d containers in total, the top
	// object included, alternating arrays and objects.
	nest := func(d int, inner string) string {
		s := inner
		for k := d - 1; k >= 1; k-- {
			if k%2 == 0 {
				s = `[` + s + `]`
			} else {
				s = `{"k":` + s + `}`
			}
		}
		return `{"top":` + s + `}`
	}
	tests := []struct {
		name     string
		in       string
		maxDepth int
		err      error
	}{
		{"flat object at limit 1", `{"a":1,"b":"x"}`, 1, nil},
		{"empty object at limit 1", `{}`, 1, nil},
		{"nested empty object over limit 1", `{"a":{}}`, 1, errJSONTooDeep},
		{"nested empty array over limit 1", `{"a":[]}`, 1, errJSONTooDeep},
		{"exactly at limit", nest(8, `1`), 8, nil},
		{"exactly at limit, empty innermost", nest(7, `[]`), 8, nil},
		{"over limit by one", nest(9, `1`), 8, errJSONTooDeep},
		{"over limit by one, empty innermost", nest(8, `{}`), 8, errJSONTooDeep},
		{"arrays only at limit", `{"a":[[[1]]]}`, 4, nil},
		{"arrays only over limit", `{"a":[[[[1]]]]}`, 4, errJSONTooDeep},
		{"siblings do not add up", `{"a":[1],"b":[2],"c":{"d":[3]}}`, 3, nil},
		{"deep at limit 64", nest(64, `"x"`), 64, nil},
		{"deep over limit 64", nest(65, `"x"`), 64, errJSONTooDeep},
		{"limit 0 rejects every object", `{}`, 0, errJSONTooDeep},
		{"negative limit rejects every object", `{}`, -1, errJSONTooDeep},
		{"deep non-object top level is too deep", `[[[[1]]]]`, 2, errJSONTooDeep},
		{"depth error before later syntax error", `{"a":[[1]],}`, 2, errJSONTooDeep},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := parseObject(nil, []byte(tt.in), tt.maxDepth)
			if tt.err == nil {
				require.NoError(t, err)
			} else {
				require.ErrorIs(t, err, tt.err)
			}
		})
	}
	// A huge nesting costs the limit, not memory or stack proportional to it.
	huge := strings.Repeat(`{"a":`, 1_000_000)
	_, err := parseObject(nil, []byte(huge), 32)
	require.ErrorIs(t, err, errJSONTooDeep)
}

func TestParseObjectManyMembers(t *testing.T) {
	// object builds an object with n members named m0, m1, ... and extra
	// appended raw after them.
	object := func(n int, extra string) string {
		var b strings.Builder
		b.WriteByte('{')
		for k := range n {
			if k > 0 {
				b.WriteByte(',')
			}
			fmt.Fprintf(&b, `"m%d":{"x":%d,"y":[{"x":1}]}`, k, k)
		}
		b.WriteString(extra)
		b.WriteByte('}')
		return b.String()
	}
	for _, n := range []int{jsonLinearNames - 1, jsonLinearNames, jsonLinearNames + 1, 5000} {
		t.Run(strconv.Itoa(n), func(t *testing.T) {
			got, err := parseObject(nil, []byte(object(n, "")), jsonTestDepth)
			require.NoError(t, err)
			require.Len(t, got, n)
			assert.Equal(t, fmt.Sprintf("m%d", n-1), got[n-1].name)

			for _, dup := range []int{0, n / 2, n - 1} {
				_, err = parseObject(nil, []byte(object(n, fmt.Sprintf(`,"m%d":0`, dup))), jsonTestDepth)
				assert.ErrorIs(t, err, errJSONDuplicateKey, "duplicate of m%d", dup)
				_, err = parseObject(nil, []byte(object(n, fmt.Sprintf(`,"\u006d%d":0`, dup))), jsonTestDepth)
				assert.ErrorIs(t, err, errJSONDuplicateKey, "escaped duplicate of m%d", dup)
				_, err = parseObject(nil, []byte(object(n, fmt.Sprintf(`,"M%d":0`, dup))), jsonTestDepth)
				assert.NoError(t, err, "M%d is a different name", dup)
			}
			// A nested object after the switch to a map keeps its own names.
			_, err = parseObject(nil, []byte(object(n, `,"z":{"a":1,"a":2}`)), jsonTestDepth)
			assert.ErrorIs(t, err, errJSONDuplicateKey)
			_, err = parseObject(nil, []byte(`{"z":`+object(n, "")+`,"m0":1}`), jsonTestDepth)
			assert.NoError(t, err, "names of the nested object do not leak into the outer one")
			_, err = parseObject(nil, []byte(`{"z":`+object(n, "")+`,"z":1}`), jsonTestDepth)
			assert.ErrorIs(t, err, errJSONDuplicateKey, "the outer object still sees its own names")

			// Growth is amortized: four doubling buffers (names, their
			// ends, the name list, the hash table) allocate O(log n)
			// times, where anything per name would allocate n times.
			data := []byte(object(n, ""))
			dst := make([]member, 0, n)
			allocs := testing.AllocsPerRun(10, func() {
				_, _ = parseObject(dst[:0], data, jsonTestDepth)
			})
			assert.LessOrEqual(t, allocs, 60.0)
		})
	}
}

func TestParseObjectReusesDst(t *testing.T) {
	buf := make([]member, 0, 32)
	data := []byte(jsonTestPayload)
	got, err := parseObject(buf[:0], data, jsonTestDepth)
	require.NoError(t, err)
	require.Len(t, got, 11)
	assert.Same(t, &buf[:1][0], &got[0], "dst's array is reused")

	// Values alias data; names survive the caller reusing it.
	assert.Same(t, &data[bytes.Index(data, []byte(`"https://tenant.eu`))], &got[0].value[0])
	names := make([]string, len(got))
	for k, m := range got {
		names[k] = m.name
	}
	clear(data)
	for k, m := range got {
		assert.Equal(t, names[k], m.name)
	}
	assert.Equal(t, "iss", names[0])
	assert.Equal(t, "https://example.com/claims", names[10])

	for _, tt := range []struct {
		in     string
		allocs float64
	}{
		{jsonTestPayload, 1}, // the copy the names alias, nothing else
		{`{"a":[1,{"b":{"c":[]}}],"d":{"e":[]}}`, 1},
		{`{}`, 0},
		{`{"a":1,"a":2}`, 0}, // errors allocate nothing
		{`[1]`, 0},
	} {
		data := []byte(tt.in)
		allocs := testing.AllocsPerRun(100, func() {
			_, _ = parseObject(buf[:0], data, jsonTestDepth)
		})
		assert.Equal(t, tt.allocs, allocs, "allocations for %s", tt.in)
	}
}

// TestParseObjectMatchesEncodingJSON compares parseObject with encoding/json
// on generated documents with random structure, whitespace, escapes and
// numbers: whatever encoding/json reads the same way (see jsonOracle) must be
// accepted with the same members.
func TestParseObjectMatchesEncodingJSON(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 2))
	accepted := 0
	for range 3000 {
		var g jsonGen
		g.rng = rng
		g.object(0)
		data := g.buf.Bytes()
		ok, _ := jsonOracle(data, jsonTestDepth)
		got, err := parseObject(nil, data, jsonTestDepth)
		if !ok {
			assert.Error(t, err, "accepted %q", data)
			continue
		}
		accepted++
		require.NoError(t, err, "rejected %q", data)
		jsonAssertSameAsEncodingJSON(t, data, got)
	}
	assert.Greater(t, accepted, 2000, "the generator should mostly produce acceptable documents")
}

// jsonGen writes random JSON documents for the cross-check with encoding/json.
type jsonGen struct {
	rng *rand.Rand
	buf bytes.Buffer
}

// space writes random JSON whitespace, usually none.
func (g *jsonGen) space() {
	if g.rng.IntN(4) != 0 {
		return
	}
	for range g.rng.IntN(3) + 1 {
		g.buf.WriteByte(" \t\r\n"[g.rng.IntN(4)])
	}
}

// str writes a string from a small alphabet (so names collide at times) in
// one of several spellings: raw, escaped by encoding/json, or \u-escaped.
func (g *jsonGen) str() {
	alphabet := []rune{'a', 'b', 'e', 'x', 'p', 'é', '日', '😀', '"', '\\', '/', '\n', '\u2028', 0}
	var rs []rune
	for range g.rng.IntN(4) {
		rs = append(rs, alphabet[g.rng.IntN(len(alphabet))])
	}
	g.buf.WriteByte('"')
	for _, r := range rs {
		switch {
		case g.rng.IntN(3) == 0:
			for _, u := range utf16.Encode([]rune{r}) {
				if g.rng.IntN(2) == 0 {
					fmt.Fprintf(&g.buf, `\u%04x`, u)
				} else {
					fmt.Fprintf(&g.buf, `\u%04X`, u)
				}
			}
		case r == '/' && g.rng.IntN(2) == 0:
			g.buf.WriteString(`\/`)
		default:
			b, _ := json.Marshal(string(r))
			g.buf.Write(b[1 : len(b)-1])
		}
	}
	g.buf.WriteByte('"')
}

// number writes a number in one of the JSON number forms.
func (g *jsonGen) number() {
	var s string
	switch g.rng.IntN(6) {
	case 0:
		s = strconv.Itoa(g.rng.IntN(3_000_000_000))
	case 1:
		s = strconv.FormatFloat(g.rng.NormFloat64()*1e6, 'f', -1, 64)
	case 2:
		s = strconv.FormatFloat(g.rng.NormFloat64()*1e200, 'e', -1, 64)
	case 3:
		s = strconv.FormatFloat(g.rng.NormFloat64(), 'E', 3, 64)
	case 4:
		s = []string{"0", "-0", "0.0", "1e400", "-1e-400", "1E+2", "123456789012345678901234567890"}[g.rng.IntN(7)]
	default:
		s = "-" + strconv.Itoa(g.rng.IntN(100))
	}
	g.buf.WriteString(s)
}

// value writes a random value at nesting depth d (the enclosing container's).
func (g *jsonGen) value(d int) {
	k := g.rng.IntN(10)
	if d >= jsonTestDepth+1 { // one level too deep at most, to exercise the limit
		k %= 6
	}
	switch k {
	case 0, 1:
		g.str()
	case 2, 3:
		g.number()
	case 4:
		g.buf.WriteString([]string{"true", "false", "null"}[g.rng.IntN(3)])
	case 5:
		g.str()
	case 6, 7:
		g.object(d)
	default:
		g.buf.WriteByte('[')
		g.space()
		for i := range g.rng.IntN(4) {
			if i > 0 {
				g.buf.WriteByte(',')
				g.space()
			}
			g.value(d + 1)
			g.space()
		}
		g.buf.WriteByte(']')
	}
}

// object writes a random object at nesting depth d+1.
func (g *jsonGen) object(d int) {
	g.space()
	g.buf.WriteByte('{')
	g.space()
	n := g.rng.IntN(6)
	if d > 2 {
		n = g.rng.IntN(2)
	}
	for i := range n {
		if i > 0 {
			g.buf.WriteByte(',')
			g.space()
		}
		g.str()
		g.space()
		g.buf.WriteByte(':')
		g.space()
		g.value(d + 1)
		g.space()
	}
	g.buf.WriteByte('}')
	g.space()
}

// jsonOracle decides with encoding/json, independently of the scanner,
// whether parseObject must accept data: valid JSON, an object at the top,
// valid UTF-8 without lone surrogate escapes, no duplicate names in any object
// and nesting within maxDepth. It also returns the top-level names in order.
func jsonOracle(data []byte, maxDepth int) (bool, []string) {
	if !json.Valid(data) || !utf8.Valid(data) || jsonHasLoneSurrogate(data) {
		return false, nil
	}
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.UseNumber() // 1e400 is valid JSON, only not a float64
	type level struct {
		object  bool
		wantKey bool
		names   map[string]bool
	}
	var (
		stack []level
		top   []string
	)
	for first := true; ; first = false {
		tok, err := dec.Token()
		if err == io.EOF {
			return true, top
		}
		if err != nil {
			return false, nil
		}
		if first && tok != json.Delim('{') {
			return false, nil
		}
		if n := len(stack); n > 0 && stack[n-1].object && stack[n-1].wantKey && tok != json.Delim('}') {
			name := tok.(string)
			if stack[n-1].names[name] {
				return false, nil
			}
			stack[n-1].names[name] = true
			stack[n-1].wantKey = false
			if n == 1 {
				top = append(top, name)
			}
			continue
		}
		switch tok {
		case json.Delim('{'), json.Delim('['):
			if len(stack) >= maxDepth {
				return false, nil
			}
			stack = append(stack, level{object: tok == json.Delim('{'), wantKey: true, names: map[string]bool{}})
			continue
		case json.Delim('}'), json.Delim(']'):
			stack = stack[:len(stack)-1]
		}
		// A value ended; its object, if any, expects a name next.
		if n := len(stack); n > 0 {
			stack[n-1].wantKey = true
		}
	}
}

// jsonHasLoneSurrogate reports whether a document that encoding/json
// accepted has a \u escape of a surrogate half not paired as UTF-16 requires,
// which encoding/json silently turns into U+FFFD.
func jsonHasLoneSurrogate(data []byte) bool {
	hex := func(i int) rune {
		if i+6 > len(data) || data[i] != '\\' || data[i+1] != 'u' {
			return -1
		}
		v, err := strconv.ParseUint(string(data[i+2:i+6]), 16, 16)
		if err != nil {
			return -1
		}
		return rune(v)
	}
	inString := false
	for i := 0; i < len(data); i++ {
		switch c := data[i]; {
		case !inString:
			inString = c == '"'
		case c == '"':
			inString = false
		case c == '\\' && data[i+1] == 'u':
			r := hex(i)
			switch {
			case r >= 0xdc00 && r <= 0xdfff:
				return true
			case r >= 0xd800 && r <= 0xdbff:
				if lo := hex(i + 6); lo < 0xdc00 || lo > 0xdfff {
					return true
				}
				i += 6
			}
			i += 5
		case c == '\\':
			i++
		}
	}
	return false
}

// jsonAssertSameAsEncodingJSON checks members against what encoding/json
// makes of data: the same names in the same order, and values equal after
// compacting.
func jsonAssertSameAsEncodingJSON(t *testing.T, data []byte, members []member) {
	t.Helper()
	ok, order := jsonOracle(data, math.MaxInt)
	require.True(t, ok, "the oracle must accept %q", data)
	var want map[string]json.RawMessage
	require.NoError(t, json.Unmarshal(data, &want))
	require.Len(t, members, len(want))
	for k, m := range members {
		require.Equal(t, order[k], m.name)
		raw, found := want[m.name]
		require.True(t, found, "member %q", m.name)
		assert.Equal(t, jsonCompact(t, raw), jsonCompact(t, m.value), "member %q", m.name)
	}
}

// jsonCompact returns raw without insignificant whitespace.
func jsonCompact(t *testing.T, raw []byte) string {
	t.Helper()
	var b bytes.Buffer
	require.NoError(t, json.Compact(&b, raw), "value %q", raw)
	return b.String()
}

func TestDecodeString(t *testing.T) {
	tests := []struct {
		in   string
		want string
		err  error
	}{
		{`""`, "", nil},
		{`"abc"`, "abc", nil},
		{`"https://tenant.eu.auth0.com/"`, "https://tenant.eu.auth0.com/", nil},
		{`"日本語😀"`, "日本語😀", nil},
		{`"\u0065xp"`, "exp", nil},
		{`"\"\\\/\b\f\n\r\t"`, "\"\\/\b\f\n\r\t", nil},
		{`"\u00e9\u00E9\u65e5"`, "éé日", nil},
		{`"\ud83d\ude00!"`, "😀!", nil},
		{`"\u0000"`, "\x00", nil},
		{`"` + strings.Repeat(`\u0041`, 100) + `"`, strings.Repeat("A", 100), nil},
		{`"x\\"`, `x\`, nil},

		{`123`, "", errJSONType},
		{`-1`, "", errJSONType},
		{`null`, "", errJSONType},
		{`true`, "", errJSONType},
		{`false`, "", errJSONType},
		{`["a"]`, "", errJSONType},
		{`{"a":1}`, "", errJSONType},

		{``, "", errJSONSyntax},
		{`"`, "", errJSONSyntax},
		{`"abc`, "", errJSONSyntax},
		{`"a"b"`, "", errJSONSyntax},
		{`"a" `, "", errJSONSyntax},
		{` "a"`, "", errJSONSyntax},
		{`"a""b"`, "", errJSONSyntax},
		{`'a'`, "", errJSONSyntax},
		{`"\x"`, "", errJSONSyntax},
		{`"\u00"`, "", errJSONSyntax},
		{`"\"`, "", errJSONSyntax},
		{"\"a\nb\"", "", errJSONSyntax},
		{`abc`, "", errJSONSyntax},

		{"\"\xff\"", "", errJSONInvalidUTF8},
		{"\"\xed\xa0\x80\"", "", errJSONInvalidUTF8},
		{`"\ud800"`, "", errJSONInvalidUTF8},
		{`"\udc00"`, "", errJSONInvalidUTF8},
		{`"\ud800\ud800"`, "", errJSONInvalidUTF8},
		{"\"a\"\xff", "", errJSONInvalidUTF8},
	}
	for _, tt := range tests {
		t.Run(tt.in, func(t *testing.T) {
			got, err := decodeString([]byte(tt.in))
			if tt.err != nil {
				require.ErrorIs(t, err, tt.err)
				return
			}
			require.NoError(t, err)
			assert.Equal(t, tt.want, got)
			var viaJSON string
			require.NoError(t, json.Unmarshal([]byte(tt.in), &viaJSON))
			assert.Equal(t, viaJSON, got)
		})
	}
	raw := []byte(`"abc"`)
	s, err := decodeString(raw)
	require.NoError(t, err)
	raw[1] = 'X'
	assert.Equal(t, "abc", s, "the result is a copy")
}

func TestDecodeNumber(t *testing.T) {
	tests := []struct {
		in   string
		want float64
		err  error
	}{
		{`0`, 0, nil},
		{`-0`, 0, nil},
		{`1718086400`, 1718086400, nil},
		{`-1718086400`, -1718086400, nil},
		{`1718086400.5`, 1718086400.5, nil},
		{`999999999999999`, 999999999999999, nil},
		{`9007199254740993`, 9007199254740992, nil}, // rounds like strconv
		{`123456789012345678901234567890`, 1.2345678901234568e29, nil},
		{`1e3`, 1000, nil},
		{`1E+3`, 1000, nil},
		{`25e-1`, 2.5, nil},
		{`-0.000001`, -0.000001, nil},
		{`1.7976931348623157e308`, math.MaxFloat64, nil},
		{`1e-400`, 0, nil}, // underflow to zero is finite

		{`1e400`, 0, errJSONNumberRange},
		{`-1e400`, 0, errJSONNumberRange},
		{`1.8e308`, 0, errJSONNumberRange},

		{`"123"`, 0, errJSONType},
		{`null`, 0, errJSONType},
		{`true`, 0, errJSONType},
		{`false`, 0, errJSONType},
		{`[1]`, 0, errJSONType},
		{`{}`, 0, errJSONType},

		{``, 0, errJSONSyntax},
		{`-`, 0, errJSONSyntax},
		{`01`, 0, errJSONSyntax},
		{`+1`, 0, errJSONSyntax},
		{`.5`, 0, errJSONSyntax},
		{`1.`, 0, errJSONSyntax},
		{`1e`, 0, errJSONSyntax},
		{`1e+`, 0, errJSONSyntax},
		{`0x1`, 0, errJSONSyntax},
		{`1 `, 0, errJSONSyntax},
		{` 1`, 0, errJSONSyntax},
		{`1,2`, 0, errJSONSyntax},
		{`NaN`, 0, errJSONSyntax},
		{`Infinity`, 0, errJSONSyntax},
		{`-Infinity`, 0, errJSONSyntax},
		{`1_000`, 0, errJSONSyntax},
		{"1\xff", 0, errJSONInvalidUTF8},
	}
	for _, tt := range tests {
		t.Run(tt.in, func(t *testing.T) {
			got, err := decodeNumber([]byte(tt.in))
			if tt.err != nil {
				require.ErrorIs(t, err, tt.err)
				return
			}
			require.NoError(t, err)
			assert.Equal(t, tt.want, got)
			want, err := strconv.ParseFloat(tt.in, 64)
			require.NoError(t, err)
			assert.Equal(t, math.Float64bits(want), math.Float64bits(got), "same bits as strconv, sign of zero included")
		})
	}
}

func TestDecodeStringOrStrings(t *testing.T) {
	tests := []struct {
		in   string
		want []string
		err  error
	}{
		{`"https://api.example.com"`, []string{"https://api.example.com"}, nil},
		{`""`, []string{""}, nil},
		{`[]`, []string{}, nil},
		{`[ ]`, []string{}, nil},
		{`["a"]`, []string{"a"}, nil},
		{`["a","b","a"]`, []string{"a", "b", "a"}, nil},
		{"[ \"a\" ,\n\t\"b\" ]", []string{"a", "b"}, nil},
		{`["\u0061","\ud83d\ude00",""]`, []string{"a", "😀", ""}, nil},

		{`1`, nil, errJSONType},
		{`null`, nil, errJSONType},
		{`true`, nil, errJSONType},
		{`{"a":"b"}`, nil, errJSONType},
		{`[1]`, nil, errJSONType},
		{`["a",1]`, nil, errJSONType},
		{`["a",null]`, nil, errJSONType},
		{`[["a"]]`, nil, errJSONType},
		{`["a",{}]`, nil, errJSONType},

		{``, nil, errJSONSyntax},
		{`[`, nil, errJSONSyntax},
		{`["a"`, nil, errJSONSyntax},
		{`["a",`, nil, errJSONSyntax},
		{`["a",]`, nil, errJSONSyntax},
		{`[,"a"]`, nil, errJSONSyntax},
		{`["a" "b"]`, nil, errJSONSyntax},
		{`["a"]]`, nil, errJSONSyntax},
		{`[] `, nil, errJSONSyntax},
		{`["a"] `, nil, errJSONSyntax},
		{`["a":"b"]`, nil, errJSONSyntax},
		{`"a`, nil, errJSONSyntax},
		{`['a']`, nil, errJSONSyntax},

		{"[\"\xff\"]", nil, errJSONInvalidUTF8},
		{`["a","\ud800"]`, nil, errJSONInvalidUTF8},
		{`"\udc00"`, nil, errJSONInvalidUTF8},
	}
	for _, tt := range tests {
		t.Run(tt.in, func(t *testing.T) {
			dst := []string{"kept"}
			got, err := decodeStringOrStrings(dst, []byte(tt.in))
			if tt.err != nil {
				require.ErrorIs(t, err, tt.err)
				assert.Equal(t, dst, got, "dst must come back with its original length")
				return
			}
			require.NoError(t, err)
			assert.Equal(t, append([]string{"kept"}, tt.want...), got)
		})
	}
}

// TestJSONErrorsDistinct guards the promise that each class has its own
// sentinel, so errors.Is cannot confuse them.
func TestJSONErrorsDistinct(t *testing.T) {
	all := []error{errJSONSyntax, errJSONNotObject, errJSONDuplicateKey, errJSONInvalidUTF8, errJSONTooDeep, errJSONType, errJSONNumberRange}
	for i, a := range all {
		for j, b := range all {
			assert.Equal(t, i == j, errors.Is(a, b), "%v vs %v", a, b)
		}
	}
}

func BenchmarkParseObject(b *testing.B) {
	data := []byte(jsonTestPayload)
	dst := make([]member, 0, 16)
	b.SetBytes(int64(len(data)))
	b.ReportAllocs()
	for b.Loop() {
		var err error
		dst, err = parseObject(dst[:0], data, jsonTestDepth)
		if err != nil {
			b.Fatal(err)
		}
	}
}
