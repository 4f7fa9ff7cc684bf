package apptest

import (
	"net/http"
	"strconv"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/scopegate/scopegate/authtest"
	"github.com/scopegate/scopegate/bearer"
	"github.com/scopegate/scopegate/examples/internal/app"
)

// TestKeysUnderRotationAndFaults points the example at a JWKS server that
// rotates, fails, slows down and lies. Valid tokens keep getting 200 from
// the last good keys, a new kid is accepted on first sight, and junk kids
// never cause more than one fetch per cooldown.
func testKeysUnderRotationAndFaults(t *testing.T, server app.Server) {
	clock := authtest.NewClock(time.Unix(1_800_000_000, 0))
	issuer := authtest.NewIssuer(t, authtest.WithClock(clock.Now))
	s, err := app.LoadSettings(envOf(map[string]string{
		"ISSUER_BASE_URL":       issuer.URL(),
		"AUDIENCE":              issuer.Audience(),
		"JWKS_CACHE_TTL":        "10m",
		"JWKS_REFRESH_COOLDOWN": "30s",
	}))
	require.NoError(t, err)
	s.Auth.Now = clock.Now
	s.Auth.RemoteKeys.FetchTimeout = 200 * time.Millisecond
	api, auth := startAPI(t, s, server)

	status := func(token string) int { return privateStatus(t, api, token) }
	jwksFetches := func() int64 { return issuer.Requests(authtest.JWKSPath) }
	foreign, err := authtest.NewRSAKey(2048)
	require.NoError(t, err)
	junk := func(i int) string {
		return issuer.Token().SignWith("RS256", foreign, "junk-"+strconv.Itoa(i)).MustSign(t)
	}

	original := issuer.Token().MustSign(t)
	require.Equal(t, 200, status(original))
	require.EqualValues(t, 1, jwksFetches())

	// Junk kids: one refetch for the first, none for the rest of the
	// cooldown, even when they arrive at once.
	var wg sync.WaitGroup
	codes := make([]int, 50)
	for i := range codes {
		wg.Add(1)
		go func() {
			defer wg.Done()
			codes[i] = status(junk(i))
		}()
	}
	wg.Wait()
	for _, code := range codes {
		assert.Equal(t, 401, code)
	}
	assert.EqualValues(t, 2, jwksFetches(), "junk kids cost at most one fetch per cooldown")

	// Rotation: a new kid is accepted on first sight once the cooldown the
	// junk started has passed.
	clock.Advance(31 * time.Second)
	_, err = issuer.Rotate("RS256")
	require.NoError(t, err)
	rotated := issuer.Token().MustSign(t)
	assert.Equal(t, 200, status(rotated))
	assert.EqualValues(t, 3, jwksFetches())
	assert.Equal(t, 200, status(original), "the old key is still published")

	faults := []struct {
		name    string
		handler http.Handler
	}{
		{"server error", http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
			http.Error(w, "boom", http.StatusInternalServerError)
		})},
		{"garbage", http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
			_, _ = w.Write([]byte("<html>maintenance</html>"))
		})},
		{"empty key set", http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
			_, _ = w.Write([]byte(`{"keys":[]}`))
		})},
		{"slower than the timeout", authtest.Slow(time.Minute, issuer.DefaultHandler(authtest.JWKSPath))},
	}
	for _, fault := range faults {
		t.Run(fault.name, func(t *testing.T) {
			issuer.SetHandler(authtest.JWKSPath, fault.handler)
			t.Cleanup(func() { issuer.SetHandler(authtest.JWKSPath, nil) })
			before := failures(t, auth)
			// Past the TTL, the cached keys are refreshed; the refresh fails.
			clock.Advance(11 * time.Minute)
			assert.Equal(t, 200, status(rotated), "valid tokens keep working from the last good keys")
			assert.Equal(t, before+1, failures(t, auth), "the refresh failed")
			assert.Equal(t, 200, status(rotated))
			assert.Equal(t, 200, status(original))
			// Tokens never seen before are verified in full, not found in
			// the verified-token cache: the last good keys still verify them.
			assert.Equal(t, 200, status(issuer.Token().Subject("fresh-"+fault.name).MustSign(t)))
			assert.Equal(t, before+1, failures(t, auth), "and cost no further fetch")
		})
	}

	// The server recovers and the keys refresh again.
	before := failures(t, auth)
	clock.Advance(11 * time.Minute)
	assert.Equal(t, 200, status(rotated))
	assert.Equal(t, before, failures(t, auth))
	assert.Empty(t, auth.KeySets()[0].Stats().LastError)
}

// failures waits for any fetch in flight (Prefetch joins it rather than
// starting another, so no polling is needed) and returns how many fetches
// of the key set have failed.
func failures(t *testing.T, auth *bearer.Authenticator) uint64 {
	t.Helper()
	sets := auth.KeySets()
	require.Len(t, sets, 1)
	_ = sets[0].Prefetch(t.Context())
	return sets[0].Stats().Failures
}
