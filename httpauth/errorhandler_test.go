package httpauth_test

import (
	"net/http"
	"net/http/httptest"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/scopegate/scopegate/authtest"
	"github.com/scopegate/scopegate/bearer"
	"github.com/scopegate/scopegate/httpauth"
	"github.com/scopegate/scopegate/internal/conformance"
)

// TestErrorHandler: Config.ErrorHandler writes the body of every failure,
// from the authentication and the authorization middlewares alike, after
// the challenge is set; redirects and preflights are not failures.
func TestErrorHandler(t *testing.T) {
	issuer := authtest.NewIssuer(t)
	var seen []error
	auth, err := httpauth.New(httpauth.Config{
		Issuer: issuer.URL(), Audience: []string{issuer.Audience()},
		ErrorHandler: func(w http.ResponseWriter, r *http.Request, err *bearer.Error) {
			seen = append(seen, err)
			w.Header().Set("Content-Type", "text/plain")
			w.WriteHeader(err.Status)
			_, _ = w.Write([]byte("custom: " + err.Description))
		},
	})
	require.NoError(t, err)
	ok := http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) { _, _ = w.Write([]byte("ok")) })
	h := auth.CheckJWT()(httpauth.RequireScopes("read:messages")(ok))
	tests := []struct {
		name      string
		token     string
		status    int
		body      string
		challenge string
		kind      error
	}{
		{"no token", "", 401, "custom: bearer token is missing", `Bearer realm="api"`, bearer.ErrMissingToken},
		{"no scope", issuer.Token().MustSign(t), 403, "custom: token lacks the required scope",
			`Bearer realm="api", error="insufficient_scope", error_description="token lacks the required scope", scope="read:messages"`, bearer.ErrInsufficientScope},
		{"scope", issuer.Token().Scope("read:messages").MustSign(t), 200, "ok", "", nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			seen = nil
			req := httptest.NewRequest(http.MethodGet, "/", nil)
			if tt.token != "" {
				req.Header.Set("Authorization", "Bearer "+tt.token)
			}
			rec := httptest.NewRecorder()
			h.ServeHTTP(rec, req)
			assert.Equal(t, tt.status, rec.Code)
			assert.Equal(t, tt.body, rec.Body.String())
			assert.Equal(t, conformance.WithDPoPOffer(tt.challenge), rec.Header().Get("WWW-Authenticate"))
			if tt.kind == nil {
				assert.Empty(t, seen)
				return
			}
			require.Len(t, seen, 1)
			assert.ErrorIs(t, seen[0], tt.kind)
		})
	}
}
