//go:build integration

package apptest

import (
	"bufio"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/scopegate/scopegate/authtest"
	"github.com/scopegate/scopegate/examples/internal/app"
	"github.com/scopegate/scopegate/internal/syncbuf"
)

// providerStartTimeout bounds how long the OpenID provider may take to say
// it is listening, and providerStopTimeout how long it may take to exit on
// SIGTERM.
const (
	providerStartTimeout = 30 * time.Second
	providerStopTimeout  = 10 * time.Second
)

// apiAudience is the resource indicator the provider issues JWT access
// tokens for.
const apiAudience = "https://api.example.com"

// TestIntegrationOIDCProvider runs the example, configured through its
// environment as a user would, against a real OpenID provider
// (oidc-provider, from integration/oidc) issuing RFC 9068 JWT access tokens
// through the client credentials grant. It checks discovery, key fetching,
// scope authorization and tampering against tokens that scopegate did not
// mint, then rotates the provider's signing key on a restart and checks
// that a token signed with the new key is accepted on first sight while a
// token signed with the previous, still published, key keeps working.
//
// Its first subtest, with a provider of its own, does the same for opaque
// access tokens checked at the provider's RFC 7662 introspection endpoint;
// see integrationOpaqueTokens.
func IntegrationOIDCProvider(t *testing.T, server app.Server) {
	dir := providerDir(t)
	t.Run("opaque tokens by introspection", func(t *testing.T) { integrationOpaqueTokens(t, server, dir) })

	keyFile := filepath.Join(t.TempDir(), "jwks.json")
	op := startProvider(t, dir, "--keys", keyFile, "--port", "0")

	s, err := app.LoadSettings(envOf(map[string]string{
		"ISSUER_BASE_URL": op.issuer,
		"AUDIENCE":        apiAudience,
	}))
	require.NoError(t, err)
	api, auth := startAPI(t, s, server)
	require.NoError(t, auth.Prefetch(t.Context()), "discovery and JWKS of the provider")
	fetches := func() uint64 {
		sets := auth.KeySets()
		require.Len(t, sets, 1)
		return sets[0].Stats().Fetches
	}
	require.EqualValues(t, 1, fetches())

	reader := op.token(t, "reader", "read:messages", apiAudience)
	assert.Equal(t, "read:messages", reader.Scope)
	noScope := op.token(t, "no-scope", "read:messages", apiAudience)
	assert.Empty(t, noScope.Scope, "the provider grants no-scope none of the API's scopes")
	opaque := op.token(t, "reader", "read:messages", "")
	originalKid := jwtHeader(t, reader.AccessToken).Kid

	tests := []struct {
		name        string
		path        string
		token       string
		status      int
		errorCode   string // "error" in the body of a failure
		description string // error_description, when it is checked
		challenge   string // a part of WWW-Authenticate
	}{
		{"scoped token, scoped route", "/api/private-scoped", reader.AccessToken, 200, "", "", ""},
		{"scoped token, private route", "/api/private", reader.AccessToken, 200, "", "", ""},
		{"token without the scope, private route", "/api/private", noScope.AccessToken, 200, "", "", ""},
		{"token without the scope, scoped route", "/api/private-scoped", noScope.AccessToken, 403,
			"insufficient_scope", "token lacks the required scope", `error="insufficient_scope"`},
		{"tampered signature", "/api/private-scoped", authtest.TamperSignature(reader.AccessToken), 401,
			"invalid_token", "token signature is invalid", `error="invalid_token"`},
		{"scope added to the payload", "/api/private-scoped", withClaim(t, noScope.AccessToken, "scope", "read:messages"), 401,
			"invalid_token", "token signature is invalid", `error="invalid_token"`},
		{"opaque token, requested without a resource", "/api/private", opaque.AccessToken, 401,
			"invalid_token", "token is malformed", `error="invalid_token"`},
		{"no token", "/api/private-scoped", "", 401, "unauthorized", "", `Bearer realm="api"`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := callAPI(t, api, tt.path, tt.token)
			require.Equal(t, tt.status, got.status, got.body.Description)
			if tt.status == http.StatusOK {
				assert.NotEmpty(t, got.body.Message)
				return
			}
			assert.Equal(t, tt.errorCode, got.body.Error)
			if tt.description != "" {
				assert.Equal(t, tt.description, got.body.Description)
			}
			assert.Contains(t, got.challenge, tt.challenge)
			if tt.status == http.StatusForbidden {
				assert.Contains(t, got.challenge, `scope="read:messages"`)
			}
		})
	}

	t.Run("claims as the API sees them", func(t *testing.T) {
		got := callAPI(t, api, "/api/me", reader.AccessToken)
		require.Equal(t, 200, got.status)
		var me struct {
			IsAuthenticated bool     `json:"isAuthenticated"`
			TokenType       string   `json:"tokenType"`
			MachineID       string   `json:"machineId"`
			Subject         string   `json:"subject"`
			Scopes          []string `json:"scopes"`
		}
		require.NoError(t, json.Unmarshal(got.raw, &me))
		assert.True(t, me.IsAuthenticated)
		// RFC 9068 §2.2: the sub of a client credentials token is the
		// client_id, so it is a machine's token, never a user.
		assert.Equal(t, "m2m_token", me.TokenType)
		assert.Equal(t, "reader", me.MachineID)
		assert.Equal(t, "reader", me.Subject)
		assert.NotContains(t, string(got.raw), `"userId"`)
		assert.Equal(t, []string{"read:messages"}, me.Scopes)

		machine := callAPI(t, api, "/api/machine", reader.AccessToken)
		assert.Equal(t, 200, machine.status, "the machine route takes the provider's client credentials token")
	})
	require.False(t, t.Failed(), "the provider's first key must work before rotating it")
	require.EqualValues(t, 1, fetches(), "no refetch for tokens signed with a known key")

	// The provider restarts on the same port, so with the same issuer, and
	// signs with a new RSA key, publishing the previous one second.
	port := op.port(t)
	op.stop(t)
	op = startProvider(t, dir, "--keys", keyFile, "--port", port, "--rotate")
	published := op.publishedKids(t)
	require.Len(t, published, 2)
	require.NotEqual(t, originalKid, published[0], "a new key signs")
	require.Equal(t, originalKid, published[1], "the previous key is still published")

	rotated := op.token(t, "reader", "read:messages", apiAudience)
	require.Equal(t, published[0], jwtHeader(t, rotated.AccessToken).Kid)

	got := callAPI(t, api, "/api/private-scoped", rotated.AccessToken)
	assert.Equal(t, 200, got.status, "a new kid is fetched on first sight: %s", got.body.Description)
	assert.EqualValues(t, 2, fetches(), "one refetch for the new kid")
	got = callAPI(t, api, "/api/private-scoped", reader.AccessToken)
	assert.Equal(t, 200, got.status, "a token signed before the rotation, with a key still published: %s", got.body.Description)
	got = callAPI(t, api, "/api/private-scoped", authtest.TamperSignature(rotated.AccessToken))
	assert.Equal(t, 401, got.status)
	assert.Equal(t, "token signature is invalid", got.body.Description)
	assert.EqualValues(t, 2, fetches(), "known kids cost no fetch")
}

// providerDir returns the folder of the provider script. Without its
// node_modules (or without node) the test is skipped on a developer's
// machine and fails under CI, where both must be installed.
func providerDir(t *testing.T) string {
	t.Helper()
	dir, err := filepath.Abs(filepath.Join("..", "..", "integration", "oidc"))
	require.NoError(t, err)
	missing := func(format string, args ...any) {
		t.Helper()
		msg := fmt.Sprintf(format, args...)
		if ci, _ := strconv.ParseBool(os.Getenv("CI")); ci {
			t.Fatal(msg + " (CI is set: the integration test must run)")
		}
		t.Skip(msg)
	}
	if _, err := os.Stat(filepath.Join(dir, "node_modules", "oidc-provider", "package.json")); err != nil {
		missing("oidc-provider is not installed in %s: run `(cd integration/oidc && npm ci)` first", dir)
	}
	if _, err := exec.LookPath("node"); err != nil {
		missing("node is not on PATH: the integration test needs Node.js to run oidc-provider")
	}
	return dir
}

// provider is one run of integration/oidc/provider.mjs.
type provider struct {
	issuer   string
	cmd      *exec.Cmd
	stdin    io.WriteCloser // held open: the provider exits when it closes
	stderr   *syncbuf.Buffer
	exited   chan struct{}
	waitErr  error
	stopOnce sync.Once
}

// startProvider starts the provider and waits for its ready line. The
// process is stopped when the test ends.
func startProvider(t *testing.T, dir string, args ...string) *provider {
	t.Helper()
	cmd := exec.CommandContext(t.Context(), "node", append([]string{"provider.mjs", "--watch-stdin"}, args...)...)
	cmd.Dir = dir
	cmd.Cancel = func() error { return cmd.Process.Signal(syscall.SIGTERM) }
	cmd.WaitDelay = 5 * time.Second
	op := &provider{cmd: cmd, stderr: &syncbuf.Buffer{}, exited: make(chan struct{})}
	cmd.Stderr = op.stderr
	stdout, err := cmd.StdoutPipe()
	require.NoError(t, err)
	op.stdin, err = cmd.StdinPipe()
	require.NoError(t, err)
	require.NoError(t, cmd.Start())
	t.Cleanup(func() {
		op.stop(t)
		if t.Failed() {
			t.Logf("provider stderr:\n%s", op.stderr.String())
		}
	})

	ready := make(chan string, 1)
	go func() {
		lines := bufio.NewScanner(stdout)
		for lines.Scan() {
			if issuer, ok := strings.CutPrefix(lines.Text(), "ready "); ok {
				ready <- strings.TrimSpace(issuer)
				break
			}
		}
		_, _ = io.Copy(io.Discard, stdout)
		op.waitErr = cmd.Wait()
		close(op.exited)
	}()
	select {
	case op.issuer = <-ready:
	case <-op.exited:
		t.Fatalf("the provider exited before it was ready (%v):\n%s", op.waitErr, op.stderr.String())
	case <-time.After(providerStartTimeout):
		t.Fatalf("the provider was not ready within %s:\n%s", providerStartTimeout, op.stderr.String())
	}
	return op
}

// stop ends the provider with SIGTERM and waits until it has exited and
// released its port.
func (op *provider) stop(t *testing.T) {
	t.Helper()
	op.stopOnce.Do(func() {
		select {
		case <-op.exited:
			return
		default:
		}
		if err := op.cmd.Process.Signal(syscall.SIGTERM); err != nil {
			t.Logf("signalling the provider: %v", err)
		}
		select {
		case <-op.exited:
		case <-time.After(providerStopTimeout):
			_ = op.cmd.Process.Kill()
			<-op.exited
			t.Errorf("the provider did not exit on SIGTERM")
		}
	})
}

// port returns the provider's port, from its issuer.
func (op *provider) port(t *testing.T) string {
	t.Helper()
	u, err := url.Parse(op.issuer)
	require.NoError(t, err)
	_, port, err := net.SplitHostPort(u.Host)
	require.NoError(t, err)
	return port
}

// tokenResponse is the token endpoint's answer.
type tokenResponse struct {
	AccessToken string `json:"access_token"`
	TokenType   string `json:"token_type"`
	ExpiresIn   int    `json:"expires_in"`
	Scope       string `json:"scope"`
}

// providerClients are the clients provider.mjs registers, with how each
// authenticates at the token endpoint.
var providerClients = map[string]struct {
	secret string
	basic  bool // client_secret_basic; otherwise client_secret_post
}{
	"reader":   {"reader-secret", true},
	"no-scope": {"no-scope-secret", false},
}

// token obtains an access token with the client credentials grant; an
// empty resource asks for none. The provider issues JWTs for apiAudience
// and opaque tokens for opaqueAudience, or without a resource.
func (op *provider) token(t *testing.T, clientID, scope, resource string) tokenResponse {
	t.Helper()
	client, ok := providerClients[clientID]
	require.True(t, ok, "unknown client %q", clientID)
	form := url.Values{"grant_type": {"client_credentials"}, "scope": {scope}}
	if resource != "" {
		form.Set("resource", resource)
	}
	if !client.basic {
		form.Set("client_id", clientID)
		form.Set("client_secret", client.secret)
	}
	req, err := http.NewRequestWithContext(t.Context(), http.MethodPost, op.discovery(t).TokenEndpoint, strings.NewReader(form.Encode()))
	require.NoError(t, err)
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	if client.basic {
		req.SetBasicAuth(url.QueryEscape(clientID), url.QueryEscape(client.secret))
	}
	var tr tokenResponse
	getJSON(t, req, &tr)
	require.NotEmpty(t, tr.AccessToken)
	require.Equal(t, "Bearer", tr.TokenType)
	return tr
}

// discoveryDocument holds the provider metadata the test uses.
type discoveryDocument struct {
	Issuer                string `json:"issuer"`
	TokenEndpoint         string `json:"token_endpoint"`
	JWKSURI               string `json:"jwks_uri"`
	IntrospectionEndpoint string `json:"introspection_endpoint"`
}

func (op *provider) discovery(t *testing.T) discoveryDocument {
	t.Helper()
	req, err := http.NewRequestWithContext(t.Context(), http.MethodGet, op.issuer+"/.well-known/openid-configuration", nil)
	require.NoError(t, err)
	var doc discoveryDocument
	getJSON(t, req, &doc)
	require.Equal(t, op.issuer, doc.Issuer)
	return doc
}

// publishedKids returns the kids of the provider's JWKS, in order.
func (op *provider) publishedKids(t *testing.T) []string {
	t.Helper()
	req, err := http.NewRequestWithContext(t.Context(), http.MethodGet, op.discovery(t).JWKSURI, nil)
	require.NoError(t, err)
	var set struct {
		Keys []struct {
			Kid string `json:"kid"`
		} `json:"keys"`
	}
	getJSON(t, req, &set)
	kids := make([]string, len(set.Keys))
	for i, k := range set.Keys {
		kids[i] = k.Kid
	}
	return kids
}

// getJSON sends req to the provider and decodes its 200 answer.
func getJSON(t *testing.T, req *http.Request, into any) {
	t.Helper()
	client := &http.Client{Timeout: 10 * time.Second}
	resp, err := client.Do(req)
	require.NoError(t, err)
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	require.NoError(t, err)
	require.Equal(t, http.StatusOK, resp.StatusCode, "%s %s: %s", req.Method, req.URL, body)
	require.NoError(t, json.Unmarshal(body, into), "%s", body)
}

// apiAnswer is what the example API answered.
type apiAnswer struct {
	status     int
	challenge  string
	retryAfter string
	raw        []byte
	body       struct {
		Error       string `json:"error"`
		Description string `json:"error_description"`
		Message     string `json:"message"`
	}
}

// callAPI sends GET path to the API with token as a bearer token, if any.
func callAPI(t *testing.T, api *httptest.Server, path, token string) apiAnswer {
	t.Helper()
	req, err := http.NewRequestWithContext(t.Context(), http.MethodGet, api.URL+path, nil)
	require.NoError(t, err)
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	resp, err := api.Client().Do(req)
	require.NoError(t, err)
	defer resp.Body.Close()
	var a apiAnswer
	a.status = resp.StatusCode
	a.challenge = resp.Header.Get("WWW-Authenticate")
	a.retryAfter = resp.Header.Get("Retry-After")
	a.raw, err = io.ReadAll(resp.Body)
	require.NoError(t, err)
	require.NoError(t, json.Unmarshal(a.raw, &a.body), "%s", a.raw)
	return a
}

// joseHeader is the part of a JWS header the test looks at.
type joseHeader struct {
	Alg string `json:"alg"`
	Typ string `json:"typ"`
	Kid string `json:"kid"`
}

// jwtHeader decodes the header of a compact JWS and checks it is an
// RS256-signed JWT access token.
func jwtHeader(t *testing.T, token string) joseHeader {
	t.Helper()
	var h joseHeader
	decodeSegment(t, token, 0, &h)
	assert.Equal(t, "RS256", h.Alg)
	assert.Equal(t, "at+jwt", h.Typ)
	require.NotEmpty(t, h.Kid)
	return h
}

// withClaim returns token with one claim of its payload changed and its
// signature kept: what a client forging its own token would send.
func withClaim(t *testing.T, token, name string, value any) string {
	t.Helper()
	var payload map[string]any
	decodeSegment(t, token, 1, &payload)
	payload[name] = value
	encoded, err := json.Marshal(payload)
	require.NoError(t, err)
	parts := strings.Split(token, ".")
	parts[1] = base64.RawURLEncoding.EncodeToString(encoded)
	return strings.Join(parts, ".")
}

func decodeSegment(t *testing.T, token string, i int, into any) {
	t.Helper()
	parts := strings.Split(token, ".")
	require.Len(t, parts, 3, "a compact JWS")
	raw, err := base64.RawURLEncoding.DecodeString(parts[i])
	require.NoError(t, err)
	require.NoError(t, json.Unmarshal(raw, into))
}
