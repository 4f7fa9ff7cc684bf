package bench_test

import (
	"context"
	"crypto"
	"crypto/ecdsa"
	"crypto/ed25519"
	"crypto/rsa"
	"crypto/sha256"
	"errors"
	"fmt"
	"math/big"
	"net/http"
	"net/http/httptest"
	"runtime"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/scopegate/scopegate/authtest"
	"github.com/scopegate/scopegate/bearer"
	"github.com/scopegate/scopegate/bench/internal/fixture"
	"github.com/scopegate/scopegate/bench/internal/stacks"
	"github.com/scopegate/scopegate/dpop"
	"github.com/scopegate/scopegate/token"
)

// DPoP requests carry a fresh proof each, signed by the client's key, so
// every row but the floors pays one proof verification per request. Each
// row reports, besides x-floor (the RSA floor), x-proof: its ns/op divided
// by the raw verification of one of its proofs' signatures (SHA-256 and the
// algorithm's verify, no parsing), measured right before the row.
//
// proofPool is how many distinct proofs a row signs before it starts; the
// row cycles through them and, each time round, moves its replay store's
// clock past their expiry (untimed), so that every proof is new to the
// store without signing one per request (RS256 signing costs ~1 ms).
const proofPool = 512

// dpopURL is the URL every benchmark proof names: the protected route on
// httptest.NewRequest's host.
const dpopURL = "http://example.com" + fixture.Route

// BenchmarkDPoP is a whole DPoP request through the net/http face, for
// proofs signed with ES256 (what most clients use), EdDSA and RS256:
//   - first-sight: the token cache is off, so the request verifies the
//     token's RS256 signature and the proof's: two signatures;
//   - repeated: one token, already verified and cached, with a fresh proof
//     each time: one signature;
//   - verify-proof: a token.ProofVerifier alone (parsing, the signature;
//     the client's key parsed once), what the proof costs before the
//     request's own checks.
func BenchmarkDPoP(b *testing.B) {
	for _, alg := range []string{"ES256", "EdDSA", "RS256"} {
		key, tok := boundClient(b, alg)
		b.Run("verify-proof/"+alg, func(b *testing.B) {
			proofs := signProofs(b, key, tok)
			verifier, err := token.NewProofVerifier(token.ProofConfig{})
			if err != nil {
				b.Fatal(err)
			}
			proofFloor := adjacentNs(b, proofSignatureCheck(b, key, proofs[0]))
			floor := adjacentFloor(b)
			b.ReportAllocs()
			i := 0
			for b.Loop() {
				if _, err := verifier.Verify(proofs[i%len(proofs)]); err != nil {
					b.Fatal(err)
				}
				i++
			}
			reportFloor(b, floor)
			reportProofFloor(b, proofFloor)
		})
		for _, row := range []struct {
			name  string
			cache int
		}{{"first-sight", -1}, {"repeated", 0}} {
			b.Run(row.name+"/"+alg, func(b *testing.B) {
				proofs := signProofs(b, key, tok)
				send := dpopSender(b, tok, proofs, row.cache)
				proofFloor := adjacentNs(b, proofSignatureCheck(b, key, proofs[0]))
				floor := adjacentFloor(b)
				b.ReportAllocs()
				for b.Loop() {
					send()
				}
				reportFloor(b, floor)
				reportProofFloor(b, proofFloor)
			})
		}
	}
}

// boundClient returns a client's DPoP key of alg and an RS256 token of the
// environment's issuer bound to it.
func boundClient(tb testing.TB, alg string) (*authtest.DPoPKey, string) {
	tb.Helper()
	e := env(tb)
	key, err := authtest.NewDPoPKey(alg)
	if err != nil {
		tb.Fatal(err)
	}
	tok, err := e.keys.SignBound(2_000_000, e.now, key.Thumbprint())
	if err != nil {
		tb.Fatal(err)
	}
	return key, tok
}

// dpopSender returns a function that sends tok with the next of proofs
// through the net/http face (CheckJWT + RequireScopes), with the token
// cache as given (-1 off, 0 the default), and fails on any status but 204.
// It has sent the first request already, to check the setup and, where the
// cache is on, to cache the token. Round the pool, the replay store
// forgets every proof (see cyclingReplayStore): timed, since that is one
// atomic add, where stopping the timer would read the memory statistics,
// which stops the world and empties the allocation caches the requests
// use.
//
// Every request is one *http.Request whose DPoP header takes the next
// proof, and whose Authorization text is one of two equal strings, in
// turn: a server has just written a request's headers when the middleware
// reads them, so they are in the processor's caches, and each request's
// text is a string of its own, which the token cache compares in full with
// the one it holds (one shared string would match by its pointer alone).
// (Before 39dd439 each proof had a request of its own, with its own copy
// of the same Authorization text, and every request found its map and
// that text evicted by the 511 before it: 0.057× of the RSA floor of cache
// misses a server does not have, measured in BENCHMARKS.md.) Only the
// proofs' own text is still read cold, since each must be new to the
// replay store.
func dpopSender(tb testing.TB, tok string, proofs []string, cache int) func() {
	tb.Helper()
	store := &cyclingReplayStore{}
	store.reset()
	cfg := stacks.OursConfig(env(tb).static, cache)
	cfg.DPoP = bearer.DPoPConfig{ReplayStore: store}
	h, err := stacks.OursHTTP(cfg)
	if err != nil {
		tb.Fatal(err)
	}
	req := httptest.NewRequest(http.MethodGet, fixture.Route, nil)
	texts := [2]string{"DPoP " + tok, "DPoP " + tok} // two strings, one text
	authorization, proof := []string{""}, []string{""}
	req.Header["Authorization"], req.Header["Dpop"] = authorization, proof
	hdr := http.Header{}
	rec := &httptest.ResponseRecorder{}
	next := 0
	send := func() {
		if next == len(proofs) {
			store.reset()
			next = 0
		}
		authorization[0], proof[0] = texts[next%2], proofs[next]
		clear(hdr)
		*rec = httptest.ResponseRecorder{HeaderMap: hdr, Code: http.StatusOK}
		h.ServeHTTP(rec, req)
		next++
		if rec.Code != http.StatusNoContent {
			tb.Fatalf("status %d, WWW-Authenticate %q", rec.Code, hdr.Get("WWW-Authenticate"))
		}
	}
	send()
	return send
}

// reportProofFloor adds x-proof: ns/op divided by one proof signature's
// raw verification.
func reportProofFloor(b *testing.B, proofFloorNs float64) {
	if proofFloorNs > 0 && b.N > 0 {
		b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N)/proofFloorNs, "x-proof")
	}
}

// signProofs signs proofPool distinct proofs of key for a GET of dpopURL
// with tok, on every core.
func signProofs(b testing.TB, key *authtest.DPoPKey, tok string) []string {
	b.Helper()
	proofs := make([]string, proofPool)
	errs := make([]error, proofPool)
	var wg sync.WaitGroup
	var next atomic.Int64
	for range runtime.GOMAXPROCS(0) {
		wg.Go(func() {
			for i := int(next.Add(1) - 1); i < len(proofs); i = int(next.Add(1) - 1) {
				proofs[i], errs[i] = key.Proof(http.MethodGet, dpopURL).For(tok).Sign()
			}
		})
	}
	wg.Wait()
	if err := errors.Join(errs...); err != nil {
		b.Fatal(err)
	}
	return proofs
}

// proofSignatureCheck is the raw verification of proof's signature with
// key: the floor of any DPoP verifier for that algorithm.
func proofSignatureCheck(b testing.TB, key *authtest.DPoPKey, proof string) func() error {
	b.Helper()
	input, sig, err := fixture.SigningInput(proof)
	if err != nil {
		b.Fatal(err)
	}
	invalid := errors.New("proof signature does not verify")
	switch pub := key.Signer().Public().(type) {
	case *rsa.PublicKey:
		return func() error {
			d := sha256.Sum256(input)
			return rsa.VerifyPKCS1v15(pub, crypto.SHA256, d[:], sig)
		}
	case *ecdsa.PublicKey:
		return func() error {
			d := sha256.Sum256(input)
			if !ecdsa.Verify(pub, d[:], new(big.Int).SetBytes(sig[:32]), new(big.Int).SetBytes(sig[32:])) {
				return invalid
			}
			return nil
		}
	case ed25519.PublicKey:
		return func() error {
			if !ed25519.Verify(pub, input, sig) {
				return invalid
			}
			return nil
		}
	default:
		b.Fatalf("no floor for a %T", pub)
		return nil
	}
}

// cyclingReplayStore is the default in-memory replay store on a clock of
// its own, which reset moves past every entry's expiry, so that a benchmark
// can present its pool of proofs again, each new to the store. The store
// stays the same one, as a server's does: its maps keep the room they grew,
// and the entries that expired are forgotten as new ones arrive, which is
// its steady state under load (a new store per round would charge the
// rows the growth of its maps instead).
type cyclingReplayStore struct {
	store *dpop.MemoryReplayStore
	now   atomic.Int64 // unix nanoseconds
}

// Use is the store's.
func (s *cyclingReplayStore) Use(ctx context.Context, id string, ttl time.Duration) (bool, error) {
	return s.store.Use(ctx, id, ttl)
}

// reset makes every proof recorded so far expired: the first call starts
// the store, of the default capacity.
func (s *cyclingReplayStore) reset() {
	if s.store == nil {
		s.now.Store(time.Now().UnixNano())
		store, err := dpop.NewMemoryReplayStore(0, func() time.Time { return time.Unix(0, s.now.Load()) })
		if err != nil {
			panic(fmt.Sprintf("bench: %v", err))
		}
		s.store = store
		return
	}
	s.now.Add(int64(time.Hour)) // beyond any proof's time to live
}

// BenchmarkReplayFlood floods the default in-memory replay store with
// distinct proof identifiers, each computed as package bearer computes it
// (dpop.ReplayID of a thumbprint and a jti), and reports the most entries
// it held ("entries", never above "capacity") and the heap it retains per
// entry once full:
//   - steady: time advances so that the flood runs at 90% of the rate the
//     store holds (capacity per time to live): every identifier is
//     accepted, and as many expired ones forgotten;
//   - full: time stands still, so the store fills with live entries and
//     then refuses every new identifier (a 503 with Retry-After for the
//     request), rather than forget a proof that could be replayed. (The
//     capacity is split among the store's shards, so the first refusals
//     come when the fullest shard is full, a little before capacity.)
func BenchmarkReplayFlood(b *testing.B) {
	const capacity = dpop.DefaultReplayCapacity
	ttl := bearer.DefaultMaxProofAge + bearer.DefaultProofLeeway
	jkt := dpop.ReplayID("flood-client", "key") // any 43-character thumbprint
	for _, row := range []struct {
		name    string
		advance time.Duration // per call
	}{{"steady", ttl / (capacity * 9 / 10)}, {"full", 0}} {
		b.Run(row.name, func(b *testing.B) {
			now := time.Unix(1_800_000_000, 0)
			clock := func() time.Time { return now }
			base := heapAlloc()
			store, err := dpop.NewMemoryReplayStore(0, clock)
			if err != nil {
				b.Fatal(err)
			}
			ctx := context.Background()
			id := 0
			use := func() error {
				id++
				now = now.Add(row.advance)
				_, err := store.Use(ctx, dpop.ReplayID(jkt, fmt.Sprint(id)), ttl)
				return err
			}
			// Fill it, untimed: to the steady state, or to every entry.
			for accepted := 0; accepted < capacity*9/10 || row.advance == 0 && accepted < capacity; {
				switch err := use(); {
				case err == nil:
					accepted++
				case row.advance > 0 || !errors.Is(err, dpop.ErrStoreFull):
					b.Fatal(err)
				}
			}
			most := store.Len()
			floor := adjacentFloor(b)
			b.ReportAllocs()
			for b.Loop() {
				err := use()
				if row.advance == 0 && !errors.Is(err, dpop.ErrStoreFull) || row.advance > 0 && err != nil {
					b.Fatalf("flood call %d: %v", id, err)
				}
			}
			reportFloor(b, floor)
			most = max(most, store.Len())
			if most > capacity {
				b.Fatalf("%d entries, over the capacity of %d", most, capacity)
			}
			b.ReportMetric(float64(most), "entries")
			b.ReportMetric(float64(capacity), "capacity")
			b.ReportMetric(float64(heapAlloc()-min(base, heapAlloc()))/float64(most), "heap-B/entry")
			runtime.KeepAlive(store)
		})
	}
}
