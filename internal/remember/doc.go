// Package remember holds what packages introspect and clerkapi share: the
// answers of a remote authority about tokens, remembered by the SHA-256 of
// the token, bounded; one call per token in flight, shared by every
// request presenting it; at most a fixed number of calls in flight; and a
// value derived once per answer for the callers that want one. What a call
// asks and how its answer is judged stays with each package.
package remember
