package jwks

import (
	"crypto/ecdsa"
	"crypto/ed25519"
	"crypto/rsa"
	"encoding/json"
	"errors"
	"fmt"
	"slices"

	jose "github.com/go-jose/go-jose/v4"
)

// ParseJWK parses one JSON Web Key (RFC 7517) supplied by the application.
// RSA, EC (P-256, P-384, P-521) and OKP Ed25519 public keys are accepted, and
// "oct" HMAC secrets, which must name their "alg". Private keys, keys whose
// "use" or "key_ops" exclude verification, and weak keys are refused.
func ParseJWK(data []byte) (*Key, error) {
	return parseJWK(data, true)
}

// ParseJWKS parses a JSON Web Key Set supplied by the application. Unlike a
// remote key set, which skips a bad key and keeps the others, a static set
// must be entirely valid: a mistake in the application's own configuration
// should stop it at startup.
func ParseJWKS(data []byte) ([]*Key, error) {
	var set struct {
		Keys []json.RawMessage `json:"keys"`
	}
	if err := json.Unmarshal(data, &set); err != nil {
		return nil, fmt.Errorf("jwks: not a JWK Set: %w", err)
	}
	if len(set.Keys) == 0 {
		return nil, errors.New(`jwks: the JWK Set has no keys; expected {"keys":[...]}`)
	}
	keys := make([]*Key, 0, len(set.Keys))
	for i, raw := range set.Keys {
		k, err := parseJWK(raw, true)
		if err != nil {
			return nil, fmt.Errorf("jwks: key %d of the set: %w", i, inner(err))
		}
		keys = append(keys, k)
	}
	return keys, nil
}

// parseJWK turns one JWK into a checked Key. allowSymmetric is false for keys
// that arrive over the network: a symmetric key published by a server would let
// anyone who can read the JWKS forge tokens.
func parseJWK(data []byte, allowSymmetric bool) (*Key, error) {
	// go-jose reads member names case-sensitively and refuses repeated
	// members; the checks below must see exactly the members it builds the
	// key from, so they read exact names too ("Use" is not "use").
	var members map[string]json.RawMessage
	if err := json.Unmarshal(data, &members); err != nil {
		return nil, fmt.Errorf("%w: %v", ErrInvalidKey, err)
	}
	var jwk jose.JSONWebKey
	if err := jwk.UnmarshalJSON(data); err != nil {
		return nil, fmt.Errorf("%w: %v", ErrInvalidKey, err)
	}
	if raw, ok := members["use"]; ok {
		var use string
		if json.Unmarshal(raw, &use) != nil || use != "sig" {
			return nil, fmt.Errorf("%w: use is not \"sig\"", ErrNotForSignatures)
		}
	}
	if raw, ok := members["key_ops"]; ok {
		var ops []string
		if json.Unmarshal(raw, &ops) != nil || !slices.Contains(ops, "verify") {
			return nil, fmt.Errorf("%w: key_ops lacks \"verify\"", ErrNotForSignatures)
		}
	}
	switch key := jwk.Key.(type) {
	case []byte:
		if !allowSymmetric {
			return nil, fmt.Errorf("%w: a remote key set must not carry symmetric keys", ErrInvalidKey)
		}
		if jwk.Algorithm == "" {
			return nil, fmt.Errorf("%w: an oct key must name its alg (HS256, HS384 or HS512)", ErrInvalidKey)
		}
		return NewHMACKey(key, jwk.KeyID, jwk.Algorithm)
	case *rsa.PublicKey, *ecdsa.PublicKey, ed25519.PublicKey:
		return NewPublicKey(key, jwk.KeyID, jwk.Algorithm)
	case *rsa.PrivateKey, *ecdsa.PrivateKey, ed25519.PrivateKey:
		return nil, fmt.Errorf("%w: the JWK holds a private key; publish only the public part", ErrInvalidKey)
	default:
		return nil, fmt.Errorf("%w: unsupported key type %T", ErrInvalidKey, jwk.Key)
	}
}
