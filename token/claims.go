package token

import (
	"bytes"
	"encoding/json"
	"fmt"
	"slices"
	"sync"
	"time"

	"github.com/scopegate/scopegate/internal/tokenhook"
	"github.com/scopegate/scopegate/jwks"
)

// Token is a verified token: its header, its claims, and the key that
// verified it. A Token is a read-only handle: copies share the verified
// data, which nothing outside this package can change, so one verification
// serves every request that presents the same token (see
// Config.CacheEntries) without any of them seeing another's writes. The
// zero Token is empty: it has no claims and no key.
type Token struct{ v *verified }

// verified is the data behind a Token; it never changes once Verify has
// returned it.
type verified struct {
	header Header
	claims claimData
	// key verified the signature; kept so that a cached verification can be
	// dropped when its key leaves the key set.
	key *jwks.Key
	// textHash is the SHA-256 of text, the token as verified, when
	// hasTextHash: the "ath" of DPoP proofs, computed with the signature's
	// digest for a bound token (see verifySignature). text is the string
	// the cache keys the token by, not a copy of it.
	textHash    [32]byte
	hasTextHash bool
	text        string

	derivedOnce sync.Once
	derived     any

	// The cache that holds the token, set when it enters; cached and
	// derivedBytes change under that cache's lock.
	cache        *tokenCache
	cached       bool
	derivedBytes int
}

// IsZero reports whether t is the zero Token, which no verification returns.
func (t Token) IsZero() bool { return t.v == nil }

// Header returns the JOSE header parameters the verifier used.
func (t Token) Header() Header {
	if t.v == nil {
		return Header{}
	}
	return t.v.header
}

// Claims returns the verified claims.
func (t Token) Claims() Claims {
	if t.v == nil {
		return Claims{}
	}
	return Claims{&t.v.claims}
}

// Key returns a copy of the key that verified the token; nil for the zero
// Token. It is a copy because the key verifies every token of its issuer.
func (t Token) Key() *jwks.Key {
	if t.v == nil || t.v.key == nil {
		return nil
	}
	k := *t.v.key
	return &k
}

func init() {
	tokenhook.Derive = func(tok any, compute func(tok, arg any) (any, int), arg any) any {
		return tok.(Token).derive(compute, arg)
	}
	tokenhook.Claim = func(claims any, i int) (string, []byte, bool) {
		members := claims.(Claims).data().members
		if i >= len(members) {
			return "", nil, false
		}
		return members[i].name, members[i].value, true
	}
	tokenhook.TextHash = func(tok any, raw string) ([32]byte, bool) {
		v := tok.(Token).v
		if v == nil || !v.hasTextHash || v.text != raw {
			return [32]byte{}, false
		}
		return v.textHash, true
	}
	// A claims' payload is frozen (see borrowString), and so is every
	// value the hooks are handed from it.
	tokenhook.String = decodeBorrowedString
	tokenhook.Member = func(object []byte, name string) ([]byte, int, error) {
		// Claims nest shallowly; the index of a small object stays on the
		// stack, and its names, borrowed, never leave this call.
		var scratch [8]member
		members, err := parseFrozen(scratch[:0], object, maxPayloadDepth)
		if err != nil {
			return nil, 0, err
		}
		for _, m := range members {
			if m.name == name {
				return m.value, len(members), nil
			}
		}
		return nil, len(members), nil
	}
}

// derive returns what compute derives from the token, computing it once per
// verification: package bearer keeps the auth object's shared part for as
// long as the verification itself is cached (through tokenhook.Derive, so
// that the hook is no part of this package's API). A Token serves one
// deriving layer: every call gets the result of the first compute.
//
// compute also returns the memory its value holds beyond the token itself,
// in bytes; while the token is cached that counts against
// Config.CacheBytes, so that the bound covers what is derived too.
func (t Token) derive(compute func(tok, arg any) (value any, bytes int), arg any) any {
	if t.v == nil {
		value, _ := compute(t, arg)
		return value
	}
	v := t.v
	v.derivedOnce.Do(func() {
		var bytes int
		v.derived, bytes = compute(t, arg)
		if v.cache != nil && bytes > 0 {
			v.cache.charge(v, bytes)
		}
	})
	return v.derived
}

// Header is the JOSE header of a verified token.
type Header struct {
	Algorithm string `json:"alg"`           // "alg", e.g. "RS256"
	KeyID     string `json:"kid,omitempty"` // "kid"; "" when absent
	Type      string `json:"typ,omitempty"` // "typ"; "" when absent
	// Category is "cat", the token category Clerk's tokens carry
	// ("cl_B7d4PD111AAA" for session tokens); "" when absent.
	Category string `json:"cat,omitempty"`
}

// Claims are a verified token's claims: the registered ones decoded, every
// one available raw. Claims is a read-only handle, like Token: what its
// methods return is the caller's own copy, or a string, which nothing can
// change. The strings share the payload's memory rather than copy it, so a
// string kept long after the token (in a long-lived map, say) keeps the
// payload too; strings.Clone it to keep only the string. The zero Claims
// has no claims.
type Claims struct{ d *claimData }

// claimData is the data behind Claims; it never changes once built.
type claimData struct {
	issuer, subject, id, authorizedParty, clientID string
	audience                                       []string
	expiry, notBefore, issuedAt                    time.Time

	raw     []byte
	members []member

	// audienceRoom holds audience when the token names one or two, as
	// most do, so that it needs no allocation of its own.
	audienceRoom [2]string
}

// IsZero reports whether c is the zero Claims, which holds no claims.
func (c Claims) IsZero() bool { return c.d == nil }

// Issuer returns "iss".
func (c Claims) Issuer() string { return c.data().issuer }

// Subject returns "sub"; "" when absent.
func (c Claims) Subject() string { return c.data().subject }

// Audience returns "aud", a string or an array in the token, as a new slice.
func (c Claims) Audience() []string { return slices.Clone(c.data().audience) }

// Expiry returns "exp"; every verified token has one.
func (c Claims) Expiry() time.Time { return c.data().expiry }

// NotBefore returns "nbf"; zero when absent.
func (c Claims) NotBefore() time.Time { return c.data().notBefore }

// IssuedAt returns "iat"; zero when absent.
func (c Claims) IssuedAt() time.Time { return c.data().issuedAt }

// ID returns "jti"; "" when absent.
func (c Claims) ID() string { return c.data().id }

// AuthorizedParty returns "azp"; "" when absent.
func (c Claims) AuthorizedParty() string { return c.data().authorizedParty }

// ClientID returns "client_id" (RFC 9068); "" when absent.
func (c Claims) ClientID() string { return c.data().clientID }

// noClaims stands behind the zero Claims.
var noClaims claimData

// data returns the claims behind the handle, never nil.
func (c Claims) data() *claimData {
	if c.d == nil {
		return &noClaims
	}
	return c.d
}

// Raw returns a copy of the payload JSON exactly as it was signed; nil for
// the zero Claims.
func (c Claims) Raw() []byte { return bytes.Clone(c.data().raw) }

// Value returns a copy of the raw JSON value of the claim name (matched
// exactly, case-sensitively) and whether the token has it.
func (c Claims) Value(name string) (json.RawMessage, bool) {
	v, ok := c.data().value(name)
	return bytes.Clone(v), ok
}

// value returns the claim's raw JSON without copying it, for this package.
func (d *claimData) value(name string) ([]byte, bool) {
	for _, m := range d.members {
		if m.name == name {
			return m.value, true
		}
	}
	return nil, false
}

// Has reports whether the token has the claim name, whatever its value.
func (c Claims) Has(name string) bool {
	_, ok := c.data().value(name)
	return ok
}

// Names returns the claim names in the order the token lists them.
func (c Claims) Names() []string {
	d := c.data()
	names := make([]string, len(d.members))
	for i, m := range d.members {
		names[i] = m.name
	}
	return names
}

// Decode unmarshals the payload into v, typically the application's own
// struct of custom claims. Beware that encoding/json matches struct fields to
// names case-insensitively; the verifier's own checks do not.
func (c Claims) Decode(v any) error {
	// A copy: encoding/json hands parts of its input to UnmarshalJSON and
	// UnmarshalText methods, which may write to them, and the payload is
	// shared by every request presenting the token.
	return json.Unmarshal(bytes.Clone(c.data().raw), v)
}

// MarshalJSON returns a copy of the payload as signed; null for the zero
// Claims.
func (c Claims) MarshalJSON() ([]byte, error) {
	if c.data().raw == nil {
		return []byte("null"), nil
	}
	return c.Raw(), nil
}

// NewClaims builds Claims from a JSON payload with the same strict parsing as
// Verify and no checks of meaning. It serves validators plugged in place of
// the built-in one, whose results carry claims in their own types. The
// payload is copied.
func NewClaims(payload []byte) (Claims, error) {
	// The copy is frozen: names and strings are borrowed from it.
	payload = bytes.Clone(payload)
	members, err := parseFrozen(nil, payload, maxPayloadDepth)
	if err != nil {
		return Claims{}, fmt.Errorf("%w: payload: %w", ErrMalformed, err)
	}
	d := &claimData{raw: payload, members: members}
	if err := d.decodeRegistered(); err != nil {
		return Claims{}, err
	}
	return Claims{d}, nil
}

// String returns the string value of the claim name, "" when absent or
// null, and an error wrapping ErrClaimType when the claim is another JSON
// type.
func (c Claims) String(name string) (string, error) {
	raw, ok := c.data().value(name)
	if !ok || string(raw) == "null" {
		return "", nil
	}
	s, err := decodeBorrowedString(raw)
	if err != nil {
		return "", fmt.Errorf("%w: %s", ErrClaimType, name)
	}
	return s, nil
}
