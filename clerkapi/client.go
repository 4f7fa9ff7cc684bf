package clerkapi

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"time"

	"github.com/scopegate/scopegate/internal/remember"
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

	// answers remembers answers and shares calls, MaxConcurrent at most.
	answers *remember.Group[Machine]

	stats counters
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
	return shared.Value(func() any { return derive(m) }), nil
}

// lookup finds the answer about token, with the slot of the value derived
// from it; the Machine is shared, not the caller's own.
func (c *Client) lookup(ctx context.Context, token string) (*Machine, *remember.Shared, error) {
	if _, err := precheck(token); err != nil {
		return c.answer(nil, nil, err)
	}
	a, err := c.answers.Do(ctx, token)
	var wait *remember.WaitError
	switch {
	case errors.Is(err, remember.ErrBusy):
		return c.answer(nil, nil, unavailable(errBusy))
	case errors.As(err, &wait) && wait.Waiting:
		return c.answer(nil, nil, unavailable(fmt.Errorf("clerkapi: waiting for Clerk: %w", wait.Err)))
	case err != nil:
		// The client is gone: its token is not worth a billed call.
		return c.answer(nil, nil, unavailable(fmt.Errorf("clerkapi: %w", err)))
	}
	return c.answer(a.Value, a.Shared, a.Err)
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

// askToken is ask for a token that precheck let through, which tells its
// kind.
func (c *Client) askToken(ctx context.Context, token string) (*Machine, time.Time, error) {
	kind, _ := KindOf(token)
	return c.ask(ctx, kind, token)
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
	return m, remember.Until(now, c.maxTTL, m.ExpiresAt), nil
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

// answer hands out an outcome to one caller, counting it: the shared
// Machine and its derived value's slot, or the error, with an
// *UnavailableError copied so that no caller can change what another sees.
func (c *Client) answer(m *Machine, shared *remember.Shared, err error) (*Machine, *remember.Shared, error) {
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
