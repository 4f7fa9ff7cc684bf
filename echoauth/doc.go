// Package echoauth is the Echo v4 face of scopegate: middlewares that
// authenticate a request by its bearer JWT and authorize it by scope,
// permission or role, answering as RFC 6750 says. Every decision is made by
// package bearer; this package only adapts it to Echo v4.
//
//	auth, err := echoauth.New(echoauth.Config{
//		Issuer:   "https://tenant.auth0.com/",
//		Audience: []string{"https://api.example.com"},
//	})
//	e.GET("/api/public", public)
//	e.GET("/api/private", private, auth.CheckJWT())
//	e.GET("/api/private-scoped", scoped, auth.CheckJWT(), echoauth.RequireScopes("read:messages"))
//
// CheckJWT is strict: no token or an invalid one answers 401. WithAuth is lax:
// it attaches a signed-out auth object instead, and RequireAuth later on the
// chain makes a route strict. The authorization middlewares (RequireScopes,
// RequireAnyScope, Has and the claim checks) answer 403 only for a valid
// token that lacks the grant; without a valid token they answer 401.
//
// Failures are returned, never written, as *echo.HTTPError whose Internal
// and Message are the *bearer.Error, which renders itself as its JSON body,
// so the application's HTTPErrorHandler renders them; the middleware sets WWW-Authenticate (and
// Retry-After for 503) on the response first. Presets (bearer.Auth0,
// bearer.Clerk) and the error classes (bearer.ErrInvalidToken, ...) live in
// package bearer.
package echoauth
