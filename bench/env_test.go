package bench_test

import (
	"crypto"
	"crypto/ecdsa"
	"crypto/ed25519"
	"crypto/rsa"
	"crypto/sha256"
	"fmt"
	"math/big"
	"net/http"
	"net/http/httptest"
	"runtime"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/auth0/go-jwt-middleware/v2/validator"
	"github.com/golang-jwt/jwt/v5"

	"github.com/scopegate/scopegate/bench/internal/fixture"
	"github.com/scopegate/scopegate/bench/internal/stacks"
	"github.com/scopegate/scopegate/jwks"
	"github.com/scopegate/scopegate/token"
)

// Every benchmark reports its ns/op divided by the RSA floor (SHA-256 of a
// realistic signing input, then rsa.VerifyPKCS1v15) as "x-floor", and the
// floor itself as "floor-ns". The floor is measured in the same process for
// 200ms right before each row, so that load that comes and goes skews a ratio
// less than a floor measured once; cmd/benchfilter uses it to spot samples
// taken under load. (It still wanders a few percent with what ran before it,
// so BENCHMARKS.md divides medians by the floor row's median.)

// floorWindow is how long each adjacent floor measurement runs, after a
// collection (so that the previous row's garbage is not charged to it) and a
// short warm-up. It is timed by hand: testing.Benchmark cannot run inside a
// running benchmark.
const floorWindow = 200 * time.Millisecond

// adjacentFloor measures the RSA floor now and returns its ns/op.
func adjacentFloor(tb testing.TB) float64 {
	e := env(tb)
	input, sig, err := fixture.SigningInput(e.repeated)
	if err != nil {
		tb.Fatal(err)
	}
	pub := &e.keys.RSA.PublicKey
	return adjacentNs(tb, func() error {
		d := sha256.Sum256(input)
		return rsa.VerifyPKCS1v15(pub, crypto.SHA256, d[:], sig)
	})
}

// adjacentNs measures op's ns/op now, for floorWindow, after a collection
// and a warm-up.
func adjacentNs(tb testing.TB, op func() error) float64 {
	runtime.GC()
	run := func(window time.Duration) float64 {
		n := 0
		start := time.Now()
		for time.Since(start) < window {
			for range 8 {
				if err := op(); err != nil {
					tb.Fatal(err)
				}
			}
			n += 8
		}
		return float64(time.Since(start).Nanoseconds()) / float64(n)
	}
	run(floorWindow / 10)
	return run(floorWindow)
}

// reportFloor adds the x-floor and floor-ns metrics; call it right after
// the timed loop with the floor measured right before it.
func reportFloor(b *testing.B, floorNs float64) {
	if floorNs > 0 && b.N > 0 {
		b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N)/floorNs, "x-floor")
		b.ReportMetric(floorNs, "floor-ns")
	}
}

// environment is built once per process: keys, the distinct pools (signed
// once), the repeated token, and a loopback JWKS server.
type environment struct {
	keys *fixture.Keys
	now  time.Time

	rs256, es256, eddsa []string // PoolSize distinct tokens each
	repeated            string   // one more RS256 token, the "repeated" one
	filler              []string // 10,000 HS256 tokens that fill a default cache

	static  *jwks.Static                // RS256, ES256 and EdDSA keys
	withHS  *jwks.Static                // the same and the HS256 key of the filler tokens
	keyMap  map[string]crypto.PublicKey // kid → key, for golang-jwt keyfuncs
	goJWT   *validator.Validator        // go-jwt-middleware v2
	kf      jwt.Keyfunc                 // echo-jwt style keyfunc
	strict  *jwt.Parser                 // golang-jwt with scopegate's checks
	jwksSrv *httptest.Server            // serves /jwks/{n}.json
	jwksDoc map[int][]byte              // n → JWKS of n keys
	fetches map[int]*atomic.Int64       // n → requests served
	shapes  sync.Map                    // fixture.Shape → []string
	shapeMu sync.Mutex
}

var (
	envOnce sync.Once
	envVal  *environment
	envErr  error
)

// KeySetSizes are the key-set sizes the key-set growth benchmarks use.
var KeySetSizes = []int{1, 10, 100}

func env(tb testing.TB) *environment {
	tb.Helper()
	envOnce.Do(func() { envVal, envErr = newEnvironment() })
	if envErr != nil {
		tb.Fatal(envErr)
	}
	return envVal
}

func newEnvironment() (*environment, error) {
	keys, err := fixture.NewKeys()
	if err != nil {
		return nil, err
	}
	e := &environment{keys: keys, now: time.Now()}
	base := fixture.Shape{}
	if e.rs256, err = keys.Pool("RS256", fixture.RSAKeyID, fixture.PoolSize, e.now, base); err != nil {
		return nil, err
	}
	if e.es256, err = keys.Pool("ES256", fixture.ECKeyID, fixture.PoolSize, e.now, base); err != nil {
		return nil, err
	}
	if e.eddsa, err = keys.Pool("EdDSA", fixture.Ed25519KeyID, fixture.PoolSize, e.now, base); err != nil {
		return nil, err
	}
	if e.repeated, err = keys.Sign("RS256", 1_000_000, e.now, base); err != nil {
		return nil, err
	}
	if e.static, err = stacks.StaticKeys(keys); err != nil {
		return nil, err
	}
	if e.filler, err = keys.Pool("HS256", fixture.HMACKeyID, token.DefaultCacheEntries, e.now, base); err != nil {
		return nil, err
	}
	hs, err := jwks.NewHMACKey(keys.HMAC, fixture.HMACKeyID, "HS256")
	if err != nil {
		return nil, err
	}
	if e.withHS, err = jwks.NewStatic(append(e.static.Keys(), hs)...); err != nil {
		return nil, err
	}
	e.keyMap = map[string]crypto.PublicKey{fixture.RSAKeyID: &keys.RSA.PublicKey}
	e.kf = stacks.KeyFunc(e.keyMap)
	e.strict = stacks.StrictParser()
	if e.goJWT, err = stacks.GoJWTValidator(&keys.RSA.PublicKey); err != nil {
		return nil, err
	}
	e.jwksDoc = map[int][]byte{}
	e.fetches = map[int]*atomic.Int64{}
	mux := http.NewServeMux()
	for _, n := range KeySetSizes {
		doc, err := stacks.SizedJWKS(&keys.RSA.PublicKey, fixture.RSAKeyID, n)
		if err != nil {
			return nil, err
		}
		e.jwksDoc[n] = doc
		counter := new(atomic.Int64)
		e.fetches[n] = counter
		mux.HandleFunc(fmt.Sprintf("/jwks/%d.json", n), func(w http.ResponseWriter, _ *http.Request) {
			counter.Add(1)
			w.Header().Set("Content-Type", "application/json")
			w.Header().Set("Cache-Control", "max-age=600")
			_, _ = w.Write(doc)
		})
	}
	e.jwksSrv = httptest.NewServer(mux)
	return e, nil
}

// jwksURL is the loopback URL of the JWKS with n keys.
func (e *environment) jwksURL(n int) string {
	return fmt.Sprintf("%s/jwks/%d.json", e.jwksSrv.URL, n)
}

// pool returns PoolSize distinct RS256 tokens of the given shape, signing
// them the first time they are asked for.
func (e *environment) pool(tb testing.TB, shape fixture.Shape) []string {
	tb.Helper()
	if shape == (fixture.Shape{}) {
		return e.rs256
	}
	if p, ok := e.shapes.Load(shape); ok {
		return p.([]string)
	}
	e.shapeMu.Lock()
	defer e.shapeMu.Unlock()
	if p, ok := e.shapes.Load(shape); ok {
		return p.([]string)
	}
	p, err := e.keys.Pool("RS256", fixture.RSAKeyID, fixture.PoolSize, e.now, shape)
	if err != nil {
		tb.Fatal(err)
	}
	e.shapes.Store(shape, p)
	return p
}

// ---- the raw crypto floor ----

// rsaFloor is SHA-256 over the signing input of a realistic token, then
// rsa.VerifyPKCS1v15: what any RS256 verifier must do at the least.
func rsaFloor(b *testing.B, e *environment) {
	input, sig, err := fixture.SigningInput(e.repeated)
	if err != nil {
		b.Fatal(err)
	}
	pub := &e.keys.RSA.PublicKey
	b.ReportAllocs()
	b.ResetTimer()
	for b.Loop() {
		d := sha256.Sum256(input)
		if err := rsa.VerifyPKCS1v15(pub, crypto.SHA256, d[:], sig); err != nil {
			b.Fatal(err)
		}
	}
}

func ecdsaFloor(b *testing.B, e *environment) {
	input, sig, err := fixture.SigningInput(e.es256[0])
	if err != nil {
		b.Fatal(err)
	}
	pub := &e.keys.EC.PublicKey
	b.ReportAllocs()
	b.ResetTimer()
	for b.Loop() {
		d := sha256.Sum256(input)
		r := new(big.Int).SetBytes(sig[:32])
		s := new(big.Int).SetBytes(sig[32:])
		if !ecdsa.Verify(pub, d[:], r, s) {
			b.Fatal("ECDSA signature does not verify")
		}
	}
}

func ed25519Floor(b *testing.B, e *environment) {
	input, sig, err := fixture.SigningInput(e.eddsa[0])
	if err != nil {
		b.Fatal(err)
	}
	pub := e.keys.Ed25519.Public().(ed25519.PublicKey)
	b.ReportAllocs()
	b.ResetTimer()
	for b.Loop() {
		if !ed25519.Verify(pub, input, sig) {
			b.Fatal("Ed25519 signature does not verify")
		}
	}
}
