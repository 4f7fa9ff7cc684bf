package bearer

import (
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"time"

	jwtmiddleware "github.com/auth0/go-jwt-middleware/v2"

	"github.com/scopegate/scopegate/clerkapi"
	"github.com/scopegate/scopegate/introspect"
	"github.com/scopegate/scopegate/jwks"
	"github.com/scopegate/scopegate/token"
)

// DefaultRealm is the realm of every challenge unless Config.Realm says
// otherwise; express-oauth2-jwt-bearer uses the same.
const DefaultRealm = "api"

// Config configures an Authenticator. Every field has a documented default;
// only the issuer and audience, or a ValidateToken, are required.
type Config struct {
	// Issuer is the exact "iss" of accepted tokens, e.g.
	// "https://tenant.auth0.com/" (Auth0 keeps the trailing slash) or
	// "https://clerk.example.com" (Clerk does not). Its keys are found by
	// OpenID Connect discovery unless JWKSURL or Keys is set.
	Issuer string
	// Audience lists the identifiers of this API; a token's "aud" must
	// contain one of them.
	Audience []string
	// JWKSURL skips discovery and fetches keys from this URL.
	JWKSURL string
	// SkipAudienceCheck accepts tokens without a matching "aud", for issuers
	// whose tokens carry none (Clerk session tokens); only with no Audience.
	// Set AuthorizedParties then.
	SkipAudienceCheck bool
	// Keys replaces the remote key set with keys of your own, e.g.
	// jwks.NewStatic over jwks.ParsePEM for networkless verification, or an
	// HMAC secret.
	Keys jwks.Source
	// Issuers trusts more issuers, each with its own audiences and keys,
	// besides or instead of Issuer. A token's "iss" picks its issuer before
	// any key is fetched.
	Issuers []IssuerConfig
	// Algorithms restricts the accepted "alg" values; default: every
	// algorithm the key allows ("none" never; HMAC only with an HMAC key).
	Algorithms []string

	// ClockSkew tolerates clock differences on exp, nbf and iat; default 5 s.
	// token.NoClockSkew compares exactly.
	ClockSkew time.Duration
	// MaxTokenAge refuses tokens issued longer ago; default: no limit.
	MaxTokenAge time.Duration
	// RequireAccessTokenType applies RFC 9068 strictly (typ "at+jwt"; iat,
	// sub, client_id and jti required); default false, since Auth0 and
	// Clerk issue "typ":"JWT".
	RequireAccessTokenType bool
	// AuthorizedParties, when set, requires "azp" to be one of them; with
	// ClerkTokens, of session tokens only, as Clerk checks it.
	AuthorizedParties []string
	// RequireSubject refuses tokens without a non-empty "sub"; default
	// false. The Clerk preset sets it, as Clerk's SDKs do.
	RequireSubject bool
	// TokenTypes narrows the accepted "typ" header values; default "JWT"
	// and "at+jwt" (and no typ). The Clerk preset sets ["JWT"]. See
	// token.Config.Types.
	TokenTypes []string
	// IgnorePermissionsClaim leaves the top-level "permissions" claim
	// (Auth0 RBAC) out of the grants, so that Permission requirements
	// consult only the active Clerk organization's permissions, exactly as
	// Clerk's has({ permission }) does. Default false: one Permission check
	// serves Auth0 and Clerk tokens alike. The Clerk preset sets it.
	IgnorePermissionsClaim bool
	// AcceptsToken lists the token types a route accepts when its
	// middleware does not say (see AcceptsToken, the route option): a valid
	// token of another type is signed out, never taken for a user. Default:
	// SessionToken with ClerkTokens (Clerk's default acceptsToken), every
	// type otherwise (user and client-credentials tokens alike, as
	// express-oauth2-jwt-bearer accepts them).
	AcceptsToken []TokenType
	// ClerkTokens types tokens as Clerk's authenticateRequest does: a
	// machine subject ("mch_...") or the M2M "cat" makes an M2MToken,
	// "typ" at+jwt an OAuthToken, the session "cat" (or none) a
	// SessionToken, and any other "cat" (a JWT template's) no type a
	// request may present. Without it, a client-credentials token is an
	// M2MToken and any other an OAuthToken. The Clerk preset sets it. It
	// needs the built-in verifier, which sees the token's header.
	ClerkTokens bool
	// MachineID is this API's own Clerk machine ID (mch_...): a Clerk M2M
	// token must list it in its scopes, the machines allowed to receive
	// it, or it is signed out, as Clerk's Backend API checks for opaque
	// machine tokens. It needs ClerkTokens.
	MachineID string
	// MaxTokenBytes caps the raw token; default token.DefaultMaxTokenBytes.
	// The cap applies to a plugged ValidateToken too.
	MaxTokenBytes int

	// RemoteKeys tunes how the issuers' key sets (JWKS) are fetched and
	// cached; it applies to every key set this configuration fetches.
	RemoteKeys RemoteKeysConfig
	// TokenCache bounds the cache of verified tokens.
	TokenCache TokenCacheConfig
	// Now is the clock of verification and key caching; default time.Now.
	Now func() time.Time
	// Logger receives key set fetch events, failures included, and a
	// warning per token issuer that differs from a configured one only by
	// a trailing slash. Default: warnings and errors go to slog.Default(),
	// so that an unreachable or mistyped issuer shows up before requests
	// fail; fetch successes are not logged.
	Logger *slog.Logger

	// ValidateToken replaces the built-in verifier, e.g. with
	// go-jwt-middleware's validator. Issuer, Audience and the key settings
	// are then unused; MaxTokenBytes still caps what it is handed. Scopes
	// and permissions are read from whatever it returns, marshalled to JSON
	// (go-jwt-middleware's ValidatedClaims included: its custom claims carry
	// the scope).
	ValidateToken jwtmiddleware.ValidateToken
	// Introspection, when set, accepts opaque access tokens (any token that
	// is not a compact JWS) by asking the issuer's RFC 7662 introspection
	// endpoint, on routes that accept OAuthToken or M2MToken only: a route
	// that accepts neither never makes the call. A JWS is never sent
	// there. The answer is held to this Config's rules as a JWT is: Issuer
	// and Audience (unless Introspection sets its own), AuthorizedParties
	// ("azp", else "client_id"), RequireSubject, MaxTokenAge, ClockSkew.
	// An inactive token is 401, an endpoint that fails 503 with
	// Retry-After. Answers are remembered and calls bounded; see package
	// introspect. Default: opaque tokens are malformed.
	Introspection *introspect.Config
	// ClerkAPI, with ClerkTokens, accepts Clerk's opaque machine tokens
	// ("mt_" M2M tokens, "oat_" OAuth tokens, "ak_" API keys) by asking
	// Clerk's Backend API with the instance's secret key, on routes that
	// accept their type only: the prefix tells the type, so a route that
	// refuses it never makes the call. Set by the Clerk preset when
	// ClerkOptions.SecretKey is given. See package clerkapi.
	ClerkAPI *clerkapi.Config
	// Skipper skips authentication for requests it returns true for;
	// default none. CORS preflight requests are never refused, and never
	// reach a protected handler: CheckJWT answers them 204 itself, WithAuth
	// passes them on signed out and RequireAuth or any rule after it
	// answers 204. Put a CORS middleware before either to answer them with
	// CORS headers.
	Skipper Skipper
	// ClerkReverificationBody answers a token that fails a
	// clerk.Reverification requirement (403) with the body of @clerk/shared's
	// reverificationError, {"clerk_error":{"type":"forbidden","reason":
	// "reverification-error","metadata":{"reverification":<what was asked>}}},
	// which Clerk's frontends recognise to open their reverification flow
	// and retry. Default false; the Clerk preset sets it.
	ClerkReverificationBody bool
	// Resource, when set, is this API's identifier as an OAuth protected
	// resource (RFC 9728), an absolute https URL such as
	// "https://api.example.com" (http only on loopback): every 401 and 403
	// challenge then carries resource_metadata="<its metadata URL>", and
	// Authenticator.ResourceMetadata serves the document that URL names,
	// which OAuth clients (MCP clients among them) read to find the
	// authorization server. Default: no metadata.
	Resource string
	// DPoP configures tokens bound to a key their client holds (RFC 9449):
	// by default, allowed beside Bearer tokens, proofs checked in full,
	// each accepted once. See DPoPConfig.
	DPoP DPoPConfig
	// ResourceScopes lists scopes a client may ask for to call this API,
	// for the scopes_supported of the metadata; it needs Resource. The
	// metadata adds the scopes every rule of the process names
	// (RequireScopes, RequireAnyScope, Has), unless ResourceScopesOnly.
	ResourceScopes []string
	// ResourceScopesOnly makes scopes_supported list ResourceScopes alone:
	// for a process serving several APIs, whose rules name each other's
	// scopes.
	ResourceScopesOnly bool
	// ErrorHandler writes the body of failures on the faces that write
	// answers themselves (httpauth); default the JSON body of Body. The
	// Echo faces refuse it at New: Echo's HTTPErrorHandler receives every
	// failure there.
	ErrorHandler ErrorHandler
	// Realm names the protection space in challenges; default "api".
	Realm string
	// Cookie, when set, reads the token from this cookie (Clerk: "__session")
	// when the Authorization header carries none.
	Cookie string
	// AcceptPendingSessions signs in Clerk sessions whose "sts" is
	// "pending" (Clerk's treatPendingAsSignedOut: false). By default they are
	// signed out, and CheckJWT answers 401.
	AcceptPendingSessions bool
	// SignInURL, when set, makes RequireAuth redirect signed-out browser
	// page navigations there (with the page in a redirect_url parameter)
	// instead of answering 401. API calls always get 401.
	SignInURL string
	// QueryParameter, when set, also accepts the token in this query
	// parameter (for clients that cannot set headers, such as EventSource).
	// A request carrying it by two methods is refused with 400.
	QueryParameter string
}

// RemoteKeysConfig tunes the remote key sets (JWKS) an Authenticator
// fetches: discovery, the key sets themselves and their cache. Zero values
// take the defaults; see jwks.RemoteConfig.
type RemoteKeysConfig struct {
	// HTTPClient fetches discovery documents and key sets; default a plain
	// client (each fetch is bounded by FetchTimeout).
	HTTPClient *http.Client
	// CacheTTL is how long fetched keys are fresh; default 10 min, or what
	// the server's Cache-Control says within [1 min, 24 h]. A value set here
	// is honoured as given.
	CacheTTL time.Duration
	// RefreshCooldown is the least time between two fetches for unknown
	// kids; default 30 s.
	RefreshCooldown time.Duration
	// FetchTimeout bounds each fetch; default 5 s.
	FetchTimeout time.Duration
	// MaxResponseBytes caps each response body; default
	// jwks.DefaultMaxResponseBytes (512 KiB).
	MaxResponseBytes int64
}

// TokenCacheConfig bounds the cache of verified tokens: a token presented
// again costs the checks that depend on time and a check that its key is
// still published, not a new signature verification. See
// token.Config.CacheEntries for what a hit re-checks.
type TokenCacheConfig struct {
	// MaxEntries bounds how many verified tokens are remembered; default
	// token.DefaultCacheEntries (10,000).
	MaxEntries int
	// MaxBytes bounds the memory they hold, what a request derives from
	// them included; default token.DefaultCacheBytes (32 MiB).
	MaxBytes int
	// Off verifies every token in full every time.
	Off bool
}

// Skipper returns true for requests the authentication middlewares should
// let through untouched, without an auth object. It sees the request, so
// that one function serves every face.
type Skipper func(r *http.Request) bool

// IssuerConfig is one trusted issuer of Config.Issuers.
type IssuerConfig struct {
	// Issuer is the exact "iss".
	Issuer string
	// Audience lists the audiences accepted from this issuer.
	Audience []string
	// JWKSURL skips discovery for this issuer.
	JWKSURL string
	// SkipAudienceCheck: see Config.SkipAudienceCheck.
	SkipAudienceCheck bool
	// Keys replaces the remote key set of this issuer.
	Keys jwks.Source
}

// issuers lists every configured issuer, Config.Issuer first.
func (cfg *Config) issuers() []IssuerConfig {
	var all []IssuerConfig
	if cfg.Issuer != "" || len(cfg.Audience) > 0 || cfg.JWKSURL != "" || cfg.Keys != nil || cfg.SkipAudienceCheck {
		all = append(all, IssuerConfig{Issuer: cfg.Issuer, Audience: cfg.Audience, JWKSURL: cfg.JWKSURL,
			SkipAudienceCheck: cfg.SkipAudienceCheck, Keys: cfg.Keys})
	}
	return append(all, cfg.Issuers...)
}

// buildVerifier turns the configuration into the built-in verifier and the
// remote key sets it owns.
func (cfg *Config) buildVerifier() (*token.Verifier, []*jwks.Remote, error) {
	if err := cfg.RemoteKeys.check(); err != nil {
		return nil, nil, err
	}
	if err := cfg.TokenCache.check(); err != nil {
		return nil, nil, err
	}
	all := cfg.issuers()
	if len(all) == 0 {
		return nil, nil, errors.New("bearer: set Issuer and Audience (your API identifier), or ValidateToken")
	}
	var remotes []*jwks.Remote
	issuers := make([]token.Issuer, 0, len(all))
	for _, ic := range all {
		if ic.Issuer == "" {
			return nil, nil, errors.New(`bearer: Issuer is required: the exact "iss" of your tokens, e.g. "https://tenant.auth0.com/"`)
		}
		if len(ic.Audience) == 0 && !ic.SkipAudienceCheck {
			return nil, nil, fmt.Errorf("bearer: issuer %q needs an Audience: your API identifier, e.g. \"https://api.example.com\" (Clerk session tokens have none: use the Clerk preset)", ic.Issuer)
		}
		keys := ic.Keys
		if remote, ok := keys.(*jwks.Remote); ok {
			// A key set built by the application (for settings Config does
			// not carry, such as its body cap) is prefetched and reported
			// like the ones built here.
			remotes = append(remotes, remote)
		}
		if keys == nil {
			remote, err := jwks.NewRemote(jwks.RemoteConfig{
				Issuer:           ic.Issuer,
				URL:              ic.JWKSURL,
				HTTPClient:       cfg.RemoteKeys.HTTPClient,
				Now:              cfg.Now,
				CacheTTL:         cfg.RemoteKeys.CacheTTL,
				RefreshCooldown:  cfg.RemoteKeys.RefreshCooldown,
				FetchTimeout:     cfg.RemoteKeys.FetchTimeout,
				MaxResponseBytes: cfg.RemoteKeys.MaxResponseBytes,
				Logger:           cfg.Logger,
			})
			if err != nil {
				return nil, nil, fmt.Errorf("bearer: %w", err)
			}
			remotes = append(remotes, remote)
			keys = remote
		}
		issuers = append(issuers, token.Issuer{
			Issuer:            ic.Issuer,
			Audiences:         ic.Audience,
			SkipAudienceCheck: ic.SkipAudienceCheck,
			Keys:              keys,
			Algorithms:        cfg.Algorithms,
		})
	}
	v, err := token.New(token.Config{
		Issuers:                issuers,
		ClockSkew:              cfg.ClockSkew,
		MaxTokenAge:            cfg.MaxTokenAge,
		RequireAccessTokenType: cfg.RequireAccessTokenType,
		AuthorizedParties:      cfg.verifierParties(),
		RequireSubject:         cfg.RequireSubject,
		Types:                  cfg.TokenTypes,
		MaxTokenBytes:          cfg.MaxTokenBytes,
		Now:                    cfg.Now,
		Logger:                 cfg.Logger,
		CacheEntries:           cfg.TokenCache.entries(),
		CacheBytes:             cfg.TokenCache.MaxBytes,
	})
	if err != nil {
		return nil, nil, fmt.Errorf("bearer: %w", err)
	}
	return v, remotes, nil
}

// check reports negative settings, in the words of Config.
func (c RemoteKeysConfig) check() error {
	for name, d := range map[string]time.Duration{"CacheTTL": c.CacheTTL, "RefreshCooldown": c.RefreshCooldown, "FetchTimeout": c.FetchTimeout} {
		if d < 0 {
			return fmt.Errorf("bearer: RemoteKeys.%s must not be negative (zero takes the default)", name)
		}
	}
	if c.MaxResponseBytes < 0 {
		return errors.New("bearer: RemoteKeys.MaxResponseBytes must not be negative (zero takes the default)")
	}
	return nil
}

// check reports negative bounds, in the words of Config.
func (c TokenCacheConfig) check() error {
	if c.MaxEntries < 0 || c.MaxBytes < 0 {
		return errors.New("bearer: TokenCache.MaxEntries and MaxBytes must not be negative (zero takes the default; set TokenCache.Off to turn the cache off)")
	}
	return nil
}

// entries is the token package's CacheEntries: negative when the cache is
// off.
func (c TokenCacheConfig) entries() int {
	if c.Off {
		return -1
	}
	return c.MaxEntries
}

// verifierParties is what the verifier checks "azp" against. With
// ClerkTokens the check waits until the token's type is known: Clerk checks
// the authorized party of session tokens only, and its machine and OAuth
// tokens carry none.
func (cfg *Config) verifierParties() []string {
	if cfg.ClerkTokens {
		return nil
	}
	return cfg.AuthorizedParties
}
