package bearer_test

import (
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/scopegate/scopegate/authtest"
	"github.com/scopegate/scopegate/bearer"
	"github.com/scopegate/scopegate/clerkapi"
)

// clerkBackend answers the Backend API's verify endpoints on loopback, as
// Clerk's API reference documents them, for a few known tokens, and counts
// the calls.
type clerkBackend struct {
	*httptest.Server
	mu    sync.Mutex
	calls int
}

func newClerkBackend(t *testing.T) *clerkBackend {
	b := &clerkBackend{}
	exp := time.Now().Add(time.Hour).UnixMilli()
	answers := map[string]map[string]any{
		"/m2m_tokens/verify mt_valid": {"object": "machine_to_machine_token", "id": "mt_id1", "subject": "mch_sender",
			"scopes": []string{"mch_api"}, "claims": map[string]any{"team": "billing"}, "revoked": false, "expired": false, "expiration": exp},
		"/oauth_applications/access_tokens/verify oat_valid": {"object": "clerk_idp_oauth_access_token", "id": "oat_id1",
			"client_id": "client_1", "subject": "user_1", "scopes": []string{"read"}, "revoked": false, "expired": false, "expiration": exp},
		"/api_keys/verify ak_valid": {"object": "api_key", "id": "ak_id1", "type": "api_key", "subject": "org_1", "name": "CI",
			"scopes": []string{"deploy"}, "claims": nil, "revoked": false, "expired": false, "expiration": nil},
	}
	b.Server = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		b.mu.Lock()
		b.calls++
		b.mu.Unlock()
		if r.Header.Get("Authorization") != "Bearer sk_test_secret" {
			w.WriteHeader(http.StatusUnauthorized)
			return
		}
		var body map[string]string
		_ = json.NewDecoder(r.Body).Decode(&body)
		tok := body["token"] + body["access_token"] + body["secret"]
		answer, ok := answers[r.URL.Path+" "+tok]
		w.Header().Set("Content-Type", "application/json")
		if !ok {
			w.WriteHeader(http.StatusNotFound)
			_, _ = w.Write([]byte(`{"errors":[{"code":"resource_not_found","message":"not found"}]}`))
			return
		}
		_ = json.NewEncoder(w).Encode(answer)
	}))
	t.Cleanup(b.Close)
	return b
}

func (b *clerkBackend) count() int {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.calls
}

// clerkMachineAuthenticator is the Clerk preset with the secret key, asking
// backend as its Backend API, this API being machineID.
func clerkMachineAuthenticator(t *testing.T, backend *clerkBackend, machineID string) *bearer.Authenticator {
	t.Helper()
	issuer := authtest.NewIssuer(t, authtest.WithAudience(""))
	cfg, err := bearer.Clerk(bearer.ClerkOptions{FrontendAPI: issuer.URL(), JWTKey: string(issuer.PublicKeyPEM("RS256")),
		SecretKey: "sk_test_secret", MachineID: machineID})
	require.NoError(t, err)
	cfg.Issuer = issuer.URL() // the loopback issuer speaks http
	cfg.ClerkAPI.BaseURL = backend.URL
	auth, err := bearer.New(cfg)
	require.NoError(t, err)
	return auth
}

// TestClerkOpaqueMachineTokens verifies Clerk's opaque tokens through its
// Backend API, only on routes that accept their type: the prefix tells it,
// so a route that refuses the type never asks Clerk.
func TestClerkOpaqueMachineTokens(t *testing.T) {
	backend := newClerkBackend(t)
	auth := clerkMachineAuthenticator(t, backend, "mch_api")
	anyType := auth.Route(bearer.AcceptsAnyToken())
	sessions := auth.Route()
	ask := func(route *bearer.Route, tok string) (*bearer.Auth, map[string]json.RawMessage, *bearer.Answer) {
		r := httptest.NewRequest(http.MethodGet, "/", nil)
		r.Header.Set("Authorization", "Bearer "+tok)
		r, answer := route.Require(r)
		got := bearer.FromContext(r.Context())
		body, err := json.Marshal(got)
		require.NoError(t, err)
		var members map[string]json.RawMessage
		require.NoError(t, json.Unmarshal(body, &members))
		return got, members, answer
	}

	t.Run("refused by type without a call", func(t *testing.T) {
		for tok, description := range map[string]string{"mt_valid": "route does not accept machine tokens",
			"oat_valid": "route does not accept OAuth access tokens", "ak_valid": "route does not accept API keys"} {
			_, _, answer := ask(sessions, tok)
			if assert.NotNil(t, answer, tok) {
				assert.Contains(t, answer.Challenge(), `error_description="`+description+`"`)
			}
		}
		assert.Zero(t, backend.count(), "a session route never asks Clerk")
	})
	t.Run("an M2M token", func(t *testing.T) {
		got, members, answer := ask(anyType, "mt_valid")
		require.Nil(t, answer)
		assert.Equal(t, bearer.M2MToken, got.TokenType)
		assert.Equal(t, "mch_sender", got.MachineID)
		assert.Empty(t, got.UserID)
		assert.JSONEq(t, `{"isAuthenticated":true,"tokenType":"m2m_token","id":"mt_id1","subject":"mch_sender","machineId":"mch_sender",
			"clientId":null,"scopes":["mch_api"],"claims":{"team":"billing"}}`, mustJSON(t, members))
	})
	t.Run("an OAuth token", func(t *testing.T) {
		got, members, answer := ask(anyType, "oat_valid")
		require.Nil(t, answer)
		assert.Equal(t, bearer.OAuthToken, got.TokenType)
		assert.Equal(t, "user_1", got.UserID)
		assert.Equal(t, "client_1", got.ClientID)
		assert.Equal(t, []string{"read"}, got.Scopes())
		assert.JSONEq(t, `"client_1"`, string(members["clientId"]))
	})
	t.Run("an API key", func(t *testing.T) {
		got, members, answer := ask(anyType, "ak_valid")
		require.Nil(t, answer)
		assert.Equal(t, bearer.APIKey, got.TokenType)
		assert.Equal(t, "org_1", got.OrgID)
		assert.JSONEq(t, `{"isAuthenticated":true,"tokenType":"api_key","id":"ak_id1","subject":"org_1","name":"CI","userId":null,
			"orgId":"org_1","scopes":["deploy"],"claims":null}`, mustJSON(t, members))
	})
	t.Run("unknown to Clerk", func(t *testing.T) {
		_, _, answer := ask(anyType, "mt_unknown")
		if assert.NotNil(t, answer) {
			assert.Equal(t, http.StatusUnauthorized, answer.Status)
			assert.ErrorIs(t, answer.Err, clerkapi.ErrInvalid)
		}
	})
	t.Run("Validated hands out copies", func(t *testing.T) {
		got, _, answer := ask(anyType, "mt_valid")
		require.Nil(t, answer)
		m := got.Validated().(*clerkapi.Machine)
		m.Subject, m.Scopes[0] = "mch_evil", "tampered"
		again, _, answer := ask(anyType, "mt_valid")
		require.Nil(t, answer)
		fresh := again.Validated().(*clerkapi.Machine)
		assert.Equal(t, "mch_sender", fresh.Subject)
		assert.Equal(t, []string{"mch_api"}, fresh.Scopes)
		assert.Equal(t, []string{"mch_api"}, again.Scopes())
	})
	t.Run("remembered", func(t *testing.T) {
		before := backend.count()
		_, _, answer := ask(anyType, "mt_valid")
		assert.Nil(t, answer)
		assert.Equal(t, before, backend.count())
	})
}

// mustJSON re-encodes members, for JSONEq.
func mustJSON(t *testing.T, members map[string]json.RawMessage) string {
	t.Helper()
	b, err := json.Marshal(members)
	require.NoError(t, err)
	return string(b)
}

func TestClerkAPISettings(t *testing.T) {
	issuer := authtest.NewIssuer(t)
	_, err := bearer.New(bearer.Config{Issuer: issuer.URL(), Audience: []string{issuer.Audience()},
		ClerkAPI: &clerkapi.Config{SecretKey: "sk_test_x"}})
	assert.ErrorContains(t, err, "ClerkAPI verifies Clerk's opaque machine tokens and needs ClerkTokens")
	cfg, err := bearer.Clerk(bearer.ClerkOptions{FrontendAPI: "https://app.clerk.accounts.dev", SecretKey: "pk_test_x"})
	require.NoError(t, err, "the key is checked at New")
	_, err = bearer.New(cfg)
	assert.ErrorContains(t, err, "bearer: ClerkAPI: clerkapi: SecretKey")
}

// An opaque M2M token must list Config.MachineID, as a JWT one must.
func TestClerkOpaqueMachineTokenForAnotherMachine(t *testing.T) {
	auth := clerkMachineAuthenticator(t, newClerkBackend(t), "mch_other_api")
	r := httptest.NewRequest(http.MethodGet, "/", nil)
	r.Header.Set("Authorization", "Bearer mt_valid")
	_, answer := auth.Route(bearer.AcceptsToken(bearer.M2MToken)).Require(r)
	if assert.NotNil(t, answer) {
		assert.Contains(t, answer.Challenge(), `error_description="machine token is not for this machine"`)
	}
}
