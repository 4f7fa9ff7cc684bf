package clerkapi

import (
	"testing"

	"github.com/stretchr/testify/assert"
)

// KindOf reads the prefix only, case-sensitively, as @clerk/backend's
// getMachineTokenType does for opaque tokens.
func TestKindOf(t *testing.T) {
	tests := []struct {
		token string
		kind  Kind
		ok    bool
	}{
		{token: m2mToken, kind: KindM2M, ok: true},
		{token: oauthToken, kind: KindOAuth, ok: true},
		{token: apiKeyToken, kind: KindAPIKey, ok: true},
		{token: "mt_", kind: KindM2M, ok: true}, // Verify refuses it without a call
		{token: "oat_x", kind: KindOAuth, ok: true},
		{token: "ak_x", kind: KindAPIKey, ok: true},
		{token: ""},
		{token: "mt"},
		{token: "MT_abc"},
		{token: " mt_abc"},
		{token: "oa_abc"},
		{token: "oauth_abc"},
		{token: "ak-abc"},
		{token: "sk_test_abc"},
		{token: "mch_2xhFjEI5X2qWRvtV13BzSj8H6Dk"},
		{token: "eyJhbGciOiJSUzI1NiJ9.eyJzdWIiOiJtY2hfMSJ9.c2ln"},
	}
	for _, tt := range tests {
		t.Run(tt.token, func(t *testing.T) {
			kind, ok := KindOf(tt.token)
			assert.Equal(t, tt.ok, ok)
			assert.Equal(t, tt.kind, kind)
		})
	}
}
