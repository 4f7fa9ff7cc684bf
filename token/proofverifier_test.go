package token_test

import (
	"encoding/json"
	"strings"
	"sync"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/scopegate/scopegate/authtest"
	"github.com/scopegate/scopegate/token"
)

func mustProofVerifier(t *testing.T, cfg token.ProofConfig) *token.ProofVerifier {
	t.Helper()
	v, err := token.NewProofVerifier(cfg)
	require.NoError(t, err)
	return v
}

// A remembered key gives the answer VerifyProof gives, for every family.
func TestProofVerifierAgreesWithVerifyProof(t *testing.T) {
	v := mustProofVerifier(t, token.ProofConfig{})
	for _, alg := range []string{"ES256", "ES384", "ES512", "RS256", "PS256", "EdDSA"} {
		t.Run(alg, func(t *testing.T) {
			key := authtest.MustDPoPKey(t, alg)
			for range 3 {
				raw := key.Proof("POST", proofURL).For("tok").MustSign(t)
				want, err := token.VerifyProof(raw, 0)
				require.NoError(t, err)
				got, err := v.Verify(raw)
				require.NoError(t, err)
				assert.Equal(t, want, got)
				assert.Equal(t, key.Thumbprint(), got.KeyThumbprint)
			}
		})
	}
	assert.Equal(t, 6, v.CachedKeys(), "one entry per key, however many proofs it signed")
}

func TestProofVerifierCacheBounds(t *testing.T) {
	keys := make([]*authtest.DPoPKey, 5)
	for i := range keys {
		keys[i] = authtest.MustDPoPKey(t, "ES256")
	}
	tests := []struct {
		name    string
		entries int
		want    int
	}{
		{"bounded", 2, 2},
		{"room for all", 10, 5},
		{"off", -1, 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			v := mustProofVerifier(t, token.ProofConfig{KeyCacheEntries: tt.entries})
			for range 2 {
				for _, k := range keys {
					_, err := v.Verify(k.Proof("GET", proofURL).MustSign(t))
					require.NoError(t, err)
				}
			}
			assert.Equal(t, tt.want, v.CachedKeys())
		})
	}
}

// Keys are remembered by their exact text: a longer text of the same key
// is parsed and checked anew, and one too long to remember still verifies.
func TestProofVerifierKeyText(t *testing.T) {
	key := authtest.MustDPoPKey(t, "ES256")
	var members map[string]any
	require.NoError(t, json.Unmarshal(key.JWK(), &members))
	v := mustProofVerifier(t, token.ProofConfig{})

	_, err := v.Verify(key.Proof("GET", proofURL).MustSign(t))
	require.NoError(t, err)
	members["kid"] = "client-key-1"
	p, err := v.Verify(key.Proof("GET", proofURL).Header("jwk", members).MustSign(t))
	require.NoError(t, err)
	assert.Equal(t, key.Thumbprint(), p.KeyThumbprint, "the thumbprint ignores kid")
	assert.Equal(t, 2, v.CachedKeys())

	members["kid"] = strings.Repeat("k", 2048)
	p, err = v.Verify(key.Proof("GET", proofURL).Header("jwk", members).MustSign(t))
	require.NoError(t, err)
	assert.Equal(t, key.Thumbprint(), p.KeyThumbprint)
	assert.Equal(t, 2, v.CachedKeys(), "a key text over the bound is verified, not remembered")
}

func TestProofVerifierConfig(t *testing.T) {
	_, err := token.NewProofVerifier(token.ProofConfig{MaxBytes: -1})
	require.ErrorContains(t, err, "ProofConfig.MaxBytes must not be negative")

	raw := authtest.MustDPoPKey(t, "ES256").Proof("GET", proofURL).MustSign(t)
	_, err = mustProofVerifier(t, token.ProofConfig{MaxBytes: len(raw)}).Verify(raw)
	assert.NoError(t, err)
	_, err = mustProofVerifier(t, token.ProofConfig{MaxBytes: len(raw) - 1}).Verify(raw)
	assert.ErrorIs(t, err, token.ErrProofTooLarge)
}

// A verifier limited to some algorithms refuses a proof under another
// before its signature: a forged one gets the algorithm's error, not the
// signature's, and the refused key is not remembered.
func TestProofVerifierAlgorithms(t *testing.T) {
	for _, tc := range []struct {
		name       string
		algorithms []string
		wantErr    string
	}{
		{"HMAC", []string{"ES256", "HS256"}, `ProofConfig.Algorithms entry "HS256" is not an asymmetric algorithm`},
		{"none", []string{"none"}, `entry "none"`},
		{"lower case", []string{"es256"}, `entry "es256"`},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := token.NewProofVerifier(token.ProofConfig{Algorithms: tc.algorithms})
			assert.ErrorContains(t, err, tc.wantErr)
		})
	}

	es, rs := authtest.MustDPoPKey(t, "ES256"), authtest.MustDPoPKey(t, "RS256")
	esProof, rsProof := es.Proof("GET", proofURL).MustSign(t), rs.Proof("GET", proofURL).MustSign(t)
	forged := rsProof[:strings.LastIndexByte(rsProof, '.')+1] + "AAAA"
	list := []string{"ES256"}
	v := mustProofVerifier(t, token.ProofConfig{Algorithms: list})
	list[0] = "RS256" // the verifier keeps its own copy
	tests := []struct {
		name  string
		proof string
		want  error
	}{
		{"listed", esProof, nil},
		{"not listed", rsProof, token.ErrProofAlgorithm},
		{"not listed, forged", forged, token.ErrProofAlgorithm},
		{"not listed, with a broken key", rs.Proof("GET", proofURL).Header("jwk", json.RawMessage(`{"kty":"RSA"}`)).MustSign(t), token.ErrProofAlgorithm},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := v.Verify(tt.proof)
			if tt.want == nil {
				assert.NoError(t, err)
				return
			}
			assert.ErrorIs(t, err, tt.want)
		})
	}
	_, err := token.VerifyProof(forged, 0)
	assert.ErrorIs(t, err, token.ErrProofSignature, "without a list, the forgery fails on its signature")

	assert.Equal(t, 1, v.CachedKeys(), "a refused proof's key is not remembered")

	// An empty list, like none, accepts every algorithm.
	_, err = mustProofVerifier(t, token.ProofConfig{Algorithms: []string{}}).Verify(rsProof)
	assert.NoError(t, err)
}

// Concurrent proofs of more keys than the cache holds: run with -race.
func TestProofVerifierConcurrent(t *testing.T) {
	v := mustProofVerifier(t, token.ProofConfig{KeyCacheEntries: 3})
	proofs := make([][]string, 8)
	for i := range proofs {
		key := authtest.MustDPoPKey(t, "EdDSA")
		for range 4 {
			proofs[i] = append(proofs[i], key.Proof("GET", proofURL).MustSign(t))
		}
	}
	var wg sync.WaitGroup
	for _, own := range proofs {
		wg.Go(func() {
			for _, raw := range own {
				_, err := v.Verify(raw)
				assert.NoError(t, err)
			}
		})
	}
	wg.Wait()
	assert.Equal(t, 3, v.CachedKeys())
}

// A remembered header spares hashing it again, never checking the rest: a
// proof under it whose payload is not the one its signature covers is
// refused, for every family, and the proof as signed still verifies.
func TestProofVerifierRememberedHeaderChecksPayload(t *testing.T) {
	for _, alg := range []string{"ES256", "RS256", "PS256", "EdDSA"} {
		t.Run(alg, func(t *testing.T) {
			v := mustProofVerifier(t, token.ProofConfig{})
			key := authtest.MustDPoPKey(t, alg)
			_, err := v.Verify(key.Proof("GET", proofURL).MustSign(t))
			require.NoError(t, err)
			require.Equal(t, 1, v.CachedKeys())

			signed := strings.Split(key.Proof("GET", proofURL).MustSign(t), ".")
			other := strings.Split(key.Proof("POST", proofURL).MustSign(t), ".")
			require.Equal(t, signed[0], other[0], "one header for every proof of a key")
			_, err = v.Verify(signed[0] + "." + other[1] + "." + signed[2])
			assert.ErrorIs(t, err, token.ErrProofSignature)
			got, err := v.Verify(strings.Join(signed, "."))
			require.NoError(t, err)
			assert.Equal(t, "GET", got.Method)
		})
	}
}
