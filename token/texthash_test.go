package token

import (
	"context"
	"crypto/elliptic"
	"crypto/sha256"
	"encoding/json"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/scopegate/scopegate/authtest"
	"github.com/scopegate/scopegate/jwks"
)

// A bound token under a SHA-256 algorithm carries the SHA-256 of its text,
// computed with its signature's digest; it is exactly the hash of the text.
// Other tokens carry none, and a forged one is refused as ever.
func TestTextHash(t *testing.T) {
	ec, err := authtest.NewECKey(elliptic.P256())
	require.NoError(t, err)
	ed, err := authtest.NewEd25519Key()
	require.NoError(t, err)
	ecKey, err := jwks.NewPublicKey(&ec.PublicKey, "ec", jwks.ES256)
	require.NoError(t, err)
	edKey, err := jwks.NewPublicKey(ed.Public(), "ed", jwks.EdDSA)
	require.NoError(t, err)
	keys, err := jwks.NewStatic(ecKey, edKey)
	require.NoError(t, err)
	now := time.Unix(1_900_000_000, 0)
	v, err := New(Config{
		Issuers: []Issuer{{Issuer: "https://issuer.example/", Audiences: []string{"api"}, Keys: keys}},
		Now:     func() time.Time { return now },
	})
	require.NoError(t, err)
	sign := func(alg, kid string, key any, bound bool) string {
		claims := map[string]any{"iss": "https://issuer.example/", "aud": "api", "exp": now.Add(time.Hour).Unix()}
		if bound {
			claims["cnf"] = map[string]string{"jkt": "0ZcOCORZNYy-DWpqq30jZyJGHTN0d2HglBV3uiguA4I"}
		}
		payload, err := json.Marshal(claims)
		require.NoError(t, err)
		raw, err := authtest.SignRaw(alg, key, []byte(`{"alg":"`+alg+`","kid":"`+kid+`"}`), payload)
		require.NoError(t, err)
		return raw
	}
	tests := []struct {
		name     string
		raw      string
		wantHash bool
	}{
		{"bound ES256", sign("ES256", "ec", ec, true), true},
		{"unbound ES256", sign("ES256", "ec", ec, false), false},
		{"bound EdDSA", sign("EdDSA", "ed", ed, true), false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			tok, err := v.Verify(context.Background(), tt.raw)
			require.NoError(t, err)
			if tt.wantHash {
				assert.True(t, tok.v.hasTextHash)
				assert.Equal(t, sha256.Sum256([]byte(tt.raw)), tok.v.textHash)
			} else {
				assert.False(t, tok.v.hasTextHash)
			}
			_, err = v.Verify(context.Background(), authtest.TamperSignature(tt.raw))
			assert.ErrorIs(t, err, ErrSignature)
		})
	}
}
