package bearer_test

import (
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/scopegate/scopegate/authtest"
	"github.com/scopegate/scopegate/bearer"
	"github.com/scopegate/scopegate/introspect"
)

// introspectionServer is an RFC 7662 endpoint on loopback that knows a few
// opaque tokens and counts the calls for each.
type introspectionServer struct {
	*httptest.Server
	mu    sync.Mutex
	calls map[string]int
	down  bool
}

func newIntrospectionServer(t *testing.T, issuer string, now time.Time, extra ...map[string]map[string]any) *introspectionServer {
	s := &introspectionServer{calls: map[string]int{}}
	exp := now.Add(time.Hour).Unix()
	answers := map[string]map[string]any{
		"user-opaque":    {"active": true, "iss": issuer, "sub": "user-1", "client_id": "app", "scope": "read:messages", "exp": exp, "aud": "api"},
		"service-opaque": {"active": true, "iss": issuer, "client_id": "svc", "scope": "read:messages", "exp": exp, "aud": "api"},
		"other-api":      {"active": true, "iss": issuer, "sub": "user-1", "exp": exp, "aud": "another-api"},
	}
	for _, more := range extra {
		for tok, answer := range more {
			answer["exp"] = exp
			answers[tok] = answer
		}
	}
	s.Server = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		tok := r.PostFormValue("token")
		s.mu.Lock()
		s.calls[tok]++
		down := s.down
		s.mu.Unlock()
		if id, secret, _ := r.BasicAuth(); id != "api-client" || secret != "api-secret" {
			w.WriteHeader(http.StatusUnauthorized)
			return
		}
		if down {
			w.Header().Set("Retry-After", "7")
			w.WriteHeader(http.StatusServiceUnavailable)
			return
		}
		answer, ok := answers[tok]
		if !ok {
			answer = map[string]any{"active": false}
		}
		w.Header().Set("Content-Type", "application/json")
		_ = json.NewEncoder(w).Encode(answer)
	}))
	t.Cleanup(s.Close)
	return s
}

func (s *introspectionServer) callsFor(tok string) int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.calls[tok]
}

func (s *introspectionServer) total() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	n := 0
	for _, c := range s.calls {
		n += c
	}
	return n
}

// TestOpaqueTokens accepts opaque tokens by introspection, typed and
// checked like JWTs, and never sends a JWT there.
func TestOpaqueTokens(t *testing.T) {
	issuer := authtest.NewIssuer(t)
	clock := authtest.NewClock(time.Now())
	endpoint := newIntrospectionServer(t, issuer.URL(), clock.Now())
	auth, err := bearer.New(bearer.Config{Issuer: issuer.URL(), Audience: []string{issuer.Audience()}, Now: clock.Now,
		Introspection: &introspect.Config{Endpoint: endpoint.URL, ClientID: "api-client", ClientSecret: "api-secret",
			Issuer: issuer.URL(), Audiences: []string{"api"}, Now: clock.Now}})
	require.NoError(t, err)
	routes := map[string]*bearer.Route{
		"default": auth.Route(),
		"users":   auth.Route(bearer.AcceptsToken(bearer.OAuthToken)),
		"machine": auth.Route(bearer.AcceptsToken(bearer.M2MToken)),
	}
	ask := func(route, tok string) (*bearer.Auth, *bearer.Answer) {
		r := httptest.NewRequest(http.MethodGet, "/", nil)
		r.Header.Set("Authorization", "Bearer "+tok)
		r, answer := routes[route].Require(r)
		return bearer.FromContext(r.Context()), answer
	}

	t.Run("a user's opaque token", func(t *testing.T) {
		got, answer := ask("default", "user-opaque")
		assert.Nil(t, answer)
		assert.Equal(t, bearer.OAuthToken, got.TokenType)
		assert.Equal(t, "user-1", got.UserID)
		assert.Equal(t, "app", got.ClientID)
		assert.Equal(t, []string{"read:messages"}, got.Scopes())
		_, answer = ask("machine", "user-opaque")
		if assert.NotNil(t, answer) {
			assert.Contains(t, answer.Challenge(), `error_description="route does not accept OAuth access tokens"`)
		}
		assert.Equal(t, 1, endpoint.callsFor("user-opaque"), "one call, however many requests")
		stats := auth.IntrospectionStats()
		assert.Equal(t, uint64(1), stats.Calls)
		assert.Equal(t, uint64(1), stats.CacheHits)
	})
	t.Run("a service's opaque token", func(t *testing.T) {
		got, answer := ask("machine", "service-opaque")
		assert.Nil(t, answer)
		assert.Equal(t, bearer.M2MToken, got.TokenType)
		assert.Equal(t, "svc", got.MachineID)
		assert.Empty(t, got.UserID)
		_, answer = ask("users", "service-opaque")
		if assert.NotNil(t, answer) {
			assert.Contains(t, answer.Challenge(), `error_description="route does not accept machine tokens"`)
		}
	})
	t.Run("a route for API keys only makes no call", func(t *testing.T) {
		routes["keys"] = auth.Route(bearer.AcceptsToken(bearer.APIKey))
		before := endpoint.total()
		_, answer := ask("keys", "unseen-user-opaque")
		if assert.NotNil(t, answer) {
			assert.Contains(t, answer.Challenge(), `error_description="route does not accept OAuth or machine tokens"`)
		}
		assert.Equal(t, before, endpoint.total())
	})
	t.Run("inactive, or for another API", func(t *testing.T) {
		for _, tok := range []string{"revoked-opaque", "other-api"} {
			_, answer := ask("default", tok)
			if assert.NotNil(t, answer, tok) {
				assert.Equal(t, http.StatusUnauthorized, answer.Status)
				assert.Contains(t, answer.Challenge(), `error_description="token is not active"`)
				assert.ErrorIs(t, answer.Err, introspect.ErrInactive)
			}
		}
	})
	t.Run("a JWT is never introspected", func(t *testing.T) {
		before := endpoint.total()
		_, answer := ask("default", issuer.Token().MustSign(t))
		assert.Nil(t, answer)
		_, answer = ask("default", "not.a.jwt")
		if assert.NotNil(t, answer) {
			assert.Equal(t, http.StatusUnauthorized, answer.Status)
		}
		assert.Equal(t, before, endpoint.total())
	})
	t.Run("too large to send", func(t *testing.T) {
		before := endpoint.total()
		_, answer := ask("default", strings.Repeat("x", 20<<10))
		if assert.NotNil(t, answer) {
			assert.Contains(t, answer.Challenge(), `error_description="token is too large"`)
		}
		assert.Equal(t, before, endpoint.total())
	})
	t.Run("endpoint down: 503, never 401", func(t *testing.T) {
		endpoint.mu.Lock()
		endpoint.down = true
		endpoint.mu.Unlock()
		_, answer := ask("default", "unseen-opaque")
		if assert.NotNil(t, answer) {
			assert.Equal(t, http.StatusServiceUnavailable, answer.Status)
			h := http.Header{}
			answer.WriteHeaders(h)
			assert.Equal(t, "7", h.Get("Retry-After"))
			assert.Equal(t, "token introspection is unavailable, retry later", answer.Err.Description)
		}
		_, answer = ask("default", "user-opaque")
		assert.Nil(t, answer, "a remembered answer still serves")
	})
}

func TestIntrospectionSettings(t *testing.T) {
	issuer := authtest.NewIssuer(t)
	_, err := bearer.New(bearer.Config{Issuer: issuer.URL(), Audience: []string{issuer.Audience()},
		Introspection: &introspect.Config{Endpoint: "http://introspect.example.com/", ClientID: "c", ClientSecret: "s"}})
	assert.ErrorContains(t, err, "bearer: Introspection: ")
	_, err = bearer.New(bearer.Config{Issuer: issuer.URL(), Audience: []string{issuer.Audience()}, ClerkTokens: true,
		Introspection: &introspect.Config{Endpoint: "https://introspect.example.com/", ClientID: "c", ClientSecret: "s"}})
	assert.ErrorContains(t, err, "Introspection is RFC 7662, which Clerk does not serve")
}

// An introspected answer is held to the Config's rules as a JWT is: the
// audience (from Config.Audience when Introspection names none), the
// authorized parties ("azp", or the answer's "client_id"), a subject.
func TestOpaqueTokensFollowTheConfigRules(t *testing.T) {
	issuer := authtest.NewIssuer(t)
	clock := authtest.NewClock(time.Now())
	endpoint := newIntrospectionServer(t, issuer.URL(), clock.Now())
	build := func(cfg bearer.Config) *bearer.Authenticator {
		cfg.Issuer, cfg.Now = issuer.URL(), clock.Now
		cfg.Introspection = &introspect.Config{Endpoint: endpoint.URL, ClientID: "api-client", ClientSecret: "api-secret"}
		auth, err := bearer.New(cfg)
		require.NoError(t, err)
		return auth
	}
	tests := []struct {
		name    string
		cfg     bearer.Config
		token   string
		problem string // "" when accepted
	}{
		{"the API's audience", bearer.Config{Audience: []string{"api"}}, "user-opaque", ""},
		{"another API's token, by Config.Audience", bearer.Config{Audience: []string{"api"}}, "other-api", "token is not active"},
		{"a listed client", bearer.Config{Audience: []string{"api"}, AuthorizedParties: []string{"app"}}, "user-opaque", ""},
		{"another client", bearer.Config{Audience: []string{"api"}, AuthorizedParties: []string{"only-this-app"}}, "user-opaque",
			"token authorized party is not accepted"},
		{"a subject required", bearer.Config{Audience: []string{"api"}, RequireSubject: true}, "service-opaque", "token lacks a required claim"},
		{"no issue time with MaxTokenAge", bearer.Config{Audience: []string{"api"}, MaxTokenAge: time.Hour}, "user-opaque",
			"token lacks a required claim"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := httptest.NewRequest(http.MethodGet, "/", nil)
			r.Header.Set("Authorization", "Bearer "+tt.token)
			_, answer := build(tt.cfg).Require(r)
			if tt.problem == "" {
				assert.Nil(t, answer)
				return
			}
			if assert.NotNil(t, answer) {
				assert.Contains(t, answer.Challenge(), `error_description="`+tt.problem+`"`)
			}
		})
	}
}

// A DPoP-bound opaque token (RFC 9449 §6.2: "cnf" in the introspection
// answer) needs the DPoP scheme and a proof of its key, as a bound JWT does.
func TestDPoPBoundOpaqueToken(t *testing.T) {
	issuer := authtest.NewIssuer(t)
	clock := authtest.NewClock(time.Now())
	key := authtest.MustDPoPKey(t, "ES256").WithClock(clock.Now)
	endpoint := newIntrospectionServer(t, issuer.URL(), clock.Now(), map[string]map[string]any{
		"bound-opaque": {"active": true, "iss": issuer.URL(), "sub": "user-1", "aud": "api", "cnf": map[string]string{"jkt": key.Thumbprint()}},
	})
	auth, err := bearer.New(bearer.Config{Issuer: issuer.URL(), Audience: []string{"api"}, Now: clock.Now,
		Introspection: &introspect.Config{Endpoint: endpoint.URL, ClientID: "api-client", ClientSecret: "api-secret"}})
	require.NoError(t, err)
	const target = "http://api.example.com/orders"
	send := func(authorization string, proofs ...string) *bearer.Answer {
		r := httptest.NewRequest(http.MethodGet, target, nil)
		r.Header.Set("Authorization", authorization)
		for _, p := range proofs {
			r.Header.Add("DPoP", p)
		}
		_, answer := auth.Require(r)
		return answer
	}
	if answer := send("Bearer bound-opaque"); assert.NotNil(t, answer) {
		assert.Contains(t, answer.Challenge(), `error_description="token is DPoP-bound: send it with the DPoP scheme and a proof"`)
	}
	assert.Nil(t, send("DPoP bound-opaque", key.Proof("GET", target).For("bound-opaque").MustSign(t)))
	if answer := send("DPoP bound-opaque", key.Proof("GET", target).For("another-token").MustSign(t)); assert.NotNil(t, answer) {
		assert.Contains(t, answer.Challenge(), `error_description="DPoP proof is not for this access token"`)
	}
}
