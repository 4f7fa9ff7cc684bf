package conformance

import (
	"bytes"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/scopegate/scopegate/authtest"
	"github.com/scopegate/scopegate/bearer"
	"github.com/scopegate/scopegate/introspect"
)

// request is what a case sends.
type request struct {
	method        string
	path          string
	authorization []string          // Authorization header values, in order
	cookie        string            // the __session cookie, when set
	query         url.Values        // the query string
	header        map[string]string // other headers
	// again sends the request twice and checks the second answer: a
	// replayed DPoP proof.
	again bool
}

// want is what a case must get back: WWW-Authenticate, Retry-After and
// Location exactly as given, so absent when not given.
type want struct {
	status int
	// challenge is WWW-Authenticate. Under a configuration that allows
	// DPoP (the default), every challenge offers Bearer and DPoP; a case
	// that writes Bearer's challenge alone gets DPoP's appended by Run
	// (see WithDPoPOffer), while the DPoP cases write the whole header.
	challenge  string
	retryAfter string
	location   string
	// dpopNonce wants a DPoP-Nonce header (of any value); none otherwise.
	dpopNonce bool
	// body is the exact body for "ok", "" for none, or a JSON document the
	// body must equal as JSON.
	body string
	// fields are members of the JSON body of Me or Machine that must equal
	// these (raw JSON), or be left out (absent); other members are not
	// compared.
	fields map[string]string
}

// caseOf is one row of the table.
type caseOf struct {
	name    string
	variant string
	req     request
	want    want
}

// Run serves every case of the table through face and checks each answer.
// Every variant of the configuration gets a server of its own.
func Run(t *testing.T, face Face) {
	env := newEnvironment(t)
	handlers := map[string]http.Handler{}
	for name, cfg := range env.variants {
		h, err := face.New(cfg)
		require.NoError(t, err, "%s: variant %s", face.Name, name)
		handlers[name] = h
	}
	for _, c := range env.cases(t) {
		if !face.serves(c.req) {
			continue
		}
		if face.AnyOKBody && c.want.body == "ok" {
			c.want.body = anyBody
		}
		if env.variants[c.variant].DPoP.Mode == bearer.DPoPAllowed {
			c.want.challenge = WithDPoPOffer(c.want.challenge)
		}
		t.Run(c.variant+"/"+c.name, func(t *testing.T) {
			h, ok := handlers[c.variant]
			require.True(t, ok, "no variant %q", c.variant)
			check(t, c, serve(h, c.req))
		})
	}
}

// serve sends r to h.
func serve(h http.Handler, r request) *httptest.ResponseRecorder {
	target := r.path
	if len(r.query) > 0 {
		target += "?" + r.query.Encode()
	}
	method := r.method
	if method == "" {
		method = http.MethodGet
	}
	req := httptest.NewRequest(method, target, nil)
	for _, v := range r.authorization {
		req.Header.Add("Authorization", v)
	}
	if r.cookie != "" {
		req.AddCookie(&http.Cookie{Name: "__session", Value: r.cookie})
	}
	for k, v := range r.header {
		req.Header.Set(k, v)
	}
	if r.again {
		h.ServeHTTP(httptest.NewRecorder(), req.Clone(req.Context()))
	}
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, req)
	return rec
}

// DPoPAlgorithms is the algs="" of DPoP challenges by default.
const DPoPAlgorithms = "RS256 RS384 RS512 PS256 PS384 PS512 ES256 ES384 ES512 EdDSA"

// WithDPoPOffer appends to a challenge written with Bearer's alone the
// DPoP challenge that DPoPAllowed offers beside it: the same realm and
// resource metadata, and the algorithms. Others are returned as they are.
func WithDPoPOffer(challenge string) string {
	if !strings.HasPrefix(challenge, `Bearer realm="`) || strings.Contains(challenge, `DPoP realm="`) {
		return challenge
	}
	realm, _, _ := strings.Cut(strings.TrimPrefix(challenge, `Bearer realm="`), `"`)
	offer := `, DPoP realm="` + realm + `"`
	if _, metadata, ok := strings.Cut(challenge, `, resource_metadata="`); ok {
		offer += `, resource_metadata="` + metadata
	}
	return challenge + offer + `, algs="` + DPoPAlgorithms + `"`
}

// absent, as a value of want.fields, wants the member left out.
const absent = "<absent>"

// anyBody is the body a case accepts whatever it is.
const anyBody = "\x00any"

// check compares an answer with what the case wants.
func check(t *testing.T, c caseOf, rec *httptest.ResponseRecorder) {
	t.Helper()
	body, _ := io.ReadAll(rec.Body)
	require.Equal(t, c.want.status, rec.Code, "body %s", body)
	assert.Equal(t, c.want.challenge, rec.Header().Get("WWW-Authenticate"), "WWW-Authenticate")
	assert.Equal(t, c.want.retryAfter, rec.Header().Get("Retry-After"), "Retry-After")
	assert.Equal(t, c.want.location, rec.Header().Get("Location"), "Location")
	assert.Equal(t, c.want.dpopNonce, rec.Header().Get("DPoP-Nonce") != "", "DPoP-Nonce")
	switch {
	case c.want.body == anyBody:
	case c.want.fields != nil:
		var got map[string]json.RawMessage
		require.NoError(t, json.Unmarshal(body, &got), "body %s", body)
		for k, v := range c.want.fields {
			if v == absent {
				assert.NotContains(t, got, k, "member %s of %s", k, body)
				continue
			}
			assert.JSONEq(t, v, string(got[k]), "member %s of %s", k, body)
		}
	case c.want.body == "" || c.want.body == "ok":
		assert.Equal(t, c.want.body, string(bytes.TrimSpace(body)))
	default:
		assert.JSONEq(t, c.want.body, string(body))
		assert.Contains(t, rec.Header().Get("Content-Type"), "application/json")
	}
}

// environment is the issuers the cases are signed by and the configuration
// variants the faces are built with.
type environment struct {
	issuer   *authtest.Issuer // keys published, discovery served
	down     *authtest.Issuer // its key set answers 500
	variants map[string]bearer.Config
}

func newEnvironment(t *testing.T) *environment {
	env := &environment{issuer: authtest.NewIssuer(t), down: authtest.NewIssuer(t)}
	env.down.SetHandler(authtest.JWKSPath, http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
		http.Error(w, "down", http.StatusBadGateway)
	}))
	base := func() bearer.Config {
		return bearer.Config{Issuer: env.issuer.URL(), Audience: []string{env.issuer.Audience()}}
	}
	env.variants = map[string]bearer.Config{"default": base()}
	sources := base()
	sources.Cookie, sources.QueryParameter = "__session", "access_token"
	env.variants["sources"] = sources
	realm := base()
	realm.Realm = "orders"
	env.variants["realm"] = realm
	signIn := base()
	signIn.SignInURL = "/sign-in"
	env.variants["sign-in"] = signIn
	env.variants["keys-down"] = bearer.Config{Issuer: env.down.URL(), Audience: []string{env.down.Audience()}}
	clerk, err := bearer.Clerk(bearer.ClerkOptions{FrontendAPI: env.issuer.URL(), JWTKey: string(env.issuer.PublicKeyPEM("RS256"))})
	require.NoError(t, err)
	clerk.Issuer = env.issuer.URL() // the loopback issuer speaks http; a Frontend API https
	env.variants["clerk"] = clerk
	resource := base()
	resource.Resource, resource.ResourceScopes = Resource, []string{"read:messages", "write:messages"}
	// The configured scopes alone: which rules a test process has built
	// depends on which tests ran (bearer's tests cover the collection).
	resource.ResourceScopesOnly = true
	env.variants["resource"] = resource
	dpopRequired := base()
	dpopRequired.DPoP.Mode = bearer.DPoPRequired
	env.variants["dpop-required"] = dpopRequired
	dpopNonce := base()
	dpopNonce.DPoP.NonceSecret = []byte("conformance nonce secret, 32+ bytes")
	env.variants["dpop-nonce"] = dpopNonce
	skip := base()
	skip.Skipper = func(r *http.Request) bool { return r.URL.Path == Private }
	env.variants["skip-private"] = skip
	env.issuer.SetHandler(introspectionPath, introspectionEndpoint(env.issuer))
	introspection := base()
	introspection.Introspection = &introspect.Config{Endpoint: env.issuer.URL() + introspectionPath,
		ClientID: "api", ClientSecret: "api-secret", Issuer: env.issuer.URL(), Audiences: []string{env.issuer.Audience()}}
	env.variants["introspection"] = introspection
	env.issuer.SetHandler(introspectionDownPath, http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
		w.Header().Set("Retry-After", "7")
		w.WriteHeader(http.StatusServiceUnavailable)
	}))
	introspectionDown := base()
	introspectionDown.Introspection = &introspect.Config{Endpoint: env.issuer.URL() + introspectionDownPath,
		ClientID: "api", ClientSecret: "api-secret"}
	env.variants["introspection-down"] = introspectionDown
	for _, path := range []string{"/m2m_tokens/verify", "/oauth_applications/access_tokens/verify", "/api_keys/verify"} {
		env.issuer.SetHandler(path, clerkBackendAPI())
	}
	clerkAPI, err := bearer.Clerk(bearer.ClerkOptions{FrontendAPI: env.issuer.URL(), JWTKey: string(env.issuer.PublicKeyPEM("RS256")),
		SecretKey: "sk_test_conformance"})
	require.NoError(t, err)
	clerkAPI.Issuer = env.issuer.URL()
	clerkAPI.ClerkAPI.BaseURL = env.issuer.URL() // the issuer stands in for Clerk's Backend API
	env.variants["clerk-api"] = clerkAPI
	return env
}

// The opaque Clerk machine tokens the Backend API stand-in knows.
const (
	clerkOpaqueM2M   = "mt_conformance"
	clerkOpaqueOAuth = "oat_conformance"
)

// clerkBackendAPI answers the Backend API's verify endpoints as Clerk's API
// reference documents them, for the tokens above; 404 for any other.
func clerkBackendAPI() http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Header.Get("Authorization") != "Bearer sk_test_conformance" {
			w.WriteHeader(http.StatusUnauthorized)
			return
		}
		var body map[string]string
		_ = json.NewDecoder(r.Body).Decode(&body)
		exp := time.Now().Add(time.Hour).UnixMilli()
		var answer map[string]any
		switch {
		case r.URL.Path == "/m2m_tokens/verify" && body["token"] == clerkOpaqueM2M:
			answer = map[string]any{"object": "machine_to_machine_token", "id": "mt_id", "subject": "mch_sender",
				"scopes": []string{"mch_api"}, "claims": nil, "revoked": false, "expired": false, "expiration": exp}
		case r.URL.Path == "/oauth_applications/access_tokens/verify" && body["access_token"] == clerkOpaqueOAuth:
			answer = map[string]any{"object": "clerk_idp_oauth_access_token", "id": "oat_id", "client_id": "client_1",
				"subject": "user_1", "scopes": []string{"read"}, "revoked": false, "expired": false, "expiration": exp}
		}
		w.Header().Set("Content-Type", "application/json")
		if answer == nil {
			w.WriteHeader(http.StatusNotFound)
			_, _ = w.Write([]byte(`{"errors":[{"code":"resource_not_found","message":"not found"}]}`))
			return
		}
		_ = json.NewEncoder(w).Encode(answer)
	})
}

// introspectionPath is where the issuer answers RFC 7662 introspection,
// and introspectionDownPath where it answers 503 to every call.
const (
	introspectionPath     = "/introspect"
	introspectionDownPath = "/introspect-down"
)

// The opaque tokens the introspection endpoint knows as active.
const (
	opaqueReader  = "opaque-reader"  // a user's, with read:messages
	opaqueService = "opaque-service" // a client's own: client_id, no sub
)

// introspectionEndpoint answers RFC 7662 requests from the client "api"
// about the opaque tokens above, and any other token as inactive.
func introspectionEndpoint(iss *authtest.Issuer) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if id, secret, ok := r.BasicAuth(); !ok || id != "api" || secret != "api-secret" {
			w.WriteHeader(http.StatusUnauthorized)
			return
		}
		exp := time.Now().Add(time.Hour).Unix()
		answer := map[string]any{"active": false}
		switch r.PostFormValue("token") {
		case opaqueReader:
			answer = map[string]any{"active": true, "iss": iss.URL(), "aud": iss.Audience(), "sub": "user-1",
				"client_id": "app", "scope": "read:messages", "exp": exp, "jti": "op-1"}
		case opaqueService:
			answer = map[string]any{"active": true, "iss": iss.URL(), "aud": iss.Audience(), "client_id": "svc-2",
				"scope": "read:messages", "exp": exp, "jti": "op-2"}
		}
		w.Header().Set("Content-Type", "application/json")
		_ = json.NewEncoder(w).Encode(answer)
	})
}
