package remember

import "time"

// Until is when an answer received at now stops being reused: at expires,
// the token's own expiry, but no later than maxTTL from now, so that a
// revocation is seen within maxTTL. A zero expires means none was given.
func Until(now time.Time, maxTTL time.Duration, expires time.Time) time.Time {
	until := now.Add(maxTTL)
	if !expires.IsZero() && expires.Before(until) {
		return expires
	}
	return until
}
