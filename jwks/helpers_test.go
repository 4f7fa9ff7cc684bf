package jwks

import (
	"context"
	"crypto"
	"crypto/ecdsa"
	"crypto/ed25519"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/rsa"
	"crypto/x509"
	"encoding/asn1"
	"encoding/json"
	"encoding/pem"
	"math/big"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	jose "github.com/go-jose/go-jose/v4"
	"github.com/stretchr/testify/require"

	"github.com/scopegate/scopegate/authtest"
	"github.com/scopegate/scopegate/internal/jwssign"
)

// testKeySet holds the keys every test of the package signs and verifies
// with. RSA generation costs up to a second on a busy machine, so the keys are
// made once per test binary, side by side, and shared read-only.
type testKeySet struct {
	rsa     *rsa.PrivateKey // 2048 bits
	rsa2    *rsa.PrivateKey // 2048 bits, a different key: "the wrong key"
	rsa1024 *rsa.PrivateKey // too weak to be accepted anywhere
	p256    *ecdsa.PrivateKey
	p256b   *ecdsa.PrivateKey
	p384    *ecdsa.PrivateKey
	p521    *ecdsa.PrivateKey
	p224    *ecdsa.PrivateKey // a curve JWS does not use
	ed      ed25519.PrivateKey
	ed2     ed25519.PrivateKey
}

var (
	testKeysOnce sync.Once
	testKeysVal  *testKeySet
	testKeysErr  error
)

// testKeys returns the shared keys, generating them on first use.
func testKeys(t testing.TB) *testKeySet {
	t.Helper()
	testKeysOnce.Do(func() {
		k := &testKeySet{}
		var wg sync.WaitGroup
		var mu sync.Mutex
		rsaKey := func(bits int, dst **rsa.PrivateKey) {
			wg.Add(1)
			go func() {
				defer wg.Done()
				key, err := rsa.GenerateKey(rand.Reader, bits)
				mu.Lock()
				defer mu.Unlock()
				if err != nil && testKeysErr == nil {
					testKeysErr = err
				}
				*dst = key
			}()
		}
		rsaKey(2048, &k.rsa)
		rsaKey(2048, &k.rsa2)
		rsaKey(1024, &k.rsa1024)
		var err error
		ec := func(c elliptic.Curve) *ecdsa.PrivateKey {
			key, e := ecdsa.GenerateKey(c, rand.Reader)
			if e != nil && err == nil {
				err = e
			}
			return key
		}
		k.p256, k.p256b, k.p384, k.p521, k.p224 = ec(elliptic.P256()), ec(elliptic.P256()), ec(elliptic.P384()), ec(elliptic.P521()), ec(elliptic.P224())
		if _, k.ed, err = ed25519.GenerateKey(rand.Reader); err == nil {
			_, k.ed2, err = ed25519.GenerateKey(rand.Reader)
		}
		wg.Wait()
		if testKeysErr == nil {
			testKeysErr = err
		}
		testKeysVal = k
	})
	require.NoError(t, testKeysErr, "generate test keys")
	return testKeysVal
}

// hmacSecret returns n deterministic bytes, enough for an HMAC key in tests.
func hmacSecret(n int) []byte {
	b := make([]byte, n)
	for i := range b {
		b[i] = byte(i*7 + 1)
	}
	return b
}

// jwkJSON renders key as a JWK the way issuers publish them.
func jwkJSON(t testing.TB, key any, kid, alg, use string) json.RawMessage {
	t.Helper()
	b, err := jose.JSONWebKey{Key: key, KeyID: kid, Algorithm: alg, Use: use}.MarshalJSON()
	require.NoError(t, err)
	return b
}

// jwkWith renders key as a JWK and then sets (or, with a nil value, deletes)
// members, for JWKs no well-behaved encoder would produce.
func jwkWith(t testing.TB, key any, kid, alg string, members map[string]any) json.RawMessage {
	t.Helper()
	var m map[string]any
	require.NoError(t, json.Unmarshal(jwkJSON(t, key, kid, alg, ""), &m))
	for name, v := range members {
		if v == nil {
			delete(m, name)
		} else {
			m[name] = v
		}
	}
	b, err := json.Marshal(m)
	require.NoError(t, err)
	return b
}

// jwksJSON wraps JWKs in a JWK Set.
func jwksJSON(t testing.TB, keys ...json.RawMessage) []byte {
	t.Helper()
	if keys == nil {
		keys = []json.RawMessage{}
	}
	b, err := json.Marshal(map[string]any{"keys": keys})
	require.NoError(t, err)
	return b
}

// pemBlock encodes der as a PEM block of type typ.
func pemBlock(typ string, der []byte) []byte {
	return pem.EncodeToMemory(&pem.Block{Type: typ, Bytes: der})
}

// pkixPEM encodes a public key as "PUBLIC KEY" PEM.
func pkixPEM(t testing.TB, pub any) []byte {
	t.Helper()
	der, err := x509.MarshalPKIXPublicKey(pub)
	require.NoError(t, err)
	return pemBlock("PUBLIC KEY", der)
}

// hashOf returns the hash of a JWS algorithm name, for the signature forms
// jwssign.Sign does not make: PSS with other salts, ECDSA in DER.
func hashOf(alg string) crypto.Hash {
	switch {
	case strings.HasSuffix(alg, "384"):
		return crypto.SHA384
	case strings.HasSuffix(alg, "512"):
		return crypto.SHA512
	default:
		return crypto.SHA256
	}
}

func digestOf(alg string, input []byte) []byte {
	h := hashOf(alg).New()
	h.Write(input)
	return h.Sum(nil)
}

// ecdsaRS signs input and returns R and S, and the DER form of the same
// signature: the parts of the malformed forms that jwssign.Sign, which
// returns only the valid JWS form, never makes.
func ecdsaRS(t testing.TB, key *ecdsa.PrivateKey, alg string, input []byte) (r, s *big.Int, der []byte) {
	t.Helper()
	der, err := ecdsa.SignASN1(rand.Reader, key, digestOf(alg, input))
	require.NoError(t, err)
	var sig struct{ R, S *big.Int }
	rest, err := asn1.Unmarshal(der, &sig)
	require.NoError(t, err)
	require.Empty(t, rest)
	return sig.R, sig.S, der
}

// fixedRS encodes R and S as JWS wants them, each padded to the curve's byte
// size (jwssign.FixedRS).
func fixedRS(r, s *big.Int, curve elliptic.Curve) []byte {
	return jwssign.FixedRS(r, s, (curve.Params().BitSize+7)/8)
}

// sign produces a JWS signature over input with alg (jwssign.Sign),
// independently of the package under test.
func sign(t testing.TB, alg string, key any, input []byte) []byte {
	t.Helper()
	sig, err := jwssign.Sign(alg, key, input)
	require.NoError(t, err)
	return sig
}

// newTestClock returns a clock that moves only when the test says so.
func newTestClock() *authtest.Clock {
	return authtest.NewClock(time.Date(2030, time.January, 2, 3, 4, 5, 0, time.UTC))
}

// keyServer is a loopback HTTP server publishing a JWK Set at /jwks.json.
// Each path's answer can be replaced, and every request is counted, so that
// tests can assert how often a Remote fetched. Unlike authtest's issuer it
// generates no keys, which keeps each test in the milliseconds.
type keyServer struct {
	srv *httptest.Server

	mu           sync.Mutex
	body         []byte
	cacheControl string
	handlers     map[string]http.Handler
	counts       map[string]int
}

const jwksPath = "/jwks.json"

func newKeyServer(t testing.TB, body []byte) *keyServer {
	t.Helper()
	s := &keyServer{body: body, handlers: map[string]http.Handler{}, counts: map[string]int{}}
	s.srv = httptest.NewServer(http.HandlerFunc(s.serve))
	t.Cleanup(s.srv.Close)
	return s
}

func (s *keyServer) serve(w http.ResponseWriter, r *http.Request) {
	s.mu.Lock()
	s.counts[r.URL.Path]++
	h := s.handlers[r.URL.Path]
	s.mu.Unlock()
	if h == nil {
		h = s.defaultHandler(r.URL.Path)
	}
	h.ServeHTTP(w, r)
}

// defaultHandler is what path answers when no handler replaces it: the
// current key set at /jwks.json, 404 elsewhere.
func (s *keyServer) defaultHandler(path string) http.Handler {
	if path != jwksPath {
		return http.NotFoundHandler()
	}
	return http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
		s.mu.Lock()
		body, cc := s.body, s.cacheControl
		s.mu.Unlock()
		w.Header().Set("Content-Type", "application/json")
		if cc != "" {
			w.Header().Set("Cache-Control", cc)
		}
		_, _ = w.Write(body)
	})
}

// URL returns the JWKS URL.
func (s *keyServer) URL() string { return s.srv.URL + jwksPath }

func (s *keyServer) setBody(b []byte) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.body = b
}

func (s *keyServer) setCacheControl(v string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.cacheControl = v
}

// handle replaces the answer at path; nil restores the default.
func (s *keyServer) handle(path string, h http.Handler) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if h == nil {
		delete(s.handlers, path)
		return
	}
	s.handlers[path] = h
}

func (s *keyServer) requests(path string) int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.counts[path]
}

// gate is a handler wrapper that holds requests until opened, and tells when
// one has arrived, so that tests can observe a fetch in flight without
// sleeping.
type gate struct {
	arrived chan struct{}
	open    chan struct{}
	once    sync.Once
	t       testing.TB
}

func newGate(t testing.TB) *gate {
	g := &gate{arrived: make(chan struct{}, 100), open: make(chan struct{}), t: t}
	t.Cleanup(g.release) // never leave a handler blocked behind a closing server
	return g
}

func (g *gate) wrap(h http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		g.arrived <- struct{}{}
		select {
		case <-g.open:
			h.ServeHTTP(w, r)
		case <-r.Context().Done():
		}
	})
}

func (g *gate) release() { g.once.Do(func() { close(g.open) }) }

// waitArrived waits for a request to reach the gate.
func (g *gate) waitArrived() {
	g.t.Helper()
	select {
	case <-g.arrived:
	case <-time.After(10 * time.Second):
		g.t.Fatal("no request reached the server")
	}
}

// hang answers nothing until the client gives up: a fetch timeout in a box.
var hang = http.HandlerFunc(func(_ http.ResponseWriter, r *http.Request) { <-r.Context().Done() })

// waitingCtx is a context that tells when someone starts waiting on it.
// Remote.Key looks at its context only to wait for a fetch it has joined, so
// the signal proves that a lookup is attached to the fetch in flight and can
// no longer start one of its own.
type waitingCtx struct {
	context.Context
	waiting chan<- struct{}
	once    sync.Once
}

func (c *waitingCtx) Done() <-chan struct{} {
	c.once.Do(func() { c.waiting <- struct{}{} })
	return c.Context.Done()
}

// inflight returns the fetch the Remote is running, or nil.
func inflight(r *Remote) *fetchCall {
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.inflight
}

// waitFetch waits for the Remote's fetch in flight, if any, to finish. It
// relies on the package's own bookkeeping instead of sleeping.
func waitFetch(t testing.TB, r *Remote) {
	t.Helper()
	call := inflight(r)
	if call == nil {
		return
	}
	select {
	case <-call.done:
	case <-time.After(10 * time.Second):
		t.Fatal("the background fetch did not finish")
	}
}

// lastErr returns the error of the last failed fetch, nil after a success.
func lastErr(r *Remote) error {
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.lastErr
}

// metadata serves a discovery document naming issuer and jwksURI.
func metadata(t testing.TB, issuer, jwksURI string) http.Handler {
	t.Helper()
	b, err := json.Marshal(map[string]string{"issuer": issuer, "jwks_uri": jwksURI})
	require.NoError(t, err)
	return answerBody(b)
}
