package token

import (
	"bytes"
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

// segments holds a compact JWS's text, copied once, with spare room that
// its segments decode into: a server decodes a token or a proof on every
// request, and a copy or a buffer of each segment's own would cost more
// than the decoding.
type segments struct {
	signingInput, header, payload, signature []byte // of the copied text
	room                                     []byte // spare capacity to decode into
}

// newSegments copies raw, split into parts, into one buffer with room
// bytes to spare.
func newSegments(raw string, parts compact, room int) segments {
	buf := make([]byte, len(raw), len(raw)+room)
	copy(buf, raw)
	h, s := len(parts.header), len(parts.signingInput)
	return segments{signingInput: buf[:s:s], header: buf[:h:h], payload: buf[h+1 : s : s],
		signature: buf[s+1 : len(raw) : len(raw)], room: buf[len(raw):]}
}

// decode decodes one segment into the spare room, which must hold it;
// the result shares the buffer, so it lives as long as any part of it.
func (b *segments) decode(segment []byte, what string) ([]byte, error) {
	out := b.room[:b64.DecodedLen(len(segment))]
	n, err := decodeSegment(out, segment, what)
	if err != nil {
		return nil, err
	}
	b.room = out[n:n]
	return out[:n:n], nil
}

// decodeOwn decodes one segment into an allocation of its own, for a
// segment kept after the request (a token's payload, which the cache
// keeps): it holds nothing else alive.
func decodeOwn(segment []byte, what string) ([]byte, error) {
	out := make([]byte, b64.DecodedLen(len(segment)))
	n, err := decodeSegment(out, segment, what)
	if err != nil {
		return nil, err
	}
	return out[:n], nil
}

// decodeSegment decodes one base64url segment into out, which holds it,
// and returns the decoded length. Go's decoders skip CR and LF in every
// mode, so those two are looked for first: a token has exactly one
// encoding, and a line break inside it is not a variant of it. Every other
// byte outside the alphabet (padding, spaces, '+', '/') is refused by the
// strict decoder itself. bytes.IndexByte is vectorised; a byte-by-byte
// alphabet check cost more than the decoding.
func decodeSegment(out, segment []byte, what string) (int, error) {
	if bytes.IndexByte(segment, '\n') >= 0 || bytes.IndexByte(segment, '\r') >= 0 {
		return 0, fmt.Errorf("%w: %s is not base64url", ErrMalformed, what)
	}
	n, err := b64.Decode(out, segment)
	if err != nil {
		return 0, fmt.Errorf("%w: %s is not base64url", ErrMalformed, what)
	}
	return n, nil
}
