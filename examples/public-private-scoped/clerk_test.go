package main

import (
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/scopegate/scopegate/echoauth"
	"github.com/scopegate/scopegate/echoauth/authtest"
)

// TestClerkStyleSessions configures the example as a Clerk backend through
// its environment (session cookie, authorized parties) and checks that
// /api/org-admin accepts Clerk version 1 and version 2 organization admins and
// Auth0 permissions alike, and that /api/me shows the organization.
func TestClerkStyleSessions(t *testing.T) {
	issuer := authtest.NewIssuer(t)
	s, err := loadSettings(envOf(map[string]string{
		"ISSUER_BASE_URL":    issuer.URL(),
		"AUDIENCE":           issuer.Audience(),
		"SESSION_COOKIE":     "__session",
		"AUTHORIZED_PARTIES": "https://app.example.com, https://admin.example.com",
	}))
	require.NoError(t, err)
	assert.Equal(t, []string{"https://app.example.com", "https://admin.example.com"}, s.auth.AuthorizedParties)
	auth, err := echoauth.New(s.auth)
	require.NoError(t, err)
	api := httptest.NewServer(newServer(auth))
	t.Cleanup(api.Close)

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
