package token

import (
	"bytes"
	"encoding/json"
	"errors"
	"math"
	"slices"
	"strconv"
	"testing"
	"unicode/utf8"
)

// FuzzParseObject holds parseObject to encoding/json: whatever parseObject
// accepts, encoding/json reads the same way; whatever encoding/json accepts
// and the stricter rules allow (jsonOracle), parseObject accepts. The decode
// functions are checked on every member value along the way.
func FuzzParseObject(f *testing.F) {
	seeds := []string{
		`{}`, ` {} `, `{"a":1}`, jsonTestPayload,
		`{"exp":1,"exp":2}`, `{"exp":1,"\u0065xp":2}`, `{"exp":1,"Exp":2}`, `{"a":{"b":1,"b":2}}`,
		`{"a":[{"b":1},{"b":1}]}`, `[1]`, `"x"`, `1`, `null`, `{} {}`, `{"a":1,}`, `{"a":[1,]}`,
		`{"a":"\ud800"}`, `{"a":"\ud83d\ude00"}`, `{"a":"\udc00\ud800"}`, `{"\u0000":"\u0000"}`,
		`{"a":-0.0e+10,"b":1E-5,"c":01,"d":+1,"e":.5,"f":1.,"g":NaN,"h":1e400}`,
		`{"a":[[[[[[[[[[1]]]]]]]]]]}`, `{"a":{"b":{"c":{"d":{"e":{}}}}}}`,
		`{"s":"\"\\\/\b\f\n\r\t","t":true,"f":false,"n":null}`, `{'a':1}`, `{"a":tru}`,
		"{\"a\":\"\xff\"}", "{\"a\xff\":1}", "{\"a\":1}\xff", "\xef\xbb\xbf{}", "{\"a\":\"\xed\xa0\x80\"}",
		"{\"a\":\"x\ny\"}", "{\"日本\":\"😀\",\"é\":\"\\u00e9\"}",
		`{"m0":0,"m1":1,"m2":2,"m3":3,"m4":4,"m5":5,"m6":6,"m7":7,"m8":8,"m9":9,"m10":10,"m11":11,"m12":12,"m13":13,"m14":14,"m15":15,"m16":16,"m17":17,"m\u0031":1}`,
		`{"aud":["a","b"],"x":["a",1],"y":[],"z":"s"}`,
	}
	for _, s := range seeds {
		f.Add([]byte(s), uint8(jsonTestDepth))
	}
	f.Add([]byte(`{"a":[[1]]}`), uint8(2))
	f.Add([]byte(`{"a":[[1]]}`), uint8(3))
	f.Add([]byte(`{}`), uint8(0))

	f.Fuzz(func(t *testing.T, data []byte, depth uint8) {
		maxDepth := int(depth % 40)
		members, err := parseObject(nil, data, maxDepth)
		ok, order := jsonOracle(data, maxDepth)
		// Borrowing the names from a frozen copy gives the same members and
		// the same error.
		frozen, frozenErr := parseFrozen(nil, bytes.Clone(data), maxDepth)
		if !errors.Is(frozenErr, err) || !slices.EqualFunc(members, frozen, func(a, b member) bool {
			return a.name == b.name && string(a.value) == string(b.value)
		}) {
			t.Fatalf("parseFrozen(%q) = %v, %v; parseObject: %v, %v", data, frozen, frozenErr, members, err)
		}

		if err != nil {
			known := false
			for _, e := range []error{errJSONSyntax, errJSONNotObject, errJSONDuplicateKey, errJSONInvalidUTF8, errJSONTooDeep} {
				known = known || errors.Is(err, e)
			}
			if !known {
				t.Fatalf("unknown error %v for %q", err, data)
			}
			if ok {
				t.Fatalf("rejected %q with %v, but encoding/json accepts it and the strict rules allow it", data, err)
			}
			if errors.Is(err, errJSONNotObject) && !json.Valid(data) {
				t.Fatalf("errJSONNotObject for %q, which is not valid JSON", data)
			}
			if errors.Is(err, errJSONSyntax) && json.Valid(data) {
				t.Fatalf("errJSONSyntax for %q, which encoding/json accepts", data)
			}
			if len(members) != 0 {
				t.Fatalf("members returned with an error for %q", data)
			}
			return
		}

		if !json.Valid(data) {
			t.Fatalf("accepted %q, which encoding/json rejects", data)
		}
		if !utf8.Valid(data) {
			t.Fatalf("accepted %q, which is not valid UTF-8", data)
		}
		if !ok {
			t.Fatalf("accepted %q, which the strict rules reject", data)
		}
		var want map[string]json.RawMessage
		if err := json.Unmarshal(data, &want); err != nil {
			t.Fatalf("encoding/json cannot unmarshal accepted %q: %v", data, err)
		}
		if len(members) != len(want) || len(members) != len(order) {
			t.Fatalf("%d members for %q, encoding/json sees %d", len(members), data, len(want))
		}
		seen := map[string]bool{}
		for k, m := range members {
			if seen[m.name] {
				t.Fatalf("name %q twice in %q", m.name, data)
			}
			seen[m.name] = true
			if m.name != order[k] {
				t.Fatalf("member %d is %q, encoding/json reads %q", k, m.name, order[k])
			}
			if !json.Valid(m.value) {
				t.Fatalf("member %q has invalid value %q", m.name, m.value)
			}
			if a, b := jsonCompact(t, m.value), jsonCompact(t, want[m.name]); a != b {
				t.Fatalf("member %q is %s, encoding/json reads %s", m.name, a, b)
			}
			jsonFuzzDecoders(t, m.value)
		}
	})
}

// jsonFuzzDecoders checks the decode functions on raw, a value parseObject
// accepted, against encoding/json and strconv.
func jsonFuzzDecoders(t *testing.T, raw []byte) {
	t.Helper()
	var wantStr string
	strErr := json.Unmarshal(raw, &wantStr)
	if raw[0] != '"' {
		strErr = errors.New("not a string") // encoding/json also takes null as a string
	}
	gotStr, err := decodeString(raw)
	switch {
	case (err == nil) != (strErr == nil):
		t.Fatalf("decodeString(%q): %v, encoding/json: %v", raw, err, strErr)
	case err == nil && gotStr != wantStr:
		t.Fatalf("decodeString(%q) = %q, encoding/json: %q", raw, gotStr, wantStr)
	case err != nil && !errors.Is(err, errJSONType):
		t.Fatalf("decodeString(%q) of a valid value: %v, want errJSONType", raw, err)
	}

	gotNum, err := decodeNumber(raw)
	if c := raw[0]; c == '-' || (c >= '0' && c <= '9') {
		wantNum, perr := strconv.ParseFloat(string(raw), 64)
		switch {
		case perr != nil || math.IsInf(wantNum, 0):
			if !errors.Is(err, errJSONNumberRange) {
				t.Fatalf("decodeNumber(%q): %v, want errJSONNumberRange", raw, err)
			}
		case err != nil:
			t.Fatalf("decodeNumber(%q): %v", raw, err)
		case math.Float64bits(gotNum) != math.Float64bits(wantNum):
			t.Fatalf("decodeNumber(%q) = %v, strconv: %v", raw, gotNum, wantNum)
		}
	} else if !errors.Is(err, errJSONType) {
		t.Fatalf("decodeNumber(%q) of a non-number: %v, want errJSONType", raw, err)
	}

	// encoding/json would read null elements as "", so elements are
	// unmarshaled one by one.
	var (
		wantStrs []string
		strsErr  error
		elems    []json.RawMessage
	)
	switch raw[0] {
	case '"':
		wantStrs = []string{wantStr}
	case '[':
		if strsErr = json.Unmarshal(raw, &elems); strsErr != nil {
			t.Fatalf("encoding/json cannot unmarshal array %q: %v", raw, strsErr)
		}
		for _, e := range elems {
			var s string
			if e[0] != '"' {
				strsErr = errors.New("not a string element")
				break
			}
			if err := json.Unmarshal(e, &s); err != nil {
				t.Fatalf("encoding/json cannot unmarshal %q: %v", e, err)
			}
			wantStrs = append(wantStrs, s)
		}
	default:
		strsErr = errors.New("neither string nor array")
	}
	gotStrs, err := decodeStringOrStrings(nil, raw)
	switch {
	case (err == nil) != (strsErr == nil):
		t.Fatalf("decodeStringOrStrings(%q): %v, encoding/json: %v", raw, err, strsErr)
	case err == nil && len(gotStrs) != len(wantStrs):
		t.Fatalf("decodeStringOrStrings(%q) = %q, encoding/json: %q", raw, gotStrs, wantStrs)
	case err != nil && !errors.Is(err, errJSONType):
		t.Fatalf("decodeStringOrStrings(%q) of a valid value: %v, want errJSONType", raw, err)
	}
	for k := range gotStrs {
		if gotStrs[k] != wantStrs[k] {
			t.Fatalf("decodeStringOrStrings(%q) = %q, encoding/json: %q", raw, gotStrs, wantStrs)
		}
	}

	// Borrowed from a frozen buffer of their own, the answers are the same.
	frozen := bytes.Clone(raw)
	borrowedStr, err1 := decodeBorrowedString(frozen)
	borrowedStrs, err2 := decodeBorrowedStrings(nil, frozen)
	if (err1 == nil) != (strErr == nil) || (err1 == nil && borrowedStr != wantStr) ||
		(err2 == nil) != (strsErr == nil) || (err2 == nil && !slices.Equal(borrowedStrs, wantStrs)) {
		t.Fatalf("borrowed, %q gives %q, %v and %q, %v", raw, borrowedStr, err1, borrowedStrs, err2)
	}
}
