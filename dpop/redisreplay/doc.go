// Package redisreplay keeps the DPoP proofs an API has accepted in Redis, so
// that every instance of the API refuses a proof that any of them accepted
// (RFC 9449 §11.1). The default dpop.MemoryReplayStore remembers only what
// its own instance saw: behind a load balancer, a proof replayed against
// another instance would be accepted again.
//
// It is a module of its own, so that the scopegate module does not depend
// on a Redis client: only the applications that import this package do.
//
//	client := redis.NewClient(&redis.Options{Addr: "redis:6379"})
//	store, err := redisreplay.New(client, redisreplay.Options{KeyPrefix: "orders-api:dpop:"})
//	if err != nil {
//		log.Fatal(err)
//	}
//	auth, err := bearer.New(bearer.Config{
//		Issuer:   "https://tenant.auth0.com/",
//		Audience: []string{"https://api.example.com"},
//		DPoP:     bearer.DPoPConfig{ReplayStore: store},
//	})
//
// The same bearer.Config serves the other faces (httpauth.Config is the
// same type, and the Echo faces take it too).
//
// # What Redis must be told
//
// Each proof is one key, KeyPrefix followed by the 43 characters of its
// dpop.ReplayID, whatever the client sent, holding "1" and expiring when the
// proof can no longer be fresh (package bearer asks for MaxProofAge plus
// ProofLeeway plus a second, 331 s by default). Measured on Redis 7, 64-bit, with the
// default prefix, a proof takes about 160 bytes, so that an API accepting
// 1000 proofs a second holds about 330,000 keys, some 53 MB. The memory is
// bounded by Redis, not by this package: set maxmemory, and choose its
// policy with care.
//
// Use the noeviction policy (maxmemory-policy noeviction). Every other
// policy forgets proofs that are still within their window once memory is
// full, and a forgotten proof is accepted again: the allkeys-* policies
// evict any key, and the volatile-* ones (volatile-lru, volatile-lfu,
// volatile-random, and volatile-ttl, which evicts those closest to expiry
// first) evict keys with an expiry, which every proof's key has. Under
// noeviction a full Redis refuses the SET with an error, which Store.Use
// returns and package bearer answers with 503 and Retry-After: requests
// fail until keys expire or memory is added, and no replay is accepted.
// Keep caches, whose eviction is wanted, in another Redis.
//
// A Redis that loses keys loses the memory of those proofs the same way: a
// restart without persistence, or a failover to a replica that had not yet
// received the latest writes (replication is asynchronous), lets the proofs
// accepted in the last MaxProofAge plus ProofLeeway be replayed once more.
// Where that matters, keep persistence on (appendonly yes) and wait out that
// window before serving after a cold start.
package redisreplay
