// Package bearer is the framework-neutral core of scopegate: it
// authenticates an *http.Request by its bearer JWT into the request's own
// auth object, and decides every answer the faces send, once: the status,
// the RFC 6750 WWW-Authenticate challenge, Retry-After, the JSON body, the
// redirect to a sign-in page, and the authorization rules (scopes,
// permissions, roles, claim checks).
//
// Applications use a face: echoauth (Echo v4), echo5auth (Echo v5) or
// httpauth (net/http), which share this package's Config, Auth, Error and
// presets (Auth0, Clerk). A face only adapts the two steps and the rules:
//
//	r, answer := auth.Require(r) // strict: the request carrying its auth object, or the answer instead
//	r = auth.Attach(r)           // lax: never refuses
//	answer = rule(r)             // nil lets the request through
//
// and hands a failure's *Error to the framework's error path after
// Answer.WriteHeaders, or writes the whole Answer with Answer.Write.
//
// FromContext returns a request's auth object from its context, for
// service code far from the handler; it never returns nil.
package bearer
