//go:build integration

package apptest

import (
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"net/http/httputil"
	"net/url"
	"path/filepath"
	"strings"
	"sync/atomic"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/scopegate/scopegate/authtest"
	"github.com/scopegate/scopegate/examples/internal/app"
)

// opaqueAudience is the resource indicator the provider issues opaque
// access tokens for, which only its introspection endpoint can vouch for.
const opaqueAudience = "https://opaque-api.example.com"

// introspectionClient is the API's own client at the provider, the only
// one it answers "active" to about tokens for opaqueAudience.
const introspectionClient, introspectionSecret = "api", "api-secret"

// integrationOpaqueTokens runs the example, configured through its
// environment with the INTROSPECTION_ variables as a user would, against a
// provider of its own issuing opaque access tokens for opaqueAudience and
// JWTs for apiAudience: the API accepts both, the opaque ones by asking the
// provider's RFC 7662 endpoint, once per token, and the JWTs without asking
// it. Then the provider stops: a token the API has not seen yet gets 503
// with Retry-After, while one it remembers, and a JWT whose key it holds,
// still pass.
//
// The API reaches the endpoint through a reverse proxy that counts the
// calls, so that the test sees which tokens went to introspection.
func integrationOpaqueTokens(t *testing.T, server app.Server, dir string) {
	op := startProvider(t, dir, "--keys", filepath.Join(t.TempDir(), "jwks.json"), "--port", "0")
	doc := op.discovery(t)
	require.NotEmpty(t, doc.IntrospectionEndpoint, "the provider advertises its introspection endpoint")
	endpoint, err := url.Parse(doc.IntrospectionEndpoint)
	require.NoError(t, err)
	counter := newCountingProxy(t, endpoint)

	s, err := app.LoadSettings(envOf(map[string]string{
		"ISSUER_BASE_URL": op.issuer,
		// JWTs name the first, opaque tokens the second: an API moving
		// between formats, or serving both, lists both.
		"AUDIENCE":                    apiAudience + "," + opaqueAudience,
		"INTROSPECTION_URL":           counter.url + endpoint.Path,
		"INTROSPECTION_CLIENT_ID":     introspectionClient,
		"INTROSPECTION_CLIENT_SECRET": introspectionSecret,
	}))
	require.NoError(t, err)
	require.NotNil(t, s.Auth.Introspection, "INTROSPECTION_URL turns introspection on")
	api, auth := startAPI(t, s, server)
	require.NoError(t, auth.Prefetch(t.Context()), "discovery and JWKS of the provider")

	reader := op.token(t, "reader", "read:messages", opaqueAudience)
	assert.Equal(t, "read:messages", reader.Scope)
	noScope := op.token(t, "no-scope", "read:messages", opaqueAudience)
	assert.Empty(t, noScope.Scope, "the provider grants no-scope none of the API's scopes")
	noResource := op.token(t, "reader", "read:messages", "")
	// Taken now, shown to the API only once the provider is down.
	unseen := op.token(t, "reader", "read:messages", opaqueAudience)
	jwt := op.token(t, "reader", "read:messages", apiAudience)
	for _, tok := range []tokenResponse{reader, noScope, noResource, unseen} {
		require.NotEqual(t, 2, strings.Count(tok.AccessToken, "."), "an opaque token, not a compact JWT: %s", tok.AccessToken)
	}
	jwtHeader(t, jwt.AccessToken)

	// What the provider itself answers the API's client: the claims the API
	// works from.
	answer := op.introspect(t, introspectionClient, introspectionSecret, reader.AccessToken)
	t.Logf("the provider's introspection answer: %s", answer)
	var claims struct {
		Active    bool   `json:"active"`
		ClientID  string `json:"client_id"`
		Scope     string `json:"scope"`
		Aud       string `json:"aud"`
		Iss       string `json:"iss"`
		TokenType string `json:"token_type"`
		Exp       int64  `json:"exp"`
		Iat       int64  `json:"iat"`
		Sub       string `json:"sub"`
	}
	require.NoError(t, json.Unmarshal(answer, &claims))
	assert.True(t, claims.Active)
	assert.Equal(t, "reader", claims.ClientID)
	assert.Equal(t, "read:messages", claims.Scope)
	assert.Equal(t, opaqueAudience, claims.Aud)
	assert.Equal(t, op.issuer, claims.Iss)
	assert.Equal(t, "Bearer", claims.TokenType)
	assert.Equal(t, int64(600), claims.Exp-claims.Iat)
	assert.Empty(t, claims.Sub, "a client credentials token has no subject of its own")
	assert.JSONEq(t, `{"active":false}`, string(op.introspect(t, "reader", "reader-secret", reader.AccessToken)),
		"only the API's client learns about the token")
	require.Zero(t, counter.calls(), "asking the provider directly bypasses the API's proxy")

	tests := []struct {
		name        string
		path        string
		token       string
		status      int
		errorCode   string
		description string
	}{
		{"opaque, private route", "/api/private", reader.AccessToken, 200, "", ""},
		{"opaque, scoped route", "/api/private-scoped", reader.AccessToken, 200, "", ""},
		{"opaque, machine route", "/api/machine", reader.AccessToken, 200, "", ""},
		{"opaque without the scope, private route", "/api/private", noScope.AccessToken, 200, "", ""},
		{"opaque without the scope, scoped route", "/api/private-scoped", noScope.AccessToken, 403,
			"insufficient_scope", "token lacks the required scope"},
		{"opaque without the scope, machine route", "/api/machine", noScope.AccessToken, 200, "", ""},
		{"opaque, requested without a resource", "/api/private", noResource.AccessToken, 401,
			"invalid_token", "token is not active"},
		{"garbage", "/api/private", "not-a-token-the-provider-issued", 401,
			"invalid_token", "token is not active"},
		{"garbage again", "/api/private-scoped", "not-a-token-the-provider-issued", 401,
			"invalid_token", "token is not active"},
	}
	// The distinct opaque tokens the API has been shown, each of which it
	// asks about once: counted here so that -run can pick subtests.
	shown := map[string]bool{}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			shown[tt.token] = true
			got := callAPI(t, api, tt.path, tt.token)
			require.Equal(t, tt.status, got.status, got.body.Description)
			if tt.status == http.StatusOK {
				return
			}
			assert.Equal(t, tt.errorCode, got.body.Error)
			assert.Equal(t, tt.description, got.body.Description)
			assert.Contains(t, got.challenge, `error="`+tt.errorCode+`"`)
			if tt.status == http.StatusForbidden {
				assert.Contains(t, got.challenge, `scope="read:messages"`)
			}
		})
	}
	assert.EqualValues(t, len(shown), counter.calls(),
		"one introspection per distinct opaque token, answers remembered")

	t.Run("claims as the API sees them", func(t *testing.T) {
		got := callAPI(t, api, "/api/me", reader.AccessToken)
		require.Equal(t, 200, got.status, got.body.Description)
		var me struct {
			IsAuthenticated bool     `json:"isAuthenticated"`
			TokenType       string   `json:"tokenType"`
			MachineID       string   `json:"machineId"`
			ClientID        string   `json:"clientId"`
			Scopes          []string `json:"scopes"`
		}
		require.NoError(t, json.Unmarshal(got.raw, &me))
		assert.True(t, me.IsAuthenticated)
		// The answer has a client_id and no sub: a machine's token.
		assert.Equal(t, "m2m_token", me.TokenType)
		assert.Equal(t, "reader", me.MachineID)
		assert.Equal(t, "reader", me.ClientID)
		assert.Equal(t, []string{"read:messages"}, me.Scopes)
		assert.NotContains(t, string(got.raw), `"userId"`)
		t.Logf("/api/me: %s", got.raw)
	})

	t.Run("JWTs never go to introspection", func(t *testing.T) {
		before := counter.calls()
		got := callAPI(t, api, "/api/private-scoped", jwt.AccessToken)
		assert.Equal(t, 200, got.status, got.body.Description)
		got = callAPI(t, api, "/api/private-scoped", authtest.TamperSignature(jwt.AccessToken))
		assert.Equal(t, 401, got.status)
		assert.Equal(t, "token signature is invalid", got.body.Description)
		got = callAPI(t, api, "/api/private", "not.a.jwt")
		assert.Equal(t, 401, got.status)
		assert.Equal(t, "invalid_token", got.body.Error)
		assert.Equal(t, before, counter.calls())
	})
	require.False(t, t.Failed(), "opaque tokens must work before the provider stops")

	// The API remembers the reader's token, whichever subtests ran.
	require.Equal(t, 200, callAPI(t, api, "/api/private-scoped", reader.AccessToken).status)
	op.stop(t)
	t.Run("provider down", func(t *testing.T) {
		before := counter.calls()
		got := callAPI(t, api, "/api/private", unseen.AccessToken)
		assert.Equal(t, http.StatusServiceUnavailable, got.status, "a token that may be valid is never a 401: %s", got.body.Description)
		assert.Equal(t, "temporarily_unavailable", got.body.Error)
		assert.NotEmpty(t, got.retryAfter, "503 with Retry-After")
		assert.Equal(t, before+1, counter.calls(), "the unseen token was asked about")

		got = callAPI(t, api, "/api/private-scoped", reader.AccessToken)
		assert.Equal(t, 200, got.status, "a remembered answer needs no endpoint: %s", got.body.Description)
		got = callAPI(t, api, "/api/private-scoped", jwt.AccessToken)
		assert.Equal(t, 200, got.status, "a JWT with a known key needs no provider: %s", got.body.Description)
		assert.Equal(t, before+1, counter.calls())

		// An outage is not remembered: the unseen token is asked about again.
		got = callAPI(t, api, "/api/private", unseen.AccessToken)
		assert.Equal(t, http.StatusServiceUnavailable, got.status)
		assert.Equal(t, before+2, counter.calls())
	})
}

// countingProxy forwards requests for the introspection endpoint to the
// provider and counts them. When the provider is down it drops the
// connection, so that the API sees what a direct call would: no answer.
type countingProxy struct {
	url string
	n   atomic.Int64
}

func newCountingProxy(t *testing.T, endpoint *url.URL) *countingProxy {
	t.Helper()
	p := &countingProxy{}
	upstream := &url.URL{Scheme: endpoint.Scheme, Host: endpoint.Host}
	rp := &httputil.ReverseProxy{
		Rewrite: func(r *httputil.ProxyRequest) {
			r.SetURL(upstream)
			r.Out.Host = upstream.Host
		},
		ErrorHandler: func(http.ResponseWriter, *http.Request, error) {
			panic(http.ErrAbortHandler)
		},
	}
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path != endpoint.Path {
			http.NotFound(w, r)
			return
		}
		p.n.Add(1)
		rp.ServeHTTP(w, r)
	}))
	t.Cleanup(srv.Close)
	p.url = srv.URL
	return p
}

// calls is how many introspection requests reached the proxy.
func (p *countingProxy) calls() int64 { return p.n.Load() }

// introspect asks the provider's introspection endpoint about token as
// client (client_secret_basic) and returns its 200 answer.
func (op *provider) introspect(t *testing.T, client, secret, token string) json.RawMessage {
	t.Helper()
	form := url.Values{"token": {token}, "token_type_hint": {"access_token"}}
	req, err := http.NewRequestWithContext(t.Context(), http.MethodPost, op.discovery(t).IntrospectionEndpoint, strings.NewReader(form.Encode()))
	require.NoError(t, err)
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.SetBasicAuth(url.QueryEscape(client), url.QueryEscape(secret))
	var answer json.RawMessage
	getJSON(t, req, &answer)
	return answer
}
