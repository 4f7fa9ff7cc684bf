package introspect

import (
	"context"
	"crypto/sha256"
	"errors"
	"fmt"
	"net/http"
	"sync"
	"time"
)

// errBusy is the cause of the failure of a call refused because
// MaxConcurrent calls are already in flight.
var errBusy = errors.New("introspect: MaxConcurrent calls to the endpoint are already in flight")

// Introspector asks an RFC 7662 endpoint whether opaque tokens are active.
// It is safe for concurrent use.
type Introspector struct {
	client                 *http.Client
	auth                   AuthMethod
	clientID, clientSecret string
	issuer                 string
	audiences              []string
	timeout                time.Duration
	maxBytes               int
	negativeTTL, maxTTL    time.Duration
	skew                   time.Duration
	now                    func() time.Time

	// slots holds a token for each call in flight; its capacity is
	// MaxConcurrent.
	slots     chan struct{}
	cache     *cache // nil when off
	discovery discovery

	mu      sync.Mutex
	flights map[[32]byte]*call // calls in flight, by token hash

	stats counters
}

// call is one question to the endpoint, shared by every request that
// presents the same token while it is in flight.
type call struct {
	done   chan struct{}
	res    *Result // read-only once done is closed; cloned for each caller
	err    error
	shared *sharedValue
}

// sharedValue is a value derived once from one answer and shared by every
// caller of IntrospectShared that gets that answer.
type sharedValue struct {
	once  sync.Once
	value any
}

// Introspect tells whether token is active: its Result, or an error that is
// ErrInactive (answer 401) or an *UnavailableError (answer 503 with its
// RetryAfter). A remembered answer costs no call; otherwise one call is made
// for all concurrent requests presenting the same token, and ctx bounds only
// this request's wait for it, so that one client hanging up does not fail
// the others.
func (i *Introspector) Introspect(ctx context.Context, token string) (*Result, error) {
	res, _, err := i.lookup(ctx, token)
	if err != nil {
		return nil, err
	}
	return res.clone(), nil
}

// IntrospectShared is Introspect for a caller that turns each answer into
// a value of its own, such as package bearer's auth object: derive runs
// once per answer, however many requests present the token while the
// answer is remembered, and every caller gets the same value, which must
// therefore never change once derive has returned it. derive gets the
// Result shared by those callers: it must not modify it.
func (i *Introspector) IntrospectShared(ctx context.Context, token string, derive func(*Result) any) (any, error) {
	res, shared, err := i.lookup(ctx, token)
	if err != nil {
		return nil, err
	}
	shared.once.Do(func() { shared.value = derive(res) })
	return shared.value, nil
}

// lookup finds the answer about token, with the slot of the value derived
// from it; the Result is shared, not the caller's own.
func (i *Introspector) lookup(ctx context.Context, token string) (*Result, *sharedValue, error) {
	if token == "" {
		i.stats.inactive.Add(1)
		return nil, nil, fmt.Errorf("%w: the token is empty", ErrInactive)
	}
	key := sha256.Sum256([]byte(token))
	now := i.now()
	if e, ok := i.cache.get(key, now); ok {
		i.stats.cacheHits.Add(1)
		return i.answer(e.res, e.shared, e.err)
	}
	if err := ctx.Err(); err != nil {
		// The client is gone: its token is not worth a call to the issuer.
		return i.answer(nil, nil, unavailable(fmt.Errorf("introspect: %w", err)))
	}
	c, e, err := i.join(ctx, key, token, now)
	switch {
	case err != nil:
		return i.answer(nil, nil, err)
	case c == nil:
		i.stats.cacheHits.Add(1)
		return i.answer(e.res, e.shared, e.err)
	}
	select {
	case <-c.done:
		return i.answer(c.res, c.shared, c.err)
	case <-ctx.Done():
		return i.answer(nil, nil, unavailable(fmt.Errorf("introspect: waiting for the endpoint: %w", ctx.Err())))
	}
}

// join returns the call in flight for key, starting one when there is none.
// It returns instead the cached answer when a call finished since the
// caller looked, and errBusy when a call is needed but MaxConcurrent are in
// flight. The cache is looked at again under i.mu because a call stores its
// answer before it leaves flights: a caller that misses both would make a
// second call for the same token.
func (i *Introspector) join(ctx context.Context, key [32]byte, token string, now time.Time) (*call, entry, error) {
	i.mu.Lock()
	defer i.mu.Unlock()
	if c := i.flights[key]; c != nil {
		i.stats.shared.Add(1)
		return c, entry{}, nil
	}
	if e, ok := i.cache.get(key, now); ok {
		return nil, e, nil
	}
	select {
	case i.slots <- struct{}{}:
	default:
		i.stats.busy.Add(1)
		return nil, entry{}, unavailable(errBusy)
	}
	c := &call{done: make(chan struct{})}
	i.flights[key] = c
	// The call runs on its own goroutine, with the request's values but not
	// its cancellation, so that the request that started it hanging up does
	// not fail everyone sharing it; Timeout bounds it instead.
	go i.run(context.WithoutCancel(ctx), key, token, c)
	return c, entry{}, nil
}

// run makes call c and publishes its answer: in the cache first, then to
// its waiters.
func (i *Introspector) run(ctx context.Context, key [32]byte, token string, c *call) {
	res, until, err := i.ask(ctx, token)
	shared := &sharedValue{}
	// An active answer whose exp has already passed (accepted within the
	// skew) has an until in the past, and is not remembered.
	if now := i.now(); !errors.Is(err, ErrUnavailable) && until.After(now) {
		i.cache.put(key, entry{res: res, err: err, until: until, shared: shared}, now)
	}
	<-i.slots // before done closes, so that a waiter that goes on finds the slot free
	i.mu.Lock()
	delete(i.flights, key)
	i.mu.Unlock()
	c.res, c.err, c.shared = res, err, shared
	close(c.done)
}

// ask gets the endpoint's answer about token and judges it. It returns the
// Result of an active token, or ErrInactive, with how long to remember
// either; or an *UnavailableError, which is never remembered.
func (i *Introspector) ask(ctx context.Context, token string) (*Result, time.Time, error) {
	endpoint, err := i.endpoint(ctx)
	if err != nil {
		return nil, time.Time{}, err
	}
	callCtx, cancel := context.WithTimeout(ctx, i.timeout)
	defer cancel()
	i.stats.calls.Add(1)
	body, err := i.post(callCtx, endpoint, token)
	if err != nil {
		return nil, time.Time{}, err
	}
	now := i.now()
	res, hasIssuer, err := parseResponse(body)
	if err == nil {
		err = i.check(res, hasIssuer, now)
	}
	switch {
	case errors.Is(err, ErrInactive):
		return nil, now.Add(i.negativeTTL), err
	case err != nil:
		return nil, time.Time{}, unavailable(err)
	}
	return res, i.cacheUntil(res, now), nil
}

// answer hands out an outcome to one caller, counting it: the shared
// Result and its derived value's slot, or the error, with an
// *UnavailableError copied so that no caller can change what another sees.
func (i *Introspector) answer(res *Result, shared *sharedValue, err error) (*Result, *sharedValue, error) {
	if err == nil {
		// Before errors.As, whose target would otherwise escape on every
		// answer, the common one included.
		return res, shared, nil
	}
	var ue *UnavailableError
	switch {
	case errors.As(err, &ue):
		i.stats.unavailable.Add(1)
		own := *ue
		return nil, nil, &own
	case err != nil:
		i.stats.inactive.Add(1)
		return nil, nil, err
	}
	return res, shared, nil
}
