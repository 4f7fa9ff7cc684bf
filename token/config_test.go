package token_test

import (
	"encoding/base64"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/scopegate/scopegate/authtest"
	"github.com/scopegate/scopegate/jwks"
	"github.com/scopegate/scopegate/token"
)

// The configuration tests sign with an HMAC key: they need exact tokens and
// no issuer, and HMAC keys cost nothing to make.
const (
	cfgIssuer   = "https://issuer.example.com/"
	cfgAudience = "https://api.example.com"
)

var cfgSecret = []byte("0123456789abcdef0123456789abcdef")

func hmacSource(t testing.TB) jwks.Source {
	t.Helper()
	key, err := jwks.NewHMACKey(cfgSecret, "", jwks.HS256)
	require.NoError(t, err)
	keys, err := jwks.NewStatic(key)
	require.NoError(t, err)
	return keys
}

// hsToken signs payload exactly as given with HS256 and cfgSecret.
func hsToken(t testing.TB, payload string) string {
	t.Helper()
	raw, err := authtest.SignRaw("HS256", cfgSecret, []byte(`{"alg":"HS256","typ":"JWT"}`), []byte(payload))
	require.NoError(t, err)
	return raw
}

// hsClaims is a valid payload for cfgIssuer and cfgAudience, expiring at exp
// (Unix seconds), with extra members appended.
func hsClaims(exp int64, extra string) string {
	return fmt.Sprintf(`{"iss":%q,"aud":%q,"exp":%d%s}`, cfgIssuer, cfgAudience, exp, extra)
}

func TestNewConfigErrors(t *testing.T) {
	t.Parallel()
	keys := hmacSource(t)
	valid := func() token.Issuer {
		return token.Issuer{Issuer: cfgIssuer, Audiences: []string{cfgAudience}, Keys: keys}
	}
	one := func(change func(*token.Issuer)) []token.Issuer {
		iss := valid()
		change(&iss)
		return []token.Issuer{iss}
	}

	tests := []struct {
		name string
		cfg  token.Config
		want []string // substrings of the error: what is wrong, and how to fix it
	}{
		{"no issuers", token.Config{}, []string{"at least one issuer"}},
		{"empty issuer list", token.Config{Issuers: []token.Issuer{}}, []string{"at least one issuer"}},
		{"empty issuer", token.Config{Issuers: one(func(i *token.Issuer) { i.Issuer = "" })},
			[]string{"issuer 0 has no Issuer identifier", "set it to the exact iss"}},
		{"second issuer empty", token.Config{Issuers: []token.Issuer{valid(), {Audiences: []string{cfgAudience}, Keys: keys}}},
			[]string{"issuer 1 has no Issuer identifier"}},
		{"issuer with spaces", token.Config{Issuers: one(func(i *token.Issuer) { i.Issuer = " " + cfgIssuer })},
			[]string{"surrounding spaces"}},
		{"issuer with a trailing newline", token.Config{Issuers: one(func(i *token.Issuer) { i.Issuer = cfgIssuer + "\n" })},
			[]string{"surrounding spaces"}},
		{"duplicate issuer", token.Config{Issuers: []token.Issuer{valid(), valid()}},
			[]string{cfgIssuer, "configured twice"}},
		{"no audience", token.Config{Issuers: one(func(i *token.Issuer) { i.Audiences = nil })},
			[]string{"needs at least one non-empty audience", "your API identifier"}},
		{"empty audience list", token.Config{Issuers: one(func(i *token.Issuer) { i.Audiences = []string{} })},
			[]string{"needs at least one non-empty audience"}},
		{"empty audience", token.Config{Issuers: one(func(i *token.Issuer) { i.Audiences = []string{""} })},
			[]string{"needs at least one non-empty audience"}},
		{"empty audience among others", token.Config{Issuers: one(func(i *token.Issuer) { i.Audiences = []string{cfgAudience, ""} })},
			[]string{"needs at least one non-empty audience"}},
		{"nil Keys", token.Config{Issuers: one(func(i *token.Issuer) { i.Keys = nil })},
			[]string{cfgIssuer, "has no key source"}},
		{"algorithm none", token.Config{Issuers: one(func(i *token.Issuer) { i.Algorithms = []string{"none"} })},
			[]string{`algorithm "none" is not supported`, "supported: RS256", "never none"}},
		{"algorithm none among others", token.Config{Issuers: one(func(i *token.Issuer) { i.Algorithms = []string{"RS256", "none"} })},
			[]string{`algorithm "none" is not supported`}},
		{"algorithm in lower case", token.Config{Issuers: one(func(i *token.Issuer) { i.Algorithms = []string{"rs256"} })},
			[]string{`algorithm "rs256" is not supported`, "RS256"}},
		{"algorithm empty", token.Config{Issuers: one(func(i *token.Issuer) { i.Algorithms = []string{""} })},
			[]string{`algorithm "" is not supported`}},
		{"algorithm Ed25519", token.Config{Issuers: one(func(i *token.Issuer) { i.Algorithms = []string{"Ed25519"} })},
			[]string{`algorithm "Ed25519" is not supported`, "EdDSA"}},
		{"negative ClockSkew", token.Config{Issuers: one(func(*token.Issuer) {}), ClockSkew: -time.Second},
			[]string{"ClockSkew must not be negative", "use token.NoClockSkew"}},
		{"ClockSkew of -2ns", token.Config{Issuers: one(func(*token.Issuer) {}), ClockSkew: -2},
			[]string{"ClockSkew must not be negative"}},
		{"negative MaxTokenAge", token.Config{Issuers: one(func(*token.Issuer) {}), MaxTokenAge: -time.Minute},
			[]string{"MaxTokenAge must not be negative", "zero means no limit"}},
		{"negative MaxTokenBytes", token.Config{Issuers: one(func(*token.Issuer) {}), MaxTokenBytes: -1},
			[]string{"MaxTokenBytes must not be negative", "zero takes the default"}},
		{"Types beyond access tokens", token.Config{Issuers: one(func(*token.Issuer) {}), Types: []string{"JWT", "logout+jwt"}},
			[]string{`Types may hold "JWT" and "at+jwt" only`, `remove "logout+jwt"`}},
		{"Types JWT with RequireAccessTokenType", token.Config{Issuers: one(func(*token.Issuer) {}), Types: []string{"JWT"}, RequireAccessTokenType: true},
			[]string{`RequireAccessTokenType accepts "at+jwt" only`}},
		{"empty AuthorizedParties entry", token.Config{Issuers: one(func(*token.Issuer) {}), AuthorizedParties: []string{"https://app.example.com", ""}},
			[]string{"AuthorizedParties must not contain an empty value"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			v, err := token.New(tt.cfg)
			require.Error(t, err)
			assert.Nil(t, v)
			assert.True(t, strings.HasPrefix(err.Error(), "token: "), "error %q names its package", err)
			for _, want := range tt.want {
				assert.Contains(t, err.Error(), want)
			}
			assert.False(t, isValidationError(err), "a configuration error is not a token failure")
		})
	}
}

func TestNewAcceptsValidConfig(t *testing.T) {
	t.Parallel()
	keys := hmacSource(t)
	iss := token.Issuer{Issuer: cfgIssuer, Audiences: []string{cfgAudience}, Keys: keys}

	tests := []struct {
		name string
		cfg  token.Config
	}{
		{"minimal", token.Config{Issuers: []token.Issuer{iss}}},
		{"NoClockSkew", token.Config{Issuers: []token.Issuer{iss}, ClockSkew: token.NoClockSkew}},
		{"every option", token.Config{
			Issuers:                []token.Issuer{iss, {Issuer: "https://other.example.com", Audiences: []string{"a", "b"}, Keys: keys, Algorithms: []string{"HS256", "RS256"}}},
			ClockSkew:              time.Minute,
			MaxTokenAge:            time.Hour,
			RequireAccessTokenType: true,
			AuthorizedParties:      []string{"https://app.example.com"},
			MaxTokenBytes:          1 << 20,
			Now:                    fixedClock,
		}},
		{"every supported algorithm", token.Config{Issuers: []token.Issuer{{
			Issuer: cfgIssuer, Audiences: []string{cfgAudience}, Keys: keys,
			Algorithms: append(jwks.AsymmetricAlgorithms(), "HS256", "HS384", "HS512"),
		}}}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			v, err := token.New(tt.cfg)
			require.NoError(t, err)
			assert.NotNil(t, v)
		})
	}
}

func TestConfigDefaults(t *testing.T) {
	t.Parallel()
	assert.Equal(t, 5*time.Second, token.DefaultClockSkew)
	assert.Equal(t, 16<<10, token.DefaultMaxTokenBytes)
	assert.Equal(t, time.Duration(-1), token.NoClockSkew)

	keys := hmacSource(t)
	issuers := []token.Issuer{{Issuer: cfgIssuer, Audiences: []string{cfgAudience}, Keys: keys}}

	t.Run("zero ClockSkew is 5s", func(t *testing.T) {
		v := newVerifier(t, token.Config{Issuers: issuers})
		_, err := v.Verify(t.Context(), hsToken(t, hsClaims(nowUnix-4, "")))
		require.NoError(t, err)
		_, err = v.Verify(t.Context(), hsToken(t, hsClaims(nowUnix-5, "")))
		assertRefused(t, err, token.ErrExpired)
	})

	t.Run("zero MaxTokenBytes is DefaultMaxTokenBytes", func(t *testing.T) {
		v := newVerifier(t, token.Config{Issuers: issuers})
		// A valid token of exactly the default size passes; one byte more
		// does not.
		sized := func(size int) string {
			t.Helper()
			base := hsClaims(nowUnix+60, `,"pad":""`)
			empty := hsToken(t, base)
			for n := len(base); n < size; n++ {
				if len(empty)-b64len(len(base))+b64len(n) == size {
					raw := hsToken(t, hsClaims(nowUnix+60, `,"pad":"`+strings.Repeat("x", n-len(base))+`"`))
					require.Len(t, raw, size)
					return raw
				}
			}
			t.Fatalf("no token of %d bytes", size)
			return ""
		}
		_, err := v.Verify(t.Context(), sized(token.DefaultMaxTokenBytes))
		require.NoError(t, err)
		_, err = v.Verify(t.Context(), sized(token.DefaultMaxTokenBytes+1))
		assertRefused(t, err, token.ErrTooLarge)

		_, err = v.Verify(t.Context(), strings.Repeat("a", token.DefaultMaxTokenBytes+1))
		assertRefused(t, err, token.ErrTooLarge)
	})

	t.Run("nil Now is time.Now", func(t *testing.T) {
		v, err := token.New(token.Config{Issuers: issuers})
		require.NoError(t, err)
		now := time.Now().Unix()
		_, err = v.Verify(t.Context(), hsToken(t, hsClaims(now+3600, fmt.Sprintf(`,"iat":%d`, now))))
		require.NoError(t, err)
		_, err = v.Verify(t.Context(), hsToken(t, hsClaims(now-3600, "")))
		assertRefused(t, err, token.ErrExpired)
		// The fixed test time lies years ahead of the wall clock.
		_, err = v.Verify(t.Context(), hsToken(t, hsClaims(nowUnix+3600, fmt.Sprintf(`,"nbf":%d`, nowUnix))))
		assertRefused(t, err, token.ErrNotYetValid)
	})

	t.Run("Now is called per verification", func(t *testing.T) {
		current := testNow
		v := newVerifier(t, token.Config{Issuers: issuers, ClockSkew: token.NoClockSkew, Now: func() time.Time { return current }})
		raw := hsToken(t, hsClaims(nowUnix+10, ""))
		_, err := v.Verify(t.Context(), raw)
		require.NoError(t, err)
		current = testNow.Add(10 * time.Second)
		_, err = v.Verify(t.Context(), raw)
		assertRefused(t, err, token.ErrExpired)
	})
}

// A Verifier keeps its own copy of the configuration: changing the Config
// after New changes nothing.
func TestNewCopiesConfig(t *testing.T) {
	t.Parallel()
	cfg := token.Config{
		Issuers:           []token.Issuer{{Issuer: cfgIssuer, Audiences: []string{cfgAudience}, Keys: hmacSource(t), Algorithms: []string{"HS256"}}},
		AuthorizedParties: []string{"https://app.example.com"},
		Now:               fixedClock,
	}
	v, err := token.New(cfg)
	require.NoError(t, err)
	raw := hsToken(t, hsClaims(nowUnix+60, `,"azp":"https://app.example.com"`))

	cfg.Issuers[0].Issuer = "https://other.example.com"
	cfg.Issuers[0].Algorithms[0] = "HS512"
	cfg.AuthorizedParties[0] = "https://other.example.com"
	cfg.MaxTokenBytes = 10
	cfg.Issuers = nil
	_, err = v.Verify(t.Context(), raw)
	require.NoError(t, err)
}

func TestNewCopiesAudiences(t *testing.T) {
	t.Parallel()
	audiences := []string{cfgAudience}
	v, err := token.New(token.Config{
		Issuers: []token.Issuer{{Issuer: cfgIssuer, Audiences: audiences, Keys: hmacSource(t)}},
		Now:     fixedClock,
	})
	require.NoError(t, err)
	audiences[0] = ""

	_, err = v.Verify(t.Context(), hsToken(t, hsClaims(nowUnix+60, "")))
	require.NoError(t, err, "the configured audience still applies")
	_, err = v.Verify(t.Context(), hsToken(t, fmt.Sprintf(`{"iss":%q,"aud":"","exp":%d}`, cfgIssuer, nowUnix+60)))
	assertRefused(t, err, token.ErrAudience)
}

func b64len(n int) int { return base64.RawURLEncoding.EncodedLen(n) }
