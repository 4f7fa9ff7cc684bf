// Package clerk is Clerk's session model for scopegate: what a Clerk session token grants besides OAuth
// scopes and permissions, and the requirements Clerk's has() expresses on it.
//
// Package scopes knows OAuth scopes and Auth0 permissions only. This package reads the rest of a session
// token once per token ([Parse]) into a [Session], which the authentication layer puts into
// [scopes.Grants].Session. Its requirements ([Role], [Feature], [Plan], [Reverification],
// [ReverificationAfter]) are [scopes.Requirement] values like scopes' own: they combine with [scopes.And] and
// [scopes.Or], [scopes.Validate] checks them, and a refusal names their kind ([scopes.KindRole], ...).
// [scopes.Permission] decides on the active organization's permissions through [Session.HasPermission].
//
// # Decisions follow Clerk's SDK
//
// Every decision follows Clerk's JavaScript SDK, @clerk/backend 3.25 with @clerk/shared 4.41, to the letter,
// quirks included, so that an API moving from Express to Go answers alike; a differential test (package
// echoauth, build tag integration) runs that SDK and this package on the same claims. Clerk's
// has({ ... }) maps to these requirements:
//
//	has({ permission: "org:invoices:read" })            scopes.Permission("org:invoices:read")
//	has({ role: "org:admin" })                          clerk.Role("org:admin")
//	has({ feature: "o:dashboard" })                     clerk.Feature("o:dashboard")
//	has({ plan: "pro" })                                clerk.Plan("pro")
//	has({ reverification: "strict" })                   clerk.Reverification("strict")
//	has({ reverification: { level, afterMinutes } })    clerk.ReverificationAfter(level, afterMinutes)
//	has({ role: "org:admin", feature: "o:dashboard" })  scopes.And(clerk.Role("org:admin"), clerk.Feature("o:dashboard"))
//
// Where Clerk's lax reading of a name grants something surprising (an empty role, a feature "o:" read as
// the feature named "o"), the constructor records the mistake instead, [scopes.Validate] reports it when the
// route is registered, and the requirement is never satisfied. Every requirement of this package, and every
// permission the organization grants, needs the token's subject: a session without one grants nothing, as in
// Clerk.
//
// # The active organization
//
// Version 1 session tokens carry it in org_id, org_role, org_slug and org_permissions, read verbatim.
// Version 2 tokens ("v" is the number 2) carry it in "o": {"id", "slg", "rol", "per", "fpm"}. The role is
// stored without its "org:" prefix; the permissions are packed: for the i-th organization feature of "fea"
// (entries "o:name", "ou:name" or "uo:name"), the i-th comma-separated decimal mask of "fpm" has bit j set
// (least significant first) for each name per[j] of "per" the member holds, which grants
// "org:<feature>:<per[j]>". Masks may be longer than 64 bits; entries are trimmed as JavaScript trims them.
// An organization is active when it has an ID; roles and permissions count only then. Roles and requested
// permissions are compared with exactly one leading "org:", so Role("admin") equals Role("org:admin").
//
// # Billing
//
// "fea" and "pla" list features and plans by scope: "o:" for the organization's, "u:" for the user's,
// "ou:" and "uo:" for both. A requirement names one with "o:", "org:" or "organization:", "u:" or "user:",
// or no prefix to look in both.
//
// # Reverification
//
// "fva" holds the minutes since the user last verified their first and second factor, -1 for a factor not
// set up. Levels: [FirstFactor] needs a recent first factor; [SecondFactor] a recent second factor, or a
// recent first one for a user without a second; [MultiFactor] both recent, or a recent first one for a user
// without a second. Clerk's presets are "strict_mfa" (multi-factor within 10 minutes), "strict" (second
// factor, 10 minutes), "moderate" (1 hour) and "lax" (1 day). Recent means strictly less than the limit.
//
// # Malformed claims
//
// A claim of the wrong JSON type gives a [*scopes.ClaimError] naming it, so errors.Is(err,
// [scopes.ErrInvalidClaim]) tells a malformed token from others; an invalid "fva" is not an error, only no
// age. This package depends on the standard library and package scopes only (and an internal package of
// this module, which seals what only the module's requirements may implement).
package clerk
