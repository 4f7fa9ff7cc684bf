// Package stacks builds what the benchmarks compare: scopegate's verifier
// and middlewares, and the Go peers as their users write them — each with
// the same issuer, audience, algorithm and key.
package stacks

import (
	"context"
	"crypto"
	"crypto/rsa"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"slices"
	"strings"
	"time"

	jwtmiddleware "github.com/auth0/go-jwt-middleware/v2"
	"github.com/auth0/go-jwt-middleware/v2/validator"
	jose "github.com/go-jose/go-jose/v4"
	josejwt "github.com/go-jose/go-jose/v4/jwt"
	"github.com/golang-jwt/jwt/v5"
	echojwt "github.com/labstack/echo-jwt/v4"
	"github.com/labstack/echo/v4"

	"github.com/scopegate/scopegate/bearer"
	"github.com/scopegate/scopegate/bench/internal/fixture"
	"github.com/scopegate/scopegate/echoauth"
	"github.com/scopegate/scopegate/jwks"
	"github.com/scopegate/scopegate/token"
)

// Skew is the clock tolerance every stack is given (scopegate's default).
const Skew = 5 * time.Second

// handler is the protected route's handler, the same for every stack.
func handler(c echo.Context) error { return c.NoContent(http.StatusNoContent) }

// newEcho returns a quiet Echo.
func newEcho() *echo.Echo {
	e := echo.New()
	e.HideBanner, e.HidePort = true, true
	return e
}

// ---- scopegate ----

// StaticKeys is a static key set with the RSA, ECDSA and Ed25519 keys, each
// pinned to its algorithm.
func StaticKeys(k *fixture.Keys) (*jwks.Static, error) {
	rsaKey, err := jwks.NewPublicKey(&k.RSA.PublicKey, fixture.RSAKeyID, "RS256")
	if err != nil {
		return nil, err
	}
	ecKey, err := jwks.NewPublicKey(&k.EC.PublicKey, fixture.ECKeyID, "ES256")
	if err != nil {
		return nil, err
	}
	edKey, err := jwks.NewPublicKey(k.Ed25519.Public(), fixture.Ed25519KeyID, "EdDSA")
	if err != nil {
		return nil, err
	}
	return jwks.NewStatic(rsaKey, ecKey, edKey)
}

// SizedKID is the kid of key i of a key set built by SizedStaticKeys or
// SizedJWKS, except the last key, which carries the real kid.
func SizedKID(i int) string { return fmt.Sprintf("bench-filler-%03d", i) }

// SizedStaticKeys is a static set of n RSA keys whose last one, under
// realKID, is the one tokens name; the others are the same public key under
// other kids, which costs lookups what n distinct keys would, without
// generating them. The real key is last, the worst place for a scan.
func SizedStaticKeys(pub *rsa.PublicKey, realKID string, n int) (*jwks.Static, error) {
	keys := make([]*jwks.Key, n)
	for i := range keys {
		kid := SizedKID(i)
		if i == n-1 {
			kid = realKID
		}
		k, err := jwks.NewPublicKey(pub, kid, "RS256")
		if err != nil {
			return nil, err
		}
		keys[i] = k
	}
	return jwks.NewStatic(keys...)
}

// SizedJWKS is the JWKS document of SizedStaticKeys.
func SizedJWKS(pub *rsa.PublicKey, realKID string, n int) ([]byte, error) {
	set := jose.JSONWebKeySet{}
	for i := 0; i < n; i++ {
		kid := SizedKID(i)
		if i == n-1 {
			kid = realKID
		}
		set.Keys = append(set.Keys, jose.JSONWebKey{Key: pub, KeyID: kid, Algorithm: "RS256", Use: "sig"})
	}
	return json.Marshal(set)
}

// OursVerifier is scopegate's token.Verifier for the benchmark issuer;
// cacheEntries < 0 turns the verified-token cache off, 0 takes the default.
func OursVerifier(keys jwks.Source, cacheEntries int) (*token.Verifier, error) {
	return token.New(token.Config{
		Issuers:      []token.Issuer{{Issuer: fixture.Issuer, Audiences: []string{fixture.Audience}, Keys: keys}},
		CacheEntries: cacheEntries,
	})
}

// OursConfig is the echoauth configuration of the benchmarks with keys;
// with keys nil, set JWKSURL.
func OursConfig(keys jwks.Source, cacheEntries int) echoauth.Config {
	return echoauth.Config{Issuer: fixture.Issuer, Audience: []string{fixture.Audience}, Keys: keys,
		TokenCache: bearer.TokenCacheConfig{MaxEntries: max(cacheEntries, 0), Off: cacheEntries < 0}}
}

// OursEcho serves the protected route through auth.CheckJWT() and
// echoauth.RequireScopes(fixture.Scope).
func OursEcho(cfg echoauth.Config) (*echo.Echo, *echoauth.Authenticator, error) {
	auth, err := echoauth.New(cfg)
	if err != nil {
		return nil, nil, err
	}
	e := newEcho()
	e.GET(fixture.Route, handler, auth.CheckJWT(), echoauth.RequireScopes(fixture.Scope))
	return e, auth, nil
}

// ---- golang-jwt v5 and echo-jwt ----

// KeyFunc is a golang-jwt keyfunc as users write one over a key set: it
// checks the algorithm (as echo-jwt's default keyfunc does) and looks the
// key up by kid. It stands in for a JWKS-backed keyfunc such as
// MicahParks/keyfunc, whose steady state is the same map lookup.
func KeyFunc(keys map[string]crypto.PublicKey) jwt.Keyfunc {
	return func(t *jwt.Token) (any, error) {
		if t.Method.Alg() != "RS256" {
			return nil, fmt.Errorf("unexpected signing method %v", t.Header["alg"])
		}
		kid, _ := t.Header["kid"].(string)
		if k, ok := keys[kid]; ok {
			return k, nil
		}
		return nil, errors.New("unknown kid")
	}
}

// GolangJWTEchoDefaults parses as echo-jwt's default ParseTokenFunc does:
// jwt.ParseWithClaims into jwt.MapClaims with no parser option, so no
// issuer, audience or required exp.
func GolangJWTEchoDefaults(raw string, kf jwt.Keyfunc) (*jwt.Token, error) {
	t, err := jwt.ParseWithClaims(raw, jwt.MapClaims{}, kf)
	if err != nil {
		return nil, err
	}
	if !t.Valid {
		return nil, errors.New("invalid token")
	}
	return t, nil
}

// StrictParser is golang-jwt v5 with the checks scopegate makes: pinned
// algorithm, issuer, audience, exp required, 5 s leeway.
func StrictParser() *jwt.Parser {
	return jwt.NewParser(
		jwt.WithValidMethods([]string{"RS256"}),
		jwt.WithIssuer(fixture.Issuer),
		jwt.WithAudience(fixture.Audience),
		jwt.WithExpirationRequired(),
		jwt.WithLeeway(Skew),
	)
}

// EchoJWT serves the protected route through echo-jwt (default parser, a
// kid-keyed keyfunc) and a hand-written scope check.
func EchoJWT(keys map[string]crypto.PublicKey) *echo.Echo {
	e := newEcho()
	e.GET(fixture.Route, handler, echojwt.WithConfig(echojwt.Config{KeyFunc: KeyFunc(keys)}), echoJWTScope(fixture.Scope))
	return e
}

// echoJWTScope is the scope check echo-jwt users write by hand.
func echoJWTScope(scope string) echo.MiddlewareFunc {
	return func(next echo.HandlerFunc) echo.HandlerFunc {
		return func(c echo.Context) error {
			tok, ok := c.Get("user").(*jwt.Token)
			if !ok {
				return echo.ErrUnauthorized
			}
			claims, _ := tok.Claims.(jwt.MapClaims)
			s, _ := claims["scope"].(string)
			if slices.Contains(strings.Fields(s), scope) {
				return next(c)
			}
			return echo.NewHTTPError(http.StatusForbidden, "insufficient scope")
		}
	}
}

// ---- go-jwt-middleware v2 ----

// ScopeClaims are the custom claims of Auth0's Go quickstart.
type ScopeClaims struct {
	Scope string `json:"scope"`
}

// Validate implements validator.CustomClaims.
func (*ScopeClaims) Validate(context.Context) error { return nil }

// HasScope reports whether the scope claim lists scope.
func (c *ScopeClaims) HasScope(scope string) bool {
	return slices.Contains(strings.Fields(c.Scope), scope)
}

// GoJWTValidator is go-jwt-middleware v2's validator with a static key
// (its jwks.CachingProvider's KeyFunc returns the cached set the same way).
func GoJWTValidator(pub crypto.PublicKey) (*validator.Validator, error) {
	return validator.New(
		func(context.Context) (any, error) { return pub, nil },
		validator.RS256, fixture.Issuer, []string{fixture.Audience},
		validator.WithCustomClaims(func() validator.CustomClaims { return &ScopeClaims{} }),
		validator.WithAllowedClockSkew(Skew),
	)
}

// GoJWTMiddleware serves the protected route through go-jwt-middleware v2
// wrapped for Echo and the quickstart's scope check.
func GoJWTMiddleware(v *validator.Validator) *echo.Echo {
	e := newEcho()
	mw := echo.WrapMiddleware(jwtmiddleware.New(v.ValidateToken).CheckJWT)
	e.GET(fixture.Route, handler, mw, goJWTScope(fixture.Scope))
	return e
}

func goJWTScope(scope string) echo.MiddlewareFunc {
	return func(next echo.HandlerFunc) echo.HandlerFunc {
		return func(c echo.Context) error {
			claims, ok := c.Request().Context().Value(jwtmiddleware.ContextKey{}).(*validator.ValidatedClaims)
			if !ok {
				return echo.ErrUnauthorized
			}
			custom, ok := claims.CustomClaims.(*ScopeClaims)
			if !ok || !custom.HasScope(scope) {
				return echo.NewHTTPError(http.StatusForbidden, "insufficient scope")
			}
			return next(c)
		}
	}
}

// ---- go-jose v4 used directly ----

// JOSEClaims are the registered claims and the scope.
type JOSEClaims struct {
	josejwt.Claims
	Scope string `json:"scope"`
}

var joseAlgs = []jose.SignatureAlgorithm{jose.RS256}

// GoJOSE verifies raw with go-jose v4 directly: ParseSigned with the pinned
// algorithm, Verify, encoding/json into the claims, then issuer, audience
// and time checks with the leeway, exp required.
func GoJOSE(raw string, pub crypto.PublicKey) (*JOSEClaims, error) {
	jws, err := jose.ParseSigned(raw, joseAlgs)
	if err != nil {
		return nil, err
	}
	payload, err := jws.Verify(pub)
	if err != nil {
		return nil, err
	}
	var c JOSEClaims
	if err := json.Unmarshal(payload, &c); err != nil {
		return nil, err
	}
	if c.Expiry == nil {
		return nil, errors.New("exp required")
	}
	if err := c.ValidateWithLeeway(josejwt.Expected{Issuer: fixture.Issuer, AnyAudience: josejwt.Audience{fixture.Audience},
		Time: time.Now()}, Skew); err != nil {
		return nil, err
	}
	return &c, nil
}
