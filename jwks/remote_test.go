package jwks

import (
	"context"
	"crypto/rand"
	"encoding/json"
	"log"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/scopegate/scopegate/authtest"
	"github.com/scopegate/scopegate/internal/syncbuf"
)

const testCooldown = 30 * time.Second

// remoteFixture is a Remote reading a loopback key server, on a test clock,
// logging to a buffer.
type remoteFixture struct {
	srv   *keyServer
	clock *authtest.Clock
	log   *syncbuf.Buffer
	r     *Remote
}

// goodSet publishes one key of each asymmetric type: kids "rsa" (RS256),
// "ec" (ES256) and "ed" (EdDSA).
func goodSet(t testing.TB) []byte {
	k := testKeys(t)
	return jwksJSON(t,
		jwkJSON(t, &k.rsa.PublicKey, "rsa", RS256, "sig"),
		jwkJSON(t, &k.p256.PublicKey, "ec", ES256, "sig"),
		jwkJSON(t, k.ed.Public(), "ed", EdDSA, "sig"),
	)
}

// newRemoteFixture starts a key server serving goodSet and a Remote on it;
// cfg's zero fields get the test's defaults: the server's URL, the test
// clock, a 30 s cooldown and a logger writing to the fixture's buffer. Its
// refreshes fall in the middle of their window, exactly three quarters of the
// TTL, which the tests that are not about jitter reason with.
func newRemoteFixture(t testing.TB, cfg RemoteConfig) *remoteFixture {
	t.Helper()
	f := &remoteFixture{srv: newKeyServer(t, goodSet(t)), clock: newTestClock(), log: &syncbuf.Buffer{}}
	if cfg.URL == "" && cfg.Issuer == "" {
		cfg.URL = f.srv.URL()
	}
	if cfg.Now == nil {
		cfg.Now = f.clock.Now
	}
	if cfg.RefreshCooldown == 0 {
		cfg.RefreshCooldown = testCooldown
	}
	if cfg.Logger == nil {
		cfg.Logger = slog.New(slog.NewTextHandler(f.log, &slog.HandlerOptions{Level: slog.LevelDebug}))
	}
	r, err := NewRemote(cfg)
	require.NoError(t, err)
	r.jitter = middleOfWindow
	f.r = r
	return f
}

// middleOfWindow is a jitter that always draws the middle of the window.
func middleOfWindow(window time.Duration) time.Duration { return window / 2 }

func (f *remoteFixture) fetches() int { return f.srv.requests(jwksPath) }

// answerStatus answers every request with code.
func answerStatus(code int) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) { w.WriteHeader(code) })
}

// answerBody answers every request 200 with b.
func answerBody(b []byte) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		_, _ = w.Write(b)
	})
}

func requireUnavailable(t testing.TB, err error) *UnavailableError {
	t.Helper()
	require.ErrorIs(t, err, ErrUnavailable)
	var ue *UnavailableError
	require.ErrorAs(t, err, &ue)
	return ue
}

func TestNewRemoteConfig(t *testing.T) {
	tests := []struct {
		name    string
		cfg     RemoteConfig
		errText string
		errIs   error
	}{
		{name: "issuer over https", cfg: RemoteConfig{Issuer: "https://tenant.auth0.com/"}},
		{name: "issuer on loopback", cfg: RemoteConfig{Issuer: "http://127.0.0.1:4000"}},
		{name: "URL over https", cfg: RemoteConfig{URL: "https://tenant.auth0.com/.well-known/jwks.json"}},
		{name: "URL on loopback", cfg: RemoteConfig{URL: "http://localhost:4000/jwks"}},
		{name: "issuer and URL", cfg: RemoteConfig{Issuer: "https://tenant.auth0.com/", URL: "https://keys.example.com/jwks"}},
		{name: "explicit durations, even tiny ones", cfg: RemoteConfig{URL: "https://k.example/jwks", CacheTTL: time.Second, RefreshCooldown: time.Millisecond, FetchTimeout: time.Millisecond, MaxResponseBytes: 1}},
		{name: "neither issuer nor URL", cfg: RemoteConfig{}, errText: "Issuer"},
		{name: "URL over http beyond loopback", cfg: RemoteConfig{URL: "http://tenant.auth0.com/.well-known/jwks.json"}, errText: "https"},
		{name: "URL over http to a private address", cfg: RemoteConfig{URL: "http://10.1.2.3/jwks"}, errText: "https"},
		{name: "URL with credentials", cfg: RemoteConfig{URL: "https://u:p@tenant.auth0.com/jwks"}, errText: "credentials"},
		{name: "relative URL", cfg: RemoteConfig{URL: "/.well-known/jwks.json"}, errText: "absolute"},
		{name: "issuer a single word", cfg: RemoteConfig{Issuer: "tenant"}, errText: "absolute"},
		{name: "issuer a path", cfg: RemoteConfig{Issuer: "/tenant"}, errText: "absolute"},
		// With URL set the issuer is only a name, and some are not URLs.
		{name: "issuer without scheme beside a URL", cfg: RemoteConfig{Issuer: "accounts.google.com", URL: "https://www.googleapis.com/oauth2/v3/certs"}},
		// Discovery decides where keys come from: over clear text anyone on
		// the path could answer with a jwks_uri of their choosing.
		{name: "issuer over http beyond loopback", cfg: RemoteConfig{Issuer: "http://tenant.auth0.com/"}, errText: "https"},
		{name: "issuer with credentials", cfg: RemoteConfig{Issuer: "https://u:p@tenant.auth0.com/"}, errText: "credentials"},
		{name: "negative CacheTTL", cfg: RemoteConfig{URL: "https://k.example/jwks", CacheTTL: -time.Second}, errText: "CacheTTL"},
		{name: "negative RefreshCooldown", cfg: RemoteConfig{URL: "https://k.example/jwks", RefreshCooldown: -1}, errText: "RefreshCooldown"},
		{name: "negative FetchTimeout", cfg: RemoteConfig{URL: "https://k.example/jwks", FetchTimeout: -1}, errText: "FetchTimeout"},
		{name: "negative MaxResponseBytes", cfg: RemoteConfig{URL: "https://k.example/jwks", MaxResponseBytes: -1}, errText: "MaxResponseBytes"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r, err := NewRemote(tt.cfg)
			if tt.errText != "" || tt.errIs != nil {
				require.Error(t, err)
				assert.Nil(t, r)
				assert.Contains(t, err.Error(), tt.errText)
				if tt.errIs != nil {
					assert.ErrorIs(t, err, tt.errIs)
				}
				return
			}
			require.NoError(t, err)
			require.NotNil(t, r)
		})
	}

	t.Run("zero values take the defaults", func(t *testing.T) {
		r, err := NewRemote(RemoteConfig{URL: "https://k.example/jwks"})
		require.NoError(t, err)
		assert.Equal(t, DefaultCacheTTL, r.ttl)
		assert.False(t, r.ttlFromConfig)
		assert.Equal(t, DefaultRefreshCooldown, r.cooldown)
		assert.Equal(t, DefaultFetchTimeout, r.timeout)
		assert.Equal(t, int64(DefaultMaxResponseBytes), r.maxBytes)
		assert.NotNil(t, r.now)
		assert.Nil(t, r.logger, "nil: warnings go to slog.Default, read at each event")
		assert.NotNil(t, r.jitter)
	})

	t.Run("explicit values are used as given", func(t *testing.T) {
		r, err := NewRemote(RemoteConfig{URL: "https://k.example/jwks", CacheTTL: time.Second, RefreshCooldown: 2 * time.Second, FetchTimeout: 3 * time.Second, MaxResponseBytes: 4})
		require.NoError(t, err)
		assert.Equal(t, time.Second, r.ttl)
		assert.True(t, r.ttlFromConfig)
		assert.Equal(t, 2*time.Second, r.cooldown)
		assert.Equal(t, 3*time.Second, r.timeout)
		assert.Equal(t, int64(4), r.maxBytes)
	})

	t.Run("no request before the first use", func(t *testing.T) {
		f := newRemoteFixture(t, RemoteConfig{})
		assert.Zero(t, f.fetches())
		assert.Equal(t, Stats{JWKSURL: f.srv.URL()}, f.r.Stats())
	})
}

func TestRemoteCachesKeys(t *testing.T) {
	f := newRemoteFixture(t, RemoteConfig{})
	ctx := context.Background()

	for range 3 {
		for _, l := range []struct{ kid, alg string }{{"rsa", RS256}, {"ec", ES256}, {"ed", EdDSA}, {"rsa", PS256}} {
			key, err := f.r.Key(ctx, l.kid, l.alg)
			require.NoError(t, err)
			assert.Equal(t, l.kid, key.ID())
		}
	}
	assert.Equal(t, 1, f.fetches(), "one fetch, then the cache")

	// Until the refresh point the keys are served without I/O, even with a
	// cancelled context.
	f.clock.Advance(DefaultCacheTTL*3/4 - time.Nanosecond)
	cancelled, cancel := context.WithCancel(ctx)
	cancel()
	_, err := f.r.Key(cancelled, "ec", ES256)
	require.NoError(t, err)
	assert.Nil(t, inflight(f.r))
	assert.Equal(t, 1, f.fetches())
}

func TestRemoteKnownKidNeverFetches(t *testing.T) {
	k := testKeys(t)
	f := newRemoteFixture(t, RemoteConfig{})
	ctx := context.Background()
	require.NoError(t, f.r.Prefetch(ctx))

	key, err := f.r.Key(ctx, "rsa", RS256)
	require.NoError(t, err)
	forged := sign(t, RS256, k.rsa2, signingInput) // signed by someone else
	assert.ErrorIs(t, key.Verify(RS256, signingInput, forged), ErrSignature)

	// A known kid with an algorithm its key refuses is the token's fault:
	// the key comes back for the caller to refuse, and nothing is fetched.
	key, err = f.r.Key(ctx, "rsa", HS256)
	require.NoError(t, err)
	assert.ErrorIs(t, key.Verify(HS256, signingInput, sign(t, HS256, hmacSecret(32), signingInput)), ErrAlgorithm)

	assert.Equal(t, 1, f.fetches())
}

func TestRemoteAmbiguousKeyDoesNotFetch(t *testing.T) {
	k := testKeys(t)
	f := newRemoteFixture(t, RemoteConfig{})
	f.srv.setBody(jwksJSON(t, jwkJSON(t, &k.rsa.PublicKey, "a", "", "sig"), jwkJSON(t, &k.rsa2.PublicKey, "b", "", "sig")))
	require.NoError(t, f.r.Prefetch(context.Background()))

	_, err := f.r.Key(context.Background(), "", RS256)
	require.ErrorIs(t, err, ErrAmbiguousKey)
	assert.Equal(t, 1, f.fetches())
}

func TestRemoteUnknownKidCooldown(t *testing.T) {
	k := testKeys(t)
	f := newRemoteFixture(t, RemoteConfig{})
	ctx := context.Background()
	require.NoError(t, f.r.Prefetch(ctx))
	require.Equal(t, 1, f.fetches())

	steps := []struct {
		name        string
		advance     time.Duration
		kid         string
		publish     bool // add the kid to the served set before the lookup
		wantFound   bool
		wantFetches int
	}{
		{name: "first unknown kid refetches", kid: "u1", wantFetches: 2},
		{name: "another unknown kid in the cooldown does not", kid: "u2", wantFetches: 2},
		{name: "nor does a kid published meanwhile", kid: "new", publish: true, advance: testCooldown - time.Nanosecond, wantFetches: 2},
		{name: "the cooldown over, one more fetch finds it", kid: "new", advance: time.Nanosecond, wantFound: true, wantFetches: 3},
		{name: "then the cooldown starts again", kid: "u3", advance: time.Second, wantFetches: 3},
		{name: "known kids still work meanwhile", kid: "rsa", wantFound: true, wantFetches: 3},
		{name: "and after it one more", kid: "u4", advance: testCooldown, wantFetches: 4},
	}
	for _, st := range steps {
		t.Run(st.name, func(t *testing.T) {
			if st.publish {
				f.srv.setBody(jwksJSON(t, jwkJSON(t, &k.rsa.PublicKey, "rsa", RS256, "sig"), jwkJSON(t, &k.p384.PublicKey, "new", ES384, "sig")))
			}
			f.clock.Advance(st.advance)
			alg := RS256
			if st.kid == "new" {
				alg = ES384
			}
			key, err := f.r.Key(ctx, st.kid, alg)
			if st.wantFound {
				require.NoError(t, err)
				assert.Equal(t, st.kid, key.ID())
			} else {
				require.ErrorIs(t, err, ErrKeyNotFound)
				assert.NotErrorIs(t, err, ErrUnavailable, "an unknown kid is the token's fault while the issuer answers")
			}
			assert.Equal(t, st.wantFetches, f.fetches())
		})
	}
}

func TestRemoteConcurrentUnknownKids(t *testing.T) {
	f := newRemoteFixture(t, RemoteConfig{})
	ctx := context.Background()
	require.NoError(t, f.r.Prefetch(ctx))

	const n = 1000
	errs := make([]error, n)
	start := make(chan struct{})
	var wg sync.WaitGroup
	for i := range n {
		wg.Add(1)
		go func() {
			defer wg.Done()
			<-start
			_, errs[i] = f.r.Key(ctx, rand.Text(), RS256)
		}()
	}
	close(start)
	wg.Wait()

	for _, err := range errs {
		require.ErrorIs(t, err, ErrKeyNotFound)
	}
	assert.Equal(t, 2, f.fetches(), "the initial fetch and one shared refetch")
	assert.Equal(t, uint64(2), f.r.Stats().Fetches)
}

// TestRemoteRotationUnderLoad: while the refetch that a new kid started is
// held at the server, 1,000 concurrent lookups (the new kid and random junk)
// all join it, a known kid is served at once, and when it lands the new kid
// works for everyone, the junk is refused, and the server saw one refetch.
func TestRemoteRotationUnderLoad(t *testing.T) {
	k := testKeys(t)
	f := newRemoteFixture(t, RemoteConfig{})
	ctx := context.Background()
	require.NoError(t, f.r.Prefetch(ctx))
	f.srv.setBody(jwksJSON(t,
		jwkJSON(t, &k.rsa.PublicKey, "rsa", RS256, "sig"),
		jwkJSON(t, &k.p256.PublicKey, "rotated", ES256, "sig"),
	))
	g := newGate(t)
	f.srv.handle(jwksPath, g.wrap(f.srv.defaultHandler(jwksPath)))

	const n = 1000
	type result struct {
		kid string
		key *Key
		err error
	}
	results := make(chan result, n)
	waiting := make(chan struct{}, n)
	lookup := func(kid string) {
		key, err := f.r.Key(&waitingCtx{Context: ctx, waiting: waiting}, kid, "")
		results <- result{kid, key, err}
	}
	go lookup("rotated")
	g.waitArrived()
	for i := range n - 1 {
		if i%3 == 0 {
			go lookup("rotated")
		} else {
			go lookup(rand.Text())
		}
	}
	for range n {
		<-waiting
	}
	known, err := f.r.Key(ctx, "rsa", RS256)
	require.NoError(t, err, "a known kid does not wait on the refetch")
	assert.Equal(t, "rsa", known.ID())
	assert.Equal(t, 2, f.fetches(), "the first fetch and the one held")

	g.release()
	rotated := 0
	for range n {
		res := <-results
		if res.kid == "rotated" {
			require.NoError(t, res.err)
			assert.Equal(t, "rotated", res.key.ID())
			rotated++
		} else {
			require.ErrorIs(t, res.err, ErrKeyNotFound)
		}
	}
	assert.Equal(t, 1+(n-1+2)/3, rotated)
	assert.Equal(t, 2, f.fetches())
	assert.Equal(t, uint64(2), f.r.Stats().Fetches)
}

func TestRemoteConcurrentLookupsShareOneFetch(t *testing.T) {
	f := newRemoteFixture(t, RemoteConfig{})
	g := newGate(t)
	f.srv.handle(jwksPath, g.wrap(f.srv.defaultHandler(jwksPath)))

	// The first lookup starts the fetch, which the server holds; everyone
	// after it joins that fetch instead of starting another.
	const n = 50
	type result struct {
		key *Key
		err error
	}
	results := make(chan result, n)
	waiting := make(chan struct{}, n)
	lookup := func() {
		key, err := f.r.Key(&waitingCtx{Context: context.Background(), waiting: waiting}, "ec", ES256)
		results <- result{key, err}
	}
	go lookup()
	g.waitArrived()
	for range n - 1 {
		go lookup()
	}
	for range n {
		<-waiting
	}
	assert.Equal(t, 1, f.fetches(), "every lookup waits on the one fetch")

	g.release()
	for range n {
		res := <-results
		require.NoError(t, res.err)
		assert.Equal(t, "ec", res.key.ID())
	}
	assert.Equal(t, 1, f.fetches())
	assert.Equal(t, uint64(1), f.r.Stats().Fetches)
}

func TestRemoteRequestCancelledWhileWaiting(t *testing.T) {
	f := newRemoteFixture(t, RemoteConfig{})
	g := newGate(t)
	f.srv.handle(jwksPath, g.wrap(f.srv.defaultHandler(jwksPath)))

	ctx, cancel := context.WithCancel(context.Background())
	first := make(chan error, 1)
	go func() {
		_, err := f.r.Key(ctx, "rsa", RS256)
		first <- err
	}()
	g.waitArrived()

	type result struct {
		key *Key
		err error
	}
	second := make(chan result, 1)
	waiting := make(chan struct{}, 1)
	go func() {
		key, err := f.r.Key(&waitingCtx{Context: context.Background(), waiting: waiting}, "rsa", RS256)
		second <- result{key, err}
	}()
	<-waiting // the second lookup shares the fetch the first one started

	cancel()
	err := <-first
	require.ErrorIs(t, err, context.Canceled)
	requireUnavailable(t, err)

	g.release()
	res := <-second
	require.NoError(t, res.err, "the shared fetch outlives the request that started it")
	assert.Equal(t, "rsa", res.key.ID())
	assert.Equal(t, 1, f.fetches())
	assert.Zero(t, f.r.Stats().Failures)
}

func TestRemoteBackgroundRefresh(t *testing.T) {
	k := testKeys(t)
	const ttl = 4 * time.Minute // refreshed after 3
	f := newRemoteFixture(t, RemoteConfig{CacheTTL: ttl})
	ctx := context.Background()
	require.NoError(t, f.r.Prefetch(ctx))
	fetchedAt := f.clock.Now()

	f.clock.Advance(3*time.Minute - time.Nanosecond)
	_, err := f.r.Key(ctx, "rsa", RS256)
	require.NoError(t, err)
	assert.Nil(t, inflight(f.r), "not yet due")
	assert.Equal(t, 1, f.fetches())

	// The issuer adds a key; the refresh will be held at the server so that
	// the test sees lookups answered while it is in flight.
	f.srv.setBody(jwksJSON(t,
		jwkJSON(t, &k.rsa.PublicKey, "rsa", RS256, "sig"),
		jwkJSON(t, &k.p521.PublicKey, "added", ES512, "sig"),
	))
	g := newGate(t)
	f.srv.handle(jwksPath, g.wrap(f.srv.defaultHandler(jwksPath)))

	f.clock.Advance(time.Nanosecond) // exactly three quarters of the TTL
	key, err := f.r.Key(ctx, "rsa", RS256)
	require.NoError(t, err, "served from the cache while the refresh is held at the server")
	assert.Equal(t, "rsa", key.ID())
	g.waitArrived()
	require.NotNil(t, inflight(f.r), "the lookup started a background refresh")

	for range 5 {
		_, err := f.r.Key(ctx, "ec", ES256) // still in the old set
		require.NoError(t, err)
	}
	assert.Equal(t, fetchedAt, f.r.Stats().FetchedAt, "old keys in use until the refresh lands")

	g.release()
	waitFetch(t, f.r)
	assert.Equal(t, 2, f.fetches(), "exactly one refresh")

	st := f.r.Stats()
	assert.Equal(t, f.clock.Now(), st.FetchedAt)
	assert.Equal(t, f.clock.Now().Add(ttl), st.ExpiresAt)
	assert.Equal(t, 2, st.Keys)

	key, err = f.r.Key(ctx, "added", ES512)
	require.NoError(t, err, "the refreshed set is in use")
	assert.Equal(t, "added", key.ID())
	_, err = f.r.Key(ctx, "ec", ES256)
	require.ErrorIs(t, err, ErrKeyNotFound, "a key the issuer withdrew is gone")
	assert.Equal(t, 3, f.fetches(), "the withdrawn kid cost one miss fetch")

	// The next refresh is three quarters of a TTL after this one.
	f.clock.Advance(3*time.Minute - time.Nanosecond)
	_, err = f.r.Key(ctx, "rsa", RS256)
	require.NoError(t, err)
	assert.Nil(t, inflight(f.r))
	assert.Equal(t, 3, f.fetches())
}

func TestRemoteCacheControl(t *testing.T) {
	tests := []struct {
		name         string
		cacheControl string
		cacheTTL     time.Duration
		wantTTL      time.Duration
	}{
		{name: "no header takes the default", wantTTL: DefaultCacheTTL},
		{name: "max-age within bounds", cacheControl: "public, max-age=7200", wantTTL: 2 * time.Hour},
		{name: "max-age at the lower bound", cacheControl: "max-age=60", wantTTL: MinServerCacheTTL},
		{name: "max-age below the lower bound", cacheControl: "max-age=5", wantTTL: MinServerCacheTTL},
		{name: "no-cache is the lower bound", cacheControl: "no-cache", wantTTL: MinServerCacheTTL},
		{name: "no-store is the lower bound", cacheControl: "no-store", wantTTL: MinServerCacheTTL},
		{name: "max-age above the upper bound", cacheControl: "max-age=31536000", wantTTL: MaxServerCacheTTL},
		{name: "unparsable max-age takes the default", cacheControl: "max-age=tomorrow", wantTTL: DefaultCacheTTL},
		{name: "CacheTTL overrides max-age", cacheControl: "max-age=7200", cacheTTL: 90 * time.Second, wantTTL: 90 * time.Second},
		{name: "CacheTTL below the server bound is honoured", cacheControl: "max-age=7200", cacheTTL: time.Second, wantTTL: time.Second},
		{name: "CacheTTL overrides no-store", cacheControl: "no-store", cacheTTL: 48 * time.Hour, wantTTL: 48 * time.Hour},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := newRemoteFixture(t, RemoteConfig{CacheTTL: tt.cacheTTL})
			f.srv.setCacheControl(tt.cacheControl)
			require.NoError(t, f.r.Prefetch(context.Background()))

			st := f.r.Stats()
			assert.Equal(t, tt.wantTTL, st.ExpiresAt.Sub(st.FetchedAt))
			cache := f.r.cache.Load()
			assert.Equal(t, tt.wantTTL-tt.wantTTL/4, cache.refreshAt.Sub(cache.fetchedAt))

			// The refresh happens at three quarters of that TTL (the
			// fixture's draw is the middle of the window), not before.
			f.clock.Advance(tt.wantTTL - tt.wantTTL/4 - time.Nanosecond)
			require.NoError(t, f.r.Prefetch(context.Background()))
			assert.Equal(t, 1, f.fetches())
			f.clock.Advance(time.Nanosecond)
			require.NoError(t, f.r.Prefetch(context.Background()))
			assert.Equal(t, 2, f.fetches())
		})
	}
}

// fault is one way a key server can fail.
type fault struct {
	name    string
	handler func(t *testing.T, f *remoteFixture) http.Handler
	wantErr error  // matched with errors.Is when not nil
	errText string // else the error contains this
	// timeout, when set, replaces the fetch timeout once the fault is in
	// place. Only the hanging server needs a short one; a short timeout for
	// the good fetch before it would make the test depend on the machine's
	// speed.
	timeout time.Duration
}

func faults() []fault {
	return []fault{
		{name: "500", handler: func(*testing.T, *remoteFixture) http.Handler { return answerStatus(http.StatusInternalServerError) }, wantErr: ErrFetchStatus},
		{name: "404", handler: func(*testing.T, *remoteFixture) http.Handler { return answerStatus(http.StatusNotFound) }, wantErr: ErrFetchStatus},
		{name: "204", handler: func(*testing.T, *remoteFixture) http.Handler { return answerStatus(http.StatusNoContent) }, wantErr: ErrFetchStatus},
		{name: "garbage body", handler: func(*testing.T, *remoteFixture) http.Handler {
			return answerBody([]byte("<html>upstream error</html>"))
		}, errText: "not a JWK Set"},
		{name: "truncated JSON", handler: func(t *testing.T, _ *remoteFixture) http.Handler {
			b := goodSet(t)
			return answerBody(b[:len(b)/2])
		}, errText: "not a JWK Set"},
		{name: "empty key set", handler: func(*testing.T, *remoteFixture) http.Handler { return answerBody([]byte(`{"keys":[]}`)) }, wantErr: ErrNoUsableKeys},
		{name: "no usable key", handler: func(t *testing.T, _ *remoteFixture) http.Handler {
			k := testKeys(t)
			return answerBody(jwksJSON(t, jwkJSON(t, &k.rsa1024.PublicKey, "rsa", RS256, "sig"), jwkJSON(t, hmacSecret(32), "hs", HS256, "sig")))
		}, wantErr: ErrNoUsableKeys},
		{name: "body over MaxResponseBytes", handler: func(t *testing.T, f *remoteFixture) http.Handler {
			b := goodSet(t)
			padded := append(append([]byte{}, b[:len(b)-1]...), strings.Repeat(" ", int(f.r.maxBytes)-len(b)+1)...)
			padded = append(padded, '}')
			require.True(t, json.Valid(padded))
			return answerBody(padded)
		}, wantErr: ErrFetchTooLarge},
		{name: "timeout", handler: func(*testing.T, *remoteFixture) http.Handler { return hang }, wantErr: context.DeadlineExceeded, timeout: 50 * time.Millisecond},
		{name: "redirect to another origin", handler: func(t *testing.T, f *remoteFixture) http.Handler {
			other := newKeyServer(t, goodSet(t))
			t.Cleanup(func() { assert.Zero(t, other.requests(jwksPath), "the other origin was asked") })
			return http.RedirectHandler(other.URL(), http.StatusFound)
		}, wantErr: ErrRedirect},
	}
}

// faultConfig bounds the body just above the good set.
func faultConfig(t testing.TB) RemoteConfig {
	return RemoteConfig{MaxResponseBytes: int64(len(goodSet(t)) + 64)}
}

// inject puts the fault in place. The fetch timeout, where the fault sets
// one, is real time: the only real time these tests spend waiting. It is
// written while no fetch runs; the next fetch's goroutine starts after it.
func (ft fault) inject(t *testing.T, f *remoteFixture) {
	f.srv.handle(jwksPath, ft.handler(t, f))
	if ft.timeout > 0 {
		require.Nil(t, inflight(f.r))
		f.r.timeout = ft.timeout
	}
}

func assertFault(t *testing.T, ft fault, err error) {
	t.Helper()
	require.Error(t, err)
	if ft.wantErr != nil {
		assert.ErrorIs(t, err, ft.wantErr)
	} else {
		assert.Contains(t, err.Error(), ft.errText)
	}
}

func TestRemoteFaultAtStartup(t *testing.T) {
	for _, ft := range faults() {
		t.Run(ft.name, func(t *testing.T) {
			f := newRemoteFixture(t, faultConfig(t))
			ft.inject(t, f)

			_, err := f.r.Key(context.Background(), "rsa", RS256)
			ue := requireUnavailable(t, err)
			assert.Equal(t, testCooldown, ue.RetryAfter)
			assertFault(t, ft, ue.Cause)
			assertFault(t, ft, lastErr(f.r))

			st := f.r.Stats()
			assert.Equal(t, uint64(1), st.Fetches)
			assert.Equal(t, uint64(1), st.Failures)
			assert.Zero(t, st.Keys)
			assert.NotEmpty(t, st.LastError)
			assert.True(t, st.LastSuccess.IsZero())
		})
	}
}

func TestRemoteFaultKeepsLastGoodKeys(t *testing.T) {
	for _, ft := range faults() {
		t.Run(ft.name, func(t *testing.T) {
			f := newRemoteFixture(t, faultConfig(t))
			ctx := context.Background()
			require.NoError(t, f.r.Prefetch(ctx))
			good := f.r.Stats()

			ft.inject(t, f)
			f.clock.Advance(DefaultCacheTTL) // past the refresh point
			key, err := f.r.Key(ctx, "rsa", RS256)
			require.NoError(t, err)
			assert.Equal(t, "rsa", key.ID())
			waitFetch(t, f.r)
			assert.Equal(t, 2, f.fetches())
			assertFault(t, ft, lastErr(f.r))

			// The last good keys stay in use, and the failure is not retried
			// on every request.
			for _, l := range []struct{ kid, alg string }{{"rsa", RS256}, {"ec", ES256}, {"ed", EdDSA}} {
				key, err := f.r.Key(ctx, l.kid, l.alg)
				require.NoError(t, err)
				assert.Equal(t, l.kid, key.ID())
			}
			require.NoError(t, f.r.Prefetch(ctx), "keys are available")
			assert.Nil(t, inflight(f.r))
			assert.Equal(t, 2, f.fetches())

			// An unknown kid cannot be told apart from a rotation the
			// failing issuer could not publish: unavailable, not invalid.
			_, err = f.r.Key(ctx, "rotated", RS256)
			ue := requireUnavailable(t, err)
			assertFault(t, ft, ue.Cause)
			assert.Equal(t, 2, f.fetches())

			st := f.r.Stats()
			assert.Equal(t, uint64(2), st.Fetches)
			assert.Equal(t, uint64(1), st.Failures)
			assert.Equal(t, 3, st.Keys)
			assert.Equal(t, good.FetchedAt, st.FetchedAt)
			assert.Equal(t, good.LastSuccess, st.LastSuccess)
			assert.NotEmpty(t, st.LastError)
		})
	}
}

func TestRemoteSameOriginRedirect(t *testing.T) {
	f := newRemoteFixture(t, RemoteConfig{})
	f.srv.handle("/old/jwks", http.RedirectHandler(jwksPath, http.StatusMovedPermanently))
	r, err := NewRemote(RemoteConfig{URL: f.srv.srv.URL + "/old/jwks", Now: f.clock.Now})
	require.NoError(t, err)

	key, err := r.Key(context.Background(), "ed", EdDSA)
	require.NoError(t, err)
	assert.Equal(t, "ed", key.ID())
	assert.Equal(t, 1, f.srv.requests("/old/jwks"))
	assert.Equal(t, 1, f.fetches())
}

func TestRemoteSkipsBadKeys(t *testing.T) {
	k := testKeys(t)
	f := newRemoteFixture(t, RemoteConfig{})
	f.srv.setBody(jwksJSON(t,
		jwkJSON(t, &k.rsa1024.PublicKey, "weak", RS256, "sig"),
		jwkJSON(t, &k.rsa.PublicKey, "good-rsa", RS256, "sig"),
		jwkJSON(t, hmacSecret(32), "secret", HS256, "sig"),
		jwkJSON(t, &k.p384.PublicKey, "enc", "", "enc"),
		jwkJSON(t, k.p256, "private", ES256, "sig"),
		jwkJSON(t, &k.p256.PublicKey, "good-ec", ES256, "sig"),
		jwkJSON(t, &k.rsa2.PublicKey, "good-rsa", RS256, "sig"), // duplicate kid: dropped
	))
	ctx := context.Background()
	require.NoError(t, f.r.Prefetch(ctx))
	assert.Equal(t, 2, f.r.Stats().Keys)

	for _, kid := range []string{"good-rsa", "good-ec"} {
		key, err := f.r.Key(ctx, kid, map[string]string{"good-rsa": RS256, "good-ec": ES256}[kid])
		require.NoError(t, err)
		assert.Equal(t, kid, key.ID())
	}
	key, _ := f.r.Key(ctx, "good-rsa", RS256)
	assert.Equal(t, &k.rsa.PublicKey, key.Public(), "the first key with a kid wins")

	log := f.log.String()
	assert.Equal(t, 5, strings.Count(log, "jwks key skipped"), log)
	assert.Contains(t, log, "duplicate kid")
	assert.Contains(t, log, "symmetric")

	for _, kid := range []string{"weak", "secret", "enc", "private"} {
		_, err := f.r.Key(ctx, kid, RS256)
		assert.ErrorIs(t, err, ErrKeyNotFound, kid)
	}
}

func TestRemoteStartupFailureRecovers(t *testing.T) {
	f := newRemoteFixture(t, RemoteConfig{})
	f.srv.handle(jwksPath, answerStatus(http.StatusServiceUnavailable))
	ctx := context.Background()

	_, err := f.r.Key(ctx, "rsa", RS256)
	ue := requireUnavailable(t, err)
	assert.Equal(t, testCooldown, ue.RetryAfter)
	var se *StatusError
	require.ErrorAs(t, err, &se)
	assert.Equal(t, http.StatusServiceUnavailable, se.Code())

	steps := []struct {
		advance     time.Duration
		recover     bool
		wantRetry   time.Duration // 0: keys expected
		wantFetches int
	}{
		{advance: 10 * time.Second, wantRetry: 20 * time.Second, wantFetches: 1},
		{advance: 0, recover: true, wantRetry: 20 * time.Second, wantFetches: 1},
		{advance: 20*time.Second - time.Nanosecond, wantRetry: time.Nanosecond, wantFetches: 1},
		{advance: time.Nanosecond, wantFetches: 2},
	}
	for _, st := range steps {
		f.clock.Advance(st.advance)
		if st.recover {
			f.srv.handle(jwksPath, nil)
		}
		key, err := f.r.Key(ctx, "rsa", RS256)
		if st.wantRetry == 0 {
			require.NoError(t, err, "no lockout beyond the cooldown")
			assert.Equal(t, "rsa", key.ID())
		} else {
			ue := requireUnavailable(t, err)
			assert.Equal(t, st.wantRetry, ue.RetryAfter)
			assert.LessOrEqual(t, ue.RetryAfter, testCooldown)
			require.ErrorAs(t, err, &se, "the cause is the last failure")

			// Prefetch, a readiness probe, reports the same without fetching.
			ue = requireUnavailable(t, f.r.Prefetch(ctx))
			assert.Equal(t, st.wantRetry, ue.RetryAfter)
		}
		assert.Equal(t, st.wantFetches, f.fetches())
	}
	st := f.r.Stats()
	assert.Empty(t, st.LastError)
	assert.Equal(t, uint64(1), st.Failures)
}

func TestRemoteUnknownKidWhileFailing(t *testing.T) {
	k := testKeys(t)
	f := newRemoteFixture(t, RemoteConfig{})
	ctx := context.Background()
	require.NoError(t, f.r.Prefetch(ctx))

	f.srv.handle(jwksPath, answerStatus(http.StatusBadGateway))
	_, err := f.r.Key(ctx, "rotated", RS256)
	ue := requireUnavailable(t, err)
	assert.Equal(t, testCooldown, ue.RetryAfter)
	assert.ErrorIs(t, err, ErrFetchStatus)
	assert.Equal(t, 2, f.fetches())

	_, err = f.r.Key(ctx, "rsa", RS256)
	require.NoError(t, err, "known kids keep working")

	f.clock.Advance(5 * time.Second)
	_, err = f.r.Key(ctx, "another", RS256)
	ue = requireUnavailable(t, err)
	assert.Equal(t, testCooldown-5*time.Second, ue.RetryAfter)
	assert.Equal(t, 2, f.fetches(), "no fetch while failing")

	f.srv.setBody(jwksJSON(t, jwkJSON(t, &k.rsa.PublicKey, "rsa", RS256, "sig"), jwkJSON(t, &k.rsa2.PublicKey, "rotated", RS256, "sig")))
	f.srv.handle(jwksPath, nil)
	f.clock.Advance(testCooldown)
	key, err := f.r.Key(ctx, "rotated", RS256)
	require.NoError(t, err)
	assert.Equal(t, &k.rsa2.PublicKey, key.Public())
	assert.Equal(t, 3, f.fetches())
}

func TestRemotePrefetch(t *testing.T) {
	ctx := context.Background()

	t.Run("success", func(t *testing.T) {
		f := newRemoteFixture(t, RemoteConfig{})
		require.NoError(t, f.r.Prefetch(ctx))
		require.NoError(t, f.r.Prefetch(ctx), "fresh keys: nothing to do")
		assert.Equal(t, 1, f.fetches())
		_, err := f.r.Key(ctx, "rsa", RS256)
		require.NoError(t, err)
		assert.Equal(t, 1, f.fetches())

		f.clock.Advance(DefaultCacheTTL * 3 / 4)
		require.NoError(t, f.r.Prefetch(ctx), "due: fetches and waits")
		assert.Equal(t, 2, f.fetches())
		assert.Nil(t, inflight(f.r))
	})

	t.Run("failure", func(t *testing.T) {
		f := newRemoteFixture(t, RemoteConfig{})
		f.srv.handle(jwksPath, answerStatus(http.StatusInternalServerError))
		ue := requireUnavailable(t, f.r.Prefetch(ctx))
		assert.Equal(t, testCooldown, ue.RetryAfter)
		assert.ErrorIs(t, ue, ErrFetchStatus)

		f.clock.Advance(time.Second)
		ue = requireUnavailable(t, f.r.Prefetch(ctx))
		assert.Equal(t, testCooldown-time.Second, ue.RetryAfter)
		assert.Equal(t, 1, f.fetches(), "no fetch during the cooldown")

		f.srv.handle(jwksPath, nil)
		f.clock.Advance(testCooldown)
		require.NoError(t, f.r.Prefetch(ctx))
		assert.Equal(t, 2, f.fetches())
	})

	t.Run("failure with cached keys is not an error", func(t *testing.T) {
		f := newRemoteFixture(t, RemoteConfig{})
		require.NoError(t, f.r.Prefetch(ctx))
		f.srv.handle(jwksPath, answerStatus(http.StatusInternalServerError))
		f.clock.Advance(DefaultCacheTTL)
		require.NoError(t, f.r.Prefetch(ctx))
		assert.Equal(t, 2, f.fetches())
		assert.Equal(t, uint64(1), f.r.Stats().Failures)
	})

	t.Run("cancelled while waiting", func(t *testing.T) {
		f := newRemoteFixture(t, RemoteConfig{})
		g := newGate(t)
		f.srv.handle(jwksPath, g.wrap(f.srv.defaultHandler(jwksPath)))
		cctx, cancel := context.WithCancel(ctx)
		done := make(chan error, 1)
		go func() { done <- f.r.Prefetch(cctx) }()
		g.waitArrived()
		cancel()
		require.ErrorIs(t, <-done, context.Canceled)

		g.release()
		waitFetch(t, f.r)
		assert.Equal(t, 3, f.r.Stats().Keys, "the fetch completed for everyone else")
	})
}

func TestRemoteStats(t *testing.T) {
	f := newRemoteFixture(t, RemoteConfig{CacheTTL: 10 * time.Minute})
	ctx := context.Background()

	assert.Equal(t, Stats{JWKSURL: f.srv.URL()}, f.r.Stats())

	require.NoError(t, f.r.Prefetch(ctx))
	t0 := f.clock.Now()
	assert.Equal(t, Stats{
		Fetches:   1,
		Keys:      3,
		FetchedAt: t0,
		ExpiresAt: t0.Add(10 * time.Minute),
		JWKSURL:   f.srv.URL(),
	}, withoutLastSuccess(t, f.r.Stats(), t0))

	f.srv.handle(jwksPath, answerStatus(http.StatusInternalServerError))
	f.clock.Advance(10 * time.Minute)
	require.NoError(t, f.r.Prefetch(ctx))
	st := f.r.Stats()
	assert.Equal(t, uint64(2), st.Fetches)
	assert.Equal(t, uint64(1), st.Failures)
	assert.Contains(t, st.LastError, "500")
	assert.Contains(t, st.LastError, f.srv.URL())
	assert.Equal(t, 3, st.Keys)
	assert.Equal(t, t0, st.FetchedAt)
	assert.True(t, st.LastSuccess.Equal(t0))

	f.srv.handle(jwksPath, nil)
	f.clock.Advance(testCooldown)
	require.NoError(t, f.r.Prefetch(ctx))
	st = f.r.Stats()
	assert.Equal(t, uint64(3), st.Fetches)
	assert.Equal(t, uint64(1), st.Failures)
	assert.Empty(t, st.LastError, "cleared by a success")
	assert.True(t, st.LastSuccess.Equal(f.clock.Now()))
	assert.Equal(t, f.clock.Now(), st.FetchedAt)
}

// withoutLastSuccess checks LastSuccess, which loses its location on the way
// through Unix nanoseconds, and clears it for comparing the rest.
func withoutLastSuccess(t testing.TB, st Stats, want time.Time) Stats {
	t.Helper()
	assert.True(t, st.LastSuccess.Equal(want), "LastSuccess %v, want %v", st.LastSuccess, want)
	st.LastSuccess = time.Time{}
	return st
}

func TestRemoteLogger(t *testing.T) {
	k := testKeys(t)
	f := newRemoteFixture(t, RemoteConfig{})
	ctx := context.Background()
	const secretKid = "kid-from-a-token-7f3a9c"

	f.srv.setBody(jwksJSON(t, jwkJSON(t, &k.rsa.PublicKey, "rsa", RS256, "sig"), jwkJSON(t, &k.rsa1024.PublicKey, "weak", RS256, "sig")))
	_, err := f.r.Key(ctx, secretKid, RS256) // the first fetch
	require.ErrorIs(t, err, ErrKeyNotFound)
	_, err = f.r.Key(ctx, secretKid, RS256) // an unknown kid's refetch
	require.ErrorIs(t, err, ErrKeyNotFound)
	f.srv.handle(jwksPath, answerStatus(http.StatusInternalServerError))
	f.clock.Advance(testCooldown)
	_, err = f.r.Key(ctx, secretKid, RS256) // a failed refetch
	requireUnavailable(t, err)
	_, err = f.r.Key(ctx, secretKid, RS256) // refused without a fetch: nothing to log
	requireUnavailable(t, err)

	log := f.log.String()
	lines := strings.Split(strings.TrimSpace(log), "\n")
	var events []string
	for _, line := range lines {
		_, msg, _ := strings.Cut(line, "msg=")
		switch {
		case strings.HasPrefix(msg, `"jwks fetched"`):
			events = append(events, "fetched")
			assert.Contains(t, line, "level=INFO")
			assert.Contains(t, line, "keys=1")
			assert.Contains(t, line, "url="+f.srv.URL())
		case strings.HasPrefix(msg, `"jwks key skipped"`):
			events = append(events, "skipped")
			assert.Contains(t, line, "level=WARN")
			assert.Contains(t, line, "1024")
		case strings.HasPrefix(msg, `"jwks fetch failed"`):
			events = append(events, "failed")
			assert.Contains(t, line, "level=WARN")
			assert.Contains(t, line, "500")
			assert.Contains(t, line, "keeping_keys=true")
		default:
			t.Errorf("unexpected log line: %s", line)
		}
	}
	assert.Equal(t, []string{"skipped", "fetched", "skipped", "fetched", "failed"}, events, log)
	assert.NotContains(t, log, secretKid, "a token's kid must never be logged")
}

// drawAt returns a jitter that draws the point num/den into its window, and
// records every window it was asked to draw from.
func drawAt(num, den time.Duration, windows *[]time.Duration) func(time.Duration) time.Duration {
	return func(window time.Duration) time.Duration {
		*windows = append(*windows, window)
		return window * num / den
	}
}

func TestRemoteRefreshJitter(t *testing.T) {
	tests := []struct {
		name         string
		cacheTTL     time.Duration // explicit, or 0 for the server's or the default
		cacheControl string
		num, den     time.Duration // the draw: num/den of the window
		wantTTL      time.Duration // how long the keys are fresh: unchanged by jitter
		wantRefresh  time.Duration // after the fetch
	}{
		{name: "earliest draw: 7/10 of the TTL", cacheTTL: 10 * time.Minute, num: 0, den: 1, wantTTL: 10 * time.Minute, wantRefresh: 7 * time.Minute},
		{name: "latest draw: 8/10 of the TTL", cacheTTL: 10 * time.Minute, num: 1, den: 1, wantTTL: 10 * time.Minute, wantRefresh: 8 * time.Minute},
		{name: "middle draw: three quarters", cacheTTL: 10 * time.Minute, num: 1, den: 2, wantTTL: 10 * time.Minute, wantRefresh: 7*time.Minute + 30*time.Second},
		{name: "a third into the window", cacheTTL: 10 * time.Minute, num: 1, den: 3, wantTTL: 10 * time.Minute, wantRefresh: 7*time.Minute + 20*time.Second},
		{name: "default TTL", num: 1, den: 4, wantTTL: DefaultCacheTTL, wantRefresh: 7*time.Minute + 15*time.Second},
		{name: "explicit TTL of a second is honoured", cacheTTL: time.Second, num: 1, den: 1, wantTTL: time.Second, wantRefresh: 800 * time.Millisecond},
		{name: "explicit TTL overrides the server's max-age", cacheTTL: 90 * time.Second, cacheControl: "max-age=7200", num: 0, den: 1, wantTTL: 90 * time.Second, wantRefresh: 63 * time.Second},
		{name: "server's max-age", cacheControl: "max-age=7200", num: 1, den: 1, wantTTL: 2 * time.Hour, wantRefresh: 96 * time.Minute},
		{name: "server's max-age below the bound", cacheControl: "max-age=5", num: 0, den: 1, wantTTL: MinServerCacheTTL, wantRefresh: 42 * time.Second},
		{name: "server's no-store", cacheControl: "no-store", num: 1, den: 1, wantTTL: MinServerCacheTTL, wantRefresh: 48 * time.Second},
		{name: "server's max-age above the bound", cacheControl: "max-age=31536000", num: 1, den: 2, wantTTL: MaxServerCacheTTL, wantRefresh: 18 * time.Hour},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := newRemoteFixture(t, RemoteConfig{CacheTTL: tt.cacheTTL})
			var windows []time.Duration
			f.r.jitter = drawAt(tt.num, tt.den, &windows)
			f.srv.setCacheControl(tt.cacheControl)
			ctx := context.Background()
			require.NoError(t, f.r.Prefetch(ctx))

			assert.Equal(t, []time.Duration{tt.wantTTL / 10}, windows, "one draw per fetch, from a window a tenth of the TTL wide")
			st := f.r.Stats()
			assert.Equal(t, tt.wantTTL, st.ExpiresAt.Sub(st.FetchedAt), "jitter moves the refresh, not the expiry")
			cache := f.r.cache.Load()
			refresh := cache.refreshAt.Sub(cache.fetchedAt)
			assert.Equal(t, tt.wantRefresh, refresh, "the point the draw picked")
			assert.GreaterOrEqual(t, refresh, tt.wantTTL*7/10, "inside the window")
			assert.LessOrEqual(t, refresh, tt.wantTTL*8/10, "inside the window")

			// Neither a lookup nor a readiness probe refreshes before that
			// point; a lookup at it starts the refresh in the background.
			f.clock.Advance(tt.wantRefresh - time.Nanosecond)
			_, err := f.r.Key(ctx, "rsa", RS256)
			require.NoError(t, err)
			require.NoError(t, f.r.Prefetch(ctx))
			assert.Nil(t, inflight(f.r))
			assert.Equal(t, 1, f.fetches(), "not due a nanosecond before the drawn point")

			f.clock.Advance(time.Nanosecond)
			_, err = f.r.Key(ctx, "rsa", RS256)
			require.NoError(t, err)
			waitFetch(t, f.r)
			assert.Equal(t, 2, f.fetches(), "due at the drawn point")
			assert.Len(t, windows, 2, "the refresh drew its own point")
		})
	}
}

// TestRemoteRefreshJitterSpreadsReplicas: key sets started together, as
// replicas of one service are, refresh at the instants their draws pick.
func TestRemoteRefreshJitterSpreadsReplicas(t *testing.T) {
	srv := newKeyServer(t, goodSet(t))
	clock := newTestClock()
	const ttl = 10 * time.Minute
	replica := func(t *testing.T, jitter func(time.Duration) time.Duration) *Remote {
		r, err := NewRemote(RemoteConfig{URL: srv.URL(), Now: clock.Now, CacheTTL: ttl, Logger: slog.New(slog.DiscardHandler)})
		require.NoError(t, err)
		if jitter != nil {
			r.jitter = jitter
		}
		require.NoError(t, r.Prefetch(context.Background()))
		return r
	}

	t.Run("different draws, different instants", func(t *testing.T) {
		var ignored []time.Duration
		early := replica(t, drawAt(1, 10, &ignored)) // 7 min 6 s
		late := replica(t, drawAt(9, 10, &ignored))  // 7 min 54 s
		start := clock.Now()
		ctx := context.Background()

		steps := []struct {
			at                  time.Duration // since both fetched
			earlyWant, lateWant uint64        // fetches so far
		}{
			{at: 7*time.Minute + 6*time.Second - time.Nanosecond, earlyWant: 1, lateWant: 1},
			{at: 7*time.Minute + 6*time.Second, earlyWant: 2, lateWant: 1},
			{at: 7*time.Minute + 54*time.Second - time.Nanosecond, earlyWant: 2, lateWant: 1},
			{at: 7*time.Minute + 54*time.Second, earlyWant: 2, lateWant: 2},
		}
		for _, st := range steps {
			clock.Advance(start.Add(st.at).Sub(clock.Now()))
			require.NoError(t, early.Prefetch(ctx))
			require.NoError(t, late.Prefetch(ctx))
			assert.Equal(t, st.earlyWant, early.Stats().Fetches, "early replica at %s", st.at)
			assert.Equal(t, st.lateWant, late.Stats().Fetches, "late replica at %s", st.at)
		}
	})

	t.Run("the real draw spreads replicas within the window", func(t *testing.T) {
		points := map[time.Duration]bool{}
		for range 20 {
			r := replica(t, nil)
			cache := r.cache.Load()
			refresh := cache.refreshAt.Sub(cache.fetchedAt)
			assert.GreaterOrEqual(t, refresh, 7*time.Minute)
			assert.LessOrEqual(t, refresh, 8*time.Minute)
			points[refresh] = true
		}
		// A minute of nanoseconds to draw from: twenty replicas landing on
		// fewer than two points would mean there is no jitter at all.
		assert.Greater(t, len(points), 1, "twenty replicas refresh at one instant")
	})

	t.Run("the real draw copes with a window of zero", func(t *testing.T) {
		r, err := NewRemote(RemoteConfig{URL: srv.URL()})
		require.NoError(t, err)
		for _, ttl := range []time.Duration{1, 5, 9, 10, 11} {
			got := r.refreshAfter(ttl)
			assert.LessOrEqual(t, got, ttl, "TTL %dns", ttl)
			assert.Positive(t, got, "TTL %dns", ttl)
		}
	})
}

// captureDefaultLog points slog.Default at a buffer, at every level, for the
// rest of the test, so that the test sees what is dropped as well as what is
// sent. slog.Default is process-wide: a test that calls this must not run in
// parallel with tests that log.
func captureDefaultLog(t *testing.T) *syncbuf.Buffer {
	t.Helper()
	prev, out, flags := slog.Default(), log.Writer(), log.Flags()
	t.Cleanup(func() {
		slog.SetDefault(prev)
		// Setting a default with a handler of its own also redirected the
		// log package, and restoring the previous default does not undo it.
		log.SetOutput(out)
		log.SetFlags(flags)
	})
	buf := &syncbuf.Buffer{}
	slog.SetDefault(slog.New(slog.NewTextHandler(buf, &slog.HandlerOptions{Level: slog.LevelDebug})))
	return buf
}

// logEvents returns the level and message of each line a text handler wrote.
func logEvents(out string) []string {
	var events []string
	for _, line := range strings.Split(strings.TrimSpace(out), "\n") {
		if line == "" {
			continue
		}
		_, level, _ := strings.Cut(line, "level=")
		level, _, _ = strings.Cut(level, " ")
		_, msg, _ := strings.Cut(line, "msg=")
		if strings.HasPrefix(msg, `"`) {
			msg, _, _ = strings.Cut(msg[1:], `"`)
		}
		events = append(events, level+" "+msg)
	}
	return events
}

// TestRemoteDefaultLogger: without a Logger, problems reach slog.Default and
// successes stay silent. Not parallel: it replaces slog.Default.
func TestRemoteDefaultLogger(t *testing.T) {
	k := testKeys(t)
	tests := []struct {
		name       string
		setup      func(t *testing.T, srv *keyServer) RemoteConfig
		wantEvents []string
		wantText   []string // in the log
	}{
		{
			name:       "a successful fetch is silent",
			setup:      func(_ *testing.T, srv *keyServer) RemoteConfig { return RemoteConfig{URL: srv.URL()} },
			wantEvents: nil,
		},
		{
			name: "a failed fetch is a warning",
			setup: func(_ *testing.T, srv *keyServer) RemoteConfig {
				srv.handle(jwksPath, answerStatus(http.StatusInternalServerError))
				return RemoteConfig{URL: srv.URL()}
			},
			wantEvents: []string{"WARN jwks fetch failed"},
			wantText:   []string{"500", "keeping_keys=false"},
		},
		{
			name: "a skipped key is a warning, the fetch itself silent",
			setup: func(t *testing.T, srv *keyServer) RemoteConfig {
				srv.setBody(jwksJSON(t, jwkJSON(t, &k.rsa.PublicKey, "rsa", RS256, "sig"), jwkJSON(t, &k.rsa1024.PublicKey, "weak", RS256, "sig")))
				return RemoteConfig{URL: srv.URL()}
			},
			wantEvents: []string{"WARN jwks key skipped"},
			wantText:   []string{"1024"},
		},
		{
			name: "an unreachable issuer is a warning",
			setup: func(*testing.T, *keyServer) RemoteConfig {
				gone := httptest.NewServer(http.NotFoundHandler())
				gone.Close() // its port now refuses connections
				return RemoteConfig{Issuer: gone.URL}
			},
			wantEvents: []string{"WARN jwks fetch failed"},
			wantText:   []string{"discovery failed"},
		},
		{
			name: "a mistyped issuer is a warning",
			setup: func(t *testing.T, srv *keyServer) RemoteConfig {
				srv.handle("/.well-known/openid-configuration", metadata(t, srv.srv.URL+"/", srv.URL()))
				return RemoteConfig{Issuer: srv.srv.URL} // the server's own name has a trailing slash
			},
			wantEvents: []string{"WARN jwks fetch failed"},
			wantText:   []string{"names another issuer", "trailing slash"},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			srv := newKeyServer(t, goodSet(t))
			// Built before slog.Default changes: the key set reads the
			// default at each event, not once.
			r, err := NewRemote(tt.setup(t, srv))
			require.NoError(t, err)
			logged := captureDefaultLog(t)

			_ = r.Prefetch(context.Background())
			assert.Equal(t, tt.wantEvents, logEvents(logged.String()), logged.String())
			for _, text := range tt.wantText {
				assert.Contains(t, logged.String(), text)
			}
		})
	}

	t.Run("a Logger set explicitly gets every event, slog.Default none", func(t *testing.T) {
		srv := newKeyServer(t, goodSet(t))
		own := &syncbuf.Buffer{}
		r, err := NewRemote(RemoteConfig{URL: srv.URL(), Logger: slog.New(slog.NewTextHandler(own, &slog.HandlerOptions{Level: slog.LevelDebug}))})
		require.NoError(t, err)
		logged := captureDefaultLog(t)

		require.NoError(t, r.Prefetch(context.Background()))
		srv.handle(jwksPath, answerStatus(http.StatusBadGateway))
		_, err = r.Key(context.Background(), "rotated", RS256)
		requireUnavailable(t, err)

		assert.Equal(t, []string{"INFO jwks fetched", "WARN jwks fetch failed"}, logEvents(own.String()))
		assert.Empty(t, logged.String())
	})
}

// TestNewRemoteWithoutScheme: an issuer or URL copied without its scheme
// fails at once, with the fix in the message.
func TestNewRemoteWithoutScheme(t *testing.T) {
	tests := []struct {
		name string
		cfg  RemoteConfig
		want string
	}{
		{
			name: "an Auth0 issuer as a bare domain gets its trailing slash",
			cfg:  RemoteConfig{Issuer: "tenant.auth0.com"},
			want: `jwks: Issuer "tenant.auth0.com" has no scheme; did you mean "https://tenant.auth0.com/"?`,
		},
		{
			name: "another issuer as a bare domain does not",
			cfg:  RemoteConfig{Issuer: "clerk.example.com"},
			want: `jwks: Issuer "clerk.example.com" has no scheme; did you mean "https://clerk.example.com"?`,
		},
		{
			name: "issuer as Auth0 shows it, trailing slash included",
			cfg:  RemoteConfig{Issuer: "tenant.auth0.com/"},
			want: `jwks: Issuer "tenant.auth0.com/" has no scheme; did you mean "https://tenant.auth0.com/"?`,
		},
		{
			name: "issuer with a path",
			cfg:  RemoteConfig{Issuer: "idp.example.com/realms/main"},
			want: `jwks: Issuer "idp.example.com/realms/main" has no scheme; did you mean "https://idp.example.com/realms/main"?`,
		},
		{
			name: "issuer with a port",
			cfg:  RemoteConfig{Issuer: "idp.example.com:8443/"},
			want: `jwks: Issuer "idp.example.com:8443/" has no scheme; did you mean "https://idp.example.com:8443/"?`,
		},
		{
			name: "scheme-relative issuer",
			cfg:  RemoteConfig{Issuer: "//tenant.auth0.com/"},
			want: `jwks: Issuer "//tenant.auth0.com/" has no scheme; did you mean "https://tenant.auth0.com/"?`,
		},
		{
			name: "development issuer on localhost gets http",
			cfg:  RemoteConfig{Issuer: "localhost:4000"},
			want: `jwks: Issuer "localhost:4000" has no scheme; did you mean "http://localhost:4000"?`,
		},
		{
			name: "development issuer on a loopback address gets http",
			cfg:  RemoteConfig{Issuer: "127.0.0.1:4000/"},
			want: `jwks: Issuer "127.0.0.1:4000/" has no scheme; did you mean "http://127.0.0.1:4000/"?`,
		},
		{
			name: "URL as a bare domain and path",
			cfg:  RemoteConfig{URL: "tenant.auth0.com/.well-known/jwks.json"},
			want: `jwks: URL "tenant.auth0.com/.well-known/jwks.json" has no scheme; did you mean "https://tenant.auth0.com/.well-known/jwks.json"?`,
		},
		{
			name: "URL without scheme beside a good issuer",
			cfg:  RemoteConfig{Issuer: "https://tenant.auth0.com/", URL: "tenant.auth0.com/.well-known/jwks.json"},
			want: `jwks: URL "tenant.auth0.com/.well-known/jwks.json" has no scheme; did you mean "https://tenant.auth0.com/.well-known/jwks.json"?`,
		},
		{
			name: "URL on loopback gets http",
			cfg:  RemoteConfig{URL: "[::1]:4000/jwks"},
			want: `jwks: URL "[::1]:4000/jwks" has no scheme; did you mean "http://[::1]:4000/jwks"?`,
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r, err := NewRemote(tt.cfg)
			require.EqualError(t, err, tt.want)
			assert.Nil(t, r)

			// The suggestion itself is accepted.
			fixed := tt.cfg
			_, suggestion, _ := strings.Cut(tt.want, "did you mean ")
			suggestion = strings.Trim(suggestion, `"?`)
			if fixed.URL != "" {
				fixed.URL = suggestion
			} else {
				fixed.Issuer = suggestion
			}
			_, err = NewRemote(fixed)
			assert.NoError(t, err, "the suggested %q", suggestion)
		})
	}
}
