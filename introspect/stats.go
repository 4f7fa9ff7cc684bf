package introspect

import "sync/atomic"

// Stats is a snapshot of an Introspector's counters since it was built, for
// metrics: a rise in Busy or Unavailable shows the endpoint struggling
// before users report it.
type Stats struct {
	// Calls counts introspection requests sent to the endpoint (discovery
	// not included).
	Calls uint64
	// CacheHits counts answers taken from the cache, active or inactive.
	CacheHits uint64
	// Inactive counts ErrInactive answers returned, cached ones included.
	Inactive uint64
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
	calls, inactive, unavailable atomic.Uint64
}

// Stats returns the counters as they are now.
func (i *Introspector) Stats() Stats {
	hits, shared, busy, entries := i.answers.Stats()
	return Stats{
		Calls:       i.stats.calls.Load(),
		CacheHits:   hits,
		Inactive:    i.stats.inactive.Load(),
		Unavailable: i.stats.unavailable.Load(),
		Shared:      shared,
		Busy:        busy,
		Entries:     entries,
	}
}
