package token

import (
	"fmt"
	"strings"
)

// parseHeader decodes and checks the JOSE header. Header-embedded keys and
// key URLs ("jwk", "jku", "x5u", "x5c") are never read: trusting them would
// let the token choose its own key (RFC 8725 §3.10).
func parseHeader(data []byte, requireAccessTokenType bool) (Header, error) {
	var h Header
	members, err := parseObject(make([]member, 0, 8), data, maxHeaderDepth)
	if err != nil {
		return h, fmt.Errorf("%w: header: %w", ErrMalformed, err)
	}
	haveAlg := false
	for _, m := range members {
		switch m.name {
		case "alg":
			if h.Algorithm, err = decodeString(m.value); err != nil {
				return h, fmt.Errorf("%w: alg is not a string", ErrMalformed)
			}
			haveAlg = true
		case "kid":
			if h.KeyID, err = decodeString(m.value); err != nil {
				return h, fmt.Errorf("%w: kid is not a string", ErrMalformed)
			}
		case "typ":
			if h.Type, err = decodeString(m.value); err != nil {
				return h, fmt.Errorf("%w: typ is not a string", ErrMalformed)
			}
		case "cat":
			if h.Category, err = decodeString(m.value); err != nil {
				return h, fmt.Errorf("%w: cat is not a string", ErrMalformed)
			}
		case "crit":
			// RFC 7515 §4.1.11: a recipient must refuse a JWS whose crit
			// names an extension it does not process, and this verifier
			// processes none; an empty crit is invalid in itself.
			return h, fmt.Errorf("%w: crit", ErrUnsupportedHeader)
		case "b64":
			// RFC 7797 unencoded payloads change what the signature covers;
			// only the default (true) is accepted.
			if string(m.value) != "true" {
				return h, fmt.Errorf("%w: b64", ErrUnsupportedHeader)
			}
		}
	}
	if !haveAlg {
		return h, fmt.Errorf("%w: no alg", ErrMalformed)
	}
	if !acceptableType(h.Type, requireAccessTokenType) {
		return h, ErrType
	}
	return h, nil
}

// acceptableType implements explicit typing (RFC 8725 §3.11): a token typed
// as something other than a JWT or a JWT access token — a logout token, a
// security event, a DPoP proof — is refused even when its signature is good.
// Media types compare case-insensitively and may omit "application/" (RFC
// 7515 §4.1.9).
func acceptableType(typ string, requireAccessTokenType bool) bool {
	t := normalType(typ)
	if requireAccessTokenType {
		return t == "at+jwt"
	}
	return typ == "" || t == "jwt" || t == "at+jwt"
}

// normalType puts a "typ" value in the form it compares in.
func normalType(typ string) string {
	return strings.TrimPrefix(strings.ToLower(typ), "application/")
}

// typeListed reports whether typ is among types, compared as media types.
// An absent typ is left to acceptableType.
func typeListed(typ string, types []string) bool {
	if typ == "" || len(types) == 0 {
		return true
	}
	t := normalType(typ)
	for _, allowed := range types {
		if normalType(allowed) == t {
			return true
		}
	}
	return false
}
