package conformance

import (
	"net/url"
	"testing"
	"time"

	"github.com/scopegate/scopegate/authtest"
)

// Challenges and bodies of the contract.
const (
	bare       = `Bearer realm="api"`
	bodyNoAuth = `{"error":"unauthorized","error_description":"bearer token is missing"}`
	missScope  = `Bearer realm="api", error="insufficient_scope", error_description="token lacks the required scope", scope="read:messages"`
	bodyScope  = `{"error":"insufficient_scope","error_description":"token lacks the required scope"}`
)

// invalidToken is the challenge and body of a 401 invalid_token.
func invalidToken(realm, description string) (string, string) {
	return `Bearer realm="` + realm + `", error="invalid_token", error_description="` + description + `"`,
		`{"error":"invalid_token","error_description":"` + description + `"}`
}

// invalidRequest is the challenge and body of a 400 invalid_request.
func invalidRequest(description string) (string, string) {
	return `Bearer realm="api", error="invalid_request", error_description="` + description + `"`,
		`{"error":"invalid_request","error_description":"` + description + `"}`
}

// insufficientAuthentication is the challenge and body of a step-up 401 on
// the StepUp route.
func insufficientAuthentication(description string) (string, string) {
	return `Bearer realm="api", error="insufficient_user_authentication", error_description="` + description +
			`", acr_values="` + MultiFactor + `", max_age="600"`,
		`{"error":"insufficient_user_authentication","error_description":"` + description + `"}`
}

// metadataURL is the metadata URL of Resource, which challenges name.
const metadataURL = Resource + Metadata

// withMetadata is a challenge of the "resource" variant.
func withMetadata(challenge string) string {
	return challenge + `, resource_metadata="` + metadataURL + `"`
}

// get is a GET of path with the Authorization header values.
func get(path string, authorization ...string) request {
	return request{path: path, authorization: authorization}
}

// ok is a 200 from the handler.
var ok = want{status: 200, body: "ok"}

// refused is a failure with its challenge and JSON body.
func refused(status int, challenge, body string) want {
	return want{status: status, challenge: challenge, body: body}
}

// cases is the table, signed by the environment's issuers.
func (env *environment) cases(t *testing.T) []caseOf {
	iss := env.issuer
	valid := iss.Token().MustSign(t)
	reader := iss.Token().Scope("read:messages").MustSign(t)
	writer := iss.Token().Scope("openid write:messages").MustSign(t)
	both := iss.Token().Scope("read:messages write:messages").MustSign(t)
	scpArray := iss.Token().Claim("scp", []string{"read:messages"}).MustSign(t)
	admin := iss.Token().Permissions("org:admin:example").MustSign(t)
	clerkAdmin := iss.Token().Claim("org_id", "org_1").Claim("org_role", "org:admin").
		Claim("org_permissions", []string{"org:admin:example"}).MustSign(t)
	acme := iss.Token().Claim("tenant", "acme").MustSign(t)
	otherTenant := iss.Token().Claim("tenant", "umbrella").MustSign(t)
	expiredReader := iss.Token().Scope("read:messages").ExpiresIn(-time.Hour).MustSign(t)
	forgedReader := authtest.TamperSignature(reader)
	wrongAudience := iss.Token().Audience("https://other-api.example.com").MustSign(t)
	otherIssuer := iss.Token().Claim("iss", "https://evil.example/").MustSign(t)
	algNone := iss.Token().Algorithm("none").MustSign(t)
	downToken := env.down.Token().MustSign(t)
	// A client-credentials token, as Auth0 issues them.
	service := iss.Token().Subject("svc-1@clients").Claim("gty", "client-credentials").Claim("azp", "svc-1").
		Claim("jti", "cc-1").Scope("read:messages").MustSign(t)
	now := time.Now()
	mfaNow := iss.Token().Claim("acr", MultiFactor).Claim("auth_time", now.Unix()).MustSign(t)
	mfaOld := iss.Token().Claim("acr", MultiFactor).Claim("auth_time", now.Add(-11*time.Minute).Unix()).MustSign(t)
	mfaNoTime := iss.Token().Claim("acr", MultiFactor).MustSign(t)
	passwordNow := iss.Token().Claim("acr", "urn:password").Claim("auth_time", now.Unix()).MustSign(t)
	clerkSession := iss.Token().Claim("sid", "sess_1").MustSign(t)
	clerkMachine := iss.Token().Subject("mch_1").Header("cat", "cl_B7d4PD333AAA").MustSign(t)
	clerkPending := iss.Token().Claim("sid", "sess_1").Claim("sts", "pending").MustSign(t)
	clerkReverified := iss.Token().Claim("sid", "sess_1").Claim("fva", []int{1, 1}).MustSign(t)
	client := authtest.MustDPoPKey(t, "ES256")
	boundReader := iss.Token().BoundTo(client).Scope("read:messages").MustSign(t)
	boundNoScope := iss.Token().BoundTo(client).MustSign(t)
	boundMFA := iss.Token().BoundTo(client).Claim("acr", MultiFactor).Claim("auth_time", now.Unix()).MustSign(t)
	// proof is a fresh proof of a GET of path (as the test server's
	// requests are addressed) for tok.
	proof := func(path, tok string) *authtest.ProofBuilder {
		return client.Proof("GET", "http://example.com"+path).For(tok)
	}
	withDPoP := func(path, authorization, dpopProof string) request {
		return request{path: path, authorization: []string{authorization}, header: map[string]string{"DPoP": dpopProof}}
	}
	replayed := func(r request) request {
		r.again = true
		return r
	}
	onDPoP := func(code, description string) string {
		return `Bearer realm="api", DPoP realm="api", error="` + code + `", error_description="` + description + `", algs="` + DPoPAlgorithms + `"`
	}
	dpopOnly := func(code, description string) string {
		return `DPoP realm="api", error="` + code + `", error_description="` + description + `", algs="` + DPoPAlgorithms + `"`
	}
	errorBody := func(code, description string) string {
		return `{"error":"` + code + `","error_description":"` + description + `"}`
	}

	malformedC, malformedB := invalidToken("api", "token is malformed")
	expiredC, expiredB := invalidToken("api", "token is expired")
	forgedC, forgedB := invalidToken("api", "token signature is invalid")
	audienceC, audienceB := invalidToken("api", "token audience is not accepted")
	issuerC, issuerB := invalidToken("api", "token issuer is not trusted")
	algC, algB := invalidToken("api", "token algorithm is not allowed")
	twoHeadersC, twoHeadersB := invalidRequest("request has more than one Authorization header")
	emptyC, emptyB := invalidRequest("Authorization header has the Bearer scheme but no token")
	twoTokensC, twoTokensB := invalidRequest("Authorization header is not Bearer followed by one token")
	twoMethodsC, twoMethodsB := invalidRequest("request carries a token by more than one method")
	twoQueryC, twoQueryB := invalidRequest("request carries the token query parameter more than once")
	missingTenantC, missingTenantB := invalidToken("api", "Missing 'tenant' claim")
	unexpectedTenantC, unexpectedTenantB := invalidToken("api", "Unexpected 'tenant' value")
	realmMalformedC, realmMalformedB := invalidToken("orders", "token is malformed")
	noMachinesC, noMachinesB := invalidToken("api", "route does not accept machine tokens")
	machineOnlyC, machineOnlyB := invalidToken("api", "route does not accept OAuth access tokens")
	inactiveC, inactiveB := invalidToken("api", "token is not active")
	noSessionsC, noSessionsB := invalidToken("api", "route does not accept session tokens")
	stepUpLevelC, stepUpLevelB := insufficientAuthentication("token lacks the required authentication level")
	reverifyC := `Bearer realm="api", error="insufficient_scope", error_description="session needs a more recent verification"`
	stepUpAgeC, stepUpAgeB := insufficientAuthentication("token's authentication is too old")
	pendingC, pendingB := invalidToken("api", "session is pending")

	preflight := func(path string) request {
		return request{method: "OPTIONS", path: path, header: map[string]string{
			"Origin": "https://app.example.com", "Access-Control-Request-Method": "GET"}}
	}
	page := func(path string, authorization ...string) request {
		return request{path: path, authorization: authorization, header: map[string]string{"Sec-Fetch-Dest": "document"}}
	}
	query := func(path, token string, extra ...string) request {
		q := url.Values{"access_token": {token}}
		for _, e := range extra {
			q.Add("access_token", e)
		}
		return request{path: path, query: q}
	}

	return []caseOf{
		// Who may pass the strict middleware.
		{"public, no token", "default", get(Public), ok},
		{"no token", "default", get(Private), refused(401, bare, bodyNoAuth)},
		{"another scheme", "default", get(Private, "Basic dXNlcjpwYXNz"), refused(401, bare, bodyNoAuth)},
		{"a bare value without a scheme", "default", get(Private, valid), refused(401, bare, bodyNoAuth)},
		{"garbage", "default", get(Private, "Bearer garbage"), refused(401, malformedC, malformedB)},
		{"valid", "default", get(Private, "Bearer "+valid), ok},
		{"scheme in lower case", "default", get(Private, "bearer "+valid), ok},
		{"scheme in upper case", "default", get(Private, "BEARER "+valid), ok},
		{"several spaces", "default", get(Private, "Bearer    "+valid), ok},
		{"expired", "default", get(Private, "Bearer "+expiredReader), refused(401, expiredC, expiredB)},
		{"forged signature", "default", get(Private, "Bearer "+forgedReader), refused(401, forgedC, forgedB)},
		{"wrong audience", "default", get(Private, "Bearer "+wrongAudience), refused(401, audienceC, audienceB)},
		{"another issuer", "default", get(Private, "Bearer "+otherIssuer), refused(401, issuerC, issuerB)},
		{"alg none", "default", get(Private, "Bearer "+algNone), refused(401, algC, algB)},

		// Malformed requests.
		{"two Authorization headers", "default", get(Private, "Bearer "+valid, "Bearer "+valid), refused(400, twoHeadersC, twoHeadersB)},
		{"Bearer alone", "default", get(Private, "Bearer"), refused(400, emptyC, emptyB)},
		{"Bearer and spaces", "default", get(Private, "Bearer   "), refused(400, emptyC, emptyB)},
		{"two tokens in one header", "default", get(Private, "Bearer "+valid+" "+valid), refused(400, twoTokensC, twoTokensB)},

		// Authorization: 403 only for a valid token.
		{"scoped, no token", "default", get(PrivateScoped), refused(401, bare, bodyNoAuth)},
		{"scoped, no scope", "default", get(PrivateScoped, "Bearer "+valid), refused(403, missScope, bodyScope)},
		{"scoped, another scope", "default", get(PrivateScoped, "Bearer "+writer), refused(403, missScope, bodyScope)},
		{"scoped, the scope", "default", get(PrivateScoped, "Bearer "+reader), ok},
		{"scoped, the scope in an scp array", "default", get(PrivateScoped, "Bearer "+scpArray), ok},
		{"scoped, expired token with the scope", "default", get(PrivateScoped, "Bearer "+expiredReader), refused(401, expiredC, expiredB)},
		{"scoped, forged token with the scope", "default", get(PrivateScoped, "Bearer "+forgedReader), refused(401, forgedC, forgedB)},
		{"all scopes, one missing", "default", get(Both, "Bearer "+reader), refused(403,
			`Bearer realm="api", error="insufficient_scope", error_description="token lacks the required scope", scope="read:messages write:messages"`, bodyScope)},
		{"all scopes", "default", get(Both, "Bearer "+both), ok},
		{"any scope, one present", "default", get(AnyScope, "Bearer "+writer), ok},
		{"any scope, none", "default", get(AnyScope, "Bearer "+valid), refused(403,
			`Bearer realm="api", error="insufficient_scope", error_description="token lacks the required scope", scope="read:messages write:messages"`, bodyScope)},
		{"permission, Auth0's claim", "default", get(OrgAdmin, "Bearer "+admin), ok},
		{"permission, Clerk's organization", "default", get(OrgAdmin, "Bearer "+clerkAdmin), ok},
		{"permission missing", "default", get(OrgAdmin, "Bearer "+reader), refused(403,
			`Bearer realm="api", error="insufficient_scope", error_description="token lacks the required permission", scope="org:admin:example"`,
			`{"error":"insufficient_scope","error_description":"token lacks the required permission"}`)},
		{"claim equals", "default", get(Tenant, "Bearer "+acme), ok},
		{"claim differs", "default", get(Tenant, "Bearer "+otherTenant), refused(401, unexpectedTenantC, unexpectedTenantB)},
		{"claim missing", "default", get(Tenant, "Bearer "+valid), refused(401, missingTenantC, missingTenantB)},

		// The lax middleware: never refuses, never signs in a bad token.
		{"lax, no token", "default", get(Me), want{status: 200, fields: map[string]string{
			"isAuthenticated": "false", "userId": "null", "scopes": "null", "sessionClaims": "null"}}},
		{"lax, valid", "default", get(Me, "Bearer "+reader), want{status: 200, fields: map[string]string{
			"isAuthenticated": "true", "userId": `"` + authtest.DefaultSubject + `"`, "scopes": `["read:messages"]`, "permissions": "[]"}}},
		{"lax, forged", "default", get(Me, "Bearer "+forgedReader), want{status: 200, fields: map[string]string{
			"isAuthenticated": "false", "userId": "null"}}},
		{"lax, malformed request", "default", get(Me, "Bearer "+valid, "Bearer "+valid), want{status: 200, fields: map[string]string{
			"isAuthenticated": "false"}}},
		{"RequireAuth after lax, API call", "default", get(Account), refused(401, bare, bodyNoAuth)},

		// Token types: a route for machines takes client-credentials tokens
		// only; a route that does not say takes every access token, as
		// express-oauth2-jwt-bearer does; a machine is never a user.
		{"machine route, client credentials", "default", get(Machine, "Bearer "+service), want{status: 200, fields: map[string]string{
			"isAuthenticated": "true", "tokenType": `"m2m_token"`, "machineId": `"svc-1"`, "clientId": `"svc-1"`, "subject": `"svc-1@clients"`,
			"id": `"cc-1"`, "scopes": `["read:messages"]`}}},
		{"machine route, a user's token", "default", get(Machine, "Bearer "+reader), refused(401, machineOnlyC, machineOnlyB)},
		{"machine route, no token", "default", get(Machine), refused(401, bare, bodyNoAuth)},
		{"machine route, forged", "default", get(Machine, "Bearer "+authtest.TamperSignature(service)), refused(401, forgedC, forgedB)},
		{"client credentials on a route that does not say", "default", get(PrivateScoped, "Bearer "+service), ok},
		{"lax, client credentials", "default", get(Me, "Bearer "+service), want{status: 200, fields: map[string]string{
			"isAuthenticated": "true", "tokenType": `"m2m_token"`, "machineId": `"svc-1"`}}},
		{"lax machine route, client credentials", "default", get(LaxMachine, "Bearer "+service), want{status: 200, fields: map[string]string{
			"isAuthenticated": "true", "tokenType": `"m2m_token"`}}},
		{"lax machine route, a user's token is signed out", "default", get(LaxMachine, "Bearer "+reader), want{status: 200, fields: map[string]string{
			"isAuthenticated": "false", "userId": "null"}}},
		{"lax, a user's token type", "default", get(Me, "Bearer "+reader), want{status: 200, fields: map[string]string{
			"tokenType": `"oauth_token"`}}},
		// Opaque tokens by introspection (RFC 7662): typed and checked as
		// JWTs are; without Introspection they are malformed.
		{"introspection, a user's opaque token", "introspection", get(PrivateScoped, "Bearer "+opaqueReader), ok},
		{"introspection, a user's opaque token on the machine route", "introspection", get(Machine, "Bearer "+opaqueReader),
			refused(401, machineOnlyC, machineOnlyB)},
		{"introspection, a service's opaque token", "introspection", get(Machine, "Bearer "+opaqueService), want{status: 200,
			fields: map[string]string{"tokenType": `"m2m_token"`, "machineId": `"svc-2"`, "id": `"op-2"`, "scopes": `["read:messages"]`}}},
		{"introspection, lax", "introspection", get(Me, "Bearer "+opaqueReader), want{status: 200, fields: map[string]string{
			"isAuthenticated": "true", "tokenType": `"oauth_token"`, "userId": `"user-1"`, "clientId": `"app"`}}},
		{"introspection, inactive", "introspection", get(Private, "Bearer opaque-revoked"), refused(401, inactiveC, inactiveB)},
		{"introspection, a JWT still verifies", "introspection", get(PrivateScoped, "Bearer "+reader), ok},
		{"introspection down", "introspection-down", get(Private, "Bearer "+opaqueReader), want{status: 503, challenge: bare, retryAfter: "7",
			body: `{"error":"temporarily_unavailable","error_description":"token introspection is unavailable, retry later"}`}},
		{"introspection down, a JWT still verifies", "introspection-down", get(Private, "Bearer "+reader), ok},
		{"no introspection, an opaque token", "default", get(Private, "Bearer "+opaqueReader), refused(401, malformedC, malformedB)},
		// Clerk's opaque machine tokens through its Backend API: refused by
		// type where the route does not take them, before any call.
		{"clerk api, opaque M2M token", "clerk-api", get(Machine, "Bearer "+clerkOpaqueM2M), want{status: 200, fields: map[string]string{
			"tokenType": `"m2m_token"`, "machineId": `"mch_sender"`, "id": `"mt_id"`, "scopes": `["mch_api"]`, "userId": absent}}},
		{"clerk api, opaque M2M token on a session route", "clerk-api", get(Private, "Bearer "+clerkOpaqueM2M), refused(401, noMachinesC, noMachinesB)},
		{"clerk api, opaque OAuth token on the machine route", "clerk-api", get(Machine, "Bearer "+clerkOpaqueOAuth),
			refused(401, machineOnlyC, machineOnlyB)},
		{"clerk api, an API key on the machine route", "clerk-api", get(Machine, "Bearer ak_conformance"), refused(401,
			`Bearer realm="api", error="invalid_token", error_description="route does not accept API keys"`,
			`{"error":"invalid_token","error_description":"route does not accept API keys"}`)},
		{"clerk api, unknown M2M token", "clerk-api", get(Machine, "Bearer mt_unknown"), refused(401, inactiveC, inactiveB)},
		{"clerk, session token on the machine route", "clerk", get(Machine, "Bearer "+clerkSession), refused(401, noSessionsC, noSessionsB)},
		{"clerk, machine token on the machine route", "clerk", get(Machine, "Bearer "+clerkMachine), want{status: 200, fields: map[string]string{
			"tokenType": `"m2m_token"`, "machineId": `"mch_1"`, "userId": absent}}},
		{"RequireAuth after lax, forged", "default", get(Account, "Bearer "+forgedReader), refused(401, forgedC, forgedB)},
		{"RequireAuth after lax, malformed", "default", get(Account, "Bearer"), refused(400, emptyC, emptyB)},
		{"RequireAuth after lax, valid", "default", get(Account, "Bearer "+valid), ok},

		// Pages go to the sign-in page when one is configured; API calls
		// still get 401.
		{"page, no sign-in page configured", "default", page(Account), refused(401, bare, bodyNoAuth)},
		{"page, signed out", "sign-in", page(Account), want{status: 303,
			location: "/sign-in?redirect_url=" + url.QueryEscape("http://example.com/account")}},
		{"page, signed in", "sign-in", page(Account, "Bearer "+valid), ok},
		{"API call, sign-in page configured", "sign-in", get(Account), refused(401, bare, bodyNoAuth)},
		{"page, strict route", "sign-in", page(Private), refused(401, bare, bodyNoAuth)},

		// CORS preflights: never a 401, never a handler on a protected
		// route, whether strict or lax with a rule after it.
		{"preflight, strict route", "default", preflight(Private), want{status: 204}},
		{"preflight, lax route and RequireAuth", "default", preflight(Account), want{status: 204}},
		{"preflight, lax route and RequireScopes", "default", preflight(LaxScoped), want{status: 204}},
		{"lax and RequireScopes, no token", "default", get(LaxScoped), refused(401, bare, bodyNoAuth)},
		{"lax and RequireScopes, forged", "default", get(LaxScoped, "Bearer "+forgedReader), refused(401, forgedC, forgedB)},
		{"lax and RequireScopes, no scope", "default", get(LaxScoped, "Bearer "+valid), refused(403, missScope, bodyScope)},
		{"lax and RequireScopes, the scope", "default", get(LaxScoped, "Bearer "+reader), ok},

		// A skipped request reaches its handler untouched, signed out.
		{"skipped, no token", "skip-private", get(Private), ok},
		{"skipped, garbage", "skip-private", get(Private, "Bearer garbage"), ok},
		{"not skipped", "skip-private", get(PrivateScoped), refused(401, bare, bodyNoAuth)},
		{"OPTIONS without preflight headers", "default", request{method: "OPTIONS", path: Private}, refused(401, bare, bodyNoAuth)},

		// Token sources.
		{"cookie", "sources", request{path: Private, cookie: valid}, ok},
		{"cookie not enabled", "default", request{path: Private, cookie: valid}, refused(401, bare, bodyNoAuth)},
		{"header wins over cookie", "sources", request{path: Private, cookie: valid, authorization: []string{"Bearer garbage"}}, refused(401, malformedC, malformedB)},
		{"a bare header value keeps the cookie out", "sources", request{path: Private, cookie: valid, authorization: []string{"garbage"}}, refused(401, bare, bodyNoAuth)},
		{"another scheme leaves the cookie to decide", "sources", request{path: Private, cookie: valid, authorization: []string{"Basic dXNlcjpwYXNz"}}, ok},
		{"query", "sources", query(Private, valid), ok},
		{"query not enabled", "default", query(Private, valid), refused(401, bare, bodyNoAuth)},
		{"query and header", "sources", func() request { r := query(Private, valid); r.authorization = []string{"Bearer " + valid}; return r }(),
			refused(400, twoMethodsC, twoMethodsB)},
		{"query and cookie", "sources", func() request { r := query(Private, valid); r.cookie = valid; return r }(),
			refused(400, twoMethodsC, twoMethodsB)},
		{"query twice", "sources", query(Private, valid, valid), refused(400, twoQueryC, twoQueryB)},
		{"query empty", "sources", query(Private, ""), refused(400, emptyC, emptyB)},

		// Step-up authentication (RFC 9470): 401 with what to ask the
		// authorization server for, never 403.
		{"step-up, no token", "default", get(StepUp), refused(401, bare, bodyNoAuth)},
		{"step-up, forged", "default", get(StepUp, "Bearer "+authtest.TamperSignature(mfaNow)), refused(401, forgedC, forgedB)},
		{"step-up, no acr", "default", get(StepUp, "Bearer "+valid), refused(401, stepUpLevelC, stepUpLevelB)},
		{"step-up, another acr", "default", get(StepUp, "Bearer "+passwordNow), refused(401, stepUpLevelC, stepUpLevelB)},
		{"step-up, multi-factor eleven minutes ago", "default", get(StepUp, "Bearer "+mfaOld), refused(401, stepUpAgeC, stepUpAgeB)},
		{"step-up, multi-factor without auth_time", "default", get(StepUp, "Bearer "+mfaNoTime), refused(401, stepUpAgeC, stepUpAgeB)},
		{"step-up, multi-factor now", "default", get(StepUp, "Bearer "+mfaNow), ok},

		// The Clerk preset: session tokens only, the __session cookie,
		// organization permissions only, pending sessions signed out.
		{"clerk, session", "clerk", get(Private, "Bearer "+clerkSession), ok},
		{"clerk, session in the cookie", "clerk", request{path: Private, cookie: clerkSession}, ok},
		{"clerk, machine token", "clerk", get(Private, "Bearer "+clerkMachine), refused(401, noMachinesC, noMachinesB)},
		{"clerk, pending session", "clerk", get(Private, "Bearer "+clerkPending), refused(401, pendingC, pendingB)},
		{"clerk, organization admin", "clerk", get(OrgAdmin, "Bearer "+clerkAdmin), ok},
		{"clerk, reverified", "clerk", get(Reverified, "Bearer "+clerkReverified), ok},
		{"clerk, reverification needed", "clerk", get(Reverified, "Bearer "+clerkSession), refused(403, reverifyC,
			`{"clerk_error":{"type":"forbidden","reason":"reverification-error","metadata":{"reverification":"strict"}}}`)},
		{"reverification needed, no Clerk preset", "default", get(Reverified, "Bearer "+valid), refused(403, reverifyC,
			`{"error":"insufficient_scope","error_description":"session needs a more recent verification"}`)},
		{"clerk, Auth0's permissions claim counts for nothing", "clerk", get(OrgAdmin, "Bearer "+admin), refused(403,
			`Bearer realm="api", error="insufficient_scope", error_description="token lacks the required permission", scope="org:admin:example"`,
			`{"error":"insufficient_scope","error_description":"token lacks the required permission"}`)},

		// Protected resource metadata (RFC 9728): every 401 and 403 names
		// it, and it names the authorization server and the scopes.
		{"resource, no token", "resource", get(PrivateScoped), refused(401, `Bearer realm="api", resource_metadata="`+metadataURL+`"`, bodyNoAuth)},
		{"resource, garbage", "resource", get(Private, "Bearer garbage"), refused(401, withMetadata(malformedC), malformedB)},
		{"resource, no scope", "resource", get(PrivateScoped, "Bearer "+valid), refused(403, withMetadata(missScope), bodyScope)},
		{"resource, malformed request", "resource", get(Private, "Bearer"), refused(400, emptyC, emptyB)},
		{"resource, the metadata", "resource", get(Metadata), want{status: 200,
			body: `{"resource":"` + Resource + `","authorization_servers":["` + iss.URL() + `"],` +
				`"scopes_supported":["read:messages","write:messages"],"bearer_methods_supported":["header"],"dpop_signing_alg_values_supported":["RS256","RS384","RS512","PS256","PS384","PS512","ES256","ES384","ES512","EdDSA"]}`}},

		// DPoP (RFC 9449): a bound token needs the DPoP scheme and a proof;
		// errors go on the scheme the request used.
		{"dpop, bound token and its proof", "default", withDPoP(Private, "DPoP "+boundReader, proof(Private, boundReader).MustSign(t)), ok},
		{"dpop, scoped", "default", withDPoP(PrivateScoped, "DPoP "+boundReader, proof(PrivateScoped, boundReader).MustSign(t)), ok},
		{"dpop, bound token sent as Bearer", "default", get(Private, "Bearer "+boundReader), refused(401,
			`Bearer realm="api", error="invalid_token", error_description="token is DPoP-bound: send it with the DPoP scheme and a proof"`,
			errorBody("invalid_token", "token is DPoP-bound: send it with the DPoP scheme and a proof"))},
		{"dpop, no proof", "default", get(Private, "DPoP "+boundReader), refused(401,
			onDPoP("invalid_dpop_proof", "request must carry exactly one DPoP proof"), errorBody("invalid_dpop_proof", "request must carry exactly one DPoP proof"))},
		{"dpop, proof for another URL", "default", withDPoP(Private, "DPoP "+boundReader, proof(PrivateScoped, boundReader).MustSign(t)), refused(401,
			onDPoP("invalid_dpop_proof", "DPoP proof is for another URL"), errorBody("invalid_dpop_proof", "DPoP proof is for another URL"))},
		{"dpop, proof for another token", "default", withDPoP(Private, "DPoP "+boundReader, proof(Private, valid).MustSign(t)), refused(401,
			onDPoP("invalid_dpop_proof", "DPoP proof is not for this access token"), errorBody("invalid_dpop_proof", "DPoP proof is not for this access token"))},
		{"dpop, unbound token", "default", withDPoP(Private, "DPoP "+valid, proof(Private, valid).MustSign(t)), refused(401,
			onDPoP("invalid_token", "token is not DPoP-bound: send it with the Bearer scheme"), errorBody("invalid_token", "token is not DPoP-bound: send it with the Bearer scheme"))},
		{"dpop, Bearer with a proof", "default", withDPoP(Private, "Bearer "+valid, proof(Private, valid).MustSign(t)), refused(400,
			`Bearer realm="api", error="invalid_request", error_description="request carries a DPoP proof but not the DPoP scheme"`,
			errorBody("invalid_request", "request carries a DPoP proof but not the DPoP scheme"))},
		{"dpop, lacks the scope", "default", withDPoP(PrivateScoped, "DPoP "+boundNoScope, proof(PrivateScoped, boundNoScope).MustSign(t)), refused(403,
			`Bearer realm="api", DPoP realm="api", error="insufficient_scope", error_description="token lacks the required scope", scope="read:messages", algs="`+DPoPAlgorithms+`"`,
			bodyScope)},
		{"dpop, proof replayed", "default", replayed(withDPoP(Private, "DPoP "+boundReader, proof(Private, boundReader).MustSign(t))), refused(401,
			onDPoP("invalid_dpop_proof", "DPoP proof has been used before"), errorBody("invalid_dpop_proof", "DPoP proof has been used before"))},
		{"dpop, step-up passed", "default", withDPoP(StepUp, "DPoP "+boundMFA, proof(StepUp, boundMFA).MustSign(t)), ok},
		{"dpop, step-up needed", "default", withDPoP(StepUp, "DPoP "+boundNoScope, proof(StepUp, boundNoScope).MustSign(t)), refused(401,
			`Bearer realm="api", DPoP realm="api", error="insufficient_user_authentication", error_description="token lacks the required authentication level", acr_values="`+MultiFactor+`", max_age="600", algs="`+DPoPAlgorithms+`"`,
			stepUpLevelB)},
		{"dpop required, no token", "dpop-required", get(Private), refused(401, `DPoP realm="api", algs="`+DPoPAlgorithms+`"`, bodyNoAuth)},
		{"dpop required, Bearer", "dpop-required", get(Private, "Bearer "+reader), refused(401,
			dpopOnly("invalid_token", "this API accepts only DPoP-bound tokens sent with the DPoP scheme"),
			errorBody("invalid_token", "this API accepts only DPoP-bound tokens sent with the DPoP scheme"))},
		{"dpop required, bound token and its proof", "dpop-required", withDPoP(Private, "DPoP "+boundReader, proof(Private, boundReader).MustSign(t)), ok},
		{"dpop nonce, none in the proof", "dpop-nonce", withDPoP(Private, "DPoP "+boundReader, proof(Private, boundReader).MustSign(t)), want{status: 401,
			challenge: onDPoP("use_dpop_nonce", "DPoP proof must carry a nonce from the DPoP-Nonce header"), dpopNonce: true,
			body: errorBody("use_dpop_nonce", "DPoP proof must carry a nonce from the DPoP-Nonce header")}},

		// The realm names every challenge.
		{"realm, no token", "realm", get(PrivateScoped), refused(401, `Bearer realm="orders"`, bodyNoAuth)},
		{"realm, garbage", "realm", get(Private, "Bearer garbage"), refused(401, realmMalformedC, realmMalformedB)},
		{"realm, no scope", "realm", get(PrivateScoped, "Bearer "+valid), refused(403,
			`Bearer realm="orders", error="insufficient_scope", error_description="token lacks the required scope", scope="read:messages"`, bodyScope)},

		// Keys that cannot be fetched: 503 for a token that may be valid.
		{"keys down", "keys-down", get(Private, "Bearer "+downToken), want{status: 503, challenge: bare, retryAfter: "30",
			body: `{"error":"temporarily_unavailable","error_description":"signing keys are unavailable, retry later"}`}},
		{"keys down, lax", "keys-down", get(Me, "Bearer "+downToken), want{status: 200, fields: map[string]string{"isAuthenticated": "false"}}},
		{"keys down, RequireAuth", "keys-down", get(Account, "Bearer "+downToken), want{status: 503, challenge: bare, retryAfter: "30",
			body: `{"error":"temporarily_unavailable","error_description":"signing keys are unavailable, retry later"}`}},
		{"keys down, garbage still 401", "keys-down", get(Private, "Bearer garbage"), refused(401, malformedC, malformedB)},
	}
}
