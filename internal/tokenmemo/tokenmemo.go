// Package tokenmemo lets package bearer keep what it derives from a verified
// token beside the token's cached verification, counted against the same
// byte bound, without that hook being part of package token's public API.
package tokenmemo

// Derive returns what compute derives from the verification behind tok, a
// token.Token: computed once per verification, shared by every caller while
// the verification stays cached, and charged, with the bytes compute
// reports, against the cache's byte bound. The value must be treated as
// immutable. Package token sets Derive when it is initialised.
var Derive func(tok any, compute func() (value any, bytes int)) any
