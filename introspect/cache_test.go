package introspect

import (
	"context"
	"crypto/sha256"
	"fmt"
	"net/http"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// A second request with the same token makes no call, and each gets a
// Result of its own: changing one changes neither the cache nor the other.
func TestCacheHitIsACopy(t *testing.T) {
	f := newFixture(t, memberAnswer(t, activeMembers()), Config{})
	first, err := f.introspect("opaque-token")
	require.NoError(t, err)
	first.Scopes[0] = "admin"
	first.Audience[0] = "https://evil.example.com"
	first.Claims[0] = '['
	first.Subject = "someone-else"

	second, err := f.introspect("opaque-token")
	require.NoError(t, err)
	assert.Equal(t, 1, f.ep.introspections())
	assert.Equal(t, []string{"read:orders", "write:orders"}, second.Scopes)
	assert.Equal(t, "https://orders.example.com", second.Audience[0])
	assert.Equal(t, byte('{'), second.Claims[0])
	assert.Equal(t, "user-42", second.Subject)
	s := f.in.Stats()
	assert.Equal(t, uint64(1), s.Calls)
	assert.Equal(t, uint64(1), s.CacheHits)
	assert.Equal(t, 1, s.Entries)
}

// The cache holds the token's SHA-256, never the token.
func TestCacheKeyIsTheTokenHash(t *testing.T) {
	f := newFixture(t, memberAnswer(t, activeMembers()), Config{})
	_, err := f.introspect("opaque-token")
	require.NoError(t, err)
	assert.True(t, f.in.answers.Holds(sha256.Sum256([]byte("opaque-token"))))
}

// An active answer is remembered until its exp or for MaxTTL, whichever
// comes first; then the next request asks again.
func TestActiveAnswerLifetime(t *testing.T) {
	tests := []struct {
		name   string
		exp    time.Duration // from now; 0: no exp
		maxTTL time.Duration
		until  time.Duration // how long the answer is reused
	}{
		{name: "until exp", exp: time.Minute, maxTTL: 5 * time.Minute, until: time.Minute},
		{name: "capped by MaxTTL", exp: time.Hour, maxTTL: time.Minute, until: time.Minute},
		{name: "capped by the default MaxTTL", exp: time.Hour, until: DefaultMaxTTL},
		{name: "no exp: MaxTTL", maxTTL: 2 * time.Minute, until: 2 * time.Minute},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			members := with("exp", nil)
			if tt.exp != 0 {
				members = with("exp", testStart.Add(tt.exp).Unix())
			}
			f := newFixture(t, memberAnswer(t, members), Config{MaxTTL: tt.maxTTL})
			_, err := f.introspect("opaque-token")
			require.NoError(t, err)

			f.clock.Advance(tt.until - time.Nanosecond)
			_, err = f.introspect("opaque-token")
			require.NoError(t, err)
			assert.Equal(t, 1, f.ep.introspections(), "reused just before the end")

			f.clock.Advance(time.Nanosecond)
			_, err = f.introspect("opaque-token")
			require.NoError(t, err, "an answer re-asked at exp is within the skew")
			assert.Equal(t, 2, f.ep.introspections(), "asked again at the end")
		})
	}
}

// An active answer already past exp, accepted within the skew, is not
// remembered at all.
func TestAnswerPastExpIsNotRemembered(t *testing.T) {
	f := newFixture(t, memberAnswer(t, with("exp", testStart.Add(-time.Second).Unix())), Config{})
	for range 2 {
		_, err := f.introspect("opaque-token")
		require.NoError(t, err)
	}
	assert.Equal(t, 2, f.ep.introspections())
	assert.Zero(t, f.in.Stats().Entries)
}

// An inactive answer is remembered for NegativeTTL, whatever made it
// inactive.
func TestInactiveAnswerLifetime(t *testing.T) {
	tests := []struct {
		name        string
		answer      http.Handler
		negativeTTL time.Duration
	}{
		{name: "active false, default TTL", answer: jsonAnswer(`{"active":false}`), negativeTTL: DefaultNegativeTTL},
		{name: "active false", answer: jsonAnswer(`{"active":false}`), negativeTTL: time.Minute},
		{name: "expired", answer: memberAnswer(t, with("exp", testStart.Add(-time.Hour).Unix())), negativeTTL: time.Minute},
		{name: "other audience", answer: memberAnswer(t, with("aud", "https://admin.example.com")), negativeTTL: time.Minute},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			cfg := Config{Audiences: []string{"https://orders.example.com"}}
			if tt.negativeTTL != DefaultNegativeTTL {
				cfg.NegativeTTL = tt.negativeTTL
			}
			f := newFixture(t, tt.answer, cfg)
			_, err := f.introspect("bad-token")
			requireInactive(t, err)

			f.clock.Advance(tt.negativeTTL - time.Nanosecond)
			_, err = f.introspect("bad-token")
			requireInactive(t, err)
			assert.Equal(t, 1, f.ep.introspections(), "remembered just before NegativeTTL")

			f.clock.Advance(time.Nanosecond)
			_, err = f.introspect("bad-token")
			requireInactive(t, err)
			assert.Equal(t, 2, f.ep.introspections(), "asked again after NegativeTTL")
			s := f.in.Stats()
			assert.Equal(t, uint64(3), s.Inactive)
			assert.Equal(t, uint64(1), s.CacheHits)
		})
	}
}

// An outage is not remembered: the first request after it ends succeeds.
func TestUnavailableIsNotRemembered(t *testing.T) {
	f := newFixture(t, statusAnswer(http.StatusServiceUnavailable), Config{})
	_, err := f.introspect("opaque-token")
	requireUnavailable(t, err)
	assert.Zero(t, f.in.Stats().Entries)

	f.ep.setAnswer(memberAnswer(t, activeMembers()))
	res, err := f.introspect("opaque-token")
	require.NoError(t, err)
	assert.True(t, res.Active)
	assert.Equal(t, 2, f.ep.introspections())
}

func TestCacheOff(t *testing.T) {
	f := newFixture(t, memberAnswer(t, activeMembers()), Config{CacheEntries: -1})
	for range 3 {
		_, err := f.introspect("opaque-token")
		require.NoError(t, err)
	}
	assert.Equal(t, 3, f.ep.introspections())
	assert.Zero(t, f.in.Stats().Entries)
	assert.Zero(t, f.in.Stats().CacheHits)
}

// A flood of distinct tokens, three times what the cache holds, keeps the
// cache within its bound; each token is asked about once and its repeat is
// answered from the cache.
func TestCacheBoundedUnderFlood(t *testing.T) {
	const bound = 50
	f := newFixture(t, jsonAnswer(`{"active":false}`), Config{CacheEntries: bound})
	for n := range 3 * bound {
		token := fmt.Sprintf("junk-%d", n)
		for range 2 {
			_, err := f.introspect(token)
			requireInactive(t, err)
		}
		require.LessOrEqual(t, f.in.Stats().Entries, bound)
	}
	s := f.in.Stats()
	assert.Equal(t, bound, s.Entries)
	assert.Equal(t, uint64(3*bound), s.Calls)
	assert.Equal(t, uint64(3*bound), s.CacheHits)
	for token, calls := range f.ep.perToken() {
		assert.Equal(t, 1, calls, "token %s", token)
	}
	assert.Len(t, f.ep.perToken(), 3*bound)
}

// IntrospectShared derives its value once per answer: every request that
// gets the remembered answer shares it, concurrent ones included, and a new
// answer gets a new value.
func TestIntrospectSharedDerivesOncePerAnswer(t *testing.T) {
	f := newFixture(t, memberAnswer(t, with("exp", testStart.Add(time.Minute).Unix())), Config{})
	derived := 0
	var mu sync.Mutex
	derive := func(r *Result) any {
		mu.Lock()
		defer mu.Unlock()
		derived++
		return &struct{ subject string }{r.Subject}
	}
	first, err := f.in.IntrospectShared(context.Background(), "opaque-token", derive)
	require.NoError(t, err)
	var wg sync.WaitGroup
	for range 8 {
		wg.Go(func() {
			v, err := f.in.IntrospectShared(context.Background(), "opaque-token", derive)
			assert.NoError(t, err)
			assert.Same(t, first, v)
		})
	}
	wg.Wait()
	assert.Equal(t, 1, derived)
	assert.Equal(t, 1, f.ep.introspections())

	f.clock.Advance(time.Minute)
	again, err := f.in.IntrospectShared(context.Background(), "opaque-token", derive)
	require.NoError(t, err)
	assert.NotSame(t, first, again, "a new answer, a new value")
	assert.Equal(t, 2, derived)

	_, err = f.in.IntrospectShared(context.Background(), "", derive)
	assert.ErrorIs(t, err, ErrInactive)
	assert.Equal(t, 2, derived, "no value for a refusal")
}
