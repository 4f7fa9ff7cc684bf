package jwks

import (
	"crypto"
	"encoding/base64"
	"encoding/json"
	"fmt"

	jose "github.com/go-jose/go-jose/v4"
)

// privateMembers are the JWK members that carry private key material (RFC
// 7518 §6.2.2, §6.3.2, §6.4; RFC 8037 §2): a DPoP proof's key must have none.
var privateMembers = []string{"d", "p", "q", "dp", "dq", "qi", "oth", "k"}

// ParseProofKey parses the key a DPoP proof carries in its "jwk" header
// (RFC 9449 §4.2): an asymmetric public key with no private member at all,
// checked as every key is (RSA of 2048 bits or more, EC points on their
// curve), and returns it with its RFC 7638 thumbprint, the base64url SHA-256
// that a DPoP-bound access token names in "cnf.jkt".
func ParseProofKey(data []byte) (*Key, string, error) {
	var members map[string]json.RawMessage
	if err := json.Unmarshal(data, &members); err != nil {
		return nil, "", fmt.Errorf("%w: %v", ErrInvalidKey, err)
	}
	for _, m := range privateMembers {
		if _, ok := members[m]; ok {
			return nil, "", fmt.Errorf("%w: a proof's jwk must not carry %q (private or symmetric key material)", ErrInvalidKey, m)
		}
	}
	key, err := parseJWK(data, false)
	if err != nil {
		return nil, "", err
	}
	thumbprint, err := (&jose.JSONWebKey{Key: key.public}).Thumbprint(crypto.SHA256)
	if err != nil {
		return nil, "", fmt.Errorf("%w: %v", ErrInvalidKey, err)
	}
	return key, base64.RawURLEncoding.EncodeToString(thumbprint), nil
}
