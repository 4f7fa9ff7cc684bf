package echoauth_test

import (
	"encoding/base64"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/labstack/echo/v4"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/scopegate/scopegate/authtest"
	"github.com/scopegate/scopegate/bearer"
	"github.com/scopegate/scopegate/echoauth"
	"github.com/scopegate/scopegate/scopes"
)

// TestAuth0Preset normalises the tenant domain into Auth0's exact issuer.
func TestAuth0Preset(t *testing.T) {
	for _, domain := range []string{"tenant.us.auth0.com", "https://tenant.us.auth0.com", "https://tenant.us.auth0.com/", " tenant.us.auth0.com/ "} {
		cfg := bearer.Auth0(domain, "https://api.example.com")
		assert.Equal(t, "https://tenant.us.auth0.com/", cfg.Issuer, domain)
		assert.Equal(t, []string{"https://api.example.com"}, cfg.Audience)
		_, err := echoauth.New(cfg)
		assert.NoError(t, err)
	}
	_, err := echoauth.New(bearer.Auth0("tenant.us.auth0.com"))
	assert.ErrorContains(t, err, "needs an Audience")
}

// TestClerkPresetConfiguration derives the issuer from a publishable key or
// the Frontend API URL and refuses what cannot work.
func TestClerkPresetConfiguration(t *testing.T) {
	pk := "pk_test_" + base64.StdEncoding.EncodeToString([]byte("crisp-owl-12.clerk.accounts.dev$"))
	tests := []struct {
		name    string
		opts    bearer.ClerkOptions
		issuer  string
		jwks    string
		cookie  string
		wantErr string
	}{
		{"publishable key", bearer.ClerkOptions{PublishableKey: pk}, "https://crisp-owl-12.clerk.accounts.dev",
			"https://crisp-owl-12.clerk.accounts.dev/.well-known/jwks.json", "__session", ""},
		{"frontend API", bearer.ClerkOptions{FrontendAPI: "https://clerk.example.com/"}, "https://clerk.example.com",
			"https://clerk.example.com/.well-known/jwks.json", "__session", ""},
		{"frontend API without scheme", bearer.ClerkOptions{FrontendAPI: "clerk.example.com", Cookie: "__session_x"}, "https://clerk.example.com",
			"https://clerk.example.com/.well-known/jwks.json", "__session_x", ""},
		{"header only", bearer.ClerkOptions{FrontendAPI: "clerk.example.com", NoCookie: true}, "https://clerk.example.com",
			"https://clerk.example.com/.well-known/jwks.json", "", ""},
		{"nothing", bearer.ClerkOptions{}, "", "", "", "needs PublishableKey"},
		{"secret key given as publishable", bearer.ClerkOptions{PublishableKey: "sk_test_abc"}, "", "", "", "starts with pk_test_ or pk_live_"},
		{"garbled publishable key", bearer.ClerkOptions{PublishableKey: "pk_live_%%%"}, "", "", "", "malformed"},
		{"key and URL disagree", bearer.ClerkOptions{PublishableKey: pk, FrontendAPI: "https://other.example.com"}, "", "", "", "set one of them"},
		{"JWT key not PEM", bearer.ClerkOptions{FrontendAPI: "clerk.example.com", JWTKey: "not a key"}, "", "", "", "no PEM block"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			cfg, err := bearer.Clerk(tt.opts)
			if tt.wantErr != "" {
				assert.ErrorContains(t, err, tt.wantErr)
				return
			}
			require.NoError(t, err)
			assert.Equal(t, tt.issuer, cfg.Issuer)
			assert.Equal(t, tt.jwks, cfg.JWKSURL)
			assert.Equal(t, tt.cookie, cfg.Cookie)
			assert.True(t, cfg.SkipAudienceCheck)
			_, err = echoauth.New(cfg)
			assert.NoError(t, err)
		})
	}
}

// TestClerkPresetNetworkless verifies Clerk-shaped session tokens with the
// PEM public key alone: no audience, the azp allow-list, the __session
// cookie, RS256/384/512 only, and not a single request for keys.
func TestClerkPresetNetworkless(t *testing.T) {
	issuer := authtest.NewIssuer(t, authtest.WithAudience(""))
	cfg, err := bearer.Clerk(bearer.ClerkOptions{
		FrontendAPI:       issuer.URL(),
		JWTKey:            string(issuer.PublicKeyPEM("RS256")),
		AuthorizedParties: []string{"https://app.example.com"},
	})
	require.NoError(t, err)
	cfg.Issuer = issuer.URL() // the loopback issuer speaks http; Clerk's Frontend API is https
	auth, err := echoauth.New(cfg)
	require.NoError(t, err)
	e := echo.New()
	e.GET("/admin", func(c echo.Context) error { return c.NoContent(http.StatusOK) },
		auth.CheckJWT(), echoauth.Has(scopes.Permission("org:admin:example")))

	session := func() *authtest.TokenBuilder {
		return issuer.Token().Claim("azp", "https://app.example.com").Claim("sid", "sess_1").
			Claim("v", 2).Claim("o", map[string]any{"id": "org_1", "rol": "admin", "per": "example", "fpm": "1"}).
			Claim("fea", "o:admin")
	}
	tests := []struct {
		name   string
		token  string
		cookie bool
		status int
	}{
		{"header", session().MustSign(t), false, 200},
		{"cookie", session().MustSign(t), true, 200},
		{"RS512 with the same key", session().Algorithm("RS512").MustSign(t), false, 200},
		{"PS256 is not Clerk's", session().Algorithm("PS256").MustSign(t), false, 401},
		{"ES256 is not Clerk's", session().Algorithm("ES256").MustSign(t), false, 401},
		{"other azp", session().Claim("azp", "https://evil.example.com").MustSign(t), false, 401},
		{"no azp", session().Without("azp").MustSign(t), false, 401},
		{"valid, not an org admin", session().Claim("o", map[string]any{"id": "org_1", "rol": "member", "per": "example", "fpm": "0"}).MustSign(t), false, 403},
		// Clerk's SDKs refuse a session token without a subject, and any
		// typ but JWT.
		{"no sub", session().Without("sub").MustSign(t), false, 401},
		{"empty sub", session().Subject("").MustSign(t), false, 401},
		{"typ JWT", session().Header("typ", "JWT").MustSign(t), false, 200},
		{"no typ", session().WithoutHeader("typ").MustSign(t), false, 200},
		{"typ at+jwt", session().Header("typ", "at+jwt").MustSign(t), false, 401},
		// has({ permission }) reads the organization's permissions only: a
		// top-level permissions claim (Auth0's RBAC) grants nothing here.
		{"top-level permissions, not an org admin", session().
			Claim("o", map[string]any{"id": "org_1", "rol": "member", "per": "example", "fpm": "0"}).
			Permissions("org:admin:example").MustSign(t), false, 403},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			req := httptest.NewRequest(http.MethodGet, "/admin", nil)
			if tt.cookie {
				req.AddCookie(&http.Cookie{Name: "__session", Value: tt.token})
			} else {
				req.Header.Set("Authorization", "Bearer "+tt.token)
			}
			rec := serveEcho(e, req)
			assert.Equal(t, tt.status, rec.Code, rec.Header().Get("WWW-Authenticate"))
		})
	}
	assert.Zero(t, issuer.Requests(authtest.JWKSPath)+issuer.Requests(authtest.DiscoveryPath), "networkless")
}

// TestClerkPresetJWTKeyOnOneLine reads CLERK_JWT_KEY as environment files
// hold it: on one line, its line breaks lost or written as \n.
func TestClerkPresetJWTKeyOnOneLine(t *testing.T) {
	issuer := authtest.NewIssuer(t, authtest.WithAudience(""))
	lines := strings.Split(strings.TrimSpace(string(issuer.PublicKeyPEM("RS256"))), "\n")
	for name, key := range map[string]string{
		"line breaks lost":   strings.Join(lines, ""),
		"line breaks as \\n": strings.Join(lines, `\n`),
		"spaces for breaks":  strings.Join(lines, " "),
	} {
		t.Run(name, func(t *testing.T) {
			cfg, err := bearer.Clerk(bearer.ClerkOptions{FrontendAPI: issuer.URL(), JWTKey: key})
			require.NoError(t, err)
			cfg.Issuer = issuer.URL()
			auth, err := echoauth.New(cfg)
			require.NoError(t, err)
			e := echo.New()
			e.GET("/me", func(c echo.Context) error { return c.NoContent(http.StatusOK) }, auth.CheckJWT())
			req := httptest.NewRequest(http.MethodGet, "/me", nil)
			req.Header.Set("Authorization", "Bearer "+issuer.Token().Claim("sid", "sess_1").MustSign(t))
			assert.Equal(t, http.StatusOK, serveEcho(e, req).Code)
		})
	}
}
