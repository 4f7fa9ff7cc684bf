package echoauth_test

import (
	"net/http"
	"testing"
	"time"

	"github.com/labstack/echo/v4"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/scopegate/scopegate/authtest"
	"github.com/scopegate/scopegate/echoauth"
	"github.com/scopegate/scopegate/internal/conformance"
)

// TestForgedTokensLearnNothingOfTheClaims: a token whose signature does not
// verify gets one answer whatever its claims, so that an unauthenticated
// caller cannot confirm guesses of the audience, the authorized parties or
// the server's clock by probing. Only a genuine token learns which claim
// check it failed.
func TestForgedTokensLearnNothingOfTheClaims(t *testing.T) {
	clock := authtest.NewClock(time.Date(2026, 12, 5, 12, 0, 0, 0, time.UTC))
	issuer := authtest.NewIssuer(t, authtest.WithClock(clock.Now))
	auth, err := echoauth.New(echoauth.Config{
		Issuer: issuer.URL(), Audience: []string{issuer.Audience()}, Now: clock.Now,
		AuthorizedParties: []string{"https://app.example.com"}, MaxTokenAge: time.Hour,
	})
	require.NoError(t, err)
	e := echo.New()
	e.GET("/api/private", func(c echo.Context) error { return c.NoContent(http.StatusOK) }, auth.CheckJWT())

	attacker, err := authtest.NewRSAKey(2048)
	require.NoError(t, err)
	now := clock.Now()
	valid := func() *authtest.TokenBuilder { return issuer.Token().Claim("azp", "https://app.example.com") }
	probes := []struct {
		name    string
		token   *authtest.TokenBuilder
		genuine string // the description the probe gets when genuinely signed
	}{
		{"wrong aud", valid().Audience("https://other-api.example.com"), "token audience is not accepted"},
		{"no aud", valid().Without("aud"), "token lacks a required claim"},
		{"right aud, no azp", valid().Without("azp"), "token lacks a required claim"},
		{"right aud, wrong azp", valid().Claim("azp", "https://evil.example.com"), "token authorized party is not accepted"},
		{"exp six seconds ago", valid().ExpiresAt(now.Add(-6 * time.Second)), "token is expired"},
		{"no exp", valid().Without("exp"), "token lacks a required claim"},
		{"nbf a minute ahead", valid().NotBefore(now.Add(time.Minute)), "token is not yet valid"},
		{"iat a minute ahead", valid().IssuedAt(now.Add(time.Minute)), "token is issued in the future"},
		{"iat two hours ago", valid().IssuedAt(now.Add(-2 * time.Hour)), "token is too old"},
		{"exp of the wrong type", valid().Claim("exp", "soon"), "token claim has the wrong type"},
		{"aud of the wrong type", valid().Claim("aud", 5), "token claim has the wrong type"},
	}
	challenge := func(description string) string {
		return `Bearer realm="api", error="invalid_token", error_description="` + description + `"`
	}
	for _, p := range probes {
		t.Run(p.name, func(t *testing.T) {
			genuine := p.token.Clone().MustSign(t)
			forgeries := map[string]string{
				authtest.TamperSignature(genuine):                                              "token signature is invalid",
				p.token.Clone().SignWith("RS256", attacker, issuer.KeyID("RS256")).MustSign(t): "token signature is invalid",
				p.token.Clone().Header("kid", "no-such-key").MustSign(t):                       "token signing key is unknown",
			}
			for forged, description := range forgeries {
				rec := serveEchoBearer(e, "/api/private", forged)
				assert.Equal(t, http.StatusUnauthorized, rec.Code)
				assert.Equal(t, conformance.WithDPoPOffer(challenge(description)), rec.Header().Get("WWW-Authenticate"))
				assert.JSONEq(t, `{"error":"invalid_token","error_description":"`+description+`"}`, rec.Body.String())
			}
			rec := serveEchoBearer(e, "/api/private", genuine)
			assert.Equal(t, http.StatusUnauthorized, rec.Code)
			assert.Equal(t, conformance.WithDPoPOffer(challenge(p.genuine)), rec.Header().Get("WWW-Authenticate"), "a genuine token learns why")
		})
	}
	require.Equal(t, http.StatusOK, serveEchoBearer(e, "/api/private", valid().MustSign(t)).Code)
}
