package echoauth_test

import (
	"net/http"
	"net/http/httptest"
	"strconv"
	"testing"
	"time"

	"github.com/labstack/echo/v4"

	"github.com/scopegate/scopegate/authtest"
	"github.com/scopegate/scopegate/bearer"
	"github.com/scopegate/scopegate/echoauth"
	"github.com/scopegate/scopegate/jwks"
)

// benchApp is an Echo app with a scoped route behind CheckJWT, verifying
// with a static key so that no network is in the loop.
func benchApp(b *testing.B, cacheEntries int) (*echo.Echo, *authtest.Issuer) {
	b.Helper()
	issuer := authtest.NewIssuer(b)
	key, err := jwks.ParsePEM(issuer.PublicKeyPEM("RS256"), issuer.KeyID("RS256"), "RS256")
	if err != nil {
		b.Fatal(err)
	}
	keys, err := jwks.NewStatic(key)
	if err != nil {
		b.Fatal(err)
	}
	auth, err := echoauth.New(echoauth.Config{Issuer: issuer.URL(), Audience: []string{issuer.Audience()}, Keys: keys,
		TokenCache: bearer.TokenCacheConfig{MaxEntries: max(cacheEntries, 0), Off: cacheEntries < 0}})
	if err != nil {
		b.Fatal(err)
	}
	e := echo.New()
	e.GET("/api/private-scoped", func(c echo.Context) error { return c.NoContent(http.StatusNoContent) },
		auth.CheckJWT(), echoauth.RequireScopes("read:messages"))
	return e, issuer
}

// BenchmarkCheckJWT measures a whole Echo request through CheckJWT and
// RequireScopes: a client repeating its token, and clients each presenting a
// token for the first time.
func BenchmarkCheckJWT(b *testing.B) {
	run := func(b *testing.B, e *echo.Echo, tokens []string) {
		reqs := make([]*http.Request, len(tokens))
		for i, tok := range tokens {
			reqs[i] = httptest.NewRequest(http.MethodGet, "/api/private-scoped", nil)
			reqs[i].Header.Set("Authorization", "Bearer "+tok)
		}
		rec := httptest.NewRecorder()
		b.ReportAllocs()
		b.ResetTimer()
		for i := 0; i < b.N; i++ {
			e.ServeHTTP(rec, reqs[i%len(reqs)])
			if rec.Code != http.StatusNoContent {
				b.Fatalf("status %d", rec.Code)
			}
		}
	}
	b.Run("repeated", func(b *testing.B) {
		e, issuer := benchApp(b, 0)
		run(b, e, []string{issuer.Token().Scope("read:messages").MustSign(b)})
	})
	b.Run("first-sight", func(b *testing.B) {
		// With the cache off every request is a token seen for the first
		// time: the cost of the full verification.
		e, issuer := benchApp(b, -1)
		tokens := make([]string, 64)
		for i := range tokens {
			tokens[i] = issuer.Token().Scope("read:messages").Subject("user_" + strconv.Itoa(i)).MustSign(b)
		}
		run(b, e, tokens)
	})
}

// BenchmarkRejected measures what refusing costs, per request: junk, an
// expired token (refused before its signature is checked), and forged tokens
// naming an unknown kid, which after one shared refetch per cooldown are
// refused from the cached key set. Allocations stay constant per request and
// nothing is retained, so a flood of distinct junk cannot grow memory.
func BenchmarkRejected(b *testing.B) {
	issuer := authtest.NewIssuer(b)
	auth, err := echoauth.New(echoauth.Config{Issuer: issuer.URL(), Audience: []string{issuer.Audience()}})
	if err != nil {
		b.Fatal(err)
	}
	e := echo.New()
	e.GET("/api/private", func(c echo.Context) error { return c.NoContent(http.StatusNoContent) }, auth.CheckJWT())
	foreign, err := authtest.NewRSAKey(2048)
	if err != nil {
		b.Fatal(err)
	}
	unknownKid := make([]string, 64)
	for i := range unknownKid {
		unknownKid[i] = issuer.Token().SignWith("RS256", foreign, "junk-"+strconv.Itoa(i)).MustSign(b)
	}
	expired := make([]string, 64)
	for i := range expired {
		expired[i] = issuer.Token().Subject("user_" + strconv.Itoa(i)).ExpiresIn(-time.Hour).MustSign(b)
	}
	junk := make([]string, 64)
	for i := range junk {
		junk[i] = "junk." + strconv.Itoa(i) + ".token"
	}
	for _, tc := range []struct {
		name   string
		tokens []string
	}{{"junk", junk}, {"expired", expired}, {"unknown-kid", unknownKid}} {
		b.Run(tc.name, func(b *testing.B) {
			reqs := make([]*http.Request, len(tc.tokens))
			for i, tok := range tc.tokens {
				reqs[i] = httptest.NewRequest(http.MethodGet, "/api/private", nil)
				reqs[i].Header.Set("Authorization", "Bearer "+tok)
			}
			rec := httptest.NewRecorder()
			b.ReportAllocs()
			b.ResetTimer()
			for i := 0; i < b.N; i++ {
				e.ServeHTTP(rec, reqs[i%len(reqs)])
				if rec.Code != http.StatusUnauthorized {
					b.Fatalf("status %d", rec.Code)
				}
			}
		})
	}
	b.StopTimer()
	b.ReportMetric(float64(issuer.Requests(authtest.JWKSPath)), "jwks-fetches")
}
