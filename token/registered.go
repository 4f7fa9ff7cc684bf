package token

import (
	"fmt"
	"math"
	"time"
)

// decodeRegistered fills the registered claims from the members. Each must
// have its registered JSON type when present: "exp":"123" or "exp":null is a
// malformed claim, not a missing one, so that no parser difference between
// issuers and this verifier can turn a bad expiry into none at all.
//
// The string claims are borrowed from the payload, which is frozen (see
// borrowString): a token's first sight reads every one, at no allocation.
func (c *claimData) decodeRegistered() error {
	var err error
	for _, m := range c.members {
		switch m.name {
		case "iss":
			if c.issuer != "" {
				continue // read already, before the signature (issuerClaim)
			}
			c.issuer, err = decodeBorrowedString(m.value)
		case "sub":
			c.subject, err = decodeBorrowedString(m.value)
		case "aud":
			c.audience, err = decodeBorrowedStrings(c.audienceRoom[:0], m.value)
			if len(c.audience) == 0 {
				c.audience = nil // "aud":[] names no audience, as no "aud" does
			}
		case "exp":
			c.expiry, err = decodeNumericDate(m.value)
		case "nbf":
			c.notBefore, err = decodeNumericDate(m.value)
		case "iat":
			c.issuedAt, err = decodeNumericDate(m.value)
		case "jti":
			c.id, err = decodeBorrowedString(m.value)
		case "azp":
			c.authorizedParty, err = decodeBorrowedString(m.value)
		case "client_id":
			c.clientID, err = decodeBorrowedString(m.value)
		default:
			continue
		}
		if err != nil {
			return fmt.Errorf("%w: %s", ErrClaimType, m.name)
		}
	}
	return nil
}

// issuerClaim reads "iss" alone, before the signature is checked: an absent
// or non-string one is an issuer nobody trusts.
func (c *claimData) issuerClaim() (string, error) {
	raw, ok := c.value("iss")
	if !ok {
		return "", fmt.Errorf("%w: no iss", ErrIssuer)
	}
	iss, err := decodeBorrowedString(raw)
	if err != nil {
		return "", fmt.Errorf("%w: iss is not a string", ErrIssuer)
	}
	return iss, nil
}

// maxNumericDate bounds NumericDate values to what time.Time represents
// without overflow (year 2262 in UnixNano terms is not the limit here, but a
// seconds count beyond ±2^53 cannot be a real date and would lose precision).
const maxNumericDate = 1 << 53

// decodeNumericDate parses a NumericDate (RFC 7519 §2): seconds since the
// epoch, possibly fractional.
func decodeNumericDate(raw []byte) (time.Time, error) {
	f, err := decodeNumber(raw)
	if err != nil {
		return time.Time{}, err
	}
	// 2^53 itself is refused too: every larger integer rounds to a float64
	// at or above it, so ">=" refuses them all.
	if f < 0 || f >= maxNumericDate {
		return time.Time{}, fmt.Errorf("%w: date out of range", ErrClaimType)
	}
	sec, frac := math.Modf(f)
	return time.Unix(int64(sec), int64(frac*1e9)), nil
}
