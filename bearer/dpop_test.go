package bearer_test

import (
	"bytes"
	"context"
	"errors"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/scopegate/scopegate/authtest"
	"github.com/scopegate/scopegate/bearer"
	"github.com/scopegate/scopegate/dpop"
	"github.com/scopegate/scopegate/jwks"
	"github.com/scopegate/scopegate/token"
)

const (
	dpopURL  = "http://api.example.com/api/private"
	allAlgs  = `algs="RS256 RS384 RS512 PS256 PS384 PS512 ES256 ES384 ES512 EdDSA"`
	bareBoth = `Bearer realm="api", DPoP realm="api", ` + allAlgs
)

// dpopWorld is an issuer, a client's DPoP key and a clock they share.
type dpopWorld struct {
	clock  *authtest.Clock
	issuer *authtest.Issuer
	key    *authtest.DPoPKey
}

func newDPoPWorld(t *testing.T) *dpopWorld {
	clock := authtest.NewClock(time.Date(2026, 12, 5, 12, 0, 0, 0, time.UTC))
	return &dpopWorld{clock: clock, issuer: authtest.NewIssuer(t, authtest.WithClock(clock.Now)),
		key: authtest.MustDPoPKey(t, "ES256").WithClock(clock.Now)}
}

func (w *dpopWorld) authenticator(t *testing.T, cfg bearer.DPoPConfig) *bearer.Authenticator {
	t.Helper()
	auth, err := bearer.New(bearer.Config{Issuer: w.issuer.URL(), Audience: []string{w.issuer.Audience()}, Now: w.clock.Now, DPoP: cfg})
	require.NoError(t, err)
	return auth
}

// dpopRequest is a GET of target with an Authorization header and DPoP
// header values.
func dpopRequest(target, authorization string, proofs ...string) *http.Request {
	r := httptest.NewRequest(http.MethodGet, target, nil)
	if authorization != "" {
		r.Header.Set("Authorization", authorization)
	}
	for _, p := range proofs {
		r.Header.Add("DPoP", p)
	}
	return r
}

// TestDPoP runs every rule of RFC 9449 §4.3 and §7 that a resource server
// applies, with the default configuration (DPoP allowed beside Bearer).
func TestDPoP(t *testing.T) {
	w := newDPoPWorld(t)
	key, other := w.key, authtest.MustDPoPKey(t, "ES256").WithClock(w.clock.Now)
	bound := w.issuer.Token().BoundTo(key).MustSign(t)
	unbound := w.issuer.Token().MustSign(t)
	otherBinding := w.issuer.Token().Claim("cnf", map[string]string{"x5t#S256": "bwcK0esc3ACC3DB2Y5_lESsXE8o9ltc05O89jdN-dg2"}).MustSign(t)
	badCnf := w.issuer.Token().Claim("cnf", "jkt").MustSign(t)
	emptyJKT := w.issuer.Token().Claim("cnf", map[string]string{"jkt": ""}).MustSign(t)
	proof := func() *authtest.ProofBuilder { return key.Proof("GET", dpopURL).For(bound) }
	now := w.clock.Now()
	onDPoP := func(code, description string) string {
		return `Bearer realm="api", DPoP realm="api", error="` + code + `", error_description="` + description + `", ` + allAlgs
	}
	onBearer := func(code, description string) string {
		return `Bearer realm="api", error="` + code + `", error_description="` + description + `", DPoP realm="api", ` + allAlgs
	}
	tests := []struct {
		name          string
		req           *http.Request
		status        int    // 0: signed in
		kind          error  // the failure's class
		challenge     string // the whole WWW-Authenticate
		authorization string
	}{
		{name: "bound token, DPoP scheme, valid proof", req: dpopRequest(dpopURL, "DPoP "+bound, proof().MustSign(t))},
		{name: "scheme in lower case", req: dpopRequest(dpopURL, "dpop "+bound, proof().MustSign(t))},
		{name: "query and fragment of htu ignored", req: dpopRequest(dpopURL+"?page=2", "DPoP "+bound,
			key.Proof("GET", dpopURL+"?other=1#top").For(bound).MustSign(t))},
		{name: "htu normalised per RFC 3986", req: dpopRequest(dpopURL, "DPoP "+bound,
			key.Proof("GET", "HTTP://API.Example.COM:80/api/./%70rivate").For(bound).MustSign(t))},
		{name: "issued 300 s ago", req: dpopRequest(dpopURL, "DPoP "+bound, proof().IssuedAt(now.Add(-300*time.Second)).MustSign(t))},
		{name: "issued 30 s ahead", req: dpopRequest(dpopURL, "DPoP "+bound, proof().IssuedAt(now.Add(30*time.Second)).MustSign(t))},
		{name: "unbound token, Bearer", req: dpopRequest(dpopURL, "Bearer "+unbound)},

		{name: "no token", req: dpopRequest(dpopURL, ""), status: 401, kind: bearer.ErrMissingToken, challenge: bareBoth},
		{name: "bound token sent as Bearer", req: dpopRequest(dpopURL, "Bearer "+bound), status: 401, kind: bearer.ErrInvalidToken,
			challenge: onBearer("invalid_token", "token is DPoP-bound: send it with the DPoP scheme and a proof")},
		{name: "Bearer with a DPoP proof", req: dpopRequest(dpopURL, "Bearer "+unbound, proof().MustSign(t)), status: 400,
			kind: bearer.ErrInvalidRequest, challenge: onBearer("invalid_request", "request carries a DPoP proof but not the DPoP scheme")},
		{name: "unbound token, DPoP scheme", req: dpopRequest(dpopURL, "DPoP "+unbound, key.Proof("GET", dpopURL).For(unbound).MustSign(t)),
			status: 401, kind: bearer.ErrInvalidToken, challenge: onDPoP("invalid_token", "token is not DPoP-bound: send it with the Bearer scheme")},
		{name: "bound by a certificate", req: dpopRequest(dpopURL, "Bearer "+otherBinding), status: 401, kind: bearer.ErrInvalidToken,
			challenge: onBearer("invalid_token", "token is bound by a confirmation method this API cannot check")},
		{name: "cnf not an object", req: dpopRequest(dpopURL, "Bearer "+badCnf), status: 401, kind: bearer.ErrInvalidToken,
			challenge: onBearer("invalid_token", "token claim has the wrong type")},
		{name: "cnf.jkt empty", req: dpopRequest(dpopURL, "Bearer "+emptyJKT), status: 401, kind: bearer.ErrInvalidToken,
			challenge: onBearer("invalid_token", "token claim has the wrong type")},
		{name: "DPoP scheme without a token", req: dpopRequest(dpopURL, "DPoP "), status: 400, kind: bearer.ErrInvalidRequest,
			challenge: onDPoP("invalid_request", "Authorization header has the DPoP scheme but no token")},
		{name: "no proof", req: dpopRequest(dpopURL, "DPoP "+bound), status: 401, kind: bearer.ErrInvalidDPoPProof,
			challenge: onDPoP("invalid_dpop_proof", "request must carry exactly one DPoP proof")},
		{name: "two proofs", req: dpopRequest(dpopURL, "DPoP "+bound, proof().MustSign(t), proof().MustSign(t)), status: 401,
			kind: bearer.ErrInvalidDPoPProof, challenge: onDPoP("invalid_dpop_proof", "request must carry exactly one DPoP proof")},
		{name: "two proofs in one header", req: dpopRequest(dpopURL, "DPoP "+bound, proof().MustSign(t)+", "+proof().MustSign(t)), status: 401,
			kind: bearer.ErrInvalidDPoPProof, challenge: onDPoP("invalid_dpop_proof", "request must carry exactly one DPoP proof")},
		{name: "malformed proof", req: dpopRequest(dpopURL, "DPoP "+bound, "not-a-jws"), status: 401, kind: bearer.ErrInvalidDPoPProof,
			challenge: onDPoP("invalid_dpop_proof", "DPoP proof is malformed")},
		{name: "proof typed JWT", req: dpopRequest(dpopURL, "DPoP "+bound, proof().Header("typ", "JWT").MustSign(t)), status: 401,
			kind: bearer.ErrInvalidDPoPProof, challenge: onDPoP("invalid_dpop_proof", "DPoP proof type is not dpop+jwt")},
		{name: "proof signature invalid", req: dpopRequest(dpopURL, "DPoP "+bound, proof().SignedBy(other).MustSign(t)), status: 401,
			kind: bearer.ErrInvalidDPoPProof, challenge: onDPoP("invalid_dpop_proof", "DPoP proof signature is invalid")},
		{name: "proof for another method", req: dpopRequest(dpopURL, "DPoP "+bound, key.Proof("POST", dpopURL).For(bound).MustSign(t)),
			status: 401, kind: bearer.ErrInvalidDPoPProof, challenge: onDPoP("invalid_dpop_proof", "DPoP proof is for another HTTP method")},
		{name: "method compared exactly", req: dpopRequest(dpopURL, "DPoP "+bound, key.Proof("get", dpopURL).For(bound).MustSign(t)),
			status: 401, kind: bearer.ErrInvalidDPoPProof, challenge: onDPoP("invalid_dpop_proof", "DPoP proof is for another HTTP method")},
		{name: "proof for another host", req: dpopRequest(dpopURL, "DPoP "+bound,
			key.Proof("GET", "http://evil.example.com/api/private").For(bound).MustSign(t)),
			status: 401, kind: bearer.ErrInvalidDPoPProof, challenge: onDPoP("invalid_dpop_proof", "DPoP proof is for another URL")},
		{name: "proof for another path", req: dpopRequest(dpopURL, "DPoP "+bound,
			key.Proof("GET", "http://api.example.com/api/private-scoped").For(bound).MustSign(t)),
			status: 401, kind: bearer.ErrInvalidDPoPProof, challenge: onDPoP("invalid_dpop_proof", "DPoP proof is for another URL")},
		{name: "proof for https, request over http", req: dpopRequest(dpopURL, "DPoP "+bound,
			key.Proof("GET", "https://api.example.com/api/private").For(bound).MustSign(t)),
			status: 401, kind: bearer.ErrInvalidDPoPProof, challenge: onDPoP("invalid_dpop_proof", "DPoP proof is for another URL")},
		{name: "proof with a relative htu", req: dpopRequest(dpopURL, "DPoP "+bound, key.Proof("GET", "/api/private").For(bound).MustSign(t)),
			status: 401, kind: bearer.ErrInvalidDPoPProof, challenge: onDPoP("invalid_dpop_proof", "DPoP proof is for another URL")},
		{name: "issued 301 s ago", req: dpopRequest(dpopURL, "DPoP "+bound, proof().IssuedAt(now.Add(-301*time.Second)).MustSign(t)),
			status: 401, kind: bearer.ErrInvalidDPoPProof, challenge: onDPoP("invalid_dpop_proof", "DPoP proof was issued too long ago")},
		{name: "issued 31 s ahead", req: dpopRequest(dpopURL, "DPoP "+bound, proof().IssuedAt(now.Add(31*time.Second)).MustSign(t)),
			status: 401, kind: bearer.ErrInvalidDPoPProof, challenge: onDPoP("invalid_dpop_proof", "DPoP proof is issued in the future")},
		{name: "no ath", req: dpopRequest(dpopURL, "DPoP "+bound, key.Proof("GET", dpopURL).MustSign(t)),
			status: 401, kind: bearer.ErrInvalidDPoPProof, challenge: onDPoP("invalid_dpop_proof", "DPoP proof is not for this access token")},
		{name: "ath of another token", req: dpopRequest(dpopURL, "DPoP "+bound, key.Proof("GET", dpopURL).For(unbound).MustSign(t)),
			status: 401, kind: bearer.ErrInvalidDPoPProof, challenge: onDPoP("invalid_dpop_proof", "DPoP proof is not for this access token")},
		{name: "proof by another key than the binding", req: dpopRequest(dpopURL, "DPoP "+bound, other.Proof("GET", dpopURL).For(bound).MustSign(t)),
			status: 401, kind: bearer.ErrInvalidDPoPProof, challenge: onDPoP("invalid_dpop_proof", "DPoP proof is not signed by the key the token is bound to")},
	}
	auth := w.authenticator(t, bearer.DPoPConfig{})
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r, answer := auth.Require(tt.req)
			if tt.status == 0 {
				require.Nil(t, answer, "%v", answer)
				got := bearer.FromContext(r.Context())
				assert.True(t, got.IsAuthenticated)
				if strings.HasPrefix(strings.ToLower(tt.req.Header.Get("Authorization")), "dpop ") {
					assert.Equal(t, key.Thumbprint(), got.DPoPKeyThumbprint())
				} else {
					assert.Empty(t, got.DPoPKeyThumbprint())
				}
				return
			}
			require.NotNil(t, answer)
			assert.Equal(t, tt.status, answer.Status)
			assert.ErrorIs(t, answer.Err, tt.kind)
			assert.Equal(t, tt.challenge, answer.Challenge())

			lax := bearer.FromContext(auth.Attach(tt.req).Context())
			assert.False(t, lax.IsAuthenticated, "the lax middleware signs the request out for the same reason")
			if tt.kind != bearer.ErrMissingToken {
				assert.ErrorIs(t, lax.Err, tt.kind)
			}
		})
	}
}

// TestDPoPReplay accepts each proof once, within and after its window.
func TestDPoPReplay(t *testing.T) {
	w := newDPoPWorld(t)
	bound := w.issuer.Token().BoundTo(w.key).ExpiresIn(24 * time.Hour).MustSign(t)
	auth := w.authenticator(t, bearer.DPoPConfig{})
	p := w.key.Proof("GET", dpopURL).For(bound).MustSign(t)
	_, answer := auth.Require(dpopRequest(dpopURL, "DPoP "+bound, p))
	require.Nil(t, answer)
	_, answer = auth.Require(dpopRequest(dpopURL, "DPoP "+bound, p))
	require.NotNil(t, answer)
	assert.ErrorIs(t, answer.Err, bearer.ErrInvalidDPoPProof)
	assert.Equal(t, "DPoP proof has been used before", answer.Err.Description)

	// Long after, the proof is too old, whatever the store remembers.
	w.clock.Advance(time.Hour)
	_, answer = auth.Require(dpopRequest(dpopURL, "DPoP "+bound, p))
	require.NotNil(t, answer)
	assert.Equal(t, "DPoP proof was issued too long ago", answer.Err.Description)

	// A proof issued as far ahead as allowed stays fresh 330 s from its
	// acceptance, the last instant included, and stays remembered longer.
	ahead := w.key.Proof("GET", dpopURL).For(bound).Claim("iat", w.clock.Now().Add(bearer.DefaultProofLeeway).Unix()).MustSign(t)
	_, answer = auth.Require(dpopRequest(dpopURL, "DPoP "+bound, ahead))
	require.Nil(t, answer)
	w.clock.Advance(bearer.DefaultMaxProofAge + bearer.DefaultProofLeeway)
	_, answer = auth.Require(dpopRequest(dpopURL, "DPoP "+bound, ahead))
	require.NotNil(t, answer, "replayed on the last instant it is fresh")
	assert.Equal(t, "DPoP proof has been used before", answer.Err.Description)
	w.clock.Advance(time.Second)
	_, answer = auth.Require(dpopRequest(dpopURL, "DPoP "+bound, ahead))
	require.NotNil(t, answer)
	assert.Equal(t, "DPoP proof was issued too long ago", answer.Err.Description)

	// A refused proof is not recorded: fixed, it is accepted.
	fresh := w.key.Proof("GET", dpopURL).For(bound).ID("retry")
	_, answer = auth.Require(dpopRequest(dpopURL, "DPoP "+bound, fresh.Clone().Claim("htm", "PUT").MustSign(t)))
	require.NotNil(t, answer)
	_, answer = auth.Require(dpopRequest(dpopURL, "DPoP "+bound, fresh.MustSign(t)))
	assert.Nil(t, answer, "the jti of a refused proof was not spent")
}

// A validator plugged in place of the verifier may verify another text
// than the one the request presents: the proof's ath is checked against
// the presented text, never against the hash the verifier took of the text
// it verified.
func TestDPoPAthIsOfThePresentedToken(t *testing.T) {
	w := newDPoPWorld(t)
	bound := w.issuer.Token().BoundTo(w.key).MustSign(t)
	keys, err := jwks.NewRemote(jwks.RemoteConfig{Issuer: w.issuer.URL(), Now: w.clock.Now})
	require.NoError(t, err)
	v, err := token.New(token.Config{
		Issuers: []token.Issuer{{Issuer: w.issuer.URL(), Audiences: []string{w.issuer.Audience()}, Keys: keys}},
		Now:     w.clock.Now,
	})
	require.NoError(t, err)
	auth, err := bearer.New(bearer.Config{Now: w.clock.Now, ValidateToken: func(ctx context.Context, _ string) (any, error) {
		return v.ValidateToken(ctx, bound) // every presented token stands for bound
	}})
	require.NoError(t, err)

	const alias = "alias-of-the-bound-token"
	_, answer := auth.Require(dpopRequest(dpopURL, "DPoP "+alias, w.key.Proof("GET", dpopURL).For(bound).MustSign(t)))
	require.NotNil(t, answer, "a proof for the verified text, not the presented one")
	assert.Equal(t, "DPoP proof is not for this access token", answer.Err.Description)
	_, answer = auth.Require(dpopRequest(dpopURL, "DPoP "+alias, w.key.Proof("GET", dpopURL).For(alias).MustSign(t)))
	assert.Nil(t, answer, "a proof for the presented text")
}

// failingStore is a replay store whose backend is down.
type failingStore struct{}

func (failingStore) Use(context.Context, string, time.Duration) (bool, error) {
	return false, errors.New("connection refused")
}

// TestDPoPReplayStoreTrouble answers 503 when a proof cannot be checked
// for replay: never accepted unchecked.
func TestDPoPReplayStoreTrouble(t *testing.T) {
	w := newDPoPWorld(t)
	bound := w.issuer.Token().BoundTo(w.key).MustSign(t)
	for name, cfg := range map[string]bearer.DPoPConfig{
		"store down": {ReplayStore: failingStore{}},
		"store full": {ReplayCapacity: 1},
	} {
		t.Run(name, func(t *testing.T) {
			auth := w.authenticator(t, cfg)
			if cfg.ReplayCapacity == 1 {
				_, answer := auth.Require(dpopRequest(dpopURL, "DPoP "+bound, w.key.Proof("GET", dpopURL).For(bound).MustSign(t)))
				require.Nil(t, answer)
			}
			_, answer := auth.Require(dpopRequest(dpopURL, "DPoP "+bound, w.key.Proof("GET", dpopURL).For(bound).MustSign(t)))
			require.NotNil(t, answer)
			assert.Equal(t, http.StatusServiceUnavailable, answer.Status)
			assert.ErrorIs(t, answer.Err, bearer.ErrUnavailable)
			assert.Equal(t, "DPoP replay check is unavailable, retry later", answer.Err.Description)
			h := http.Header{}
			answer.WriteHeaders(h)
			assert.NotEmpty(t, h.Get("Retry-After"))
			assert.Equal(t, bareBoth, h.Get("WWW-Authenticate"))
		})
	}
}

// TestDPoPRequired refuses Bearer and offers only DPoP.
func TestDPoPRequired(t *testing.T) {
	w := newDPoPWorld(t)
	auth := w.authenticator(t, bearer.DPoPConfig{Mode: bearer.DPoPRequired})
	bound := w.issuer.Token().BoundTo(w.key).Scope("read:messages").MustSign(t)
	unbound := w.issuer.Token().MustSign(t)
	const offer = `DPoP realm="api", ` + allAlgs
	tests := []struct {
		name, authorization, proof, challenge string
	}{
		{"no token", "", "", offer},
		{"unbound Bearer", "Bearer " + unbound, "", `DPoP realm="api", error="invalid_token", error_description="this API accepts only DPoP-bound tokens sent with the DPoP scheme", ` + allAlgs},
		{"bound Bearer", "Bearer " + bound, "", `DPoP realm="api", error="invalid_token", error_description="this API accepts only DPoP-bound tokens sent with the DPoP scheme", ` + allAlgs},
		{"unbound DPoP", "DPoP " + unbound, w.key.Proof("GET", dpopURL).For(unbound).MustSign(t),
			`DPoP realm="api", error="invalid_token", error_description="this API accepts only DPoP-bound tokens sent with the DPoP scheme", ` + allAlgs},
		{"bound DPoP", "DPoP " + bound, w.key.Proof("GET", dpopURL).For(bound).MustSign(t), ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var proofs []string
			if tt.proof != "" {
				proofs = append(proofs, tt.proof)
			}
			r, answer := auth.Require(dpopRequest(dpopURL, tt.authorization, proofs...))
			if tt.challenge == "" {
				require.Nil(t, answer)
				answer = bearer.RequireScopes("write:messages")(r)
				require.NotNil(t, answer)
				assert.Equal(t, `DPoP realm="api", error="insufficient_scope", error_description="token lacks the required scope", scope="write:messages", `+allAlgs,
					answer.Challenge(), "a 403 is on the DPoP challenge")
				return
			}
			require.NotNil(t, answer)
			assert.Equal(t, tt.challenge, answer.Challenge())
		})
	}
}

// TestDPoPInsufficientScopeOnTheSchemeUsed puts a 403 on DPoP's challenge
// for a DPoP request, where express-oauth2-jwt-bearer puts it on Bearer's.
func TestDPoPInsufficientScopeOnTheSchemeUsed(t *testing.T) {
	w := newDPoPWorld(t)
	auth := w.authenticator(t, bearer.DPoPConfig{})
	bound := w.issuer.Token().BoundTo(w.key).MustSign(t)
	r, answer := auth.Require(dpopRequest(dpopURL, "DPoP "+bound, w.key.Proof("GET", dpopURL).For(bound).MustSign(t)))
	require.Nil(t, answer)
	answer = bearer.RequireScopes("read:messages")(r)
	require.NotNil(t, answer)
	assert.Equal(t, http.StatusForbidden, answer.Status)
	assert.Equal(t, bearer.SchemeDPoP, answer.Err.Scheme)
	assert.Equal(t, `Bearer realm="api", DPoP realm="api", error="insufficient_scope", error_description="token lacks the required scope", scope="read:messages", `+allAlgs,
		answer.Challenge())

	unbound := w.issuer.Token().MustSign(t)
	r, answer = auth.Require(dpopRequest(dpopURL, "Bearer "+unbound))
	require.Nil(t, answer)
	answer = bearer.RequireScopes("read:messages")(r)
	require.NotNil(t, answer)
	assert.Equal(t, bearer.SchemeBearer, answer.Err.Scheme)
	assert.True(t, strings.HasPrefix(answer.Challenge(), `Bearer realm="api", error="insufficient_scope"`))
}

// TestDPoPOff does not recognise the DPoP scheme, and refuses bound tokens,
// whose binding it cannot check.
func TestDPoPOff(t *testing.T) {
	w := newDPoPWorld(t)
	auth := w.authenticator(t, bearer.DPoPConfig{Mode: bearer.DPoPOff})
	bound := w.issuer.Token().BoundTo(w.key).MustSign(t)

	_, answer := auth.Require(dpopRequest(dpopURL, "DPoP "+bound, w.key.Proof("GET", dpopURL).For(bound).MustSign(t)))
	require.NotNil(t, answer)
	assert.ErrorIs(t, answer.Err, bearer.ErrMissingToken, "another scheme: no bearer token")
	assert.Equal(t, `Bearer realm="api"`, answer.Challenge())

	_, answer = auth.Require(dpopRequest(dpopURL, "Bearer "+bound))
	require.NotNil(t, answer)
	assert.Equal(t, `Bearer realm="api", error="invalid_token", error_description="token is DPoP-bound and this API does not accept DPoP"`, answer.Challenge())

	unbound := w.issuer.Token().MustSign(t)
	_, answer = auth.Require(dpopRequest(dpopURL, "Bearer "+unbound, "a proof nobody reads"))
	assert.Nil(t, answer, "the DPoP header means nothing with DPoP off")
}

// TestDPoPNonces asks for a nonce, accepts the one it gave, and asks again
// once it expires; replicas sharing the secret accept each other's.
func TestDPoPNonces(t *testing.T) {
	w := newDPoPWorld(t)
	secret := bytes.Repeat([]byte{7}, 32)
	auth := w.authenticator(t, bearer.DPoPConfig{NonceSecret: secret})
	replica := w.authenticator(t, bearer.DPoPConfig{NonceSecret: secret})
	stranger := w.authenticator(t, bearer.DPoPConfig{NonceSecret: bytes.Repeat([]byte{8}, 32)})
	bound := w.issuer.Token().BoundTo(w.key).ExpiresIn(24 * time.Hour).MustSign(t)
	proof := func() *authtest.ProofBuilder { return w.key.Proof("GET", dpopURL).For(bound) }

	askForNonce := func(t *testing.T, answer *bearer.Answer, description string) string {
		t.Helper()
		require.NotNil(t, answer)
		assert.Equal(t, http.StatusUnauthorized, answer.Status)
		assert.ErrorIs(t, answer.Err, bearer.ErrUseDPoPNonce)
		h := http.Header{}
		answer.WriteHeaders(h)
		assert.Equal(t, `Bearer realm="api", DPoP realm="api", error="use_dpop_nonce", error_description="`+description+`", `+allAlgs,
			h.Get("WWW-Authenticate"))
		nonce := h.Get("DPoP-Nonce")
		require.NotEmpty(t, nonce)
		return nonce
	}

	_, answer := auth.Require(dpopRequest(dpopURL, "DPoP "+bound, proof().MustSign(t)))
	nonce := askForNonce(t, answer, "DPoP proof must carry a nonce from the DPoP-Nonce header")

	_, answer = auth.Require(dpopRequest(dpopURL, "DPoP "+bound, proof().Nonce(nonce).MustSign(t)))
	assert.Nil(t, answer, "the nonce given")
	_, answer = replica.Require(dpopRequest(dpopURL, "DPoP "+bound, proof().Nonce(nonce).MustSign(t)))
	assert.Nil(t, answer, "a replica sharing the secret")
	_, answer = stranger.Require(dpopRequest(dpopURL, "DPoP "+bound, proof().Nonce(nonce).MustSign(t)))
	askForNonce(t, answer, "DPoP proof nonce is invalid or expired; retry with the nonce of the DPoP-Nonce header")

	w.clock.Advance(dpop.DefaultNonceLifetime + time.Second)
	_, answer = auth.Require(dpopRequest(dpopURL, "DPoP "+bound, proof().Nonce(nonce).MustSign(t)))
	fresh := askForNonce(t, answer, "DPoP proof nonce is invalid or expired; retry with the nonce of the DPoP-Nonce header")
	assert.NotEqual(t, nonce, fresh)
	_, answer = auth.Require(dpopRequest(dpopURL, "DPoP "+bound, proof().Nonce(fresh).MustSign(t)))
	assert.Nil(t, answer)
}

// DPoPNonce hands out the nonces a proof may carry, only when nonces are on.
func TestDPoPNonceHandedOut(t *testing.T) {
	w := newDPoPWorld(t)
	bound := w.issuer.Token().BoundTo(w.key).ExpiresIn(24 * time.Hour).MustSign(t)
	auth := w.authenticator(t, bearer.DPoPConfig{NonceSecret: bytes.Repeat([]byte{7}, 32)})
	nonce, ok := auth.DPoPNonce()
	require.True(t, ok)
	_, answer := auth.Require(dpopRequest(dpopURL, "DPoP "+bound, w.key.Proof("GET", dpopURL).For(bound).Nonce(nonce).MustSign(t)))
	assert.Nil(t, answer)

	for name, cfg := range map[string]bearer.DPoPConfig{"no secret": {}, "DPoP off": {Mode: bearer.DPoPOff}} {
		nonce, ok := w.authenticator(t, cfg).DPoPNonce()
		assert.False(t, ok, name)
		assert.Empty(t, nonce, name)
	}
}

// TestDPoPRequestURL compares htu with the public origin, or with trusted
// forwarded headers, when the API sits behind a proxy.
func TestDPoPRequestURL(t *testing.T) {
	w := newDPoPWorld(t)
	bound := w.issuer.Token().BoundTo(w.key).MustSign(t)
	const backend = "http://10.0.0.7:8080/api/private"
	const public = "https://api.example.com/api/private"
	forwarded := func(r *http.Request) *http.Request {
		r.Header.Set("X-Forwarded-Proto", "https")
		r.Header.Set("X-Forwarded-Host", "api.example.com")
		return r
	}
	tests := []struct {
		name string
		cfg  bearer.DPoPConfig
		req  func(proof string) *http.Request
		htu  string
		ok   bool
	}{
		{"own URL", bearer.DPoPConfig{}, func(p string) *http.Request { return dpopRequest(backend, "DPoP "+bound, p) }, backend, true},
		{"behind a proxy, public URL refused", bearer.DPoPConfig{}, func(p string) *http.Request { return dpopRequest(backend, "DPoP "+bound, p) }, public, false},
		{"public origin", bearer.DPoPConfig{PublicOrigin: "https://api.example.com"},
			func(p string) *http.Request { return dpopRequest(backend, "DPoP "+bound, p) }, public, true},
		{"public origin, backend URL refused", bearer.DPoPConfig{PublicOrigin: "https://api.example.com"},
			func(p string) *http.Request { return dpopRequest(backend, "DPoP "+bound, p) }, backend, false},
		{"forwarded headers trusted", bearer.DPoPConfig{TrustForwardedHeaders: true},
			func(p string) *http.Request { return forwarded(dpopRequest(backend, "DPoP "+bound, p)) }, public, true},
		{"forwarded headers untrusted", bearer.DPoPConfig{},
			func(p string) *http.Request { return forwarded(dpopRequest(backend, "DPoP "+bound, p)) }, public, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			auth := w.authenticator(t, tt.cfg)
			_, answer := auth.Require(tt.req(w.key.Proof("GET", tt.htu).For(bound).MustSign(t)))
			if tt.ok {
				assert.Nil(t, answer)
				return
			}
			require.NotNil(t, answer)
			assert.Equal(t, "DPoP proof is for another URL", answer.Err.Description)
		})
	}
}

// TestDPoPAlgorithms accepts the configured proof algorithms only, and
// offers them in challenges.
func TestDPoPAlgorithms(t *testing.T) {
	w := newDPoPWorld(t)
	auth := w.authenticator(t, bearer.DPoPConfig{Algorithms: []string{"ES256", "PS256"}})
	ed := authtest.MustDPoPKey(t, "EdDSA").WithClock(w.clock.Now)
	bound := w.issuer.Token().BoundTo(ed).MustSign(t)
	_, answer := auth.Require(dpopRequest(dpopURL, "DPoP "+bound, ed.Proof("GET", dpopURL).For(bound).MustSign(t)))
	require.NotNil(t, answer)
	assert.Equal(t, `Bearer realm="api", DPoP realm="api", error="invalid_dpop_proof", error_description="DPoP proof algorithm is not allowed", algs="ES256 PS256"`,
		answer.Challenge())
}

func TestDPoPConfigMistakes(t *testing.T) {
	tests := []struct {
		name string
		cfg  bearer.DPoPConfig
		want string
	}{
		{"off with settings", bearer.DPoPConfig{Mode: bearer.DPoPOff, NonceSecret: make([]byte, 32)}, "DPoP.Mode is DPoPOff, so the other DPoP settings would have no effect"},
		{"unknown mode", bearer.DPoPConfig{Mode: 7}, "DPoP.Mode 7 is not DPoPAllowed, DPoPRequired or DPoPOff"},
		{"HMAC algorithm", bearer.DPoPConfig{Algorithms: []string{"HS256"}}, `DPoP.Algorithms entry "HS256" is not an asymmetric algorithm`},
		{"negative age", bearer.DPoPConfig{MaxProofAge: -time.Second}, "DPoP.MaxProofAge must not be negative"},
		{"negative capacity", bearer.DPoPConfig{ReplayCapacity: -1}, "DPoP.MaxProofBytes and DPoP.ReplayCapacity must not be negative"},
		{"store and capacity", bearer.DPoPConfig{ReplayStore: failingStore{}, ReplayCapacity: 10}, "DPoP.ReplayCapacity bounds the default replay store"},
		{"short nonce secret", bearer.DPoPConfig{NonceSecret: []byte("short")}, "bearer: DPoP.NonceSecret has 5 bytes; use at least 32 random bytes"},
		{"short previous secret", bearer.DPoPConfig{NonceSecret: make([]byte, 32), PreviousNonceSecrets: [][]byte{make([]byte, 32), []byte("old")}},
			"bearer: DPoP.PreviousNonceSecrets[1] has 3 bytes"},
		{"lifetime without secret", bearer.DPoPConfig{NonceLifetime: time.Minute}, "DPoP.NonceLifetime apply to the nonces of DPoP.NonceSecret; set it too"},
		{"previous secrets without secret", bearer.DPoPConfig{PreviousNonceSecrets: [][]byte{make([]byte, 32)}}, "set it too"},
		{"bad public origin", bearer.DPoPConfig{PublicOrigin: "api.example.com"}, `DPoP.PublicOrigin: dpop: public origin "api.example.com" must be an absolute http(s) URL`},
		{"origin and forwarded", bearer.DPoPConfig{PublicOrigin: "https://api.example.com", TrustForwardedHeaders: true}, "TrustForwardedHeaders would have no effect"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := bearer.New(bearer.Config{Issuer: "https://tenant.auth0.com/", Audience: []string{"https://api.example.com"}, DPoP: tt.cfg})
			assert.ErrorContains(t, err, tt.want)
		})
	}
}

func TestParseDPoPMode(t *testing.T) {
	for _, m := range []bearer.DPoPMode{bearer.DPoPAllowed, bearer.DPoPRequired, bearer.DPoPOff} {
		got, err := bearer.ParseDPoPMode(strings.ToUpper(m.String()))
		require.NoError(t, err)
		assert.Equal(t, m, got)
	}
	_, err := bearer.ParseDPoPMode("sometimes")
	assert.ErrorContains(t, err, `DPoP mode "sometimes" is not off, allowed or required`)
}
