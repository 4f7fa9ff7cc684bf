package apptest

import (
	"encoding/json"
	"io"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/scopegate/scopegate/authtest"
	"github.com/scopegate/scopegate/examples/internal/app"
	"github.com/scopegate/scopegate/internal/conformance"
)

// TestExternalIssuerContract points the example, configured through its
// environment, at an issuer on loopback shaped like an Auth0 tenant (issuer
// with a trailing slash, discovery, JWKS) and checks the answer to every
// kind of token the contract names.
func testExternalIssuerContract(t *testing.T, server app.Server) {
	clock := authtest.NewClock(time.Unix(1_800_000_000, 0))
	issuer := authtest.NewIssuer(t, authtest.WithTrailingSlash(), authtest.WithClock(clock.Now))
	s, err := app.LoadSettings(envOf(map[string]string{
		"ISSUER_BASE_URL": issuer.URL(),
		"AUDIENCE":        "https://api.example.com, https://other.example.com",
		"CLOCK_SKEW":      "5s",
	}))
	require.NoError(t, err)
	s.Auth.Now = clock.Now
	api, _ := startAPI(t, s, server)

	now := clock.Now()
	rsaPEM := issuer.PublicKeyPEM("RS256")
	foreignKey, err := authtest.NewRSAKey(2048)
	require.NoError(t, err)
	tokenFor := func(b *authtest.TokenBuilder) string { return b.MustSign(t) }
	valid := tokenFor(issuer.Token())

	tests := []struct {
		name        string
		path        string
		header      string // the whole Authorization header; "" for none
		status      int
		description string // error_description for failures
	}{
		{"no token", "/api/private", "", 401, "bearer token is missing"},
		{"garbage", "/api/private", "Bearer garbage", 401, "token is malformed"},
		{"expired", "/api/private", "Bearer " + tokenFor(issuer.Token().ExpiresAt(now.Add(-time.Minute))), 401, "token is expired"},
		{"expired within skew", "/api/private", "Bearer " + tokenFor(issuer.Token().ExpiresAt(now.Add(-3*time.Second))), 200, ""},
		{"expired just beyond skew", "/api/private", "Bearer " + tokenFor(issuer.Token().ExpiresAt(now.Add(-5*time.Second))), 401, "token is expired"},
		{"not yet valid", "/api/private", "Bearer " + tokenFor(issuer.Token().NotBefore(now.Add(time.Minute))), 401, "token is not yet valid"},
		{"not yet valid within skew", "/api/private", "Bearer " + tokenFor(issuer.Token().NotBefore(now.Add(4*time.Second))), 200, ""},
		{"issued in the future", "/api/private", "Bearer " + tokenFor(issuer.Token().IssuedAt(now.Add(time.Minute))), 401, "token is issued in the future"},
		{"wrong audience", "/api/private", "Bearer " + tokenFor(issuer.Token().Audience("https://elsewhere.example.com")), 401, "token audience is not accepted"},
		{"audience array containing ours", "/api/private", "Bearer " + tokenFor(issuer.Token().Audience("https://elsewhere.example.com", "https://api.example.com")), 200, ""},
		{"second configured audience", "/api/private", "Bearer " + tokenFor(issuer.Token().Audience("https://other.example.com")), 200, ""},
		{"no audience", "/api/private", "Bearer " + tokenFor(issuer.Token().Without("aud")), 401, "token lacks a required claim"},
		{"wrong issuer", "/api/private", "Bearer " + tokenFor(issuer.Token().Claim("iss", "https://evil.example.com/")), 401, "token issuer is not trusted"},
		{"issuer without its trailing slash", "/api/private", "Bearer " + tokenFor(issuer.Token().Claim("iss", strings.TrimSuffix(issuer.URL(), "/"))), 401, "token issuer is not trusted"},
		{"issuer with a second trailing slash", "/api/private", "Bearer " + tokenFor(issuer.Token().Claim("iss", issuer.URL()+"/")), 401, "token issuer is not trusted"},
		{"alg none", "/api/private", "Bearer " + tokenFor(issuer.Token().Algorithm("none")), 401, "token algorithm is not allowed"},
		{"HS256 keyed with the RSA public key", "/api/private", "Bearer " + tokenFor(issuer.Token().SignWithSecret("HS256", rsaPEM).Header("kid", issuer.KeyID("RS256"))), 401, "token algorithm is not allowed"},
		{"unknown kid", "/api/private", "Bearer " + tokenFor(issuer.Token().SignWith("RS256", foreignKey, "someone-elses-key")), 401, "token signing key is unknown"},
		{"known kid, wrong key", "/api/private", "Bearer " + tokenFor(issuer.Token().SignWith("RS256", foreignKey, issuer.KeyID("RS256"))), 401, "token signature is invalid"},
		{"bad signature", "/api/private", "Bearer " + authtest.TamperSignature(valid), 401, "token signature is invalid"},
		{"no exp", "/api/private", "Bearer " + tokenFor(issuer.Token().Without("exp")), 401, "token lacks a required claim"},
		{"exp as a string", "/api/private", "Bearer " + tokenFor(issuer.Token().Claim("exp", "1900000000")), 401, "token claim has the wrong type"},
		{"valid", "/api/private", "Bearer " + valid, 200, ""},
		{"valid without scope, scoped route", "/api/private-scoped", "Bearer " + valid, 403, "token lacks the required scope"},
		{"scope as a string", "/api/private-scoped", "Bearer " + tokenFor(issuer.Token().Scope("openid read:messages")), 200, ""},
		{"scope as an scp array", "/api/private-scoped", "Bearer " + tokenFor(issuer.Token().Claim("scp", []string{"read:messages"})), 200, ""},
		{"invalid token carrying the scope", "/api/private-scoped", "Bearer " + authtest.TamperSignature(tokenFor(issuer.Token().Scope("read:messages"))), 401, "token signature is invalid"},
		{"ES256", "/api/private-scoped", "Bearer " + tokenFor(issuer.Token().Algorithm("ES256").Scope("read:messages")), 200, ""},
		{"EdDSA", "/api/private", "Bearer " + tokenFor(issuer.Token().Algorithm("EdDSA")), 200, ""},
		{"lowercase bearer", "/api/private", "bearer " + valid, 200, ""},
		{"permission", "/api/org-admin", "Bearer " + tokenFor(issuer.Token().Permissions("org:admin:example")), 200, ""},
		{"no permission", "/api/org-admin", "Bearer " + valid, 403, "token lacks the required permission"},
		{"public", "/api/public", "Bearer garbage", 200, ""},
	}
	// What each route answers on success, and the scope its 403 names.
	messages := map[string]app.Message{"/api/public": app.PublicMessage, "/api/private": app.PrivateMessage,
		"/api/private-scoped": app.PrivateScopedMessage, "/api/org-admin": app.OrgAdminMessage}
	scopes := map[string]string{"/api/private-scoped": "read:messages", "/api/org-admin": "org:admin:example"}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			req, err := http.NewRequest(http.MethodGet, api.URL+tt.path, nil)
			require.NoError(t, err)
			if tt.header != "" {
				req.Header.Set("Authorization", tt.header)
			}
			resp, err := api.Client().Do(req)
			require.NoError(t, err)
			defer resp.Body.Close()
			body, err := io.ReadAll(resp.Body)
			require.NoError(t, err)
			require.Equal(t, tt.status, resp.StatusCode, "%s", body)
			// Every example answers byte for byte the same JSON and the
			// same headers: the challenge, and nothing of Retry-After.
			var challenge, want string
			switch tt.status {
			case http.StatusOK:
				b, _ := json.Marshal(messages[tt.path])
				want = string(b)
			case http.StatusUnauthorized:
				challenge = `Bearer realm="api"`
				want = `{"error":"unauthorized","error_description":"` + tt.description + `"}`
				if tt.header != "" {
					challenge += `, error="invalid_token", error_description="` + tt.description + `"`
					want = `{"error":"invalid_token","error_description":"` + tt.description + `"}`
				}
			case http.StatusForbidden:
				challenge = `Bearer realm="api", error="insufficient_scope", error_description="` + tt.description + `", scope="` + scopes[tt.path] + `"`
				want = `{"error":"insufficient_scope","error_description":"` + tt.description + `"}`
			}
			if challenge != "" {
				// RESOURCE defaults to the first AUDIENCE: every 401 and
				// 403 names the protected resource metadata.
				challenge += `, resource_metadata="https://api.example.com/.well-known/oauth-protected-resource"`
			}
			assert.JSONEq(t, want, string(body))
			assert.Equal(t, conformance.WithDPoPOffer(challenge), resp.Header.Get("WWW-Authenticate"))
			assert.Empty(t, resp.Header.Get("Retry-After"))
			assert.True(t, strings.HasPrefix(resp.Header.Get("Content-Type"), "application/json"), resp.Header.Get("Content-Type"))
		})
	}
}
