// Package dpop holds the parts of DPoP (RFC 9449) that live beyond one
// request: the replay store that accepts each proof once, the stateless
// server nonces, and the request URL a proof's "htu" is compared with.
//
// Package bearer checks proofs (Config.DPoP) and uses these; applications
// reach for this package to share a replay store across a fleet (package
// github.com/scopegate/scopegate/dpop/redisreplay, a module of its own,
// keeps proofs in Redis; any other shared database can implement
// ReplayStore) or to build the DPoP settings by hand.
package dpop
