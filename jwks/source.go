package jwks

import (
	"context"
	"errors"
	"fmt"
	"time"
)

// Source supplies the key for a token's signature.
type Source interface {
	// Key returns the key named kid ("" when the token names none). A key is
	// returned even when it does not allow alg, so that the caller fails the
	// token on its algorithm rather than asking the source to look further:
	// a known kid must never cause a fetch. alg serves only to pick among
	// several keys when kid is empty.
	//
	// Errors are ErrKeyNotFound (the token is at fault), ErrAmbiguousKey, or
	// an *UnavailableError (no keys can be had right now; the token may be fine).
	Key(ctx context.Context, kid, alg string) (*Key, error)
}

var (
	// ErrKeyNotFound reports that no key matches the token's kid, even after
	// the source refreshed its keys where its rules allowed.
	ErrKeyNotFound = errors.New("jwks: no key matches the token")
	// ErrAmbiguousKey reports a token without kid checked against a set with
	// several keys for its algorithm. Trying each would multiply the cost of
	// every forged token by the size of the set, so such tokens are refused.
	ErrAmbiguousKey = errors.New("jwks: token names no kid and several keys could verify it")
	// ErrUnavailable is matched by every *UnavailableError.
	ErrUnavailable = errors.New("jwks: signing keys are unavailable")
)

// UnavailableError reports that a source has no usable keys for a token
// because fetching them failed. The token may be valid; the right answer to
// the client is "try again later", not "your token is bad".
type UnavailableError struct {
	// RetryAfter is when a new fetch will be allowed; zero when unknown.
	RetryAfter time.Duration
	// Cause is the last fetch failure.
	Cause error
}

// Error describes the failure.
func (e *UnavailableError) Error() string {
	if e.Cause == nil {
		return ErrUnavailable.Error()
	}
	return ErrUnavailable.Error() + ": " + inner(e.Cause).Error()
}

// Is makes errors.Is(err, ErrUnavailable) true.
func (e *UnavailableError) Is(target error) bool { return target == ErrUnavailable }

// Unwrap returns the fetch failure.
func (e *UnavailableError) Unwrap() error { return e.Cause }

// keySet is an immutable snapshot of usable keys, indexed by kid.
type keySet struct {
	keys []*Key
	byID map[string]*Key
}

// newKeySet indexes keys. A kid seen twice keeps its first key: RFC 7517
// §4.5 requires distinct kids, and letting a later key shadow an earlier one
// would make the outcome depend on the order a server lists them in.
func newKeySet(keys []*Key) (*keySet, []error) {
	s := &keySet{byID: make(map[string]*Key, len(keys))}
	var dropped []error
	for _, k := range keys {
		if k.id != "" {
			if _, dup := s.byID[k.id]; dup {
				dropped = append(dropped, fmt.Errorf("jwks: duplicate kid %q; the first key with it is kept", k.id))
				continue
			}
			s.byID[k.id] = k
		}
		s.keys = append(s.keys, k)
	}
	return s, dropped
}

// find looks up the key for kid, or the one key without kid that allows alg.
func (s *keySet) find(kid, alg string) (*Key, error) {
	if s == nil {
		return nil, ErrKeyNotFound
	}
	if kid != "" {
		if k, ok := s.byID[kid]; ok {
			return k, nil
		}
	}
	// A token without kid, or with a kid the set does not name, may still be
	// meant for a key published without kid: a PEM key such as Clerk's
	// networkless jwtKey has none, while the tokens it verifies carry one.
	var match *Key
	for _, k := range s.keys {
		if (kid == "" || k.id == "") && k.Allows(alg) {
			if match != nil {
				return nil, ErrAmbiguousKey
			}
			match = k
		}
	}
	if match == nil {
		return nil, ErrKeyNotFound
	}
	return match, nil
}

// keepIdentities replaces each key that previous already held, with the same
// kid, algorithm and material, by previous's Key value. A refresh that
// changes nothing then leaves every key identical, and caches keyed on a
// key's identity stay valid across it.
func (s *keySet) keepIdentities(previous *remoteCache) {
	if previous == nil {
		return
	}
	for i, k := range s.keys {
		for _, old := range previous.set.keys {
			if old.sameAs(k) {
				s.keys[i] = old
				if k.id != "" {
					s.byID[k.id] = old
				}
				break
			}
		}
	}
}

// contains reports whether k is one of the set's keys.
func (s *keySet) contains(k *Key) bool {
	if s == nil {
		return false
	}
	for _, have := range s.keys {
		if have == k {
			return true
		}
	}
	return false
}

// Static is a fixed set of keys given by the application. It never touches
// the network.
type Static struct {
	set *keySet
}

// NewStatic builds a Source from keys, each already checked by its
// constructor. Two keys with the same kid are a configuration error.
func NewStatic(keys ...*Key) (*Static, error) {
	if len(keys) == 0 {
		return nil, errors.New("jwks: a static key source needs at least one key")
	}
	for i, k := range keys {
		if k == nil {
			return nil, fmt.Errorf("jwks: static key %d is nil", i)
		}
	}
	set, dropped := newKeySet(keys)
	if len(dropped) > 0 {
		return nil, fmt.Errorf("jwks: static keys: %w", inner(dropped[0]))
	}
	return &Static{set: set}, nil
}

// Key implements Source.
func (s *Static) Key(_ context.Context, kid, alg string) (*Key, error) {
	return s.set.find(kid, alg)
}

// Keys returns the keys of the source.
func (s *Static) Keys() []*Key {
	return append([]*Key(nil), s.set.keys...)
}

// Membership is implemented by sources whose keys can change: it tells a
// cache of verified tokens whether the key that verified one is still
// published. Static and Remote implement it.
type Membership interface {
	// Has reports whether k is one of the source's current keys.
	Has(k *Key) bool
}

// Has implements Membership; static keys never leave.
func (s *Static) Has(k *Key) bool { return s.set.contains(k) }
