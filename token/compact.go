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
// Go's decoders skip CR and LF in every mode, so those two are looked for
// first: a token has exactly one encoding, and a line break inside it is
// not a variant of it. Every other byte outside the alphabet (padding,
// spaces, '+', '/') is refused by the strict decoder itself.
// strings.IndexByte is vectorised; a byte-by-byte alphabet check cost
// more than the decoding.
func decodeSegment(segment, what string, scratch []byte) ([]byte, error) {
	if strings.IndexByte(segment, '\n') >= 0 || strings.IndexByte(segment, '\r') >= 0 {
		return nil, fmt.Errorf("%w: %s is not base64url", ErrMalformed, what)
	}
	size := b64.DecodedLen(len(segment))
	out := scratch
	if size > len(scratch) {
		out = make([]byte, size)
	}
	n, err := b64.Decode(out, readOnly(segment))
	if err != nil {
		return nil, fmt.Errorf("%w: %s is not base64url", ErrMalformed, what)
	}
	return out[:n:n], nil
}
