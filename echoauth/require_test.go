package echoauth_test

import (
	"net/http"
	"strconv"
	"testing"

	"github.com/labstack/echo/v4"
	"github.com/stretchr/testify/assert"

	"github.com/scopegate/scopegate/clerk"
	"github.com/scopegate/scopegate/echoauth"
	"github.com/scopegate/scopegate/scopes"
)

// TestRefusalSaysWhatWasMissing: a 403's error_description comes from the
// requirement, whichever middleware carries it: a scope requirement passed
// to Has says "scope", not "permission".
func TestRefusalSaysWhatWasMissing(t *testing.T) {
	h := newHarness(t, nil)
	tok := h.issuer.Token().Subject("user_1").Scope("openid").Claim("org_id", "org_1").
		Claim("org_role", "org:member").Claim("fva", []int{90, 90}).MustSign(t)
	tests := []struct {
		name        string
		mw          func() echo.MiddlewareFunc
		description string
	}{
		{"RequireScopes", func() echo.MiddlewareFunc { return echoauth.RequireScopes("read:messages") }, "token lacks the required scope"},
		{"RequireAnyScope", func() echo.MiddlewareFunc { return echoauth.RequireAnyScope("read:messages", "write:messages") }, "token lacks the required scope"},
		{"Has All", func() echo.MiddlewareFunc { return echoauth.Has(scopes.All("read:messages")) }, "token lacks the required scope"},
		{"Has Any", func() echo.MiddlewareFunc { return echoauth.Has(scopes.Any("read:messages")) }, "token lacks the required scope"},
		{"Has Permission", func() echo.MiddlewareFunc { return echoauth.Has(scopes.Permission("org:admin:example")) }, "token lacks the required permission"},
		{"Has AnyPermission", func() echo.MiddlewareFunc { return echoauth.Has(scopes.AnyPermission("a:b", "c:d")) }, "token lacks the required permission"},
		{"Has Role", func() echo.MiddlewareFunc { return echoauth.Has(clerk.Role("admin")) }, "token lacks the required role"},
		{"Has Feature", func() echo.MiddlewareFunc { return echoauth.Has(clerk.Feature("o:billing")) }, "token lacks the required feature"},
		{"Has Plan", func() echo.MiddlewareFunc { return echoauth.Has(clerk.Plan("u:pro")) }, "token lacks the required plan"},
		{"Has Reverification", func() echo.MiddlewareFunc { return echoauth.Has(clerk.Reverification("strict")) }, "session needs a more recent verification"},
		{"Has And of scopes", func() echo.MiddlewareFunc {
			return echoauth.Has(scopes.And(scopes.All("read:messages"), scopes.Any("write:messages")))
		}, "token lacks the required scope"},
		{"Has Or of permissions", func() echo.MiddlewareFunc {
			return echoauth.Has(scopes.Or(scopes.Permission("a:b"), scopes.AnyPermission("c:d")))
		}, "token lacks the required permission"},
		{"Has a scope or a role", func() echo.MiddlewareFunc {
			return echoauth.Has(scopes.Or(scopes.All("read:messages"), clerk.Role("admin")))
		}, "token does not meet the route's requirement"},
		{"Has a requirement of the application's", func() echo.MiddlewareFunc { return echoauth.Has(sabotageFree{}) }, "token does not meet the route's requirement"},
	}
	for i, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			path := "/" + strconv.Itoa(i)
			h.e.GET(path, h.ok, h.auth.CheckJWT(), tt.mw())
			rec := h.serve(http.MethodGet, path, "Bearer "+tok)
			assert.Equal(t, http.StatusForbidden, rec.Code)
			assert.Contains(t, rec.Header().Get("WWW-Authenticate"), `error_description="`+tt.description+`"`)
			assert.JSONEq(t, `{"error":"insufficient_scope","error_description":"`+tt.description+`"}`, rec.Body.String())
		})
	}
}

// sabotageFree is an application's requirement that grants nothing.
type sabotageFree struct{}

func (sabotageFree) Satisfied(scopes.Grants) bool { return false }
func (sabotageFree) Scope() string                { return "" }
func (sabotageFree) String() string               { return "nothing" }
