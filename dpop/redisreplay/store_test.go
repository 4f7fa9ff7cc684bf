package redisreplay_test

import (
	"context"
	"errors"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/redis/go-redis/v9"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/scopegate/scopegate/dpop/redisreplay"
)

// TestNewRefusesNilClient refuses at construction a client that would
// only fail, with a panic, at the first request.
func TestNewRefusesNilClient(t *testing.T) {
	for name, client := range map[string]redis.UniversalClient{
		"nil":                      nil,
		"nil *redis.Client":        (*redis.Client)(nil),
		"nil *redis.ClusterClient": (*redis.ClusterClient)(nil),
	} {
		t.Run(name, func(t *testing.T) {
			store, err := redisreplay.New(client, redisreplay.Options{})
			assert.Nil(t, store)
			require.Error(t, err)
			assert.Contains(t, err.Error(), "redisreplay: New needs a Redis client")
			assert.Contains(t, err.Error(), "redis.NewClient(&redis.Options{Addr: ...})", "the error says how to build one")
		})
	}
}

// TestUseOnce accepts each id once per prefix: instances sharing a prefix
// share what they accepted, and prefixes keep APIs apart.
func TestUseOnce(t *testing.T) {
	client := newClient(t)
	a := newStore(t, client, randomPrefix(t, client))
	b := newStore(t, client, randomPrefix(t, client))
	steps := []struct {
		name     string
		store    *redisreplay.Store
		jti      string
		replayed bool
	}{
		{"first use", a, "one", false},
		{"second use of the same id", a, "one", true},
		{"third use of the same id", a, "one", true},
		{"another id", a, "two", false},
		{"the same id under another prefix", b, "one", false},
		{"again under that prefix", b, "one", true},
	}
	for _, s := range steps {
		replayed, err := s.store.Use(t.Context(), replayID(s.jti), 330*time.Second)
		require.NoError(t, err, s.name)
		assert.Equal(t, s.replayed, replayed, s.name)
	}
}

// TestUseDefaultPrefix writes under DefaultKeyPrefix when Options leave
// the prefix empty.
func TestUseDefaultPrefix(t *testing.T) {
	client := newClient(t)
	store := newStore(t, client, "")
	id := replayID(randomPrefix(t, client)) // an id no other run uses
	key := redisreplay.DefaultKeyPrefix + id
	t.Cleanup(func() { _ = client.Del(context.Background(), key).Err() })

	replayed, err := store.Use(t.Context(), id, time.Minute)
	require.NoError(t, err)
	assert.False(t, replayed)
	assert.Equal(t, int64(1), client.Exists(t.Context(), key).Val(), "the key is the default prefix and the id")
}

// TestUseTTL sends SET key 1 PX ms NX with the time to live rounded up to
// whole milliseconds, and Redis keeps the key that long.
func TestUseTTL(t *testing.T) {
	rec := &setRecorder{}
	client := newClient(t, rec)
	prefix := randomPrefix(t, client)
	store := newStore(t, client, prefix)
	tests := []struct {
		name string
		ttl  time.Duration
		ms   int64 // the PX Redis is sent
	}{
		{"the default window of package bearer", 330 * time.Second, 330_000},
		{"whole milliseconds", 1500 * time.Millisecond, 1500},
		{"rounded up to the next millisecond", 5*time.Minute + 500*time.Microsecond, 300_001},
		{"just over a millisecond", time.Millisecond + time.Nanosecond, 2},
		{"one millisecond", time.Millisecond, 1},
		{"under a millisecond", 999 * time.Microsecond, 1},
		{"one nanosecond", time.Nanosecond, 1},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			id := replayID(tt.name)
			replayed, err := store.Use(t.Context(), id, tt.ttl)
			require.NoError(t, err)
			assert.False(t, replayed)
			assert.Equal(t, [][]any{{"set", prefix + id, "1", "px", tt.ms, "nx"}}, rec.take())
			if tt.ms < 1000 {
				return // it may be gone already: what Redis was asked is what counts
			}
			pttl, err := client.PTTL(t.Context(), prefix+id).Result()
			require.NoError(t, err)
			asked := time.Duration(tt.ms) * time.Millisecond
			assert.LessOrEqual(t, pttl, asked, "kept no longer than asked")
			assert.Greater(t, pttl, asked-time.Second, "kept about as long as asked (and not forever: PTTL -1)")
		})
	}
}

// TestUseRefusesNoTTL refuses a time to live that is not positive, since
// SET without PX would keep the key forever, and stores nothing.
func TestUseRefusesNoTTL(t *testing.T) {
	rec := &setRecorder{}
	client := newClient(t, rec)
	prefix := randomPrefix(t, client)
	store := newStore(t, client, prefix)
	for _, ttl := range []time.Duration{0, -time.Nanosecond, -time.Second} {
		t.Run(ttl.String(), func(t *testing.T) {
			id := replayID(ttl.String())
			replayed, err := store.Use(t.Context(), id, ttl)
			require.Error(t, err)
			assert.Contains(t, err.Error(), "redisreplay: ttl must be positive")
			assert.False(t, replayed)
			assert.Empty(t, rec.take(), "nothing sent to Redis")
			assert.Equal(t, int64(0), client.Exists(t.Context(), prefix+id).Val(), "nothing stored")
		})
	}
}

// TestUseConcurrent lets exactly one of many concurrent uses of one id
// find it fresh, as when a proof reaches several instances at once.
func TestUseConcurrent(t *testing.T) {
	const n = 64
	client := newClient(t)
	store := newStore(t, client, randomPrefix(t, client))
	id := replayID("raced")
	var fresh, replays atomic.Int32
	errs := make(chan error, n)
	start := make(chan struct{})
	var wg sync.WaitGroup
	for range n {
		wg.Go(func() {
			<-start
			replayed, err := store.Use(t.Context(), id, time.Minute)
			switch {
			case err != nil:
				errs <- err
			case replayed:
				replays.Add(1)
			default:
				fresh.Add(1)
			}
		})
	}
	close(start)
	wg.Wait()
	close(errs)
	for err := range errs {
		assert.NoError(t, err)
	}
	assert.Equal(t, int32(1), fresh.Load(), "exactly one use is fresh")
	assert.Equal(t, int32(n-1), replays.Load())
}

// TestUseRedisDown returns an error, never a fresh id, when Redis cannot
// be reached, so that package bearer answers 503 instead of accepting an
// unchecked proof.
func TestUseRedisDown(t *testing.T) {
	store := newStore(t, unreachableClient(t), "")
	replayed, err := store.Use(t.Context(), replayID("down"), time.Minute)
	require.Error(t, err)
	assert.False(t, replayed)
	assert.Regexp(t, `^redisreplay: recording a DPoP proof: `, err.Error())
}

// TestUseCanceled returns the context's error when the request is gone.
func TestUseCanceled(t *testing.T) {
	client := newClient(t)
	prefix := randomPrefix(t, client)
	store := newStore(t, client, prefix)
	ctx, cancel := context.WithCancel(t.Context())
	cancel()
	id := replayID("canceled")
	replayed, err := store.Use(ctx, id, time.Minute)
	require.Error(t, err)
	assert.True(t, errors.Is(err, context.Canceled), "%v", err)
	assert.False(t, replayed)
}

// TestUseRedisFull returns an error when Redis refuses to store a proof
// because it is out of memory under maxmemory-policy noeviction, the
// policy the package doc recommends: refused, not forgotten.
func TestUseRedisFull(t *testing.T) {
	client := newClient(t)
	store := newStore(t, client, randomPrefix(t, client))
	fillRedis(t, client)
	replayed, err := store.Use(t.Context(), replayID("full"), time.Minute)
	require.Error(t, err)
	assert.False(t, replayed)
	assert.Regexp(t, `^redisreplay: recording a DPoP proof: OOM `, err.Error())
}

// fillRedis makes the test server refuse every write as out of memory
// until t ends: maxmemory 1 byte under noeviction. It restores both
// settings after t and skips t where CONFIG is not allowed (managed
// Redis).
func fillRedis(t *testing.T, client *redis.Client) {
	t.Helper()
	saved, err := client.ConfigGet(t.Context(), "maxmemory*").Result()
	if err != nil {
		t.Skipf("this Redis does not allow CONFIG GET (%v): cannot make it full", err)
	}
	t.Cleanup(func() {
		ctx := context.Background()
		for _, name := range []string{"maxmemory", "maxmemory-policy"} {
			if err := client.ConfigSet(ctx, name, saved[name]).Err(); err != nil {
				t.Errorf("restoring %s %s: %v", name, saved[name], err)
			}
		}
	})
	require.NoError(t, client.ConfigSet(t.Context(), "maxmemory-policy", "noeviction").Err())
	require.NoError(t, client.ConfigSet(t.Context(), "maxmemory", "1").Err())
}
