package introspect

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"time"

	"github.com/scopegate/scopegate/internal/remember"
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

	// answers remembers answers and shares calls, MaxConcurrent at most.
	answers   *remember.Group[Result]
	discovery discovery

	stats counters
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
	return shared.Value(func() any { return derive(res) }), nil
}

// lookup finds the answer about token, with the slot of the value derived
// from it; the Result is shared, not the caller's own.
func (i *Introspector) lookup(ctx context.Context, token string) (*Result, *remember.Shared, error) {
	if token == "" {
		i.stats.inactive.Add(1)
		return nil, nil, fmt.Errorf("%w: the token is empty", ErrInactive)
	}
	a, err := i.answers.Do(ctx, token)
	var wait *remember.WaitError
	switch {
	case errors.Is(err, remember.ErrBusy):
		return i.answer(nil, nil, unavailable(errBusy))
	case errors.As(err, &wait) && wait.Waiting:
		return i.answer(nil, nil, unavailable(fmt.Errorf("introspect: waiting for the endpoint: %w", wait.Err)))
	case err != nil:
		// The client is gone: its token is not worth a call to the issuer.
		return i.answer(nil, nil, unavailable(fmt.Errorf("introspect: %w", err)))
	}
	return i.answer(a.Value, a.Shared, a.Err)
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
	return res, remember.Until(now, i.maxTTL, res.ExpiresAt), nil
}

// answer hands out an outcome to one caller, counting it: the shared
// Result and its derived value's slot, or the error, with an
// *UnavailableError copied so that no caller can change what another sees.
func (i *Introspector) answer(res *Result, shared *remember.Shared, err error) (*Result, *remember.Shared, error) {
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
