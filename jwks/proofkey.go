package jwks

import (
	"crypto"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"

	jose "github.com/go-jose/go-jose/v4"
)

// The fixed errors of a proof key that is not one.
var (
	errProofKeyNotObject   = fmt.Errorf("%w: a proof's jwk must be a JSON object", ErrInvalidKey)
	errProofKeyUnsupported = fmt.Errorf("%w: a proof's jwk must be an RSA, EC (P-256, P-384, P-521) or Ed25519 public key, with an alg that fits it if any", ErrInvalidKey)
)

// privateMembers are the JWK members that carry private key material (RFC
// 7518 §6.2.2, §6.3.2, §6.4; RFC 8037 §2): a DPoP proof's key must have none.
var privateMembers = []string{"d", "p", "q", "dp", "dq", "qi", "oth", "k"}

// ParseProofKey parses the key a DPoP proof carries in its "jwk" header
// (RFC 9449 §4.2): an asymmetric public key with no private member at all,
// checked as every key is (RSA of 2048 bits or more, EC points on their
// curve), and returns it with its RFC 7638 thumbprint, the base64url SHA-256
// that a DPoP-bound access token names in "cnf.jkt".
//
// The key is the client's, so its errors are fixed text: what the key
// holds (an unknown "alg" or "crv", a malformed "x5u") never reaches an
// error an application logs. They match ErrInvalidKey, or ErrWeakKey and
// ErrNotForSignatures, which say only what is wrong.
func ParseProofKey(data []byte) (*Key, string, error) {
	var members map[string]json.RawMessage
	if err := json.Unmarshal(data, &members); err != nil {
		return nil, "", errProofKeyNotObject
	}
	for _, m := range privateMembers {
		if _, ok := members[m]; ok {
			return nil, "", fmt.Errorf("%w: a proof's jwk must not carry %q (private or symmetric key material)", ErrInvalidKey, m)
		}
	}
	key, err := parseJWK(data, false)
	if err != nil {
		if errors.Is(err, ErrWeakKey) || errors.Is(err, ErrNotForSignatures) {
			return nil, "", err // fixed text, with at most the key's size
		}
		return nil, "", errProofKeyUnsupported
	}
	thumbprint, err := (&jose.JSONWebKey{Key: key.public}).Thumbprint(crypto.SHA256)
	if err != nil {
		return nil, "", errProofKeyUnsupported
	}
	return key, base64.RawURLEncoding.EncodeToString(thumbprint), nil
}
