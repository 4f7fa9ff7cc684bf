package bearer_test

import (
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"slices"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/scopegate/scopegate/bearer"
	"github.com/scopegate/scopegate/clerk"
	"github.com/scopegate/scopegate/scopes"
)

// TestResourceMetadataPath derives where the metadata lives from the
// resource identifier, as RFC 9728 §3 says, and refuses identifiers that
// are not absolute https URLs without query or fragment.
func TestResourceMetadataPath(t *testing.T) {
	base := bearer.Config{Issuer: "https://tenant.auth0.com/", Audience: []string{"https://api.example.com"}}
	tests := []struct {
		resource string
		path     string // "" when New must fail
		problem  string
	}{
		{"https://api.example.com", "/.well-known/oauth-protected-resource", ""},
		{"https://api.example.com/", "/.well-known/oauth-protected-resource", ""},
		{"https://api.example.com/v1", "/.well-known/oauth-protected-resource/v1", ""},
		{"http://127.0.0.1:3010", "/.well-known/oauth-protected-resource", ""},
		{"http://api.example.com", "", "must use https"},
		{"api.example.com", "", "must be an absolute URL"},
		{"https://api.example.com/?x=1", "", "no query, fragment or credentials"},
		{"https://api.example.com/#f", "", "no query, fragment or credentials"},
	}
	for _, tt := range tests {
		t.Run(tt.resource, func(t *testing.T) {
			cfg := base
			cfg.Resource = tt.resource
			auth, err := bearer.New(cfg)
			if tt.path == "" {
				require.Error(t, err)
				assert.Contains(t, err.Error(), tt.problem)
				assert.Contains(t, err.Error(), "Resource")
				return
			}
			require.NoError(t, err)
			assert.Equal(t, tt.path, auth.ResourceMetadataPath())
		})
	}
	cfg := base
	cfg.ResourceScopes = []string{"read:messages"}
	_, err := bearer.New(cfg)
	assert.ErrorContains(t, err, "ResourceScopes and ResourceScopesOnly need Resource")
	cfg.Resource = "https://api.example.com"
	cfg.ResourceScopes = []string{"read messages"}
	_, err = bearer.New(cfg)
	assert.ErrorContains(t, err, `ResourceScopes entry "read messages"`)
}

// TestResourceMetadataHandler serves the document to GET and HEAD, refuses
// other methods, and is a 404 without a resource.
func TestResourceMetadataHandler(t *testing.T) {
	cfg := bearer.Config{Issuer: "https://tenant.auth0.com/", Audience: []string{"https://api.example.com"},
		Issuers:  []bearer.IssuerConfig{{Issuer: "https://clerk.example.com", SkipAudienceCheck: true}},
		Resource: "https://api.example.com", QueryParameter: "access_token", ResourceScopesOnly: true,
		DPoP: bearer.DPoPConfig{Mode: bearer.DPoPRequired, Algorithms: []string{"ES256", "EdDSA"}}}
	auth, err := bearer.New(cfg)
	require.NoError(t, err)
	serve := func(method string) *httptest.ResponseRecorder {
		rec := httptest.NewRecorder()
		auth.ResourceMetadata().ServeHTTP(rec, httptest.NewRequest(method, bearer.MetadataPathPrefix, nil))
		return rec
	}
	rec := serve(http.MethodGet)
	assert.Equal(t, http.StatusOK, rec.Code)
	assert.Equal(t, "application/json", rec.Header().Get("Content-Type"))
	assert.JSONEq(t, `{"resource":"https://api.example.com",
		"authorization_servers":["https://tenant.auth0.com/","https://clerk.example.com"],
		"bearer_methods_supported":["header","query"],
		"dpop_signing_alg_values_supported":["ES256","EdDSA"],"dpop_bound_access_tokens_required":true}`, rec.Body.String())
	assert.Equal(t, http.StatusOK, serve(http.MethodHead).Code)
	rec = serve(http.MethodPost)
	assert.Equal(t, http.StatusMethodNotAllowed, rec.Code)
	assert.Equal(t, "GET, HEAD", rec.Header().Get("Allow"))

	cfg.Resource, cfg.QueryParameter, cfg.ResourceScopesOnly = "", "", false
	auth, err = bearer.New(cfg)
	require.NoError(t, err)
	assert.Equal(t, http.StatusNotFound, serve(http.MethodGet).Code)
	assert.Empty(t, auth.ResourceMetadataPath())
}

func TestResourceMetadataWithoutDPoP(t *testing.T) {
	auth, err := bearer.New(bearer.Config{Issuer: "https://tenant.auth0.com/", Audience: []string{"https://api.example.com"},
		Resource: "https://api.example.com", ResourceScopesOnly: true, DPoP: bearer.DPoPConfig{Mode: bearer.DPoPOff}})
	require.NoError(t, err)
	rec := httptest.NewRecorder()
	auth.ResourceMetadata().ServeHTTP(rec, httptest.NewRequest(http.MethodGet, bearer.MetadataPathPrefix, nil))
	assert.JSONEq(t, `{"resource":"https://api.example.com","authorization_servers":["https://tenant.auth0.com/"],
		"bearer_methods_supported":["header"]}`, rec.Body.String(), "no DPoP members when DPoP is off")
}

// TestResourceMetadataCollectsRuleScopes lists, beside ResourceScopes, the
// scopes every rule of the process names, including rules built after New,
// unless ResourceScopesOnly.
func TestResourceMetadataCollectsRuleScopes(t *testing.T) {
	cfg := bearer.Config{Issuer: "https://tenant.auth0.com/", Audience: []string{"https://api.example.com"},
		Resource: "https://api.example.com", ResourceScopes: []string{"metadata-test:configured"}}
	auth, err := bearer.New(cfg)
	require.NoError(t, err)
	cfg.ResourceScopesOnly = true
	only, err := bearer.New(cfg)
	require.NoError(t, err)

	bearer.RequireScopes("metadata-test:read", "metadata-test:write")
	bearer.RequireAnyScope("metadata-test:any")
	bearer.Has(scopes.Or(scopes.All("metadata-test:read"), scopes.Permission("metadata-test:permission")))
	bearer.Has(clerk.Role("metadata-test-role")) // a Clerk role is not an OAuth scope

	handlers := map[*bearer.Authenticator]http.Handler{auth: auth.ResourceMetadata(), only: only.ResourceMetadata()}
	supported := func(a *bearer.Authenticator) []string {
		rec := httptest.NewRecorder()
		handlers[a].ServeHTTP(rec, httptest.NewRequest(http.MethodGet, bearer.MetadataPathPrefix, nil))
		var doc struct {
			Scopes []string `json:"scopes_supported"`
		}
		require.NoError(t, json.Unmarshal(rec.Body.Bytes(), &doc))
		return doc.Scopes
	}
	var ours []string
	for _, s := range supported(auth) {
		if strings.HasPrefix(s, "metadata-test") {
			ours = append(ours, s)
		}
	}
	assert.Equal(t, []string{"metadata-test:any", "metadata-test:configured", "metadata-test:permission",
		"metadata-test:read", "metadata-test:write"}, ours, "sorted, each once")
	assert.True(t, slices.IsSorted(supported(auth)))
	assert.Equal(t, []string{"metadata-test:configured"}, supported(only))

	// The document is encoded once, and again when a rule built after it
	// was served names a new scope.
	bearer.RequireScopes("metadata-test:later")
	assert.Contains(t, supported(auth), "metadata-test:later")
	assert.Equal(t, []string{"metadata-test:configured"}, supported(only))
}
