// Package authtest runs an OpenID issuer on loopback and mints the tokens it
// would sign, so that code protected by scopegate can be tested — and run
// locally — without an Auth0 or Clerk account and without a network.
//
// It is to bearer-token authentication what net/http/httptest is to HTTP: one
// call starts a real server, [testing.TB.Cleanup] stops it, and the issuer
// hands out its URL and a token maker.
//
//	func TestPrivateRoute(t *testing.T) {
//		issuer := authtest.NewIssuer(t)
//		api := httptest.NewServer(newAPI(issuer.URL(), issuer.Audience()))
//		defer api.Close()
//
//		req, _ := http.NewRequest("GET", api.URL+"/api/private-scoped", nil)
//		req.Header.Set("Authorization", "Bearer "+issuer.Token().Scope("read:messages").MustSign(t))
//		...
//	}
//
// The issuer serves its discovery document at /.well-known/openid-configuration
// (and /.well-known/oauth-authorization-server) and its key set at
// /.well-known/jwks.json over real HTTP, so the code under test exercises the
// same discovery, fetching and caching it uses in production. It starts with
// one signing key for each of RS256, ES256 and EdDSA; [Issuer.Rotate] and
// [Issuer.Retire] change the published keys, [Issuer.SetHandler] injects
// faults, and [Issuer.Requests] tells how often the code under test asked.
//
// Tokens come from [Issuer.Token], whose defaults make a valid token and whose
// every claim and header can be changed or removed to make an invalid one.
// [SignRaw] signs arbitrary bytes for tests that need tokens no JSON encoder
// would produce.
//
// Nothing here is meant for production: private keys live in memory, and
// anyone who can reach the server may read its key set.
package authtest
