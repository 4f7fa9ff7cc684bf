package bearer_test

import (
	"net/http"
	"net/http/httptest"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/scopegate/scopegate/authtest"
	"github.com/scopegate/scopegate/bearer"
)

// TestRequireStepUp decides on acr and auth_time with the authenticator's
// clock and skew, reads odd claim types as absent, and challenges with what
// to ask the authorization server for.
func TestRequireStepUp(t *testing.T) {
	clock := authtest.NewClock(time.Date(2026, 12, 5, 12, 0, 0, 0, time.UTC))
	issuer := authtest.NewIssuer(t, authtest.WithClock(clock.Now))
	auth, err := bearer.New(bearer.Config{Issuer: issuer.URL(), Audience: []string{issuer.Audience()}, Now: clock.Now,
		DPoP: bearer.DPoPConfig{Mode: bearer.DPoPOff}}) // DPoP's offer in challenges is tested with DPoP
	require.NoError(t, err)
	const mfa = "http://schemas.openid.net/pape/policies/2007/06/multi-factor"
	now := clock.Now()
	tests := []struct {
		name      string
		rule      bearer.StepUp
		token     *authtest.TokenBuilder
		challenge string // "" lets the request through
	}{
		{"acr accepted", bearer.StepUp{ACR: []string{"urn:a", mfa}}, issuer.Token().Claim("acr", mfa), ""},
		{"acr refused", bearer.StepUp{ACR: []string{"urn:a", mfa}}, issuer.Token().Claim("acr", "urn:b"),
			`Bearer realm="api", error="insufficient_user_authentication", error_description="token lacks the required authentication level", acr_values="urn:a ` + mfa + `"`},
		{"acr a number", bearer.StepUp{ACR: []string{mfa}}, issuer.Token().Claim("acr", 2),
			`Bearer realm="api", error="insufficient_user_authentication", error_description="token lacks the required authentication level", acr_values="` + mfa + `"`},
		{"within max age and skew", bearer.StepUp{MaxAge: time.Minute}, issuer.Token().Claim("auth_time", now.Add(-65*time.Second).Unix()), ""},
		{"beyond max age and skew", bearer.StepUp{MaxAge: time.Minute}, issuer.Token().Claim("auth_time", now.Add(-66*time.Second).Unix()),
			`Bearer realm="api", error="insufficient_user_authentication", error_description="token's authentication is too old", max_age="60"`},
		{"auth_time a string", bearer.StepUp{MaxAge: time.Minute}, issuer.Token().Claim("auth_time", "now"),
			`Bearer realm="api", error="insufficient_user_authentication", error_description="token's authentication is too old", max_age="60"`},
		{"both, both met", bearer.StepUp{ACR: []string{mfa}, MaxAge: time.Hour}, issuer.Token().Claim("acr", mfa).Claim("auth_time", now.Unix()), ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			req := httptest.NewRequest(http.MethodGet, "/", nil)
			req.Header.Set("Authorization", "Bearer "+tt.token.MustSign(t))
			r, answer := auth.Require(req)
			require.Nil(t, answer)
			answer = bearer.RequireStepUp(tt.rule)(r)
			if tt.challenge == "" {
				assert.Nil(t, answer)
				return
			}
			require.NotNil(t, answer)
			assert.Equal(t, http.StatusUnauthorized, answer.Status)
			assert.ErrorIs(t, answer.Err, bearer.ErrInsufficientAuthentication)
			assert.Equal(t, tt.challenge, answer.Challenge())
		})
	}

	// The accessors say what the decision read.
	req := httptest.NewRequest(http.MethodGet, "/", nil)
	req.Header.Set("Authorization", "Bearer "+issuer.Token().Claim("acr", mfa).Claim("auth_time", now.Unix()).MustSign(t))
	r, _ := auth.Require(req)
	got := bearer.FromContext(r.Context())
	assert.Equal(t, mfa, got.ACR())
	assert.True(t, got.AuthTime().Equal(now))
}

// TestRequireStepUpMistakes panic when the route is registered.
func TestRequireStepUpMistakes(t *testing.T) {
	for name, s := range map[string]bearer.StepUp{
		"nothing asked":    {},
		"negative max age": {MaxAge: -time.Second},
		"empty acr":        {ACR: []string{""}},
		"acr with a space": {ACR: []string{"a b"}},
		"acr with a quote": {ACR: []string{`a"b`}},
	} {
		assert.Panics(t, func() { bearer.RequireStepUp(s) }, name)
	}
}
