package token_test

import (
	"errors"
	"strings"
	"testing"

	"github.com/scopegate/scopegate/authtest"
	"github.com/scopegate/scopegate/token"
)

// FuzzVerifyProof feeds arbitrary strings, and mutations of valid proofs of
// every key family, to VerifyProof. It must never panic; every failure is a
// ValidationError of one of the proof classes; a proof that verifies has
// its required claims and a thumbprint; and a ProofVerifier, remembering
// keys, answers as VerifyProof does.
func FuzzVerifyProof(f *testing.F) {
	for _, alg := range []string{"ES256", "RS256", "EdDSA"} {
		key, err := authtest.NewDPoPKey(alg)
		if err != nil {
			f.Fatal(err)
		}
		valid, err := key.Proof("POST", "https://api.example.com/a?q=1").For("tok").Nonce("n").Sign()
		if err != nil {
			f.Fatal(err)
		}
		f.Add(valid)
		f.Add(strings.Replace(valid, ".", "..", 1))
		f.Add(valid[:len(valid)/2])
	}
	f.Add("")
	f.Add("..")
	f.Add("eyJ0eXAiOiJkcG9wK2p3dCJ9.e30.")
	classes := []error{
		token.ErrProofTooLarge, token.ErrProofMalformed, token.ErrProofType, token.ErrProofAlgorithm,
		token.ErrProofKey, token.ErrProofSignature, token.ErrProofClaim,
	}
	// One verifier for the whole run, so that mutations of proofs whose
	// keys it remembers take the remembered path: it must answer exactly
	// as VerifyProof does.
	remembering, err := token.NewProofVerifier(token.ProofConfig{KeyCacheEntries: 16})
	if err != nil {
		f.Fatal(err)
	}
	f.Fuzz(func(t *testing.T, raw string) {
		p, err := token.VerifyProof(raw, 0)
		p2, err2 := remembering.Verify(raw)
		if p != p2 || (err == nil) != (err2 == nil) || (err != nil && err.Error() != err2.Error()) {
			t.Fatalf("VerifyProof gives %+v, %v; a ProofVerifier %+v, %v", p, err, p2, err2)
		}
		if err != nil {
			var ve *token.ValidationError
			if !errors.As(err, &ve) {
				t.Fatalf("not a ValidationError: %v", err)
			}
			for _, c := range classes {
				if errors.Is(err, c) {
					return
				}
			}
			t.Fatalf("not a proof class: %v", err)
		}
		if p.ID == "" || p.Method == "" || p.URL == "" || p.IssuedAt.IsZero() || len(p.KeyThumbprint) != 43 {
			t.Fatalf("verified proof lacks what it must have: %+v", p)
		}
	})
}
