// Package scopes is the permission model of scopegate: the OAuth scopes and permissions a verified access
// token grants, and conditions on those grants.
//
// It knows nothing of HTTP or JWT. The authentication layer verifies a token, hands its claims to [Parse] once per
// token, and keeps the resulting [Grants].
// Authorization middlewares then ask a [Requirement] whether those grants satisfy it, through [Check], and put
// [Requirement.Scope] into the RFC 6750 `insufficient_scope` challenge when they do not.
//
// # Grant claims
//
// Three claims carry grants:
//
//   - `scope`: RFC 8693 / RFC 9068 access tokens, a string of space-separated scope names;
//   - `scp`: used by some issuers instead of `scope`, an array of names or a space-separated string;
//     its names join those of `scope` in [Grants.Scopes];
//   - `permissions`: Auth0 RBAC, an array of permission names, kept apart in [Grants.Permissions].
//
// To treat issuers alike, every one of the three claims may be either a JSON string of names separated by
// spaces or a JSON array of strings. A string is split on runs of U+0020 SPACE only, the separator of
// RFC 6749 section 3.3; other whitespace such as tabs or newlines stays inside a name, so such a name never
// matches a requirement (requirement names are limited to RFC 6749 scope-token characters). Array elements are
// names taken verbatim. Empty names are dropped, duplicates are kept once, in order of first appearance.
// Any other JSON type, including null, is an error: the claim is malformed, and a caller should treat the token
// as invalid rather than as one without grants.
//
// # Sessions
//
// A signed-in session may grant more than its token's scopes and permissions: Clerk's session tokens carry
// an active organization with its role and permissions, billing features and plans, and the age of the
// user's last verification. That model lives in package clerk (github.com/scopegate/scopegate/clerk), which
// reads its own claims into a session the caller puts into [Grants.Session], an interface: this package need
// not know any provider's model, and [Grants.HasPermission], hence [Permission], consults the session besides the
// `permissions` claim. Package clerk's requirements (Role, Feature, Plan, Reverification) are Requirements
// like this package's, and combine with them.
//
// # Requirements
//
// [All], [Any], [Permission] and [AnyPermission] build requirements on names; [And] and [Or] combine them.
// Matching is exact and case-sensitive. A requirement built without names, or with a name that is not an
// RFC 6749 scope-token, is a programming mistake: the constructors do not panic, but [Validate] reports the
// mistake, and middleware constructors call it when routes are registered (so a bad route fails at start-up,
// as regexp.MustCompile does). [Must] does the same for requirements built by the application itself.
// Whether validated or not, an invalid requirement is never satisfied.
//
// The grants of a cached token are shared by every request presenting it. The requirements of this module
// only read them; [Check] gives any other requirement a deep copy ([Grants.Clone]), so that an application's
// requirement that writes into what it is handed cannot change what the next request is granted.
package scopes
