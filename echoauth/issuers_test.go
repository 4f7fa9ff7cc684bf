package echoauth_test

import (
	"net/http"
	"net/http/httptest"
	"testing"

	"github.com/labstack/echo/v4"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/scopegate/scopegate/authtest"
	"github.com/scopegate/scopegate/bearer"
	"github.com/scopegate/scopegate/echoauth"
	"github.com/scopegate/scopegate/jwks"
)

// TestSeveralIssuers trusts two issuers, each with its own audience and
// keys. The token's iss picks the issuer before any key is fetched, so a
// token from an unknown issuer costs no network at all.
func TestSeveralIssuers(t *testing.T) {
	auth0 := authtest.NewIssuer(t, authtest.WithTrailingSlash(), authtest.WithAudience("https://api.example.com"))
	clerk := authtest.NewIssuer(t, authtest.WithAudience("https://clerk-api.example.com"))
	stranger := authtest.NewIssuer(t, authtest.WithAudience("https://api.example.com"))

	auth, err := echoauth.New(echoauth.Config{
		Issuer:   auth0.URL(),
		Audience: []string{"https://api.example.com"},
		Issuers: []bearer.IssuerConfig{
			{Issuer: clerk.URL(), Audience: []string{"https://clerk-api.example.com"}},
		},
	})
	require.NoError(t, err)
	e := echo.New()
	e.GET("/private", func(c echo.Context) error { return c.NoContent(http.StatusOK) }, auth.CheckJWT())

	tests := []struct {
		name        string
		token       string
		status      int
		description string
	}{
		{"first issuer", auth0.Token().MustSign(t), 200, ""},
		{"second issuer", clerk.Token().MustSign(t), 200, ""},
		{"second issuer with the first one's audience", clerk.Token().Audience("https://api.example.com").MustSign(t), 401, "token audience is not accepted"},
		{"second issuer's claims signed with the first one's key", clerk.Token().SignWith("RS256", auth0.Signer("RS256"), auth0.KeyID("RS256")).MustSign(t), 401, "token signing key is unknown"},
		{"unknown issuer", stranger.Token().MustSign(t), 401, "token issuer is not trusted"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			req := httptest.NewRequest(http.MethodGet, "/private", nil)
			req.Header.Set("Authorization", "Bearer "+tt.token)
			rec := serveEcho(e, req)
			require.Equal(t, tt.status, rec.Code, rec.Body.String())
			if tt.description != "" {
				assert.Contains(t, rec.Header().Get("WWW-Authenticate"), `error_description="`+tt.description+`"`)
			}
		})
	}
	assert.Zero(t, stranger.Requests(authtest.DiscoveryPath)+stranger.Requests(authtest.JWKSPath), "an unknown issuer is never contacted")
	assert.EqualValues(t, 1, auth0.Requests(authtest.JWKSPath))
	assert.EqualValues(t, 2, clerk.Requests(authtest.JWKSPath), "one fetch, then one refetch for the kid it does not know")
}

// TestPrefetchEveryIssuer fetches every issuer's keys, all at once: one
// issuer that is down neither spares the others nor hides its failure, and
// the failures of several are all reported.
func TestPrefetchEveryIssuer(t *testing.T) {
	down := func(iss *authtest.Issuer) {
		iss.SetHandler(authtest.JWKSPath, http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
			http.Error(w, "down", http.StatusInternalServerError)
		}))
	}
	tests := []struct {
		name     string
		down     []int // indexes of the issuers whose JWKS fails
		failures int
	}{
		{"all up", nil, 0},
		{"first down", []int{0}, 1},
		{"two of three down", []int{0, 2}, 2},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			issuers := make([]*authtest.Issuer, 3)
			configs := make([]bearer.IssuerConfig, 3)
			for i := range issuers {
				issuers[i] = authtest.NewIssuer(t)
				configs[i] = bearer.IssuerConfig{Issuer: issuers[i].URL(), Audience: []string{issuers[i].Audience()}}
			}
			for _, i := range tt.down {
				down(issuers[i])
			}
			auth, err := echoauth.New(echoauth.Config{Issuers: configs})
			require.NoError(t, err)

			err = auth.Prefetch(t.Context())
			if tt.failures == 0 {
				require.NoError(t, err)
			} else {
				require.Error(t, err)
				var joined interface{ Unwrap() []error }
				require.ErrorAs(t, err, &joined)
				failed := 0
				for _, e := range joined.Unwrap() {
					if e != nil {
						failed++
					}
				}
				assert.Equal(t, tt.failures, failed)
			}
			for i, iss := range issuers {
				assert.EqualValues(t, 1, iss.Requests(authtest.JWKSPath), "issuer %d fetched once", i)
			}
		})
	}
}

// TestOwnRemoteKeySet: a remote key set the application builds itself, for
// settings Config does not carry, is prefetched and listed like the others.
func TestOwnRemoteKeySet(t *testing.T) {
	issuer := authtest.NewIssuer(t)
	remote, err := jwks.NewRemote(jwks.RemoteConfig{Issuer: issuer.URL(), MaxResponseBytes: 64 << 10})
	require.NoError(t, err)
	auth, err := echoauth.New(echoauth.Config{Issuer: issuer.URL(), Audience: []string{issuer.Audience()}, Keys: remote})
	require.NoError(t, err)
	require.Len(t, auth.KeySets(), 1)
	assert.Same(t, remote, auth.KeySets()[0])
	require.NoError(t, auth.Prefetch(t.Context()))
	assert.EqualValues(t, 1, issuer.Requests(authtest.JWKSPath))
	assert.EqualValues(t, 1, remote.Stats().Fetches)
}
