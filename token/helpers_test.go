package token_test

import (
	"encoding/base64"
	"errors"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/scopegate/scopegate/authtest"
	"github.com/scopegate/scopegate/internal/jwssign"
	"github.com/scopegate/scopegate/jwks"
	"github.com/scopegate/scopegate/token"
)

// nowUnix is the fixed time every test runs at, 2030-01-01T00:00:00Z: the
// verifier's Config.Now and the issuer's authtest.WithClock both return it,
// so that no test depends on the wall clock or sleeps.
const nowUnix = 1893456000

var testNow = time.Unix(nowUnix, 0).UTC()

func fixedClock() time.Time { return testNow }

// descriptions are the fixed, client-safe texts of the failure classes.
// They are spelled out here, not read from the sentinels, so that a changed
// text fails a test: clients and dashboards match on them.
var descriptions = map[*token.ValidationError]string{
	token.ErrTooLarge:          "token is too large",
	token.ErrMalformed:         "token is malformed",
	token.ErrAlgorithm:         "token algorithm is not allowed",
	token.ErrUnsupportedHeader: "token header has an unsupported parameter",
	token.ErrType:              "token type is not accepted",
	token.ErrIssuer:            "token issuer is not trusted",
	token.ErrClaimType:         "token claim has the wrong type",
	token.ErrMissingClaim:      "token lacks a required claim",
	token.ErrExpired:           "token is expired",
	token.ErrNotYetValid:       "token is not yet valid",
	token.ErrIssuedInFuture:    "token is issued in the future",
	token.ErrTooOld:            "token is too old",
	token.ErrAudience:          "token audience is not accepted",
	token.ErrAuthorizedParty:   "token authorized party is not accepted",
	token.ErrUnknownKey:        "token signing key is unknown",
	token.ErrSignature:         "token signature is invalid",
}

// assertRefused checks that err is the failure class want and nothing else:
// errors.Is matches it, the one *ValidationError in the chain is that very
// sentinel, and Description gives its fixed text.
func assertRefused(t testing.TB, err error, want *token.ValidationError) {
	t.Helper()
	require.Error(t, err, "want %v", want)
	assert.ErrorIs(t, err, want)
	var got *token.ValidationError
	if assert.ErrorAs(t, err, &got) {
		assert.Same(t, want, got, "failure class: got %q, want %q", got.Description(), want.Description())
	}
	text, ok := descriptions[want]
	require.True(t, ok, "unknown sentinel %v", want)
	assert.Equal(t, text, token.Description(err))
	assert.True(t, strings.HasPrefix(err.Error(), text), "error %q should start with its description", err)
}

// check asserts a Verify outcome: accepted when want is nil, else refused
// with want.
func check(t testing.TB, tok token.Token, err error, want *token.ValidationError) {
	t.Helper()
	if want == nil {
		require.NoError(t, err)
		require.False(t, tok.IsZero())
		return
	}
	assertRefused(t, err, want)
	assert.True(t, tok.IsZero())
}

// startIssuer starts an authtest issuer on the fixed clock.
func startIssuer(t testing.TB, opts ...authtest.Option) *authtest.Issuer {
	t.Helper()
	return authtest.NewIssuer(t, append([]authtest.Option{authtest.WithClock(fixedClock)}, opts...)...)
}

// remoteKeys is the issuer's key set fetched through discovery, on the fixed
// clock, so at most one unknown-kid refresh ever happens.
func remoteKeys(t testing.TB, iss *authtest.Issuer) *jwks.Remote {
	t.Helper()
	keys, err := jwks.NewRemote(jwks.RemoteConfig{Issuer: iss.URL(), HTTPClient: iss.Client(), Now: fixedClock})
	require.NoError(t, err)
	return keys
}

// newVerifier is token.New on the fixed clock unless cfg sets its own.
func newVerifier(t testing.TB, cfg token.Config) *token.Verifier {
	t.Helper()
	if cfg.Now == nil {
		cfg.Now = fixedClock
	}
	v, err := token.New(cfg)
	require.NoError(t, err)
	return v
}

// fixture is one issuer, its remote key set and a verifier trusting it.
type fixture struct {
	iss  *authtest.Issuer
	keys *jwks.Remote
	v    *token.Verifier
}

func newFixture(t testing.TB, opts ...authtest.Option) *fixture {
	t.Helper()
	f := &fixture{iss: startIssuer(t, opts...)}
	f.keys = remoteKeys(t, f.iss)
	f.v = f.verifier(t, nil)
	return f
}

// trusted is the issuer as a Config entry, with the fixture's remote keys.
func (f *fixture) trusted() token.Issuer {
	return token.Issuer{Issuer: f.iss.URL(), Audiences: []string{f.iss.Audience()}, Keys: f.keys}
}

// verifier returns a verifier trusting the issuer through the fixture's key
// set, with cfg changed by mutate.
func (f *fixture) verifier(t testing.TB, mutate func(*token.Config)) *token.Verifier {
	t.Helper()
	cfg := token.Config{Issuers: []token.Issuer{f.trusted()}}
	if mutate != nil {
		mutate(&cfg)
	}
	return newVerifier(t, cfg)
}

func (f *fixture) verify(t testing.TB, raw string) (token.Token, error) {
	t.Helper()
	return f.v.Verify(t.Context(), raw)
}

// jwksFetches is how often the issuer was asked for its key set.
func (f *fixture) jwksFetches() int64 { return f.iss.Requests(authtest.JWKSPath) }

// expand replaces the placeholders of a raw header or payload: $ISS, $AUD
// and $KID as JSON strings (the issuer, its audience, its RS256 kid), $NOW
// and $EXP as NumericDates (the test time, one hour later).
func (f *fixture) expand(s string) string {
	return strings.NewReplacer(
		"$ISS", strconv.Quote(f.iss.URL()),
		"$AUD", strconv.Quote(f.iss.Audience()),
		"$KID", strconv.Quote(f.iss.KeyID("RS256")),
		"$NOW", strconv.Itoa(nowUnix),
		"$EXP", strconv.Itoa(nowUnix+3600),
	).Replace(s)
}

// Header and payload of a valid token, for raw tests that change one of them.
const (
	validHeader  = `{"alg":"RS256","kid":$KID}`
	validPayload = `{"iss":$ISS,"aud":$AUD,"exp":$EXP}`
)

// raw signs header and payload exactly as written (after expand) with the
// issuer's RS256 key, for tokens no JSON encoder would produce.
func (f *fixture) raw(t testing.TB, header, payload string) string {
	t.Helper()
	tok, err := authtest.SignRaw("RS256", f.iss.Signer("RS256"), []byte(f.expand(header)), []byte(f.expand(payload)))
	require.NoError(t, err)
	return tok
}

// signInput signs an arbitrary signing input with the issuer's RS256 key and
// appends the signature, so that a token's first two segments can be encoded
// in ways SignRaw never would while its signature stays valid.
func (f *fixture) signInput(t testing.TB, input string) string {
	t.Helper()
	sig, err := jwssign.Sign("RS256", f.iss.Signer("RS256"), []byte(input))
	require.NoError(t, err)
	return input + "." + b64(sig)
}

func b64(b []byte) string { return base64.RawURLEncoding.EncodeToString(b) }

func b64s(s string) string { return b64([]byte(s)) }

// segments splits a compact token; it must have three parts.
func segments(t testing.TB, raw string) [3]string {
	t.Helper()
	parts := strings.Split(raw, ".")
	require.Len(t, parts, 3)
	return [3]string{parts[0], parts[1], parts[2]}
}

// isValidationError reports whether err wraps any *token.ValidationError.
func isValidationError(err error) bool {
	var v *token.ValidationError
	return errors.As(err, &v)
}
