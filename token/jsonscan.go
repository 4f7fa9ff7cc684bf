package token

import (
	"bytes"
	"encoding/binary"
	"errors"
	"hash/maphash"
	"math"
	"slices"
	"strconv"
	"unicode/utf16"
	"unicode/utf8"
)

// The scanner in this file reads JWT headers and payloads. It is stricter than
// encoding/json on purpose: a token whose JSON two parsers could read
// differently (duplicate names, invalid UTF-8, lone surrogates) is rejected
// instead of being resolved one way here and another way elsewhere.

// Sentinel errors of the JSON scanner, one per class of rejection, so callers
// and tests can tell the classes apart with errors.Is. Their text is fixed and
// never contains document bytes.
var (
	// errJSONSyntax reports a document that is not JSON per RFC 8259.
	errJSONSyntax = errors.New("token: malformed JSON")
	// errJSONNotObject reports valid JSON whose top level is not an object.
	errJSONNotObject = errors.New("token: JSON value is not an object")
	// errJSONDuplicateKey reports an object, at any depth, that names a member twice.
	errJSONDuplicateKey = errors.New("token: duplicate JSON member name")
	// errJSONInvalidUTF8 reports invalid UTF-8 or an escaped lone surrogate.
	errJSONInvalidUTF8 = errors.New("token: JSON is not valid UTF-8")
	// errJSONTooDeep reports objects and arrays nested deeper than allowed.
	errJSONTooDeep = errors.New("token: JSON nested too deeply")
	// errJSONType reports a well-formed value of the wrong JSON type for a decode function.
	errJSONType = errors.New("token: JSON value has the wrong type")
	// errJSONNumberRange reports a JSON number too large to be a finite float64.
	errJSONNumberRange = errors.New("token: JSON number out of range")
)

// jsonLinearNames is how many member names of one object are compared
// linearly; from the next name on, that object indexes its names in a hash
// table (jsonLookup). Typical headers and payloads stay below it and never
// build a table, while an object with thousands of members costs linear, not
// quadratic, time.
const jsonLinearNames = 32

// jsonSeed keys the name hash per process, so a crafted document cannot
// aim all its names at one slot of jsonLookup's table.
var jsonSeed = maphash.MakeSeed()

// member is one name/value pair of a JSON object, in document order.
type member struct {
	name  string // the decoded (unescaped) name
	value []byte // the raw JSON value, a sub-slice of the input (no copy)
}

// jsonName is a member name as the duplicate check holds it.
type jsonName struct {
	text []byte // the decoded name
	head uint64 // its first eight bytes, zero-padded: compared before text
}

// jsonFrame is one open object or array on the scanner's stack.
type jsonFrame struct {
	object bool    // an object (names expected) rather than an array
	keys   int     // index in the name list where this object's names start
	table  []int32 // hash table over this object's names past jsonLinearNames: position+1, 0 if free
}

// jsonPlain marks the bytes a string may contain without a closer look: ASCII
// from 0x20 up, except the quote and the backslash. Everything else ends the
// fast loop in jsonScanString.
var jsonPlain = func() (t [256]bool) {
	for c := 0x20; c < 0x80; c++ {
		t[c] = c != '"' && c != '\\'
	}
	return t
}()

// jsonHex maps a hexadecimal digit to its value and any other byte to -1.
var jsonHex = func() (t [256]int8) {
	for i := range t {
		t[i] = -1
	}
	for c := '0'; c <= '9'; c++ {
		t[c] = int8(c - '0')
	}
	for c := 'a'; c <= 'f'; c++ {
		t[c] = int8(c - 'a' + 10)
		t[c-'a'+'A'] = int8(c - 'a' + 10)
	}
	return t
}()

// parseObject validates data as exactly one JSON object (surrounding JSON
// whitespace allowed) and appends its top-level members to dst in document
// order.
//
// It rejects anything that is not RFC 8259 JSON (errJSONSyntax), valid JSON
// whose top level is not an object (errJSONNotObject), invalid UTF-8 anywhere
// and escaped lone surrogates (errJSONInvalidUTF8), a member name repeated in
// any object at any depth, compared after unescaping and case-sensitively
// (errJSONDuplicateKey), and objects plus arrays nested deeper than maxDepth,
// the top-level object being depth 1 (errJSONTooDeep). The class reported is
// that of the first problem in document order. On error dst is returned with
// its original length.
//
// Member values alias data. Member names do not: the top-level names are
// decoded back to back into one buffer that becomes a single string at the
// end, so names stay valid when the caller reuses data, a kept name keeps only
// the names alive, not the whole document, and a call makes one small
// allocation besides dst growth (none for an empty object or on error). Only
// unusual documents cost more: a name with escapes, more than jsonLinearNames
// names in the open objects at once, or an object with more members than
// that, which gets a hash table.
func parseObject(dst []member, data []byte, maxDepth int) ([]member, error) {
	return parseMembers(dst, data, maxDepth, false)
}

// parseFrozen is parseObject for data in a frozen buffer (see
// borrowString): the names are borrowed from data, so that reading them
// costs no allocation unless one has escapes.
func parseFrozen(dst []member, data []byte, maxDepth int) ([]member, error) {
	return parseMembers(dst, data, maxDepth, true)
}

// parseMembers is parseObject, borrowing the names from data when borrow
// is set.
func parseMembers(dst []member, data []byte, maxDepth int, borrow bool) ([]member, error) {
	start := len(dst)
	out, err := jsonScanObject(dst, data, maxDepth, borrow)
	if err != nil {
		// Members read before the error must not keep data alive in a
		// buffer the caller reuses.
		clear(out[start:])
		return out[:start], err
	}
	return out, nil
}

// jsonScanObject does the work of parseMembers, which see. On error it
// returns dst with the members read so far; parseMembers drops them.
func jsonScanObject(dst []member, data []byte, maxDepth int, borrow bool) ([]member, error) {
	start := len(dst)
	var (
		stackBuf [16]jsonFrame
		keysBuf  [jsonLinearNames]jsonName
		namesBuf [256]byte
		endsBuf  [32]int
		stack    = stackBuf[:0]
		keys     = keysBuf[:0]  // names of the open objects, innermost last
		names    = namesBuf[:0] // the decoded top-level names, back to back
		ends     = endsBuf[:0]  // where each top-level name ends in names
		valStart int            // where the value of the current top-level member starts
		name     string         // the name of the current top-level member, when borrowed
		wantKey  bool           // a member name comes next, not a value
		err      error
		n        = len(data)
		i        = jsonSkipSpace(data, 0)
	)
	if i == n {
		return dst, errJSONSyntax
	}
	topObject := data[i] == '{'

	for {
		if wantKey {
			wantKey = false
			if i == n {
				return dst, errJSONSyntax
			}
			if data[i] != '"' {
				return dst, jsonUnexpected(data, i)
			}
			end, escaped, err := jsonScanString(data, i)
			if err != nil {
				return dst, err
			}
			// Names are compared as they stand in data unless escaped. The
			// name list must not point into namesBuf: once it outgrows
			// keysBuf it lives on the heap, and so would namesBuf.
			nm := data[i+1 : end-1]
			if escaped {
				nm = jsonUnescape(nil, nm) // rare: escapes in a name
			}
			if len(stack) == 1 && topObject {
				if borrow && !escaped {
					name = borrowString(nm)
				} else if borrow {
					name = string(nm) // at its exact length, as counted
				} else {
					names = append(names, nm...)
					ends = append(ends, len(names))
				}
			}
			// An object's names are contiguous at the end of keys: a
			// nested object has always closed, and truncated keys back,
			// before its parent reads another name.
			key := jsonName{text: nm, head: jsonHead(nm)}
			top := &stack[len(stack)-1]
			own := keys[top.keys:]
			if len(own) < jsonLinearNames {
				// Most registered claim names have three letters, so the
				// heads, not the lengths, tell them apart cheaply.
				for _, k := range own {
					if k.head == key.head && string(k.text) == string(nm) {
						return dst, errJSONDuplicateKey
					}
				}
			} else {
				if 2*(len(own)+1) > len(top.table) {
					top.table = jsonRehash(own)
				}
				slot, dup := jsonLookup(top.table, own, key)
				if dup {
					return dst, errJSONDuplicateKey
				}
				top.table[slot] = int32(len(own)) + 1
			}
			keys = append(keys, key)
			i = jsonSkipSpace(data, end)
			if i == n {
				return dst, errJSONSyntax
			}
			if data[i] != ':' {
				return dst, jsonUnexpected(data, i)
			}
			i = jsonSkipSpace(data, i+1)
			if len(stack) == 1 && topObject {
				valStart = i
			}
		}

		// A value starts at i.
		if i == n {
			return dst, errJSONSyntax
		}
		switch c := data[i]; c {
		case '{', '[':
			if len(stack) >= maxDepth {
				return dst, errJSONTooDeep
			}
			i = jsonSkipSpace(data, i+1)
			closer := byte(']')
			if c == '{' {
				closer = '}'
			}
			if i < n && data[i] == closer {
				i++ // an empty container is a complete value
				break
			}
			stack = append(stack, jsonFrame{object: c == '{', keys: len(keys)})
			wantKey = c == '{'
			continue
		case '"':
			i, _, err = jsonScanString(data, i)
		case 't':
			i, err = jsonLiteral(data, i, "true")
		case 'f':
			i, err = jsonLiteral(data, i, "false")
		case 'n':
			i, err = jsonLiteral(data, i, "null")
		default:
			if c == '-' || (c >= '0' && c <= '9') {
				i, err = jsonScanNumber(data, i)
			} else {
				err = jsonUnexpected(data, i)
			}
		}
		if err != nil {
			return dst, err
		}

		// A value ended at i. Record it if it belongs to the top-level
		// object, then close containers until another value or name follows.
		for {
			if len(stack) == 0 {
				i = jsonSkipSpace(data, i)
				if i != n {
					return dst, jsonUnexpected(data, i)
				}
				if !topObject {
					return dst, errJSONNotObject
				}
				if len(ends) > 0 {
					text := string(names)
					from := 0
					for k, e := range ends {
						dst[start+k].name = text[from:e]
						from = e
					}
				}
				return dst, nil
			}
			if len(stack) == 1 && topObject {
				// Named here when borrowed, else at the end.
				dst = append(dst, member{name: name, value: data[valStart:i]})
			}
			i = jsonSkipSpace(data, i)
			if i == n {
				return dst, errJSONSyntax
			}
			top := &stack[len(stack)-1]
			c := data[i]
			if c == ',' {
				i = jsonSkipSpace(data, i+1)
				wantKey = top.object
				break
			}
			if (top.object && c == '}') || (!top.object && c == ']') {
				i++
				keys = keys[:top.keys]
				*top = jsonFrame{} // drop the table, if any
				stack = stack[:len(stack)-1]
				continue
			}
			return dst, jsonUnexpected(data, i)
		}
	}
}

// jsonHead returns the first eight bytes of nm, zero-padded, as one word.
func jsonHead(nm []byte) uint64 {
	if cap(nm) >= 8 {
		// nm usually points into the document, so eight bytes can be
		// loaded at once and the ones past its end masked off.
		v := binary.LittleEndian.Uint64(nm[:8])
		if len(nm) < 8 {
			v &= 1<<(8*len(nm)) - 1
		}
		return v
	}
	var v uint64
	for k, c := range nm { // fewer than eight bytes here
		v |= uint64(c) << (8 * k)
	}
	return v
}

// jsonLookup finds key in table, an open-addressing hash table (linear
// probing, power-of-two size, at most half full) over names. It returns
// whether key is there and, if not, the free slot where it belongs.
func jsonLookup(table []int32, names []jsonName, key jsonName) (slot int, found bool) {
	mask := len(table) - 1
	for slot = int(maphash.Bytes(jsonSeed, key.text)) & mask; ; slot = (slot + 1) & mask {
		p := table[slot]
		if p == 0 {
			return slot, false
		}
		if k := names[p-1]; k.head == key.head && string(k.text) == string(key.text) {
			return slot, true
		}
	}
}

// jsonRehash returns a table for names (all distinct) at most a quarter
// full. It is called when the old table would become more than half full, so
// the table at least doubles and growth costs amortized constant time per
// name.
func jsonRehash(names []jsonName) []int32 {
	size := 64
	for size < 4*(len(names)+1) {
		size *= 2
	}
	table := make([]int32, size)
	for p, k := range names {
		slot, _ := jsonLookup(table, names, k)
		table[slot] = int32(p) + 1
	}
	return table
}

// jsonSkipSpace returns the index of the first byte at or after i that is not
// JSON whitespace (space, tab, line feed, carriage return).
func jsonSkipSpace(data []byte, i int) int {
	for i < len(data) {
		switch data[i] {
		case ' ', '\t', '\n', '\r':
			i++
		default:
			return i
		}
	}
	return i
}

// jsonUnexpected classifies a byte that cannot appear where it stands: the
// start of an invalid UTF-8 sequence is an encoding problem, anything else a
// syntax one.
func jsonUnexpected(data []byte, i int) error {
	if data[i] >= utf8.RuneSelf {
		if r, size := utf8.DecodeRune(data[i:]); r == utf8.RuneError && size == 1 {
			return errJSONInvalidUTF8
		}
	}
	return errJSONSyntax
}

// jsonLiteral checks that data at i spells lit (true, false or null) and
// returns the index after it.
func jsonLiteral(data []byte, i int, lit string) (int, error) {
	for k := 0; k < len(lit); k++ {
		if i+k == len(data) {
			return i, errJSONSyntax
		}
		if data[i+k] != lit[k] {
			return i, jsonUnexpected(data, i+k)
		}
	}
	return i + len(lit), nil
}

// jsonScanNumber checks the number grammar of RFC 8259 at i (no leading
// zeros, no "+", digits on both sides of the point) and returns the index
// after the number. What follows is the caller's to check.
func jsonScanNumber(data []byte, i int) (int, error) {
	n := len(data)
	if data[i] == '-' {
		i++
	}
	switch {
	case i == n:
		return i, errJSONSyntax
	case data[i] == '0':
		i++
	case data[i] >= '1' && data[i] <= '9':
		i++
		for i < n && data[i] >= '0' && data[i] <= '9' {
			i++
		}
	default:
		return i, jsonUnexpected(data, i)
	}
	if i < n && data[i] == '.' {
		i++
		if i == n || data[i] < '0' || data[i] > '9' {
			return i, jsonNeedDigit(data, i)
		}
		for i < n && data[i] >= '0' && data[i] <= '9' {
			i++
		}
	}
	if i < n && (data[i] == 'e' || data[i] == 'E') {
		i++
		if i < n && (data[i] == '+' || data[i] == '-') {
			i++
		}
		if i == n || data[i] < '0' || data[i] > '9' {
			return i, jsonNeedDigit(data, i)
		}
		for i < n && data[i] >= '0' && data[i] <= '9' {
			i++
		}
	}
	return i, nil
}

// jsonNeedDigit is the error for a number part that lacks its first digit.
func jsonNeedDigit(data []byte, i int) error {
	if i == len(data) {
		return errJSONSyntax
	}
	return jsonUnexpected(data, i)
}

// jsonScanString checks the string that opens with the quote at i: escapes,
// no raw control characters, valid UTF-8, no lone surrogates. It returns the
// index after the closing quote and whether the string contains an escape
// (and so needs jsonUnescape to be decoded).
func jsonScanString(data []byte, i int) (end int, escaped bool, err error) {
	n := len(data)
	i++
	for {
		// Eight bytes at a time while none of them needs a closer look:
		// most string bytes in a token are plain ASCII.
		for i+8 <= n && jsonSpecial8(binary.LittleEndian.Uint64(data[i:])) == 0 {
			i += 8
		}
		for i < n && jsonPlain[data[i]] {
			i++
		}
		if i == n {
			return i, escaped, errJSONSyntax
		}
		switch c := data[i]; {
		case c == '"':
			return i + 1, escaped, nil
		case c == '\\':
			escaped = true
			if i, err = jsonScanEscape(data, i); err != nil {
				return i, escaped, err
			}
		case c < 0x20:
			return i, escaped, errJSONSyntax
		default:
			r, size := utf8.DecodeRune(data[i:])
			if r == utf8.RuneError && size == 1 {
				return i, escaped, errJSONInvalidUTF8
			}
			i += size
		}
	}
}

// jsonSpecial8 is non-zero when one of the eight bytes in x is not plain in
// the sense of jsonPlain: below 0x20, a quote, a backslash or 0x80 and above.
// Each lane's top bit is set by a subtraction that borrows exactly when the
// lane matches; a borrow can only mark lanes above a matching one, so a false
// alarm never hides a real one and costs only a byte-wise look.
func jsonSpecial8(x uint64) uint64 {
	const ones, tops = 0x0101010101010101, 0x8080808080808080
	return ((x - 0x20*ones) | ((x ^ '"'*ones) - ones) | ((x ^ '\\'*ones) - ones) | x) & tops
}

// jsonScanEscape checks the escape sequence whose backslash is at i and
// returns the index after it. A \u escape of a high surrogate must be followed
// by one of a low surrogate; a lone half cannot become UTF-8.
func jsonScanEscape(data []byte, i int) (int, error) {
	if i+1 == len(data) {
		return i, errJSONSyntax
	}
	switch data[i+1] {
	case '"', '\\', '/', 'b', 'f', 'n', 'r', 't':
		return i + 2, nil
	case 'u':
	default:
		return i, jsonUnexpected(data, i+1)
	}
	r, err := jsonHex4(data, i+2)
	if err != nil {
		return i, err
	}
	i += 6
	switch {
	case r < 0xd800 || r > 0xdfff:
		return i, nil
	case r >= 0xdc00:
		return i, errJSONInvalidUTF8 // a low half with no high half before it
	}
	// A high half: only a \u escape of a low half may follow.
	switch {
	case i == len(data), data[i] == '\\' && i+1 == len(data):
		return i, errJSONSyntax // the document ends inside the string
	case data[i] != '\\' || data[i+1] != 'u':
		return i, errJSONInvalidUTF8
	}
	lo, err := jsonHex4(data, i+2)
	if err != nil {
		return i, err
	}
	if lo < 0xdc00 || lo > 0xdfff {
		return i, errJSONInvalidUTF8
	}
	return i + 6, nil
}

// jsonHex4 reads the four hexadecimal digits of a \u escape starting at i.
func jsonHex4(data []byte, i int) (rune, error) {
	var r rune
	for k := i; k < i+4; k++ {
		if k >= len(data) {
			return 0, errJSONSyntax
		}
		v := jsonHex[data[k]]
		if v < 0 {
			return 0, jsonUnexpected(data, k)
		}
		r = r<<4 | rune(v)
	}
	return r, nil
}

// jsonUnescape appends the decoded form of s, the contents of a string that
// jsonScanString accepted (quotes excluded), to dst. It relies on that check
// and does not repeat it.
func jsonUnescape(dst, s []byte) []byte {
	for i := 0; i < len(s); {
		if s[i] != '\\' {
			j := i + 1
			for j < len(s) && s[j] != '\\' {
				j++
			}
			dst = append(dst, s[i:j]...)
			i = j
			continue
		}
		c := s[i+1]
		i += 2
		switch c {
		case 'b':
			dst = append(dst, '\b')
		case 'f':
			dst = append(dst, '\f')
		case 'n':
			dst = append(dst, '\n')
		case 'r':
			dst = append(dst, '\r')
		case 't':
			dst = append(dst, '\t')
		case 'u':
			r := jsonHexRune(s[i:])
			i += 4
			if utf16.IsSurrogate(r) {
				r = utf16.DecodeRune(r, jsonHexRune(s[i+2:]))
				i += 6
			}
			dst = utf8.AppendRune(dst, r)
		default: // '"', '\\', '/'
			dst = append(dst, c)
		}
	}
	return dst
}

// jsonHexRune reads four hexadecimal digits already known to be valid.
func jsonHexRune(s []byte) rune {
	return rune(jsonHex[s[0]])<<12 | rune(jsonHex[s[1]])<<8 | rune(jsonHex[s[2]])<<4 | rune(jsonHex[s[3]])
}

// jsonKindError explains why raw is not the JSON type a decode function
// wants: errJSONType when raw starts like another JSON value, errJSONSyntax
// when it starts like no JSON value at all. raw is expected to be a value
// from parseObject; whatever it is, it is never accepted.
func jsonKindError(raw []byte) error {
	if len(raw) == 0 {
		return errJSONSyntax
	}
	switch c := raw[0]; {
	case c == '"' || c == '{' || c == '[' || c == 't' || c == 'f' || c == 'n' || c == '-' || (c >= '0' && c <= '9'):
		return errJSONType
	default:
		return errJSONSyntax
	}
}

// decodeString decodes raw, exactly one JSON string including its quotes and
// without surrounding whitespace, as parseObject's member values are. Without
// escapes the result is a copy of the contents made with one allocation; with
// escapes it is decoded (one allocation for short strings). Another JSON type
// is errJSONType; anything parseObject would reject is rejected too.
func decodeString(raw []byte) (string, error) {
	return decodeStringAs(raw, false)
}

// decodeBorrowedString is decodeString for raw in a frozen buffer (see
// borrowString): without escapes the string is borrowed from raw, at no
// allocation.
func decodeBorrowedString(raw []byte) (string, error) {
	return decodeStringAs(raw, true)
}

// decodeStringAs is decodeString, borrowing an unescaped string from raw
// when borrow is set.
func decodeStringAs(raw []byte, borrow bool) (string, error) {
	if len(raw) == 0 || raw[0] != '"' {
		return "", jsonKindError(raw)
	}
	end, escaped, err := jsonScanString(raw, 0)
	if err != nil {
		return "", err
	}
	if end != len(raw) {
		return "", jsonUnexpected(raw, end)
	}
	return stringContents(raw[1:end-1], escaped, borrow), nil
}

// stringContents returns the string whose contents, between the quotes,
// are contents: borrowed from them when borrow is set and they have no
// escapes, else a string of its own.
func stringContents(contents []byte, escaped, borrow bool) string {
	switch {
	case escaped:
		var buf [64]byte
		return string(jsonUnescape(buf[:0], contents))
	case borrow:
		return borrowString(contents)
	default:
		return string(contents)
	}
}

// decodeNumber parses raw, exactly one JSON number, into a float64: JWT
// NumericDate values may have a fraction (RFC 7519 §2). A string such as
// "123", null or a boolean is errJSONType, even though some JWT libraries
// accept them, because registered claims must have their registered types. A
// number beyond float64 is errJSONNumberRange rather than an infinity.
func decodeNumber(raw []byte) (float64, error) {
	if len(raw) == 0 || (raw[0] != '-' && (raw[0] < '0' || raw[0] > '9')) {
		return 0, jsonKindError(raw)
	}
	end, err := jsonScanNumber(raw, 0)
	if err != nil {
		return 0, err
	}
	if end != len(raw) {
		return 0, jsonUnexpected(raw, end)
	}
	// Integers of up to 15 digits (all NumericDates for millennia) are
	// below 2^53, so they convert exactly without strconv.
	digits, neg := raw, false
	if digits[0] == '-' {
		digits, neg = digits[1:], true
	}
	if len(digits) <= 15 {
		var v uint64
		simple := true
		for _, c := range digits {
			if c < '0' || c > '9' {
				simple = false
				break
			}
			v = v*10 + uint64(c-'0')
		}
		if simple {
			f := float64(v)
			if neg {
				f = -f
			}
			return f, nil
		}
	}
	f, err := strconv.ParseFloat(string(raw), 64)
	if err != nil || math.IsInf(f, 0) || math.IsNaN(f) {
		// The grammar is already checked, so the only failure left is
		// overflow.
		return 0, errJSONNumberRange
	}
	return f, nil
}

// decodeStringOrStrings appends to dst the string raw holds or the strings of
// the array raw holds: the two shapes of the JWT "aud" claim (RFC 7519
// §4.1.3). An empty array appends nothing; an array with any other element
// type, or another value, is errJSONType. On error dst is returned with its
// original length.
func decodeStringOrStrings(dst []string, raw []byte) ([]string, error) {
	return decodeStringOrStringsAs(dst, raw, false)
}

// decodeBorrowedStrings is decodeStringOrStrings for raw in a frozen
// buffer (see borrowString): the strings without escapes are borrowed.
func decodeBorrowedStrings(dst []string, raw []byte) ([]string, error) {
	return decodeStringOrStringsAs(dst, raw, true)
}

// decodeStringOrStringsAs is decodeStringOrStrings, borrowing unescaped
// strings from raw when borrow is set.
func decodeStringOrStringsAs(dst []string, raw []byte, borrow bool) ([]string, error) {
	if len(raw) == 0 {
		return dst, errJSONSyntax
	}
	switch raw[0] {
	case '"':
		s, err := decodeStringAs(raw, borrow)
		if err != nil {
			return dst, err
		}
		return append(dst, s), nil
	case '[':
	default:
		return dst, jsonKindError(raw)
	}
	start, n := len(dst), len(raw)
	i := jsonSkipSpace(raw, 1)
	if i < n && raw[i] == ']' {
		if i+1 != n {
			return dst, jsonUnexpected(raw, i+1)
		}
		return dst, nil
	}
	// Room for every element at once: no element ends without a comma or
	// the closing bracket, so this never counts too few (commas inside the
	// strings make it count more, within the signed payload's size).
	dst = slices.Grow(dst, bytes.Count(raw, comma)+1)
	for {
		if i == n {
			return dst[:start], errJSONSyntax
		}
		if raw[i] != '"' {
			return dst[:start], jsonKindError(raw[i:])
		}
		end, escaped, err := jsonScanString(raw, i)
		if err != nil {
			return dst[:start], err
		}
		dst = append(dst, stringContents(raw[i+1:end-1], escaped, borrow))
		i = jsonSkipSpace(raw, end)
		if i == n {
			return dst[:start], errJSONSyntax
		}
		switch raw[i] {
		case ',':
			i = jsonSkipSpace(raw, i+1)
		case ']':
			if i+1 != n {
				return dst[:start], jsonUnexpected(raw, i+1)
			}
			return dst, nil
		default:
			return dst[:start], jsonUnexpected(raw, i)
		}
	}
}

var comma = []byte{','}
