package token

import (
	"errors"
	"fmt"
	"log/slog"
	"slices"
	"strings"
	"time"

	"github.com/scopegate/scopegate/jwks"
)

// Defaults of Config.
const (
	// DefaultClockSkew tolerates clocks this far apart on exp, nbf and iat,
	// as express-oauth2-jwt-bearer and Clerk do.
	DefaultClockSkew = 5 * time.Second
	// DefaultMaxTokenBytes caps the raw token before any decoding. Access
	// tokens with hundreds of permissions stay well below it; anything larger
	// is refused before costing base64 or JSON work.
	DefaultMaxTokenBytes = 16 << 10
)

// Issuer is one trusted issuer.
type Issuer struct {
	// Issuer is the exact "iss" value, e.g. "https://tenant.auth0.com/"
	// (Auth0 includes the trailing slash; Clerk does not). Required.
	Issuer string
	// Audiences are the values this API answers to; a token's "aud" must
	// contain at least one. Required: a token minted for another API of the
	// same issuer must not be accepted here.
	Audiences []string
	// SkipAudienceCheck accepts tokens whatever their "aud", for issuers
	// whose tokens carry none, such as Clerk session tokens; it is allowed
	// only with no Audiences. Pair it with Config.AuthorizedParties so that a
	// token minted for another application is still refused.
	SkipAudienceCheck bool
	// Keys supplies the signing keys. Required.
	Keys jwks.Source
	// Algorithms allowed for this issuer; default: every algorithm the keys
	// allow. HMAC algorithms are never usable with a remote key set, since it
	// yields no symmetric keys.
	Algorithms []string
}

// Config configures a Verifier. Zero values take the documented defaults.
type Config struct {
	// Issuers are the trusted issuers; at least one. A token's "iss" selects
	// its issuer before any key is looked up, so a token from an unknown
	// issuer costs no network.
	Issuers []Issuer
	// ClockSkew is the tolerance on exp, nbf and iat; default
	// DefaultClockSkew. Set NoClockSkew to compare exactly.
	ClockSkew time.Duration
	// MaxTokenAge, when set, refuses tokens whose "iat" is older; a token
	// without "iat" is then refused too. Default: no limit.
	MaxTokenAge time.Duration
	// RequireAccessTokenType applies RFC 9068 strictly: "typ" must be
	// "at+jwt" or "application/at+jwt", and "iat", "sub", "client_id" and
	// "jti" are required.
	RequireAccessTokenType bool
	// AuthorizedParties, when set, requires "azp" to be present and one of
	// them (Clerk's authorizedParties: the origins of your frontends).
	AuthorizedParties []string
	// RequireSubject refuses tokens without a non-empty "sub", as Clerk's
	// SDKs do for session tokens. Default: "sub" is optional (but must be a
	// string when present).
	RequireSubject bool
	// Types, when set, narrows the accepted "typ" header values to these
	// (compared as RFC 7515 §4.1.9 says: case-insensitively, "application/"
	// optional); a token without "typ" is still accepted unless
	// RequireAccessTokenType is set. Default: "JWT" and "at+jwt". The
	// Clerk preset sets ["JWT"], as Clerk's SDKs accept nothing else.
	Types []string
	// MaxTokenBytes caps the raw token; default DefaultMaxTokenBytes.
	MaxTokenBytes int
	// Now is the clock; default time.Now.
	Now func() time.Time
	// Logger receives one warning per distinct "iss" that differs from a
	// trusted issuer only by a trailing slash (Auth0's issuer has one,
	// Clerk's has none), since the client is only told that the issuer is
	// not trusted; default slog.Default().
	Logger *slog.Logger
	// CacheEntries and CacheBytes bound the cache of verified tokens;
	// defaults DefaultCacheEntries and DefaultCacheBytes. A negative
	// CacheEntries turns the cache off. Only tokens that passed every check
	// enter it; a hit re-checks exp, nbf, iat and the maximum age with the
	// skew, and that the signing key is still in its key set, so a revoked
	// key ends its tokens' life at the next key refresh. The trade-off: a
	// cached token is not re-verified cryptographically, and up to
	// CacheBytes of memory hold tokens.
	CacheEntries, CacheBytes int
}

// NoClockSkew asks for exact time comparisons (a zero ClockSkew takes the
// default).
const NoClockSkew time.Duration = -1

// issuerEntry is an Issuer prepared for lookups.
type issuerEntry struct {
	Issuer
	algorithms map[string]bool // nil: whatever the key allows
}

// validate checks cfg and prepares the issuers. Errors say how to fix the
// configuration.
func (cfg *Config) validate() (map[string]*issuerEntry, error) {
	if len(cfg.Issuers) == 0 {
		return nil, errors.New("token: configure at least one issuer")
	}
	issuers := make(map[string]*issuerEntry, len(cfg.Issuers))
	for i, iss := range cfg.Issuers {
		if iss.Issuer == "" {
			return nil, fmt.Errorf("token: issuer %d has no Issuer identifier; set it to the exact iss of your tokens", i)
		}
		if strings.TrimSpace(iss.Issuer) != iss.Issuer {
			return nil, fmt.Errorf("token: issuer %q has surrounding spaces", iss.Issuer)
		}
		if _, dup := issuers[iss.Issuer]; dup {
			return nil, fmt.Errorf("token: issuer %q is configured twice; list each issuer once, with all of its audiences", iss.Issuer)
		}
		if slices.Contains(iss.Audiences, "") {
			return nil, fmt.Errorf("token: issuer %q needs at least one non-empty audience (your API identifier); remove the empty one", iss.Issuer)
		}
		if len(iss.Audiences) == 0 && !iss.SkipAudienceCheck {
			return nil, fmt.Errorf("token: issuer %q needs at least one non-empty audience (your API identifier), or SkipAudienceCheck for tokens without aud", iss.Issuer)
		}
		if len(iss.Audiences) > 0 && iss.SkipAudienceCheck {
			return nil, fmt.Errorf("token: issuer %q sets both Audiences and SkipAudienceCheck; keep one", iss.Issuer)
		}
		if iss.Keys == nil {
			return nil, fmt.Errorf("token: issuer %q has no key source; use jwks.NewRemote for its JWKS, or jwks.NewStatic for keys of your own", iss.Issuer)
		}
		entry := &issuerEntry{Issuer: iss}
		// Copies, so that the caller changing its slices later cannot
		// bypass the checks made here.
		entry.Audiences = slices.Clone(iss.Audiences)
		algorithms := slices.Clone(iss.Algorithms)
		if _, remote := iss.Keys.(*jwks.Remote); remote {
			// A remote key set never yields an HMAC key; refusing HMAC
			// algorithms up front also spares such tokens a key lookup.
			for _, alg := range algorithms {
				if jwks.IsSymmetric(alg) {
					return nil, fmt.Errorf("token: issuer %q: %s needs a shared secret, which a remote key set never provides; use jwks.NewHMACKey with jwks.NewStatic", iss.Issuer, alg)
				}
			}
			if len(algorithms) == 0 {
				algorithms = jwks.AsymmetricAlgorithms()
			}
		}
		if len(algorithms) > 0 {
			entry.algorithms = make(map[string]bool, len(algorithms))
			for _, alg := range algorithms {
				if !jwks.IsSupported(alg) {
					return nil, fmt.Errorf("token: issuer %q: algorithm %q is not supported (supported: %s, HS256, HS384, HS512; never none)",
						iss.Issuer, alg, strings.Join(jwks.AsymmetricAlgorithms(), ", "))
				}
				entry.algorithms[alg] = true
			}
		}
		issuers[iss.Issuer] = entry
	}
	if cfg.ClockSkew < 0 && cfg.ClockSkew != NoClockSkew {
		return nil, errors.New("token: ClockSkew must not be negative; use token.NoClockSkew for exact comparisons")
	}
	if cfg.MaxTokenAge < 0 {
		return nil, errors.New("token: MaxTokenAge must not be negative (zero means no limit)")
	}
	if cfg.CacheBytes < 0 {
		return nil, errors.New("token: CacheBytes must not be negative (zero takes the default; a negative CacheEntries turns the cache off)")
	}
	if cfg.MaxTokenBytes < 0 {
		return nil, errors.New("token: MaxTokenBytes must not be negative (zero takes the default)")
	}
	if slices.Contains(cfg.AuthorizedParties, "") {
		return nil, errors.New("token: AuthorizedParties must not contain an empty value")
	}
	for _, typ := range cfg.Types {
		if !acceptableType(typ, false) {
			return nil, fmt.Errorf("token: Types may hold \"JWT\" and \"at+jwt\" only (tokens of other types are not access tokens); remove %q", typ)
		}
		if cfg.RequireAccessTokenType && normalType(typ) != "at+jwt" {
			return nil, fmt.Errorf("token: RequireAccessTokenType accepts \"at+jwt\" only; remove %q from Types", typ)
		}
	}
	return issuers, nil
}
