package token_test

import (
	"context"
	"crypto"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/sha256"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"math/big"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	jwtmiddleware "github.com/auth0/go-jwt-middleware/v2"
	jose "github.com/go-jose/go-jose/v4"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/scopegate/scopegate/authtest"
	"github.com/scopegate/scopegate/jwks"
	"github.com/scopegate/scopegate/token"
)

func TestVerifyAcceptsIssuedToken(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	raw := f.iss.Token().Scope("read:messages").Claim("jti", "id-1").Claim("azp", "client-1").
		Claim("client_id", "client-1").NotBefore(testNow.Add(-time.Minute)).MustSign(t)

	tok, err := f.verify(t, raw)
	require.NoError(t, err)
	assert.Equal(t, token.Header{Algorithm: "RS256", KeyID: f.iss.KeyID("RS256"), Type: "JWT"}, tok.Header())
	c := tok.Claims()
	assert.Equal(t, f.iss.URL(), c.Issuer())
	assert.Equal(t, authtest.DefaultSubject, c.Subject())
	assert.Equal(t, []string{f.iss.Audience()}, c.Audience())
	assert.True(t, c.Expiry().Equal(testNow.Add(authtest.DefaultLifetime)), "exp %v", c.Expiry())
	assert.True(t, c.IssuedAt().Equal(testNow), "iat %v", c.IssuedAt())
	assert.True(t, c.NotBefore().Equal(testNow.Add(-time.Minute)), "nbf %v", c.NotBefore())
	assert.Equal(t, "id-1", c.ID())
	assert.Equal(t, "client-1", c.AuthorizedParty())
	assert.Equal(t, "client-1", c.ClientID())
	require.NotNil(t, tok.Key())
	assert.Equal(t, f.iss.KeyID("RS256"), tok.Key().ID())
	assert.Equal(t, segments(t, raw)[1], b64(c.Raw()), "Raw is the signed payload")
	assert.EqualValues(t, 1, f.jwksFetches())
}

func TestValidateToken(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	// The method value fits go-jwt-middleware's validator slot as is.
	var validate jwtmiddleware.ValidateToken = f.v.ValidateToken

	got, err := validate(t.Context(), f.iss.Token().MustSign(t))
	require.NoError(t, err)
	tok, ok := got.(token.Token)
	require.True(t, ok, "ValidateToken returns %T, want token.Token", got)
	assert.Equal(t, authtest.DefaultSubject, tok.Claims().Subject())

	_, err = validate(t.Context(), f.iss.Token().ExpiresIn(-time.Hour).MustSign(t))
	assertRefused(t, err, token.ErrExpired)
}

func TestValidateTokenFailureIsUntypedNil(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	got, err := f.v.ValidateToken(t.Context(), "not-a-token")
	require.Error(t, err)
	assert.True(t, got == nil, "ValidateToken returned %#v with an error; callers testing the result against nil see a token", got)
}

func TestVerifySizeCap(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	valid := f.iss.Token().MustSign(t)
	// Junk that every later step would refuse differently, so that
	// ErrTooLarge shows the cap is applied first.
	junk := func(n int) string { return strings.Repeat("!", n) }
	junkToken := func(n int) string { return "." + strings.Repeat("%", n-3) + ".." }

	tests := []struct {
		name     string
		maxBytes int
		raw      string
		want     *token.ValidationError
	}{
		{"default cap, junk one byte over", 0, junk(token.DefaultMaxTokenBytes + 1), token.ErrTooLarge},
		{"default cap, huge junk", 0, junk(10 << 20), token.ErrTooLarge},
		{"default cap, junk with dots", 0, junkToken(token.DefaultMaxTokenBytes + 1), token.ErrTooLarge},
		{"default cap, junk at the cap is decoded", 0, junk(token.DefaultMaxTokenBytes), token.ErrMalformed},
		{"custom cap, token one byte over", len(valid) - 1, valid, token.ErrTooLarge},
		{"custom cap, token exactly at it", len(valid), valid, nil},
		{"custom cap, junk over it", 100, junkToken(101), token.ErrTooLarge},
		{"custom cap, junk at it", 100, junkToken(100), token.ErrMalformed},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			v := f.verifier(t, func(c *token.Config) { c.MaxTokenBytes = tt.maxBytes })
			tok, err := v.Verify(t.Context(), tt.raw)
			check(t, tok, err, tt.want)
		})
	}

	t.Run("default cap admits a large real token", func(t *testing.T) {
		// Hundreds of permissions stay below the cap.
		perms := make([]string, 300)
		for i := range perms {
			perms[i] = "read:resource-" + strconv.Itoa(i)
		}
		raw := f.iss.Token().Permissions(perms...).MustSign(t)
		require.Less(t, len(raw), token.DefaultMaxTokenBytes)
		require.Greater(t, len(raw), token.DefaultMaxTokenBytes/2)
		tok, err := f.verify(t, raw)
		check(t, tok, err, nil)
	})
}

func TestVerifyCompactStructure(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	s := segments(t, f.iss.Token().MustSign(t))
	h, p, sig := s[0], s[1], s[2]

	tests := []struct {
		name string
		raw  string
		want *token.ValidationError
	}{
		{"empty", "", token.ErrMalformed},
		{"one segment", h, token.ErrMalformed},
		{"two segments", h + "." + p, token.ErrMalformed},
		{"four segments", h + "." + p + "." + sig + "." + sig, token.ErrMalformed},
		{"five segments, JWE shape", h + "." + sig + "." + sig + "." + p + "." + sig, token.ErrMalformed},
		{"trailing dot", h + "." + p + "." + sig + ".", token.ErrMalformed},
		{"empty header", "." + p + "." + sig, token.ErrMalformed},
		{"empty payload", h + ".." + sig, token.ErrMalformed},
		{"only dots", "..", token.ErrMalformed},
		{"JSON serialisation", `{"payload":"` + p + `","signatures":[]}`, token.ErrMalformed},
		{"bearer prefix left on", "Bearer " + h + "." + p + "." + sig, token.ErrMalformed},
		// The signature is checked last; an empty one is refused as a
		// signature, not as a structure.
		{"empty signature", h + "." + p + ".", token.ErrSignature},
		{"valid", h + "." + p + "." + sig, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			tok, err := f.verify(t, tt.raw)
			check(t, tok, err, tt.want)
		})
	}
}

// withTrailingBits sets a padding bit of the last character of a segment
// whose length leaves some: the lenient decoder reads the same bytes, the
// strict one refuses them.
func withTrailingBits(t testing.TB, seg string) string {
	t.Helper()
	require.NotZero(t, len(seg)%4, "segment has no padding bits")
	const alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_"
	v := strings.IndexByte(alphabet, seg[len(seg)-1])
	require.GreaterOrEqual(t, v, 0)
	out := seg[:len(seg)-1] + string(alphabet[v|1])
	require.NotEqual(t, seg, out, "the padding bit was already set")
	lenient, err := base64.RawURLEncoding.DecodeString(out)
	require.NoError(t, err)
	canonical, err := base64.RawURLEncoding.DecodeString(seg)
	require.NoError(t, err)
	require.Equal(t, canonical, lenient, "same bytes, another encoding")
	return out
}

func TestVerifyStrictBase64(t *testing.T) {
	t.Parallel()
	f := newFixture(t)

	// Tokens whose segments have padding bits (length not a multiple of
	// four) and contain the two characters where base64url and base64
	// differ, so that each non-canonical form below differs from the
	// canonical one.
	var raw string
	for n := 0; ; n++ {
		raw = f.iss.Token().Header("x", strings.Repeat("a", n%4)+"?????~~~~~").
			Claim("x", strings.Repeat("b", n/4%4)+"?????~~~~~").Claim("jti", strconv.Itoa(n)).MustSign(t)
		s := segments(t, raw)
		if len(s[0])%4 != 0 && len(s[1])%4 != 0 && strings.ContainsAny(s[2], "-_") {
			break
		}
		require.Less(t, n, 200)
	}
	_, err := f.verify(t, raw)
	require.NoError(t, err, "the base token is valid")

	s := segments(t, raw)
	join := func(h, p, sig string) string { return h + "." + p + "." + sig }
	// Each segment re-encoded with the standard alphabet: same bytes.
	std := func(seg string) string {
		b, err := base64.RawURLEncoding.DecodeString(seg)
		require.NoError(t, err)
		out := base64.RawStdEncoding.EncodeToString(b)
		require.True(t, strings.ContainsAny(out, "+/"), "the standard alphabet differs here")
		return out
	}
	padded := func(seg string) string { return seg + strings.Repeat("=", 4-len(seg)%4) }
	middle := func(seg, insert string) string { return seg[:len(seg)/2] + insert + seg[len(seg)/2:] }

	tests := []struct {
		name string
		raw  string
	}{
		{"header padded", join(padded(s[0]), s[1], s[2])},
		{"payload padded", join(s[0], padded(s[1]), s[2])},
		{"signature padded", join(s[0], s[1], padded(s[2]))},
		{"signature with a single pad", join(s[0], s[1], s[2]+"=")},
		{"header in standard base64", join(std(s[0]), s[1], s[2])},
		{"payload in standard base64", join(s[0], std(s[1]), s[2])},
		{"signature in standard base64", join(s[0], s[1], std(s[2]))},
		{"header trailing bits", join(withTrailingBits(t, s[0]), s[1], s[2])},
		{"payload trailing bits", join(s[0], withTrailingBits(t, s[1]), s[2])},
		{"signature trailing bits", join(s[0], s[1], withTrailingBits(t, s[2]))},
		{"header impossible length", join(s[0][:len(s[0])-(len(s[0])%4)+1], s[1], s[2])},
		{"signature impossible length", join(s[0], s[1], s[2][:len(s[2])-(len(s[2])%4)+1])},
		{"space in header", join(middle(s[0], " "), s[1], s[2])},
		{"space in payload", join(s[0], middle(s[1], " "), s[2])},
		{"space in signature", join(s[0], s[1], middle(s[2], " "))},
		{"tab in signature", join(s[0], s[1], middle(s[2], "\t"))},
		{"leading space", " " + raw},
		{"trailing space", raw + " "},
		{"NUL in payload", join(s[0], middle(s[1], "\x00"), s[2])},
		{"percent-encoded", join(s[0], s[1], s[2][:10]+"%2D"+s[2][10:])},
		{"non-ASCII in header", join(middle(s[0], "é"), s[1], s[2])},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			require.NotEqual(t, raw, tt.raw)
			tok, err := f.verify(t, tt.raw)
			check(t, tok, err, token.ErrMalformed)
		})
	}
}

// RFC 7515 base64url has no line breaks, yet encoding/base64 skips CR and
// LF even in strict mode, so they must be refused before decoding.
func TestVerifyRefusesLineBreaks(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	raw := f.iss.Token().MustSign(t)
	s := segments(t, raw)
	middle := func(seg, insert string) string { return seg[:len(seg)/2] + insert + seg[len(seg)/2:] }
	header, payload := f.expand(validHeader), f.expand(validPayload)

	tests := []struct {
		name string
		raw  string
	}{
		// The signature covers neither: anyone can add them to a valid token.
		{"LF in signature", s[0] + "." + s[1] + "." + middle(s[2], "\n")},
		{"CR in signature", s[0] + "." + s[1] + "." + middle(s[2], "\r")},
		{"CRLF after signature", raw + "\r\n"},
		{"LF before header", "\n" + raw},
		// Signed over the segments as they are, line break included.
		{"LF in signed header", f.signInput(t, middle(b64s(header), "\n")+"."+b64s(payload))},
		{"CRLF in signed payload", f.signInput(t, b64s(header)+"."+middle(b64s(payload), "\r\n"))},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			tok, err := f.verify(t, tt.raw)
			check(t, tok, err, token.ErrMalformed)
		})
	}
}

// Every byte outside the base64url alphabet is refused wherever it stands,
// whether or not the signature covers it: the decoder's strict mode and the
// line-break check together must leave no byte a second meaning.
func TestVerifyRefusesEveryByteOutsideTheAlphabet(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	raw := f.iss.Token().MustSign(t)
	s := segments(t, raw)
	header, payload := b64s(f.expand(validHeader)), b64s(f.expand(validPayload))
	const alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_"
	for b := 0; b < 256; b++ {
		c := string([]byte{byte(b)})
		if strings.Contains(alphabet, c) {
			continue
		}
		t.Run(fmt.Sprintf("0x%02x", b), func(t *testing.T) {
			mid := func(seg string) string { return seg[:len(seg)/2] + c + seg[len(seg)/2:] }
			for _, variant := range []string{
				s[0] + "." + s[1] + "." + mid(s[2]),
				s[0] + "." + s[1] + "." + s[2] + c,
				f.signInput(t, header+"."+mid(payload)),
			} {
				tok, err := f.verify(t, variant)
				check(t, tok, err, token.ErrMalformed)
			}
		})
	}
}

func TestVerifyHeader(t *testing.T) {
	t.Parallel()
	f := newFixture(t)

	tests := []struct {
		name   string
		header string // raw JSON, see fixture.expand
		sign   string // "" signs RS256 with the issuer's key, "none" leaves the signature empty
		want   *token.ValidationError
	}{
		{"valid", validHeader, "", nil},
		{"valid with whitespace", ` { "alg" : "RS256" , "kid" : $KID } `, "", nil},
		{"unknown parameters ignored", `{"alg":"RS256","kid":$KID,"foo":{"bar":[1,2]},"cty":"JWT"}`, "", nil},
		{"escaped alg name", `{"\u0061lg":"RS\u0032\u00356","kid":$KID}`, "", nil},

		// Not a JSON object in valid UTF-8 without duplicates.
		{"array", `["RS256"]`, "", token.ErrMalformed},
		{"string", `"RS256"`, "", token.ErrMalformed},
		{"null", `null`, "", token.ErrMalformed},
		{"number", `1`, "", token.ErrMalformed},
		{"empty", ``, "", token.ErrMalformed},
		{"invalid JSON", `{"alg":"RS256",}`, "", token.ErrMalformed},
		{"truncated", `{"alg":"RS256"`, "", token.ErrMalformed},
		{"trailing data", `{"alg":"RS256","kid":$KID}{}`, "", token.ErrMalformed},
		{"single quotes", `{'alg':'RS256'}`, "", token.ErrMalformed},
		{"duplicate alg", `{"alg":"RS256","kid":$KID,"alg":"RS256"}`, "", token.ErrMalformed},
		{"duplicate alg, none second", `{"alg":"RS256","kid":$KID,"alg":"none"}`, "", token.ErrMalformed},
		{"duplicate alg, escaped", `{"alg":"RS256","kid":$KID,"\u0061lg":"HS256"}`, "", token.ErrMalformed},
		{"duplicate kid", `{"alg":"RS256","kid":$KID,"kid":"other"}`, "", token.ErrMalformed},
		{"invalid UTF-8 in a value", "{\"alg\":\"RS256\",\"kid\":$KID,\"x\":\"\xff\"}", "", token.ErrMalformed},
		{"invalid UTF-8 in a name", "{\"alg\":\"RS256\",\"kid\":$KID,\"\xc3\x28\":1}", "", token.ErrMalformed},
		{"lone surrogate", `{"alg":"RS256","kid":$KID,"x":"\ud800"}`, "", token.ErrMalformed},
		{"too deep", `{"alg":"RS256","kid":$KID,"x":[[[[1]]]]}`, "", token.ErrMalformed},

		// alg.
		{"alg missing", `{"kid":$KID}`, "", token.ErrMalformed},
		{"alg number", `{"alg":256,"kid":$KID}`, "", token.ErrMalformed},
		{"alg null", `{"alg":null,"kid":$KID}`, "", token.ErrMalformed},
		{"alg array", `{"alg":["RS256"],"kid":$KID}`, "", token.ErrMalformed},
		{"alg none", `{"alg":"none"}`, "none", token.ErrAlgorithm},
		{"alg None", `{"alg":"None"}`, "none", token.ErrAlgorithm},
		{"alg NONE", `{"alg":"NONE"}`, "none", token.ErrAlgorithm},
		{"alg nOnE", `{"alg":"nOnE","typ":"JWT"}`, "none", token.ErrAlgorithm},
		{"alg none with kid", `{"alg":"none","kid":$KID}`, "none", token.ErrAlgorithm},
		{"alg none with a signature", `{"alg":"none","kid":$KID}`, "", token.ErrAlgorithm},
		{"alg empty", `{"alg":"","kid":$KID}`, "", token.ErrAlgorithm},
		{"alg lower case", `{"alg":"rs256","kid":$KID}`, "", token.ErrAlgorithm},
		{"alg with space", `{"alg":"RS256 ","kid":$KID}`, "", token.ErrAlgorithm},
		{"alg unknown", `{"alg":"RS1","kid":$KID}`, "", token.ErrAlgorithm},
		{"alg Ed25519 (not registered for JWS here)", `{"alg":"Ed25519","kid":$KID}`, "", token.ErrAlgorithm},

		// Other registered parameters must have their types.
		{"kid number", `{"alg":"RS256","kid":1}`, "", token.ErrMalformed},
		{"kid null", `{"alg":"RS256","kid":null}`, "", token.ErrMalformed},
		{"typ number", `{"alg":"RS256","kid":$KID,"typ":1}`, "", token.ErrMalformed},

		// crit and b64.
		{"crit with b64", `{"alg":"RS256","kid":$KID,"crit":["b64"],"b64":true}`, "", token.ErrUnsupportedHeader},
		{"crit unknown extension", `{"alg":"RS256","kid":$KID,"crit":["exp"],"exp":1}`, "", token.ErrUnsupportedHeader},
		{"crit empty array", `{"alg":"RS256","kid":$KID,"crit":[]}`, "", token.ErrUnsupportedHeader},
		{"crit string", `{"alg":"RS256","kid":$KID,"crit":"b64"}`, "", token.ErrUnsupportedHeader},
		{"crit null", `{"alg":"RS256","kid":$KID,"crit":null}`, "", token.ErrUnsupportedHeader},
		{"b64 false", `{"alg":"RS256","kid":$KID,"b64":false}`, "", token.ErrUnsupportedHeader},
		{"b64 string true", `{"alg":"RS256","kid":$KID,"b64":"true"}`, "", token.ErrUnsupportedHeader},
		{"b64 null", `{"alg":"RS256","kid":$KID,"b64":null}`, "", token.ErrUnsupportedHeader},
		{"b64 true", `{"alg":"RS256","kid":$KID,"b64":true}`, "", nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var raw string
			if tt.sign == "none" {
				tok, err := authtest.SignRaw("none", nil, []byte(f.expand(tt.header)), []byte(f.expand(validPayload)))
				require.NoError(t, err)
				require.True(t, strings.HasSuffix(tok, "."), "unsecured token")
				raw = tok
			} else {
				raw = f.raw(t, tt.header, validPayload)
			}
			tok, err := f.verify(t, raw)
			check(t, tok, err, tt.want)
		})
	}

	t.Run("none from the builder", func(t *testing.T) {
		for _, alg := range []string{"none", "None", "NONE"} {
			raw := f.iss.Token().Algorithm("none").Header("alg", alg).MustSign(t)
			require.True(t, strings.HasSuffix(raw, "."))
			tok, err := f.verify(t, raw)
			check(t, tok, err, token.ErrAlgorithm)
		}
	})
}

func TestVerifyTokenType(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	lax := f.v
	strict := f.verifier(t, func(c *token.Config) { c.RequireAccessTokenType = true })
	const absent = "<absent>"

	tests := []struct {
		typ         string
		lax, strict *token.ValidationError
	}{
		{absent, nil, token.ErrType},
		{"", nil, token.ErrType},
		{"JWT", nil, token.ErrType},
		{"jwt", nil, token.ErrType},
		{"application/jwt", nil, token.ErrType},
		{"Application/JWT", nil, token.ErrType},
		{"at+jwt", nil, nil},
		{"AT+JWT", nil, nil},
		{"application/at+jwt", nil, nil},
		{"APPLICATION/AT+JWT", nil, nil},
		// Explicit typing: other kinds of JWT are refused even when signed
		// by a trusted key (RFC 8725 §3.11).
		{"dpop+jwt", token.ErrType, token.ErrType},
		{"logout+jwt", token.ErrType, token.ErrType},
		{"secevent+jwt", token.ErrType, token.ErrType},
		{"application/logout+jwt", token.ErrType, token.ErrType},
		{"JOSE", token.ErrType, token.ErrType},
		{"JOSE+JSON", token.ErrType, token.ErrType},
		{"JWS", token.ErrType, token.ErrType},
		{"jwt ", token.ErrType, token.ErrType},
		{"application/", token.ErrType, token.ErrType},
		{"text/jwt", token.ErrType, token.ErrType},
		{"application/application/at+jwt", token.ErrType, token.ErrType},
	}
	for _, tt := range tests {
		t.Run(tt.typ, func(t *testing.T) {
			b := f.iss.Token().Claim("client_id", "client-1").Claim("jti", "id-1")
			if tt.typ == absent {
				b.WithoutHeader("typ")
			} else {
				b.Header("typ", tt.typ)
			}
			raw := b.MustSign(t)
			tok, err := lax.Verify(t.Context(), raw)
			check(t, tok, err, tt.lax)
			tok, err = strict.Verify(t.Context(), raw)
			check(t, tok, err, tt.strict)
		})
	}
}

func TestVerifyAccessTokenProfile(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	strict := f.verifier(t, func(c *token.Config) { c.RequireAccessTokenType = true })
	full := func() *authtest.TokenBuilder {
		return f.iss.Token().Header("typ", "at+jwt").Claim("client_id", "client-1").Claim("jti", "id-1")
	}

	tests := []struct {
		name  string
		build *authtest.TokenBuilder
		want  *token.ValidationError
	}{
		{"complete", full(), nil},
		{"empty values are present", full().Subject("").Claim("client_id", "").Claim("jti", ""), nil},
		{"no iat", full().Without("iat"), token.ErrMissingClaim},
		{"no sub", full().Without("sub"), token.ErrMissingClaim},
		{"no client_id", full().Without("client_id"), token.ErrMissingClaim},
		{"no jti", full().Without("jti"), token.ErrMissingClaim},
		{"client_id not a string", full().Claim("client_id", 1), token.ErrClaimType},
		{"jti not a string", full().Claim("jti", true), token.ErrClaimType},
		{"sub not a string", full().Claim("sub", []string{"a"}), token.ErrClaimType},
		{"typ JWT", full().Header("typ", "JWT"), token.ErrType},
		{"typ absent", full().WithoutHeader("typ"), token.ErrType},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			tok, err := strict.Verify(t.Context(), tt.build.MustSign(t))
			check(t, tok, err, tt.want)
		})
	}

	t.Run("the missing claim is named for logs", func(t *testing.T) {
		for _, name := range []string{"iat", "sub", "client_id", "jti"} {
			_, err := strict.Verify(t.Context(), full().Without(name).MustSign(t))
			assertRefused(t, err, token.ErrMissingClaim)
			assert.True(t, strings.HasSuffix(err.Error(), ": "+name), "error %q names %s", err, name)
		}
	})

	t.Run("not required by default", func(t *testing.T) {
		raw := f.iss.Token().Without("iat").Without("sub").MustSign(t)
		tok, err := f.verify(t, raw)
		check(t, tok, err, nil)
	})
}

// The key for a token comes only from the configured source: keys and key
// URLs in the header are never read, and never fetched.
func TestVerifyIgnoresHeaderKeys(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	attacker, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	require.NoError(t, err)
	const attackerKID = "attacker-key"

	attackerJWK, err := json.Marshal(jose.JSONWebKey{Key: attacker.Public(), KeyID: attackerKID, Algorithm: "ES256", Use: "sig"})
	require.NoError(t, err)
	cert, err := x509.CreateCertificate(rand.Reader, &x509.Certificate{
		SerialNumber: big.NewInt(1),
		Subject:      pkix.Name{CommonName: "attacker"},
		NotBefore:    testNow.Add(-time.Hour),
		NotAfter:     testNow.Add(time.Hour),
	}, &x509.Certificate{SerialNumber: big.NewInt(1), Subject: pkix.Name{CommonName: "attacker"}}, attacker.Public(), attacker)
	require.NoError(t, err)

	var spyHits atomic.Int64
	spy := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		spyHits.Add(1)
		w.Header().Set("Content-Type", "application/json")
		_, _ = w.Write([]byte(`{"keys":[` + string(attackerJWK) + `]}`))
	}))
	t.Cleanup(spy.Close)

	embed := func(b *authtest.TokenBuilder) *authtest.TokenBuilder {
		return b.Header("jwk", json.RawMessage(attackerJWK)).
			Header("jku", spy.URL+"/.well-known/jwks.json").
			Header("x5u", spy.URL+"/cert.pem").
			Header("x5c", []string{base64.StdEncoding.EncodeToString(cert)})
	}

	tests := []struct {
		name  string
		build *authtest.TokenBuilder
		want  *token.ValidationError
	}{
		{"attacker kid, embedded jwk and jku", embed(f.iss.Token().SignWith("ES256", attacker, attackerKID)), token.ErrUnknownKey},
		{"issuer's kid, attacker signature", embed(f.iss.Token().SignWith("ES256", attacker, f.iss.KeyID("ES256"))), token.ErrSignature},
		{"no kid, attacker signature", embed(f.iss.Token().SignWith("ES256", attacker, "")), token.ErrSignature},
		{"jku only", f.iss.Token().SignWith("ES256", attacker, attackerKID).Header("jku", spy.URL), token.ErrUnknownKey},
		{"x5u only", f.iss.Token().SignWith("ES256", attacker, attackerKID).Header("x5u", spy.URL), token.ErrUnknownKey},
		// The same parameters on a token the issuer signed are ignored, not refused.
		{"issuer-signed token with the same parameters", embed(f.iss.Token().Algorithm("ES256")), nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			tok, err := f.verify(t, tt.build.MustSign(t))
			check(t, tok, err, tt.want)
		})
	}
	assert.Zero(t, spyHits.Load(), "the verifier fetched a URL named by a token")
}

func TestVerifyPayload(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	past, future := strconv.Itoa(nowUnix-3600), strconv.Itoa(nowUnix+3600)

	tests := []struct {
		name    string
		payload string // raw JSON, see fixture.expand
		want    *token.ValidationError
	}{
		{"valid", validPayload, nil},
		{"valid with whitespace", "\t{ \"iss\" : $ISS ,\n \"aud\" : $AUD , \"exp\" : $EXP }\r\n", nil},
		{"nested custom claims", `{"iss":$ISS,"aud":$AUD,"exp":$EXP,"o":{"id":"org_1","roles":["admin"]}}`, nil},

		// Not a JSON object in valid UTF-8 without duplicates.
		{"array", `[{"iss":$ISS,"aud":$AUD,"exp":$EXP}]`, token.ErrMalformed},
		{"string", `"claims"`, token.ErrMalformed},
		{"number", `42`, token.ErrMalformed},
		{"null", `null`, token.ErrMalformed},
		{"invalid JSON", `{"iss":$ISS,"aud":$AUD,"exp":$EXP`, token.ErrMalformed},
		{"trailing comma", `{"iss":$ISS,"aud":$AUD,"exp":$EXP,}`, token.ErrMalformed},
		{"two objects", validPayload + `{}`, token.ErrMalformed},
		{"duplicate exp", `{"iss":$ISS,"aud":$AUD,"exp":` + past + `,"exp":` + future + `}`, token.ErrMalformed},
		{"duplicate exp, future first", `{"iss":$ISS,"aud":$AUD,"exp":` + future + `,"exp":` + past + `}`, token.ErrMalformed},
		{"duplicate exp, escaped", `{"iss":$ISS,"aud":$AUD,"exp":` + future + `,"\u0065xp":` + past + `}`, token.ErrMalformed},
		{"duplicate iss", `{"iss":$ISS,"iss":"https://evil.example","aud":$AUD,"exp":$EXP}`, token.ErrMalformed},
		{"duplicate aud", `{"iss":$ISS,"aud":"urn:other","aud":$AUD,"exp":$EXP}`, token.ErrMalformed},
		{"duplicate nested", `{"iss":$ISS,"aud":$AUD,"exp":$EXP,"o":{"role":"user","role":"admin"}}`, token.ErrMalformed},
		{"invalid UTF-8", "{\"iss\":$ISS,\"aud\":$AUD,\"exp\":$EXP,\"name\":\"\xe2\x82\"}", token.ErrMalformed},
		{"lone surrogate", `{"iss":$ISS,"aud":$AUD,"exp":$EXP,"name":"\udc00"}`, token.ErrMalformed},
		{"NaN", `{"iss":$ISS,"aud":$AUD,"exp":NaN}`, token.ErrMalformed},
		{"leading zero", `{"iss":$ISS,"aud":$AUD,"exp":01893459600}`, token.ErrMalformed},
		{"plus sign", `{"iss":$ISS,"aud":$AUD,"exp":+1893459600}`, token.ErrMalformed},
		{"too deep", `{"iss":$ISS,"aud":$AUD,"exp":$EXP,"x":` + strings.Repeat("[", 16) + strings.Repeat("]", 16) + `}`, token.ErrMalformed},

		// Claim names are case-sensitive: "Exp" is not "exp".
		{"exp past, Exp future", `{"iss":$ISS,"aud":$AUD,"exp":` + past + `,"Exp":` + future + `}`, token.ErrExpired},
		{"EXP only", `{"iss":$ISS,"aud":$AUD,"EXP":$EXP}`, token.ErrMissingClaim},
		{"Iss only", `{"Iss":$ISS,"aud":$AUD,"exp":$EXP}`, token.ErrIssuer},
		{"Aud only", `{"iss":$ISS,"Aud":$AUD,"exp":$EXP}`, token.ErrMissingClaim},

		// exp: required, a non-negative number within range.
		{"exp missing", `{"iss":$ISS,"aud":$AUD}`, token.ErrMissingClaim},
		{"exp string", `{"iss":$ISS,"aud":$AUD,"exp":"` + future + `"}`, token.ErrClaimType},
		{"exp null", `{"iss":$ISS,"aud":$AUD,"exp":null}`, token.ErrClaimType},
		{"exp true", `{"iss":$ISS,"aud":$AUD,"exp":true}`, token.ErrClaimType},
		{"exp false", `{"iss":$ISS,"aud":$AUD,"exp":false}`, token.ErrClaimType},
		{"exp array", `{"iss":$ISS,"aud":$AUD,"exp":[` + future + `]}`, token.ErrClaimType},
		{"exp object", `{"iss":$ISS,"aud":$AUD,"exp":{}}`, token.ErrClaimType},
		{"exp negative", `{"iss":$ISS,"aud":$AUD,"exp":-1}`, token.ErrClaimType},
		{"exp huge", `{"iss":$ISS,"aud":$AUD,"exp":1e300}`, token.ErrClaimType},
		{"exp beyond float64", `{"iss":$ISS,"aud":$AUD,"exp":1e400}`, token.ErrClaimType},
		{"exp beyond 2^53 seconds", `{"iss":$ISS,"aud":$AUD,"exp":10000000000000000}`, token.ErrClaimType},
		{"exp fractional", `{"iss":$ISS,"aud":$AUD,"exp":` + future + `.25}`, nil},
		{"exp with exponent", `{"iss":$ISS,"aud":$AUD,"exp":1.8934596e9}`, nil},
		{"exp zero", `{"iss":$ISS,"aud":$AUD,"exp":0}`, token.ErrExpired},
		{"exp negative zero", `{"iss":$ISS,"aud":$AUD,"exp":-0}`, token.ErrExpired},

		// The other registered claims have their registered types too.
		{"nbf string", `{"iss":$ISS,"aud":$AUD,"exp":$EXP,"nbf":"$NOW"}`, token.ErrClaimType},
		{"nbf null", `{"iss":$ISS,"aud":$AUD,"exp":$EXP,"nbf":null}`, token.ErrClaimType},
		{"iat string", `{"iss":$ISS,"aud":$AUD,"exp":$EXP,"iat":"$NOW"}`, token.ErrClaimType},
		{"iat negative", `{"iss":$ISS,"aud":$AUD,"exp":$EXP,"iat":-5}`, token.ErrClaimType},
		// iss is the one claim read before the signature: one that is not a
		// string names no issuer we trust.
		{"iss number", `{"iss":1,"aud":$AUD,"exp":$EXP}`, token.ErrIssuer},
		{"iss null", `{"iss":null,"aud":$AUD,"exp":$EXP}`, token.ErrIssuer},
		{"iss array", `{"iss":[$ISS],"aud":$AUD,"exp":$EXP}`, token.ErrIssuer},
		{"sub number", `{"iss":$ISS,"aud":$AUD,"exp":$EXP,"sub":123}`, token.ErrClaimType},
		{"jti object", `{"iss":$ISS,"aud":$AUD,"exp":$EXP,"jti":{}}`, token.ErrClaimType},
		{"azp array", `{"iss":$ISS,"aud":$AUD,"exp":$EXP,"azp":["a"]}`, token.ErrClaimType},
		{"client_id number", `{"iss":$ISS,"aud":$AUD,"exp":$EXP,"client_id":7}`, token.ErrClaimType},
		{"unregistered claims may have any type", `{"iss":$ISS,"aud":$AUD,"exp":$EXP,"scope":null,"permissions":1,"Sub":false}`, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			tok, err := f.verify(t, f.raw(t, validHeader, tt.payload))
			check(t, tok, err, tt.want)
		})
	}

	t.Run("fractional exp keeps its fraction", func(t *testing.T) {
		tok, err := f.verify(t, f.raw(t, validHeader, `{"iss":$ISS,"aud":$AUD,"exp":`+future+`.25}`))
		require.NoError(t, err)
		assert.Equal(t, testNow.Add(time.Hour+250*time.Millisecond).UnixNano(), tok.Claims().Expiry().UnixNano())
	})
}

func TestVerifyTimeClaims(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	at := func(d time.Duration) time.Time { return testNow.Add(d) }
	// seconds renders now+d as a NumericDate with a fraction.
	seconds := func(d time.Duration) json.RawMessage {
		return json.RawMessage(strconv.FormatFloat(float64(at(d).UnixNano())/1e9, 'f', 3, 64))
	}

	tests := []struct {
		name   string
		skew   time.Duration // Config.ClockSkew
		maxAge time.Duration // Config.MaxTokenAge
		build  func(*authtest.TokenBuilder)
		want   *token.ValidationError
	}{
		// exp: valid strictly before exp+skew; the default skew is 5 s.
		{"exp in an hour", 0, 0, func(b *authtest.TokenBuilder) {}, nil},
		{"exp now, within default skew", 0, 0, func(b *authtest.TokenBuilder) { b.ExpiresAt(at(0)) }, nil},
		{"exp 4s ago, within default skew", 0, 0, func(b *authtest.TokenBuilder) { b.ExpiresAt(at(-4 * time.Second)) }, nil},
		{"exp 5s ago, exactly at default skew", 0, 0, func(b *authtest.TokenBuilder) { b.ExpiresAt(at(-5 * time.Second)) }, token.ErrExpired},
		{"exp 4.999s ago", 0, 0, func(b *authtest.TokenBuilder) { b.Claim("exp", seconds(-4999*time.Millisecond)) }, nil},
		{"exp an hour ago", 0, 0, func(b *authtest.TokenBuilder) { b.ExpiresAt(at(-time.Hour)) }, token.ErrExpired},
		{"exp now, no skew", token.NoClockSkew, 0, func(b *authtest.TokenBuilder) { b.ExpiresAt(at(0)) }, token.ErrExpired},
		{"exp 1s ahead, no skew", token.NoClockSkew, 0, func(b *authtest.TokenBuilder) { b.ExpiresAt(at(time.Second)) }, nil},
		{"exp 1ms ahead, no skew", token.NoClockSkew, 0, func(b *authtest.TokenBuilder) { b.Claim("exp", seconds(time.Millisecond)) }, nil},
		{"exp 1ms ago, no skew", token.NoClockSkew, 0, func(b *authtest.TokenBuilder) { b.Claim("exp", seconds(-time.Millisecond)) }, token.ErrExpired},
		{"exp 59s ago, skew 1m", time.Minute, 0, func(b *authtest.TokenBuilder) { b.ExpiresAt(at(-59 * time.Second)) }, nil},
		{"exp 60s ago, skew 1m", time.Minute, 0, func(b *authtest.TokenBuilder) { b.ExpiresAt(at(-time.Minute)) }, token.ErrExpired},

		// nbf: refused while now+skew is before it.
		{"nbf now", 0, 0, func(b *authtest.TokenBuilder) { b.NotBefore(at(0)) }, nil},
		{"nbf 5s ahead, exactly at default skew", 0, 0, func(b *authtest.TokenBuilder) { b.NotBefore(at(5 * time.Second)) }, nil},
		{"nbf 6s ahead", 0, 0, func(b *authtest.TokenBuilder) { b.NotBefore(at(6 * time.Second)) }, token.ErrNotYetValid},
		{"nbf 5.001s ahead", 0, 0, func(b *authtest.TokenBuilder) { b.Claim("nbf", seconds(5001*time.Millisecond)) }, token.ErrNotYetValid},
		{"nbf now, no skew", token.NoClockSkew, 0, func(b *authtest.TokenBuilder) { b.NotBefore(at(0)) }, nil},
		{"nbf 1s ahead, no skew", token.NoClockSkew, 0, func(b *authtest.TokenBuilder) { b.NotBefore(at(time.Second)) }, token.ErrNotYetValid},
		{"nbf 1ms ahead, no skew", token.NoClockSkew, 0, func(b *authtest.TokenBuilder) { b.Claim("nbf", seconds(time.Millisecond)) }, token.ErrNotYetValid},
		{"nbf 30s ahead, skew 1m", time.Minute, 0, func(b *authtest.TokenBuilder) { b.NotBefore(at(30 * time.Second)) }, nil},
		{"nbf in the past", 0, 0, func(b *authtest.TokenBuilder) { b.NotBefore(at(-time.Hour)) }, nil},

		// iat: refused while now+skew is before it.
		{"iat 5s ahead, exactly at default skew", 0, 0, func(b *authtest.TokenBuilder) { b.IssuedAt(at(5 * time.Second)) }, nil},
		{"iat 6s ahead", 0, 0, func(b *authtest.TokenBuilder) { b.IssuedAt(at(6 * time.Second)) }, token.ErrIssuedInFuture},
		{"iat 1s ahead, no skew", token.NoClockSkew, 0, func(b *authtest.TokenBuilder) { b.IssuedAt(at(time.Second)) }, token.ErrIssuedInFuture},
		{"iat now, no skew", token.NoClockSkew, 0, func(b *authtest.TokenBuilder) { b.IssuedAt(at(0)) }, nil},
		{"iat missing", 0, 0, func(b *authtest.TokenBuilder) { b.Without("iat") }, nil},
		{"iat years ago without MaxTokenAge", 0, 0, func(b *authtest.TokenBuilder) { b.IssuedAt(at(-24 * 365 * time.Hour)) }, nil},

		// MaxTokenAge: iat required, no older than MaxTokenAge plus skew.
		{"max age, iat now", 0, time.Hour, func(b *authtest.TokenBuilder) {}, nil},
		{"max age, iat exactly max age ago", 0, time.Hour, func(b *authtest.TokenBuilder) { b.IssuedAt(at(-time.Hour)) }, nil},
		{"max age, iat max age plus skew ago", 0, time.Hour, func(b *authtest.TokenBuilder) { b.IssuedAt(at(-time.Hour - 5*time.Second)) }, nil},
		{"max age, iat max age plus skew plus 1s ago", 0, time.Hour, func(b *authtest.TokenBuilder) { b.IssuedAt(at(-time.Hour - 6*time.Second)) }, token.ErrTooOld},
		{"max age, no skew, iat 1s too old", token.NoClockSkew, time.Hour, func(b *authtest.TokenBuilder) { b.IssuedAt(at(-time.Hour - time.Second)) }, token.ErrTooOld},
		{"max age, iat missing", 0, time.Hour, func(b *authtest.TokenBuilder) { b.Without("iat") }, token.ErrMissingClaim},
		{"max age, iat in the future", 0, time.Hour, func(b *authtest.TokenBuilder) { b.IssuedAt(at(time.Minute)) }, token.ErrIssuedInFuture},
	}
	verifiers := map[[2]time.Duration]*token.Verifier{}
	for _, tt := range tests {
		v := verifiers[[2]time.Duration{tt.skew, tt.maxAge}]
		if v == nil {
			v = f.verifier(t, func(c *token.Config) { c.ClockSkew, c.MaxTokenAge = tt.skew, tt.maxAge })
			verifiers[[2]time.Duration{tt.skew, tt.maxAge}] = v
		}
		t.Run(tt.name, func(t *testing.T) {
			b := f.iss.Token()
			tt.build(b)
			tok, err := v.Verify(t.Context(), b.MustSign(t))
			check(t, tok, err, tt.want)
		})
	}
}

func TestVerifyAudience(t *testing.T) {
	t.Parallel()
	f := newFixture(t) // the issuer's audience is authtest.DefaultAudience
	ours := f.iss.Audience()
	two := f.verifier(t, func(c *token.Config) { c.Issuers[0].Audiences = []string{"urn:first", ours} })

	tests := []struct {
		name string
		aud  any // "aud" as JSON; nil removes it
		want *token.ValidationError
	}{
		{"string, ours", ours, nil},
		{"array of one, ours", []string{ours}, nil},
		{"array containing ours", []string{"https://tenant.auth0.com/userinfo", ours}, nil},
		{"array containing ours twice", []string{ours, ours}, nil},
		{"string, other", "https://other.example.com", token.ErrAudience},
		{"array of others", []string{"urn:a", "urn:b"}, token.ErrAudience},
		{"empty string", "", token.ErrAudience},
		{"array of empty string", []string{""}, token.ErrAudience},
		{"ours with a trailing slash", ours + "/", token.ErrAudience},
		{"ours in upper case", strings.ToUpper(ours), token.ErrAudience},
		{"ours with a space", ours + " ", token.ErrAudience},
		{"empty array", []string{}, token.ErrMissingClaim},
		{"missing", nil, token.ErrMissingClaim},
		{"number", 42, token.ErrClaimType},
		{"null", json.RawMessage(`null`), token.ErrClaimType},
		{"object", map[string]string{"aud": ours}, token.ErrClaimType},
		{"array with a number", []any{1}, token.ErrClaimType},
		{"array with ours and a number", []any{ours, 1}, token.ErrClaimType},
		{"array with null", []any{ours, nil}, token.ErrClaimType},
		{"nested array", []any{[]string{ours}}, token.ErrClaimType},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			b := f.iss.Token()
			if tt.aud == nil {
				b.Without("aud")
			} else {
				b.Claim("aud", tt.aud)
			}
			tok, err := f.verify(t, b.MustSign(t))
			check(t, tok, err, tt.want)
		})
	}

	t.Run("any configured audience", func(t *testing.T) {
		for _, aud := range []any{ours, "urn:first", []string{"urn:x", "urn:first"}} {
			tok, err := two.Verify(t.Context(), f.iss.Token().Claim("aud", aud).MustSign(t))
			check(t, tok, err, nil)
		}
		_, err := two.Verify(t.Context(), f.iss.Token().Audience("urn:second").MustSign(t))
		assertRefused(t, err, token.ErrAudience)
	})
}

func TestVerifyIssuer(t *testing.T) {
	t.Parallel()
	iss := startIssuer(t) // identifier without trailing slash
	keys := remoteKeys(t, iss)
	noSlash := newVerifier(t, token.Config{Issuers: []token.Issuer{{Issuer: iss.URL(), Audiences: []string{iss.Audience()}, Keys: keys}}})
	// Trusting the same issuer as written with a trailing slash (as Auth0
	// writes it) must not admit tokens whose iss lacks it.
	slashKeys := remoteKeys(t, iss)
	slash := newVerifier(t, token.Config{Issuers: []token.Issuer{{Issuer: iss.URL() + "/", Audiences: []string{iss.Audience()}, Keys: slashKeys}}})

	tests := []struct {
		name string
		v    *token.Verifier
		iss  any // nil removes "iss"
		want *token.ValidationError
	}{
		{"missing", noSlash, nil, token.ErrIssuer},
		{"empty", noSlash, "", token.ErrIssuer},
		{"other issuer", noSlash, "https://evil.example.com", token.ErrIssuer},
		{"token adds a trailing slash", noSlash, iss.URL() + "/", token.ErrIssuer},
		{"token lacks the trailing slash", slash, iss.URL(), token.ErrIssuer},
		{"token with two slashes", slash, iss.URL() + "//", token.ErrIssuer},
		{"upper case", noSlash, strings.ToUpper(iss.URL()), token.ErrIssuer},
		{"https instead of http", noSlash, strings.Replace(iss.URL(), "http://", "https://", 1), token.ErrIssuer},
		{"with a path", noSlash, iss.URL() + "/tenant", token.ErrIssuer},
		{"with a space", noSlash, iss.URL() + " ", token.ErrIssuer},
		{"prefix", noSlash, iss.URL()[:len(iss.URL())-1], token.ErrIssuer},
		{"number", noSlash, 1, token.ErrIssuer},
		{"array", noSlash, []string{iss.URL()}, token.ErrIssuer},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			b := iss.Token()
			if tt.iss == nil {
				b.Without("iss")
			} else {
				b.Claim("iss", tt.iss)
			}
			tok, err := tt.v.Verify(t.Context(), b.MustSign(t))
			check(t, tok, err, tt.want)
		})
	}
	// iss is settled before any key lookup: none of the tokens above, all
	// validly signed, cost a request.
	assert.Zero(t, iss.Requests(authtest.DiscoveryPath), "discovery requests")
	assert.Zero(t, iss.Requests(authtest.JWKSPath), "key set requests")
	assert.Zero(t, keys.Stats().Fetches)
	assert.Zero(t, slashKeys.Stats().Fetches)

	t.Run("exact issuer", func(t *testing.T) {
		tok, err := noSlash.Verify(t.Context(), iss.Token().MustSign(t))
		check(t, tok, err, nil)
		assert.EqualValues(t, 1, iss.Requests(authtest.JWKSPath))
	})
}

func TestVerifyAuthorizedParties(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	parties := []string{"https://app.example.com", "http://localhost:3000"}
	v := f.verifier(t, func(c *token.Config) { c.AuthorizedParties = parties })

	tests := []struct {
		name string
		v    *token.Verifier
		azp  any // nil removes "azp"
		want *token.ValidationError
	}{
		{"listed", v, "https://app.example.com", nil},
		{"second listed", v, "http://localhost:3000", nil},
		{"missing", v, nil, token.ErrMissingClaim},
		{"empty", v, "", token.ErrMissingClaim},
		{"other", v, "https://evil.example.com", token.ErrAuthorizedParty},
		{"listed with a trailing slash", v, "https://app.example.com/", token.ErrAuthorizedParty},
		{"listed in upper case", v, "HTTPS://APP.EXAMPLE.COM", token.ErrAuthorizedParty},
		{"array", v, []string{"https://app.example.com"}, token.ErrClaimType},
		{"number", v, 1, token.ErrClaimType},
		{"not configured, missing", f.v, nil, nil},
		{"not configured, any value", f.v, "https://evil.example.com", nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			b := f.iss.Token()
			if tt.azp != nil {
				b.Claim("azp", tt.azp)
			}
			tok, err := tt.v.Verify(t.Context(), b.MustSign(t))
			check(t, tok, err, tt.want)
		})
	}
}

func TestVerifyRequireSubject(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	v := f.verifier(t, func(c *token.Config) { c.RequireSubject = true })

	tests := []struct {
		name string
		v    *token.Verifier
		sub  any // nil removes "sub"
		want *token.ValidationError
	}{
		{"present", v, "user_1", nil},
		{"missing", v, nil, token.ErrMissingClaim},
		{"empty", v, "", token.ErrMissingClaim},
		{"number", v, 1, token.ErrClaimType},
		{"not required, missing", f.v, nil, nil},
		{"not required, number", f.v, 1, token.ErrClaimType},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			b := f.iss.Token().Without("sub")
			if tt.sub != nil {
				b.Claim("sub", tt.sub)
			}
			tok, err := tt.v.Verify(t.Context(), b.MustSign(t))
			check(t, tok, err, tt.want)
		})
	}
}

func TestVerifyTypes(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	jwtOnly := f.verifier(t, func(c *token.Config) { c.Types = []string{"JWT"} })
	atOnly := f.verifier(t, func(c *token.Config) { c.Types = []string{"application/at+jwt"} })

	tests := []struct {
		name string
		v    *token.Verifier
		typ  any // nil removes "typ"
		want *token.ValidationError
	}{
		{"JWT listed", jwtOnly, "JWT", nil},
		{"jwt compares case-insensitively", jwtOnly, "jwt", nil},
		{"application/JWT is JWT", jwtOnly, "application/JWT", nil},
		{"absent", jwtOnly, nil, nil},
		{"at+jwt not listed", jwtOnly, "at+jwt", token.ErrType},
		{"at+jwt listed", atOnly, "at+jwt", nil},
		{"JWT not listed", atOnly, "JWT", token.ErrType},
		{"logout token never", jwtOnly, "logout+jwt", token.ErrType},
		{"default: at+jwt", f.v, "at+jwt", nil},
		{"default: JWT", f.v, "JWT", nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			b := f.iss.Token().WithoutHeader("typ")
			if tt.typ != nil {
				b.Header("typ", tt.typ)
			}
			tok, err := tt.v.Verify(t.Context(), b.MustSign(t))
			check(t, tok, err, tt.want)
		})
	}
}

// Checks run cheapest first, and a token refused before the key lookup
// costs no fetch. When a token has several faults, the first in that order
// is reported.
func TestVerifyOrder(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	pinned := f.verifier(t, func(c *token.Config) { c.Issuers[0].Algorithms = []string{"ES256"}; c.MaxTokenBytes = 4096 })
	expired := func() *authtest.TokenBuilder { return f.iss.Token().ExpiresIn(-time.Hour) }
	unknownKID := func(b *authtest.TokenBuilder) *authtest.TokenBuilder { return b.Header("kid", "no-such-key") }

	tests := []struct {
		name string
		raw  string
		want *token.ValidationError
	}{
		{"too large beats malformed", strings.Repeat(".", 5000), token.ErrTooLarge},
		{"malformed header beats everything after", "e30." + b64s("{") + ".", token.ErrMalformed},
		{"alg none beats a bad payload", b64s(`{"alg":"none"}`) + "." + b64s("not json") + ".", token.ErrAlgorithm},
		{"crit beats a wrong issuer", expired().Header("crit", []string{"x"}).Claim("iss", "https://evil.example").MustSign(t), token.ErrUnsupportedHeader},
		{"typ beats a bad claim type", f.iss.Token().Header("typ", "dpop+jwt").Claim("exp", "soon").MustSign(t), token.ErrType},
		{"a wrong issuer beats a bad claim type", f.iss.Token().Claim("exp", "soon").Claim("iss", "https://evil.example").MustSign(t), token.ErrIssuer},
		{"issuer beats the issuer's algorithms", f.iss.Token().Claim("iss", "https://evil.example").MustSign(t), token.ErrIssuer},
		{"issuer's algorithms beat expiry", expired().MustSign(t), token.ErrAlgorithm},
		{"a malformed signature beats the claims", f.iss.Token().Algorithm("ES256").ExpiresIn(-time.Hour).MustSign(t) + "=", token.ErrMalformed},
		{"an empty signature beats the claims", strings.TrimRight(f.iss.Token().Algorithm("ES256").Audience("urn:other").MustSign(t), "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-_"), token.ErrSignature},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			tok, err := pinned.Verify(t.Context(), tt.raw)
			check(t, tok, err, tt.want)
		})
	}
	assert.Zero(t, f.jwksFetches(), "no token above reached the key lookup")
	assert.Zero(t, f.iss.Requests(authtest.DiscoveryPath))

	// From here on the key decides first: no claim is judged before the
	// signature verifies, so a forger learns nothing of the audience, the
	// authorized parties or the clock.
	forged := func(b *authtest.TokenBuilder) string {
		return authtest.TamperSignature(b.Algorithm("ES256").MustSign(t))
	}
	after := []struct {
		name string
		raw  string
		want *token.ValidationError
	}{
		{"an unknown key beats expiry and audience", unknownKID(expired().Algorithm("ES256").Audience("urn:other")).MustSign(t), token.ErrUnknownKey},
		{"a bad signature beats expiry", forged(expired()), token.ErrSignature},
		{"a bad signature beats the audience", forged(f.iss.Token().Audience("urn:other")), token.ErrSignature},
		{"a bad signature beats the not-before", forged(f.iss.Token().NotBefore(testNow.Add(time.Hour))), token.ErrSignature},
		{"a genuine token: expiry beats audience", expired().Algorithm("ES256").Audience("urn:other").MustSign(t), token.ErrExpired},
		{"a genuine token: the audience", f.iss.Token().Algorithm("ES256").Audience("urn:other").MustSign(t), token.ErrAudience},
	}
	for _, tt := range after {
		t.Run(tt.name, func(t *testing.T) {
			tok, err := pinned.Verify(t.Context(), tt.raw)
			check(t, tok, err, tt.want)
		})
	}
}

func TestVerifyKeys(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	other := startIssuer(t) // its keys sign what this issuer's set does not hold

	// Warm the cache so that each case below shows its own fetches.
	_, err := f.verify(t, f.iss.Token().MustSign(t))
	require.NoError(t, err)
	require.EqualValues(t, 1, f.jwksFetches())

	alice := segments(t, f.iss.Token().Subject("alice").MustSign(t))
	mallory := segments(t, f.iss.Token().Subject("mallory").MustSign(t))
	unknown := segments(t, f.iss.Token().Header("kid", "no-such-key-3").MustSign(t))
	es := segments(t, f.iss.Token().Algorithm("ES256").MustSign(t))
	esDER := func() string {
		digest := sha256.Sum256([]byte(es[0] + "." + es[1]))
		der, err := f.iss.Signer("ES256").Sign(rand.Reader, digest[:], crypto.SHA256)
		require.NoError(t, err)
		return es[0] + "." + es[1] + "." + b64(der)
	}
	flip := func(sig string) string {
		b, err := base64.RawURLEncoding.DecodeString(sig)
		require.NoError(t, err)
		b[len(b)/2] ^= 0x01
		return b64(b)
	}
	truncate := func(sig string) string {
		b, err := base64.RawURLEncoding.DecodeString(sig)
		require.NoError(t, err)
		return b64(b[:len(b)-3])
	}
	pem := f.iss.PublicKeyPEM("RS256")

	tests := []struct {
		name    string
		raw     string
		want    *token.ValidationError
		fetches int64 // key set requests the case may cause
	}{
		{"unknown kid", f.iss.Token().Header("kid", "no-such-key").MustSign(t), token.ErrUnknownKey, 1},
		{"another unknown kid within the cooldown", f.iss.Token().Header("kid", "no-such-key-2").MustSign(t), token.ErrUnknownKey, 0},
		{"known kid, wrong key", f.iss.Token().SignWith("RS256", other.Signer("RS256"), f.iss.KeyID("RS256")).MustSign(t), token.ErrSignature, 0},
		{"another issuer's kid", f.iss.Token().SignWith("RS256", other.Signer("RS256"), other.KeyID("RS256")).MustSign(t), token.ErrUnknownKey, 0},
		{"tampered payload", alice[0] + "." + mallory[1] + "." + alice[2], token.ErrSignature, 0},
		{"tampered header", b64s(f.expand(`{"alg":"RS256","kid":$KID,"typ":"at+jwt"}`)) + "." + alice[1] + "." + alice[2], token.ErrSignature, 0},
		{"flipped signature bit", alice[0] + "." + alice[1] + "." + flip(alice[2]), token.ErrSignature, 0},
		{"truncated signature", alice[0] + "." + alice[1] + "." + truncate(alice[2]), token.ErrSignature, 0},
		{"empty signature", alice[0] + "." + alice[1] + ".", token.ErrSignature, 0},
		// An empty signature is refused before it costs a key lookup.
		{"empty signature, unknown kid", unknown[0] + "." + unknown[1] + ".", token.ErrSignature, 0},
		{"signature of another token", alice[0] + "." + alice[1] + "." + mallory[2], token.ErrSignature, 0},
		{"ES256 signature in DER form", esDER(), token.ErrSignature, 0},
		// Algorithm confusion: the key, found by kid, does not allow the
		// token's algorithm.
		{"HS256 with the RSA public key as secret, RSA kid",
			f.iss.Token().SignWithSecret("HS256", pem).Header("kid", f.iss.KeyID("RS256")).MustSign(t), token.ErrAlgorithm, 0},
		{"HS512 with the RSA public key as secret, RSA kid",
			f.iss.Token().SignWithSecret("HS512", pem).Header("kid", f.iss.KeyID("RS256")).MustSign(t), token.ErrAlgorithm, 0},
		{"RS256 token naming the ES256 kid",
			f.iss.Token().Header("kid", f.iss.KeyID("ES256")).MustSign(t), token.ErrAlgorithm, 0},
		{"ES256 token naming the RS256 kid",
			f.iss.Token().Algorithm("ES256").Header("kid", f.iss.KeyID("RS256")).MustSign(t), token.ErrAlgorithm, 0},
		{"EdDSA token naming the ES256 kid",
			f.iss.Token().Algorithm("EdDSA").Header("kid", f.iss.KeyID("ES256")).MustSign(t), token.ErrAlgorithm, 0},
		{"PS256 with the key published for RS256", f.iss.Token().Algorithm("PS256").MustSign(t), token.ErrAlgorithm, 0},
		{"RS512 with the key published for RS256", f.iss.Token().Algorithm("RS512").MustSign(t), token.ErrAlgorithm, 0},
		{"token claims ES256, signed RS256", f.iss.Token().Header("alg", "ES256").MustSign(t), token.ErrAlgorithm, 0},
		{"valid, no kid", f.iss.Token().WithoutHeader("kid").MustSign(t), nil, 0},
		{"valid ES256, no kid", f.iss.Token().Algorithm("ES256").WithoutHeader("kid").MustSign(t), nil, 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			before := f.jwksFetches()
			tok, err := f.verify(t, tt.raw)
			check(t, tok, err, tt.want)
			assert.LessOrEqual(t, f.jwksFetches()-before, tt.fetches, "key set requests")
		})
	}
}

// A remote key set never holds symmetric keys, so an HMAC token against it
// is an algorithm failure whatever its kid, and costs no fetch.
func TestVerifyHMACAgainstRemoteKeys(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	_, err := f.verify(t, f.iss.Token().MustSign(t))
	require.NoError(t, err)
	require.EqualValues(t, 1, f.jwksFetches())

	pem := f.iss.PublicKeyPEM("RS256")
	for _, alg := range []string{"HS256", "HS384", "HS512"} {
		t.Run(alg, func(t *testing.T) {
			tok, err := f.verify(t, f.iss.Token().SignWithSecret(alg, pem).MustSign(t))
			check(t, tok, err, token.ErrAlgorithm)
		})
	}
	assert.EqualValues(t, 1, f.jwksFetches(), "an HMAC token caused a key set fetch")
}

func TestVerifyStaticKeys(t *testing.T) {
	t.Parallel()
	iss := startIssuer(t)
	secret := []byte("0123456789abcdef0123456789abcdef") // 32 bytes: enough for HS256 only
	longSecret := []byte(strings.Repeat("s", 64))

	pemKey, err := jwks.ParsePEM(iss.PublicKeyPEM("RS256"), "", "")
	require.NoError(t, err)
	pinnedPEM, err := jwks.ParsePEM(iss.PublicKeyPEM("RS256"), "", "RS256")
	require.NoError(t, err)
	hmacKey, err := jwks.NewHMACKey(secret, "", "HS256")
	require.NoError(t, err)
	hmacKID, err := jwks.NewHMACKey(secret, "hmac-1", "HS256")
	require.NoError(t, err)
	hmac512, err := jwks.NewHMACKey(longSecret, "", "HS512")
	require.NoError(t, err)
	edKey, err := jwks.NewPublicKey(iss.PublicKey("EdDSA"), "ed-1", "EdDSA")
	require.NoError(t, err)

	static := func(keys ...*jwks.Key) jwks.Source {
		s, err := jwks.NewStatic(keys...)
		require.NoError(t, err)
		return s
	}
	verifier := func(src jwks.Source, algs ...string) *token.Verifier {
		return newVerifier(t, token.Config{Issuers: []token.Issuer{{
			Issuer: iss.URL(), Audiences: []string{iss.Audience()}, Keys: src, Algorithms: algs,
		}}})
	}
	pemOnly := verifier(static(pemKey))
	pinned := verifier(static(pinnedPEM))
	hmacOnly := verifier(static(hmacKey))
	hmacWithKID := verifier(static(hmacKID))
	hmacPinned := verifier(static(hmacKey), "HS256")
	mixed := verifier(static(pinnedPEM, edKey, hmac512))

	tests := []struct {
		name string
		v    *token.Verifier
		raw  string
		want *token.ValidationError
		key  *jwks.Key // the key that must have verified an accepted token
	}{
		// Clerk's networkless mode: one PEM key without kid answers for the
		// kid its tokens carry.
		{"PEM key, token with a kid", pemOnly, iss.Token().Header("kid", "ins_2abc").MustSign(t), nil, pemKey},
		{"PEM key, token with the issuer's kid", pemOnly, iss.Token().MustSign(t), nil, pemKey},
		{"PEM key, token without kid", pemOnly, iss.Token().WithoutHeader("kid").MustSign(t), nil, pemKey},
		{"PEM key, PS256 fits an unpinned RSA key", pemOnly, iss.Token().Algorithm("PS256").MustSign(t), nil, pemKey},
		{"PEM key, ES256 token", pemOnly, iss.Token().Algorithm("ES256").MustSign(t), token.ErrUnknownKey, nil},
		{"PEM key, wrong signature", pemOnly, iss.Token().SignWith("EdDSA", iss.Signer("EdDSA"), "x").Header("alg", "RS256").MustSign(t), token.ErrSignature, nil},
		{"PEM key, HS256 with the PEM as secret", pemOnly, iss.Token().SignWithSecret("HS256", iss.PublicKeyPEM("RS256")).MustSign(t), token.ErrUnknownKey, nil},
		{"pinned PEM key, RS256", pinned, iss.Token().Header("kid", "ins_2abc").MustSign(t), nil, pinnedPEM},
		{"pinned PEM key, PS256", pinned, iss.Token().Algorithm("PS256").MustSign(t), token.ErrUnknownKey, nil},

		{"HMAC key, HS256", hmacOnly, iss.Token().SignWithSecret("HS256", secret).MustSign(t), nil, hmacKey},
		{"HMAC key, HS256 with any kid", hmacOnly, iss.Token().SignWithSecret("HS256", secret).Header("kid", "k").MustSign(t), nil, hmacKey},
		{"HMAC key, wrong secret", hmacOnly, iss.Token().SignWithSecret("HS256", longSecret[:32]).MustSign(t), token.ErrSignature, nil},
		{"HMAC key, HS384 token", hmacOnly, iss.Token().SignWithSecret("HS384", secret).MustSign(t), token.ErrUnknownKey, nil},
		{"HMAC key, RS256 token", hmacOnly, iss.Token().MustSign(t), token.ErrUnknownKey, nil},
		{"HMAC key with kid, HS384 token naming it", hmacWithKID, iss.Token().SignWithSecret("HS384", secret).Header("kid", "hmac-1").MustSign(t), token.ErrAlgorithm, nil},
		{"HMAC key with kid, HS256 token naming it", hmacWithKID, iss.Token().SignWithSecret("HS256", secret).Header("kid", "hmac-1").MustSign(t), nil, hmacKID},
		{"HMAC pinned by the issuer, HS256", hmacPinned, iss.Token().SignWithSecret("HS256", secret).MustSign(t), nil, hmacKey},
		{"HMAC pinned by the issuer, HS384", hmacPinned, iss.Token().SignWithSecret("HS384", secret).MustSign(t), token.ErrAlgorithm, nil},
		{"HMAC pinned by the issuer, HS512", hmacPinned, iss.Token().SignWithSecret("HS512", longSecret).MustSign(t), token.ErrAlgorithm, nil},
		{"HMAC pinned by the issuer, RS256", hmacPinned, iss.Token().MustSign(t), token.ErrAlgorithm, nil},

		{"mixed set, RS256", mixed, iss.Token().MustSign(t), nil, pinnedPEM},
		{"mixed set, EdDSA by kid", mixed, iss.Token().Algorithm("EdDSA").Header("kid", "ed-1").MustSign(t), nil, edKey},
		{"mixed set, HS512", mixed, iss.Token().SignWithSecret("HS512", longSecret).MustSign(t), nil, hmac512},
		{"mixed set, EdDSA naming the HMAC-less kid", mixed, iss.Token().Algorithm("EdDSA").Header("kid", "nope").MustSign(t), token.ErrUnknownKey, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			tok, err := tt.v.Verify(t.Context(), tt.raw)
			check(t, tok, err, tt.want)
			if tt.want == nil {
				assert.Equal(t, tt.key, tok.Key(), "a copy of the key that verified it")
				assert.NotSame(t, tt.key, tok.Key())
			}
		})
	}

	t.Run("several keys could verify a token without kid", func(t *testing.T) {
		second, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
		require.NoError(t, err)
		k1, err := jwks.NewPublicKey(iss.PublicKey("ES256"), "", "")
		require.NoError(t, err)
		k2, err := jwks.NewPublicKey(second.Public(), "", "")
		require.NoError(t, err)
		v := verifier(static(k1, k2))
		// Trying each key would multiply the cost of a forged token.
		_, err = v.Verify(t.Context(), iss.Token().Algorithm("ES256").WithoutHeader("kid").MustSign(t))
		assertRefused(t, err, token.ErrUnknownKey)
		assert.ErrorIs(t, err, jwks.ErrAmbiguousKey)
		assert.Equal(t, "token signing key is unknown", token.Description(err))
	})
	assert.Zero(t, iss.Requests(authtest.JWKSPath)+iss.Requests(authtest.DiscoveryPath), "static keys use no network")
}

func TestVerifyKeysUnavailable(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name string
		path string
	}{
		{"key set answers 500", authtest.JWKSPath},
		{"discovery answers 500", authtest.DiscoveryPath},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := newFixture(t)
			f.iss.SetHandler(tt.path, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				http.Error(w, "upstream down", http.StatusInternalServerError)
			}))
			raw := f.iss.Token().MustSign(t)
			for range 2 { // the second falls within the failure cooldown
				tok, err := f.verify(t, raw)
				require.Error(t, err)
				assert.True(t, tok.IsZero())
				assert.ErrorIs(t, err, jwks.ErrUnavailable)
				var unavailable *jwks.UnavailableError
				assert.ErrorAs(t, err, &unavailable)
				assert.False(t, isValidationError(err), "the token may be valid: %v", err)
				assert.Equal(t, "token is invalid", token.Description(err))
			}
			assert.EqualValues(t, 1, f.iss.Requests(tt.path), "one fetch per cooldown")

			// Without keys no claim is judged: an expired token may be a
			// forgery, and saying "expired" would tell its sender the
			// server's clock.
			_, err := f.verify(t, f.iss.Token().ExpiresIn(-time.Hour).MustSign(t))
			assert.ErrorIs(t, err, jwks.ErrUnavailable)
			assert.False(t, isValidationError(err), "no verdict on the claims: %v", err)
		})
	}
}

func TestVerifyMultipleIssuers(t *testing.T) {
	t.Parallel()
	a := startIssuer(t, authtest.WithAudience("https://api.a.example"))
	b := startIssuer(t, authtest.WithAudience("https://api.b.example"), authtest.WithTrailingSlash())
	aKeys, bKeys := remoteKeys(t, a), remoteKeys(t, b)
	v := newVerifier(t, token.Config{Issuers: []token.Issuer{
		{Issuer: a.URL(), Audiences: []string{a.Audience()}, Keys: aKeys},
		{Issuer: b.URL(), Audiences: []string{b.Audience()}, Keys: bKeys},
	}})

	// Each issuer's keys are fetched only for its own tokens.
	tok, err := v.Verify(t.Context(), a.Token().MustSign(t))
	require.NoError(t, err)
	assert.Equal(t, a.URL(), tok.Claims().Issuer())
	assert.EqualValues(t, 1, a.Requests(authtest.JWKSPath))
	assert.Zero(t, b.Requests(authtest.JWKSPath)+b.Requests(authtest.DiscoveryPath))

	tests := []struct {
		name string
		raw  string
		want *token.ValidationError
	}{
		{"A", a.Token().MustSign(t), nil},
		{"B", b.Token().Algorithm("ES256").MustSign(t), nil},
		{"A, with both audiences", a.Token().Audience(a.Audience(), b.Audience()).MustSign(t), nil},
		{"A with B's audience", a.Token().Audience(b.Audience()).MustSign(t), token.ErrAudience},
		{"B with A's audience", b.Token().Audience(a.Audience()).MustSign(t), token.ErrAudience},
		{"iss A, signed by B's key", a.Token().SignWith("RS256", b.Signer("RS256"), b.KeyID("RS256")).MustSign(t), token.ErrUnknownKey},
		{"iss A, signed by B's key under A's kid", a.Token().SignWith("RS256", b.Signer("RS256"), a.KeyID("RS256")).MustSign(t), token.ErrSignature},
		{"iss B, signed by A's key", b.Token().SignWith("ES256", a.Signer("ES256"), a.KeyID("ES256")).MustSign(t), token.ErrUnknownKey},
		{"iss B, signed by A's key under B's kid", b.Token().SignWith("EdDSA", a.Signer("EdDSA"), b.KeyID("EdDSA")).MustSign(t), token.ErrSignature},
		{"B without its trailing slash", b.Token().Claim("iss", strings.TrimSuffix(b.URL(), "/")).MustSign(t), token.ErrIssuer},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			tok, err := v.Verify(t.Context(), tt.raw)
			check(t, tok, err, tt.want)
		})
	}
}

func TestVerifyEveryAlgorithm(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	initial := []string{"RS256", "ES256", "EdDSA"}
	rotated := []string{"RS384", "RS512", "PS256", "PS384", "PS512", "ES384", "ES512"}

	// Before rotation the RSA algorithms other than RS256 share the key
	// published for RS256, which refuses them.
	for _, alg := range []string{"RS384", "RS512", "PS256", "PS384", "PS512"} {
		_, err := f.verify(t, f.iss.Token().Algorithm(alg).MustSign(t))
		assertRefused(t, err, token.ErrAlgorithm)
	}

	errs := make([]error, len(rotated))
	var wg sync.WaitGroup
	for i, alg := range rotated {
		wg.Go(func() { _, errs[i] = f.iss.Rotate(alg) })
	}
	wg.Wait()
	for _, err := range errs {
		require.NoError(t, err)
	}

	// A fresh key set sees every key in its first fetch.
	keys := remoteKeys(t, f.iss)
	v := newVerifier(t, token.Config{Issuers: []token.Issuer{{Issuer: f.iss.URL(), Audiences: []string{f.iss.Audience()}, Keys: keys}}})
	for _, alg := range append(initial, rotated...) {
		t.Run(alg, func(t *testing.T) {
			for _, b := range []*authtest.TokenBuilder{f.iss.Token().Algorithm(alg), f.iss.Token().Algorithm(alg).WithoutHeader("kid")} {
				tok, err := v.Verify(t.Context(), b.MustSign(t))
				require.NoError(t, err)
				assert.Equal(t, alg, tok.Header().Algorithm)
				assert.Equal(t, f.iss.KeyID(alg), tok.Key().ID())
				assert.Equal(t, alg, tok.Key().Algorithm())
			}
		})
	}
	assert.EqualValues(t, 1, keys.Stats().Fetches)
}

func TestVerifyIssuerAlgorithms(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	v := f.verifier(t, func(c *token.Config) { c.Issuers[0].Algorithms = []string{"ES256", "EdDSA"} })

	tests := []struct {
		alg  string
		want *token.ValidationError
	}{
		{"ES256", nil},
		{"EdDSA", nil},
		{"RS256", token.ErrAlgorithm},
		{"PS256", token.ErrAlgorithm},
	}
	for _, tt := range tests {
		t.Run(tt.alg, func(t *testing.T) {
			tok, err := v.Verify(t.Context(), f.iss.Token().Algorithm(tt.alg).MustSign(t))
			check(t, tok, err, tt.want)
		})
	}
}

// No error text, for clients or for logs, repeats what the token says.
func TestErrorsCarryNoTokenContent(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	v := f.verifier(t, func(c *token.Config) {
		c.AuthorizedParties = []string{"https://app.example.com"}
		c.MaxTokenAge = time.Hour
	})
	secrets := []string{"KIDSECRET", "ISSSECRET", "AUDSECRET", "SUBSECRET", "TYPSECRET", "ALGSECRET", "CRITSECRET", "AZPSECRET", "CLAIMSECRET"}
	base := func() *authtest.TokenBuilder {
		return f.iss.Token().Subject("SUBSECRET").Claim("azp", "https://app.example.com").Claim("x", "CLAIMSECRET")
	}

	tests := []struct {
		name string
		raw  string
		want *token.ValidationError
	}{
		{"unknown kid", base().Header("kid", "KIDSECRET").MustSign(t), token.ErrUnknownKey},
		{"unknown kid, no key without kid", base().Algorithm("ES256").Header("kid", "KIDSECRET").MustSign(t), token.ErrUnknownKey},
		{"untrusted issuer", base().Claim("iss", "https://ISSSECRET").MustSign(t), token.ErrIssuer},
		{"other audience", base().Audience("AUDSECRET").MustSign(t), token.ErrAudience},
		{"audiences of the wrong type", base().Claim("aud", []any{"AUDSECRET", 1}).MustSign(t), token.ErrClaimType},
		{"wrong typ", base().Header("typ", "TYPSECRET").MustSign(t), token.ErrType},
		{"unknown alg", base().Header("alg", "ALGSECRET").MustSign(t), token.ErrAlgorithm},
		{"crit", base().Header("crit", []string{"CRITSECRET"}).MustSign(t), token.ErrUnsupportedHeader},
		{"other azp", base().Claim("azp", "AZPSECRET").MustSign(t), token.ErrAuthorizedParty},
		{"exp of the wrong type", base().Claim("exp", "CLAIMSECRET").MustSign(t), token.ErrClaimType},
		{"kid of the wrong type", base().Header("kid", []string{"KIDSECRET"}).MustSign(t), token.ErrMalformed},
		{"bad signature", base().Algorithm("ES256").MustSign(t) + "AAAA", token.ErrSignature},
		{"expired, under an unknown kid", base().ExpiresIn(-time.Hour).Header("kid", "KIDSECRET").MustSign(t), token.ErrUnknownKey},
		{"too old", base().IssuedAt(testNow.Add(-2 * time.Hour)).MustSign(t), token.ErrTooOld},
		{"duplicate claim", f.raw(t, validHeader, `{"iss":$ISS,"aud":$AUD,"exp":$EXP,"CLAIMSECRET":1,"CLAIMSECRET":2}`), token.ErrMalformed},
		{"malformed payload", f.raw(t, validHeader, `{"iss":"ISSSECRET",`), token.ErrMalformed},
		{"not base64", "KIDSECRET.ISSSECRET.AUDSECRET", token.ErrMalformed},
		{"too many segments", "a.b.c.KIDSECRET", token.ErrMalformed},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := v.Verify(t.Context(), tt.raw)
			assertRefused(t, err, tt.want)
			texts := []string{err.Error(), token.Description(err)}
			for _, text := range texts {
				for _, secret := range secrets {
					assert.NotContains(t, text, secret)
				}
				for _, seg := range strings.Split(tt.raw, ".") {
					if len(seg) >= 8 {
						assert.NotContains(t, text, seg, "token bytes in the error")
					}
				}
			}
		})
	}
}

func TestDescription(t *testing.T) {
	t.Parallel()
	seen := map[string]bool{}
	for sentinel, text := range descriptions {
		assert.Equal(t, text, sentinel.Error())
		assert.Equal(t, text, sentinel.Description())
		assert.Equal(t, text, token.Description(sentinel))
		assert.Equal(t, text, token.Description(wrap(sentinel)), "through wrapping")
		assert.False(t, seen[text], "two classes share %q", text)
		seen[text] = true
	}
	assert.Len(t, descriptions, 16, "every failure class is listed")

	for _, err := range []error{nil, context.Canceled, jwks.ErrUnavailable, &jwks.UnavailableError{}} {
		assert.Equal(t, "token is invalid", token.Description(err))
	}
}

// wrap wraps err as a caller of Verify might, with its own type.
func wrap(err error) error { return &wrapped{err} }

type wrapped struct{ err error }

func (w *wrapped) Error() string { return "middleware: " + w.err.Error() }
func (w *wrapped) Unwrap() error { return w.err }

// One Verifier serves concurrent requests; run with -race.
func TestVerifyConcurrent(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	good := []string{
		f.iss.Token().MustSign(t),
		f.iss.Token().Algorithm("ES256").MustSign(t),
		f.iss.Token().Algorithm("EdDSA").MustSign(t),
	}
	bad := []string{
		f.iss.Token().ExpiresIn(-time.Hour).MustSign(t),
		f.iss.Token().Header("kid", "unknown").MustSign(t),
		f.iss.Token().Audience("urn:other").MustSign(t),
	}
	var wg sync.WaitGroup
	var failures atomic.Int64
	for g := range 16 {
		wg.Go(func() {
			for i := range 20 {
				raw := good[(g+i)%len(good)]
				tok, err := f.v.Verify(context.Background(), raw)
				if err != nil || tok.Claims().Subject() != authtest.DefaultSubject {
					failures.Add(1)
				}
				if _, err := f.v.Verify(context.Background(), bad[(g+i)%len(bad)]); err == nil {
					failures.Add(1)
				}
			}
		})
	}
	wg.Wait()
	assert.Zero(t, failures.Load())
	assert.LessOrEqual(t, f.jwksFetches(), int64(2), "concurrent requests share fetches")
}

// BenchmarkVerify measures verification of tokens the verifier has not seen
// before (it caches nothing, so every call does the full work), with a
// static key so that no network is in the loop.
func BenchmarkVerify(b *testing.B) {
	iss := startIssuer(b)
	keyFor := func(alg string) *jwks.Key {
		k, err := jwks.NewPublicKey(iss.PublicKey(alg), iss.KeyID(alg), alg)
		require.NoError(b, err)
		return k
	}
	keys, err := jwks.NewStatic(keyFor("RS256"), keyFor("ES256"), keyFor("EdDSA"))
	require.NoError(b, err)
	// The cache is off: every call is a token seen for the first time.
	v := newVerifier(b, token.Config{Issuers: []token.Issuer{{Issuer: iss.URL(), Audiences: []string{iss.Audience()}, Keys: keys}},
		CacheEntries: -1})

	// Distinct tokens, as real traffic has: each carries its own jti.
	mint := func(alg string, n int) []string {
		toks := make([]string, n)
		for i := range toks {
			toks[i] = iss.Token().Algorithm(alg).Scope("read:messages write:messages").
				Permissions("read:messages", "write:messages", "org:admin:example").
				Claim("jti", strconv.Itoa(i)).MustSign(b)
		}
		return toks
	}
	run := func(toks []string, wantErr bool) func(*testing.B) {
		return func(b *testing.B) {
			b.ReportAllocs()
			ctx := context.Background()
			i := 0
			for b.Loop() {
				_, err := v.Verify(ctx, toks[i%len(toks)])
				if (err != nil) != wantErr {
					b.Fatalf("Verify: %v", err)
				}
				i++
			}
		}
	}
	b.Run("RS256", run(mint("RS256", 64), false))
	b.Run("ES256", run(mint("ES256", 64), false))
	b.Run("EdDSA", run(mint("EdDSA", 64), false))
	b.Run("expired", run([]string{iss.Token().ExpiresIn(-time.Hour).MustSign(b)}, true))
	b.Run("junk", run([]string{strings.Repeat("x", 4096)}, true))
}
