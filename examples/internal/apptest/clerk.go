package apptest

import (
	"encoding/base64"
	"encoding/json"
	"net/http"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/scopegate/scopegate/authtest"
	"github.com/scopegate/scopegate/examples/internal/app"
)

// TestClerkStyleSessions configures the example as a Clerk backend through
// its environment (session cookie, authorized parties) and checks that
// /api/org-admin accepts Clerk version 1 and version 2 organization admins and
// Auth0 permissions alike, and that /api/me shows the organization.
func testClerkStyleSessions(t *testing.T, server app.Server) {
	issuer := authtest.NewIssuer(t)
	s, err := app.LoadSettings(envOf(map[string]string{
		"ISSUER_BASE_URL":    issuer.URL(),
		"AUDIENCE":           issuer.Audience(),
		"SESSION_COOKIE":     "__session",
		"AUTHORIZED_PARTIES": "https://app.example.com, https://admin.example.com",
	}))
	require.NoError(t, err)
	assert.Equal(t, []string{"https://app.example.com", "https://admin.example.com"}, s.Auth.AuthorizedParties)
	api, _ := startAPI(t, s, server)

	session := func() *authtest.TokenBuilder {
		return issuer.Token().Claim("azp", "https://app.example.com").Claim("sid", "sess_1")
	}
	v1Admin := session().Claim("org_id", "org_1").Claim("org_role", "org:admin").Claim("org_slug", "acme").
		Claim("org_permissions", []string{"org:admin:example"}).MustSign(t)
	v2Admin := session().Claim("v", 2).Claim("fea", "o:admin").
		Claim("o", map[string]any{"id": "org_2", "slg": "acme", "rol": "admin", "per": "example", "fpm": "1"}).MustSign(t)
	v2Member := session().Claim("v", 2).Claim("fea", "o:admin").
		Claim("o", map[string]any{"id": "org_2", "slg": "acme", "rol": "member", "per": "example", "fpm": "0"}).MustSign(t)
	auth0Admin := session().Permissions("org:admin:example").MustSign(t)

	do := func(path, bearer, cookie string) *http.Response {
		req, err := http.NewRequest(http.MethodGet, api.URL+path, nil)
		require.NoError(t, err)
		if bearer != "" {
			req.Header.Set("Authorization", "Bearer "+bearer)
		}
		if cookie != "" {
			req.AddCookie(&http.Cookie{Name: "__session", Value: cookie})
		}
		resp, err := api.Client().Do(req)
		require.NoError(t, err)
		t.Cleanup(func() { resp.Body.Close() })
		return resp
	}
	tests := []struct {
		name           string
		bearer, cookie string
		status         int
	}{
		{"Clerk v1 admin, header", v1Admin, "", 200},
		{"Clerk v1 admin, cookie", "", v1Admin, 200},
		{"Clerk v2 admin, cookie", "", v2Admin, 200},
		{"Clerk v2 member", v2Member, "", 403},
		{"Auth0 permissions", auth0Admin, "", 200},
		{"no azp", issuer.Token().Permissions("org:admin:example").MustSign(t), "", 401},
		{"invalid header beats a valid cookie", "garbage", v2Admin, 401},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			assert.Equal(t, tt.status, do("/api/org-admin", tt.bearer, tt.cookie).StatusCode)
		})
	}

	var me map[string]any
	require.NoError(t, json.NewDecoder(do("/api/me", "", v2Admin).Body).Decode(&me))
	assert.Equal(t, true, me["isAuthenticated"])
	assert.Equal(t, "org_2", me["orgId"])
	assert.Equal(t, "org:admin", me["orgRole"])
	assert.Equal(t, "acme", me["orgSlug"])
	assert.Equal(t, []any{"org:admin:example"}, me["orgPermissions"])
	assert.Equal(t, "sess_1", me["sessionId"])
}

// TestClerkPreset runs the example as a Clerk backend for real Clerk
// session tokens: no audience, the Frontend API as issuer, the JWT key from
// the dashboard on one line (networkless), the __session cookie by default.
// Decisions are Clerk's: a top-level permissions claim grants nothing, and a
// token without a subject is refused.
func testClerkPreset(t *testing.T, server app.Server) {
	const frontend = "https://clerk.example.com"
	issuer := authtest.NewIssuer(t, authtest.WithAudience(""))
	oneLine := strings.Join(strings.Split(strings.TrimSpace(string(issuer.PublicKeyPEM("RS256"))), "\n"), "")
	s, err := app.LoadSettings(envOf(map[string]string{
		"CLERK_FRONTEND_API": frontend,
		"CLERK_JWT_KEY":      oneLine,
		"AUTHORIZED_PARTIES": "https://app.example.com",
	}))
	require.NoError(t, err)
	require.True(t, s.Clerk)
	assert.Equal(t, frontend, s.Auth.Issuer)
	assert.Equal(t, "__session", s.Auth.Cookie)
	api, _ := startAPI(t, s, server)

	session := func() *authtest.TokenBuilder {
		return issuer.Token().Claim("iss", frontend).Claim("azp", "https://app.example.com").Claim("sid", "sess_1")
	}
	tests := []struct {
		name   string
		token  string
		cookie bool
		status int
	}{
		{"v1 admin", session().Claim("org_id", "org_1").Claim("org_role", "org:admin").
			Claim("org_permissions", []string{"org:admin:example"}).MustSign(t), false, 200},
		{"v2 admin in the cookie", session().Claim("v", 2).Claim("fea", "o:admin").
			Claim("o", map[string]any{"id": "org_2", "rol": "admin", "per": "example", "fpm": "1"}).MustSign(t), true, 200},
		{"v2 member", session().Claim("v", 2).Claim("fea", "o:admin").
			Claim("o", map[string]any{"id": "org_2", "rol": "member", "per": "example", "fpm": "0"}).MustSign(t), false, 403},
		{"a top-level permissions claim is not Clerk's", session().Permissions("org:admin:example").MustSign(t), false, 403},
		{"no subject", session().Without("sub").MustSign(t), false, 401},
		{"another issuer", session().Claim("iss", issuer.URL()).MustSign(t), false, 401},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			req, err := http.NewRequest(http.MethodGet, api.URL+"/api/org-admin", nil)
			require.NoError(t, err)
			if tt.cookie {
				req.AddCookie(&http.Cookie{Name: "__session", Value: tt.token})
			} else {
				req.Header.Set("Authorization", "Bearer "+tt.token)
			}
			resp, err := api.Client().Do(req)
			require.NoError(t, err)
			resp.Body.Close()
			assert.Equal(t, tt.status, resp.StatusCode)
		})
	}
	assert.Zero(t, issuer.Requests(authtest.JWKSPath)+issuer.Requests(authtest.DiscoveryPath), "networkless")
}

// TestClerkSettingsMistakes: Clerk settings beside Auth0-style ones are
// refused with what to do.
func testClerkSettingsMistakes(t *testing.T, server app.Server) {
	tests := []struct {
		name string
		env  map[string]string
		want string
	}{
		{"issuer and Clerk", map[string]string{"ISSUER_BASE_URL": "https://t.auth0.com/", "AUDIENCE": "a", "CLERK_FRONTEND_API": "https://c.example.com"},
			"set either ISSUER_BASE_URL"},
		{"audience with Clerk", map[string]string{"CLERK_FRONTEND_API": "https://c.example.com", "AUDIENCE": "a"}, "AUDIENCE is not used with Clerk"},
		{"JWKS_URI with Clerk", map[string]string{"CLERK_FRONTEND_API": "https://c.example.com", "JWKS_URI": "https://c.example.com/jwks"}, "JWKS_URI is not used with Clerk"},
		{"secret key for publishable", map[string]string{"CLERK_PUBLISHABLE_KEY": "sk_test_x"}, "starts with pk_test_ or pk_live_"},
		{"JWT key alone", map[string]string{"CLERK_JWT_KEY": "-----BEGIN PUBLIC KEY-----"},
			"Clerk needs CLERK_PUBLISHABLE_KEY (pk_test_... or pk_live_...) or CLERK_FRONTEND_API"},
		{"malformed publishable key", map[string]string{"CLERK_PUBLISHABLE_KEY": "pk_test_!!"}, "the Clerk publishable key is malformed"},
		{"publishable key and another Frontend API", map[string]string{"CLERK_PUBLISHABLE_KEY": "pk_test_" + base64.StdEncoding.EncodeToString([]byte("a.clerk.accounts.dev$")),
			"CLERK_FRONTEND_API": "https://b.clerk.accounts.dev"}, "CLERK_PUBLISHABLE_KEY names https://a.clerk.accounts.dev but CLERK_FRONTEND_API is https://b.clerk.accounts.dev"},
		{"JWT key not PEM", map[string]string{"CLERK_FRONTEND_API": "https://c.example.com", "CLERK_JWT_KEY": "not a key"}, "Clerk CLERK_JWT_KEY:"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := app.LoadSettings(envOf(tt.env))
			assert.ErrorContains(t, err, tt.want)
			// The user set environment variables: no Go field name shows.
			for _, field := range []string{"PublishableKey", "FrontendAPI", "JWTKey", "bearer:"} {
				assert.NotContains(t, err.Error(), field)
			}
		})
	}
}
