package introspect

import (
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"slices"
	"time"

	"github.com/scopegate/scopegate/internal/remember"
	"github.com/scopegate/scopegate/internal/remote"
)

// Defaults of Config. The zero value of each field takes its default.
const (
	// DefaultTimeout bounds each call to the endpoint, and each discovery.
	DefaultTimeout = 5 * time.Second
	// DefaultMaxResponseBytes caps a response body: an introspection answer
	// is a few hundred bytes.
	DefaultMaxResponseBytes = 64 << 10
	// DefaultMaxConcurrent is how many calls may be in flight at once.
	DefaultMaxConcurrent = 16
	// DefaultCacheEntries bounds how many answers are remembered.
	DefaultCacheEntries = 10_000
	// DefaultNegativeTTL is how long an inactive answer is remembered.
	DefaultNegativeTTL = 10 * time.Second
	// DefaultMaxTTL is the longest an active answer is remembered.
	DefaultMaxTTL = 5 * time.Minute
	// DefaultClockSkew tolerates clocks this far apart on exp and nbf, as
	// package token does for JWTs.
	DefaultClockSkew = 5 * time.Second
)

// NoClockSkew asks for exact time comparisons (a zero ClockSkew takes the
// default).
const NoClockSkew time.Duration = -1

// AuthMethod is how the Introspector authenticates itself to the endpoint.
// The values are the names RFC 8414 metadata uses for them.
type AuthMethod string

const (
	// ClientSecretBasic sends the client credentials in an HTTP Basic
	// Authorization header, each form-urlencoded first (RFC 6749 §2.3.1).
	// It is the default: RFC 6749 requires servers to support it.
	ClientSecretBasic AuthMethod = "client_secret_basic"
	// ClientSecretPost sends them as client_id and client_secret in the
	// form body, for servers that accept nothing else.
	ClientSecretPost AuthMethod = "client_secret_post"
)

// Config configures an Introspector. Zero values take the defaults.
type Config struct {
	// Endpoint is the introspection endpoint URL. It must be https; plain
	// http is allowed only on a loopback host, as everywhere in this
	// library, because the calls carry tokens and client credentials. When
	// empty it is discovered from Issuer.
	Endpoint string
	// Issuer is the authorization server's issuer identifier, e.g.
	// "https://tenant.example.com/". When set, an answer that carries "iss"
	// must name it exactly. When Endpoint is empty the endpoint is read, on
	// first use, from Issuer's metadata: /.well-known/openid-configuration,
	// then /.well-known/oauth-authorization-server (RFC 8414), whose
	// "issuer" must equal Issuer exactly, so that one tenant's metadata
	// cannot send tokens to another. A failed discovery is retried no sooner
	// than 30 s later, so that an issuer that is down is not asked again on
	// every request; calls meanwhile fail as unavailable.
	Issuer string
	// Audiences, when set, are the audiences this API accepts: an active
	// answer must carry "aud" (a string or an array) naming one of them. An
	// answer without "aud" is then inactive, as a JWT without one is for
	// package token: a token minted for another API must not pass here
	// just because its issuer left the audience out of the answer.
	Audiences []string
	// ClientID and ClientSecret authenticate this API to the endpoint, which
	// RFC 7662 §2.1 requires so that the endpoint cannot be used to probe
	// tokens. Both are required.
	ClientID, ClientSecret string
	// AuthMethod is how they are sent; default ClientSecretBasic.
	AuthMethod AuthMethod
	// Client makes the calls; default a client with Timeout as its own. A
	// client given here is copied, and the copy never follows redirects,
	// whatever the original's CheckRedirect says: a 307 would send the token
	// and the credentials again to wherever it points.
	Client *http.Client
	// Timeout bounds each call, and each discovery; default DefaultTimeout.
	Timeout time.Duration
	// MaxResponseBytes caps each response body; default
	// DefaultMaxResponseBytes. A larger answer is a failure (unavailable).
	MaxResponseBytes int
	// MaxConcurrent is the most calls in flight to the endpoint at once;
	// default DefaultMaxConcurrent. When all are busy a new call does not
	// wait: it fails at once as unavailable (RetryAfter one second), so that
	// a flood of junk tokens can neither pile up on the issuer nor hold
	// requests waiting here.
	MaxConcurrent int
	// CacheEntries bounds how many answers are remembered; default
	// DefaultCacheEntries, negative turns the cache off. Entries are keyed
	// by the SHA-256 of the token, so the cache never holds a token.
	CacheEntries int
	// NegativeTTL is how long an inactive answer is remembered; default
	// DefaultNegativeTTL. Short, because the cost of re-asking about a bad
	// token is small and a token can become valid (nbf) or be re-issued.
	NegativeTTL time.Duration
	// MaxTTL caps how long an active answer is remembered; default
	// DefaultMaxTTL. An active answer is remembered until its "exp" or for
	// MaxTTL, whichever comes first: remembering it until "exp" alone would
	// hide a revocation for the token's whole life, which is what
	// introspection is used to avoid.
	MaxTTL time.Duration
	// ClockSkew is the tolerance on "exp" and "nbf"; default
	// DefaultClockSkew. Set NoClockSkew to compare exactly.
	ClockSkew time.Duration
	// Now is the clock; default time.Now. Tests inject their own.
	Now func() time.Time
}

// New checks cfg and returns an Introspector. Nothing is fetched until the
// first call.
func New(cfg Config) (*Introspector, error) {
	if err := cfg.check(); err != nil {
		return nil, err
	}
	i := &Introspector{
		issuer:       cfg.Issuer,
		audiences:    slices.Clone(cfg.Audiences),
		clientID:     cfg.ClientID,
		clientSecret: cfg.ClientSecret,
		auth:         remote.OrDefault(cfg.AuthMethod, ClientSecretBasic),
		timeout:      remote.OrDefault(cfg.Timeout, DefaultTimeout),
		maxBytes:     remote.OrDefault(cfg.MaxResponseBytes, DefaultMaxResponseBytes),
		negativeTTL:  remote.OrDefault(cfg.NegativeTTL, DefaultNegativeTTL),
		maxTTL:       remote.OrDefault(cfg.MaxTTL, DefaultMaxTTL),
		skew:         remote.OrDefault(cfg.ClockSkew, DefaultClockSkew),
		now:          cfg.Now,
	}
	i.discovery.endpoint = cfg.Endpoint
	if i.skew == NoClockSkew {
		i.skew = 0
	}
	if i.now == nil {
		i.now = time.Now
	}
	i.answers = remember.NewGroup(i.ask, remote.OrDefault(cfg.CacheEntries, DefaultCacheEntries),
		remote.OrDefault(cfg.MaxConcurrent, DefaultMaxConcurrent), i.now)
	client := cfg.Client
	if client == nil {
		client = &http.Client{Timeout: i.timeout}
	}
	i.client = remote.NoRedirects(client)
	return i, nil
}

// check reports the first mistake in cfg, naming the field and the fix.
func (cfg *Config) check() error {
	switch {
	case cfg.Endpoint != "":
		if err := checkURL("Endpoint", cfg.Endpoint); err != nil {
			return err
		}
	case cfg.Issuer != "":
		// Discovery decides where tokens are sent, so the issuer it reads
		// from needs the same protection as the endpoint itself.
		if err := checkURL("Issuer", cfg.Issuer); err != nil {
			return err
		}
	default:
		return errors.New(`introspect: Endpoint is required, or Issuer to discover it from, e.g. Endpoint: "https://auth.example.com/oauth2/introspect"`)
	}
	if slices.Contains(cfg.Audiences, "") {
		return errors.New("introspect: Audiences must not contain an empty string; leave Audiences nil to accept any audience")
	}
	if cfg.ClientID == "" || cfg.ClientSecret == "" {
		return errors.New("introspect: ClientID and ClientSecret are required: the credentials of this API's client at the authorization server, which RFC 7662 requires for introspection")
	}
	switch cfg.AuthMethod {
	case "", ClientSecretBasic, ClientSecretPost:
	default:
		return fmt.Errorf("introspect: AuthMethod %q is unknown; use ClientSecretBasic (the default) or ClientSecretPost", string(cfg.AuthMethod))
	}
	for _, d := range []struct {
		name  string
		value time.Duration
	}{{"Timeout", cfg.Timeout}, {"NegativeTTL", cfg.NegativeTTL}, {"MaxTTL", cfg.MaxTTL}} {
		if d.value < 0 {
			return fmt.Errorf("introspect: %s must not be negative (zero takes the default)", d.name)
		}
	}
	if cfg.ClockSkew < 0 && cfg.ClockSkew != NoClockSkew {
		return errors.New("introspect: ClockSkew must not be negative; use introspect.NoClockSkew for exact comparisons")
	}
	if cfg.MaxResponseBytes < 0 {
		return errors.New("introspect: MaxResponseBytes must not be negative (zero takes the default)")
	}
	if cfg.MaxConcurrent < 0 {
		return errors.New("introspect: MaxConcurrent must not be negative (zero takes the default)")
	}
	return nil
}

// checkURL requires an absolute https URL without credentials, or http on
// loopback where development servers and tests run: calls carry tokens and
// client secrets, which anyone on the path could read in clear text.
func checkURL(field, raw string) error {
	u, err := url.Parse(raw)
	if err != nil || !u.IsAbs() || u.Host == "" {
		return fmt.Errorf("introspect: %s must be an absolute URL, e.g. \"https://auth.example.com/\"", field)
	}
	// Redacted: the message reaches logs, and the URL may hold a password.
	if u.User != nil {
		return fmt.Errorf("introspect: %s %q must not carry credentials; set ClientID and ClientSecret", field, u.Redacted())
	}
	if u.Scheme != "https" && (u.Scheme != "http" || !remote.IsLoopback(u.Hostname())) {
		return fmt.Errorf("introspect: %s %q must use https (plain http is allowed only on loopback)", field, u.Redacted())
	}
	return nil
}
