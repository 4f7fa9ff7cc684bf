package bench_test

import (
	"crypto"
	"crypto/rsa"
	"crypto/sha256"
	"fmt"
	"net/http"
	"net/http/httptest"
	"slices"
	"testing"
	"time"

	"github.com/scopegate/scopegate/authtest"
	"github.com/scopegate/scopegate/bearer"
	"github.com/scopegate/scopegate/bench/internal/fixture"
	"github.com/scopegate/scopegate/bench/internal/stacks"
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
	rsaFloor := func() error {
		d := sha256.Sum256(rsaInput)
		return rsa.VerifyPKCS1v15(rsaPub, crypto.SHA256, d[:], rsaSig)
	}
	const rounds = 40
	t.Logf("%-6s %-40s %8s %8s %8s", "proof", fmt.Sprintf("ratio (%d interleaved rounds)", rounds), "p25", "median", "p75")
	for _, alg := range []string{"RS256", "ES256", "EdDSA"} {
		key, err := authtest.NewDPoPKey(alg)
		if err != nil {
			t.Fatal(err)
		}
		tok, err := e.keys.SignBound(2_000_000, e.now, key.Thumbprint())
		if err != nil {
			t.Fatal(err)
		}
		proofs := signProofs(t, key, tok)
		proofFloor := proofSignatureCheck(t, key, proofs[0])
		firstSight := dpopServer(t, tok, proofs, -1)
		repeated := dpopServer(t, tok, proofs, 0)

		// Blocks of 2 to 6 ms: long enough that the first request after a
		// floor block, which finds the caches holding the floor's code and
		// data, weighs little; short enough that the machine's speed does
		// not drift within a round.
		var first, firstTwo, again []float64
		for range rounds {
			f1, p1 := blockNs(t, 100, rsaFloor), blockNs(t, 100, proofFloor)
			r, q := blockNs(t, 60, firstSight), blockNs(t, 100, repeated)
			f2, p2 := blockNs(t, 100, rsaFloor), blockNs(t, 100, proofFloor)
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

// dpopServer returns a function sending tok with the next of proofs
// through the net/http face with the token cache as given (-1 off, 0 the
// default), failing on any status but 204. Round the pool, the replay
// store forgets every proof (see cyclingReplayStore).
func dpopServer(t *testing.T, tok string, proofs []string, cache int) func() error {
	t.Helper()
	store := &cyclingReplayStore{}
	store.reset()
	cfg := stacks.OursConfig(env(t).static, cache)
	cfg.DPoP = bearer.DPoPConfig{ReplayStore: store}
	h, err := stacks.OursHTTP(cfg)
	if err != nil {
		t.Fatal(err)
	}
	reqs := make([]*http.Request, len(proofs))
	for i, p := range proofs {
		reqs[i] = httptest.NewRequest(http.MethodGet, fixture.Route, nil)
		reqs[i].Header.Set("Authorization", "DPoP "+tok)
		reqs[i].Header.Set("DPoP", p)
	}
	hdr := http.Header{}
	rec := &httptest.ResponseRecorder{}
	next := 0
	return func() error {
		if next == len(reqs) {
			store.reset()
			next = 0
		}
		clear(hdr)
		*rec = httptest.ResponseRecorder{HeaderMap: hdr, Code: http.StatusOK}
		h.ServeHTTP(rec, reqs[next])
		next++
		if rec.Code != http.StatusNoContent {
			t.Fatalf("status %d, WWW-Authenticate %q", rec.Code, hdr.Get("WWW-Authenticate"))
		}
		return nil
	}
}

// blockNs runs op n times and returns its ns per call.
func blockNs(t *testing.T, n int, op func() error) float64 {
	start := time.Now()
	for range n {
		if err := op(); err != nil {
			t.Fatal(err)
		}
	}
	return float64(time.Since(start).Nanoseconds()) / float64(n)
}
