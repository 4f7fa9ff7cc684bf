package token

import (
	"encoding/json"
	"fmt"
	"sync"
	"time"

	"github.com/scopegate/scopegate/echoauth/jwks"
)

// Token is a verified token: its header, its claims, and the key that
// verified it. It is immutable and safe to share.
type Token struct {
	// Header holds the JOSE header parameters the verifier used.
	Header Header
	// Claims are the verified claims.
	Claims Claims
	// key verified the signature; kept so that a cached verification can be
	// dropped when its key leaves the key set.
	key *jwks.Key

	derivedOnce sync.Once
	derived     any

	// The cache that holds the token, set when it enters; cached and
	// derivedBytes change under that cache's lock.
	cache        *tokenCache
	cached       bool
	derivedBytes int
}

// Derive returns what compute derives from the token, computing it once per
// Token. A layer above the verifier (echoauth's auth object) keeps its work
// for as long as the verification itself is cached. A Token serves one
// deriving layer: every call gets the result of the first compute.
//
// compute also returns the memory its value holds beyond the token itself,
// in bytes; while the token is cached that counts against
// Config.CacheBytes, so that the bound covers what is derived too.
func (t *Token) Derive(compute func(*Token) (value any, bytes int)) any {
	t.derivedOnce.Do(func() {
		var bytes int
		t.derived, bytes = compute(t)
		if t.cache != nil && bytes > 0 {
			t.cache.charge(t, bytes)
		}
	})
	return t.derived
}

// Key returns the key that verified the token.
func (t *Token) Key() *jwks.Key { return t.key }

// Header is the JOSE header of a verified token.
type Header struct {
	Algorithm string `json:"alg"`           // "alg", e.g. "RS256"
	KeyID     string `json:"kid,omitempty"` // "kid"; "" when absent
	Type      string `json:"typ,omitempty"` // "typ"; "" when absent
}

// Claims are a token's claims: the registered ones decoded, every one
// available raw.
type Claims struct {
	Issuer          string    // "iss"
	Subject         string    // "sub"; "" when absent
	Audience        []string  // "aud", a string or an array in the token
	Expiry          time.Time // "exp", always present in a verified token
	NotBefore       time.Time // zero when absent
	IssuedAt        time.Time // zero when absent
	ID              string    // "jti"
	AuthorizedParty string    // "azp"
	ClientID        string    // "client_id" (RFC 9068)

	raw     []byte
	members []member
}

// Raw returns the payload JSON exactly as it was signed. The slice must not
// be modified.
func (c *Claims) Raw() []byte { return c.raw }

// Value returns the raw JSON value of the claim name (matched exactly,
// case-sensitively) and whether the token has it.
func (c *Claims) Value(name string) (json.RawMessage, bool) {
	for _, m := range c.members {
		if m.name == name {
			return m.value, true
		}
	}
	return nil, false
}

// Names returns the claim names in the order the token lists them.
func (c *Claims) Names() []string {
	names := make([]string, len(c.members))
	for i, m := range c.members {
		names[i] = m.name
	}
	return names
}

// Decode unmarshals the payload into v, typically the application's own
// struct of custom claims. Beware that encoding/json matches struct fields to
// names case-insensitively; the verifier's own checks do not.
func (c *Claims) Decode(v any) error {
	return json.Unmarshal(c.raw, v)
}

// MarshalJSON returns the payload as signed.
func (c Claims) MarshalJSON() ([]byte, error) {
	if c.raw == nil {
		return []byte("null"), nil
	}
	return c.raw, nil
}

// NewClaims builds Claims from a JSON payload with the same strict parsing as
// Verify and no checks of meaning. It serves validators plugged in place of
// the built-in one, whose results carry claims in their own types.
func NewClaims(payload []byte) (*Claims, error) {
	members, err := parseObject(nil, payload, maxPayloadDepth)
	if err != nil {
		return nil, fmt.Errorf("%w: payload: %w", ErrMalformed, err)
	}
	c := &Claims{raw: payload, members: members}
	if err := c.decodeRegistered(); err != nil {
		return nil, err
	}
	return c, nil
}

// String returns the string value of the claim name, "" when absent or
// null, and an error wrapping ErrClaimType when the claim is another JSON
// type.
func (c *Claims) String(name string) (string, error) {
	raw, ok := c.Value(name)
	if !ok || string(raw) == "null" {
		return "", nil
	}
	s, err := decodeString(raw)
	if err != nil {
		return "", fmt.Errorf("%w: %s", ErrClaimType, name)
	}
	return s, nil
}
