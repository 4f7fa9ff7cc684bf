package authtest

import "time"

// DefaultAudience is the audience of an issuer started without [WithAudience].
// It is the identifier Auth0's quick starts use, so that examples read the same.
const DefaultAudience = "https://api.example.com"

// DefaultCacheControl is what the key set is served with unless
// [WithCacheControl] says otherwise: ten minutes, a common provider setting,
// so that clients honouring the header behave here as they do in production.
const DefaultCacheControl = "max-age=600"

// DefaultRSABits is the size of the issuer's RSA keys unless [WithRSABits]
// says otherwise; 2048 is the smallest size a strict verifier accepts.
const DefaultRSABits = 2048

// An Option changes how [NewIssuer] and [Start] set up an issuer.
type Option func(*config)

type config struct {
	audience      string
	trailingSlash bool
	now           func() time.Time
	rsaBits       int
	cacheControl  string
	tls           bool
	addr          string
}

func newConfig(opts []Option) config {
	c := config{
		audience:     DefaultAudience,
		now:          time.Now,
		rsaBits:      DefaultRSABits,
		cacheControl: DefaultCacheControl,
		addr:         "127.0.0.1:0",
	}
	for _, o := range opts {
		if o != nil {
			o(&c)
		}
	}
	return c
}

// WithAudience sets the audience that default tokens carry and that
// [Issuer.Audience] reports. An empty audience leaves "aud" out of default
// tokens, for tests of tokens that have none.
func WithAudience(aud string) Option {
	return func(c *config) { c.audience = aud }
}

// WithTrailingSlash makes the issuer identifier end with "/", as Auth0's do, so
// that tests catch code that compares issuers loosely or builds
// "//.well-known" URLs. Paths served do not change.
func WithTrailingSlash() Option {
	return func(c *config) { c.trailingSlash = true }
}

// WithClock sets the clock behind the default "iat" and "exp" claims and
// [TokenBuilder.ExpiresIn], so that tests with a fake clock mint tokens that are
// current — or expired — in that clock's time. Nil restores [time.Now].
func WithClock(now func() time.Time) Option {
	return func(c *config) {
		if now == nil {
			now = time.Now
		}
		c.now = now
	}
}

// WithRSABits sets the size of the RSA keys the issuer generates, initially and
// on [Issuer.Rotate]. Tests that weak keys are refused use 1024.
func WithRSABits(bits int) Option {
	return func(c *config) { c.rsaBits = bits }
}

// WithCacheControl sets the Cache-Control header of the key set response; an
// empty value sends none. Tests of key caching use it to ask for short,
// long or no caching.
func WithCacheControl(value string) Option {
	return func(c *config) { c.cacheControl = value }
}

// WithTLS serves HTTPS with a self-signed certificate for 127.0.0.1, for code
// that refuses plain-HTTP issuers. Use [Issuer.Client], which trusts the
// certificate, or its transport, to reach the issuer.
func WithTLS() Option {
	return func(c *config) { c.tls = true }
}

// WithAddr sets the address the issuer listens on, "127.0.0.1:0" (a free
// loopback port) by default. A fixed port keeps the issuer URL stable across
// restarts of a development server; an address beyond loopback exposes the
// issuer's keys to the network, which is rarely what anyone wants.
func WithAddr(addr string) Option {
	return func(c *config) { c.addr = addr }
}
