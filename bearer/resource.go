package bearer

import (
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"sync/atomic"

	"github.com/scopegate/scopegate/internal/remote"
)

// MetadataPathPrefix is where a protected resource publishes its metadata
// (RFC 9728 §3): inserted between the host and the path of the resource's
// identifier.
const MetadataPathPrefix = "/.well-known/oauth-protected-resource"

// resourceMetadata is the document Authenticator.ResourceMetadata serves
// (RFC 9728 §2), built once at New.
type resourceMetadata struct {
	Resource               string   `json:"resource"`
	AuthorizationServers   []string `json:"authorization_servers,omitempty"`
	ScopesSupported        []string `json:"scopes_supported,omitempty"`
	BearerMethodsSupported []string `json:"bearer_methods_supported"`
	// DPoPAlgorithms and DPoPRequired describe DPoP when it is on.
	DPoPAlgorithms []string `json:"dpop_signing_alg_values_supported,omitempty"`
	DPoPRequired   bool     `json:"dpop_bound_access_tokens_required,omitempty"`
	// withDeclared adds the scopes the process's rules name to
	// ScopesSupported when the document is served (Config.ResourceScopesOnly
	// unset): rules may be built after New.
	withDeclared bool
}

// encodedMetadata is the served document, encoded, and the version of the
// declared scopes it was built with.
type encodedMetadata struct {
	body    []byte
	version uint64
}

// metadataURL returns the URL of the metadata of the resource identified by
// resource, and the path it is served at, or an error that says how to fix
// Config.Resource.
func metadataURL(resource string) (full, path string, err error) {
	u, err := url.Parse(resource)
	if err != nil || !u.IsAbs() || u.Host == "" {
		return "", "", fmt.Errorf("bearer: Resource %q must be an absolute URL, e.g. \"https://api.example.com\"", resource)
	}
	if u.Scheme != "https" && !(u.Scheme == "http" && remote.IsLoopback(u.Hostname())) {
		return "", "", fmt.Errorf("bearer: Resource %q must use https (plain http is allowed only on loopback)", resource)
	}
	if u.Fragment != "" || u.RawQuery != "" || u.User != nil {
		return "", "", fmt.Errorf("bearer: Resource %q must have no query, fragment or credentials (RFC 9728 §1.2)", resource)
	}
	path = MetadataPathPrefix + strings.TrimSuffix(u.EscapedPath(), "/")
	return u.Scheme + "://" + u.Host + path, path, nil
}

// newResourceMetadata checks the resource settings of cfg and builds the
// document and the challenge attribute; nil when cfg.Resource is unset.
// checker describes DPoP; nil when it is off.
func newResourceMetadata(cfg *Config, checker *dpopChecker) (*resourceMetadata, string, string, error) {
	if cfg.Resource == "" {
		if len(cfg.ResourceScopes) > 0 || cfg.ResourceScopesOnly {
			return nil, "", "", fmt.Errorf("bearer: ResourceScopes and ResourceScopesOnly need Resource, the URL of this API as a protected resource")
		}
		return nil, "", "", nil
	}
	full, path, err := metadataURL(cfg.Resource)
	if err != nil {
		return nil, "", "", err
	}
	for _, s := range cfg.ResourceScopes {
		if s == "" || strings.ContainsAny(s, " \"\\") || checkChallengeText(s) != nil {
			return nil, "", "", fmt.Errorf("bearer: ResourceScopes entry %q is not an OAuth scope name", s)
		}
	}
	m := &resourceMetadata{Resource: cfg.Resource, ScopesSupported: slices.Clone(cfg.ResourceScopes),
		BearerMethodsSupported: []string{"header"}, withDeclared: !cfg.ResourceScopesOnly}
	for _, ic := range cfg.issuers() {
		if ic.Issuer != "" && !slices.Contains(m.AuthorizationServers, ic.Issuer) {
			m.AuthorizationServers = append(m.AuthorizationServers, ic.Issuer)
		}
	}
	if cfg.QueryParameter != "" {
		m.BearerMethodsSupported = append(m.BearerMethodsSupported, "query")
	}
	if checker != nil {
		m.DPoPAlgorithms = slices.Clone(checker.algorithms)
		m.DPoPRequired = checker.mode == DPoPRequired
	}
	return m, full, path, nil
}

// ResourceMetadata returns the handler of this API's protected resource
// metadata (RFC 9728), the document OAuth clients (MCP clients among them)
// read to find the authorization server and the scopes to ask for: mount it
// at ResourceMetadataPath. It answers 404 when Config.Resource is unset.
// Its scopes_supported lists Config.ResourceScopes and, unless
// Config.ResourceScopesOnly, every scope the process's rules name
// (RequireScopes, RequireAnyScope, Has) when the document is served.
func (a *Authenticator) ResourceMetadata() http.Handler {
	var encoded atomic.Pointer[encodedMetadata]
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		switch {
		case a.metadata == nil:
			http.NotFound(w, r)
		case r.Method != http.MethodGet && r.Method != http.MethodHead:
			w.Header().Set("Allow", "GET, HEAD")
			http.Error(w, "method not allowed", http.StatusMethodNotAllowed)
		default:
			// Encoded once, and again only when a rule built since names a
			// scope not yet listed: the endpoint is public.
			version := declaredScopes.changes()
			e := encoded.Load()
			if e == nil || a.metadata.withDeclared && e.version != version {
				doc := *a.metadata
				if doc.withDeclared {
					doc.ScopesSupported = declaredScopes.union(doc.ScopesSupported)
				}
				body, _ := json.Marshal(doc) // strings only: it cannot fail
				e = &encodedMetadata{body: append(body, '\n'), version: version}
				encoded.Store(e)
			}
			w.Header().Set("Content-Type", "application/json")
			_, _ = w.Write(e.body)
		}
	})
}

// ResourceMetadataPath returns the path ResourceMetadata is to be mounted
// at, derived from Config.Resource as RFC 9728 §3 says
// ("/.well-known/oauth-protected-resource" for "https://api.example.com");
// "" when Config.Resource is unset.
func (a *Authenticator) ResourceMetadataPath() string { return a.metadataPath }
