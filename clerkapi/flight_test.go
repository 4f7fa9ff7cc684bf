package clerkapi

import (
	"context"
	"fmt"
	"net/http"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/scopegate/scopegate/internal/flighttest"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// Concurrent requests with one token share a single call, and each gets a
// Machine of its own. Clerk holds the call until every request is waiting
// on it, which flighttest.Waiting tells without sleeping.
func TestConcurrentCallersShareOneCall(t *testing.T) {
	const callers = 8
	f := newFixture(t, Config{})
	g := newGate(t)
	f.api.setAnswer(apiKeyPath, g.Wrap(resource(t, apiKeyAnswer())))

	waiting := make(chan struct{}, callers)
	machines := make([]*Machine, callers)
	errs := make([]error, callers)
	var wg sync.WaitGroup
	for n := range callers {
		wg.Go(func() {
			ctx := flighttest.Waiting(context.Background(), waiting)
			machines[n], errs[n] = f.client.Verify(ctx, apiKeyToken)
		})
	}
	assert.Equal(t, apiKeyToken, g.WaitArrived())
	flighttest.Receive(t, waiting, callers)
	assert.Equal(t, uint64(callers-1), f.client.Stats().Shared)
	g.Release()
	wg.Wait()

	for n := range callers {
		require.NoError(t, errs[n])
		assert.Equal(t, "MY_SERVICE_API_KEY", machines[n].Name)
		for m := range n {
			assert.NotSame(t, machines[m], machines[n])
			assert.NotSame(t, &machines[m].Scopes[0], &machines[n].Scopes[0], "no two callers share a slice")
			assert.NotSame(t, &machines[m].Claims[0], &machines[n].Claims[0])
		}
	}
	assert.Equal(t, 1, f.api.calls())
	assert.Equal(t, uint64(1), f.client.Stats().Calls)
}

// Callers sharing a call that fails each get their own error value.
func TestSharedFailureIsCopied(t *testing.T) {
	f := newFixture(t, Config{})
	g := newGate(t)
	f.api.setAnswer(m2mPath, g.Wrap(clerkError(http.StatusTooManyRequests, "too_many_requests", "Retry-After", "9")))
	waiting := make(chan struct{}, 2)
	errs := make([]error, 2)
	var wg sync.WaitGroup
	for n := range 2 {
		wg.Go(func() {
			_, errs[n] = f.client.Verify(flighttest.Waiting(context.Background(), waiting), m2mToken)
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
	assert.Equal(t, 1, f.api.calls())
}

// With MaxConcurrent calls held in flight, a request for another token
// fails at once instead of queueing, while a request for a token already in
// flight still joins its call.
func TestMaxConcurrentRefusesAtOnce(t *testing.T) {
	const limit = 2
	f := newFixture(t, Config{MaxConcurrent: limit})
	g := newGate(t)
	f.api.setAnswer(m2mPath, g.Wrap(clerkError(http.StatusNotFound, "resource_not_found")))

	var wg sync.WaitGroup
	errs := make([]error, limit+1)
	for n := range limit {
		wg.Go(func() { _, errs[n] = f.verify(fmt.Sprintf("mt_token%d", n)) })
	}
	for range limit {
		g.WaitArrived()
	}

	_, err := f.verify("mt_one_too_many")
	ue := requireUnavailable(t, err)
	assert.Equal(t, time.Second, ue.RetryAfter)
	assert.ErrorIs(t, err, errBusy)
	assert.ErrorContains(t, err, "MaxConcurrent")
	assert.Equal(t, uint64(1), f.client.Stats().Busy)

	waiting := make(chan struct{}, 1)
	wg.Go(func() {
		_, errs[limit] = f.client.Verify(flighttest.Waiting(context.Background(), waiting), "mt_token0")
	})
	flighttest.Receive(t, waiting, 1)
	assert.Equal(t, uint64(1), f.client.Stats().Busy, "joining a call in flight takes no slot")
	assert.Equal(t, uint64(1), f.client.Stats().Shared)

	g.Release()
	wg.Wait()
	for _, err := range errs {
		requireInvalid(t, err)
	}
	assert.Equal(t, limit, f.api.calls(), "the refused request made no call")

	_, err = f.verify("mt_one_too_many")
	requireInvalid(t, err, "slots are free again once the calls return")
	assert.Equal(t, limit+1, f.api.calls())
}

// VerifyShared derives once per answer, however many requests present the
// token while it is remembered, and again once a new answer is had.
func TestVerifySharedDerivesOncePerAnswer(t *testing.T) {
	f := newFixture(t, Config{MaxTTL: time.Minute})
	var derived atomic.Int32
	derive := func(m *Machine) any {
		derived.Add(1)
		return m.Kind + ":" + Kind(m.Subject)
	}
	var values []any
	for range 3 {
		v, err := f.client.VerifyShared(context.Background(), oauthToken, derive)
		require.NoError(t, err)
		values = append(values, v)
	}
	assert.Equal(t, int32(1), derived.Load())
	assert.Equal(t, Kind("oauth_token:user_2xhFjEI5X2qWRvtV13BzSj8H6Dk"), values[0])
	assert.Equal(t, values[0], values[2])

	f.clock.Advance(time.Minute)
	_, err := f.client.VerifyShared(context.Background(), oauthToken, derive)
	require.NoError(t, err)
	assert.Equal(t, int32(2), derived.Load(), "a new answer is derived anew")
	assert.Equal(t, 2, f.api.calls())

	v, err := f.client.VerifyShared(context.Background(), "oat_unknown", derive)
	requireInvalid(t, err)
	assert.Nil(t, v)
	assert.Equal(t, int32(2), derived.Load(), "an invalid token derives nothing")
}

// Concurrent callers of VerifyShared on one call all get the one derived
// value.
func TestVerifySharedConcurrent(t *testing.T) {
	const callers = 6
	f := newFixture(t, Config{})
	g := newGate(t)
	f.api.setAnswer(m2mPath, g.Wrap(resource(t, m2mAnswer())))
	var derived atomic.Int32
	waiting := make(chan struct{}, callers)
	values := make([]any, callers)
	var wg sync.WaitGroup
	for n := range callers {
		wg.Go(func() {
			v, err := f.client.VerifyShared(flighttest.Waiting(context.Background(), waiting), m2mToken, func(m *Machine) any {
				derived.Add(1)
				return &struct{ id string }{m.MachineID}
			})
			assert.NoError(t, err)
			values[n] = v
		})
	}
	g.WaitArrived()
	flighttest.Receive(t, waiting, callers)
	g.Release()
	wg.Wait()
	assert.Equal(t, int32(1), derived.Load())
	for n := 1; n < callers; n++ {
		assert.Same(t, values[0], values[n])
	}
}
