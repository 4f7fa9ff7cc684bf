package clerkapi

import "strings"

// Kind is the kind of a Clerk machine token, named as @clerk/backend's
// TokenType names it (packages/backend/src/tokens/tokenTypes.ts), which is
// also the tokenType of its auth object.
type Kind string

// The kinds of machine token Clerk issues as opaque secrets.
const (
	// KindM2M is a machine-to-machine token: a machine authenticating as
	// itself to other machines ("mt_…").
	KindM2M Kind = "m2m_token"
	// KindOAuth is an access token that an OAuth client of the instance
	// holds for one of its users ("oat_…").
	KindOAuth Kind = "oauth_token"
	// KindAPIKey is an API key that a user or an organization created
	// ("ak_…").
	KindAPIKey Kind = "api_key"
)

// The prefixes that tell the kinds apart, from @clerk/backend's
// packages/backend/src/tokens/machine.ts (M2M_TOKEN_PREFIX,
// OAUTH_TOKEN_PREFIX, API_KEY_PREFIX).
const (
	// PrefixM2M starts every opaque M2M token.
	PrefixM2M = "mt_"
	// PrefixOAuth starts every opaque OAuth access token.
	PrefixOAuth = "oat_"
	// PrefixAPIKey starts every API key.
	PrefixAPIKey = "ak_"
)

// KindOf tells the kind of token by its prefix, as @clerk/backend's
// getMachineTokenType does for opaque tokens, or false for a token of none
// of them. It makes no call and reads nothing but the prefix, so that a
// route which does not accept the kind can refuse the token before Clerk is
// asked (and billed) for it.
func KindOf(token string) (Kind, bool) {
	switch {
	case strings.HasPrefix(token, PrefixM2M):
		return KindM2M, true
	case strings.HasPrefix(token, PrefixOAuth):
		return KindOAuth, true
	case strings.HasPrefix(token, PrefixAPIKey):
		return KindAPIKey, true
	}
	return "", false
}

// endpoint is how Clerk's Backend API verifies one kind of token.
type endpoint struct {
	// path is under the base URL, without a version segment: @clerk/backend
	// builds these three APIs with skipApiVersionInUrl
	// (packages/backend/src/api/factory.ts), the version travelling in the
	// Clerk-API-Version header instead.
	path string
	// field is the member of the JSON request body that carries the token.
	field string
	// object is the "object" member of the answer (ObjectType in
	// packages/backend/src/api/resources/JSON.ts).
	object string
	// noun names the kind in error texts.
	noun string
}

// endpointOf returns how k is verified, mirroring M2MTokenApi.verify
// (POST /m2m_tokens/verify {token}), IdPOAuthAccessTokenApi.verify
// (POST /oauth_applications/access_tokens/verify {access_token}) and
// APIKeysAPI.verify (POST /api_keys/verify {secret}) in
// packages/backend/src/api/endpoints.
func endpointOf(k Kind) endpoint {
	switch k {
	case KindM2M:
		return endpoint{path: "/m2m_tokens/verify", field: "token", object: "machine_to_machine_token", noun: "M2M token"}
	case KindOAuth:
		return endpoint{path: "/oauth_applications/access_tokens/verify", field: "access_token", object: "clerk_idp_oauth_access_token", noun: "OAuth access token"}
	default:
		return endpoint{path: "/api_keys/verify", field: "secret", object: "api_key", noun: "API key"}
	}
}
