package authtest

import (
	"net/http"
	"time"
)

// Slow returns a handler that waits d before letting h answer, for tests of
// fetch timeouts: issuer.SetHandler(authtest.JWKSPath,
// authtest.Slow(time.Minute, issuer.DefaultHandler(authtest.JWKSPath))).
//
// The wait ends early, without an answer, when the client gives up or the
// issuer is closed, so a slow issuer never slows the test that closes it.
// A nil h answers 404 after the wait.
func Slow(d time.Duration, h http.Handler) http.Handler {
	if h == nil {
		h = http.NotFoundHandler()
	}
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		t := time.NewTimer(d)
		defer t.Stop()
		select {
		case <-t.C:
			h.ServeHTTP(w, r)
		case <-r.Context().Done():
		}
	})
}
