package redisreplay

import (
	"context"
	"errors"
	"fmt"
	"reflect"
	"time"

	"github.com/redis/go-redis/v9"

	"github.com/scopegate/scopegate/dpop"
)

// DefaultKeyPrefix is the prefix of every key a Store writes when
// Options.KeyPrefix is empty.
const DefaultKeyPrefix = "scopegate:dpop:"

// Options configures a Store. The zero value takes the defaults.
type Options struct {
	// KeyPrefix starts the key of every proof the Store records: the key is
	// KeyPrefix followed by the proof's dpop.ReplayID. Default
	// DefaultKeyPrefix. A prefix of its own keeps an API's keys apart from
	// those of other APIs and applications sharing the Redis, to count or
	// delete them. Every instance of one API must use the same prefix: a
	// proof recorded under one prefix is fresh under another. In Redis
	// Cluster, keep hash tags ({...}) out of it, or every proof would land
	// in one slot, on one node.
	KeyPrefix string
}

// Store is a dpop.ReplayStore kept in Redis, for the instances of an API
// that must refuse, on any of them, a proof already accepted by one.
// It is safe for concurrent use; create one at startup and share it.
type Store struct {
	client redis.UniversalClient
	prefix string
}

// The compiler checks that Store is what bearer.DPoPConfig.ReplayStore
// takes.
var _ dpop.ReplayStore = (*Store)(nil)

// New returns a Store over client, which may be a *redis.Client, a
// *redis.ClusterClient, a failover (Sentinel) client or a *redis.Ring.
// The Store does not own the client: closing it is the caller's, after
// the last request has been served.
//
// Each Use is one round trip, bounded by the request's context and by the
// client's options: ReadTimeout and WriteTimeout, and, while Redis cannot
// be reached, DialTimeout, DialerRetries and DialerRetryTimeout (by
// default five dials 100 ms apart) and MaxRetries. Set them to what a
// request may wait before it is answered 503.
func New(client redis.UniversalClient, opts Options) (*Store, error) {
	if isNil(client) {
		return nil, errors.New("redisreplay: New needs a Redis client: pass a redis.UniversalClient such as redis.NewClient(&redis.Options{Addr: ...}), not nil")
	}
	prefix := opts.KeyPrefix
	if prefix == "" {
		prefix = DefaultKeyPrefix
	}
	return &Store{client: client, prefix: prefix}, nil
}

// isNil reports a client that is nil, or a nil pointer in the interface,
// which would otherwise only fail (with a panic) at the first request.
func isNil(client redis.UniversalClient) bool {
	if client == nil {
		return true
	}
	v := reflect.ValueOf(client)
	return v.Kind() == reflect.Pointer && v.IsNil()
}

// Use records id for ttl and reports whether it was already recorded and
// live: a replay. It is one atomic SET key 1 NX PX ttl, so that of two
// instances receiving one proof at once exactly one accepts it, and Redis
// forgets the key when ttl has passed.
//
// ttl is rounded up to whole milliseconds, the precision of Redis's
// expiry, so that an id is kept at least as long as asked; a ttl that is
// not positive is refused with an error, since a key without expiry would
// be kept forever. Any failure to get Redis's answer is an error, which
// package bearer answers with 503: a proof that cannot be checked is not
// accepted.
//
// go-redis retries a command after some network errors (see
// redis.Options.MaxRetries). A retry after a SET that reached Redis but
// whose answer was lost reports the proof replayed: the request is
// refused with 401 and the client retries with a new proof, as it would
// for any refused proof. That errs on the side of refusing, never of
// accepting a replay.
func (s *Store) Use(ctx context.Context, id string, ttl time.Duration) (replayed bool, err error) {
	if ttl <= 0 {
		return false, fmt.Errorf("redisreplay: ttl must be positive, got %s: a proof kept without expiry would never be forgotten", ttl)
	}
	ms := int64(ttl / time.Millisecond)
	if ttl%time.Millisecond != 0 {
		ms++
	}
	cmd := redis.NewStatusCmd(ctx, "set", s.prefix+id, "1", "px", ms, "nx")
	_ = s.client.Process(ctx, cmd)
	switch res, err := cmd.Result(); {
	case errors.Is(err, redis.Nil):
		// NX found the key: the proof was recorded, and is still live.
		return true, nil
	case err != nil:
		return false, fmt.Errorf("redisreplay: recording a DPoP proof: %w", err)
	case res != "OK":
		return false, fmt.Errorf("redisreplay: recording a DPoP proof: Redis answered SET with %q, not OK", res)
	}
	return false, nil
}
