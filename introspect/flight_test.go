package introspect

import (
	"context"
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/scopegate/scopegate/internal/flighttest"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// Concurrent requests with one token share a single call, and each gets a
// Result of its own. The endpoint holds the call until every request is
// waiting on it, which flighttest.Waiting tells without sleeping.
func TestConcurrentCallersShareOneCall(t *testing.T) {
	const callers = 8
	g := newGate(t)
	f := newFixture(t, g.Wrap(memberAnswer(t, activeMembers())), Config{})

	waiting := make(chan struct{}, callers)
	results := make([]*Result, callers)
	errs := make([]error, callers)
	var wg sync.WaitGroup
	for n := range callers {
		wg.Go(func() {
			ctx := flighttest.Waiting(context.Background(), waiting)
			results[n], errs[n] = f.in.Introspect(ctx, "opaque-token")
		})
	}
	g.WaitArrived()
	flighttest.Receive(t, waiting, callers)
	assert.Equal(t, uint64(callers-1), f.in.Stats().Shared)
	g.Release()
	wg.Wait()

	for n := range callers {
		require.NoError(t, errs[n])
		assert.Equal(t, "user-42", results[n].Subject)
		for m := range n {
			assert.NotSame(t, results[m], results[n])
			assert.NotSame(t, &results[m].Scopes[0], &results[n].Scopes[0], "no two callers share a slice")
			assert.NotSame(t, &results[m].Claims[0], &results[n].Claims[0])
		}
	}
	assert.Equal(t, 1, f.ep.introspections())
	assert.Equal(t, uint64(1), f.in.Stats().Calls)
}

// Callers sharing a call that fails each get their own error value.
func TestSharedFailureIsCopied(t *testing.T) {
	g := newGate(t)
	f := newFixture(t, g.Wrap(statusAnswer(503, "Retry-After", "9")), Config{})
	waiting := make(chan struct{}, 2)
	errs := make([]error, 2)
	var wg sync.WaitGroup
	for n := range 2 {
		wg.Go(func() {
			_, errs[n] = f.in.Introspect(flighttest.Waiting(context.Background(), waiting), "opaque-token")
		})
	}
	g.WaitArrived()
	flighttest.Receive(t, waiting, 2)
	g.Release()
	wg.Wait()
	a, b := requireUnavailable(t, errs[0]), requireUnavailable(t, errs[1])
	assert.NotSame(t, a, b)
	assert.Equal(t, 9*time.Second, a.RetryAfter)
	a.RetryAfter = 0
	assert.Equal(t, 9*time.Second, b.RetryAfter)
}

// With MaxConcurrent calls held in flight, a request for another token
// fails at once instead of queueing, while a request for a token already in
// flight still joins its call.
func TestMaxConcurrentRefusesAtOnce(t *testing.T) {
	const limit = 2
	g := newGate(t)
	f := newFixture(t, g.Wrap(memberAnswer(t, activeMembers())), Config{MaxConcurrent: limit})

	var wg sync.WaitGroup
	errs := make([]error, limit+1)
	for n := range limit {
		wg.Go(func() { _, errs[n] = f.introspect(fmt.Sprintf("token-%d", n)) })
	}
	for range limit {
		g.WaitArrived()
	}

	_, err := f.introspect("one-too-many")
	ue := requireUnavailable(t, err)
	assert.Equal(t, time.Second, ue.RetryAfter)
	assert.ErrorContains(t, err, "MaxConcurrent")
	assert.Equal(t, uint64(1), f.in.Stats().Busy)

	waiting := make(chan struct{}, 1)
	wg.Go(func() {
		_, errs[limit] = f.in.Introspect(flighttest.Waiting(context.Background(), waiting), "token-0")
	})
	flighttest.Receive(t, waiting, 1)
	assert.Equal(t, uint64(1), f.in.Stats().Busy, "joining a call in flight takes no slot")
	assert.Equal(t, uint64(1), f.in.Stats().Shared)

	g.Release()
	wg.Wait()
	for _, err := range errs {
		require.NoError(t, err)
	}
	assert.Equal(t, limit, f.ep.introspections(), "the refused request made no call")

	_, err = f.introspect("one-too-many")
	require.NoError(t, err, "slots are free again once the calls return")
}
