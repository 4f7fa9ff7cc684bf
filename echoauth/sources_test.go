package echoauth_test

import (
	"net/http"
	"net/http/httptest"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/scopegate/scopegate/authtest"
	"github.com/scopegate/scopegate/echoauth"
	"github.com/scopegate/scopegate/internal/conformance"
)

// TestTokenSources covers the cookie and query parameter sources and their
// precedence: the header wins over the cookie, as in Clerk's SDKs, while a
// query token beside any other method is a malformed request.
func TestTokenSources(t *testing.T) {
	h := newHarness(t, func(c *echoauth.Config) {
		c.Cookie = "__session"
		c.QueryParameter = "access_token"
	})
	var userID string
	h.e.GET("/me", func(c echoContext) error {
		userID = echoauth.GetAuth(c).UserID
		return h.ok(c)
	}, h.auth.CheckJWT())

	header := h.issuer.Token().Subject("from-header").MustSign(t)
	cookie := h.issuer.Token().Subject("from-cookie").MustSign(t)
	query := h.issuer.Token().Subject("from-query").MustSign(t)

	tests := []struct {
		name   string
		header string
		cookie string
		query  string
		status int
		user   string
	}{
		{"header only", "Bearer " + header, "", "", 200, "from-header"},
		{"cookie only", "", cookie, "", 200, "from-cookie"},
		{"query only", "", "", query, 200, "from-query"},
		{"header wins over cookie", "Bearer " + header, cookie, "", 200, "from-header"},
		{"invalid header, valid cookie: the header decides", "Bearer " + authtest.TamperSignature(header), cookie, "", 401, ""},
		{"basic header, cookie used", "Basic dXNlcjpwYXNz", cookie, "", 200, "from-cookie"},
		// Clerk's SDKs read a bare value as the token and then ignore the
		// cookie; a bare value is no bearer token here, and the cookie is
		// ignored as well.
		{"bare header value, cookie ignored", header, cookie, "", 401, ""},
		{"bare garbage, cookie ignored", "garbage", cookie, "", 401, ""},
		{"header and query", "Bearer " + header, "", query, 400, ""},
		{"cookie and query", "", cookie, query, 400, ""},
		{"empty query", "", "", "", 401, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			userID = ""
			target := "/me"
			if tt.query != "" {
				target += "?access_token=" + tt.query
			}
			req := httptest.NewRequest(http.MethodGet, target, nil)
			if tt.header != "" {
				req.Header.Set("Authorization", tt.header)
			}
			if tt.cookie != "" {
				req.AddCookie(&http.Cookie{Name: "__session", Value: tt.cookie})
			}
			rec := h.send(req)
			require.Equal(t, tt.status, rec.Code, rec.Body.String())
			assert.Equal(t, tt.user, userID)
			if tt.status == http.StatusBadRequest {
				assert.Contains(t, rec.Header().Get("WWW-Authenticate"), `error="invalid_request"`)
			}
		})
	}

	t.Run("query parameter twice", func(t *testing.T) {
		rec := h.send(httptest.NewRequest(http.MethodGet, "/me?access_token="+query+"&access_token="+query, nil))
		assert.Equal(t, http.StatusBadRequest, rec.Code)
	})
	t.Run("query parameter present but empty", func(t *testing.T) {
		rec := h.send(httptest.NewRequest(http.MethodGet, "/me?access_token=", nil))
		assert.Equal(t, http.StatusBadRequest, rec.Code)
	})
}

// TestQueryIgnoredUnlessEnabled: a token in the URL counts for nothing by
// default, since URLs end up in logs and browser history.
func TestQueryIgnoredUnlessEnabled(t *testing.T) {
	h := newHarness(t, nil)
	h.e.GET("/private", h.ok, h.auth.CheckJWT())
	rec := h.send(httptest.NewRequest(http.MethodGet, "/private?access_token="+h.issuer.Token().MustSign(t), nil))
	assert.Equal(t, http.StatusUnauthorized, rec.Code)
	assert.Equal(t, conformance.WithDPoPOffer(`Bearer realm="api"`), rec.Header().Get("WWW-Authenticate"))
}
