package token_test

import (
	"context"
	"strconv"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/scopegate/scopegate/authtest"
	"github.com/scopegate/scopegate/internal/tokenhook"
	"github.com/scopegate/scopegate/jwks"
	"github.com/scopegate/scopegate/token"
)

// cacheFixture is a verifier over a loopback issuer's remote keys, sharing
// one movable clock.
type cacheFixture struct {
	clock  *authtest.Clock
	issuer *authtest.Issuer
	keys   *jwks.Remote
	v      *token.Verifier
}

func newCacheFixture(t *testing.T, mutate func(*token.Config)) *cacheFixture {
	t.Helper()
	f := &cacheFixture{clock: authtest.NewClock(time.Unix(1_900_000_000, 0))}
	f.issuer = authtest.NewIssuer(t, authtest.WithClock(f.clock.Now))
	var err error
	f.keys, err = jwks.NewRemote(jwks.RemoteConfig{Issuer: f.issuer.URL(), Now: f.clock.Now, CacheTTL: 10 * time.Minute})
	require.NoError(t, err)
	cfg := token.Config{
		Issuers: []token.Issuer{{Issuer: f.issuer.URL(), Audiences: []string{f.issuer.Audience()}, Keys: f.keys}},
		Now:     f.clock.Now,
	}
	if mutate != nil {
		mutate(&cfg)
	}
	f.v, err = token.New(cfg)
	require.NoError(t, err)
	return f
}

// TestCacheHitReturnsTheSameVerification: a token presented again is not
// verified again; the very same *Token comes back.
func TestCacheHitReturnsTheSameVerification(t *testing.T) {
	f := newCacheFixture(t, nil)
	raw := f.issuer.Token().MustSign(t)
	first, err := f.v.Verify(context.Background(), raw)
	require.NoError(t, err)
	second, err := f.v.Verify(context.Background(), raw)
	require.NoError(t, err)
	assert.True(t, first == second, "the same verification")
	assert.Equal(t, 1, f.v.CacheStats().Entries)
	assert.EqualValues(t, 1, f.issuer.Requests(authtest.JWKSPath))
}

// TestCacheRechecksTime: a cached token expires like any other, with the
// skew, and leaves the cache.
func TestCacheRechecksTime(t *testing.T) {
	f := newCacheFixture(t, nil)
	raw := f.issuer.Token().ExpiresIn(time.Minute).MustSign(t)
	_, err := f.v.Verify(context.Background(), raw)
	require.NoError(t, err)
	f.clock.Advance(time.Minute + 4*time.Second)
	_, err = f.v.Verify(context.Background(), raw)
	require.NoError(t, err, "within the skew")
	f.clock.Advance(time.Second)
	_, err = f.v.Verify(context.Background(), raw)
	assert.ErrorIs(t, err, token.ErrExpired)
	assert.Zero(t, f.v.CacheStats().Entries)
}

// TestCacheRechecksMaxAge applies MaxTokenAge to cached tokens too.
func TestCacheRechecksMaxAge(t *testing.T) {
	f := newCacheFixture(t, func(c *token.Config) { c.MaxTokenAge = 10 * time.Minute })
	raw := f.issuer.Token().ExpiresIn(time.Hour).MustSign(t)
	_, err := f.v.Verify(context.Background(), raw)
	require.NoError(t, err)
	f.clock.Advance(11 * time.Minute)
	_, err = f.v.Verify(context.Background(), raw)
	assert.ErrorIs(t, err, token.ErrTooOld)
}

// TestCacheDropsTokensOfRetiredKeys: once a refresh shows the signing key
// gone, its cached tokens are verified afresh, and fail.
func TestCacheDropsTokensOfRetiredKeys(t *testing.T) {
	f := newCacheFixture(t, nil)
	raw := f.issuer.Token().ExpiresIn(2 * time.Hour).MustSign(t)
	_, err := f.v.Verify(context.Background(), raw)
	require.NoError(t, err)

	// An unchanged key set keeps the cached verification valid: the
	// refresh keeps key identities.
	f.clock.Advance(8 * time.Minute)
	require.NoError(t, f.keys.Prefetch(context.Background()))
	before, err := f.v.Verify(context.Background(), raw)
	require.NoError(t, err)
	again, err := f.v.Verify(context.Background(), raw)
	require.NoError(t, err)
	assert.True(t, before == again, "the same verification")

	_, err = f.issuer.Rotate("RS256")
	require.NoError(t, err)
	f.issuer.Retire(before.Header().KeyID)
	f.clock.Advance(8 * time.Minute)
	require.NoError(t, f.keys.Prefetch(context.Background()), "the refresh sees the retired key gone")
	_, err = f.v.Verify(context.Background(), raw)
	assert.ErrorIs(t, err, token.ErrUnknownKey)
	assert.Zero(t, f.v.CacheStats().Entries)
}

// TestCacheKeepsJunkOut: tokens that fail never enter.
func TestCacheKeepsJunkOut(t *testing.T) {
	f := newCacheFixture(t, nil)
	foreign, err := authtest.NewRSAKey(2048)
	require.NoError(t, err)
	for i, raw := range []string{
		"garbage",
		f.issuer.Token().ExpiresIn(-time.Hour).MustSign(t),
		f.issuer.Token().Audience("https://other.example.com").MustSign(t),
		f.issuer.Token().SignWith("RS256", foreign, f.issuer.KeyID("RS256")).MustSign(t),
	} {
		_, err := f.v.Verify(context.Background(), raw)
		require.Error(t, err, i)
	}
	assert.Zero(t, f.v.CacheStats().Entries)
}

// TestCacheIsBounded by entries and by bytes.
func TestCacheIsBounded(t *testing.T) {
	f := newCacheFixture(t, func(c *token.Config) { c.CacheEntries = 3 })
	for i := range 10 {
		_, err := f.v.Verify(context.Background(), f.issuer.Token().Subject("user_"+strconv.Itoa(i)).MustSign(t))
		require.NoError(t, err)
		assert.LessOrEqual(t, f.v.CacheStats().Entries, 3)
	}
	assert.Equal(t, 3, f.v.CacheStats().Entries)

	small := newCacheFixture(t, func(c *token.Config) { c.CacheBytes = 4096 })
	for i := range 10 {
		_, err := small.v.Verify(context.Background(), small.issuer.Token().Subject("user_"+strconv.Itoa(i)).MustSign(t))
		require.NoError(t, err)
	}
	assert.Less(t, small.v.CacheStats().Entries, 5, "about 1 KiB per token fits 4 KiB a few times only")
	assert.Positive(t, small.v.CacheStats().Entries)
}

// TestCacheOff verifies every time.
func TestCacheOff(t *testing.T) {
	f := newCacheFixture(t, func(c *token.Config) { c.CacheEntries = -1 })
	raw := f.issuer.Token().MustSign(t)
	first, err := f.v.Verify(context.Background(), raw)
	require.NoError(t, err)
	second, err := f.v.Verify(context.Background(), raw)
	require.NoError(t, err)
	assert.False(t, first == second, "a new verification")
	assert.Zero(t, f.v.CacheStats().Entries)
}

// TestCacheConcurrency hammers the cache with repeated and distinct tokens
// while the clock moves; run under -race.
func TestCacheConcurrency(t *testing.T) {
	f := newCacheFixture(t, func(c *token.Config) { c.CacheEntries = 16 })
	tokens := make([]string, 32)
	for i := range tokens {
		tokens[i] = f.issuer.Token().Subject("user_" + strconv.Itoa(i)).MustSign(t)
	}
	var wg sync.WaitGroup
	for g := range 8 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range 200 {
				raw := tokens[(g*7+i)%len(tokens)]
				tok, err := f.v.Verify(context.Background(), raw)
				if assert.NoError(t, err) {
					assert.Equal(t, "user_"+strconv.Itoa((g*7+i)%len(tokens)), tok.Claims().Subject())
				}
				if i%50 == 0 {
					f.clock.Advance(time.Second)
				}
			}
		}()
	}
	wg.Wait()
	assert.LessOrEqual(t, f.v.CacheStats().Entries, 16)
}

// TestDeriveRunsOnce computes what a layer derives from a token once.
func TestDeriveRunsOnce(t *testing.T) {
	f := newCacheFixture(t, nil)
	raw := f.issuer.Token().MustSign(t)
	calls := 0
	for range 3 {
		tok, err := f.v.Verify(context.Background(), raw)
		require.NoError(t, err)
		got := tokenhook.Derive(tok, func(tok, _ any) (any, int) {
			calls++
			return tok.(token.Token).Claims().Subject(), 0
		}, nil)
		assert.Equal(t, authtest.DefaultSubject, got)
	}
	assert.Equal(t, 1, calls)
}

// TestCacheStats counts hits, misses, evictions and the bytes held, which
// stay within the bound whatever the tokens' size.
func TestCacheStats(t *testing.T) {
	f := newCacheFixture(t, func(c *token.Config) { c.CacheEntries = 2 })
	ctx := context.Background()
	assert.Equal(t, token.CacheStats{}, f.v.CacheStats())

	a := f.issuer.Token().Subject("user_a").MustSign(t)
	for range 3 {
		_, err := f.v.Verify(ctx, a)
		require.NoError(t, err)
	}
	_, err := f.v.Verify(ctx, "garbage")
	require.Error(t, err)
	stats := f.v.CacheStats()
	assert.Equal(t, 1, stats.Entries)
	assert.EqualValues(t, 2, stats.Hits)
	assert.EqualValues(t, 2, stats.Misses, "the first sight and the garbage")
	assert.Zero(t, stats.Evictions)
	assert.Greater(t, stats.Bytes, len(a), "the token text and more")

	for _, sub := range []string{"user_b", "user_c", "user_d"} {
		_, err := f.v.Verify(ctx, f.issuer.Token().Subject(sub).MustSign(t))
		require.NoError(t, err)
	}
	stats = f.v.CacheStats()
	assert.Equal(t, 2, stats.Entries)
	assert.EqualValues(t, 2, stats.Evictions)

	off := newCacheFixture(t, func(c *token.Config) { c.CacheEntries = -1 })
	_, err = off.v.Verify(ctx, a)
	require.Error(t, err, "another issuer's token")
	assert.Equal(t, token.CacheStats{}, off.v.CacheStats())
}

// TestCacheCountsDerivedBytes: what a layer derives from a cached token
// counts against the byte bound, and leaves the count with the token.
func TestCacheCountsDerivedBytes(t *testing.T) {
	const bound = 64 << 10
	f := newCacheFixture(t, func(c *token.Config) { c.CacheBytes = bound })
	ctx := context.Background()
	raw := f.issuer.Token().MustSign(t)
	tok, err := f.v.Verify(ctx, raw)
	require.NoError(t, err)
	before := f.v.CacheStats().Bytes
	tokenhook.Derive(tok, func(_, _ any) (any, int) { return "derived", 10_000 }, nil)
	assert.Equal(t, before+10_000, f.v.CacheStats().Bytes)

	// Derived values too large for the room left push older entries out.
	seen := []string{raw}
	for i := range 20 {
		raw := f.issuer.Token().Subject("user_" + strconv.Itoa(i)).MustSign(t)
		seen = append(seen, raw)
		tok, err := f.v.Verify(ctx, raw)
		require.NoError(t, err)
		tokenhook.Derive(tok, func(_, _ any) (any, int) { return nil, 10_000 }, nil)
		stats := f.v.CacheStats()
		assert.LessOrEqual(t, stats.Bytes, bound, "after token %d", i)
		assert.Positive(t, stats.Entries)
	}
	assert.Less(t, f.v.CacheStats().Entries, 7, "64 KiB holds six tokens of 10 KB at most")

	// Leaving the cache takes the derived bytes along: once every entry has
	// expired and been presented again, nothing is counted.
	f.clock.Advance(2 * time.Hour)
	for _, raw := range seen {
		_, err := f.v.Verify(ctx, raw)
		require.ErrorIs(t, err, token.ErrExpired)
	}
	stats := f.v.CacheStats()
	assert.Zero(t, stats.Entries)
	assert.Zero(t, stats.Bytes)
	assert.Zero(t, stats.Hits, "a stale entry is not a hit")
}
