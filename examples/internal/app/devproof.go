package app

import (
	"fmt"
	"net/http"
	"net/url"
	"strings"

	"github.com/scopegate/scopegate/authtest"
	"github.com/scopegate/scopegate/bearer"
	"github.com/scopegate/scopegate/dpop"
)

// DevProofPath is where dev mode hands out DPoP proofs for DPOP_TOKEN.
//
// It exists because a DPoP proof cannot be printed once like a token: each
// proof is accepted once, names one method and URL and the token's hash,
// and must be signed by the key the token is bound to, which lives in this
// process. So the printed curl commands fetch a fresh proof from here for
// each request, in place of the DPoP client a real application would be.
//
// It exists only in dev mode, which listens on loopback and is its own
// issuer anyway: the key, the token and its proofs are minted by the
// process for itself, and prove nothing to the outside world. With
// ISSUER_BASE_URL set, or with DPOP=off, the path is not served.
const DevProofPath = "/dev/dpop-proof"

// The fixed answers of DevProofPath to a request it cannot serve; never
// what the request held.
const (
	devProofUsage     = "usage: GET " + DevProofPath + "?htm=GET&htu=http://127.0.0.1:3010/api/private-scoped\n"
	devProofBadMethod = "htm must be the HTTP method of the request the proof is for, such as GET\n"
	devProofBadURL    = "htu must be the absolute http(s) URL of the request the proof is for\n"
)

// devDPoP is dev mode's DPoP client: a key of its own, the reader token
// bound to it (DPOP_TOKEN), and the API whose nonces its proofs carry when
// nonces are on.
type devDPoP struct {
	key   *authtest.DPoPKey
	token string
	api   *bearer.Authenticator
}

// newDevDPoP makes the dev client key and DPOP_TOKEN, a reader token bound
// to it; base builds the token as it builds the guide's other tokens.
// Proofs carry a nonce of api when its nonces are on.
func newDevDPoP(base *authtest.TokenBuilder, api *bearer.Authenticator) (*devDPoP, error) {
	key, err := authtest.NewDPoPKey("ES256")
	if err != nil {
		return nil, fmt.Errorf("dev mode: DPoP key: %w", err)
	}
	tok, err := base.Scope("read:messages").BoundTo(key).Sign()
	if err != nil {
		return nil, fmt.Errorf("dev mode: DPOP_TOKEN: %w", err)
	}
	return &devDPoP{key: key, token: tok, api: api}, nil
}

// devDPoPEnabled reports whether dev mode offers DPoP: unless DPOP=off.
func devDPoPEnabled(s Settings) bool {
	return s.DevMode && s.Auth.DPoP.Mode != bearer.DPoPOff
}

// wrap serves DevProofPath and passes every other request to next
// unchanged.
func (d *devDPoP) wrap(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path != DevProofPath {
			next.ServeHTTP(w, r)
			return
		}
		d.serveProof(w, r)
	})
}

// serveProof answers GET DevProofPath?htm=METHOD&htu=URL with a fresh proof
// (new jti, iat now) for a request with METHOD to URL carrying DPOP_TOKEN,
// signed by the key DPOP_TOKEN is bound to, with a nonce when nonces are
// on. A query or fragment of URL is left out of "htu", as RFC 9449 §4.2
// says.
func (d *devDPoP) serveProof(w http.ResponseWriter, r *http.Request) {
	if r.Method != http.MethodGet && r.Method != http.MethodHead {
		w.Header().Set("Allow", "GET, HEAD")
		plain(w, http.StatusMethodNotAllowed, devProofUsage)
		return
	}
	q := r.URL.Query()
	htm, htu := q.Get("htm"), q.Get("htu")
	switch {
	case htm == "" || htu == "":
		plain(w, http.StatusBadRequest, devProofUsage)
		return
	case !isMethod(htm):
		plain(w, http.StatusBadRequest, devProofBadMethod)
		return
	}
	target, ok := proofURL(htu)
	if !ok {
		plain(w, http.StatusBadRequest, devProofBadURL)
		return
	}
	proof := d.key.Proof(htm, target).For(d.token)
	if nonce, on := d.api.DPoPNonce(); on {
		proof.Nonce(nonce)
	}
	signed, err := proof.Sign()
	if err != nil {
		plain(w, http.StatusInternalServerError, "the dev DPoP key could not sign a proof\n")
		return
	}
	w.Header().Set("Cache-Control", "no-store")
	// No trailing newline: the body is the DPoP header value as it is.
	plain(w, http.StatusOK, signed)
}

// proofURL returns raw without query and fragment, or false when it is not
// an absolute http(s) URL with a host and no user information.
func proofURL(raw string) (string, bool) {
	u, err := url.Parse(raw)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" || u.User != nil || u.Opaque != "" {
		return "", false
	}
	if _, err := dpop.NormalizeURL(raw); err != nil {
		return "", false
	}
	u.RawQuery, u.ForceQuery, u.Fragment, u.RawFragment = "", false, "", ""
	return u.String(), true
}

// isMethod reports whether m is an HTTP method: a token (RFC 9110 §5.6.2).
func isMethod(m string) bool {
	for _, c := range []byte(m) {
		if c <= ' ' || c >= 0x7f || strings.IndexByte(`"(),/:;<=>?@[\]{}`, c) >= 0 {
			return false
		}
	}
	return m != ""
}

// plain answers status with body as text/plain.
func plain(w http.ResponseWriter, status int, body string) {
	w.Header().Set("Content-Type", "text/plain; charset=utf-8")
	w.Header().Set("X-Content-Type-Options", "nosniff")
	w.WriteHeader(status)
	_, _ = w.Write([]byte(body))
}
