package echoauth_test

import (
	"encoding/base64"
	"fmt"
	"net/http"
	"runtime"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/scopegate/scopegate/authtest"
	"github.com/scopegate/scopegate/echoauth"
)

// TestJunkFloodKeepsMemoryFlat sends floods of distinct invalid tokens
// through the strict middleware: garbage, unknown kids and bad signatures
// under the issuer's real kid, each never seen twice. Every one is refused,
// the unknown kids cost one fetch per cooldown, and the live heap after the
// flood is what it was halfway through: nothing a rejected token brings is
// kept.
func TestJunkFloodKeepsMemoryFlat(t *testing.T) {
	clock := authtest.NewClock(time.Unix(1_900_000_000, 0))
	issuer := authtest.NewIssuer(t, authtest.WithClock(clock.Now))
	auth, err := echoauth.New(echoauth.Config{Issuer: issuer.URL(), Audience: []string{issuer.Audience()}, Now: clock.Now})
	require.NoError(t, err)
	require.NoError(t, auth.Prefetch(t.Context()))
	h := &harness{issuer: issuer, auth: auth, e: newEcho()}
	h.e.GET("/private", h.ok, auth.CheckJWT())

	b64 := base64.RawURLEncoding.EncodeToString
	payload := func(i int) string {
		return b64(fmt.Appendf(nil, `{"iss":%q,"aud":%q,"sub":"user_%d","jti":"%d","exp":%d}`,
			issuer.URL(), issuer.Audience(), i, i, clock.Now().Add(time.Hour).Unix()))
	}
	signature := b64([]byte(strings.Repeat("s", 256)))
	kinds := []struct {
		name  string
		token func(i int) string
	}{
		{"garbage", func(i int) string { return fmt.Sprintf("junk.%d.%s", i, strings.Repeat("x", i%500)) }},
		{"unknown kid", func(i int) string {
			return b64(fmt.Appendf(nil, `{"alg":"RS256","kid":"kid-%d"}`, i)) + "." + payload(i) + "." + signature
		}},
		{"bad signature", func(i int) string {
			return b64(fmt.Appendf(nil, `{"alg":"RS256","kid":%q}`, issuer.KeyID("RS256"))) + "." + payload(i) + "." + signature
		}},
	}
	const flood = 4000
	for _, kind := range kinds {
		t.Run(kind.name, func(t *testing.T) {
			fetches := issuer.Requests(authtest.JWKSPath)
			var half uint64
			for i := range flood {
				h.ran = false
				rec := h.serve(http.MethodGet, "/private", "Bearer "+kind.token(i))
				require.Equal(t, http.StatusUnauthorized, rec.Code, "token %d", i)
				require.False(t, h.ran)
				if i == flood/2-1 {
					half = liveHeap()
				}
			}
			end := liveHeap()
			assert.LessOrEqual(t, float64(end), float64(half)+64<<10,
				"live heap %d B after the flood, %d B halfway", end, half)
			assert.LessOrEqual(t, issuer.Requests(authtest.JWKSPath)-fetches, int64(1), "one refetch per cooldown at most")
			assert.Zero(t, auth.CacheStats().Entries, "junk never enters the cache")
		})
	}
}

// liveHeap is the heap in use after a full collection.
func liveHeap() uint64 {
	runtime.GC()
	runtime.GC()
	var m runtime.MemStats
	runtime.ReadMemStats(&m)
	return m.HeapAlloc
}
