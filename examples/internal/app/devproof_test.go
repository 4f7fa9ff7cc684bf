package app

import (
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/scopegate/scopegate/authtest"
	"github.com/scopegate/scopegate/dpop"
	"github.com/scopegate/scopegate/httpauth"
)

// devAPI serves, as dev mode does, /api/private-scoped behind an
// authenticator built from the settings env gives, with the dev DPoP
// client's proofs at DevProofPath.
func devAPI(t *testing.T, env map[string]string) (*httptest.Server, *devDPoP) {
	t.Helper()
	s, err := LoadSettings(func(name string) string { return env[name] })
	require.NoError(t, err)
	require.True(t, devDPoPEnabled(s))
	issuer := authtest.NewIssuer(t, authtest.WithAudience(s.Audience[0]))
	s.Auth.Issuer = issuer.URL()
	auth, err := httpauth.New(s.Auth)
	require.NoError(t, err)
	mux := http.NewServeMux()
	mux.Handle("GET /api/private-scoped", auth.CheckJWT()(httpauth.RequireScopes("read:messages")(
		http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) { _, _ = io.WriteString(w, "ok") }))))
	d, err := newDevDPoP(devToken(issuer, s), auth.Authenticator)
	require.NoError(t, err)
	api := httptest.NewServer(d.wrap(mux))
	t.Cleanup(api.Close)
	return api, d
}

// fetchProof asks api's DevProofPath for a proof of GET htu.
func fetchProof(t *testing.T, api *httptest.Server, htu string) string {
	t.Helper()
	resp, err := http.Get(api.URL + DevProofPath + "?" + url.Values{"htm": {"GET"}, "htu": {htu}}.Encode())
	require.NoError(t, err)
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	require.NoError(t, err)
	require.Equal(t, http.StatusOK, resp.StatusCode, string(body))
	assert.Equal(t, "text/plain; charset=utf-8", resp.Header.Get("Content-Type"))
	assert.Equal(t, "no-store", resp.Header.Get("Cache-Control"))
	return string(body)
}

// getWithProof requests GET target with DPOP_TOKEN and proof, and returns
// the answer.
func getWithProof(t *testing.T, target, tok, proof string) *http.Response {
	t.Helper()
	req, err := http.NewRequest(http.MethodGet, target, nil)
	require.NoError(t, err)
	req.Header.Set("Authorization", "DPoP "+tok)
	if proof != "" {
		req.Header.Set("DPoP", proof)
	}
	resp, err := http.DefaultClient.Do(req)
	require.NoError(t, err)
	resp.Body.Close()
	return resp
}

// proofClaims decodes a proof's claims, unverified.
func proofClaims(t *testing.T, proof string) map[string]any {
	t.Helper()
	parts := strings.Split(proof, ".")
	require.Len(t, parts, 3)
	raw, err := base64.RawURLEncoding.DecodeString(parts[1])
	require.NoError(t, err)
	var claims map[string]any
	require.NoError(t, json.Unmarshal(raw, &claims))
	return claims
}

// TestDevProofAcceptedOnce: a proof from the endpoint lets DPOP_TOKEN
// through an authenticator built from the same settings, once, for the
// URL it names only; in every nonce setting.
func TestDevProofAcceptedOnce(t *testing.T) {
	for name, env := range map[string]map[string]string{
		"default":       {},
		"DPOP=required": {"DPOP": "required"},
		"DPOP_NONCE=on": {"DPOP_NONCE": "on"},
		"shared nonce secret": {"DPOP_NONCE": "on", "DPOP_NONCE_SECRET": strings.Repeat("s", 32),
			"DPOP": "required"},
	} {
		t.Run(name, func(t *testing.T) {
			api, d := devAPI(t, env)
			target := api.URL + "/api/private-scoped"

			proof := fetchProof(t, api, target)
			assert.Equal(t, http.StatusOK, getWithProof(t, target, d.token, proof).StatusCode)
			assert.Equal(t, http.StatusUnauthorized, getWithProof(t, target, d.token, proof).StatusCode, "replayed")

			other := fetchProof(t, api, api.URL+"/api/private")
			assert.Equal(t, http.StatusUnauthorized, getWithProof(t, target, d.token, other).StatusCode, "another URL")
			assert.Equal(t, http.StatusUnauthorized, getWithProof(t, target, d.token, "").StatusCode, "no proof")
			assert.Equal(t, http.StatusOK, getWithProof(t, target, d.token, fetchProof(t, api, target)).StatusCode,
				"each proof is fresh")
		})
	}
}

// TestDevProofClaims: each proof is new (jti), issued now, for the method,
// URL (without query or fragment) and token asked, and carries a nonce the
// API's own Nonces accept when nonces are on.
func TestDevProofClaims(t *testing.T) {
	secret := strings.Repeat("n", 32)
	api, d := devAPI(t, map[string]string{"DPOP_NONCE": "on", "DPOP_NONCE_SECRET": secret})
	first := proofClaims(t, fetchProof(t, api, api.URL+"/api/private-scoped?page=2#top"))
	second := proofClaims(t, fetchProof(t, api, api.URL+"/api/private-scoped"))
	assert.NotEqual(t, first["jti"], second["jti"])
	assert.Equal(t, "GET", first["htm"])
	assert.Equal(t, api.URL+"/api/private-scoped", first["htu"])
	sum := sha256.Sum256([]byte(d.token))
	assert.Equal(t, base64.RawURLEncoding.EncodeToString(sum[:]), first["ath"])
	assert.NotZero(t, first["iat"])
	nonces, err := dpop.NewNonces(dpop.NonceConfig{Secret: []byte(secret)})
	require.NoError(t, err)
	nonce, _ := first["nonce"].(string)
	assert.NoError(t, nonces.Check(nonce))

	// Without nonces, no nonce.
	api, _ = devAPI(t, map[string]string{})
	assert.NotContains(t, proofClaims(t, fetchProof(t, api, api.URL+"/api/private-scoped")), "nonce")
}

// TestDevProofNonceIsNeeded: with nonces on, a proof without one is refused
// where the endpoint's is accepted.
func TestDevProofNonceIsNeeded(t *testing.T) {
	api, d := devAPI(t, map[string]string{"DPOP_NONCE": "on"})
	target := api.URL + "/api/private-scoped"
	bare, err := d.key.Proof(http.MethodGet, target).For(d.token).Sign()
	require.NoError(t, err)
	resp := getWithProof(t, target, d.token, bare)
	assert.Equal(t, http.StatusUnauthorized, resp.StatusCode)
	assert.NotEmpty(t, resp.Header.Get("DPoP-Nonce"))
	assert.Equal(t, http.StatusOK, getWithProof(t, target, d.token, fetchProof(t, api, target)).StatusCode)
}

// TestDevProofBadRequests: a query the endpoint cannot serve is answered
// 400 with fixed text, never echoing what it was sent.
func TestDevProofBadRequests(t *testing.T) {
	api, _ := devAPI(t, map[string]string{})
	tests := []struct {
		name  string
		query url.Values
		want  string
	}{
		{"no query", nil, devProofUsage},
		{"no htm", url.Values{"htu": {api.URL + "/api/private"}}, devProofUsage},
		{"no htu", url.Values{"htm": {"GET"}}, devProofUsage},
		{"empty htm", url.Values{"htm": {""}, "htu": {api.URL + "/api/private"}}, devProofUsage},
		{"htm not a method", url.Values{"htm": {"GET /x"}, "htu": {api.URL + "/api/private"}}, devProofBadMethod},
		{"relative htu", url.Values{"htm": {"GET"}, "htu": {"/api/private"}}, devProofBadURL},
		{"htu without host", url.Values{"htm": {"GET"}, "htu": {"http:///api/private"}}, devProofBadURL},
		{"htu of another scheme", url.Values{"htm": {"GET"}, "htu": {"ftp://127.0.0.1/api/private"}}, devProofBadURL},
		{"htu with user", url.Values{"htm": {"GET"}, "htu": {"http://me@127.0.0.1/api/private"}}, devProofBadURL},
		{"htu not a URL", url.Values{"htm": {"GET"}, "htu": {"http://[::1/x"}}, devProofBadURL},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			resp, err := http.Get(api.URL + DevProofPath + "?" + tt.query.Encode())
			require.NoError(t, err)
			defer resp.Body.Close()
			body, err := io.ReadAll(resp.Body)
			require.NoError(t, err)
			assert.Equal(t, http.StatusBadRequest, resp.StatusCode)
			assert.Equal(t, "text/plain; charset=utf-8", resp.Header.Get("Content-Type"))
			assert.Equal(t, tt.want, string(body))
		})
	}

	t.Run("not GET", func(t *testing.T) {
		resp, err := http.Post(api.URL+DevProofPath+"?htm=GET&htu="+api.URL+"/api/private", "text/plain", nil)
		require.NoError(t, err)
		resp.Body.Close()
		assert.Equal(t, http.StatusMethodNotAllowed, resp.StatusCode)
		assert.Equal(t, "GET, HEAD", resp.Header.Get("Allow"))
	})
}

// TestDevProofOtherPathsPass: every other path reaches the example's
// handler unchanged.
func TestDevProofOtherPathsPass(t *testing.T) {
	api, _ := devAPI(t, map[string]string{})
	for path, want := range map[string]int{
		"/api/private-scoped":   http.StatusUnauthorized,
		"/dev/dpop-proof/extra": http.StatusNotFound,
		"/dev":                  http.StatusNotFound,
	} {
		resp, err := http.Get(api.URL + path)
		require.NoError(t, err)
		resp.Body.Close()
		assert.Equal(t, want, resp.StatusCode, path)
	}
}

// TestDevDPoPOnlyInDevModeWithDPoP: no dev DPoP client with an issuer
// configured, or with DPOP=off.
func TestDevDPoPOnlyInDevModeWithDPoP(t *testing.T) {
	for name, env := range map[string]map[string]string{
		"issuer":   {"ISSUER_BASE_URL": "https://t.auth0.com/", "AUDIENCE": "a"},
		"DPOP=off": {"DPOP": "off"},
	} {
		s, err := LoadSettings(func(n string) string { return env[n] })
		require.NoError(t, err, name)
		assert.False(t, devDPoPEnabled(s), name)
	}
}
