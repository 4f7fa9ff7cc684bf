package introspect

import (
	"context"
	"net/http"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/scopegate/scopegate/authtest"
)

const (
	oidcPath  = "/.well-known/openid-configuration"
	oauthPath = "/.well-known/oauth-authorization-server"
)

// discovering returns an Introspector that discovers its endpoint from ep,
// whose issuer is ep's URL plus issuerPath, on clock.
func discovering(t testing.TB, ep *authServer, issuerPath string, clock *authtest.Clock) *Introspector {
	t.Helper()
	in, err := New(Config{Issuer: ep.srv.URL + issuerPath, ClientID: testClientID, ClientSecret: testSecret, Now: clock.Now})
	require.NoError(t, err)
	return in
}

func TestDiscovery(t *testing.T) {
	tests := []struct {
		name       string
		issuerPath string
		// mount serves the metadata on ep for an issuer at issuer.
		mount   func(t *testing.T, ep *authServer, issuer string)
		errText string // "" when discovery succeeds
	}{
		{name: "openid-configuration", mount: func(t *testing.T, ep *authServer, issuer string) {
			ep.mount(oidcPath, metadata(t, map[string]string{"issuer": issuer, "introspection_endpoint": ep.URL()}))
		}},
		{name: "oauth-authorization-server after a 404", mount: func(t *testing.T, ep *authServer, issuer string) {
			ep.mount(oauthPath, metadata(t, map[string]string{"issuer": issuer, "introspection_endpoint": ep.URL()}))
		}},
		// RFC 8414 §3 inserts the well-known segment before the issuer's path.
		{name: "issuer with a path", issuerPath: "/tenant-a", mount: func(t *testing.T, ep *authServer, issuer string) {
			ep.mount(oauthPath+"/tenant-a", metadata(t, map[string]string{"issuer": issuer, "introspection_endpoint": ep.URL()}))
		}},
		{name: "issuer mismatch", mount: func(t *testing.T, ep *authServer, issuer string) {
			ep.mount(oidcPath, metadata(t, map[string]string{"issuer": issuer + "/", "introspection_endpoint": ep.URL()}))
		}, errText: `the configured Issuer is`},
		{name: "no introspection_endpoint", mount: func(t *testing.T, ep *authServer, issuer string) {
			ep.mount(oidcPath, metadata(t, map[string]string{"issuer": issuer}))
		}, errText: "no introspection_endpoint"},
		{name: "endpoint over http beyond loopback", mount: func(t *testing.T, ep *authServer, issuer string) {
			ep.mount(oidcPath, metadata(t, map[string]string{"issuer": issuer, "introspection_endpoint": "http://auth.example.com/introspect"}))
		}, errText: "must use https"},
		{name: "not JSON", mount: func(t *testing.T, ep *authServer, _ string) {
			ep.mount(oidcPath, jsonAnswer("<html>"))
		}, errText: "not a metadata document"},
		{name: "no metadata at all", mount: func(*testing.T, *authServer, string) {}, errText: "HTTP 404"},
		{name: "metadata server failing", mount: func(t *testing.T, ep *authServer, _ string) {
			ep.mount(oidcPath, statusAnswer(http.StatusInternalServerError))
		}, errText: "HTTP 500"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			ep := newAuthServer(t, memberAnswer(t, with("iss", nil))) // the issuer here is the server's own URL
			tt.mount(t, ep, ep.srv.URL+tt.issuerPath)
			in := discovering(t, ep, tt.issuerPath, authtest.NewClock(testStart))
			res, err := in.Introspect(context.Background(), "opaque-token")
			if tt.errText == "" {
				require.NoError(t, err)
				assert.True(t, res.Active)
				assert.Equal(t, 1, ep.introspections())
				return
			}
			ue := requireUnavailable(t, err)
			assert.ErrorContains(t, err, tt.errText)
			assert.Equal(t, discoveryCooldown, ue.RetryAfter)
			assert.Zero(t, ep.introspections())
		})
	}
}

// A failed discovery is not retried on every request but after the
// cooldown; a successful one is not repeated.
func TestDiscoveryCooldown(t *testing.T) {
	ep := newAuthServer(t, memberAnswer(t, with("iss", nil))) // the issuer here is the server's own URL
	ep.mount(oidcPath, statusAnswer(http.StatusServiceUnavailable))
	clock := authtest.NewClock(testStart)
	in := discovering(t, ep, "", clock)

	_, err := in.Introspect(context.Background(), "token-1")
	requireUnavailable(t, err)
	assert.Equal(t, 1, ep.calls(oidcPath))

	clock.Advance(10 * time.Second)
	_, err = in.Introspect(context.Background(), "token-2")
	ue := requireUnavailable(t, err)
	assert.ErrorContains(t, err, "HTTP 503", "the cooldown answer carries the last failure")
	assert.Equal(t, discoveryCooldown-10*time.Second, ue.RetryAfter)
	assert.Equal(t, 1, ep.calls(oidcPath), "no discovery within the cooldown")

	ep.mount(oidcPath, metadata(t, map[string]string{"issuer": ep.srv.URL, "introspection_endpoint": ep.URL()}))
	clock.Advance(discoveryCooldown - 10*time.Second)
	res, err := in.Introspect(context.Background(), "token-2")
	require.NoError(t, err)
	assert.True(t, res.Active)
	assert.Equal(t, 2, ep.calls(oidcPath), "retried once the cooldown passed")

	_, err = in.Introspect(context.Background(), "token-3")
	require.NoError(t, err)
	assert.Equal(t, 2, ep.calls(oidcPath), "the endpoint found is kept")
	assert.Equal(t, 2, ep.introspections())
}

// Requests for distinct tokens arriving before the endpoint is known share
// one discovery.
func TestDiscoveryShared(t *testing.T) {
	g := newGate(t)
	ep := newAuthServer(t, memberAnswer(t, with("iss", nil))) // the issuer here is the server's own URL
	ep.mount(oidcPath, g.Wrap(metadata(t, map[string]string{"issuer": ep.srv.URL, "introspection_endpoint": ep.URL()})))
	in := discovering(t, ep, "", authtest.NewClock(testStart))

	var wg sync.WaitGroup
	errs := make([]error, 3)
	for n := range errs {
		wg.Go(func() { _, errs[n] = in.Introspect(context.Background(), "token-"+string(rune('a'+n))) })
	}
	g.WaitArrived()
	g.Release()
	wg.Wait()
	for _, err := range errs {
		require.NoError(t, err)
	}
	assert.Equal(t, 1, ep.calls(oidcPath))
	assert.Equal(t, 3, ep.introspections())
}
