package echoauth_test

// The machinery behind adversarial_test.go: a fixture that serves the real
// middlewares over HTTP on loopback, attacker keys made once per process, the
// token-forging helpers, and the invariants every refused request must hold.

import (
	"bufio"
	"bytes"
	"context"
	"crypto"
	"crypto/ecdsa"
	"crypto/ed25519"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/rsa"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"math/big"
	"net"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/labstack/echo/v4"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/scopegate/scopegate/authtest"
	"github.com/scopegate/scopegate/bearer"
	"github.com/scopegate/scopegate/echoauth"
	"github.com/scopegate/scopegate/internal/conformance"
	"github.com/scopegate/scopegate/internal/jwssign"
	"github.com/scopegate/scopegate/internal/syncbuf"
	"github.com/scopegate/scopegate/jwks"
	"github.com/scopegate/scopegate/token"
)

// Routes of the adversarial app. Every one is CheckJWT followed by
// RequireScopes("read:messages"), over a different key configuration.
const (
	// advRemote fetches the issuer's keys by discovery, with every default.
	advRemote = "/api/private-scoped"
	// advStatic holds the issuer's RSA key as a static PEM key without kid
	// and without a pinned algorithm: the configuration most exposed to
	// HS256/RS256 confusion.
	advStatic = "/static/private-scoped"
	// advSources holds the issuer's published keys statically and also
	// reads the token from the access_token query parameter and the
	// __session cookie.
	advSources = "/sources/private-scoped"
	// advAccessType holds the published keys statically and demands RFC 9068
	// access tokens (RequireAccessTokenType).
	advAccessType = "/at/private-scoped"
	// advWeak fetches a key set where the issuer's keys sit beside weak and
	// unusable ones.
	advWeak = "/weak/private-scoped"
	// advDown fetches keys from a server that always fails.
	advDown = "/down/private-scoped"
	// advAnyScoped and advAnyCheckOnly accept every method, OPTIONS
	// included, the first behind CheckJWT and RequireScopes, the second
	// behind CheckJWT alone.
	advAnyScoped    = "/any/private-scoped"
	advAnyCheckOnly = "/any/private"
)

// advScope is the scope every route requires and default tokens carry.
const advScope = "read:messages"

// advPlanted marks claim values and kids the answers must never echo.
const advPlanted = "PLANTED"

// advCaseHeader carries a request's identity to the handler and the error
// handler, so that "the handler did not run" is checked per request.
const advCaseHeader = "X-Adv-Case"

// advKeys are the attacker's and the weak keys, generated once per process:
// RSA generation dominates the suite's run time otherwise.
type advKeys struct {
	rsa     *rsa.PrivateKey   // attacker RSA-2048
	rsa1024 *rsa.PrivateKey   // too short
	rsaE3   *rsa.PrivateKey   // 2048 bits, public exponent 3
	ec      *ecdsa.PrivateKey // attacker P-256
	ed      ed25519.PrivateKey
	certDER []byte // self-signed certificate of the attacker's RSA key
}

var (
	advKeysOnce sync.Once
	advKeysVal  *advKeys
	advKeysErr  error
)

func advAttackerKeys(t *testing.T) *advKeys {
	t.Helper()
	advKeysOnce.Do(func() { advKeysVal, advKeysErr = newAdvKeys() })
	require.NoError(t, advKeysErr)
	return advKeysVal
}

func newAdvKeys() (*advKeys, error) {
	k := &advKeys{}
	var err error
	if k.rsa, err = authtest.NewRSAKey(2048); err != nil {
		return nil, err
	}
	if k.rsa1024, err = authtest.NewRSAKey(1024); err != nil {
		return nil, err
	}
	if k.rsaE3, err = newRSAKeyE3(); err != nil {
		return nil, err
	}
	if k.ec, err = authtest.NewECKey(elliptic.P256()); err != nil {
		return nil, err
	}
	if k.ed, err = authtest.NewEd25519Key(); err != nil {
		return nil, err
	}
	tmpl := &x509.Certificate{
		SerialNumber:          big.NewInt(1),
		Subject:               pkix.Name{CommonName: "attacker"},
		NotBefore:             time.Unix(0, 0),
		NotAfter:              time.Unix(1<<33, 0),
		BasicConstraintsValid: true,
		IsCA:                  true,
		KeyUsage:              x509.KeyUsageDigitalSignature | x509.KeyUsageCertSign,
	}
	if k.certDER, err = x509.CreateCertificate(rand.Reader, tmpl, tmpl, &k.rsa.PublicKey, k.rsa); err != nil {
		return nil, err
	}
	return k, nil
}

// newRSAKeyE3 makes a 2048-bit RSA key with public exponent 3, which
// rsa.GenerateKey never does: an issuer publishing one is what the
// low-exponent rule exists for.
func newRSAKeyE3() (*rsa.PrivateKey, error) {
	one, three := big.NewInt(1), big.NewInt(3)
	// prime returns a 1024-bit prime p with p-1 prime to 3, so that 3 is
	// invertible modulo (p-1)(q-1).
	prime := func() (*big.Int, error) {
		for {
			p, err := rand.Prime(rand.Reader, 1024)
			if err != nil {
				return nil, err
			}
			if new(big.Int).Mod(new(big.Int).Sub(p, one), three).Sign() != 0 {
				return p, nil
			}
		}
	}
	for range 16 {
		p, err := prime()
		if err != nil {
			return nil, err
		}
		q, err := prime()
		if err != nil {
			return nil, err
		}
		n := new(big.Int).Mul(p, q)
		if p.Cmp(q) == 0 || n.BitLen() != 2048 {
			continue
		}
		phi := new(big.Int).Mul(new(big.Int).Sub(p, one), new(big.Int).Sub(q, one))
		k := &rsa.PrivateKey{PublicKey: rsa.PublicKey{N: n, E: 3}, D: new(big.Int).ModInverse(three, phi), Primes: []*big.Int{p, q}}
		k.Precompute()
		if k.Validate() == nil {
			return k, nil
		}
	}
	return nil, fmt.Errorf("no e=3 RSA key found")
}

// advCounter is a loopback server that counts every request it gets.
type advCounter struct {
	srv   *httptest.Server
	count atomic.Int64
}

func newAdvCounter(t *testing.T, h http.Handler) *advCounter {
	c := &advCounter{}
	c.srv = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		c.count.Add(1)
		h.ServeHTTP(w, r)
	}))
	t.Cleanup(c.srv.Close)
	return c
}

// advFixture is the app under attack: one Echo server on loopback with a
// route per key configuration, all sharing one clock and one issuer.
type advFixture struct {
	// clock is injected everywhere: verification, key caching and token
	// minting all read it, so expiry boundaries are exact and cooldowns pass
	// without sleeping.
	clock  *authtest.Clock
	issuer *authtest.Issuer
	keys   *advKeys
	srv    *httptest.Server
	client *http.Client

	remote *echoauth.Authenticator
	auths  map[string]*echoauth.Authenticator // by route
	// spy stands for the attacker's server, named by jku/x5u headers: it
	// must never be contacted.
	spy *advCounter
	// weak serves the issuer's keys mixed with weak ones; down always fails.
	weak, down *advCounter
	// weakSecret is the HMAC secret the weak key set publishes as an oct key.
	weakSecret []byte
	// offCurve is the P-256 "public key" off its curve in the weak set.
	offCurveX, offCurveY []byte

	seq    atomic.Int64
	ran    sync.Map // case id → true when the handler ran
	errs   sync.Map // case id → Error() of what the app's error handler got
	panics sync.Map // case id → recovered value
	// logs collects what the library logs, to check it for token contents.
	logs syncbuf.Buffer
}

func newAdvFixture(t *testing.T) *advFixture {
	t.Helper()
	fx := &advFixture{
		clock: authtest.NewClock(time.Date(2026, 1, 1, 12, 0, 0, 0, time.UTC)),
		keys:  advAttackerKeys(t),
		auths: map[string]*echoauth.Authenticator{},
	}
	fx.issuer = authtest.NewIssuer(t, authtest.WithClock(fx.clock.Now))
	fx.weakSecret = bytes.Repeat([]byte("s3cr3t-published-in-a-jwks!"), 2)[:32]

	fx.spy = newAdvCounter(t, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		// What an attacker would serve: its own key set, its certificate.
		w.Header().Set("Content-Type", "application/json")
		_, _ = w.Write(fx.attackerJWKS())
	}))
	weakBody := fx.weakJWKS(t)
	fx.weak = newAdvCounter(t, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		w.Header().Set("Cache-Control", "max-age=600")
		_, _ = w.Write(weakBody)
	}))
	fx.down = newAdvCounter(t, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		http.Error(w, "upstream is down", http.StatusInternalServerError)
	}))

	e := echo.New()
	e.HideBanner, e.HidePort = true, true
	defaultHandler := e.HTTPErrorHandler
	e.HTTPErrorHandler = func(err error, c echo.Context) {
		fx.errs.Store(c.Request().Header.Get(advCaseHeader), err.Error())
		defaultHandler(err, c)
	}
	e.Use(func(next echo.HandlerFunc) echo.HandlerFunc {
		return func(c echo.Context) (err error) {
			defer func() {
				if v := recover(); v != nil {
					fx.panics.Store(c.Request().Header.Get(advCaseHeader), fmt.Sprint(v))
					err = echo.NewHTTPError(http.StatusInternalServerError, "panic")
				}
			}()
			return next(c)
		}
	})
	handler := func(c echo.Context) error {
		fx.ran.Store(c.Request().Header.Get(advCaseHeader), true)
		return c.String(http.StatusOK, "ok")
	}

	logger := slog.New(slog.NewTextHandler(&fx.logs, &slog.HandlerOptions{Level: slog.LevelDebug}))
	base := echoauth.Config{
		Issuer:   fx.issuer.URL(),
		Audience: []string{fx.issuer.Audience()},
		Now:      fx.clock.Now,
		Logger:   logger,
	}
	published, err := jwks.ParseJWKS(fx.issuer.JWKS())
	require.NoError(t, err)
	publishedSource, err := jwks.NewStatic(published...)
	require.NoError(t, err)
	pemKey, err := jwks.ParsePEM(fx.issuer.PublicKeyPEM("RS256"), "", "")
	require.NoError(t, err)
	pemSource, err := jwks.NewStatic(pemKey)
	require.NoError(t, err)

	routes := []struct {
		path   string
		adjust func(*echoauth.Config)
	}{
		{advRemote, func(*echoauth.Config) {}},
		{advStatic, func(c *echoauth.Config) { c.Keys = pemSource }},
		{advSources, func(c *echoauth.Config) {
			c.Keys, c.QueryParameter, c.Cookie = publishedSource, "access_token", "__session"
		}},
		{advAccessType, func(c *echoauth.Config) { c.Keys, c.RequireAccessTokenType = publishedSource, true }},
		{advWeak, func(c *echoauth.Config) { c.JWKSURL = fx.weak.srv.URL + "/jwks.json" }},
		{advDown, func(c *echoauth.Config) { c.JWKSURL = fx.down.srv.URL + "/jwks.json" }},
	}
	for _, r := range routes {
		cfg := base
		r.adjust(&cfg)
		auth, err := echoauth.New(cfg)
		require.NoError(t, err, r.path)
		e.GET(r.path, handler, auth.CheckJWT(), echoauth.RequireScopes(advScope))
		fx.auths[r.path] = auth
	}
	fx.remote = fx.auths[advRemote]
	e.Any(advAnyScoped, handler, fx.remote.CheckJWT(), echoauth.RequireScopes(advScope))
	e.Any(advAnyCheckOnly, handler, fx.remote.CheckJWT())
	// The remote route starts with its keys, so that fetch counts measure
	// only what attacks cause.
	require.NoError(t, fx.remote.Prefetch(context.Background()))

	fx.srv = httptest.NewServer(e)
	t.Cleanup(fx.srv.Close)
	fx.client = &http.Client{Timeout: 10 * time.Second}
	return fx
}

// attackerJWKS is the key set an attacker's jku would name.
func (fx *advFixture) attackerJWKS() []byte {
	return fmt.Appendf(nil, `{"keys":[%s]}`, rsaJWK(&fx.keys.rsa.PublicKey, "attacker-"+advPlanted, "RS256", ""))
}

// weakJWKS is the issuer's real key set followed by keys a verifier must
// skip: too short, a small exponent, off its curve, symmetric, meant for
// encryption, private, pinned to an algorithm its type cannot do.
func (fx *advFixture) weakJWKS(t *testing.T) []byte {
	var set struct {
		Keys []json.RawMessage `json:"keys"`
	}
	require.NoError(t, json.Unmarshal(fx.issuer.JWKS(), &set))
	k := fx.keys
	x, y := k.ec.X.FillBytes(make([]byte, 32)), k.ec.Y.FillBytes(make([]byte, 32))
	y[31] ^= 1 // off the curve: y² ≠ x³ - 3x + b for this x
	fx.offCurveX, fx.offCurveY = x, y
	b64 := base64.RawURLEncoding.EncodeToString
	ecPriv := fmt.Sprintf(`{"kty":"EC","crv":"P-256","kid":"private-ec","alg":"ES256","x":%q,"y":%q,"d":%q}`,
		b64(k.ec.X.FillBytes(make([]byte, 32))), b64(k.ec.Y.FillBytes(make([]byte, 32))), b64(k.ec.D.FillBytes(make([]byte, 32))))
	extra := []string{
		rsaJWK(&k.rsa1024.PublicKey, "weak-rsa-1024", "RS256", `"use":"sig",`),
		rsaJWK(&k.rsaE3.PublicKey, "weak-rsa-e3", "RS256", `"use":"sig",`),
		fmt.Sprintf(`{"kty":"EC","crv":"P-256","kid":"weak-ec-off-curve","alg":"ES256","use":"sig","x":%q,"y":%q}`, b64(x), b64(y)),
		fmt.Sprintf(`{"kty":"oct","kid":"remote-oct","alg":"HS256","use":"sig","k":%q}`, b64(fx.weakSecret)),
		rsaJWK(&k.rsa.PublicKey, "use-enc", "RS256", `"use":"enc",`),
		rsaJWK(&k.rsa.PublicKey, "key-ops-encrypt", "RS256", `"key_ops":["encrypt"],`),
		rsaJWK(&k.rsa.PublicKey, "rsa-pinned-hs256", "HS256", ""),
		ecPriv,
	}
	for _, e := range extra {
		set.Keys = append(set.Keys, json.RawMessage(e))
	}
	body, err := json.Marshal(set)
	require.NoError(t, err)
	return body
}

// rsaJWK renders an RSA public JWK; extra is inserted verbatim (with its
// trailing comma) before "n".
func rsaJWK(pub *rsa.PublicKey, kid, alg, extra string) string {
	b64 := base64.RawURLEncoding.EncodeToString
	return fmt.Sprintf(`{"kty":"RSA","kid":%q,"alg":%q,%s"n":%q,"e":%q}`,
		kid, alg, extra, b64(pub.N.Bytes()), b64(big.NewInt(int64(pub.E)).Bytes()))
}

// publishedJWK returns the issuer's published JWK with this kid, as bytes.
func (fx *advFixture) publishedJWK(t *testing.T, kid string) []byte {
	var set struct {
		Keys []json.RawMessage `json:"keys"`
	}
	require.NoError(t, json.Unmarshal(fx.issuer.JWKS(), &set))
	for _, k := range set.Keys {
		var m struct {
			Kid string `json:"kid"`
		}
		require.NoError(t, json.Unmarshal(k, &m))
		if m.Kid == kid {
			return k
		}
	}
	t.Fatalf("no published key %q", kid)
	return nil
}

// token starts a token the issuer would mint, carrying the required scope
// and planted values that answers must never echo.
func (fx *advFixture) token() *authtest.TokenBuilder {
	return fx.issuer.Token().Scope(advScope).Subject(advPlanted+"-subject").Claim("planted", advPlanted+"-claim-value")
}

// claims are the claims of fx.token as a map, for tokens signed from exact
// bytes.
func (fx *advFixture) claims() map[string]any {
	now := fx.clock.Now()
	return map[string]any{
		"iss":     fx.issuer.URL(),
		"sub":     advPlanted + "-subject",
		"aud":     fx.issuer.Audience(),
		"iat":     now.Unix(),
		"exp":     now.Add(time.Hour).Unix(),
		"scope":   advScope,
		"planted": advPlanted + "-claim-value",
	}
}

// header is the issuer's RS256 header with changes; a nil value removes a
// parameter.
func (fx *advFixture) header(changes map[string]any) map[string]any {
	h := map[string]any{"alg": "RS256", "kid": fx.issuer.KeyID("RS256"), "typ": "JWT"}
	for k, v := range changes {
		if v == nil {
			delete(h, k)
			continue
		}
		h[k] = v
	}
	return h
}

// advJSON marshals v; it must not fail.
func advJSON(t *testing.T, v any) []byte {
	t.Helper()
	b, err := json.Marshal(v)
	require.NoError(t, err)
	return b
}

// signRaw signs exact header and payload bytes (authtest.SignRaw).
func signRaw(t *testing.T, alg string, key any, header, payload []byte) string {
	t.Helper()
	tok, err := authtest.SignRaw(alg, key, header, payload)
	require.NoError(t, err)
	return tok
}

// signSegments signs the exact signing input headerSeg "." payloadSeg, which
// need not be canonical base64url, and appends the canonical base64url
// signature: the issuer's key vouches for bytes a strict decoder refuses.
func signSegments(t *testing.T, alg string, key crypto.Signer, headerSeg, payloadSeg string) string {
	t.Helper()
	input := headerSeg + "." + payloadSeg
	return input + "." + base64.RawURLEncoding.EncodeToString(signInput(t, alg, key, []byte(input)))
}

// signInput computes a JWS signature over input (jwssign.Sign).
func signInput(t *testing.T, alg string, key crypto.Signer, input []byte) []byte {
	t.Helper()
	sig, err := jwssign.Sign(alg, key, input)
	require.NoError(t, err)
	return sig
}

// advSegments splits a compact token; it must have three segments.
func advSegments(t *testing.T, tok string) (h, p, s string) {
	t.Helper()
	parts := strings.Split(tok, ".")
	require.Len(t, parts, 3)
	return parts[0], parts[1], parts[2]
}

// nonCanonical returns seg with its last character replaced by a sibling
// that lenient base64url decoding maps to the same bytes (only the unused
// trailing bits differ), or false when seg has no unused bits.
func nonCanonical(seg string) (string, bool) {
	const alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_"
	want, err := base64.RawURLEncoding.DecodeString(seg)
	if err != nil || len(seg)%4 == 0 {
		return "", false
	}
	last := strings.IndexByte(alphabet, seg[len(seg)-1])
	for bit := 1; bit < 16; bit++ {
		sibling := seg[:len(seg)-1] + string(alphabet[last^bit])
		got, err := base64.RawURLEncoding.DecodeString(sibling)
		if err == nil && bytes.Equal(got, want) {
			if _, strictErr := base64.RawURLEncoding.Strict().DecodeString(sibling); strictErr != nil {
				return sibling, true
			}
		}
	}
	return "", false
}

// tokenOfLength is a valid RS256 token of exactly n bytes, padded through an
// ignored header parameter and a claim.
func (fx *advFixture) tokenOfLength(t *testing.T, n int) string {
	t.Helper()
	enc := base64.RawURLEncoding
	signer := fx.issuer.Signer("RS256")
	sigLen := enc.EncodedLen(signer.Public().(*rsa.PublicKey).Size())
	for hp := 0; hp < 4; hp++ {
		header := advJSON(t, fx.header(map[string]any{"x-pad": strings.Repeat("h", hp)}))
		rest := n - enc.EncodedLen(len(header)) - 2 - sigLen
		claims := fx.claims()
		claims["pad"] = ""
		baseLen := len(advJSON(t, claims))
		for pp := max(0, rest*3/4-baseLen-8); pp < rest*3/4-baseLen+8; pp++ {
			if enc.EncodedLen(baseLen+pp) == rest {
				claims["pad"] = strings.Repeat("p", pp)
				tok := signRaw(t, "RS256", signer, header, advJSON(t, claims))
				require.Len(t, tok, n)
				return tok
			}
		}
	}
	t.Fatalf("no token of length %d", n)
	return ""
}

// advCase is one adversarial request and what it must be answered with.
type advCase struct {
	name string
	// route defaults to advRemote.
	route string
	// token is what the attack sends, checked against echoes in answers;
	// authorization, when nil, becomes "Bearer " + token.
	token         string
	authorization []string
	noHeader      bool   // send no Authorization header at all
	query         string // raw query
	cookie        string // __session cookie value
	// rawAuthorization is sent byte for byte over TCP, bypassing the Go
	// client's header validation (CR, LF, obs-fold).
	rawAuthorization string
	method           string            // default GET
	headers          map[string]string // further request headers

	want int    // expected status
	code string // expected RFC 6750 error code; "" for a bare challenge
	desc string // expected error_description, when it matters
	// also lists further acceptable statuses, for informational cases.
	also []int
	// transport accepts an answer net/http or Echo's router gave (400, 431,
	// 204 to OPTIONS) before the middleware ran: no challenge then.
	transport bool
	// secrets must not appear in the answer, its headers or the logged error.
	secrets []string
	// skip is set to "BUG: ..." for a case that shows a library bug.
	skip string
}

// bearerCase is a case sending tok in the Authorization header.
func bearerCase(name, tok string, want int, code string) advCase {
	return advCase{name: name, token: tok, want: want, code: code}
}

// on returns the case aimed at another route.
func (c advCase) on(route string) advCase { c.route = route; return c }

// hiding adds values that must not be echoed.
func (c advCase) hiding(s ...string) advCase { c.secrets = append(c.secrets, s...); return c }

// described demands an exact error_description.
func (c advCase) described(d string) advCase { c.desc = d; return c }

// advResponse is what came back.
type advResponse struct {
	id     string
	status int
	header http.Header
	body   []byte
}

// do sends the case's request; a failed connection (which is what a panic
// in the server looks like) fails the test.
func (fx *advFixture) do(t *testing.T, c advCase) advResponse {
	t.Helper()
	res, err := fx.send(c)
	require.NoError(t, err, "the connection failed: a panic in the server drops it")
	return res
}

// send sends the case's request; it does not touch a testing.T, so that
// goroutines can call it.
func (fx *advFixture) send(c advCase) (advResponse, error) {
	id := strconv.FormatInt(fx.seq.Add(1), 10)
	route := c.route
	if route == "" {
		route = advRemote
	}
	if c.rawAuthorization != "" {
		return fx.sendRaw(id, route, c.rawAuthorization)
	}
	target := fx.srv.URL + route
	if c.query != "" {
		target += "?" + c.query
	}
	method := c.method
	if method == "" {
		method = http.MethodGet
	}
	req, err := http.NewRequest(method, target, nil)
	if err != nil {
		return advResponse{}, err
	}
	req.Header.Set(advCaseHeader, id)
	for k, v := range c.headers {
		req.Header.Set(k, v)
	}
	switch {
	case c.noHeader:
	case c.authorization != nil:
		for _, v := range c.authorization {
			req.Header.Add("Authorization", v)
		}
	case c.token != "":
		req.Header.Set("Authorization", "Bearer "+c.token)
	}
	if c.cookie != "" {
		req.Header.Add("Cookie", "__session="+c.cookie)
	}
	res, err := fx.client.Do(req)
	if err != nil {
		return advResponse{}, err
	}
	defer res.Body.Close()
	body, err := io.ReadAll(res.Body)
	return advResponse{id: id, status: res.StatusCode, header: res.Header, body: body}, err
}

// sendRaw writes the request by hand, for header bytes the Go client refuses.
func (fx *advFixture) sendRaw(id, route, authorization string) (advResponse, error) {
	conn, err := net.Dial("tcp", fx.srv.Listener.Addr().String())
	if err != nil {
		return advResponse{}, err
	}
	defer conn.Close()
	_, err = fmt.Fprintf(conn, "GET %s HTTP/1.1\r\nHost: %s\r\n%s: %s\r\nAuthorization: %s\r\nConnection: close\r\n\r\n",
		route, fx.srv.Listener.Addr(), advCaseHeader, id, authorization)
	if err != nil {
		return advResponse{}, err
	}
	res, err := http.ReadResponse(bufio.NewReader(conn), nil)
	if err != nil {
		return advResponse{}, err
	}
	defer res.Body.Close()
	body, err := io.ReadAll(res.Body)
	return advResponse{id: id, status: res.StatusCode, header: res.Header, body: body}, err
}

// sendAll sends every case at once and returns the answers in order.
func (fx *advFixture) sendAll(t *testing.T, cases []advCase) []advResponse {
	t.Helper()
	var wg sync.WaitGroup
	results := make([]advResponse, len(cases))
	errs := make([]error, len(cases))
	for i := range cases {
		wg.Add(1)
		go func() {
			defer wg.Done()
			results[i], errs[i] = fx.send(cases[i])
		}()
	}
	wg.Wait()
	for i, err := range errs {
		require.NoError(t, err, "case %s: the connection failed", cases[i].name)
	}
	return results
}

// run runs each case as a subtest.
func (fx *advFixture) run(t *testing.T, cases []advCase) {
	t.Helper()
	seen := map[string]bool{}
	for _, c := range cases {
		require.False(t, seen[c.name], "duplicate case name %s", c.name)
		seen[c.name] = true
		t.Run(c.name, func(t *testing.T) {
			if c.skip != "" {
				t.Skip(c.skip)
			}
			fx.check(t, c, fx.do(t, c))
		})
	}
}

// check asserts the invariants of an answer: the expected status and error
// code, the handler ran exactly when the answer is 200, no panic, no 5xx but
// the documented 503, an RFC 6750 challenge whose error_description stays
// in the allowed characters, and nothing of the token echoed.
func (fx *advFixture) check(t *testing.T, c advCase, res advResponse) {
	t.Helper()
	if v, panicked := fx.panics.Load(res.id); panicked {
		t.Fatalf("the middleware panicked: %v", v)
	}
	_, ran := fx.ran.Load(res.id)
	if res.status >= 500 {
		require.True(t, res.status == http.StatusServiceUnavailable && c.want == http.StatusServiceUnavailable,
			"status %d: only the documented 503 (keys unavailable) may be a 5xx; body %s", res.status, res.body)
	}
	if !(res.status == c.want || containsInt(c.also, res.status)) {
		t.Fatalf("status %d, want %d (also %v); WWW-Authenticate %q; body %s",
			res.status, c.want, c.also, res.header.Get("WWW-Authenticate"), res.body)
	}
	if len(c.also) > 0 {
		t.Logf("INFO: %s answered %d (handler ran: %v)", c.name, res.status, ran)
	}
	if res.status == http.StatusOK {
		assert.True(t, ran, "the handler must run for a 200")
		return
	}
	assert.False(t, ran, "the handler ran for a refused request")
	fx.checkNoEcho(t, c, res)

	challenge := res.header.Get("WWW-Authenticate")
	if res.status == http.StatusNoContent {
		// A preflight answered without running the handler: no body, no
		// challenge.
		assert.Empty(t, challenge)
		assert.Empty(t, res.body)
		return
	}
	if c.transport && challenge == "" {
		// net/http or Echo's router answered before any middleware saw the
		// request; the status was checked above.
		return
	}
	var body bearer.Body
	require.NoError(t, json.Unmarshal(res.body, &body), "body %s", res.body)
	assertRFC6750Text(t, body.ErrorDescription, "body error_description")

	if res.status == http.StatusServiceUnavailable {
		assert.Equal(t, `Bearer realm="api", DPoP realm="api", algs="`+conformance.DPoPAlgorithms+`"`, challenge,
			"a 503 names the schemes and no error about the token")
		seconds, err := strconv.Atoi(res.header.Get("Retry-After"))
		require.NoError(t, err, "Retry-After %q", res.header.Get("Retry-After"))
		assert.Positive(t, seconds)
		assert.Equal(t, "temporarily_unavailable", body.Error)
		return
	}
	params := parseChallenge(t, challenge)
	assert.Equal(t, "api", params["realm"])
	if c.code == "" {
		assert.Equal(t, map[string]string{"realm": "api"}, params, "a bare challenge names only the realm")
		assert.Equal(t, "unauthorized", body.Error)
		return
	}
	assert.Equal(t, c.code, params["error"], "challenge %s", challenge)
	assert.Equal(t, c.code, body.Error)
	desc, ok := params["error_description"]
	require.True(t, ok, "challenge %s has no error_description", challenge)
	assertRFC6750Text(t, desc, "challenge error_description")
	assert.Equal(t, body.ErrorDescription, desc)
	if c.desc != "" {
		assert.Equal(t, c.desc, desc)
	}
	if c.code == "insufficient_scope" {
		assert.Equal(t, advScope, params["scope"])
	} else {
		assert.NotContains(t, params, "scope")
	}
	wantStatus := map[string]int{"invalid_token": 401, "invalid_request": 400, "insufficient_scope": 403}[c.code]
	assert.Equal(t, wantStatus, res.status, "status and error code disagree")
}

// checkNoEcho asserts that no answer text and no logged error holds a piece
// of the token (an 8-byte window of any segment), a planted value or a
// secret of the case.
func (fx *advFixture) checkNoEcho(t *testing.T, c advCase, res advResponse) {
	t.Helper()
	var texts []string
	for name, values := range res.header {
		if name == "Date" || name == "Content-Length" {
			continue
		}
		texts = append(texts, name+": "+strings.Join(values, ", "))
	}
	texts = append(texts, string(res.body))
	answer := strings.Join(texts, "\n")
	logged, _ := fx.errs.Load(res.id)
	loggedText, _ := logged.(string)

	const window = 8
	windows := map[string]bool{}
	for _, text := range []string{answer, loggedText} {
		for i := 0; i+window <= len(text); i++ {
			windows[text[i:i+window]] = true
		}
	}
	for _, seg := range strings.Split(c.token, ".") {
		for i := 0; i+window <= len(seg); i++ {
			if windows[seg[i:i+window]] {
				t.Fatalf("the answer or the logged error echoes token bytes %q\nanswer: %s\nlogged: %s", seg[i:i+window], answer, loggedText)
			}
		}
	}
	for _, s := range append([]string{advPlanted}, c.secrets...) {
		if len(s) < 4 {
			continue
		}
		assert.NotContains(t, answer, s, "the answer echoes a planted value")
		assert.NotContains(t, loggedText, s, "the logged error echoes a planted value")
	}
	assert.Empty(t, res.header.Get("X-Injected"), "a header was injected")
}

// assertRFC6750Text checks RFC 6750 §3's error_description grammar:
// %x20-21 / %x23-5B / %x5D-7E, that is printable ASCII but '"' and '\'.
func assertRFC6750Text(t *testing.T, s, what string) {
	t.Helper()
	assert.NotEmpty(t, s, what)
	for i := 0; i < len(s); i++ {
		b := s[i]
		if b < 0x20 || b > 0x7e || b == '"' || b == '\\' {
			t.Errorf("%s has byte %#x, outside RFC 6750's error_description characters: %q", what, b, s)
			return
		}
	}
}

// parseChallenge parses a WWW-Authenticate value of the default
// configuration, `Bearer k="v", k=v, DPoP k="v", ...` (RFC 9110 §11.6.1),
// failing on anything that is not well formed or names a parameter twice.
// It returns Bearer's parameters, after checking that the DPoP challenge
// beside it is the bare offer: the realm and the algorithms.
func parseChallenge(t *testing.T, h string) map[string]string {
	t.Helper()
	challenges := parseChallenges(t, h)
	require.Equal(t, map[string]string{"realm": "api", "algs": conformance.DPoPAlgorithms}, challenges["DPoP"],
		"challenge %q offers DPoP beside Bearer", h)
	require.Len(t, challenges, 2, "challenge %q", h)
	return challenges["Bearer"]
}

// parseChallenges parses a WWW-Authenticate value into each challenge's
// parameters by scheme.
func parseChallenges(t *testing.T, h string) map[string]map[string]string {
	t.Helper()
	challenges := map[string]map[string]string{}
	var params map[string]string
	rest := h
	for {
		rest = strings.TrimLeft(rest, " ")
		if rest == "" {
			return challenges
		}
		eq := strings.IndexByte(rest, '=')
		sp := strings.IndexByte(rest, ' ')
		if params == nil || (sp >= 0 && (eq < 0 || sp < eq)) {
			// A new challenge: its scheme, then its parameters.
			require.Positive(t, sp, "challenge %q: scheme without parameters", h)
			scheme := rest[:sp]
			_, dup := challenges[scheme]
			require.False(t, dup, "challenge %q offers %s twice", h, scheme)
			params = map[string]string{}
			challenges[scheme] = params
			rest = strings.TrimLeft(rest[sp:], " ")
			eq = strings.IndexByte(rest, '=')
		}
		require.Positive(t, eq, "challenge %q: parameter without value", h)
		name := strings.ToLower(strings.TrimSpace(rest[:eq]))
		rest = rest[eq+1:]
		var value string
		if strings.HasPrefix(rest, `"`) {
			var b strings.Builder
			i := 1
			for ; i < len(rest) && rest[i] != '"'; i++ {
				if rest[i] == '\\' && i+1 < len(rest) {
					i++
				}
				b.WriteByte(rest[i])
			}
			require.Less(t, i, len(rest), "challenge %q: unterminated quoted string", h)
			value, rest = b.String(), rest[i+1:]
		} else {
			end := strings.IndexAny(rest, ", ")
			if end < 0 {
				end = len(rest)
			}
			value, rest = rest[:end], rest[end:]
		}
		_, dup := params[name]
		require.False(t, dup, "challenge %q names %s twice", h, name)
		params[name] = value
		rest = strings.TrimLeft(rest, " ")
		if rest != "" {
			require.True(t, strings.HasPrefix(rest, ","), "challenge %q: expected a comma", h)
			rest = rest[1:]
		}
	}
}

func containsInt(list []int, v int) bool {
	for _, x := range list {
		if x == v {
			return true
		}
	}
	return false
}

// queryToken is the query string carrying tok as access_token.
func queryToken(tok string) string { return "access_token=" + url.QueryEscape(tok) }

// descriptions used where the exact reason matters.
var (
	descTooLarge  = token.ErrTooLarge.Description()
	descMalformed = token.ErrMalformed.Description()
	descAlgorithm = token.ErrAlgorithm.Description()
	descExpired   = token.ErrExpired.Description()
)
