package token

import (
	"encoding/base64"
	"fmt"
	"strings"
)

// Depth limits for the JSON of a token: a header is flat, claims nest a
// little (Clerk's "o", "act"), and nothing legitimate comes close to either.
const (
	maxHeaderDepth  = 4
	maxPayloadDepth = 16
)

// b64 decodes base64url without padding and refuses non-zero trailing bits,
// so each token has exactly one encoding (RFC 7515 §2, §3.1).
var b64 = base64.RawURLEncoding.Strict()

// compact is a compact JWS split into its parts.
type compact struct {
	signingInput string // "header.payload", what the signature covers
	header       string
	payload      string
	signature    string
}

// splitCompact splits a token into its three segments. Exactly two dots are
// allowed; JSON serialisation and JWE (five segments) are not tokens here.
func splitCompact(raw string) (compact, error) {
	first := strings.IndexByte(raw, '.')
	if first < 0 {
		return compact{}, fmt.Errorf("%w: not a compact JWS", ErrMalformed)
	}
	second := strings.IndexByte(raw[first+1:], '.')
	if second < 0 {
		return compact{}, fmt.Errorf("%w: not a compact JWS", ErrMalformed)
	}
	second += first + 1
	if strings.IndexByte(raw[second+1:], '.') >= 0 {
		return compact{}, fmt.Errorf("%w: too many segments", ErrMalformed)
	}
	c := compact{
		signingInput: raw[:second],
		header:       raw[:first],
		payload:      raw[first+1 : second],
		signature:    raw[second+1:],
	}
	// An empty signature is left for the algorithm check to refuse, so that
	// an unsecured token ("alg":"none") is reported as what it is.
	if c.header == "" || c.payload == "" {
		return compact{}, fmt.Errorf("%w: empty segment", ErrMalformed)
	}
	return c, nil
}

// decodeSegment decodes one base64url segment of a token's text, into
// scratch when the result fits there and into an allocation of its own
// otherwise (a segment kept after the request, such as a token's payload,
// which the cache keeps, passes no scratch). The decoder reads the text
// where it stands (see readOnly): a []byte of it would copy the whole
// token to the heap on every first sight.
//
// Go's decoders skip CR and LF in every mode, but a token has exactly one
// encoding, and a line break inside it is not a variant of it. A skipped
// byte shows in the result's length, so no scan for them is needed: no
// base64 text without padding has a length of 4k+1 characters, and for
// every other length the decoded length grows strictly with it, so a
// result shorter than the segment's length gives means bytes were
// skipped. Every other byte outside the alphabet (padding, spaces, '+',
// '/') is refused by the strict decoder itself.
func decodeSegment(segment, what string, scratch []byte) ([]byte, error) {
	size := b64.DecodedLen(len(segment))
	out := scratch
	if size > len(scratch) {
		out = make([]byte, size)
	}
	n, err := b64.Decode(out, readOnly(segment))
	if err != nil || n != size || len(segment)%4 == 1 {
		return nil, fmt.Errorf("%w: %s is not base64url", ErrMalformed, what)
	}
	return out[:n:n], nil
}
