package stacks

import (
	"net/http"

	echo5 "github.com/labstack/echo/v5"

	"github.com/scopegate/scopegate/bearer"
	"github.com/scopegate/scopegate/bench/internal/fixture"
	"github.com/scopegate/scopegate/echo5auth"
	"github.com/scopegate/scopegate/httpauth"
)

// OursEcho5 serves the protected route through Echo v5 with echo5auth's
// CheckJWT and RequireScopes(fixture.Scope), as OursEcho does on Echo v4.
func OursEcho5(cfg bearer.Config) (http.Handler, error) {
	auth, err := echo5auth.New(cfg)
	if err != nil {
		return nil, err
	}
	e := echo5.New()
	e.GET(fixture.Route, handler5, auth.CheckJWT(), echo5auth.RequireScopes(fixture.Scope))
	return e, nil
}

// BaselineEcho5 serves the same route and handler on Echo v5 with no
// middleware: what Echo v5 itself costs.
func BaselineEcho5() http.Handler {
	e := echo5.New()
	e.GET(fixture.Route, handler5)
	return e
}

// handler5 is the protected route's handler on Echo v5.
func handler5(c *echo5.Context) error { return c.NoContent(http.StatusNoContent) }

// OursHTTP serves the protected route through net/http with httpauth's
// CheckJWT and RequireScopes(fixture.Scope).
func OursHTTP(cfg bearer.Config) (http.Handler, error) {
	auth, err := httpauth.New(cfg)
	if err != nil {
		return nil, err
	}
	mux := http.NewServeMux()
	mux.Handle("GET "+fixture.Route, auth.CheckJWT()(httpauth.RequireScopes(fixture.Scope)(handlerHTTP)))
	return mux, nil
}

// BaselineHTTP serves the same route and handler on a ServeMux with no
// middleware.
func BaselineHTTP() http.Handler {
	mux := http.NewServeMux()
	mux.Handle("GET "+fixture.Route, handlerHTTP)
	return mux
}

// handlerHTTP is the protected route's handler on net/http.
var handlerHTTP = http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) { w.WriteHeader(http.StatusNoContent) })
