package authtest

import (
	"context"
	"encoding/json"
	"fmt"
	"net"
	"net/http"
	"net/http/httptest"
	"sort"
	"strconv"
	"strings"
	"sync"
	"testing"
)

// Paths the issuer answers. They are exported for [Issuer.Requests],
// [Issuer.SetHandler] and [Issuer.DefaultHandler].
const (
	// DiscoveryPath serves the OpenID Connect discovery document.
	DiscoveryPath = "/.well-known/openid-configuration"
	// OAuthMetadataPath serves the same document under the RFC 8414 name,
	// which some clients try first.
	OAuthMetadataPath = "/.well-known/oauth-authorization-server"
	// JWKSPath serves the key set; it is where Auth0 and Clerk publish theirs.
	JWKSPath = "/.well-known/jwks.json"
)

// Issuer is an OpenID issuer on loopback: it serves
// /.well-known/openid-configuration and the JWKS over real HTTP, and mints
// tokens signed with the keys it publishes.
//
// All methods are safe for concurrent use, including while the server is
// answering requests.
type Issuer struct {
	cfg    config
	base   string // scheme://host:port, never with a trailing slash
	id     string // the issuer identifier, base or base + "/"
	srv    *httptest.Server
	cancel context.CancelFunc
	closed sync.Once

	mu        sync.RWMutex
	keys      []*signingKey          // every key ever made, in the order made
	current   map[string]*signingKey // alg → the key that signs for it
	jwks      []byte                 // served bytes, rebuilt on every key change
	discovery []byte
	handlers  map[string]http.Handler

	countMu sync.Mutex
	counts  map[string]int64
}

// NewIssuer starts an issuer for the duration of a test: it is closed by
// t.Cleanup, and a failure to start fails the test, so that tests need no
// error handling to get one.
func NewIssuer(t testing.TB, opts ...Option) *Issuer {
	t.Helper()
	i, err := Start(opts...)
	if err != nil {
		t.Fatalf("authtest: start issuer: %v", err)
	}
	t.Cleanup(i.Close)
	return i
}

// Start starts an issuer outside a test, for a development server or a demo;
// the caller must Close it. Tests should prefer [NewIssuer].
func Start(opts ...Option) (*Issuer, error) {
	cfg := newConfig(opts)
	i := &Issuer{
		cfg:      cfg,
		current:  make(map[string]*signingKey),
		handlers: make(map[string]http.Handler),
		counts:   make(map[string]int64),
	}
	if err := i.addInitialKeys(); err != nil {
		return nil, err
	}

	// Listening here rather than in httptest lets a busy or invalid address
	// come back as an error instead of a panic, which matters outside tests,
	// and gives the URL before the first request can arrive.
	ln, err := net.Listen("tcp", cfg.addr)
	if err != nil {
		return nil, fmt.Errorf("authtest: listen on %s: %w", cfg.addr, err)
	}
	scheme := "http"
	if cfg.tls {
		scheme = "https"
	}
	i.base = scheme + "://" + ln.Addr().String()
	i.id = i.base
	if cfg.trailingSlash {
		i.id += "/"
	}
	if err := i.rebuild(); err != nil {
		_ = ln.Close()
		return nil, err
	}

	// Request contexts derive from ctx, so that Close ends handlers that wait
	// on them (see Slow) instead of waiting for them.
	ctx, cancel := context.WithCancel(context.Background())
	i.cancel = cancel
	i.srv = &httptest.Server{
		Listener: ln,
		Config: &http.Server{
			Handler:     http.HandlerFunc(i.serve),
			BaseContext: func(net.Listener) context.Context { return ctx },
		},
	}
	if cfg.tls {
		i.srv.StartTLS()
	} else {
		i.srv.Start()
	}
	return i, nil
}

// Close stops the server and waits for requests in flight; their contexts are
// cancelled first, so handlers that honour them return at once. Close may be
// called more than once. Tokens can still be minted after Close.
func (i *Issuer) Close() {
	i.closed.Do(func() {
		i.cancel()
		i.srv.Close()
	})
}

// URL returns the issuer identifier, the value of "iss" in default tokens and
// of "issuer" in the discovery document, e.g. "http://127.0.0.1:41234", or
// with a trailing "/" when started [WithTrailingSlash].
func (i *Issuer) URL() string { return i.id }

// JWKSURL returns the URL of the key set, as published in the discovery
// document under "jwks_uri".
func (i *Issuer) JWKSURL() string { return i.base + JWKSPath }

// DiscoveryURL returns the URL of the discovery document. It never contains
// "//.well-known", even when the issuer identifier ends with "/".
func (i *Issuer) DiscoveryURL() string { return i.base + DiscoveryPath }

// Audience returns the audience default tokens carry: [DefaultAudience] unless
// started [WithAudience].
func (i *Issuer) Audience() string { return i.cfg.audience }

// Client returns an HTTP client for the issuer; with [WithTLS] it is the one
// client that trusts the issuer's certificate.
func (i *Issuer) Client() *http.Client { return i.srv.Client() }

// Requests reports how many requests the server has received for path (such as
// [JWKSPath]), whatever answered them, so that tests can assert how often the
// code under test fetched keys. The path is compared exactly, without query.
func (i *Issuer) Requests(path string) int64 {
	i.countMu.Lock()
	defer i.countMu.Unlock()
	return i.counts[path]
}

// SetHandler replaces what the server answers at path, to inject faults: 500s,
// garbage, slow answers, redirects, another issuer's documents. A nil handler
// restores the default. Paths the issuer does not serve by default can be
// added too, e.g. as redirect targets. Requests to path keep being counted.
func (i *Issuer) SetHandler(path string, h http.Handler) {
	i.mu.Lock()
	defer i.mu.Unlock()
	if h == nil {
		delete(i.handlers, path)
		return
	}
	i.handlers[path] = h
}

// DefaultHandler returns what the server answers at path when no handler is
// set, so that a handler set with [Issuer.SetHandler] can wrap it — delay it,
// change a header — and still serve the current documents. Paths without a
// default answer 404.
func (i *Issuer) DefaultHandler(path string) http.Handler {
	switch path {
	case DiscoveryPath, OAuthMetadataPath:
		return documentHandler{body: i.discoveryBytes}
	case JWKSPath:
		return documentHandler{body: i.jwksBytes, cacheControl: i.cfg.cacheControl}
	default:
		return http.NotFoundHandler()
	}
}

// Discovery returns the discovery document the server serves now, e.g. as a
// starting point for a modified one served with [Issuer.SetHandler].
func (i *Issuer) Discovery() []byte {
	return append([]byte(nil), i.discoveryBytes()...)
}

// JWKS returns the key set the server serves now.
func (i *Issuer) JWKS() []byte {
	return append([]byte(nil), i.jwksBytes()...)
}

// jwksBytes and discoveryBytes return the served documents without copying:
// rebuild replaces them wholesale and never writes into them.
func (i *Issuer) jwksBytes() []byte {
	i.mu.RLock()
	defer i.mu.RUnlock()
	return i.jwks
}

func (i *Issuer) discoveryBytes() []byte {
	i.mu.RLock()
	defer i.mu.RUnlock()
	return i.discovery
}

func (i *Issuer) serve(w http.ResponseWriter, r *http.Request) {
	path := r.URL.Path
	i.countMu.Lock()
	i.counts[path]++
	i.countMu.Unlock()

	i.mu.RLock()
	h := i.handlers[path]
	i.mu.RUnlock()
	if h == nil {
		h = i.DefaultHandler(path)
	}
	h.ServeHTTP(w, r)
}

// rebuild renders the documents once per key change rather than once per
// request, so that concurrent fetches only share a read lock.
// It must be called with mu held for writing, or before the server starts.
func (i *Issuer) rebuild() error {
	jwks, algs, err := i.renderJWKS()
	if err != nil {
		return err
	}
	discovery, err := json.Marshal(map[string]any{
		"issuer":                                i.id,
		"jwks_uri":                              i.JWKSURL(),
		"id_token_signing_alg_values_supported": algs,
		"response_types_supported":              []string{"code"},
		"subject_types_supported":               []string{"public"},
	})
	if err != nil {
		return fmt.Errorf("authtest: render discovery document: %w", err)
	}
	i.jwks, i.discovery = jwks, discovery
	return nil
}

// publishedAlgs lists, sorted and once each, the algorithms of the keys in
// the key set, so that discovery never advertises what cannot be verified.
func publishedAlgs(keys []*signingKey) []string {
	seen := make(map[string]bool)
	algs := []string{}
	for _, k := range keys {
		if k.published && !seen[k.alg] {
			seen[k.alg] = true
			algs = append(algs, k.alg)
		}
	}
	sort.Strings(algs)
	return algs
}

// documentHandler serves a JSON document the way identity providers do, and
// refuses methods they refuse, so that a client sending the wrong method fails
// here as it would in production.
type documentHandler struct {
	body         func() []byte
	cacheControl string
}

func (h documentHandler) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if r.Method != http.MethodGet && r.Method != http.MethodHead {
		w.Header().Set("Allow", strings.Join([]string{http.MethodGet, http.MethodHead}, ", "))
		http.Error(w, http.StatusText(http.StatusMethodNotAllowed), http.StatusMethodNotAllowed)
		return
	}
	b := h.body()
	w.Header().Set("Content-Type", "application/json")
	if h.cacheControl != "" {
		w.Header().Set("Cache-Control", h.cacheControl)
	}
	w.Header().Set("Content-Length", strconv.Itoa(len(b)))
	_, _ = w.Write(b)
}
