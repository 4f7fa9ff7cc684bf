// Package apptest is the test suite every example passes, run by each
// example's own test with its server: the dev mode's printed commands, the
// contract against an external issuer, key rotation and faults, Clerk
// sessions, and the configuration's mistakes. The three examples answer the
// same requests identically because the same cases run against each.
package apptest

import (
	"net/http"
	"net/http/httptest"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/scopegate/scopegate/bearer"
	"github.com/scopegate/scopegate/examples/internal/app"
	"github.com/scopegate/scopegate/internal/conformance"
)

// Run runs every test of the suite against server.
func Run(t *testing.T, server app.Server) {
	for name, test := range map[string]func(*testing.T, app.Server){
		"DevModePrintedCommands":     testDevModePrintedCommands,
		"DevModeNamesItself":         testDevModeNamesItselfAsTheResource,
		"ConfigurationErrors":        testConfigurationErrors,
		"ExternalIssuerContract":     testExternalIssuerContract,
		"SettingsChangeBehaviour":    testSettingsChangeBehaviour,
		"MistypedIssuerStops":        testMistypedIssuerStops,
		"ErrorsSpeakTheEnvironment":  testConfigurationErrorsSpeakTheEnvironment,
		"KeysUnderRotationAndFaults": testKeysUnderRotationAndFaults,
		"ClerkStyleSessions":         testClerkStyleSessions,
		"ClerkPreset":                testClerkPreset,
		"Conformance":                testConformance,
	} {
		t.Run(name, func(t *testing.T) { test(t, server) })
	}
}

// startAPI serves server, built with s, on loopback.
func startAPI(t *testing.T, s app.Settings, server app.Server) (*httptest.Server, *bearer.Authenticator) {
	t.Helper()
	handler, auth, err := server(s)
	require.NoError(t, err)
	api := httptest.NewServer(handler)
	t.Cleanup(api.Close)
	return api, auth
}

// privateStatus requests /api/private from api with token and returns the
// status.
func privateStatus(t *testing.T, api *httptest.Server, token string) int {
	t.Helper()
	req, err := http.NewRequest(http.MethodGet, api.URL+"/api/private", nil)
	require.NoError(t, err)
	req.Header.Set("Authorization", "Bearer "+token)
	resp, err := api.Client().Do(req)
	require.NoError(t, err)
	resp.Body.Close()
	return resp.StatusCode
}

// envOf turns a map into a getenv function.
func envOf(env map[string]string) func(string) string {
	return func(name string) string { return env[name] }
}

// testConformance answers the library's table of HTTP cases through the
// example's own server, on the routes and methods an example serves: the
// three examples, like the three faces, answer each case identically.
func testConformance(t *testing.T, server app.Server) {
	conformance.Run(t, conformance.Face{
		Name: "example",
		New: func(cfg bearer.Config) (http.Handler, error) {
			h, _, err := server(app.Settings{Auth: cfg, StepUp: conformance.StepUpRequirement})
			return h, err
		},
		Routes: []string{conformance.Public, conformance.Private, conformance.PrivateScoped, conformance.OrgAdmin,
			conformance.Me, conformance.StepUp, conformance.Machine},
		Methods:   []string{http.MethodGet},
		AnyOKBody: true,
	})
}
