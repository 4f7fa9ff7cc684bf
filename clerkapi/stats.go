package clerkapi

import "sync/atomic"

// Stats is a snapshot of a Client's counters since it was built, for
// metrics: a rise in Busy or Unavailable shows Clerk struggling (or the
// secret key refused) before users report it, and Calls is what Clerk
// bills.
type Stats struct {
	// Calls counts verification requests sent to Clerk.
	Calls uint64
	// CacheHits counts answers taken from the cache, valid or invalid.
	CacheHits uint64
	// Invalid counts ErrInvalid answers returned, cached ones and those
	// refused without a call included.
	Invalid uint64
	// Unavailable counts *UnavailableError answers returned, Busy ones
	// included.
	Unavailable uint64
	// Shared counts requests that joined a call already in flight for
	// their token instead of making their own.
	Shared uint64
	// Busy counts requests refused at once because MaxConcurrent calls
	// were in flight.
	Busy uint64
	// Entries is how many answers the cache holds now.
	Entries int
}

// counters are the live values behind Stats.
type counters struct {
	calls, invalid, unavailable atomic.Uint64
}

// Stats returns the counters as they are now.
func (c *Client) Stats() Stats {
	hits, shared, busy, entries := c.answers.Stats()
	return Stats{
		Calls:       c.stats.calls.Load(),
		CacheHits:   hits,
		Invalid:     c.stats.invalid.Load(),
		Unavailable: c.stats.unavailable.Load(),
		Shared:      shared,
		Busy:        busy,
		Entries:     entries,
	}
}
