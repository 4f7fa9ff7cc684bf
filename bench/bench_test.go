package bench_test

import (
	"context"
	"net/http"
	"net/http/httptest"
	"strconv"
	"testing"

	"github.com/labstack/echo/v4"

	"github.com/scopegate/scopegate/bench/internal/fixture"
	"github.com/scopegate/scopegate/bench/internal/stacks"
	"github.com/scopegate/scopegate/echoauth"
	"github.com/scopegate/scopegate/jwks"
	"github.com/scopegate/scopegate/token"
)

// Naming: "distinct" cycles through fixture.PoolSize (256) pre-signed
// tokens, i % 256; "repeated" presents one token every time. For scopegate,
// "first-sight" means every call is the first time the verifier sees the
// token: the cache is off (CacheEntries -1) unless the name says otherwise.

// BenchmarkFloor is the raw crypto each verifier cannot avoid.
func BenchmarkFloor(b *testing.B) {
	e := env(b)
	for _, row := range []struct {
		name string
		run  func(*testing.B, *environment)
	}{{"RSA-2048-PKCS1v15", rsaFloor}, {"ECDSA-P256", ecdsaFloor}, {"Ed25519", ed25519Floor}} {
		b.Run(row.name, func(b *testing.B) {
			floor := adjacentFloor(b)
			row.run(b, e)
			reportFloor(b, floor)
		})
	}
}

// verifyLoop runs verify over tokens, i % len(tokens).
func verifyLoop(b *testing.B, tokens []string, verify func(string) error) {
	b.Helper()
	floor := adjacentFloor(b)
	// Call n presents tokens[n % len(tokens)], the unmeasured first call included.
	if err := verify(tokens[0]); err != nil {
		b.Fatalf("token refused before the benchmark: %v", err)
	}
	b.ReportAllocs()
	i := 1
	for b.Loop() {
		if err := verify(tokens[i%len(tokens)]); err != nil {
			b.Fatal(err)
		}
		i++
	}
	reportFloor(b, floor)
}

// oursVerify adapts a Verifier.
func oursVerify(v *token.Verifier) func(string) error {
	ctx := context.Background()
	return func(raw string) error { _, err := v.Verify(ctx, raw); return err }
}

func mustVerifier(b *testing.B, keys jwks.Source, cacheEntries int) *token.Verifier {
	b.Helper()
	v, err := stacks.OursVerifier(keys, cacheEntries)
	if err != nil {
		b.Fatal(err)
	}
	return v
}

// BenchmarkVerify compares token verification alone, same tokens, same key.
func BenchmarkVerify(b *testing.B) {
	e := env(b)
	ctx := context.Background()
	b.Run("ours/first-sight/cache-off", func(b *testing.B) {
		verifyLoop(b, e.rs256, oursVerify(mustVerifier(b, e.static, -1)))
	})
	b.Run("ours/first-sight/cache-on", func(b *testing.B) {
		// The cache is on, but a fresh verifier every 256 tokens makes each
		// call a miss followed by an insertion: what a new client costs.
		var v *token.Verifier
		i := 0
		verifyLoop(b, e.rs256, func(raw string) error {
			if i%fixture.PoolSize == 0 {
				v = mustVerifier(b, e.static, 0)
			}
			i++
			_, err := v.Verify(ctx, raw)
			return err
		})
	})
	b.Run("ours/first-sight/cache-full", func(b *testing.B) {
		// The default cache (10,000 entries) kept full, as under a flood of
		// distinct tokens: filled once with other valid tokens (untimed),
		// then every call misses and leaves one more entry behind, with
		// about 24 MiB of cached tokens live. Every 256 calls the key
		// generation changes (untimed), which makes every cached entry
		// stale, so the pool of 256 never hits: see keyGenerations.
		gens := newKeyGenerations(b, e.keys)
		v := mustVerifier(b, gens, 0)
		for _, t := range e.filler {
			if _, err := v.Verify(ctx, t); err != nil {
				b.Fatal(err)
			}
		}
		if v.CacheStats().Entries != token.DefaultCacheEntries {
			b.Fatalf("%d cached tokens after the fill", v.CacheStats().Entries)
		}
		before := v.CacheStats()
		i := 0
		verifyLoop(b, e.rs256, func(raw string) error {
			if i > 0 && i%fixture.PoolSize == 0 {
				b.StopTimer()
				gens.next(b)
				b.StartTimer()
			}
			i++
			_, err := v.Verify(ctx, raw)
			return err
		})
		if after := v.CacheStats(); after.Hits != before.Hits || after.Entries < token.DefaultCacheEntries-1 {
			b.Fatalf("not a flood through a full cache: %d hits, %d entries", after.Hits-before.Hits, after.Entries)
		}
	})
	b.Run("ours/repeated", func(b *testing.B) {
		verifyLoop(b, []string{e.repeated}, oursVerify(mustVerifier(b, e.static, 0)))
	})
	b.Run("ours-ES256/first-sight/cache-off", func(b *testing.B) {
		verifyLoop(b, e.es256, oursVerify(mustVerifier(b, e.static, -1)))
	})
	b.Run("ours-EdDSA/first-sight/cache-off", func(b *testing.B) {
		verifyLoop(b, e.eddsa, oursVerify(mustVerifier(b, e.static, -1)))
	})
	b.Run("go-jwt-middleware-v2/distinct", func(b *testing.B) {
		verifyLoop(b, e.rs256, func(raw string) error { _, err := e.goJWT.ValidateToken(ctx, raw); return err })
	})
	b.Run("golang-jwt-v5/echo-jwt-defaults/distinct", func(b *testing.B) {
		verifyLoop(b, e.rs256, func(raw string) error { _, err := stacks.GolangJWTEchoDefaults(raw, e.kf); return err })
	})
	b.Run("golang-jwt-v5/strict/distinct", func(b *testing.B) {
		verifyLoop(b, e.rs256, func(raw string) error { _, err := e.strict.Parse(raw, e.kf); return err })
	})
	b.Run("go-jose-v4/distinct", func(b *testing.B) {
		pub := &e.keys.RSA.PublicKey
		verifyLoop(b, e.rs256, func(raw string) error { _, err := stacks.GoJOSE(raw, pub); return err })
	})
}

// requests builds one GET of the protected route per token.
func requests(tokens []string) []*http.Request {
	reqs := make([]*http.Request, len(tokens))
	for i, t := range tokens {
		reqs[i] = httptest.NewRequest(http.MethodGet, fixture.Route, nil)
		reqs[i].Header.Set("Authorization", "Bearer "+t)
	}
	return reqs
}

// serveLoop sends the requests through h.ServeHTTP, i % len(reqs), each
// into a reset httptest.ResponseRecorder, and fails on any status but 204.
func serveLoop(b *testing.B, h http.Handler, tokens []string, after func(b *testing.B)) {
	b.Helper()
	reqs := requests(tokens)
	hdr := http.Header{}
	rec := &httptest.ResponseRecorder{}
	serve := func(r *http.Request) {
		clear(hdr)
		*rec = httptest.ResponseRecorder{HeaderMap: hdr, Code: http.StatusOK}
		h.ServeHTTP(rec, r)
		if rec.Code != http.StatusNoContent {
			b.Fatalf("status %d, WWW-Authenticate %q", rec.Code, hdr.Get("WWW-Authenticate"))
		}
	}
	for _, r := range reqs {
		serve(r) // checks every token, and warms caches where there are
	}
	floor := adjacentFloor(b)
	b.ReportAllocs()
	i := 0
	for b.Loop() {
		serve(reqs[i%len(reqs)])
		i++
	}
	reportFloor(b, floor)
	if after != nil {
		after(b)
	}
}

func mustOursEcho(b *testing.B, cfg echoauth.Config) (*echo.Echo, *echoauth.Authenticator) {
	b.Helper()
	e, auth, err := stacks.OursEcho(cfg)
	if err != nil {
		b.Fatal(err)
	}
	return e, auth
}

// remoteFetches reports the key fetches made during the timed loop.
func remoteFetches(auth *echoauth.Authenticator, before uint64) func(*testing.B) {
	return func(b *testing.B) {
		var n uint64
		for _, r := range auth.KeySets() {
			n += r.Stats().Fetches
		}
		b.ReportMetric(float64(n-before), "fetches")
	}
}

// BenchmarkRequest is a whole Echo request through each middleware stack.
func BenchmarkRequest(b *testing.B) {
	env := env(b)
	repeated := []string{env.repeated}
	b.Run("baseline/no-auth", func(b *testing.B) {
		// The same route and handler with no middleware: what Echo and the
		// recorder cost. Subtract it to get a middleware's own cost.
		e := echo.New()
		e.GET(fixture.Route, func(c echo.Context) error { return c.NoContent(http.StatusNoContent) })
		serveLoop(b, e, env.rs256, nil)
	})
	b.Run("ours/first-sight", func(b *testing.B) {
		e, _ := mustOursEcho(b, stacks.OursConfig(env.static, -1))
		serveLoop(b, e, env.rs256, nil)
	})
	b.Run("ours/pool256-cached", func(b *testing.B) {
		// Default cache: 256 clients each repeating its own token.
		e, _ := mustOursEcho(b, stacks.OursConfig(env.static, 0))
		serveLoop(b, e, env.rs256, nil)
	})
	b.Run("ours/repeated", func(b *testing.B) {
		e, _ := mustOursEcho(b, stacks.OursConfig(env.static, 0))
		serveLoop(b, e, repeated, nil)
	})
	for _, c := range []struct {
		name   string
		cache  int
		tokens []string
	}{{"first-sight", -1, env.rs256}, {"repeated", 0, repeated}} {
		b.Run("ours-remote-jwks/"+c.name, func(b *testing.B) {
			cfg := stacks.OursConfig(nil, c.cache)
			cfg.JWKSURL = env.jwksURL(1)
			e, auth := mustOursEcho(b, cfg)
			if err := auth.Prefetch(context.Background()); err != nil {
				b.Fatal(err)
			}
			serveLoop(b, e, c.tokens, remoteFetches(auth, auth.KeySets()[0].Stats().Fetches))
		})
	}
	b.Run("echo-jwt/distinct", func(b *testing.B) { serveLoop(b, stacks.EchoJWT(env.keyMap), env.rs256, nil) })
	b.Run("echo-jwt/repeated", func(b *testing.B) { serveLoop(b, stacks.EchoJWT(env.keyMap), repeated, nil) })
	b.Run("go-jwt-middleware-v2/distinct", func(b *testing.B) {
		serveLoop(b, stacks.GoJWTMiddleware(env.goJWT), env.rs256, nil)
	})
	b.Run("go-jwt-middleware-v2/repeated", func(b *testing.B) {
		serveLoop(b, stacks.GoJWTMiddleware(env.goJWT), repeated, nil)
	})
}

// growthRows are the verifiers compared as tokens grow.
func growthRows(b *testing.B, e *environment, tokens []string) {
	ctx := context.Background()
	pub := &e.keys.RSA.PublicKey
	b.Run("ours-first-sight", func(b *testing.B) {
		verifyLoop(b, tokens, oursVerify(mustVerifier(b, e.static, -1)))
	})
	b.Run("ours-repeated", func(b *testing.B) {
		verifyLoop(b, tokens[:1], oursVerify(mustVerifier(b, e.static, 0)))
	})
	b.Run("go-jwt-middleware-v2", func(b *testing.B) {
		verifyLoop(b, tokens, func(raw string) error { _, err := e.goJWT.ValidateToken(ctx, raw); return err })
	})
	b.Run("golang-jwt-v5", func(b *testing.B) {
		verifyLoop(b, tokens, func(raw string) error { _, err := stacks.GolangJWTEchoDefaults(raw, e.kf); return err })
	})
	b.Run("go-jose-v4", func(b *testing.B) {
		verifyLoop(b, tokens, func(raw string) error { _, err := stacks.GoJOSE(raw, pub); return err })
	})
}

// TokenSizes are the lengths of the whole compact tokens of
// BenchmarkTokenSize. 12 KiB stays under scopegate's default 16 KiB cap.
var TokenSizes = []int{1 << 10, 4 << 10, 12 << 10}

// ClaimCounts are the claim counts of BenchmarkClaimCount.
var ClaimCounts = []int{10, 50, 200}

// BenchmarkTokenSize pads a claim so that the compact token is 1, 4 and
// 12 KiB long; distinct tokens except ours-repeated.
func BenchmarkTokenSize(b *testing.B) {
	e := env(b)
	for _, size := range TokenSizes {
		b.Run(strconv.Itoa(size>>10)+"KiB", func(b *testing.B) {
			growthRows(b, e, e.pool(b, fixture.Shape{TokenBytes: size}))
		})
	}
}

// BenchmarkClaimCount adds namespaced claims of mixed types (strings,
// numbers, booleans, arrays) up to 10, 50 and 200 claims in all.
func BenchmarkClaimCount(b *testing.B) {
	e := env(b)
	for _, n := range ClaimCounts {
		b.Run(strconv.Itoa(n)+"-claims", func(b *testing.B) {
			growthRows(b, e, e.pool(b, fixture.Shape{Claims: n}))
		})
	}
}

// BenchmarkKeySet verifies with a key set of 1, 10 and 100 RSA keys, the
// token's key listed last; static sets and remote sets fetched from a
// loopback JWKS (prefetched; "fetches" counts fetches during the loop).
func BenchmarkKeySet(b *testing.B) {
	e := env(b)
	pub := &e.keys.RSA.PublicKey
	for _, n := range KeySetSizes {
		b.Run("static-"+strconv.Itoa(n), func(b *testing.B) {
			keys, err := stacks.SizedStaticKeys(pub, fixture.RSAKeyID, n)
			if err != nil {
				b.Fatal(err)
			}
			b.Run("first-sight", func(b *testing.B) { verifyLoop(b, e.rs256, oursVerify(mustVerifier(b, keys, -1))) })
			b.Run("repeated", func(b *testing.B) { verifyLoop(b, e.rs256[:1], oursVerify(mustVerifier(b, keys, 0))) })
		})
		b.Run("remote-"+strconv.Itoa(n), func(b *testing.B) {
			for _, c := range []struct {
				name   string
				cache  int
				tokens []string
			}{{"first-sight", -1, e.rs256}, {"repeated", 0, e.rs256[:1]}} {
				b.Run(c.name, func(b *testing.B) {
					remote, err := jwks.NewRemote(jwks.RemoteConfig{URL: e.jwksURL(n)})
					if err != nil {
						b.Fatal(err)
					}
					if err := remote.Prefetch(context.Background()); err != nil {
						b.Fatal(err)
					}
					if got := remote.Stats().Keys; got != n {
						b.Fatalf("remote set has %d keys, want %d", got, n)
					}
					before := remote.Stats().Fetches
					verifyLoop(b, c.tokens, oursVerify(mustVerifier(b, remote, c.cache)))
					b.ReportMetric(float64(remote.Stats().Fetches-before), "fetches")
				})
			}
		})
	}
}
