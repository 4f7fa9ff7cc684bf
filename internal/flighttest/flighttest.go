// Package flighttest holds calls to a remote authority in flight, for the
// tests of the clients that share one call per token among concurrent
// requests (packages introspect and clerkapi): a test sees a call arrive,
// sees every request attach to it, and lets it answer, without sleeping.
package flighttest

import (
	"context"
	"net/http"
	"sync"
	"testing"
	"time"
)

// wait bounds every wait here: far beyond what the calls take, it only
// turns a hung test into a failure.
const wait = 10 * time.Second

// Gate holds the requests a test server receives until it is opened, and
// tells when each arrives.
type Gate struct {
	arrived chan string // the token of each request that reached the gate
	open    chan struct{}
	once    sync.Once
	t       testing.TB
	server  string
	token   func(*http.Request) string
}

// NewGate returns a closed gate in front of server (named in failures),
// which reads each request's token with token. It opens at the latest when
// the test ends, so that no handler is left blocked behind a closing
// server (cleanups run last registered first, so this one runs before a
// server's Close registered earlier).
func NewGate(t testing.TB, server string, token func(*http.Request) string) *Gate {
	g := &Gate{arrived: make(chan string, 1000), open: make(chan struct{}), t: t, server: server, token: token}
	t.Cleanup(g.Release)
	return g
}

// Wrap holds each request at the gate, then lets h answer it.
func (g *Gate) Wrap(h http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		g.arrived <- g.token(r)
		select {
		case <-g.open:
			h.ServeHTTP(w, r)
		case <-r.Context().Done():
		}
	})
}

// Release opens the gate, for every request held and every one to come.
func (g *Gate) Release() { g.once.Do(func() { close(g.open) }) }

// WaitArrived waits for a request to reach the gate and returns its token.
func (g *Gate) WaitArrived() string {
	g.t.Helper()
	select {
	case tok := <-g.arrived:
		return tok
	case <-time.After(wait):
		g.t.Fatal("no request reached " + g.server)
		return ""
	}
}

// WaitingContext is a context that signals on a channel when its caller
// starts waiting on it. The clients look at their context's Done only to
// wait for the call they started or joined, so the signal proves that the
// request is attached to a call.
type WaitingContext struct {
	context.Context
	waiting chan<- struct{}
	once    sync.Once
}

// Waiting returns ctx, signalling on waiting the first time Done is asked.
func Waiting(ctx context.Context, waiting chan<- struct{}) *WaitingContext {
	return &WaitingContext{Context: ctx, waiting: waiting}
}

// Done signals, the first time, then returns the parent's Done.
func (c *WaitingContext) Done() <-chan struct{} {
	c.once.Do(func() { c.waiting <- struct{}{} })
	return c.Context.Done()
}

// Receive waits for n signals on ch.
func Receive(t testing.TB, ch <-chan struct{}, n int) {
	t.Helper()
	for range n {
		select {
		case <-ch:
		case <-time.After(wait):
			t.Fatal("the callers did not all start waiting")
		}
	}
}
