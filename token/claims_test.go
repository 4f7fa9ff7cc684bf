package token_test

import (
	"encoding/json"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/scopegate/scopegate/token"
)

// claimsPayload is a realistic payload in an order no encoder that sorts
// keys would produce, with escapes, nesting and a fractional exp.
var claimsPayload = fmt.Sprintf(`{"sub":"user_1","iss":%q,"aud":[%q,"urn:other"],"exp":%d.5,"nbf":%d,"iat":%d,`+
	`"jti":"id-1","azp":"https://app.example.com","client_id":"client-1","scope":"read:messages write:messages",`+
	`"permissions":["read:messages","org:admin"],"o":{"id":"org_1","rol":["admin"]},"esc":"caf\u00e9 \"q\"","num":42}`,
	cfgIssuer, cfgAudience, nowUnix+3600, nowUnix-10, nowUnix)

// verifiedClaims verifies an HS256 token over payload, exactly as given.
func verifiedClaims(t *testing.T, payload string) token.Token {
	t.Helper()
	v := newVerifier(t, token.Config{Issuers: []token.Issuer{{Issuer: cfgIssuer, Audiences: []string{cfgAudience}, Keys: hmacSource(t)}}})
	tok, err := v.Verify(t.Context(), hsToken(t, payload))
	require.NoError(t, err)
	return tok
}

func TestClaimsRegistered(t *testing.T) {
	t.Parallel()
	c := verifiedClaims(t, claimsPayload).Claims()
	assert.Equal(t, cfgIssuer, c.Issuer())
	assert.Equal(t, "user_1", c.Subject())
	assert.Equal(t, []string{cfgAudience, "urn:other"}, c.Audience())
	assert.Equal(t, testNow.Add(time.Hour+500*time.Millisecond).UnixNano(), c.Expiry().UnixNano())
	assert.True(t, c.NotBefore().Equal(testNow.Add(-10*time.Second)))
	assert.True(t, c.IssuedAt().Equal(testNow))
	assert.Equal(t, "id-1", c.ID())
	assert.Equal(t, "https://app.example.com", c.AuthorizedParty())
	assert.Equal(t, "client-1", c.ClientID())

	// Absent optional claims stay zero.
	c = verifiedClaims(t, hsClaims(nowUnix+60, "")).Claims()
	assert.True(t, c.NotBefore().IsZero())
	assert.True(t, c.IssuedAt().IsZero())
	assert.Empty(t, c.Subject()+c.ID()+c.AuthorizedParty()+c.ClientID())
}

func TestClaimsValueAndString(t *testing.T) {
	t.Parallel()
	c := verifiedClaims(t, claimsPayload).Claims()

	tests := []struct {
		name     string
		raw      string // Value's raw JSON; "" when absent
		str      string // String's result
		strError bool   // String fails with ErrClaimType
	}{
		{"scope", `"read:messages write:messages"`, "read:messages write:messages", false},
		{"esc", `"caf\u00e9 \"q\""`, `café "q"`, false},
		{"sub", `"user_1"`, "user_1", false},
		{"num", `42`, "", true},
		{"permissions", `["read:messages","org:admin"]`, "", true},
		{"o", `{"id":"org_1","rol":["admin"]}`, "", true},
		{"exp", fmt.Sprintf(`%d.5`, nowUnix+3600), "", true},
		{"missing", "", "", false},
		{"Scope", "", "", false}, // names are case-sensitive
		{"SUB", "", "", false},
		{"id", "", "", false}, // nested members are not claims
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			raw, ok := c.Value(tt.name)
			assert.Equal(t, tt.raw != "", ok)
			assert.Equal(t, tt.raw, string(raw))

			s, err := c.String(tt.name)
			if tt.strError {
				assertRefused(t, err, token.ErrClaimType)
				assert.Contains(t, err.Error(), tt.name, "the claim is named for logs")
			} else {
				require.NoError(t, err)
			}
			assert.Equal(t, tt.str, s)
		})
	}
}

func TestClaimsNamesOrder(t *testing.T) {
	t.Parallel()
	c := verifiedClaims(t, claimsPayload).Claims()
	assert.Equal(t, []string{
		"sub", "iss", "aud", "exp", "nbf", "iat", "jti", "azp", "client_id",
		"scope", "permissions", "o", "esc", "num",
	}, c.Names())

	// Names are decoded, and the result is the caller's to change.
	c = verifiedClaims(t, fmt.Sprintf(`{"\u0065xp":%d,"aud":%q,"iss":%q,"sc\u006fpe":"x"}`, nowUnix+60, cfgAudience, cfgIssuer)).Claims()
	names := c.Names()
	assert.Equal(t, []string{"exp", "aud", "iss", "scope"}, names)
	names[0] = "changed"
	assert.Equal(t, "exp", c.Names()[0])
	_, ok := c.Value("scope")
	assert.True(t, ok)
}

func TestClaimsDecode(t *testing.T) {
	t.Parallel()
	c := verifiedClaims(t, claimsPayload).Claims()
	var custom struct {
		Scope       string   `json:"scope"`
		Permissions []string `json:"permissions"`
		Org         struct {
			ID    string   `json:"id"`
			Roles []string `json:"rol"`
		} `json:"o"`
		Esc string  `json:"esc"`
		Num int     `json:"num"`
		Exp float64 `json:"exp"`
	}
	require.NoError(t, c.Decode(&custom))
	assert.Equal(t, "read:messages write:messages", custom.Scope)
	assert.Equal(t, []string{"read:messages", "org:admin"}, custom.Permissions)
	assert.Equal(t, "org_1", custom.Org.ID)
	assert.Equal(t, []string{"admin"}, custom.Org.Roles)
	assert.Equal(t, `café "q"`, custom.Esc)
	assert.Equal(t, 42, custom.Num)
	assert.InDelta(t, float64(nowUnix+3600)+0.5, custom.Exp, 1e-6)

	var wrong struct {
		Num string `json:"num"`
	}
	assert.Error(t, c.Decode(&wrong))
	var m map[string]any
	require.NoError(t, c.Decode(&m))
	assert.Len(t, m, len(c.Names()))
}

func TestClaimsMarshalJSON(t *testing.T) {
	t.Parallel()
	// Whitespace shows that the bytes are the signed ones, not a re-encoding.
	payload := " {\"iss\": " + fmt.Sprintf("%q", cfgIssuer) + ",\n\t\"aud\":" + fmt.Sprintf("%q", cfgAudience) +
		", \"exp\": " + fmt.Sprint(nowUnix+60) + ", \"z\":1, \"a\":\"\\u00e9\"} "
	tok := verifiedClaims(t, payload)

	got, err := tok.Claims().MarshalJSON()
	require.NoError(t, err)
	assert.Equal(t, payload, string(got))
	assert.Equal(t, payload, string(tok.Claims().Raw()))

	// Through encoding/json, by value and by pointer, the same document
	// (compacted, as encoding/json does with every Marshaler).
	want := fmt.Sprintf(`{"iss":%q,"aud":%q,"exp":%d,"z":1,"a":"\u00e9"}`, cfgIssuer, cfgAudience, nowUnix+60)
	claims := tok.Claims()
	for _, v := range []any{claims, &claims} {
		b, err := json.Marshal(v)
		require.NoError(t, err)
		assert.Equal(t, want, string(b))
	}
	b, err := json.Marshal(map[string]any{"claims": tok.Claims()})
	require.NoError(t, err)
	assert.Equal(t, `{"claims":`+want+`}`, string(b))

	got, err = token.Claims{}.MarshalJSON()
	require.NoError(t, err)
	assert.Equal(t, "null", string(got))
}

func TestNewClaims(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name    string
		payload string
		want    *token.ValidationError // with ok false: the sentinel the error wraps, if any
		ok      bool
	}{
		{"realistic", claimsPayload, nil, true},
		{"empty object", `{}`, nil, true},
		// No checks of meaning: expired, no issuer, no audience.
		{"expired, no iss, no aud", `{"exp":1}`, nil, true},
		{"empty aud array", `{"aud":[]}`, nil, true},

		{"not JSON", `not json`, nil, false},
		{"empty", ``, nil, false},
		{"array", `[]`, nil, false},
		{"null", `null`, nil, false},
		{"duplicate member", `{"exp":1,"exp":2}`, nil, false},
		{"invalid UTF-8", "{\"x\":\"\xff\"}", nil, false},
		{"too deep", `{"x":` + strings.Repeat("[", 16) + "1" + strings.Repeat("]", 16) + `}`, nil, false},
		{"deep enough", `{"x":` + strings.Repeat("[", 15) + "1" + strings.Repeat("]", 15) + `}`, nil, true},
		{"exp string", `{"exp":"1"}`, token.ErrClaimType, false},
		{"exp null", `{"exp":null}`, token.ErrClaimType, false},
		{"aud number", `{"aud":1}`, token.ErrClaimType, false},
		{"sub array", `{"sub":["a"]}`, token.ErrClaimType, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c, err := token.NewClaims([]byte(tt.payload))
			if !tt.ok {
				require.Error(t, err)
				assert.True(t, c.IsZero())
				if tt.want != nil {
					assertRefused(t, err, tt.want)
				}
				return
			}
			require.NoError(t, err)
			got, err := c.MarshalJSON()
			require.NoError(t, err)
			assert.Equal(t, tt.payload, string(got))
		})
	}

	t.Run("fields as Verify fills them", func(t *testing.T) {
		c, err := token.NewClaims([]byte(claimsPayload))
		require.NoError(t, err)
		verified := verifiedClaims(t, claimsPayload).Claims()
		assert.Equal(t, verified.Names(), c.Names())
		assert.Equal(t, verified.Issuer(), c.Issuer())
		assert.Equal(t, verified.Audience(), c.Audience())
		assert.True(t, verified.Expiry().Equal(c.Expiry()))
		assert.True(t, verified.IssuedAt().Equal(c.IssuedAt()))
		assert.Equal(t, verified.AuthorizedParty(), c.AuthorizedParty())
		s, err := c.String("scope")
		require.NoError(t, err)
		assert.Equal(t, "read:messages write:messages", s)
	})
}

// scribbler overwrites the JSON it is handed, as an UnmarshalJSON method
// may.
type scribbler struct{}

func (scribbler) UnmarshalJSON(b []byte) error {
	for i := range b {
		b[i] = 'x'
	}
	return nil
}

// The claims' strings share the payload's memory, so nothing may write to
// it: neither the caller of NewClaims, changing the payload it passed, nor
// a claims type decoded with Decode whose UnmarshalJSON writes to its input.
func TestClaimsPayloadStaysUnwritten(t *testing.T) {
	payload := []byte(`{"iss":"https://issuer.example/","sub":"user_1","sid":"sess_1","aud":["api","urn:other"]}`)
	c, err := token.NewClaims(payload)
	require.NoError(t, err)
	names := c.Names()
	sid, err := c.String("sid")
	require.NoError(t, err)
	for i := range payload {
		payload[i] = 'x'
	}
	var decoded struct {
		Sub scribbler `json:"sub"`
		Sid scribbler `json:"sid"`
	}
	require.NoError(t, c.Decode(&decoded))

	assert.Equal(t, "user_1", c.Subject())
	assert.Equal(t, "https://issuer.example/", c.Issuer())
	assert.Equal(t, []string{"api", "urn:other"}, c.Audience())
	assert.Equal(t, []string{"iss", "sub", "sid", "aud"}, names)
	assert.Equal(t, names, c.Names())
	assert.Equal(t, "sess_1", sid)
	again, err := c.String("sid")
	require.NoError(t, err)
	assert.Equal(t, "sess_1", again)
}
