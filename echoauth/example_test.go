package echoauth_test

import (
	"fmt"
	"log"
	"net/http"
	"net/http/httptest"
	"strings"

	"github.com/labstack/echo/v4"

	"github.com/scopegate/scopegate/authtest"
	"github.com/scopegate/scopegate/echoauth"
	"github.com/scopegate/scopegate/jwks"
	"github.com/scopegate/scopegate/scopes"
)

// The routes of the Auth0 API quickstarts, protected by scopegate. The
// issuer here is a loopback one from package authtest; in production it is
// your Auth0 tenant or any OpenID Connect issuer.
func Example() {
	issuer, err := authtest.Start()
	if err != nil {
		log.Fatal(err)
	}
	defer issuer.Close()

	auth, err := echoauth.New(echoauth.Config{
		Issuer:   issuer.URL(),
		Audience: []string{"https://api.example.com"},
	})
	if err != nil {
		log.Fatal(err)
	}
	e := echo.New()
	ok := func(c echo.Context) error { return c.String(http.StatusOK, "ok") }
	e.GET("/api/public", ok)
	e.GET("/api/private", ok, auth.CheckJWT())
	e.GET("/api/private-scoped", ok, auth.CheckJWT(), echoauth.RequireScopes("read:messages"))

	call := func(path, token string) {
		req := httptest.NewRequest(http.MethodGet, path, nil)
		if token != "" {
			req.Header.Set("Authorization", "Bearer "+token)
		}
		rec := httptest.NewRecorder()
		e.ServeHTTP(rec, req)
		fmt.Println(strings.TrimSpace(fmt.Sprint(path, " ", rec.Code, " ", rec.Header().Get("WWW-Authenticate"))))
	}
	call("/api/public", "")
	call("/api/private", "")
	call("/api/private", issuer.Token().String())
	call("/api/private-scoped", issuer.Token().String())
	call("/api/private-scoped", issuer.Token().Scope("read:messages").String())
	// Output:
	// /api/public 200
	// /api/private 401 Bearer realm="api", DPoP realm="api", algs="RS256 RS384 RS512 PS256 PS384 PS512 ES256 ES384 ES512 EdDSA"
	// /api/private 200
	// /api/private-scoped 403 Bearer realm="api", error="insufficient_scope", error_description="token lacks the required scope", scope="read:messages", DPoP realm="api", algs="RS256 RS384 RS512 PS256 PS384 PS512 ES256 ES384 ES512 EdDSA"
	// /api/private-scoped 200
}

// A lax group: every handler sees the auth object, signed in or not, and
// decides for itself; Auth.Has answers authorization questions in code.
func ExampleAuthenticator_WithAuth() {
	issuer, err := authtest.Start()
	if err != nil {
		log.Fatal(err)
	}
	defer issuer.Close()
	auth, err := echoauth.New(echoauth.Config{Issuer: issuer.URL(), Audience: []string{issuer.Audience()}})
	if err != nil {
		log.Fatal(err)
	}
	e := echo.New()
	api := e.Group("/api", auth.WithAuth())
	api.GET("/greeting", func(c echo.Context) error {
		a := echoauth.GetAuth(c)
		switch {
		case a.Has(scopes.Permission("org:admin:example")):
			return c.String(http.StatusOK, "hello, admin "+a.UserID)
		case a.IsAuthenticated:
			return c.String(http.StatusOK, "hello, "+a.UserID)
		}
		return c.String(http.StatusOK, "hello, stranger")
	})
	for _, token := range []string{"", issuer.Token().String(), issuer.Token().Permissions("org:admin:example").String(), "garbage"} {
		req := httptest.NewRequest(http.MethodGet, "/api/greeting", nil)
		if token != "" {
			req.Header.Set("Authorization", "Bearer "+token)
		}
		rec := httptest.NewRecorder()
		e.ServeHTTP(rec, req)
		fmt.Println(rec.Body.String())
	}
	// Output:
	// hello, stranger
	// hello, user_123
	// hello, admin user_123
	// hello, stranger
}

// Networkless verification with a PEM public key, as with Clerk's JWT public
// key: no discovery and no JWKS fetch ever happen.
func ExampleConfig_staticKey() {
	issuer, err := authtest.Start()
	if err != nil {
		log.Fatal(err)
	}
	defer issuer.Close()

	key, err := jwks.ParsePEM(issuer.PublicKeyPEM("RS256"), "", "RS256")
	if err != nil {
		log.Fatal(err)
	}
	keys, err := jwks.NewStatic(key)
	if err != nil {
		log.Fatal(err)
	}
	auth, err := echoauth.New(echoauth.Config{Issuer: issuer.URL(), Audience: []string{issuer.Audience()}, Keys: keys})
	if err != nil {
		log.Fatal(err)
	}
	e := echo.New()
	e.GET("/api/private", func(c echo.Context) error { return c.NoContent(http.StatusNoContent) }, auth.CheckJWT())
	req := httptest.NewRequest(http.MethodGet, "/api/private", nil)
	req.Header.Set("Authorization", "Bearer "+issuer.Token().String())
	rec := httptest.NewRecorder()
	e.ServeHTTP(rec, req)
	fmt.Println(rec.Code, "JWKS requests:", issuer.Requests(authtest.JWKSPath))
	// Output: 204 JWKS requests: 0
}
