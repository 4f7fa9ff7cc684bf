package bearer_test

import (
	"net/http"
	"net/http/httptest"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/scopegate/scopegate/authtest"
	"github.com/scopegate/scopegate/bearer"
	"github.com/scopegate/scopegate/clerk"
	"github.com/scopegate/scopegate/scopes"
)

// TestClerkReverificationBody: with ClerkReverificationBody, a failed
// reverification requirement answers 403 with Clerk's hint naming what was
// asked; any other failed requirement, or the setting off, keeps the
// RFC 6750 body. The challenge is the same either way.
func TestClerkReverificationBody(t *testing.T) {
	issuer := authtest.NewIssuer(t)
	stale := issuer.Token().Claim("fva", []int{2000, 2000}).MustSign(t)
	plain := `{"error":"insufficient_scope","error_description":"session needs a more recent verification"}`
	tests := []struct {
		name string
		on   bool
		req  scopes.Requirement
		body string
	}{
		{"named level", true, clerk.Reverification("strict"),
			`{"clerk_error":{"type":"forbidden","reason":"reverification-error","metadata":{"reverification":"strict"}}}`},
		{"level and minutes", true, clerk.ReverificationAfter(clerk.SecondFactor, 15),
			`{"clerk_error":{"type":"forbidden","reason":"reverification-error","metadata":{"reverification":{"level":"second_factor","afterMinutes":15}}}}`},
		{"setting off", false, clerk.Reverification("strict"), plain},
		{"inside a combination", true, scopes.And(clerk.Reverification("strict")), plain},
		{"another requirement", true, scopes.All("read:messages"),
			`{"error":"insufficient_scope","error_description":"token lacks the required scope"}`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			auth, err := bearer.New(bearer.Config{Issuer: issuer.URL(), Audience: []string{issuer.Audience()}, ClerkReverificationBody: tt.on})
			require.NoError(t, err)
			req := httptest.NewRequest(http.MethodGet, "/", nil)
			req.Header.Set("Authorization", "Bearer "+stale)
			r, answer := auth.Require(req)
			require.Nil(t, answer)
			answer = bearer.Has(tt.req)(r)
			require.NotNil(t, answer)
			assert.Equal(t, http.StatusForbidden, answer.Status)
			rec := httptest.NewRecorder()
			answer.Write(rec, r)
			assert.JSONEq(t, tt.body, rec.Body.String())
			assert.Contains(t, rec.Header().Get("WWW-Authenticate"), `error="insufficient_scope"`)
			assert.ErrorIs(t, answer.Err, bearer.ErrInsufficientScope)
		})
	}
}
