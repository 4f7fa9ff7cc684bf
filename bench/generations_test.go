package bench_test

import (
	"context"
	"sync/atomic"
	"testing"

	"github.com/scopegate/scopegate/bench/internal/fixture"
	"github.com/scopegate/scopegate/bench/internal/stacks"
	"github.com/scopegate/scopegate/jwks"
)

// keyGenerations is a static key source whose keys are issued anew, the same
// public keys under new *jwks.Key values, each time next is called. The
// verified-token cache re-checks on every hit that the key which verified a
// token is still one of the source's keys, so after next every cached token
// is stale: a pool of 256 tokens then behaves like an endless stream of
// distinct tokens through a full cache, at the allocation rate of a real
// flood (one surviving entry per request), without signing millions of
// RSA tokens.
type keyGenerations struct {
	keys    *fixture.Keys
	current atomic.Pointer[jwks.Static]
}

func newKeyGenerations(tb testing.TB, keys *fixture.Keys) *keyGenerations {
	g := &keyGenerations{keys: keys}
	g.next(tb)
	return g
}

// next issues a new generation of keys.
func (g *keyGenerations) next(tb testing.TB) {
	static, err := stacks.StaticKeys(g.keys)
	if err != nil {
		tb.Fatal(err)
	}
	hs, err := jwks.NewHMACKey(g.keys.HMAC, fixture.HMACKeyID, "HS256")
	if err != nil {
		tb.Fatal(err)
	}
	withHS, err := jwks.NewStatic(append(static.Keys(), hs)...)
	if err != nil {
		tb.Fatal(err)
	}
	g.current.Store(withHS)
}

// Key implements jwks.Source with the current generation.
func (g *keyGenerations) Key(ctx context.Context, kid, alg string) (*jwks.Key, error) {
	return g.current.Load().Key(ctx, kid, alg)
}

// Has implements jwks.Membership: only the current generation's keys.
func (g *keyGenerations) Has(k *jwks.Key) bool { return g.current.Load().Has(k) }
