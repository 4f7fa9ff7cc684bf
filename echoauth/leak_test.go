package echoauth_test

import (
	"net/http"
	"runtime"
	"strconv"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/scopegate/scopegate/authtest"
	"github.com/scopegate/scopegate/bearer"
	"github.com/scopegate/scopegate/echoauth"
)

// TestNoGoroutineLeaks: after a burst of requests that start key fetches
// (first use, unknown kids, refreshes past the TTL, failures), every
// goroutine the middleware or the key set started has ended. Fetches run on
// goroutines of their own that end with the fetch; no timer or ticker
// survives a request.
func TestNoGoroutineLeaks(t *testing.T) {
	transport := &http.Transport{}
	client := &http.Client{Transport: transport}
	clock := authtest.NewClock(time.Unix(1_900_000_000, 0))
	issuer := authtest.NewIssuer(t, authtest.WithClock(clock.Now))
	before := runtime.NumGoroutine()

	auth, err := echoauth.New(echoauth.Config{Issuer: issuer.URL(), Audience: []string{issuer.Audience()},
		RemoteKeys: bearer.RemoteKeysConfig{HTTPClient: client}, Now: clock.Now})
	require.NoError(t, err)
	h := &harness{issuer: issuer, auth: auth, e: newEcho()}
	h.e.GET("/private", h.ok, auth.CheckJWT())
	foreign, err := authtest.NewRSAKey(2048)
	require.NoError(t, err)

	for round := range 5 {
		for i := range 20 {
			h.serve(http.MethodGet, "/private", "Bearer "+issuer.Token().Subject("u"+strconv.Itoa(i)).MustSign(t))
			h.serve(http.MethodGet, "/private", "Bearer "+issuer.Token().SignWith("RS256", foreign, "junk"+strconv.Itoa(i)).MustSign(t))
		}
		if round == 2 {
			issuer.SetHandler(authtest.JWKSPath, http.NotFoundHandler())
		}
		clock.Advance(11 * time.Minute)
	}
	// Wait for a fetch still in flight: Prefetch joins it.
	for _, set := range auth.KeySets() {
		_ = set.Prefetch(t.Context())
	}
	transport.CloseIdleConnections()
	// Goroutines of closed connections end asynchronously: poll, in this
	// goroutine (a helper goroutine would count itself), for a bounded time.
	deadline := time.Now().Add(5 * time.Second)
	for runtime.NumGoroutine() > before && time.Now().Before(deadline) {
		time.Sleep(5 * time.Millisecond)
	}
	if n := runtime.NumGoroutine(); !assert.LessOrEqual(t, n, before, "goroutines: %d before, %d after", before, n) {
		buf := make([]byte, 1<<16)
		t.Logf("%s", buf[:runtime.Stack(buf, true)])
	}
}
