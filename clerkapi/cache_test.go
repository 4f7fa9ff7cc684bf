package clerkapi

import (
	"context"
	"crypto/sha256"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// A second request with the same token makes no call, and each gets a
// Machine of its own: changing one changes neither the cache nor the other.
func TestCacheHitIsACopy(t *testing.T) {
	f := newFixture(t, Config{})
	first, err := f.verify(m2mToken)
	require.NoError(t, err)
	first.Scopes[0] = "mch_someone_else"
	first.Claims[0] = '['
	first.Subject = "mch_intruder"

	second, err := f.verify(m2mToken)
	require.NoError(t, err)
	assert.Equal(t, 1, f.api.calls())
	assert.Equal(t, "mch_2yGkLpQ7Y3rXSwtU24CzTk9I7Em", second.Scopes[0])
	assert.Equal(t, json.RawMessage(`{"important_metadata":"Some useful data"}`), second.Claims)
	assert.Equal(t, "mch_2xhFjEI5X2qWRvtV13BzSj8H6Dk", second.Subject)
	s := f.client.Stats()
	assert.Equal(t, uint64(1), s.Calls)
	assert.Equal(t, uint64(1), s.CacheHits)
	assert.Equal(t, 1, s.Entries)
}

// The cache holds the token's SHA-256, never the token.
func TestCacheKeyIsTheTokenHash(t *testing.T) {
	f := newFixture(t, Config{})
	_, err := f.verify(oauthToken)
	require.NoError(t, err)
	assert.True(t, f.client.answers.Holds(sha256.Sum256([]byte(oauthToken))))
}

// A valid answer is remembered until the token's expiration or for MaxTTL,
// whichever comes first; then the next request asks again.
func TestValidAnswerLifetime(t *testing.T) {
	tests := []struct {
		name       string
		expiration time.Duration // from now; 0: none
		maxTTL     time.Duration
		until      time.Duration // how long the answer is reused
	}{
		{name: "until expiration", expiration: time.Minute, maxTTL: 5 * time.Minute, until: time.Minute},
		{name: "capped by MaxTTL", expiration: time.Hour, maxTTL: time.Minute, until: time.Minute},
		{name: "capped by the default MaxTTL", expiration: time.Hour, until: DefaultMaxTTL},
		{name: "no expiration: MaxTTL", maxTTL: 2 * time.Minute, until: 2 * time.Minute},
		{name: "no expiration: the default MaxTTL", until: DefaultMaxTTL},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := newFixture(t, Config{MaxTTL: tt.maxTTL})
			var expiration any = json.RawMessage("null")
			if tt.expiration != 0 {
				expiration = millis(testStart.Add(tt.expiration))
			}
			f.api.setAnswer(apiKeyPath, resource(t, apiKeyAnswer("expiration", expiration)))
			_, err := f.verify(apiKeyToken)
			require.NoError(t, err)

			f.clock.Advance(tt.until - time.Nanosecond)
			_, err = f.verify(apiKeyToken)
			require.NoError(t, err)
			assert.Equal(t, 1, f.api.calls(), "reused just before the end")

			f.clock.Advance(time.Nanosecond)
			f.api.setAnswer(apiKeyPath, resource(t, apiKeyAnswer())) // Clerk's answer now
			_, err = f.verify(apiKeyToken)
			require.NoError(t, err)
			assert.Equal(t, 2, f.api.calls(), "asked again at the end")
		})
	}
}

// An invalid answer is remembered for NegativeTTL, whatever made it
// invalid.
func TestInvalidAnswerLifetime(t *testing.T) {
	tests := []struct {
		name        string
		token, path string
		answer      http.Handler
		negativeTTL time.Duration
	}{
		{name: "not found, default TTL", token: m2mToken, path: m2mPath, answer: clerkError(http.StatusNotFound, "resource_not_found"), negativeTTL: DefaultNegativeTTL},
		{name: "not found", token: oauthToken, path: oauthPath, answer: clerkError(http.StatusNotFound, "resource_not_found"), negativeTTL: time.Minute},
		{name: "revoked", token: apiKeyToken, path: apiKeyPath, answer: resource(t, apiKeyAnswer("revoked", true)), negativeTTL: time.Minute},
		{name: "not active", token: oauthToken, path: oauthPath, answer: raw(http.StatusOK, "application/json", `{"active":false}`), negativeTTL: 3 * time.Second},
		{name: "expiration passed", token: m2mToken, path: m2mPath, answer: resource(t, m2mAnswer("expiration", millis(testStart.Add(-time.Hour)))), negativeTTL: time.Minute},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			cfg := Config{}
			if tt.negativeTTL != DefaultNegativeTTL {
				cfg.NegativeTTL = tt.negativeTTL
			}
			f := newFixture(t, cfg)
			f.api.setAnswer(tt.path, tt.answer)
			_, err := f.verify(tt.token)
			requireInvalid(t, err)

			f.clock.Advance(tt.negativeTTL - time.Nanosecond)
			_, err = f.verify(tt.token)
			requireInvalid(t, err)
			assert.Equal(t, 1, f.api.calls(), "remembered just before NegativeTTL")

			f.clock.Advance(time.Nanosecond)
			_, err = f.verify(tt.token)
			requireInvalid(t, err)
			assert.Equal(t, 2, f.api.calls(), "asked again after NegativeTTL")
			s := f.client.Stats()
			assert.Equal(t, uint64(3), s.Invalid)
			assert.Equal(t, uint64(1), s.CacheHits)
		})
	}
}

// An outage is not remembered: the first request after it ends succeeds.
func TestUnavailableIsNotRemembered(t *testing.T) {
	f := newFixture(t, Config{})
	f.api.setAnswer(m2mPath, clerkError(http.StatusServiceUnavailable, "service_unavailable"))
	_, err := f.verify(m2mToken)
	requireUnavailable(t, err)
	assert.Zero(t, f.client.Stats().Entries)

	f.api.setAnswer(m2mPath, resource(t, m2mAnswer()))
	m, err := f.verify(m2mToken)
	require.NoError(t, err)
	assert.Equal(t, KindM2M, m.Kind)
	assert.Equal(t, 2, f.api.calls())
}

// With the cache off, every request asks.
func TestCacheOff(t *testing.T) {
	f := newFixture(t, Config{CacheEntries: -1})
	for range 3 {
		_, err := f.verify(apiKeyToken)
		require.NoError(t, err)
		_, err = f.verify("ak_unknown")
		requireInvalid(t, err)
	}
	assert.Equal(t, 6, f.api.calls())
	assert.Zero(t, f.client.Stats().Entries)
}

// A flood of distinct junk tokens costs one call each, however often each
// is repeated while remembered, and never holds more than CacheEntries
// answers.
func TestJunkFloodIsBounded(t *testing.T) {
	const entries, junk = 32, 300
	f := newFixture(t, Config{CacheEntries: entries})
	for n := range junk {
		token := fmt.Sprintf("mt_junk%04d", n)
		for range 3 {
			_, err := f.verify(token)
			requireInvalid(t, err)
		}
		require.LessOrEqual(t, f.client.Stats().Entries, entries)
	}
	per := f.api.perToken()
	assert.Len(t, per, junk)
	for token, n := range per {
		assert.Equal(t, 1, n, token)
	}
	s := f.client.Stats()
	assert.Equal(t, uint64(junk), s.Calls)
	assert.Equal(t, uint64(2*junk), s.CacheHits)
	assert.Equal(t, entries, s.Entries)

	// The valid token of another client still gets its answer.
	_, err := f.verify(m2mToken)
	require.NoError(t, err)
}

// Concurrent floods: every token is presented by several requests at once,
// yet Clerk is asked at most once per token, and never by more than
// MaxConcurrent calls at a time (the rest fail at once as unavailable).
func TestConcurrentJunkFloodCallsOncePerToken(t *testing.T) {
	const junk, workers, limit = 200, 8, 4
	f := newFixture(t, Config{MaxConcurrent: limit})
	var inFlight, most int
	var mu sync.Mutex
	f.api.setAnswer(m2mPath, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		mu.Lock()
		inFlight++
		most = max(most, inFlight)
		mu.Unlock()
		clerkError(http.StatusNotFound, "resource_not_found").ServeHTTP(w, r)
		mu.Lock()
		inFlight--
		mu.Unlock()
	}))
	var wg sync.WaitGroup
	for range workers {
		wg.Go(func() {
			for n := range junk {
				_, err := f.client.Verify(context.Background(), fmt.Sprintf("mt_junk%04d", n))
				if !errors.Is(err, ErrInvalid) {
					// Refused while MaxConcurrent calls were in flight.
					assert.ErrorIs(t, err, errBusy)
					assert.ErrorIs(t, err, ErrUnavailable)
				}
			}
		})
	}
	wg.Wait()
	for token, n := range f.api.perToken() {
		assert.LessOrEqual(t, n, 1, token)
	}
	assert.LessOrEqual(t, most, limit)
	s := f.client.Stats()
	assert.LessOrEqual(t, s.Calls, uint64(junk))
	assert.LessOrEqual(t, s.Entries, junk)
	assert.Equal(t, uint64(workers*junk), s.Invalid+s.Unavailable)
}
