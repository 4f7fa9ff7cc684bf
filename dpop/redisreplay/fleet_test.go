package redisreplay_test

import (
	"net/http"
	"net/http/httptest"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/scopegate/scopegate/authtest"
	"github.com/scopegate/scopegate/bearer"
	"github.com/scopegate/scopegate/dpop"
	"github.com/scopegate/scopegate/httpauth"
)

// apiURL is where the clients of the tests reach the API: requests are
// served in process, so the host is never resolved.
const apiURL = "http://api.example.com/api/orders"

// fleet is a client of an API with its DPoP key and bound token, and the
// issuer that signed the token.
type fleet struct {
	issuer *authtest.Issuer
	key    *authtest.DPoPKey
	token  string
}

func newFleet(t *testing.T) *fleet {
	issuer := authtest.NewIssuer(t)
	key := authtest.MustDPoPKey(t, "ES256")
	return &fleet{issuer: issuer, key: key, token: issuer.Token().BoundTo(key).MustSign(t)}
}

// replica is one instance of the API: the httpauth middleware in front of
// a handler, with store as its replay store.
func (f *fleet) replica(t *testing.T, store dpop.ReplayStore) http.Handler {
	t.Helper()
	auth, err := httpauth.New(httpauth.Config{Issuer: f.issuer.URL(), Audience: []string{f.issuer.Audience()},
		DPoP: bearer.DPoPConfig{ReplayStore: store}})
	require.NoError(t, err)
	return auth.CheckJWT()(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
		_, _ = w.Write([]byte("orders"))
	}))
}

// proof is a fresh proof for a GET of apiURL with the client's token.
func (f *fleet) proof(t *testing.T) string {
	return f.key.Proof(http.MethodGet, apiURL).For(f.token).MustSign(t)
}

// send has api serve a GET of apiURL with the client's token and proof.
func (f *fleet) send(api http.Handler, proof string) *httptest.ResponseRecorder {
	r := httptest.NewRequest(http.MethodGet, apiURL, nil)
	r.Header.Set("Authorization", "DPoP "+f.token)
	r.Header.Set("DPoP", proof)
	w := httptest.NewRecorder()
	api.ServeHTTP(w, r)
	return w
}

// TestFleetRefusesReplay is the case this package exists for: two
// replicas of an API behind one load balancer, sharing Redis. A proof
// accepted by one is refused by the other, with the 401 of RFC 9449.
func TestFleetRefusesReplay(t *testing.T) {
	client := newClient(t)
	f := newFleet(t)
	for name, stores := range map[string]func(prefix string) (a, b dpop.ReplayStore){
		"one Store shared": func(prefix string) (a, b dpop.ReplayStore) {
			s := newStore(t, client, prefix)
			return s, s
		},
		"a Store and a client per replica, one prefix": func(prefix string) (a, b dpop.ReplayStore) {
			return newStore(t, newClient(t), prefix), newStore(t, newClient(t), prefix)
		},
	} {
		t.Run(name, func(t *testing.T) {
			storeA, storeB := stores(randomPrefix(t, client))
			a, b := f.replica(t, storeA), f.replica(t, storeB)
			proof := f.proof(t)

			w := f.send(a, proof)
			require.Equal(t, http.StatusOK, w.Code, "replica A accepts a fresh proof: %s", w.Body)
			assert.Equal(t, "orders", w.Body.String())

			for replica, api := range map[string]http.Handler{"B": b, "A": a} {
				w = f.send(api, proof)
				assert.Equal(t, http.StatusUnauthorized, w.Code, "replica %s refuses the replay", replica)
				assert.Contains(t, w.Header().Get("WWW-Authenticate"),
					`DPoP realm="api", error="invalid_dpop_proof", error_description="DPoP proof has been used before"`)
				assert.JSONEq(t, `{"error":"invalid_dpop_proof","error_description":"DPoP proof has been used before"}`, w.Body.String())
			}

			w = f.send(b, f.proof(t))
			assert.Equal(t, http.StatusOK, w.Code, "replica B accepts a fresh proof: %s", w.Body)
		})
	}
}

// TestFleetRedisTrouble answers 503 with Retry-After, as package bearer
// does whenever a proof cannot be checked, when Redis is unreachable or
// full: a proof is never accepted unchecked.
func TestFleetRedisTrouble(t *testing.T) {
	f := newFleet(t)
	tests := map[string]func(t *testing.T) dpop.ReplayStore{
		"Redis unreachable": func(t *testing.T) dpop.ReplayStore {
			return newStore(t, unreachableClient(t), "")
		},
		"Redis full under noeviction": func(t *testing.T) dpop.ReplayStore {
			client := newClient(t)
			store := newStore(t, client, randomPrefix(t, client))
			fillRedis(t, client)
			return store
		},
	}
	for name, store := range tests {
		t.Run(name, func(t *testing.T) {
			w := f.send(f.replica(t, store(t)), f.proof(t))
			assert.Equal(t, http.StatusServiceUnavailable, w.Code)
			// bearer rounds the RetryAfter of a store that gives none up to
			// one second.
			assert.Equal(t, "1", w.Header().Get("Retry-After"))
			assert.NotContains(t, w.Header().Get("WWW-Authenticate"), "error=", "nothing is wrong with the request")
			assert.JSONEq(t, `{"error":"temporarily_unavailable","error_description":"DPoP replay check is unavailable, retry later"}`,
				w.Body.String())
		})
	}
}
