package scopes

import (
	"strings"
	"unicode/utf8"
)

// scanFast reads raw, the JSON text of one claim value, without encoding/json when it is a string, or an array of
// strings, that needs no unescaping: what issuers send. It returns how many names raw holds (duplicates
// included) and, when l is not nil, adds each to l in order. (A list rather than a callback: a callback binding
// the caller's list would move the list to the heap.)
//
// ok is false when raw needs the general decoder: escapes, raw control characters, invalid UTF-8, other JSON
// types or malformed text. Names may already have been added by then: the first ones the decoder gives, in
// its order, when raw is a JSON array.
func scanFast(raw string, l *nameList) (n int, ok bool) {
	if !utf8.ValidString(raw) {
		return 0, false
	}
	i := skipSpace(raw, 0)
	if i == len(raw) {
		return 0, false
	}
	switch raw[i] {
	case '"':
		s, j, ok := fastString(raw, i)
		if !ok || skipSpace(raw, j) != len(raw) {
			return 0, false
		}
		return splitNames(s, l), true
	case '[':
		i = skipSpace(raw, i+1)
		if i < len(raw) && raw[i] == ']' {
			return 0, skipSpace(raw, i+1) == len(raw)
		}
		for {
			s, j, ok := fastString(raw, i)
			if !ok {
				return 0, false
			}
			if s != "" {
				n++
				if l != nil {
					l.add(s)
				}
			}
			i = skipSpace(raw, j)
			if i == len(raw) {
				return 0, false
			}
			switch raw[i] {
			case ',':
				i = skipSpace(raw, i+1)
			case ']':
				return n, skipSpace(raw, i+1) == len(raw)
			default:
				return 0, false
			}
		}
	}
	return 0, false
}

// fastString returns the content of the JSON string starting at raw[i] and the index just past its closing
// quote. It declines (ok false) any string that the general decoder would have to unescape or reject.
func fastString(raw string, i int) (s string, end int, ok bool) {
	if i >= len(raw) || raw[i] != '"' {
		return "", 0, false
	}
	for j := i + 1; j < len(raw); j++ {
		switch c := raw[j]; {
		case c == '"':
			return raw[i+1 : j], j + 1, true
		case c == '\\' || c < 0x20:
			return "", 0, false
		}
	}
	return "", 0, false
}

// skipSpace returns the index of the first byte at or after i that is not JSON whitespace.
func skipSpace(raw string, i int) int {
	for i < len(raw) {
		switch raw[i] {
		case ' ', '\t', '\n', '\r':
			i++
		default:
			return i
		}
	}
	return i
}

// splitNames adds the names of a space-separated list to l (when not nil) and returns how many there
// are. Only U+0020 separates names, as in RFC 6749 section 3.3; runs of it count as one separator.
func splitNames(s string, l *nameList) (n int) {
	for s != "" {
		name := s
		if i := strings.IndexByte(s, ' '); i >= 0 {
			name, s = s[:i], s[i+1:]
		} else {
			s = ""
		}
		if name != "" {
			n++
			if l != nil {
				l.add(name)
			}
		}
	}
	return n
}

// walkDecoded is scanFast for a claim value already decoded by encoding/json (or built to look like it): a
// string, an []any of strings or an []string. ok is false for anything else, and then nothing was added to l.
func walkDecoded(v any, l *nameList) (n int, ok bool) {
	switch v := v.(type) {
	case string:
		return splitNames(v, l), true
	case []string:
		for _, s := range v {
			if s != "" {
				n++
				if l != nil {
					l.add(s)
				}
			}
		}
		return n, true
	case []any:
		for _, e := range v {
			if _, isString := e.(string); !isString {
				return 0, false
			}
		}
		for _, e := range v {
			if s := e.(string); s != "" {
				n++
				if l != nil {
					l.add(s)
				}
			}
		}
		return n, true
	}
	return 0, false
}
