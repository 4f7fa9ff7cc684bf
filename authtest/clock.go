package authtest

import (
	"sync"
	"time"
)

// Clock is a clock that moves only when told, for tests of expiry, skew and
// key caching without sleeping. Pass its Now method wherever a clock is
// injected (WithClock, bearer.Config.Now, jwks.RemoteConfig.Now). It is
// safe for concurrent use.
type Clock struct {
	mu  sync.Mutex
	now time.Time
}

// NewClock returns a Clock set to start.
func NewClock(start time.Time) *Clock {
	return &Clock{now: start}
}

// Now returns the clock's time.
func (c *Clock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.now
}

// Advance moves the clock forward by d.
func (c *Clock) Advance(d time.Duration) {
	c.mu.Lock()
	c.now = c.now.Add(d)
	c.mu.Unlock()
}
