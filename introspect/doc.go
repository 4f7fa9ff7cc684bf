// Package introspect checks opaque access tokens by asking the authorization
// server that issued them, through OAuth 2.0 Token Introspection (RFC 7662).
//
// An Introspector is meant to be called on every request that presents an
// opaque token, so it is built to stay cheap and to protect the issuer:
// answers are cached under a hash of the token (never the token itself),
// active ones no longer than their "exp" or Config.MaxTTL, inactive ones for
// Config.NegativeTTL; concurrent requests with the same token share one call;
// and no more than Config.MaxConcurrent calls are in flight at once, beyond
// which requests fail at once instead of queueing.
//
// Every failure is one of two kinds, told apart with errors.Is: ErrInactive,
// the token is not good (answer 401), or ErrUnavailable, the server could not
// give a trustworthy answer (answer 503 with the error's RetryAfter). A
// failure to reach or understand the server is never reported as an inactive
// token. Error texts never contain the token.
package introspect
