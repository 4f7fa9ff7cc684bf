package jwks

import "time"

// Stats is a snapshot of a Remote key set's health, for metrics and
// readiness endpoints.
type Stats struct {
	// Fetches counts fetch attempts, discovery included in each.
	Fetches uint64
	// Failures counts attempts that failed; the cached keys stayed in use.
	Failures uint64
	// LastSuccess is when keys were last fetched; zero if never.
	LastSuccess time.Time
	// LastError is the most recent failure while it is unresolved; "" after
	// a success.
	LastError string
	// Keys is the number of usable keys cached.
	Keys int
	// FetchedAt and ExpiresAt bound the freshness of the cached keys.
	FetchedAt, ExpiresAt time.Time
	// JWKSURL is the endpoint in use; "" before discovery succeeded.
	JWKSURL string
}

// Stats returns a snapshot of the key set's counters and state.
func (r *Remote) Stats() Stats {
	s := Stats{Fetches: r.fetches.Load(), Failures: r.failures.Load()}
	if ns := r.lastSuccess.Load(); ns != 0 {
		s.LastSuccess = time.Unix(0, ns)
	}
	if cache := r.cache.Load(); cache != nil {
		s.Keys = len(cache.set.keys)
		s.FetchedAt, s.ExpiresAt = cache.fetchedAt, cache.expiresAt
	}
	r.mu.Lock()
	if r.lastErr != nil {
		s.LastError = r.lastErr.Error()
	}
	s.JWKSURL = r.jwksURL
	r.mu.Unlock()
	return s
}
