package bench_test

import (
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"
	"runtime"
	"strings"
	"testing"
	"time"

	"github.com/scopegate/scopegate/bench/internal/fixture"
	"github.com/scopegate/scopegate/bench/internal/stacks"
	"github.com/scopegate/scopegate/jwks"
	"github.com/scopegate/scopegate/token"
)

// heapAlloc is the live heap after two collections.
func heapAlloc() uint64 {
	runtime.GC()
	runtime.GC()
	var m runtime.MemStats
	runtime.ReadMemStats(&m)
	return m.HeapAlloc
}

// TestMemoryBound floods a verifier (and the whole Echo stack) with distinct
// valid tokens and reports how many it keeps and the heap they hold, at half
// the flood and at its end: a bounded cache plateaus. Tokens are HS256 so
// that 50,000 of them sign in about a second; the cache does not care how a
// token was signed. Tokens are signed inside the loop and dropped, so the
// heap measured is what the cache alone retains (the raw token text it keys
// on included, as in production).
//
// Run with -v to see the table (run.sh writes it to results/memory.txt).
func TestMemoryBound(t *testing.T) {
	if testing.Short() {
		t.Skip("floods 50,000 tokens per case")
	}
	keys, err := fixture.NewKeys()
	if err != nil {
		t.Fatal(err)
	}
	hmacKey, err := jwks.NewHMACKey(keys.HMAC, fixture.HMACKeyID, "HS256")
	if err != nil {
		t.Fatal(err)
	}
	static, err := jwks.NewStatic(hmacKey)
	if err != nil {
		t.Fatal(err)
	}
	now := time.Now()
	const mib = 1 << 20
	cases := []struct {
		name           string
		entries, bytes int // 0: the defaults
		shape          fixture.Shape
		echo           bool
		tokens         int
	}{
		{"verifier, cache off", -1, 0, fixture.Shape{}, false, 50_000},
		{"verifier, cap 1,000 entries", 1_000, 0, fixture.Shape{}, false, 50_000},
		{"verifier, cap 1 MiB", 0, 1 * mib, fixture.Shape{}, false, 50_000},
		{"verifier, defaults", 0, 0, fixture.Shape{}, false, 50_000},
		{"verifier, defaults, 4 KiB tokens", 0, 0, fixture.Shape{TokenBytes: 4 << 10}, false, 50_000},
		{"verifier, defaults, 12 KiB tokens", 0, 0, fixture.Shape{TokenBytes: 12 << 10}, false, 30_000},
		{"echo stack, defaults", 0, 0, fixture.Shape{}, true, 50_000},
		{"echo stack, defaults, 4 KiB tokens", 0, 0, fixture.Shape{TokenBytes: 4 << 10}, true, 50_000},
	}
	var report strings.Builder
	fmt.Fprintf(&report, "\n| case | tokens fed | token bytes | cached tokens | cache's count (MiB) | heap at half (MiB) | heap at end (MiB) | heap per cached token (B) | count per cached token (B) | heap ÷ count | µs per verify |\n")
	fmt.Fprintf(&report, "|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|\n")
	for ci, c := range cases {
		base := heapAlloc()
		ctx := context.Background()
		var verify func(string) error
		var stats func() token.CacheStats
		if c.echo {
			cfg := stacks.OursConfig(static, c.entries)
			cfg.TokenCache.MaxBytes = c.bytes
			e, auth, err := stacks.OursEcho(cfg)
			if err != nil {
				t.Fatal(err)
			}
			hdr := http.Header{}
			rec := &httptest.ResponseRecorder{}
			req := httptest.NewRequest(http.MethodGet, fixture.Route, nil)
			verify = func(raw string) error {
				req.Header.Set("Authorization", "Bearer "+raw)
				clear(hdr)
				*rec = httptest.ResponseRecorder{HeaderMap: hdr, Code: http.StatusOK}
				e.ServeHTTP(rec, req)
				if rec.Code != http.StatusNoContent {
					return fmt.Errorf("status %d", rec.Code)
				}
				return nil
			}
			stats = auth.CacheStats
		} else {
			v, err := token.New(token.Config{
				Issuers:      []token.Issuer{{Issuer: fixture.Issuer, Audiences: []string{fixture.Audience}, Keys: static}},
				CacheEntries: c.entries, CacheBytes: c.bytes,
			})
			if err != nil {
				t.Fatal(err)
			}
			verify = func(raw string) error { _, err := v.Verify(ctx, raw); return err }
			stats = v.CacheStats
		}
		var half uint64
		var spent time.Duration
		var tokenBytes int
		for n := 0; n < c.tokens; n++ {
			raw, err := keys.Sign("HS256", ci*1_000_000+n, now, c.shape)
			if err != nil {
				t.Fatal(err)
			}
			if n == 0 {
				tokenBytes = len(raw)
			}
			start := time.Now()
			err = verify(raw)
			spent += time.Since(start)
			if err != nil {
				t.Fatalf("%s: token %d: %v", c.name, n, err)
			}
			if n == c.tokens/2-1 {
				half = heapAlloc()
			}
		}
		end := heapAlloc()
		st := stats()
		kept := st.Entries
		grown := func(h uint64) float64 { return (float64(h) - float64(base)) / mib }
		perToken, estimate, ratio := "—", "—", "—"
		if kept > 0 {
			perToken = fmt.Sprintf("%.0f", (float64(end)-float64(base))/float64(kept))
			estimate = fmt.Sprintf("%.0f", float64(st.Bytes)/float64(kept))
			ratio = fmt.Sprintf("%.2f", (float64(end)-float64(base))/float64(st.Bytes))
		}
		fmt.Fprintf(&report, "| %s | %d | %d | %d | %.1f | %.1f | %.1f | %s | %s | %s | %.1f |\n", c.name, c.tokens, tokenBytes,
			kept, float64(st.Bytes)/mib, grown(half), grown(end), perToken, estimate, ratio, float64(spent.Microseconds())/float64(c.tokens))

		// The byte bound holds for the estimate, and the estimate for the
		// heap: what the cache retains is within 15% of what it counts.
		byteCap := c.bytes
		if byteCap == 0 {
			byteCap = token.DefaultCacheBytes
		}
		if st.Bytes > byteCap {
			t.Errorf("%s: the cache counts %d bytes, over its bound of %d", c.name, st.Bytes, byteCap)
		}
		if kept > 0 {
			if heap := float64(end) - float64(base); heap > 1.15*float64(st.Bytes)+mib/4 {
				t.Errorf("%s: the heap grew %.1f MiB for %.1f MiB the cache counts", c.name, heap/mib, float64(st.Bytes)/mib)
			}
		}
		// The bounds: the entry cap, and a plateau between half and end.
		entryCap := c.entries
		if entryCap == 0 {
			entryCap = token.DefaultCacheEntries
		}
		if c.entries >= 0 && kept > entryCap {
			t.Errorf("%s: %d cached tokens, over the cap of %d", c.name, kept, entryCap)
		}
		if end > half && float64(end-half) > 0.10*float64(half-min(half, base))+2*mib {
			t.Errorf("%s: heap still growing: %.1f MiB at half, %.1f MiB at the end", c.name, grown(half), grown(end))
		}
		runtime.KeepAlive(verify)
	}
	t.Log(report.String())
}
