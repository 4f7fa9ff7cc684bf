package clerkapi

import (
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"time"
	"unicode"

	"github.com/scopegate/scopegate/internal/remember"
	"github.com/scopegate/scopegate/internal/remote"
)

// Defaults of Config. The zero value of each field takes its default.
const (
	// DefaultBaseURL is Clerk's Backend API (API_URL in @clerk/backend's
	// packages/backend/src/constants.ts).
	DefaultBaseURL = "https://api.clerk.com"
	// DefaultTimeout bounds each call.
	DefaultTimeout = 5 * time.Second
	// DefaultMaxResponseBytes caps a response body: a verified token's
	// resource is well under a kilobyte, custom claims included.
	DefaultMaxResponseBytes = 64 << 10
	// DefaultMaxConcurrent is how many calls may be in flight at once.
	DefaultMaxConcurrent = 16
	// DefaultCacheEntries bounds how many answers are remembered.
	DefaultCacheEntries = 10_000
	// DefaultNegativeTTL is how long an invalid answer is remembered.
	DefaultNegativeTTL = 10 * time.Second
	// DefaultMaxTTL is the longest a valid answer is remembered.
	DefaultMaxTTL = 5 * time.Minute
)

// APIVersion is the Clerk-API-Version header every call carries: the
// Backend API version whose responses this package reads, the one
// @clerk/backend sends (SUPPORTED_BAPI_VERSION in
// packages/backend/src/constants.ts) and whose OpenAPI description
// (clerk/openapi-specs, bapi/2026-05-12.yml) documents the three verify
// endpoints.
const APIVersion = "2026-05-12"

// userAgent names this package to Clerk, as @clerk/backend names itself
// ("@clerk/backend@<version>"), so that Clerk's logs tell the two apart.
const userAgent = "scopegate-clerkapi"

// Config configures a Client. Zero values take the defaults.
type Config struct {
	// SecretKey is the instance's secret key ("sk_live_…" or "sk_test_…",
	// the Clerk Dashboard's API keys page; CLERK_SECRET_KEY in Clerk's
	// SDKs). It authenticates every call, as a Bearer token. Required.
	SecretKey string
	// BaseURL is the Backend API's URL; default DefaultBaseURL. It must be
	// https; plain http is allowed only on a loopback host, for tests and
	// local stand-ins, because every call carries a token and the secret
	// key. It has no version segment: the verify endpoints are unversioned
	// and the version travels in the Clerk-API-Version header.
	BaseURL string
	// Client makes the calls; default a client with Timeout as its own. A
	// client given here is copied, and the copy never follows redirects,
	// whatever the original's CheckRedirect says: a 307 would send the
	// token and the secret key again to wherever it points.
	Client *http.Client
	// Timeout bounds each call; default DefaultTimeout.
	Timeout time.Duration
	// MaxResponseBytes caps each response body; default
	// DefaultMaxResponseBytes. A larger answer is a failure (unavailable).
	MaxResponseBytes int
	// MaxConcurrent is the most calls in flight to Clerk at once; default
	// DefaultMaxConcurrent. When all are busy a new call does not wait: it
	// fails at once as unavailable (RetryAfter one second), so that a flood
	// of junk tokens can neither pile up on Clerk (nor on the bill) nor hold
	// requests waiting here.
	MaxConcurrent int
	// CacheEntries bounds how many answers are remembered; default
	// DefaultCacheEntries, negative turns the cache off. Entries are keyed
	// by the SHA-256 of the token, so the cache never holds a token.
	CacheEntries int
	// NegativeTTL is how long an invalid answer is remembered; default
	// DefaultNegativeTTL. Short: re-asking about a bad token costs little,
	// and remembering it spares Clerk a client that retries in a loop.
	NegativeTTL time.Duration
	// MaxTTL caps how long a valid answer is remembered; default
	// DefaultMaxTTL. A valid answer is remembered until the token's
	// expiration or for MaxTTL, whichever comes first: remembering it until
	// expiration alone would hide a revocation for the token's whole life
	// (an API key may never expire), and instant revocation is why these
	// tokens are opaque.
	MaxTTL time.Duration
	// Now is the clock; default time.Now. Tests inject their own.
	Now func() time.Time
}

// New checks cfg and returns a Client. Nothing is sent until the first
// Verify.
func New(cfg Config) (*Client, error) {
	if err := cfg.check(); err != nil {
		return nil, err
	}
	c := &Client{
		secretKey:   cfg.SecretKey,
		baseURL:     strings.TrimRight(remote.OrDefault(cfg.BaseURL, DefaultBaseURL), "/"),
		timeout:     remote.OrDefault(cfg.Timeout, DefaultTimeout),
		maxBytes:    remote.OrDefault(cfg.MaxResponseBytes, DefaultMaxResponseBytes),
		negativeTTL: remote.OrDefault(cfg.NegativeTTL, DefaultNegativeTTL),
		maxTTL:      remote.OrDefault(cfg.MaxTTL, DefaultMaxTTL),
		now:         cfg.Now,
	}
	if c.now == nil {
		c.now = time.Now
	}
	c.answers = remember.NewGroup(c.askToken, remote.OrDefault(cfg.CacheEntries, DefaultCacheEntries),
		remote.OrDefault(cfg.MaxConcurrent, DefaultMaxConcurrent), c.now)
	client := cfg.Client
	if client == nil {
		client = &http.Client{Timeout: c.timeout}
	}
	c.client = remote.NoRedirects(client)
	return c, nil
}

// check reports the first mistake in cfg, naming the field and the fix.
// No message quotes the secret key: it would end up in logs.
func (cfg *Config) check() error {
	if err := checkSecretKey(cfg.SecretKey); err != nil {
		return err
	}
	if cfg.BaseURL != "" {
		if err := checkBaseURL(cfg.BaseURL); err != nil {
			return err
		}
	}
	for _, d := range []struct {
		name  string
		value time.Duration
	}{{"Timeout", cfg.Timeout}, {"NegativeTTL", cfg.NegativeTTL}, {"MaxTTL", cfg.MaxTTL}} {
		if d.value < 0 {
			return fmt.Errorf("clerkapi: %s must not be negative (zero takes the default)", d.name)
		}
	}
	if cfg.MaxResponseBytes < 0 {
		return errors.New("clerkapi: MaxResponseBytes must not be negative (zero takes the default)")
	}
	if cfg.MaxConcurrent < 0 {
		return errors.New("clerkapi: MaxConcurrent must not be negative (zero takes the default)")
	}
	return nil
}

// checkSecretKey requires an instance secret key. The Backend API would
// refuse anything else with a 401 on every call, which this package reports
// as unavailable: better to say so once, at start, in words.
func checkSecretKey(key string) error {
	const where = "the instance's secret key from the Clerk Dashboard's API keys page, e.g. SecretKey: os.Getenv(\"CLERK_SECRET_KEY\")"
	switch {
	case key == "":
		return errors.New("clerkapi: SecretKey is required: " + where)
	case strings.IndexFunc(key, func(r rune) bool { return unicode.IsSpace(r) || unicode.IsControl(r) }) >= 0:
		return errors.New("clerkapi: SecretKey contains whitespace or a control character; trim it (a trailing newline from a file or an environment variable is the usual cause)")
	case strings.HasPrefix(key, "pk_"):
		return errors.New("clerkapi: SecretKey is a publishable key (pk_…); use the secret key (sk_live_… or sk_test_…) of the same instance")
	}
	for _, p := range []string{"sk_live_", "sk_test_"} {
		if rest, ok := strings.CutPrefix(key, p); ok && rest != "" {
			return nil
		}
	}
	return errors.New("clerkapi: SecretKey must be an instance secret key, starting with sk_live_ or sk_test_: " + where)
}

// checkBaseURL requires an absolute https URL without credentials, query or
// fragment, or http on loopback where tests and local stand-ins run: calls
// carry tokens and the secret key, which anyone on the path could read in
// clear text.
func checkBaseURL(raw string) error {
	u, err := url.Parse(raw)
	if err != nil || !u.IsAbs() || u.Host == "" {
		return errors.New(`clerkapi: BaseURL must be an absolute URL, e.g. "https://api.clerk.com"`)
	}
	// Redacted: the message reaches logs, and the URL may hold a password.
	if u.User != nil {
		return fmt.Errorf("clerkapi: BaseURL %q must not carry credentials; set SecretKey", u.Redacted())
	}
	if u.Scheme != "https" && (u.Scheme != "http" || !remote.IsLoopback(u.Hostname())) {
		return fmt.Errorf("clerkapi: BaseURL %q must use https (plain http is allowed only on loopback)", u.Redacted())
	}
	if u.RawQuery != "" || u.Fragment != "" || u.ForceQuery {
		return fmt.Errorf("clerkapi: BaseURL %q must not have a query or a fragment", u.Redacted())
	}
	// Clerk answers 404 for an unknown path, which reads as "token not
	// found": a versioned BaseURL would make every token invalid.
	if p := strings.TrimRight(u.Path, "/"); p == "/v1" || strings.HasSuffix(p, "/v1") {
		return fmt.Errorf("clerkapi: BaseURL %q must not end in the API version /v1: the verify endpoints are unversioned (the version travels in the Clerk-API-Version header); use %q", u.Redacted(), strings.TrimSuffix(strings.TrimRight(raw, "/"), "/v1"))
	}
	return nil
}
