package dpop_test

import (
	"context"
	"crypto/sha256"
	"encoding/base64"
	"fmt"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/scopegate/scopegate/authtest"
	"github.com/scopegate/scopegate/dpop"
)

const window = 330 * time.Second

func TestMemoryReplayStore(t *testing.T) {
	clock := authtest.NewClock(time.Unix(1_800_000_000, 0))
	s, err := dpop.NewMemoryReplayStore(0, clock.Now)
	require.NoError(t, err)
	assert.Equal(t, dpop.DefaultReplayCapacity, s.Capacity())
	ctx := context.Background()
	id := dpop.ReplayID("thumbprint", "jti-1")

	replayed, err := s.Use(ctx, id, window)
	require.NoError(t, err)
	assert.False(t, replayed, "first use")
	replayed, err = s.Use(ctx, id, window)
	require.NoError(t, err)
	assert.True(t, replayed, "second use within the window")

	other, err := s.Use(ctx, dpop.ReplayID("another key", "jti-1"), window)
	require.NoError(t, err)
	assert.False(t, other, "one jti from two keys are two proofs")

	clock.Advance(window - time.Nanosecond)
	replayed, _ = s.Use(ctx, id, window)
	assert.True(t, replayed, "still remembered just before its time to live ends")
	clock.Advance(time.Nanosecond)
	replayed, _ = s.Use(ctx, id, window)
	assert.False(t, replayed, "forgotten once its time to live has passed (its proof is too old by then)")
}

func TestReplayID(t *testing.T) {
	a := dpop.ReplayID("k", "j")
	assert.Len(t, a, 43)
	assert.Equal(t, a, dpop.ReplayID("k", "j"))
	assert.NotEqual(t, a, dpop.ReplayID("kj", ""), "the separator keeps the parts apart")
	assert.Len(t, dpop.ReplayID("k", string(make([]byte, 10000))), 43, "fixed length whatever the jti")

	// The same digest whether the id is built on the stack (short) or
	// hashed in parts (long): base64url SHA-256 of thumbprint, 0, jti.
	for _, jti := range []string{"f0e2-9a3d", strings.Repeat("j", 254), strings.Repeat("j", 255), strings.Repeat("j", 4096)} {
		sum := sha256.Sum256([]byte("k\x00" + jti))
		assert.Equal(t, base64.RawURLEncoding.EncodeToString(sum[:]), dpop.ReplayID("k", jti), len(jti))
	}
}

func TestMemoryReplayStoreStaysWithinItsBound(t *testing.T) {
	for _, tc := range []struct {
		name     string
		capacity int
		// firstFull is the least share of the capacity accepted before
		// the first refusal: all of it in one part; with several, the
		// first part to fill refuses a little before the rest.
		firstFull float64
	}{
		{"one part", 1000, 1},
		{"one part, the largest", 2*4096 - 1, 1},
		{"nine parts", 40_000, 0.95},
	} {
		t.Run(tc.name, func(t *testing.T) {
			clock := authtest.NewClock(time.Unix(1_800_000_000, 0))
			s, err := dpop.NewMemoryReplayStore(tc.capacity, clock.Now)
			require.NoError(t, err)
			ctx := context.Background()
			accepted, full, firstRefusal := 0, 0, -1
			for i := range 2 * tc.capacity {
				_, err := s.Use(ctx, dpop.ReplayID("k", fmt.Sprint(i)), window)
				switch {
				case err == nil:
					accepted++
				case assert.ErrorIs(t, err, dpop.ErrStoreFull):
					full++
					if firstRefusal < 0 {
						firstRefusal = i
					}
					var fe *dpop.StoreFullError
					require.ErrorAs(t, err, &fe)
					assert.Equal(t, window, fe.RetryAfter, "room frees when the oldest entry expires")
				}
			}
			assert.LessOrEqual(t, s.Len(), tc.capacity)
			assert.LessOrEqual(t, accepted, tc.capacity)
			assert.GreaterOrEqual(t, float64(firstRefusal), tc.firstFull*float64(tc.capacity), "first refusal")
			assert.Equal(t, 2*tc.capacity, accepted+full)

			// A flood that stays within the window is refused, never
			// forgotten: every accepted proof is still a replay.
			replayed, err := s.Use(ctx, dpop.ReplayID("k", "0"), window)
			require.NoError(t, err)
			assert.True(t, replayed)

			clock.Advance(window)
			_, err = s.Use(ctx, dpop.ReplayID("k", "new"), window)
			assert.NoError(t, err, "expired entries make room")
			assert.LessOrEqual(t, s.Len(), tc.capacity)
		})
	}
}

func TestMemoryReplayStoreAcceptsEachProofOnceUnderConcurrency(t *testing.T) {
	s, err := dpop.NewMemoryReplayStore(0, nil)
	require.NoError(t, err)
	const proofs, racers = 200, 8
	var fresh atomic.Int64
	var wg sync.WaitGroup
	for range racers {
		wg.Go(func() {
			for i := range proofs {
				replayed, err := s.Use(context.Background(), dpop.ReplayID("k", fmt.Sprint(i)), window)
				if err == nil && !replayed {
					fresh.Add(1)
				}
			}
		})
	}
	wg.Wait()
	assert.Equal(t, int64(proofs), fresh.Load(), "each proof accepted by exactly one racer")
}

func TestMemoryReplayStoreAcceptsOtherIDs(t *testing.T) {
	s, err := dpop.NewMemoryReplayStore(100, nil)
	require.NoError(t, err)
	for _, id := range []string{"", "short", string(make([]byte, 43)), "!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!"} {
		replayed, err := s.Use(context.Background(), id, window)
		require.NoError(t, err, id)
		assert.False(t, replayed)
		replayed, _ = s.Use(context.Background(), id, window)
		assert.True(t, replayed, id)
	}
}

func TestNewMemoryReplayStoreRefusesANegativeCapacity(t *testing.T) {
	_, err := dpop.NewMemoryReplayStore(-1, nil)
	assert.ErrorContains(t, err, "capacity must not be negative")
}
