package httpauth_test

import (
	"encoding/json"
	"net/http"
	"testing"

	"github.com/scopegate/scopegate/bearer"
	"github.com/scopegate/scopegate/clerk"
	"github.com/scopegate/scopegate/httpauth"
	"github.com/scopegate/scopegate/internal/conformance"
	"github.com/scopegate/scopegate/scopes"
)

// TestConformance answers the contract's table of HTTP cases through
// net/http's ServeMux.
func TestConformance(t *testing.T) {
	conformance.Run(t, conformance.Face{Name: "httpauth", New: newServer})
}

// newServer serves the conformance routes through net/http.
func newServer(cfg bearer.Config) (http.Handler, error) {
	auth, err := httpauth.New(cfg)
	if err != nil {
		return nil, err
	}
	mux := http.NewServeMux()
	ok := http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) { _, _ = w.Write([]byte("ok")) })
	strict := auth.CheckJWT()
	mux.Handle("GET "+conformance.Public, ok)
	mux.Handle("GET "+conformance.Private, strict(ok))
	mux.Handle("OPTIONS "+conformance.Private, strict(ok))
	mux.Handle("GET "+conformance.PrivateScoped, strict(httpauth.RequireScopes("read:messages")(ok)))
	mux.Handle("GET "+conformance.OrgAdmin, strict(httpauth.Has(scopes.Permission("org:admin:example"))(ok)))
	mux.Handle("GET "+conformance.Both, strict(httpauth.RequireScopes("read:messages", "write:messages")(ok)))
	mux.Handle("GET "+conformance.AnyScope, strict(httpauth.RequireAnyScope("read:messages", "write:messages")(ok)))
	mux.Handle("GET "+conformance.Tenant, strict(httpauth.ClaimEquals("tenant", "acme")(ok)))
	mux.Handle("GET "+conformance.Me, auth.WithAuth()(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		_ = json.NewEncoder(w).Encode(httpauth.GetAuth(r))
	})))
	mux.Handle("GET "+conformance.Machine, auth.CheckJWT(bearer.AcceptsToken(bearer.M2MToken))(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		_ = json.NewEncoder(w).Encode(httpauth.GetAuth(r))
	})))
	mux.Handle("GET "+conformance.LaxMachine, auth.WithAuth(bearer.AcceptsToken(bearer.M2MToken))(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		_ = json.NewEncoder(w).Encode(httpauth.GetAuth(r))
	})))
	mux.Handle("GET "+conformance.Reverified, strict(httpauth.Has(clerk.Reverification("strict"))(ok)))
	mux.Handle("GET "+conformance.Metadata, auth.ResourceMetadata())
	mux.Handle("GET "+conformance.StepUp, strict(httpauth.RequireStepUp(conformance.StepUpRequirement)(ok)))
	mux.Handle("GET "+conformance.Account, auth.WithAuth()(httpauth.RequireAuth()(ok)))
	mux.Handle("OPTIONS "+conformance.Account, auth.WithAuth()(httpauth.RequireAuth()(ok)))
	mux.Handle("GET "+conformance.LaxScoped, auth.WithAuth()(httpauth.RequireScopes("read:messages")(ok)))
	mux.Handle("OPTIONS "+conformance.LaxScoped, auth.WithAuth()(httpauth.RequireScopes("read:messages")(ok)))
	return mux, nil
}
