package bearer

import (
	"encoding/json"
	"fmt"
	"net/http"

	"github.com/scopegate/scopegate/internal/sealed"
	"github.com/scopegate/scopegate/scopes"
)

// Rule is an authorization check on a request that authentication has
// seen: it returns nil to let the request through, or the answer to send
// instead. Each face turns a Rule into a middleware of the same name
// (echoauth.RequireScopes, httpauth.RequireScopes, ...). A Rule is
// immutable and safe for concurrent use.
type Rule func(r *http.Request) *Answer

// describe is the error_description of a 403 for a requirement of kind k.
func describe(k scopes.Kind) string {
	if k == scopes.KindMixed {
		return "token does not meet the route's requirement"
	}
	if k == scopes.KindReverification {
		return "session needs a more recent verification"
	}
	return "token lacks the required " + k.String()
}

// RequireAuth makes a route strict after the lax middleware (WithAuth): a
// signed-out request is answered as the strict one (CheckJWT) would have
// (401, or 400/503 with the reason recorded). With Config.SignInURL set, a
// signed-out browser page navigation is redirected there instead (303, with
// a redirect_url parameter); API calls still get 401. Without an
// authentication middleware before it, every request is signed out.
func RequireAuth() Rule {
	return func(r *http.Request) *Answer {
		auth := FromContext(r.Context())
		if auth.IsAuthenticated {
			return nil
		}
		if isPreflight(r) {
			return preflightAnswer
		}
		if auth.how.signInURL != "" && isPageNavigation(r) {
			return redirectToSignIn(r, auth.how.signInURL)
		}
		return fail(failure(auth), auth)
	}
}

// RequireScopes answers 403 unless the token grants every one of the scopes
// (from "scope" or "scp"). Unlike express-oauth2-jwt-bearer's requiredScopes,
// every argument counts. It panics at route registration when a scope is
// empty or not a valid RFC 6749 scope token.
func RequireScopes(required ...string) Rule {
	return require(scopes.All(required...), "RequireScopes")
}

// RequireAnyScope answers 403 unless the token grants at least one of the
// scopes. It panics at route registration on an invalid scope.
func RequireAnyScope(anyOf ...string) Rule {
	return require(scopes.Any(anyOf...), "RequireAnyScope")
}

// Has answers 403 unless the token satisfies req, a requirement of package
// scopes or clerk: scopes.Permission("org:admin:example") (Auth0 permissions
// or the active Clerk organization's), scopes.All(...), clerk.Role("admin"),
// clerk.Feature, clerk.Plan, clerk.Reverification, or combinations with
// scopes.And and scopes.Or. The 403 says which kind of grant was missing.
// It panics at route registration when req is invalid.
func Has(req scopes.Requirement) Rule {
	return require(req, "Has")
}

// require builds an authorization rule. A request without a valid token is
// answered 401 (or with the reason authentication recorded), never 403: RFC
// 6750 keeps insufficient_scope for tokens that are valid. The 403 says what
// kind of grant was missing.
func require(req scopes.Requirement, name string) Rule {
	if req == nil {
		panic(fmt.Sprintf("scopegate: %s: the requirement is nil", name))
	}
	if err := scopes.Validate(req); err != nil {
		panic(fmt.Sprintf("scopegate: %s: %v", name, err))
	}
	scope, description := req.Scope(), describe(scopes.KindOf(req))
	declaredScopes.add(scope)
	hint := clerkReverificationHint(req)
	return authorize(func(_ *http.Request, auth *Auth) *Answer {
		if !auth.Has(req) {
			err := insufficientScope(description, scope)
			if hint != nil && auth.how.clerkReverification {
				err.body = hint
			}
			return fail(err, auth)
		}
		return nil
	})
}

// clerkReverificationHint is the body of @clerk/shared's
// reverificationError for a clerk.Reverification requirement, built once
// when the route is registered; nil for any other requirement.
func clerkReverificationHint(req scopes.Requirement) json.RawMessage {
	r, ok := req.(interface{ ClerkReverification(sealed.Seal) any })
	if !ok {
		return nil
	}
	type metadata struct {
		Reverification any `json:"reverification"`
	}
	type clerkError struct {
		Type     string   `json:"type"`
		Reason   string   `json:"reason"`
		Metadata metadata `json:"metadata"`
	}
	body, err := json.Marshal(struct {
		ClerkError clerkError `json:"clerk_error"`
	}{clerkError{Type: "forbidden", Reason: "reverification-error", Metadata: metadata{r.ClerkReverification(sealed.Seal{})}}})
	if err != nil {
		return nil // a string or two numbers: it cannot fail
	}
	return body
}

// authorize builds a rule that runs check for signed-in requests and
// answers signed-out ones as RequireAuth does for API calls. A CORS
// preflight, which the lax middleware lets through signed out, gets the
// strict middleware's 204: never a 401, never the handler.
func authorize(check func(r *http.Request, auth *Auth) *Answer) Rule {
	return func(r *http.Request) *Answer {
		auth := FromContext(r.Context())
		if !auth.IsAuthenticated {
			if isPreflight(r) {
				return preflightAnswer
			}
			return fail(failure(auth), auth)
		}
		return check(r, auth)
	}
}
