package remember

import (
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
)

// An answer is reused until the token expires or maxTTL passes, whichever
// comes first; without an expiry, for maxTTL.
func TestUntil(t *testing.T) {
	now := time.Unix(1_900_000_000, 0)
	tests := []struct {
		name    string
		expires time.Time
		want    time.Time
	}{
		{"no expiry", time.Time{}, now.Add(time.Minute)},
		{"expires first", now.Add(10 * time.Second), now.Add(10 * time.Second)},
		{"maxTTL first", now.Add(time.Hour), now.Add(time.Minute)},
		{"both at once", now.Add(time.Minute), now.Add(time.Minute)},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			assert.Equal(t, tt.want, Until(now, time.Minute, tt.expires))
		})
	}
}
