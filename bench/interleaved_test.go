package bench_test

import (
	"crypto"
	"crypto/rsa"
	"crypto/sha256"
	"fmt"
	"slices"
	"testing"
	"time"

	"github.com/scopegate/scopegate/bench/internal/fixture"
)

// TestDPoPInterleaved measures what BenchmarkDPoP measures, the ratios
// only, with the floors taken in short blocks interleaved with the
// requests rather than once before a one-second row: 40 rounds of the RSA
// floor, the proof's floor, first sights, repeated tokens and both floors
// again, each block 2 to 6 milliseconds. On a VM whose speed drifts by ±10%
// within a second, a ratio of blocks run milliseconds apart is steadier
// than one of a row and a floor measured before it; BENCHMARKS.md gives
// both. It logs a table (run with -v) and asserts nothing about time, only
// that every request succeeded. Skipped under -short.
func TestDPoPInterleaved(t *testing.T) {
	if testing.Short() {
		t.Skip("measures for seconds")
	}
	e := env(t)
	rsaInput, rsaSig, err := fixture.SigningInput(e.repeated)
	if err != nil {
		t.Fatal(err)
	}
	rsaPub := &e.keys.RSA.PublicKey
	rsaFloor := func() {
		d := sha256.Sum256(rsaInput)
		if rsa.VerifyPKCS1v15(rsaPub, crypto.SHA256, d[:], rsaSig) != nil {
			t.Fatal("the RSA floor's signature does not verify")
		}
	}
	const rounds = 40
	t.Logf("%-6s %-40s %8s %8s %8s", "proof", fmt.Sprintf("ratio (%d interleaved rounds)", rounds), "p25", "median", "p75")
	for _, alg := range []string{"RS256", "ES256", "EdDSA"} {
		key, tok := boundClient(t, alg)
		proofs := signProofs(t, key, tok)
		checkProof := proofSignatureCheck(t, key, proofs[0])
		proofFloor := func() {
			if err := checkProof(); err != nil {
				t.Fatal(err)
			}
		}
		firstSight, repeated := dpopSender(t, tok, proofs, -1), dpopSender(t, tok, proofs, 0)

		// Blocks of 2 to 6 ms: long enough that the first request after a
		// floor block, which finds the caches holding the floor's code and
		// data, weighs little; short enough that the machine's speed does
		// not drift within a round.
		var first, firstTwo, again []float64
		for range rounds {
			f1, p1 := blockNs(100, rsaFloor), blockNs(100, proofFloor)
			r, q := blockNs(60, firstSight), blockNs(100, repeated)
			f2, p2 := blockNs(100, rsaFloor), blockNs(100, proofFloor)
			f, p := (f1+f2)/2, (p1+p2)/2
			first, firstTwo, again = append(first, r/f), append(firstTwo, r/(f+p)), append(again, q/p)
		}
		for _, row := range []struct {
			name   string
			ratios []float64
		}{
			{"first sight ÷ RSA floor", first},
			{"first sight ÷ both signatures' floors", firstTwo},
			{"repeated ÷ proof's signature", again},
		} {
			slices.Sort(row.ratios)
			n := len(row.ratios)
			t.Logf("%-6s %-40s %8.3f %8.3f %8.3f", alg, row.name, row.ratios[n/4], row.ratios[n/2], row.ratios[3*n/4])
		}
	}
}

// blockNs runs op n times and returns its ns per call.
func blockNs(n int, op func()) float64 {
	start := time.Now()
	for range n {
		op()
	}
	return float64(time.Since(start).Nanoseconds()) / float64(n)
}
