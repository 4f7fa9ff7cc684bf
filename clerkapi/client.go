package clerkapi

import (
	"context"
	"crypto/sha256"
	"errors"
	"fmt"
	"net/http"
	"sync"
	"time"
)

// maxTokenBytes bounds the tokens worth asking Clerk about. Clerk's machine
// tokens are well under a hundred bytes; a longer one cannot be Clerk's,
// and sending it would cost a billed call and a request body for nothing.
const maxTokenBytes = 4096

// errBusy is the cause of the failure of a call refused because
// MaxConcurrent calls are already in flight.
var errBusy = errors.New("clerkapi: MaxConcurrent calls to Clerk are already in flight")

// Client verifies Clerk machine tokens with Clerk's Backend API. It is safe
// for concurrent use.
type Client struct {
	client              *http.Client
	secretKey           string
	baseURL             string // without a trailing slash
	timeout             time.Duration
	maxBytes            int
	negativeTTL, maxTTL time.Duration
	now                 func() time.Time

	// slots holds a token for each call in flight; its capacity is
	// MaxConcurrent.
	slots chan struct{}
	cache *cache // nil when off

	mu      sync.Mutex
	flights map[[32]byte]*call // calls in flight, by token hash

	stats counters
}

// call is one question to Clerk, shared by every request that presents the
// same token while it is in flight.
type call struct {
	done   chan struct{}
	m      *Machine // read-only once done is closed; cloned for each caller
	err    error
	shared *sharedValue
}

// sharedValue is a value derived once from one answer and shared by every
// caller of VerifyShared that gets that answer.
type sharedValue struct {
	once  sync.Once
	value any
}

// Verify asks Clerk about token, a machine token of any kind KindOf knows,
// at the endpoint of its kind: its Machine, or an error that is ErrInvalid
// (answer 401) or an *UnavailableError (answer 503 with its RetryAfter). A
// token that cannot be a Clerk machine token (empty, of no known prefix,
// nothing but the prefix, longer than 4 KiB, or with a byte outside
// printable ASCII) is ErrInvalid without a call. A remembered answer costs
// no call; otherwise one call is made for
// all concurrent requests presenting the same token, and ctx bounds only
// this request's wait for it, so that one client hanging up does not fail
// the others.
func (c *Client) Verify(ctx context.Context, token string) (*Machine, error) {
	m, _, err := c.lookup(ctx, token)
	if err != nil {
		return nil, err
	}
	return m.clone(), nil
}

// VerifyShared is Verify for a caller that turns each answer into a value
// of its own, such as package bearer's auth object: derive runs once per
// answer, however many requests present the token while the answer is
// remembered, and every caller gets the same value, which must therefore
// never change once derive has returned it. derive gets the Machine shared
// by those callers: it must not modify it.
func (c *Client) VerifyShared(ctx context.Context, token string, derive func(*Machine) any) (any, error) {
	m, shared, err := c.lookup(ctx, token)
	if err != nil {
		return nil, err
	}
	shared.once.Do(func() { shared.value = derive(m) })
	return shared.value, nil
}

// lookup finds the answer about token, with the slot of the value derived
// from it; the Machine is shared, not the caller's own.
func (c *Client) lookup(ctx context.Context, token string) (*Machine, *sharedValue, error) {
	kind, err := precheck(token)
	if err != nil {
		return c.answer(nil, nil, err)
	}
	key := sha256.Sum256([]byte(token))
	now := c.now()
	if e, ok := c.cache.get(key, now); ok {
		c.stats.cacheHits.Add(1)
		return c.answer(e.m, e.shared, e.err)
	}
	if err := ctx.Err(); err != nil {
		// The client is gone: its token is not worth a billed call.
		return c.answer(nil, nil, unavailable(fmt.Errorf("clerkapi: %w", err)))
	}
	cl, e, err := c.join(ctx, key, kind, token, now)
	switch {
	case err != nil:
		return c.answer(nil, nil, err)
	case cl == nil:
		c.stats.cacheHits.Add(1)
		return c.answer(e.m, e.shared, e.err)
	}
	select {
	case <-cl.done:
		return c.answer(cl.m, cl.shared, cl.err)
	case <-ctx.Done():
		return c.answer(nil, nil, unavailable(fmt.Errorf("clerkapi: waiting for Clerk: %w", ctx.Err())))
	}
}

// precheck returns token's kind, or ErrInvalid for a token that Clerk
// cannot have issued, which is refused without a call (and without a bill).
func precheck(token string) (Kind, error) {
	kind, ok := KindOf(token)
	switch {
	case token == "":
		return "", fmt.Errorf("%w: the token is empty", ErrInvalid)
	case !ok:
		return "", fmt.Errorf("%w: not a Clerk machine token (no %s, %s or %s prefix)", ErrInvalid, PrefixM2M, PrefixOAuth, PrefixAPIKey)
	case len(token) > maxTokenBytes:
		return "", fmt.Errorf("%w: the %s is longer than %d bytes", ErrInvalid, endpointOf(kind).noun, maxTokenBytes)
	}
	if len(token) == len(prefixOf(kind)) {
		return "", fmt.Errorf("%w: the %s is nothing but its prefix", ErrInvalid, endpointOf(kind).noun)
	}
	// Clerk's tokens are printable ASCII. Anything else cannot be one, and
	// invalid UTF-8 would not even reach Clerk as sent: JSON encoding
	// replaces it.
	for i := range len(token) {
		if token[i] < 0x21 || token[i] > 0x7e {
			return "", fmt.Errorf("%w: the %s has a byte outside printable ASCII", ErrInvalid, endpointOf(kind).noun)
		}
	}
	return kind, nil
}

// prefixOf returns the prefix of kind k.
func prefixOf(k Kind) string {
	switch k {
	case KindM2M:
		return PrefixM2M
	case KindOAuth:
		return PrefixOAuth
	default:
		return PrefixAPIKey
	}
}

// join returns the call in flight for key, starting one when there is none.
// It returns instead the cached answer when a call finished since the
// caller looked, and errBusy when a call is needed but MaxConcurrent are in
// flight. The cache is looked at again under c.mu because a call stores its
// answer before it leaves flights: a caller that misses both would make a
// second call for the same token.
func (c *Client) join(ctx context.Context, key [32]byte, kind Kind, token string, now time.Time) (*call, entry, error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if cl := c.flights[key]; cl != nil {
		c.stats.shared.Add(1)
		return cl, entry{}, nil
	}
	if e, ok := c.cache.get(key, now); ok {
		return nil, e, nil
	}
	select {
	case c.slots <- struct{}{}:
	default:
		c.stats.busy.Add(1)
		return nil, entry{}, unavailable(errBusy)
	}
	cl := &call{done: make(chan struct{})}
	c.flights[key] = cl
	// The call runs on its own goroutine, with the request's values but not
	// its cancellation, so that the request that started it hanging up does
	// not fail everyone sharing it; Timeout bounds it instead.
	go c.run(context.WithoutCancel(ctx), key, kind, token, cl)
	return cl, entry{}, nil
}

// run makes call cl and publishes its answer: in the cache first, then to
// its waiters.
func (c *Client) run(ctx context.Context, key [32]byte, kind Kind, token string, cl *call) {
	m, until, err := c.ask(ctx, kind, token)
	shared := &sharedValue{}
	if now := c.now(); !errors.Is(err, ErrUnavailable) && until.After(now) {
		c.cache.put(key, entry{m: m, err: err, until: until, shared: shared}, now)
	}
	<-c.slots // before done closes, so that a waiter that goes on finds the slot free
	c.mu.Lock()
	delete(c.flights, key)
	c.mu.Unlock()
	cl.m, cl.err, cl.shared = m, err, shared
	close(cl.done)
}

// ask gets Clerk's answer about token and judges it. It returns the Machine
// of a valid token, or ErrInvalid, with how long to remember either; or an
// *UnavailableError, which is never remembered.
func (c *Client) ask(ctx context.Context, kind Kind, token string) (*Machine, time.Time, error) {
	callCtx, cancel := context.WithTimeout(ctx, c.timeout)
	defer cancel()
	c.stats.calls.Add(1)
	body, err := c.post(callCtx, kind, token)
	now := c.now()
	switch {
	case errors.Is(err, ErrInvalid):
		return nil, now.Add(c.negativeTTL), err
	case err != nil:
		return nil, time.Time{}, err
	}
	m, err := parseMachine(kind, body)
	if err == nil {
		err = checkExpiry(m, now)
	}
	switch {
	case errors.Is(err, ErrInvalid):
		return nil, now.Add(c.negativeTTL), err
	case err != nil:
		return nil, time.Time{}, unavailable(err)
	}
	return m, c.cacheUntil(m, now), nil
}

// checkExpiry refuses a token whose expiration has passed by our clock,
// whatever Clerk's "expired" said: an answer can be delayed, and a token
// valid for a moment longer is worth nothing to a request that will
// outlast it. There is no skew: Clerk judged the token at its own clock a
// moment ago, and this only catches answers already stale on arrival.
func checkExpiry(m *Machine, now time.Time) error {
	if !m.ExpiresAt.IsZero() && !now.Before(m.ExpiresAt) {
		return fmt.Errorf("%w: the %s expired at %s", ErrInvalid, endpointOf(m.Kind).noun, m.ExpiresAt.UTC().Format(time.RFC3339))
	}
	return nil
}

// cacheUntil is when a valid answer received at now stops being reused: at
// the token's expiration, but no later than MaxTTL from now, so that a
// revocation is seen within MaxTTL.
func (c *Client) cacheUntil(m *Machine, now time.Time) time.Time {
	until := now.Add(c.maxTTL)
	if !m.ExpiresAt.IsZero() && m.ExpiresAt.Before(until) {
		until = m.ExpiresAt
	}
	return until
}

// answer hands out an outcome to one caller, counting it: the shared
// Machine and its derived value's slot, or the error, with an
// *UnavailableError copied so that no caller can change what another sees.
func (c *Client) answer(m *Machine, shared *sharedValue, err error) (*Machine, *sharedValue, error) {
	var ue *UnavailableError
	switch {
	case errors.As(err, &ue):
		c.stats.unavailable.Add(1)
		own := *ue
		return nil, nil, &own
	case err != nil:
		c.stats.invalid.Add(1)
		return nil, nil, err
	}
	return m, shared, nil
}
