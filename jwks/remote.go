package jwks

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"math/rand/v2"
	"net/http"
	"sync"
	"sync/atomic"
	"time"
)

// Defaults of RemoteConfig. They match express-oauth2-jwt-bearer's so that
// an API moving from Express behaves the same under rotation and outages.
const (
	DefaultCacheTTL         = 10 * time.Minute
	DefaultRefreshCooldown  = 30 * time.Second
	DefaultFetchTimeout     = 5 * time.Second
	DefaultMaxResponseBytes = 512 << 10
	// MinServerCacheTTL and MaxServerCacheTTL bound what a server's
	// Cache-Control may ask for, so that "no-cache" cannot turn every request
	// into a fetch and a year-long max-age cannot pin revoked keys.
	MinServerCacheTTL = time.Minute
	MaxServerCacheTTL = 24 * time.Hour
)

// RemoteConfig configures a Remote key set. Zero values take the defaults.
type RemoteConfig struct {
	// Issuer is the issuer identifier, e.g. "https://tenant.auth0.com/".
	// When URL is empty the JWKS URL is found through discovery from it:
	// /.well-known/openid-configuration, then
	// /.well-known/oauth-authorization-server; the document's "issuer" must
	// equal Issuer exactly.
	Issuer string
	// URL is the JWKS URL. It skips discovery when set. It must be https
	// except on loopback.
	URL string
	// HTTPClient makes the requests; default: a client with no timeout of its
	// own (FetchTimeout bounds each fetch). Redirects to another origin are
	// always refused, whatever the client's CheckRedirect says.
	HTTPClient *http.Client
	// Now is the clock; default time.Now. Tests inject their own.
	Now func() time.Time
	// CacheTTL is how long fetched keys are fresh; default DefaultCacheTTL, or
	// the server's Cache-Control max-age bounded to [MinServerCacheTTL,
	// MaxServerCacheTTL]. A value set here is used as given and the server's
	// header is ignored. Keys are refreshed in the background at a random
	// point between 7/10 and 8/10 of the TTL, drawn anew at every fetch
	// (between 7 and 8 minutes with the default), so that replicas started
	// together do not all ask the issuer at the same instant; requests keep
	// using the current keys meanwhile, and keep them for as long as
	// refreshing fails.
	CacheTTL time.Duration
	// RefreshCooldown is the least time between two fetches caused by tokens
	// with an unknown kid, and between a failed fetch and the next attempt;
	// default DefaultRefreshCooldown. Concurrent requests share one fetch.
	RefreshCooldown time.Duration
	// FetchTimeout bounds each fetch, discovery included; default
	// DefaultFetchTimeout.
	FetchTimeout time.Duration
	// MaxResponseBytes caps each response body; default
	// DefaultMaxResponseBytes.
	MaxResponseBytes int64
	// Logger receives one event per fetch and per failure, never token
	// contents: Info for a successful fetch, Warn for a failed one and for
	// each key skipped. When nil, the warnings go to slog.Default (as it is
	// when each event happens) and the Info events are dropped, so that an
	// unreachable or mistyped issuer shows in the logs at once, not only as
	// 503 answers, while a healthy key set stays quiet. To log nothing at
	// all, set slog.New(slog.DiscardHandler).
	Logger *slog.Logger
}

// Remote is a key set fetched over HTTP and cached. It is safe for
// concurrent use; requests never wait on a refresh while keys are cached.
type Remote struct {
	issuer          string
	client          *http.Client
	now             func() time.Time
	ttl             time.Duration
	ttlFromConfig   bool
	cooldown        time.Duration
	timeout         time.Duration
	maxBytes        int64
	logger          *slog.Logger // nil: see warnings
	explicitJWKSURL string
	// jitter returns a uniformly random duration in [0, window]; it places
	// each refresh in its window (see refreshAfter). Tests replace it to pick
	// the point.
	jitter func(window time.Duration) time.Duration

	// cache is read without locking on every request.
	cache atomic.Pointer[remoteCache]

	mu            sync.Mutex
	inflight      *fetchCall
	lastMissFetch time.Time
	lastFailure   time.Time
	lastErr       error
	jwksURL       string // discovered or explicit; "" until discovery succeeds

	fetches     atomic.Uint64
	failures    atomic.Uint64
	lastSuccess atomic.Int64 // unix nanoseconds
}

// remoteCache is one successful fetch.
type remoteCache struct {
	set       *keySet
	fetchedAt time.Time
	refreshAt time.Time
	expiresAt time.Time
}

// find looks up a key in the cache; an empty cache has no keys.
func (c *remoteCache) find(kid, alg string) (*Key, error) {
	if c == nil {
		return nil, ErrKeyNotFound
	}
	return c.set.find(kid, alg)
}

// fetchCall is one fetch shared by everyone who asked for it meanwhile.
type fetchCall struct {
	done chan struct{}
	err  error
}

// NewRemote validates cfg and returns a key set that fetches on first use.
// Call Prefetch to fetch at startup.
func NewRemote(cfg RemoteConfig) (*Remote, error) {
	if cfg.Issuer == "" && cfg.URL == "" {
		return nil, errors.New("jwks: a remote key set needs Issuer (for discovery) or URL (the JWKS endpoint)")
	}
	// The Issuer is checked as a URL only when discovery fetches from it.
	// With URL set it is only a name, and some issuers' names are not URLs:
	// Google signs ID tokens with "iss" "accounts.google.com".
	field, value := "URL", cfg.URL
	if value == "" {
		field, value = "Issuer", cfg.Issuer
	}
	if fixed, ok := withScheme(value); ok {
		if field == "Issuer" {
			fixed = withAuth0Slash(fixed)
		}
		return nil, fmt.Errorf("jwks: %s %q has no scheme; did you mean %q?", field, value, fixed)
	}
	// The key set's URL, or the issuer discovery starts from, which
	// decides where keys come from and so needs the same protection.
	if _, err := checkKeyURL(field, value); err != nil {
		return nil, err
	}
	for name, d := range map[string]time.Duration{
		"CacheTTL": cfg.CacheTTL, "RefreshCooldown": cfg.RefreshCooldown, "FetchTimeout": cfg.FetchTimeout,
	} {
		if d < 0 {
			return nil, fmt.Errorf("jwks: %s must not be negative (zero takes the default)", name)
		}
	}
	if cfg.MaxResponseBytes < 0 {
		return nil, errors.New("jwks: MaxResponseBytes must not be negative (zero takes the default)")
	}
	r := &Remote{
		issuer:          cfg.Issuer,
		now:             cfg.Now,
		ttl:             cfg.CacheTTL,
		ttlFromConfig:   cfg.CacheTTL > 0,
		cooldown:        cfg.RefreshCooldown,
		timeout:         cfg.FetchTimeout,
		maxBytes:        cfg.MaxResponseBytes,
		logger:          cfg.Logger,
		explicitJWKSURL: cfg.URL,
		jwksURL:         cfg.URL,
		jitter:          func(window time.Duration) time.Duration { return rand.N(window + 1) },
	}
	client := cfg.HTTPClient
	if client == nil {
		client = &http.Client{}
	}
	r.client = guardedClient(client)
	if r.now == nil {
		r.now = time.Now
	}
	if r.ttl == 0 {
		r.ttl = DefaultCacheTTL
	}
	if r.cooldown == 0 {
		r.cooldown = DefaultRefreshCooldown
	}
	if r.timeout == 0 {
		r.timeout = DefaultFetchTimeout
	}
	if r.maxBytes == 0 {
		r.maxBytes = DefaultMaxResponseBytes
	}
	return r, nil
}

// Key implements Source. A known kid is answered from the cache without
// any I/O. An unknown kid waits for at most one shared fetch per
// RefreshCooldown; other unknown kids in that window fail at once.
func (r *Remote) Key(ctx context.Context, kid, alg string) (*Key, error) {
	now := r.now()
	cache := r.cache.Load()
	if cache != nil {
		if !now.Before(cache.refreshAt) {
			r.startFetch(now, false, cache) // in the background: the cached keys still serve
		}
		k, err := cache.find(kid, alg)
		if !errors.Is(err, ErrKeyNotFound) {
			return k, err
		}
	}
	call := r.startFetch(now, cache != nil, cache)
	if call == nil {
		return nil, r.refusedError(now, cache != nil)
	}
	select {
	case <-call.done:
	case <-ctx.Done():
		return nil, &UnavailableError{Cause: ctx.Err()}
	}
	k, err := r.cache.Load().find(kid, alg)
	if errors.Is(err, ErrKeyNotFound) && call.err != nil {
		return nil, &UnavailableError{RetryAfter: r.cooldown, Cause: call.err}
	}
	return k, err
}

// Has implements Membership: whether k is among the keys fetched last. Like
// Key, it starts a background refresh when the keys are due for one, so that
// a cache of verified tokens in front of the set still notices rotations.
func (r *Remote) Has(k *Key) bool {
	cache := r.cache.Load()
	if cache == nil {
		return false
	}
	if now := r.now(); !now.Before(cache.refreshAt) {
		r.startFetch(now, false, cache)
	}
	return cache.set.contains(k)
}

// Prefetch fetches the keys now unless fresh ones are cached, and reports
// whether usable keys are available: a readiness probe can call it. During
// the cooldown after a failure it returns that failure without fetching.
func (r *Remote) Prefetch(ctx context.Context) error {
	now := r.now()
	if cache := r.cache.Load(); cache != nil && now.Before(cache.refreshAt) {
		return nil
	}
	call := r.startFetch(now, false, r.cache.Load())
	if call == nil {
		if r.cache.Load() != nil {
			return nil
		}
		return r.refusedError(now, false)
	}
	select {
	case <-call.done:
		if call.err != nil && r.cache.Load() == nil {
			return &UnavailableError{RetryAfter: r.cooldown, Cause: call.err}
		}
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}

// finishedCall is returned to a caller whose view of the cache is already
// out of date: a fetch completed since it looked, so it should look again
// rather than start another fetch or be refused by the cooldown.
var finishedCall = func() *fetchCall {
	c := &fetchCall{done: make(chan struct{})}
	close(c.done)
	return c
}()

// startFetch returns the fetch in flight, starts one if the rules allow, or
// returns nil. miss marks a fetch caused by an unknown kid, which is limited
// to one per cooldown; any fetch waits out the cooldown after a failure.
// seen is the cache the caller looked in.
func (r *Remote) startFetch(now time.Time, miss bool, seen *remoteCache) *fetchCall {
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.inflight != nil {
		return r.inflight
	}
	if r.cache.Load() != seen {
		return finishedCall
	}
	if !r.lastFailure.IsZero() && now.Sub(r.lastFailure) < r.cooldown {
		return nil
	}
	if miss {
		if !r.lastMissFetch.IsZero() && now.Sub(r.lastMissFetch) < r.cooldown {
			return nil
		}
		r.lastMissFetch = now
	}
	call := &fetchCall{done: make(chan struct{})}
	r.inflight = call
	// The fetch runs on its own goroutine and context so that the request
	// that started it being cancelled does not fail everyone sharing it.
	go r.runFetch(call)
	return call
}

// refusedError explains why a lookup got no fetch.
func (r *Remote) refusedError(now time.Time, haveKeys bool) error {
	r.mu.Lock()
	defer r.mu.Unlock()
	failing := !r.lastFailure.IsZero() && now.Sub(r.lastFailure) < r.cooldown
	if haveKeys && !failing {
		return ErrKeyNotFound
	}
	retry := r.cooldown - now.Sub(r.lastFailure)
	if retry <= 0 || retry > r.cooldown {
		retry = r.cooldown
	}
	return &UnavailableError{RetryAfter: retry, Cause: r.lastErr}
}

// runFetch performs one fetch and publishes its outcome.
func (r *Remote) runFetch(call *fetchCall) {
	ctx, cancel := context.WithTimeout(context.Background(), r.timeout)
	defer cancel()
	start := r.now()
	r.fetches.Add(1)
	url, keys, ttl, err := r.fetch(ctx)
	end := r.now()

	r.mu.Lock()
	if err != nil {
		r.lastFailure = end
		r.lastErr = err
		if r.explicitJWKSURL == "" {
			// Discover again next time: the metadata may have moved the keys.
			r.jwksURL = ""
		}
	} else {
		r.lastFailure = time.Time{}
		r.lastErr = nil
		keys.keepIdentities(r.cache.Load())
		r.cache.Store(&remoteCache{
			set:       keys,
			fetchedAt: end,
			refreshAt: end.Add(r.refreshAfter(ttl)),
			expiresAt: end.Add(ttl),
		})
	}
	r.inflight = nil
	r.mu.Unlock()

	if err != nil {
		r.failures.Add(1)
		r.warnings().Warn("jwks fetch failed", "issuer", r.issuer, "url", url, "error", err.Error(),
			"duration", end.Sub(start), "keeping_keys", r.cache.Load() != nil)
	} else {
		r.lastSuccess.Store(end.UnixNano())
		if r.logger != nil {
			r.logger.Info("jwks fetched", "issuer", r.issuer, "url", url, "keys", len(keys.keys),
				"ttl", ttl, "duration", end.Sub(start))
		}
	}
	call.err = err
	close(call.done)
}

// refreshAfter picks how long after a fetch its keys, fresh for ttl, are
// refreshed: a uniformly random point between 7/10 and 8/10 of ttl, centred
// on three quarters. A fixed point would keep replicas that were started
// together (a deploy, a scale-out) refreshing together for ever, each time
// hitting the issuer in the same instant; a new draw at every fetch spreads
// them and keeps them spread. The window is a tenth of the TTL, a minute with
// the default: far wider than a fetch takes, yet narrow enough that the
// refresh is due by 4/5 of the TTL, which leaves a fifth of it for retries
// before the keys would have expired.
func (r *Remote) refreshAfter(ttl time.Duration) time.Duration {
	// Subtracting fractions instead of multiplying keeps any TTL from
	// overflowing, and makes the middle of the window exactly ttl - ttl/4.
	return ttl - ttl/4 - ttl/20 + r.jitter(ttl/10)
}

// warnings returns where warnings go: the configured Logger, else
// slog.Default as it is now, so that an application that sets its default
// logger after building the key set still sees them.
func (r *Remote) warnings() *slog.Logger {
	if r.logger != nil {
		return r.logger
	}
	return slog.Default()
}

// fetch discovers the JWKS URL when needed, then downloads and parses the
// key set. It returns the URL it used for logging.
func (r *Remote) fetch(ctx context.Context) (string, *keySet, time.Duration, error) {
	r.mu.Lock()
	url := r.jwksURL
	r.mu.Unlock()
	if url == "" {
		discovered, err := r.discover(ctx)
		if err != nil {
			return "", nil, 0, err
		}
		url = discovered
		r.mu.Lock()
		r.jwksURL = url
		r.mu.Unlock()
	}
	res, err := get(ctx, r.client, url, r.maxBytes)
	if err != nil {
		return url, nil, 0, err
	}
	keys, skipped, err := parseRemoteSet(res.body)
	for _, reason := range skipped {
		r.warnings().Warn("jwks key skipped", "issuer", r.issuer, "url", url, "reason", reason.Error())
	}
	if err != nil {
		return url, nil, 0, err
	}
	return url, keys, r.cacheTTL(res.header), nil
}

// cacheTTL decides how long a fetched set stays fresh.
func (r *Remote) cacheTTL(header http.Header) time.Duration {
	if r.ttlFromConfig {
		return r.ttl
	}
	age, ok := maxAge(header)
	if !ok {
		return r.ttl
	}
	return min(max(age, MinServerCacheTTL), MaxServerCacheTTL)
}

// parseRemoteSet parses a JWKS from a server. A bad or weak key is skipped
// and reported, so that one broken entry does not take the issuer's other
// keys down with it; a set with no usable key at all is an error, so that
// the last good keys stay in use.
func parseRemoteSet(body []byte) (*keySet, []error, error) {
	var doc struct {
		Keys []json.RawMessage `json:"keys"`
	}
	if err := json.Unmarshal(body, &doc); err != nil {
		return nil, nil, fmt.Errorf("jwks: the response is not a JWK Set: %w", err)
	}
	var keys []*Key
	var skipped []error
	for i, raw := range doc.Keys {
		k, err := parseJWK(raw, false)
		if err != nil {
			skipped = append(skipped, fmt.Errorf("key %d: %w", i, inner(err)))
			continue
		}
		keys = append(keys, k)
	}
	if len(keys) == 0 {
		return nil, skipped, fmt.Errorf("%w (%d keys listed)", ErrNoUsableKeys, len(doc.Keys))
	}
	set, dropped := newKeySet(keys)
	return set, append(skipped, dropped...), nil
}
