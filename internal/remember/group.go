package remember

import (
	"context"
	"crypto/sha256"
	"errors"
	"sync"
	"sync/atomic"
	"time"
)

// ErrBusy is Do's failure when a call is needed but the most calls allowed
// are already in flight: it fails at once, so that a flood of distinct
// tokens cannot pile up on the remote authority.
var ErrBusy = errors.New("the most calls allowed are already in flight")

// WaitError is Do's failure when the request's context ended before an
// answer: Waiting tells whether a call was in flight for it.
type WaitError struct {
	Waiting bool
	Err     error
}

func (e *WaitError) Error() string { return e.Err.Error() }

// Unwrap returns the context's error.
func (e *WaitError) Unwrap() error { return e.Err }

// Shared is a value derived once from one answer and shared by every
// caller that gets that answer.
type Shared struct {
	once  sync.Once
	value any
}

// Value returns the value derived from the answer, deriving it the first
// time.
func (s *Shared) Value(derive func() any) any {
	s.once.Do(func() { s.value = derive() })
	return s.value
}

// Answer is one outcome of Do: a value or a refusal, with the slot of the
// value derived from it. Value is shared by every caller: the packages
// using this one clone it before handing it out.
type Answer[T any] struct {
	Value  *T
	Err    error
	Shared *Shared
}

// Ask makes one call about token. It returns the answer and until when to
// remember it; an answer whose until is not after now (an outage, say,
// given the zero time) is never remembered.
type Ask[T any] func(ctx context.Context, token string) (value *T, until time.Time, err error)

// Group remembers answers and shares calls. It is safe for concurrent use.
type Group[T any] struct {
	ask   Ask[T]
	now   func() time.Time
	cache *cache[T] // nil when off
	// slots holds a token for each call in flight; its capacity is the
	// most calls allowed in flight.
	slots chan struct{}

	mu      sync.Mutex
	flights map[[32]byte]*call[T]

	hits, shared, busy atomic.Uint64
}

// call is one call in flight, shared by every request presenting the same
// token meanwhile.
type call[T any] struct {
	done   chan struct{}
	answer Answer[T] // read-only once done is closed
}

// NewGroup returns a Group asking ask, remembering at most maxEntries
// answers (none when maxEntries is not positive) and making at most
// maxConcurrent calls at once, reading time from now.
func NewGroup[T any](ask Ask[T], maxEntries, maxConcurrent int, now func() time.Time) *Group[T] {
	return &Group[T]{ask: ask, now: now, cache: newCache[T](maxEntries), slots: make(chan struct{}, maxConcurrent),
		flights: make(map[[32]byte]*call[T])}
}

// Do returns the answer about token: remembered (by the token's SHA-256,
// never the token), or from the call in flight for it, or from a new call. The call runs
// on its own goroutine, with ctx's values but not its cancellation, so that
// the request that started it hanging up does not fail everyone sharing
// it; ctx bounds only this request's wait. It fails with ErrBusy or a
// *WaitError, never caching either.
func (g *Group[T]) Do(ctx context.Context, token string) (Answer[T], error) {
	key := sha256.Sum256([]byte(token))
	now := g.now()
	if e, ok := g.cache.get(key, now); ok {
		g.hits.Add(1)
		return e.answer(), nil
	}
	if err := ctx.Err(); err != nil {
		// The client is gone: its token is not worth a call.
		return Answer[T]{}, &WaitError{Err: err}
	}
	c, e, err := g.join(ctx, key, token, now)
	switch {
	case err != nil:
		return Answer[T]{}, err
	case c == nil:
		g.hits.Add(1)
		return e.answer(), nil
	}
	select {
	case <-c.done:
		return c.answer, nil
	case <-ctx.Done():
		return Answer[T]{}, &WaitError{Waiting: true, Err: ctx.Err()}
	}
}

// join returns the call in flight for key, starting one when there is none.
// It returns instead the remembered answer when a call finished since the
// caller looked, and ErrBusy when a call is needed but every slot is taken.
// The cache is looked at again under g.mu because a call stores its answer
// before it leaves flights: a caller that misses both would make a second
// call for the same token.
func (g *Group[T]) join(ctx context.Context, key [32]byte, token string, now time.Time) (*call[T], entry[T], error) {
	g.mu.Lock()
	defer g.mu.Unlock()
	if c := g.flights[key]; c != nil {
		g.shared.Add(1)
		return c, entry[T]{}, nil
	}
	if e, ok := g.cache.get(key, now); ok {
		return nil, e, nil
	}
	select {
	case g.slots <- struct{}{}:
	default:
		g.busy.Add(1)
		return nil, entry[T]{}, ErrBusy
	}
	c := &call[T]{done: make(chan struct{})}
	g.flights[key] = c
	go g.run(context.WithoutCancel(ctx), key, token, c)
	return c, entry[T]{}, nil
}

// run makes call c and publishes its answer: in the cache first, then to
// its waiters.
func (g *Group[T]) run(ctx context.Context, key [32]byte, token string, c *call[T]) {
	value, until, err := g.ask(ctx, token)
	answer := Answer[T]{Value: value, Err: err, Shared: &Shared{}}
	if now := g.now(); until.After(now) {
		g.cache.put(key, entry[T]{value: value, err: err, until: until, shared: answer.Shared}, now)
	}
	<-g.slots // before done closes, so that a waiter that goes on finds the slot free
	g.mu.Lock()
	delete(g.flights, key)
	g.mu.Unlock()
	c.answer = answer
	close(c.done)
}

// answer is the entry as Do hands it out.
func (e entry[T]) answer() Answer[T] { return Answer[T]{Value: e.value, Err: e.err, Shared: e.shared} }

// Stats are the Group's counters: answers taken from the cache, requests
// that joined a call in flight, requests refused as busy, entries held.
func (g *Group[T]) Stats() (hits, shared, busy uint64, entries int) {
	return g.hits.Load(), g.shared.Load(), g.busy.Load(), g.cache.len()
}

// Limits returns the bounds the Group was built with: the most answers it
// remembers (0: none) and the most calls in flight.
func (g *Group[T]) Limits() (maxEntries, maxConcurrent int) {
	if g.cache != nil {
		maxEntries = g.cache.max
	}
	return maxEntries, cap(g.slots)
}

// Holds reports whether an answer is remembered under key, the SHA-256 of
// a token, stale or not.
func (g *Group[T]) Holds(key [32]byte) bool {
	if g.cache == nil {
		return false
	}
	g.cache.mu.RLock()
	defer g.cache.mu.RUnlock()
	_, ok := g.cache.entries[key]
	return ok
}
