package bench_test

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"net/http/httptest"
	"runtime"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/scopegate/scopegate/bench/internal/fixture"
	"github.com/scopegate/scopegate/bench/internal/stacks"
	"github.com/scopegate/scopegate/httpauth"
	"github.com/scopegate/scopegate/introspect"
)

// Opaque tokens are judged by asking the issuer's RFC 7662 introspection
// endpoint. The benchmarks below run the whole net/http request
// (stacks.OursHTTP: CheckJWT + RequireScopes) against a real HTTP endpoint
// on loopback, started in the process: it checks the client's basic
// credentials, answers an active token for any token that starts with
// "active-" (with the route's scope, the API's audience and the fixture's
// issuer) and {"active":false} for any other, and counts every call it
// serves. The calls are counted there, on the endpoint, as an issuer sees
// them, and checked against the library's own count
// (Authenticator.IntrospectionStats).

// Credentials of the benchmark API's client at the endpoint.
const (
	introspectClientID     = "bench-api"
	introspectClientSecret = "bench-secret"
)

// opaqueSuffix pads every benchmark token to the length of a typical
// opaque access token: with "active-" or "junk-" and a counter, 31-45
// characters.
const opaqueSuffix = "-Zk3q9XvB7mLwT2cR8yHn4sD6"

// introspectionEndpoint is an RFC 7662 endpoint on loopback that counts the
// calls it answers, active and inactive, and those it refuses.
type introspectionEndpoint struct {
	*httptest.Server
	active, inactive, refused atomic.Int64
}

// calls is every introspection call answered.
func (s *introspectionEndpoint) calls() int64 { return s.active.Load() + s.inactive.Load() }

// newIntrospectionEndpoint starts the endpoint; tb's cleanup stops it.
func newIntrospectionEndpoint(tb testing.TB) *introspectionEndpoint {
	tb.Helper()
	activeBody, err := json.Marshal(map[string]any{
		"active": true, "iss": fixture.Issuer, "aud": fixture.Audience,
		"sub": "user-1", "client_id": "bench-app", "scope": fixture.Scope + " write:messages",
		"token_type": "Bearer", "exp": time.Now().Add(time.Hour).Unix(), "iat": time.Now().Unix(),
	})
	if err != nil {
		tb.Fatal(err)
	}
	inactiveBody := []byte(`{"active":false}`)
	s := &introspectionEndpoint{}
	s.Server = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		id, secret, ok := r.BasicAuth()
		if r.Method != http.MethodPost || !ok || id != introspectClientID || secret != introspectClientSecret {
			s.refused.Add(1)
			w.WriteHeader(http.StatusUnauthorized)
			return
		}
		body := inactiveBody
		if strings.HasPrefix(r.PostFormValue("token"), "active-") {
			body = activeBody
			s.active.Add(1)
		} else {
			s.inactive.Add(1)
		}
		w.Header().Set("Content-Type", "application/json")
		_, _ = w.Write(body)
	}))
	tb.Cleanup(s.Close)
	return s
}

// config is the introspection configuration the benchmarks give the
// library: this endpoint, basic client authentication, the fixture's
// issuer and audience, and cacheEntries (0: the default, 10,000).
func (s *introspectionEndpoint) config(cacheEntries int) *introspect.Config {
	return &introspect.Config{
		Endpoint: s.URL + "/oauth2/introspect", ClientID: introspectClientID, ClientSecret: introspectClientSecret,
		Issuer: fixture.Issuer, Audiences: []string{fixture.Audience}, CacheEntries: cacheEntries,
	}
}

// opaqueHandler is stacks.OursHTTP (the protected route on a ServeMux
// behind httpauth's CheckJWT and RequireScopes(fixture.Scope)) with
// Introspection on this endpoint, built here so as to keep the
// Authenticator, whose IntrospectionStats the benchmarks read.
func (s *introspectionEndpoint) opaqueHandler(tb testing.TB, cacheEntries int) (http.Handler, *httpauth.Authenticator) {
	tb.Helper()
	cfg := stacks.OursConfig(env(tb).static, 0)
	cfg.Introspection = s.config(cacheEntries)
	auth, err := httpauth.New(cfg)
	if err != nil {
		tb.Fatal(err)
	}
	mux := http.NewServeMux()
	mux.Handle("GET "+fixture.Route, auth.CheckJWT()(httpauth.RequireScopes(fixture.Scope)(noContent)))
	return mux, auth
}

// noContent is the protected route's handler, as in package stacks.
var noContent = http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) { w.WriteHeader(http.StatusNoContent) })

// checkStats fails unless the library counted the calls the endpoint
// answered since start (its count when the library's introspector was
// built), and refused no request as busy.
func checkStats(tb testing.TB, st introspect.Stats, endpoint *introspectionEndpoint, start int64) {
	tb.Helper()
	if calls := endpoint.calls() - start; st.Calls != uint64(calls) {
		tb.Fatalf("IntrospectionStats.Calls %d, the endpoint answered %d", st.Calls, calls)
	}
	if st.Busy > 0 || st.Unavailable > 0 {
		tb.Fatalf("IntrospectionStats: %d busy, %d unavailable", st.Busy, st.Unavailable)
	}
	if refused := endpoint.refused.Load(); refused > 0 {
		tb.Fatalf("the endpoint refused the client's credentials %d times", refused)
	}
}

// opaqueToken is the n-th token of a kind ("active" or "junk"); every n
// gives a new token.
func opaqueToken(kind string, n int) string {
	return kind + "-" + strconv.Itoa(n) + opaqueSuffix
}

// opaqueClient sends requests for the protected route with a token through
// a handler, with one recorder and one request reused.
type opaqueClient struct {
	h   http.Handler
	req *http.Request
	hdr http.Header
	rec *httptest.ResponseRecorder
}

func newOpaqueClient(h http.Handler) *opaqueClient {
	return &opaqueClient{h: h, req: httptest.NewRequest(http.MethodGet, fixture.Route, nil),
		hdr: http.Header{}, rec: &httptest.ResponseRecorder{}}
}

// send presents tok ("": the token already set) and returns the status.
func (c *opaqueClient) send(tok string) int {
	if tok != "" {
		c.req.Header["Authorization"] = []string{"Bearer " + tok}
	}
	clear(c.hdr)
	*c.rec = httptest.ResponseRecorder{HeaderMap: c.hdr, Code: http.StatusOK}
	c.h.ServeHTTP(c.rec, c.req)
	return c.rec.Code
}

// expect fails unless presenting tok gets want.
func (c *opaqueClient) expect(tb testing.TB, tok string, want int) {
	if got := c.send(tok); got != want {
		tb.Fatalf("token %q: status %d, want %d; WWW-Authenticate %q", tok, got, want, c.hdr.Get("WWW-Authenticate"))
	}
}

// BenchmarkIntrospection is a whole net/http request with an opaque token
// judged by introspection:
//   - repeated: one active token, its answer remembered after the first
//     request (untimed): no call to the endpoint in the loop, which the
//     benchmark checks;
//   - first-sight: a new active token each request, so each makes one
//     loopback HTTP call to the endpoint, and its answer is parsed, judged
//     and turned into the request's auth object: what a call costs, for
//     context;
//   - junk-flood: a new junk token each request (answered inactive, 401),
//     with the cache (default bound, 10,000 answers) filled first, untimed,
//     with as many other junk tokens, so that every timed request also
//     evicts an answer. It reports calls-per-token (calls the endpoint
//     answered ÷ tokens sent, fill included; the benchmark fails unless it
//     is 1, as each new token needs one call),
//     entries (IntrospectionStats().Entries after the loop; the benchmark
//     fails above cache-bound, the configured bound) and heap-B/entry: the
//     live heap after the loop less the heap before the fill, divided by
//     entries.
//
// Every row's endpoint's count of calls must equal the library's
// (IntrospectionStats().Calls), with no request refused as busy.
func BenchmarkIntrospection(b *testing.B) {
	endpoint := newIntrospectionEndpoint(b)

	b.Run("repeated", func(b *testing.B) {
		start := endpoint.calls()
		h, auth := endpoint.opaqueHandler(b, 0)
		c := newOpaqueClient(h)
		tok := opaqueToken("active-repeated", 0)
		before := endpoint.calls()
		c.expect(b, tok, http.StatusNoContent) // the one call
		floor := adjacentFloor(b)
		b.ReportAllocs()
		for b.Loop() {
			if code := c.send(""); code != http.StatusNoContent {
				b.Fatalf("status %d", code)
			}
		}
		reportFloor(b, floor)
		if calls := endpoint.calls() - before; calls != 1 {
			b.Fatalf("%d calls to the endpoint for one token, want 1", calls)
		}
		st := auth.IntrospectionStats()
		checkStats(b, st, endpoint, start)
		if st.CacheHits < uint64(b.N) {
			b.Fatalf("%d cache hits for %d requests", st.CacheHits, b.N)
		}
	})

	b.Run("first-sight", func(b *testing.B) {
		start := endpoint.calls()
		h, auth := endpoint.opaqueHandler(b, 0)
		c := newOpaqueClient(h)
		c.expect(b, opaqueToken("active", 0), http.StatusNoContent) // the connection is open
		before := endpoint.calls()
		floor := adjacentFloor(b)
		b.ReportAllocs()
		n := 1
		for b.Loop() {
			if code := c.send(opaqueToken("active", n)); code != http.StatusNoContent {
				b.Fatalf("token %d: status %d", n, code)
			}
			n++
		}
		reportFloor(b, floor)
		if calls, sent := endpoint.calls()-before, int64(n-1); calls != sent {
			b.Fatalf("%d calls to the endpoint for %d new tokens, want one each", calls, sent)
		}
		checkStats(b, auth.IntrospectionStats(), endpoint, start)
	})

	b.Run("junk-flood", func(b *testing.B) {
		const bound = introspect.DefaultCacheEntries
		start := endpoint.calls()
		h, auth := endpoint.opaqueHandler(b, 0)
		c := newOpaqueClient(h)
		c.expect(b, opaqueToken("junk-warm-up", 0), http.StatusUnauthorized) // the connection is open
		if !strings.Contains(c.hdr.Get("WWW-Authenticate"), "token is not active") {
			b.Fatalf("junk token refused with %q, not as inactive: introspection is not on", c.hdr.Get("WWW-Authenticate"))
		}
		before := endpoint.calls()
		base := heapAlloc()
		fillOpaque(b, h, "junk-fill", bound, http.StatusUnauthorized)
		if e := auth.IntrospectionStats().Entries; e > bound {
			b.Fatalf("%d entries after the fill, over the bound of %d", e, bound)
		}
		floor := adjacentFloor(b)
		b.ReportAllocs()
		n := 0
		for b.Loop() {
			if code := c.send(opaqueToken("junk", n)); code != http.StatusUnauthorized {
				b.Fatalf("junk token %d: status %d, want 401; WWW-Authenticate %q", n, code, c.hdr.Get("WWW-Authenticate"))
			}
			n++
		}
		reportFloor(b, floor)
		sent := int64(bound + n)
		calls := endpoint.calls() - before
		// Every token is new, so each needs a call: no more than one each
		// means exactly one.
		if calls > sent {
			b.Fatalf("%d calls to the endpoint for %d distinct junk tokens: more than one each", calls, sent)
		}
		if calls < sent {
			b.Fatalf("%d calls to the endpoint for %d distinct junk tokens: some were judged without a call", calls, sent)
		}
		st := auth.IntrospectionStats()
		checkStats(b, st, endpoint, start)
		if st.Entries > bound {
			b.Fatalf("%d entries after %d distinct junk tokens, over the bound of %d", st.Entries, sent, bound)
		}
		heap := heapAlloc()
		b.ReportMetric(float64(calls)/float64(sent), "calls-per-token")
		b.ReportMetric(float64(st.Entries), "entries")
		b.ReportMetric(bound, "cache-bound")
		if st.Entries > 0 {
			b.ReportMetric((float64(heap)-float64(base))/float64(st.Entries), "heap-B/entry")
		}
		runtime.KeepAlive(h)
	})
}

// fillOpaque presents count distinct tokens named after kind through h, on
// a few goroutines (fewer than introspect.DefaultMaxConcurrent, so that no
// request is refused as busy), and fails unless each gets want.
func fillOpaque(tb testing.TB, h http.Handler, kind string, count, want int) {
	tb.Helper()
	const workers = 4
	var next atomic.Int64
	var wg sync.WaitGroup
	errs := make([]error, workers)
	for w := range workers {
		wg.Go(func() {
			c := newOpaqueClient(h)
			for i := int(next.Add(1) - 1); i < count; i = int(next.Add(1) - 1) {
				if got := c.send(opaqueToken(kind, i)); got != want {
					errs[w] = fmt.Errorf("fill token %d: status %d, want %d; WWW-Authenticate %q", i, got, want, c.hdr.Get("WWW-Authenticate"))
					return
				}
			}
		})
	}
	wg.Wait()
	if err := errors.Join(errs...); err != nil {
		tb.Fatal(err)
	}
}

// TestIntrospectionFloodBound floods the introspection cache with 3× its
// bound of distinct junk opaque tokens, through the whole net/http stack
// and through a bare introspect.Introspector, and checks that each token
// costs one call to the endpoint at most (as the endpoint and the library
// count them), that the cache never holds more answers than its bound
// (Stats().Entries, read after every 1,000 tokens), and that the heap
// plateaus: the heap after 3× the bound is within a small factor of the
// heap after 1× the bound.
//
// Run with -v to see the table. Like TestMemoryBound, it is skipped under
// -short.
func TestIntrospectionFloodBound(t *testing.T) {
	if testing.Short() {
		t.Skip("floods 3× the cache bound of tokens through a loopback endpoint")
	}
	const mib = 1 << 20
	cases := []struct {
		name  string
		bound int // 0: the default
		stack bool
	}{
		{"net/http stack, default bound", 0, true},
		{"net/http stack, bound 1,000", 1_000, true},
		{"introspector alone, default bound", 0, false},
		{"introspector alone, bound 1,000", 1_000, false},
	}
	var report strings.Builder
	fmt.Fprintf(&report, "\n| case | bound | tokens | calls | calls per token | entries (Stats) | heap at 1× (MiB) | at 2× (MiB) | at 3× (MiB) | heap per entry at 3× (B) | µs per token |\n")
	fmt.Fprintf(&report, "|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|\n")
	for ci, c := range cases {
		bound := c.bound
		if bound == 0 {
			bound = introspect.DefaultCacheEntries
		}
		endpoint := newIntrospectionEndpoint(t)
		var send func(tok string) error
		var stats func() introspect.Stats
		if c.stack {
			h, auth := endpoint.opaqueHandler(t, c.bound)
			oc := newOpaqueClient(h)
			send = func(tok string) error {
				if code := oc.send(tok); code != http.StatusUnauthorized {
					return fmt.Errorf("status %d, want 401; WWW-Authenticate %q", code, oc.hdr.Get("WWW-Authenticate"))
				}
				return nil
			}
			stats = auth.IntrospectionStats
		} else {
			in, err := introspect.New(*endpoint.config(c.bound))
			if err != nil {
				t.Fatal(err)
			}
			ctx := context.Background()
			send = func(tok string) error {
				if _, err := in.Introspect(ctx, tok); !errors.Is(err, introspect.ErrInactive) {
					return fmt.Errorf("got %v, want ErrInactive", err)
				}
				return nil
			}
			stats = in.Stats
		}
		// The warm-up opens the connection, so that the base heap holds
		// its buffers; its answer stays cached.
		if err := send(fmt.Sprintf("junk-bound-%d-warm-up", ci)); err != nil {
			t.Fatalf("%s: warm-up: %v", c.name, err)
		}
		base := heapAlloc()
		before := endpoint.calls()
		tokens := 3 * bound
		var at [3]uint64
		var spent time.Duration
		for n := 0; n < tokens; n++ {
			tok := opaqueToken(fmt.Sprintf("junk-bound-%d", ci), n)
			start := time.Now()
			err := send(tok)
			spent += time.Since(start)
			if err != nil {
				t.Fatalf("%s: token %d: %v", c.name, n, err)
			}
			if (n+1)%1_000 == 0 {
				if e := stats().Entries; e > bound {
					t.Fatalf("%s: %d entries after %d tokens, over the bound of %d", c.name, e, n+1, bound)
				}
			}
			if (n+1)%bound == 0 {
				at[(n+1)/bound-1] = heapAlloc()
			}
		}
		calls := endpoint.calls() - before
		st := stats()
		grown := func(h uint64) float64 { return (float64(h) - float64(base)) / mib }
		perEntry := (float64(at[2]) - float64(base)) / float64(max(st.Entries, 1))
		fmt.Fprintf(&report, "| %s | %d | %d | %d | %.3f | %d | %.2f | %.2f | %.2f | %.0f | %.1f |\n", c.name, bound, tokens, calls,
			float64(calls)/float64(tokens), st.Entries, grown(at[0]), grown(at[1]), grown(at[2]), perEntry,
			float64(spent.Microseconds())/float64(tokens))

		// Every token is new, so each needs a call: no more than one each
		// means exactly one.
		if calls > int64(tokens) {
			t.Errorf("%s: %d calls for %d distinct tokens: more than one each", c.name, calls, tokens)
		}
		checkStats(t, st, endpoint, 0) // a new endpoint: the warm-up's call included in both
		if st.Entries > bound {
			t.Errorf("%s: %d entries after %d tokens, over the bound of %d", c.name, st.Entries, tokens, bound)
		}
		// The plateau: the heap after 3× the bound is within 1.5× of the
		// heap after 1× (with 1 MiB of slack for the collector's
		// granularity and the endpoint's own buffers).
		if g1, g3 := grown(at[0]), grown(at[2]); g3 > 1.5*g1+1 {
			t.Errorf("%s: heap still growing: %.2f MiB after 1× the bound, %.2f MiB after 3×", c.name, g1, g3)
		}
		endpoint.Close()
		runtime.KeepAlive(send)
	}
	t.Log(report.String())
}
