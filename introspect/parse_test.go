package introspect

import (
	"encoding/json"
	"errors"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestParseResponse(t *testing.T) {
	tests := []struct {
		name      string
		body      string
		want      *Result // nil with inactive or errText
		hasIssuer bool
		inactive  bool
		errText   string
	}{
		{name: "minimal", body: `{"active":true}`, want: &Result{Active: true}},
		{name: "whitespace around", body: " \n{\"active\":true}\r\n\t", want: &Result{Active: true}},
		{name: "inactive", body: `{"active":false}`, inactive: true},
		{name: "escaped member name", body: `{"act\u0069ve":true,"s\u0075b":"x"}`, want: &Result{Active: true, Subject: "x"}},
		{name: "nulls are absent", body: `{"active":true,"sub":null,"exp":null,"aud":null,"iss":null,"scope":null}`, want: &Result{Active: true}},
		{name: "empty scope", body: `{"active":true,"scope":""}`, want: &Result{Active: true}},
		{name: "scope with extra spaces", body: `{"active":true,"scope":" a  b "}`, want: &Result{Active: true, Scopes: []string{"a", "b"}}},
		{name: "aud string", body: `{"active":true,"aud":"x"}`, want: &Result{Active: true, Audience: []string{"x"}}},
		{name: "aud empty array", body: `{"active":true,"aud":[]}`, want: &Result{Active: true}},
		{name: "iss present", body: `{"active":true,"iss":"https://a.example/"}`, want: &Result{Active: true, Issuer: "https://a.example/"}, hasIssuer: true},
		{name: "iss empty is present", body: `{"active":true,"iss":""}`, want: &Result{Active: true}, hasIssuer: true},
		{name: "fractional exp", body: `{"active":true,"exp":1.5}`, want: &Result{Active: true, ExpiresAt: time.Unix(1, 5e8)}},
		{name: "exponent exp", body: `{"active":true,"exp":1.7e9}`, want: &Result{Active: true, ExpiresAt: time.Unix(1_700_000_000, 0)}},
		{name: "unknown members ignored, even twice", body: `{"active":true,"x":1,"x":[{}]}`, want: &Result{Active: true}},
		{name: "escaped strings", body: `{"active":true,"sub":"a\"b\u00e9"}`, want: &Result{Active: true, Subject: "a\"bé"}},

		{name: "empty", body: ``, errText: "not a JSON object"},
		{name: "null", body: `null`, errText: "not a JSON object"},
		{name: "string", body: `"active"`, errText: "not a JSON object"},
		{name: "unclosed", body: `{"active":true`, errText: "malformed"},
		{name: "trailing comma", body: `{"active":true,}`, errText: "malformed"},
		{name: "trailing garbage", body: `{"active":true} x`, errText: "data after"},
		{name: "duplicate sub", body: `{"active":true,"sub":"a","sub":"b"}`, errText: `"sub" appears twice`},
		{name: "duplicate through escapes", body: `{"active":true,"\u0061ctive":false}`, errText: `"active" appears twice`},
		{name: "active TRUE", body: `{"active":"TRUE"}`, errText: "not a boolean"},
		{name: "nbf boolean", body: `{"active":true,"nbf":true}`, errText: `"nbf" is not a number`},
		{name: "iat array", body: `{"active":true,"iat":[1]}`, errText: `"iat" is not a number`},
		{name: "exp 2^53", body: `{"active":true,"exp":9007199254740992}`, errText: "out of range"},
		{name: "exp beyond float64", body: `{"active":true,"exp":1e400}`, errText: "out of range"},
		{name: "scope array", body: `{"active":true,"scope":["a"]}`, errText: `"scope" is not a string`},
		{name: "aud object", body: `{"active":true,"aud":{}}`, errText: `"aud"`},
		{name: "aud nested array", body: `{"active":true,"aud":[["a"]]}`, errText: `"aud"`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			res, hasIssuer, err := parseResponse([]byte(tt.body))
			switch {
			case tt.inactive:
				assert.Equal(t, ErrInactive, err)
				assert.Nil(t, res)
			case tt.errText != "":
				require.ErrorIs(t, err, errMalformed)
				assert.ErrorContains(t, err, tt.errText)
				assert.Nil(t, res)
			default:
				require.NoError(t, err)
				tt.want.Claims = json.RawMessage(strings.TrimSpace(tt.body))
				assert.Equal(t, tt.want, res)
				assert.Equal(t, tt.hasIssuer, hasIssuer)
			}
		})
	}
}

// FuzzParseResponse feeds the parser arbitrary bodies. It must never panic;
// it refuses a body only as inactive or malformed; and what it accepts is
// active, with Claims a copy of the object that parses again to the same
// Result, no empty scope, and dates within range.
func FuzzParseResponse(f *testing.F) {
	for _, seed := range []string{
		`{"active":true}`,
		`{"active":false}`,
		`{"active":false,"active":true}`,
		`{"active":true,"scope":"a b  c","client_id":"c","sub":"s","username":"u","token_type":"Bearer",` +
			`"exp":1893553445,"iat":1.5,"nbf":0,"iss":"https://a.example/","aud":["x","y"],"jti":"j","ext":{"k":[1,2]}}`,
		`{"active":true,"aud":"x","exp":null,"sub":null}`,
		`{"active":true,"exp":9007199254740991}`,
		`{"active":true,"exp":-0}`,
		`{"active":true,"exp":1e-400}`,
		`{"active":"true"}`,
		`{"act\u0069ve":true,"sub":"\ud800"}`,
		`{"active":true,"aud":[null]}`,
		`{"active":true} {}`,
		` {"active":true}` + "\n",
		`[]`,
		``,
		"{\"active\":true,\"sub\":\"\xff\"}",
	} {
		f.Add([]byte(seed))
	}
	f.Fuzz(func(t *testing.T, body []byte) {
		original := slices.Clone(body)
		res, hasIssuer, err := parseResponse(body)
		require.Equal(t, original, body, "the parser must not modify its input")
		if err != nil {
			require.Nil(t, res)
			require.True(t, errors.Is(err, ErrInactive) != errors.Is(err, errMalformed),
				"a refusal is either inactive or malformed, exactly one: %v", err)
			return
		}
		require.True(t, res.Active)
		require.True(t, json.Valid(res.Claims), "Claims is the object")
		require.Equal(t, byte('{'), res.Claims[0])
		if len(body) > 0 {
			require.NotSame(t, &body[0], &res.Claims[0], "Claims is a copy")
		}
		for _, s := range res.Scopes {
			require.NotEmpty(t, s)
			require.False(t, strings.ContainsAny(s, " \t\n"))
		}
		for _, d := range []time.Time{res.ExpiresAt, res.IssuedAt, res.NotBefore} {
			if !d.IsZero() {
				require.GreaterOrEqual(t, d.Unix(), int64(0))
				require.Less(t, d.Unix(), int64(1<<53)) // remote.EpochTime's bound
			}
		}
		if !hasIssuer {
			require.Empty(t, res.Issuer)
		}
		again, hasIssuerAgain, err := parseResponse(res.Claims)
		require.NoError(t, err, "Claims parses again")
		require.Equal(t, res, again)
		require.Equal(t, hasIssuer, hasIssuerAgain)
	})
}
