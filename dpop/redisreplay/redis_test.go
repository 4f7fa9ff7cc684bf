package redisreplay_test

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"net"
	"os"
	"sync"
	"testing"
	"time"

	"github.com/redis/go-redis/v9"
	"github.com/stretchr/testify/require"

	"github.com/scopegate/scopegate/dpop"
	"github.com/scopegate/scopegate/dpop/redisreplay"
)

// The environment that points the tests at a Redis server.
const (
	// addrEnv is the host:port of the redis-server the tests use. The tests
	// write only keys under prefixes of their own, random ones, and delete
	// them when they end; one (TestUseRedisFull) changes maxmemory for a
	// moment and restores it.
	addrEnv = "SCOPEGATE_REDIS_ADDR"
	// requireEnv set to 1 makes a missing addrEnv a failure, not a skip, so
	// that CI cannot pass without having run them.
	requireEnv = "SCOPEGATE_REQUIRE_REDIS"
)

// redisAddr returns the address of the test server, or skips t (fails it
// when the server is required) when there is none.
func redisAddr(t *testing.T) string {
	t.Helper()
	addr := os.Getenv(addrEnv)
	if addr != "" {
		return addr
	}
	if os.Getenv(requireEnv) == "1" {
		t.Fatalf("%s=1 but %s is unset: set it to the host:port of a redis-server (.ci/redis.sh starts one)", requireEnv, addrEnv)
	}
	t.Skipf("set %s to the host:port of a redis-server to run this test (.ci/redis.sh starts one and runs the tests)", addrEnv)
	return ""
}

// newClient returns a client of the test server, closed when t ends, and
// fails t at once if the server does not answer, rather than at each Use.
func newClient(t *testing.T, hooks ...redis.Hook) *redis.Client {
	t.Helper()
	addr := redisAddr(t)
	client := redis.NewClient(&redis.Options{Addr: addr})
	t.Cleanup(func() { _ = client.Close() })
	require.NoError(t, client.Ping(t.Context()).Err(), "redis-server at %s=%s does not answer", addrEnv, addr)
	for _, h := range hooks {
		client.AddHook(h)
	}
	return client
}

// unreachableClient returns a client of a loopback port nothing listens
// on: one that was free a moment ago. It fails at once: one dial, no
// retry of the command.
func unreachableClient(t *testing.T) *redis.Client {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(t, err)
	addr := ln.Addr().String()
	require.NoError(t, ln.Close())
	client := redis.NewClient(&redis.Options{Addr: addr, DialTimeout: 500 * time.Millisecond, DialerRetries: 1, MaxRetries: -1})
	t.Cleanup(func() { _ = client.Close() })
	return client
}

// randomPrefix is a key prefix no other test uses; the keys under it are
// deleted when t ends.
func randomPrefix(t *testing.T, client *redis.Client) string {
	t.Helper()
	b := make([]byte, 8)
	_, _ = rand.Read(b) // crypto/rand.Read does not fail
	prefix := "scopegate-test:" + hex.EncodeToString(b) + ":"
	t.Cleanup(func() { deleteKeys(t, client, prefix) })
	return prefix
}

// deleteKeys deletes the keys under prefix, so that a developer's Redis
// keeps nothing of the tests even where their time to live is long.
func deleteKeys(t *testing.T, client *redis.Client, prefix string) {
	ctx := context.Background() // t.Context is done by cleanup time
	var keys []string
	iter := client.Scan(ctx, 0, prefix+"*", 1000).Iterator()
	for iter.Next(ctx) {
		keys = append(keys, iter.Val())
	}
	if err := iter.Err(); err != nil {
		t.Logf("listing the test keys under %q: %v", prefix, err)
		return
	}
	if len(keys) > 0 {
		if err := client.Del(ctx, keys...).Err(); err != nil {
			t.Logf("deleting the test keys under %q: %v", prefix, err)
		}
	}
}

// newStore returns a Store over client under prefix.
func newStore(t *testing.T, client redis.UniversalClient, prefix string) *redisreplay.Store {
	t.Helper()
	store, err := redisreplay.New(client, redisreplay.Options{KeyPrefix: prefix})
	require.NoError(t, err)
	return store
}

// replayID is the id package bearer would give a proof with this jti.
func replayID(jti string) string {
	return dpop.ReplayID("NzbLsXh8uDCcd-6MNwXF4W_7noWXFZAfHkxZsRGC9Xs", jti)
}

// setRecorder is a redis.Hook that records the arguments of every SET the
// client sends, to see what reaches Redis without timing it.
type setRecorder struct {
	mu   sync.Mutex
	sets [][]any
}

func (h *setRecorder) DialHook(next redis.DialHook) redis.DialHook { return next }

func (h *setRecorder) ProcessHook(next redis.ProcessHook) redis.ProcessHook {
	return func(ctx context.Context, cmd redis.Cmder) error {
		if cmd.Name() == "set" {
			h.mu.Lock()
			h.sets = append(h.sets, cmd.Args())
			h.mu.Unlock()
		}
		return next(ctx, cmd)
	}
}

func (h *setRecorder) ProcessPipelineHook(next redis.ProcessPipelineHook) redis.ProcessPipelineHook {
	return next
}

// take returns the SETs recorded since the last call.
func (h *setRecorder) take() [][]any {
	h.mu.Lock()
	defer h.mu.Unlock()
	sets := h.sets
	h.sets = nil
	return sets
}
