package bearer

import (
	"encoding/json"
	"fmt"
	"math"
	"net/http"
	"strings"
	"time"
)

// StepUp is a requirement on how, and how recently, the user behind a token
// authenticated: RFC 9470's step-up authentication. A token that falls
// short is answered 401 insufficient_user_authentication with the
// acr_values and max_age a client passes to the authorization server to get
// a token that meets it; no peer middleware does this.
type StepUp struct {
	// ACR lists the authentication context classes accepted in "acr", in
	// the order of preference the challenge gives them; empty accepts any.
	// Auth0 signals multi-factor authentication with
	// "http://schemas.openid.net/pape/policies/2007/06/multi-factor".
	ACR []string
	// MaxAge is the longest time since "auth_time", with Config.ClockSkew of
	// tolerance; zero leaves the time unchecked. A token without
	// "auth_time" never meets a MaxAge.
	MaxAge time.Duration
}

// Descriptions of the insufficient_user_authentication answers.
const (
	descStepUpACR    = "token lacks the required authentication level"
	descStepUpMaxAge = "token's authentication is too old"
)

// RequireStepUp answers 401 insufficient_user_authentication (RFC 9470)
// unless the token's "acr" is one of s.ACR and its "auth_time" is within
// s.MaxAge; without a valid token it answers as RequireAuth does. It
// panics at route registration when s asks for nothing, has an empty or
// unquotable ACR value, or a negative MaxAge.
func RequireStepUp(s StepUp) Rule {
	if len(s.ACR) == 0 && s.MaxAge == 0 {
		panic("scopegate: RequireStepUp: set ACR, MaxAge or both")
	}
	if s.MaxAge < 0 {
		panic("scopegate: RequireStepUp: MaxAge must not be negative")
	}
	for _, v := range s.ACR {
		if v == "" || strings.Contains(v, " ") {
			panic(fmt.Sprintf("scopegate: RequireStepUp: ACR value %q must be non-empty and have no space (acr_values is space-separated)", v))
		}
		if err := checkChallengeText(v); err != nil {
			panic("scopegate: RequireStepUp: ACR value " + err.Error())
		}
	}
	acr := append([]string(nil), s.ACR...)
	acrValues := strings.Join(acr, " ")
	maxAge := s.MaxAge
	if maxAge == 0 {
		maxAge = -1 // no max_age attribute
	}
	return authorize(func(_ *http.Request, auth *Auth) *Answer {
		if len(acr) > 0 && !containsString(acr, auth.ACR()) {
			return fail(insufficientAuthentication(descStepUpACR, acrValues, maxAge), auth)
		}
		if s.MaxAge > 0 {
			at := auth.AuthTime()
			if at.IsZero() || auth.how.now().Sub(at) > s.MaxAge+auth.how.skew {
				return fail(insufficientAuthentication(descStepUpMaxAge, acrValues, maxAge), auth)
			}
		}
		return nil
	})
}

// containsString reports whether list holds s; "" is never held.
func containsString(list []string, s string) bool {
	for _, v := range list {
		if v == s && s != "" {
			return true
		}
	}
	return false
}

// stepUpClaims reads "acr" and "auth_time" once per token. A value of
// another JSON type reads as absent: it does not make the token invalid,
// it only meets no step-up requirement.
func stepUpClaims(c *pickedClaims) (acr string, authTime time.Time) {
	acr = c.str(pickACR)
	if c.given(pickAuthTime) {
		var seconds float64
		if json.Unmarshal(c.raw(pickAuthTime), &seconds) == nil && seconds > 0 && seconds < 1<<53 && !math.IsInf(seconds, 0) {
			sec, frac := math.Modf(seconds)
			authTime = time.Unix(int64(sec), int64(frac*1e9))
		}
	}
	return acr, authTime
}
