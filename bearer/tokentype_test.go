package bearer_test

import (
	"context"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/scopegate/scopegate/authtest"
	"github.com/scopegate/scopegate/bearer"
)

// TestTokenTypes types the tokens of an OAuth issuer (not Clerk's): a
// client-credentials token is a machine's, every other a user's, and a route
// accepts what it says it does.
func TestTokenTypes(t *testing.T) {
	issuer := authtest.NewIssuer(t)
	auth, err := bearer.New(bearer.Config{Issuer: issuer.URL(), Audience: []string{issuer.Audience()}})
	require.NoError(t, err)
	routes := map[string]*bearer.Route{
		"default": auth.Route(),
		"users":   auth.Route(bearer.AcceptsToken(bearer.OAuthToken)),
		"machine": auth.Route(bearer.AcceptsToken(bearer.M2MToken)),
	}
	tests := []struct {
		name       string
		token      *authtest.TokenBuilder
		typ        bearer.TokenType
		user       string // UserID
		machine    string // MachineID
		client     string // ClientID
		refusedOn  string // the route that refuses it
		refusedFor string
	}{
		{"a user's token", issuer.Token().Subject("auth0|1").Claim("azp", "spa"), bearer.OAuthToken, "auth0|1", "", "spa",
			"machine", "route does not accept OAuth access tokens"},
		{"Auth0 client credentials", issuer.Token().Subject("svc@clients").Claim("gty", "client-credentials").Claim("azp", "svc"),
			bearer.M2MToken, "", "svc", "svc", "users", "route does not accept machine tokens"},
		{"RFC 9068 client credentials", issuer.Token().Subject("svc").Claim("client_id", "svc"), bearer.M2MToken, "", "svc", "svc",
			"users", "route does not accept machine tokens"},
		{"RFC 9068 user token", issuer.Token().Subject("user-1").Claim("client_id", "app").Header("typ", "at+jwt"), bearer.OAuthToken,
			"user-1", "", "app", "machine", "route does not accept OAuth access tokens"},
		{"a grant type of another JSON type reads as absent", issuer.Token().Subject("u").Claim("gty", 1), bearer.OAuthToken, "u", "", "",
			"machine", "route does not accept OAuth access tokens"},
		{"another grant type", issuer.Token().Subject("u").Claim("gty", "password"), bearer.OAuthToken, "u", "", "",
			"machine", "route does not accept OAuth access tokens"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			raw := tt.token.Claim("jti", "id-1").MustSign(t)
			for name, route := range routes {
				r := httptest.NewRequest(http.MethodGet, "/", nil)
				r.Header.Set("Authorization", "Bearer "+raw)
				r, answer := route.Require(r)
				if name == tt.refusedOn {
					require.NotNil(t, answer, name)
					assert.Equal(t, http.StatusUnauthorized, answer.Status)
					assert.ErrorIs(t, answer.Err, bearer.ErrTokenType)
					assert.Contains(t, answer.Challenge(), `error_description="`+tt.refusedFor+`"`)
					continue
				}
				require.Nil(t, answer, name)
				got := bearer.FromContext(r.Context())
				assert.Equal(t, tt.typ, got.TokenType, name)
				assert.Equal(t, tt.user, got.UserID, name)
				assert.Equal(t, tt.machine, got.MachineID, name)
				assert.Equal(t, tt.client, got.ClientID, name)
				assert.Equal(t, "id-1", got.TokenID, name)
				assert.NotEmpty(t, got.Subject, name)
				body, err := json.Marshal(got)
				require.NoError(t, err)
				var members map[string]json.RawMessage
				require.NoError(t, json.Unmarshal(body, &members))
				assert.JSONEq(t, `"`+string(tt.typ)+`"`, string(members["tokenType"]), name)
				assert.JSONEq(t, `"id-1"`, string(members["id"]), name)
				assert.JSONEq(t, `"`+tt.client+`"`, string(members["clientId"]), name)
				if tt.typ == bearer.OAuthToken {
					assert.JSONEq(t, `"`+tt.user+`"`, string(members["userId"]), "%s: Clerk's OAuth members beside the user's", name)
				} else {
					assert.NotContains(t, members, "userId", name)
				}
			}
		})
	}
}

func TestTokenTypeSettings(t *testing.T) {
	issuer := authtest.NewIssuer(t)
	base := bearer.Config{Issuer: issuer.URL(), Audience: []string{issuer.Audience()}}
	for _, tt := range []struct {
		accepts []bearer.TokenType
		problem string
	}{
		{[]bearer.TokenType{"api_keys"}, `Config.AcceptsToken: unknown token type "api_keys"`},
		{[]bearer.TokenType{}, "Config.AcceptsToken: no token type given"},
	} {
		cfg := base
		cfg.AcceptsToken = tt.accepts
		_, err := bearer.New(cfg)
		assert.ErrorContains(t, err, tt.problem)
	}
	cfg := base
	cfg.AcceptsToken = []bearer.TokenType{bearer.M2MToken}
	auth, err := bearer.New(cfg)
	require.NoError(t, err)
	r := httptest.NewRequest(http.MethodGet, "/", nil)
	r.Header.Set("Authorization", "Bearer "+issuer.Token().MustSign(t))
	_, answer := auth.Require(r)
	require.NotNil(t, answer, "Config.AcceptsToken is every route's default")
	assert.ErrorIs(t, answer.Err, bearer.ErrTokenType)
	_, answer = auth.Route(bearer.AcceptsAnyToken()).Require(r)
	assert.Nil(t, answer, "a route's own option wins")

	assert.PanicsWithValue(t, `scopegate: bearer: AcceptsToken: unknown token type "machine"; use bearer.SessionToken, bearer.OAuthToken, bearer.M2MToken or bearer.APIKey`,
		func() { auth.Route(bearer.AcceptsToken("machine")) })
	assert.Panics(t, func() { auth.Route(bearer.AcceptsToken()) })
	assert.Panics(t, func() { auth.Route(bearer.RouteOption{}) })
	assert.PanicsWithValue(t, "scopegate: bearer: AcceptsToken: SessionToken alone needs ClerkTokens (the Clerk preset): without it no token is a session token, so every request would be refused",
		func() { auth.Route(bearer.AcceptsToken(bearer.SessionToken)) })
	cfg.AcceptsToken = []bearer.TokenType{bearer.SessionToken}
	_, err = bearer.New(cfg)
	assert.ErrorContains(t, err, "Config.AcceptsToken: SessionToken alone needs ClerkTokens")
}

// clerkAuthenticator is the Clerk preset over a loopback issuer.
func clerkAuthenticator(t *testing.T, issuer *authtest.Issuer, machineID string) *bearer.Authenticator {
	t.Helper()
	cfg, err := bearer.Clerk(bearer.ClerkOptions{FrontendAPI: issuer.URL(), JWTKey: string(issuer.PublicKeyPEM("RS256")), MachineID: machineID})
	require.NoError(t, err)
	cfg.Issuer = issuer.URL() // the loopback issuer speaks http
	auth, err := bearer.New(cfg)
	require.NoError(t, err)
	return auth
}

// TestClerkMachineTokens builds a Clerk M2M token's auth object as
// @clerk/backend does (scopes from "scopes", else "aud"; custom claims
// only), and checks the receiver when MachineID is set.
func TestClerkMachineTokens(t *testing.T) {
	issuer := authtest.NewIssuer(t, authtest.WithAudience(""))
	machine := func() *authtest.TokenBuilder {
		return issuer.Token().Subject("mch_sender").Claim("jti", "mt_1").Header("cat", "cl_B7d4PD333AAA")
	}
	tests := []struct {
		name      string
		token     string
		machineID string
		scopes    string // JSON, "" when refused
		claims    string // JSON
	}{
		{"scopes", machine().Claim("scopes", "mch_api mch_other").MustSign(t), "", `["mch_api","mch_other"]`, `{"scopes":"mch_api mch_other"}`},
		{"aud when no scopes", machine().Claim("aud", []string{"mch_api"}).Claim("team", "billing").MustSign(t), "",
			`["mch_api"]`, `{"aud":["mch_api"],"team":"billing"}`},
		{"neither", machine().MustSign(t), "", `[]`, `null`},
		{"for this machine", machine().Claim("scopes", "mch_api").MustSign(t), "mch_api", `["mch_api"]`, `{"scopes":"mch_api"}`},
		{"for another machine", machine().Claim("scopes", "mch_other").MustSign(t), "mch_api", "", ""},
		{"for no machine", machine().MustSign(t), "mch_api", "", ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			route := clerkAuthenticator(t, issuer, tt.machineID).Route(bearer.AcceptsToken(bearer.M2MToken))
			r := httptest.NewRequest(http.MethodGet, "/", nil)
			r.Header.Set("Authorization", "Bearer "+tt.token)
			r, answer := route.Require(r)
			if tt.scopes == "" {
				require.NotNil(t, answer)
				assert.Contains(t, answer.Challenge(), `error_description="machine token is not for this machine"`)
				return
			}
			require.Nil(t, answer)
			got := bearer.FromContext(r.Context())
			body, err := json.Marshal(got)
			require.NoError(t, err)
			var members map[string]json.RawMessage
			require.NoError(t, json.Unmarshal(body, &members))
			assert.JSONEq(t, tt.scopes, string(members["scopes"]))
			assert.JSONEq(t, tt.claims, string(members["claims"]))
			assert.JSONEq(t, `"mch_sender"`, string(members["machineId"]))
			assert.JSONEq(t, `"mt_1"`, string(members["id"]))
			assert.JSONEq(t, `"m2m_token"`, string(members["tokenType"]))
			assert.NotContains(t, members, "userId")
		})
	}
}

func TestMachineIDSettings(t *testing.T) {
	issuer := authtest.NewIssuer(t)
	_, err := bearer.New(bearer.Config{Issuer: issuer.URL(), Audience: []string{issuer.Audience()}, MachineID: "mch_api"})
	assert.ErrorContains(t, err, "MachineID is a Clerk machine ID and needs ClerkTokens")
	_, err = bearer.New(bearer.Config{Issuer: issuer.URL(), Audience: []string{issuer.Audience()}, ClerkTokens: true, MachineID: "api"})
	assert.ErrorContains(t, err, `MachineID "api" is not a Clerk machine ID`)
}

// TestClerkAuthorizedPartiesBindSessionsOnly: Clerk checks "azp" on session
// tokens only; its machine and OAuth tokens carry none and are not refused
// for it.
func TestClerkAuthorizedPartiesBindSessionsOnly(t *testing.T) {
	issuer := authtest.NewIssuer(t, authtest.WithAudience(""))
	cfg, err := bearer.Clerk(bearer.ClerkOptions{FrontendAPI: issuer.URL(), JWTKey: string(issuer.PublicKeyPEM("RS256")),
		AuthorizedParties: []string{"https://app.example.com"}})
	require.NoError(t, err)
	cfg.Issuer = issuer.URL()
	auth, err := bearer.New(cfg)
	require.NoError(t, err)
	route := auth.Route(bearer.AcceptsAnyToken())
	tests := []struct {
		name    string
		token   string
		problem string // "" when accepted
	}{
		{"session from a listed party", issuer.Token().Subject("user_1").Claim("azp", "https://app.example.com").MustSign(t), ""},
		{"session from another party", issuer.Token().Subject("user_1").Claim("azp", "https://evil.example").MustSign(t),
			"token authorized party is not accepted"},
		{"session without azp", issuer.Token().Subject("user_1").MustSign(t), "token lacks a required claim"},
		{"machine without azp", issuer.Token().Subject("mch_1").Header("cat", "cl_B7d4PD333AAA").MustSign(t), ""},
		{"OAuth token without azp", issuer.Token().Subject("user_1").Header("typ", "at+jwt").Claim("client_id", "c").MustSign(t), ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := httptest.NewRequest(http.MethodGet, "/", nil)
			r.Header.Set("Authorization", "Bearer "+tt.token)
			_, answer := route.Require(r)
			if tt.problem == "" {
				assert.Nil(t, answer)
				return
			}
			require.NotNil(t, answer)
			assert.Contains(t, answer.Challenge(), `error_description="`+tt.problem+`"`)
		})
	}
}

// A plugged validator's result is typed from its claims, with no header.
func TestTokenTypeOfAPluggedValidator(t *testing.T) {
	auth, err := bearer.New(bearer.Config{ValidateToken: func(_ context.Context, tok string) (any, error) {
		return map[string]any{"sub": tok, "client_id": "svc", "scope": "read:messages"}, nil
	}})
	require.NoError(t, err)
	for tok, want := range map[string]bearer.TokenType{"svc": bearer.M2MToken, "user-1": bearer.OAuthToken} {
		r := httptest.NewRequest(http.MethodGet, "/", nil)
		r.Header.Set("Authorization", "Bearer "+tok)
		r, answer := auth.Require(r)
		require.Nil(t, answer)
		assert.Equal(t, want, bearer.FromContext(r.Context()).TokenType, tok)
	}
}

// Scope requirements answer from a machine token's scopes: a Clerk M2M
// token's are the machines that may receive it.
func TestRequirementsOnMachineTokens(t *testing.T) {
	issuer := authtest.NewIssuer(t, authtest.WithAudience(""))
	route := clerkAuthenticator(t, issuer, "").Route(bearer.AcceptsToken(bearer.M2MToken))
	rule := bearer.RequireScopes("mch_api")
	for scopes, want := range map[string]bool{"mch_api mch_other": true, "mch_other": false} {
		r := httptest.NewRequest(http.MethodGet, "/", nil)
		r.Header.Set("Authorization", "Bearer "+issuer.Token().Subject("mch_sender").Claim("scopes", scopes).MustSign(t))
		r, answer := route.Require(r)
		require.Nil(t, answer)
		assert.Equal(t, want, rule(r) == nil, scopes)
	}
}
