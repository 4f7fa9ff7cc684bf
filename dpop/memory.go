package dpop

import (
	"context"
	"crypto/sha256"
	"encoding/base64"
	"encoding/binary"
	"fmt"
	"sync"
	"time"
)

// DefaultReplayCapacity is the default number of proofs a MemoryReplayStore
// remembers: about 790 proofs a second sustained over the 330 s a proof
// stays acceptable. Each entry takes 24 bytes in the arrival ring plus its
// map slot: 77–86 bytes of heap measured when the store fills, and about
// 145 under long churn (33 MiB at this capacity, flat from then on). A
// busier API sets a larger capacity or shares a store.
const DefaultReplayCapacity = 1 << 18

// memoryShards is the most independently locked parts a store is spread
// over, so that concurrent requests rarely wait for one another.
const memoryShards = 16

// entriesPerShard is the least capacity a part gets. Each part holds its
// share of the capacity, so a store refuses when the part a proof falls in
// is full; the larger the parts, the closer that comes to the whole
// capacity (99% of the default's, measured). A store small enough to have
// one part serves an API too quiet for its requests to wait on one lock.
const entriesPerShard = 4096

// MemoryReplayStore is the default ReplayStore: in memory, for one
// instance, bounded. It keeps at most its capacity of proofs, each 16 bytes
// of identifier and 8 of expiry whatever clients send, and forgets each
// once its time to live has passed. A store of 8,192 proofs or more is
// split into up to 16 parts of at least 4,096, each holding its share of
// the capacity and locked apart; when the part a proof falls in holds only
// live entries, the store refuses the proof (ErrStoreFull, a 503 with
// Retry-After) rather than forget one that could be replayed. With
// identifiers spread evenly that happens once the store is about 99% full
// at the default capacity, and at its full capacity for a store of one
// part (fewer than 8,192 proofs).
type MemoryReplayStore struct {
	now      func() time.Time
	capacity int
	shards   []memoryShard
}

// memoryShard is one independently locked part of a store: the expiry of
// each key, and the entries in the order they arrived, to forget the oldest
// first. The ring holds at most limit entries and the map no more keys
// than the ring.
type memoryShard struct {
	mu       sync.Mutex
	expiries map[replayKey]int64 // unix nanoseconds
	order    fifo
	limit    int
}

// replayKey is the stored form of a ReplayID: half of its SHA-256, still
// far beyond any chance collision among the proofs of one window.
type replayKey [16]byte

// NewMemoryReplayStore returns a store remembering at most capacity proofs
// (DefaultReplayCapacity when zero), reading time from now (time.Now when
// nil; inject a clock in tests).
func NewMemoryReplayStore(capacity int, now func() time.Time) (*MemoryReplayStore, error) {
	if capacity < 0 {
		return nil, fmt.Errorf("dpop: replay store capacity must not be negative (zero takes DefaultReplayCapacity), got %d", capacity)
	}
	if capacity == 0 {
		capacity = DefaultReplayCapacity
	}
	if now == nil {
		now = time.Now
	}
	n := min(memoryShards, max(1, capacity/entriesPerShard))
	s := &MemoryReplayStore{now: now, capacity: capacity, shards: make([]memoryShard, n)}
	for i := range s.shards {
		// The parts share the capacity without exceeding it.
		s.shards[i].limit = capacity / n
		if i < capacity%n {
			s.shards[i].limit++
		}
		s.shards[i].expiries = make(map[replayKey]int64)
	}
	return s, nil
}

// Use records id for ttl and reports whether it was recorded and live.
func (s *MemoryReplayStore) Use(_ context.Context, id string, ttl time.Duration) (bool, error) {
	key := toReplayKey(id)
	now := s.now().UnixNano()
	sh := &s.shards[binary.LittleEndian.Uint64(key[:8])%uint64(len(s.shards))]
	sh.mu.Lock()
	defer sh.mu.Unlock()
	if expires, ok := sh.expiries[key]; ok && expires > now {
		return true, nil
	}
	sh.forgetExpired(now)
	if sh.order.len() >= sh.limit {
		return false, &StoreFullError{RetryAfter: time.Duration(sh.order.peek().expires - now)}
	}
	expires := now + int64(ttl)
	sh.order.push(entry{key, expires}, sh.limit)
	sh.expiries[key] = expires
	return false, nil
}

// forgetExpired drops the oldest entries while they have expired. Entries
// arrive in the order of their expiry when every proof gets the same time
// to live, as package bearer gives them, so this frees every expired one;
// with mixed times to live it frees fewer, never one still live.
func (sh *memoryShard) forgetExpired(now int64) {
	for sh.order.len() > 0 {
		oldest := sh.order.peek()
		if oldest.expires > now {
			return
		}
		sh.order.pop()
		// The key may have been recorded again since; keep that.
		if sh.expiries[oldest.key] == oldest.expires {
			delete(sh.expiries, oldest.key)
		}
	}
}

// Len returns the number of proofs remembered, expired ones not yet
// forgotten included.
func (s *MemoryReplayStore) Len() int {
	n := 0
	for i := range s.shards {
		s.shards[i].mu.Lock()
		n += len(s.shards[i].expiries)
		s.shards[i].mu.Unlock()
	}
	return n
}

// Capacity returns the most proofs the store remembers.
func (s *MemoryReplayStore) Capacity() int { return s.capacity }

// StoreFullError is ErrStoreFull with the time until the oldest entry of
// the store's full part expires and frees room for the proof refused.
type StoreFullError struct {
	RetryAfter time.Duration
}

// Error says that the store is full.
func (e *StoreFullError) Error() string {
	return ErrStoreFull.Error() + fmt.Sprintf("; room frees in %s", e.RetryAfter.Round(time.Second))
}

// Is matches ErrStoreFull.
func (e *StoreFullError) Is(target error) bool { return target == ErrStoreFull }

// toReplayKey reduces an id to its stored form: the first half of the
// SHA-256 a ReplayID carries, or of the id itself when it is another
// string.
func toReplayKey(id string) replayKey {
	var key replayKey
	var sum [sha256.Size]byte
	if len(id) != 43 {
		sum = sha256.Sum256([]byte(id))
	} else if n, err := base64.RawURLEncoding.Decode(sum[:], []byte(id)); err != nil || n != sha256.Size {
		sum = sha256.Sum256([]byte(id))
	}
	copy(key[:], sum[:])
	return key
}

// entry is one recorded proof, in arrival order.
type entry struct {
	key     replayKey
	expires int64 // unix nanoseconds
}

// fifo is a growable ring of entries, oldest first.
type fifo struct {
	keys  []entry
	start int
	count int
}

func (q *fifo) len() int { return q.count }

func (q *fifo) peek() entry { return q.keys[q.start] }

func (q *fifo) pop() {
	q.start = (q.start + 1) % len(q.keys)
	q.count--
}

// push appends k; a full ring doubles, up to limit.
func (q *fifo) push(k entry, limit int) {
	if q.count == len(q.keys) {
		grown := make([]entry, min(max(64, 2*len(q.keys)), limit))
		n := copy(grown, q.keys[q.start:])
		copy(grown[n:], q.keys[:q.start])
		q.keys, q.start = grown, 0
	}
	q.keys[(q.start+q.count)%len(q.keys)] = k
	q.count++
}
