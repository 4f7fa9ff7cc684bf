// Package clerkapi verifies Clerk's opaque machine tokens by asking Clerk's
// Backend API, as @clerk/backend does in verifyMachineAuthToken
// (packages/backend/src/tokens/verify.ts): M2M tokens ("mt_…"), OAuth
// access tokens ("oat_…") and API keys ("ak_…"). Such a token is a random
// secret, not a JWT: only Clerk can say whom it belongs to, and whether it
// was revoked.
//
// [KindOf] tells a token's kind by its prefix without any call, so that a
// route which does not accept a kind can refuse it before anything is
// asked. [Client.Verify] asks the kind's endpoint and returns the
// [Machine] it names, built as @clerk/backend builds its machine auth
// object (packages/backend/src/tokens/authObjects.ts).
//
// A Client is meant to be called on every request that presents a machine
// token, and verifications can be billed (Clerk bills M2M token
// verifications), so it is built to stay cheap and to protect the Backend
// API: answers are cached under the
// SHA-256 of the token (never the token itself), valid ones until the
// token's expiration or Config.MaxTTL, invalid ones for Config.NegativeTTL;
// concurrent requests with the same token share one call; and no more than
// Config.MaxConcurrent calls are in flight at once, beyond which requests
// fail at once instead of queueing. This is the design of package
// introspect, mirrored rather than shared, since the two talk to different
// servers about different answers.
//
// Every failure is one of two kinds, told apart with errors.Is: [ErrInvalid],
// Clerk does not vouch for the token (answer 401), or [ErrUnavailable],
// Clerk could not give a trustworthy answer (answer 503 with the error's
// RetryAfter). A failure to reach or understand Clerk, or Clerk refusing
// our own secret key, is never reported as an invalid token. Error texts
// never contain the token or the secret key.
//
// Machine tokens in JWT format (an M2M JWT, an OAuth JWT access token) are
// not this package's business: they are verified locally against the
// instance's keys, like session tokens.
package clerkapi
