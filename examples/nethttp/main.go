// Command nethttp runs the API of examples/public-private-scoped on plain
// net/http: the same routes, the same environment, the same answers, and the
// same dev mode with its curl commands.
package main

import (
	"encoding/json"
	"net/http"

	"github.com/scopegate/scopegate/bearer"
	"github.com/scopegate/scopegate/examples/internal/app"
	"github.com/scopegate/scopegate/httpauth"
	"github.com/scopegate/scopegate/scopes"
)

func main() { app.Main(newServer) }

// newServer wires the routes of the Auth0 API quickstarts, plus an
// organization admin route and a lax /api/me, onto a new ServeMux.
func newServer(s app.Settings) (http.Handler, *bearer.Authenticator, error) {
	auth, err := httpauth.New(s.Auth)
	if err != nil {
		return nil, nil, err
	}
	strict := auth.CheckJWT()
	mux := http.NewServeMux()
	if path := auth.ResourceMetadataPath(); path != "" {
		mux.Handle("GET "+path, auth.ResourceMetadata())
	}
	mux.Handle("GET /api/public", answer(app.PublicMessage))
	mux.Handle("GET /api/private", strict(answer(app.PrivateMessage)))
	mux.Handle("GET /api/private-scoped", strict(httpauth.RequireScopes("read:messages")(answer(app.PrivateScopedMessage))))
	mux.Handle("GET /api/org-admin", strict(httpauth.Has(scopes.Permission("org:admin:example"))(answer(app.OrgAdminMessage))))
	// Step-up (RFC 9470): a recent enough, strong enough authentication.
	mux.Handle("GET /api/step-up", strict(httpauth.RequireStepUp(s.StepUp)(answer(app.StepUpMessage))))
	// Services only: a client-credentials (machine) token, never a user's.
	mux.Handle("GET /api/machine", auth.CheckJWT(bearer.AcceptsToken(bearer.M2MToken))(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		writeJSON(w, httpauth.GetAuth(r))
	})))
	// Lax: signed in or signed out, the handler runs and shows what it knows.
	mux.Handle("GET /api/me", auth.WithAuth()(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		writeJSON(w, httpauth.GetAuth(r))
	})))
	return mux, auth.Authenticator, nil
}

// answer is a handler that answers v as JSON.
func answer(v any) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) { writeJSON(w, v) })
}

// writeJSON answers 200 with v as JSON.
func writeJSON(w http.ResponseWriter, v any) {
	w.Header().Set("Content-Type", "application/json")
	_ = json.NewEncoder(w).Encode(v)
}
