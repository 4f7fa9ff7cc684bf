package clerkapi

import (
	"encoding/json"
	"errors"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestParseMachine(t *testing.T) {
	const m2m = `"object":"machine_to_machine_token","id":"mt_1","subject":"mch_1"`
	tests := []struct {
		name    string
		kind    Kind
		body    string
		want    *Machine // nil with invalid or errText
		invalid bool
		errText string
	}{
		{name: "minimal m2m", kind: KindM2M, body: `{` + m2m + `}`, want: &Machine{Kind: KindM2M, ID: "mt_1", Subject: "mch_1", MachineID: "mch_1"}},
		{name: "whitespace around", kind: KindM2M, body: " \n{" + m2m + "}\r\n\t", want: &Machine{Kind: KindM2M, ID: "mt_1", Subject: "mch_1", MachineID: "mch_1"}},
		{name: "nulls are absent", kind: KindM2M, body: `{` + m2m + `,"scopes":null,"claims":null,"expiration":null,"revoked":null,"expired":null}`, want: &Machine{Kind: KindM2M, ID: "mt_1", Subject: "mch_1", MachineID: "mch_1"}},
		{name: "escaped member names", kind: KindM2M, body: `{"obj\u0065ct":"machine_to_machine_token","\u0069d":"mt_1","subject":"mch_\u00e9"}`, want: &Machine{Kind: KindM2M, ID: "mt_1", Subject: "mch_é", MachineID: "mch_é"}},
		{name: "unknown members ignored, even twice", kind: KindM2M, body: `{` + m2m + `,"x":1,"x":[{}],"created_at":"soon"}`, want: &Machine{Kind: KindM2M, ID: "mt_1", Subject: "mch_1", MachineID: "mch_1"}},
		{name: "members of other kinds ignored", kind: KindM2M, body: `{` + m2m + `,"client_id":"c","name":"n"}`, want: &Machine{Kind: KindM2M, ID: "mt_1", Subject: "mch_1", MachineID: "mch_1"}},
		{name: "oauth claims ignored", kind: KindOAuth, body: `{"object":"clerk_idp_oauth_access_token","id":"oat_1","subject":"user_1","client_id":"c","claims":{"a":1}}`, want: &Machine{Kind: KindOAuth, ID: "oat_1", Subject: "user_1", UserID: "user_1", ClientID: "c"}},
		{name: "claims kept as sent", kind: KindAPIKey, body: `{"object":"api_key","id":"ak_1","subject":"org_1","claims":{ "a" : [1, 2] },"scopes":["x",""]}`, want: &Machine{Kind: KindAPIKey, ID: "ak_1", Subject: "org_1", OrgID: "org_1", Claims: json.RawMessage(`{ "a" : [1, 2] }`), Scopes: []string{"x", ""}}},
		{name: "fractional expiration", kind: KindM2M, body: `{` + m2m + `,"expiration":1500.5}`, want: &Machine{Kind: KindM2M, ID: "mt_1", Subject: "mch_1", MachineID: "mch_1", ExpiresAt: time.UnixMilli(1500).Add(500 * time.Microsecond)}},
		{name: "exponent expiration", kind: KindM2M, body: `{` + m2m + `,"expiration":1.9e12}`, want: &Machine{Kind: KindM2M, ID: "mt_1", Subject: "mch_1", MachineID: "mch_1", ExpiresAt: time.UnixMilli(1_900_000_000_000)}},
		{name: "revoked false", kind: KindM2M, body: `{` + m2m + `,"revoked":false,"expired":false}`, want: &Machine{Kind: KindM2M, ID: "mt_1", Subject: "mch_1", MachineID: "mch_1"}},

		{name: "revoked", kind: KindM2M, body: `{` + m2m + `,"revoked":true}`, invalid: true},
		{name: "expired", kind: KindOAuth, body: `{"object":"clerk_idp_oauth_access_token","expired":true}`, invalid: true},
		{name: "not active", kind: KindOAuth, body: `{"active":false}`, invalid: true},
		{name: "not active, whatever the kind", kind: KindAPIKey, body: `{"active":false,"object":5}`, invalid: true},

		{name: "empty", kind: KindM2M, body: ``, errText: "not a JSON object"},
		{name: "null", kind: KindM2M, body: `null`, errText: "not a JSON object"},
		{name: "array", kind: KindM2M, body: `[{` + m2m + `}]`, errText: "not a JSON object"},
		{name: "unclosed", kind: KindM2M, body: `{` + m2m, errText: "malformed"},
		{name: "trailing garbage", kind: KindM2M, body: `{` + m2m + `} x`, errText: "data after"},
		{name: "two objects", kind: KindM2M, body: `{` + m2m + `}{}`, errText: "data after"},
		{name: "active true", kind: KindOAuth, body: `{"active":true}`, errText: `"active" is not false`},
		{name: "no object", kind: KindM2M, body: `{"id":"mt_1","subject":"mch_1"}`, errText: `"object" is not "machine_to_machine_token"`},
		{name: "other object", kind: KindAPIKey, body: `{` + m2m + `}`, errText: `"object" is not "api_key"`},
		{name: "object a number", kind: KindM2M, body: `{"object":1}`, errText: `"object" is not a string`},
		{name: "duplicate revoked", kind: KindM2M, body: `{` + m2m + `,"revoked":true,"revoked":false}`, errText: `"revoked" appears twice`},
		{name: "duplicate through escapes", kind: KindM2M, body: `{` + m2m + `,"\u0073ubject":"mch_2"}`, errText: `"subject" appears twice`},
		{name: "revoked a string", kind: KindM2M, body: `{` + m2m + `,"revoked":"true"}`, errText: `"revoked" is not a boolean`},
		{name: "no id", kind: KindM2M, body: `{"object":"machine_to_machine_token","subject":"mch_1"}`, errText: `no "id"`},
		{name: "empty subject", kind: KindM2M, body: `{"object":"machine_to_machine_token","id":"mt_1","subject":""}`, errText: `no "subject"`},
		{name: "scopes a string", kind: KindM2M, body: `{` + m2m + `,"scopes":"a b"}`, errText: `"scopes" is not an array`},
		{name: "scopes with null", kind: KindM2M, body: `{` + m2m + `,"scopes":["a",null]}`, errText: `"scopes" is not an array`},
		{name: "claims an array", kind: KindM2M, body: `{` + m2m + `,"claims":[1]}`, errText: `"claims" is neither an object nor null`},
		{name: "claims a string", kind: KindAPIKey, body: `{"object":"api_key","id":"ak_1","subject":"user_1","claims":"{}"}`, errText: `"claims"`},
		{name: "expiration a string", kind: KindM2M, body: `{` + m2m + `,"expiration":"1900000000000"}`, errText: `"expiration" is not a number`},
		{name: "expiration negative", kind: KindM2M, body: `{` + m2m + `,"expiration":-1}`, errText: `"expiration" is out of range`},
		{name: "expiration 2^53", kind: KindM2M, body: `{` + m2m + `,"expiration":9007199254740992}`, errText: "out of range"},
		{name: "expiration beyond float64", kind: KindM2M, body: `{` + m2m + `,"expiration":1e400}`, errText: "out of range"},
		{name: "client_id a number", kind: KindOAuth, body: `{"object":"clerk_idp_oauth_access_token","id":"oat_1","subject":"user_1","client_id":7}`, errText: `"client_id" is not a string`},
		{name: "name an object", kind: KindAPIKey, body: `{"object":"api_key","id":"ak_1","subject":"user_1","name":{}}`, errText: `"name" is not a string`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			m, err := parseMachine(tt.kind, []byte(tt.body))
			switch {
			case tt.invalid:
				assert.Nil(t, m)
				require.ErrorIs(t, err, ErrInvalid)
			case tt.errText != "":
				assert.Nil(t, m)
				require.ErrorIs(t, err, errMalformed)
				assert.ErrorContains(t, err, tt.errText)
			default:
				require.NoError(t, err)
				assert.Equal(t, tt.want, m)
			}
			if err != nil {
				assert.False(t, errors.Is(err, ErrInvalid) && errors.Is(err, errMalformed))
			}
		})
	}
}
