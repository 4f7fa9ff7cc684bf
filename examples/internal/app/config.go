// Package app is what the three examples share: the environment they read,
// the dev mode that prints tokens and curl commands, and the server's life.
// Each example only wires its routes with its face.
package app

import (
	"crypto/rand"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/scopegate/scopegate/bearer"
	"github.com/scopegate/scopegate/introspect"
	"github.com/scopegate/scopegate/token"
)

// Settings is an example's configuration, read from the environment.
type Settings struct {
	// Port is the port to listen on.
	Port int
	// DevMode is set when no issuer is configured: an issuer embedded in
	// the process signs the tokens the guide prints.
	DevMode bool
	// Clerk is set for Clerk session tokens (bearer.Clerk).
	Clerk bool
	// Auth is the authentication configuration.
	Auth bearer.Config
	// Audience lists the API identifiers.
	Audience []string
	// StepUp is the requirement of /api/step-up (STEP_UP_ACR,
	// STEP_UP_MAX_AGE).
	StepUp bearer.StepUp
}

// defaultStepUpACR is what /api/step-up asks for unless STEP_UP_ACR says
// otherwise: the multi-factor class Auth0 puts in "acr".
const defaultStepUpACR = "http://schemas.openid.net/pape/policies/2007/06/multi-factor"

// defaultAudience is the API identifier of the Auth0 quickstarts, used in
// dev mode when AUDIENCE is not set.
const defaultAudience = "https://api.example.com"

// Usage explains every variable; it is printed with configuration errors.
const Usage = `Environment:
  PORT                   port to listen on (default 3010; 0 picks a free port)
  ISSUER_BASE_URL        exact issuer of your tokens, e.g. https://YOUR_TENANT.auth0.com/
                         (unset: dev mode with an embedded issuer, no account or network needed)
  AUDIENCE               your API identifier(s), comma-separated (required with ISSUER_BASE_URL)
  JWKS_URI               JWKS URL; skips OpenID discovery
  CLOCK_SKEW             tolerance on exp/nbf/iat, a Go duration (default 5s; 0s compares exactly)
  JWKS_CACHE_TTL         how long fetched keys are fresh (default 10m or the server's Cache-Control)
  JWKS_REFRESH_COOLDOWN  least time between refetches for unknown kids (default 30s)
  SESSION_COOKIE         also read the token from this cookie, e.g. __session for Clerk
  AUTHORIZED_PARTIES     allowed "azp" values, comma-separated (Clerk: your frontends' origins)
  RESOURCE               this API as an OAuth protected resource (RFC 9728), for the metadata
                         challenges point to (default the first AUDIENCE when it is a URL;
                         in dev mode, this server)
  STEP_UP_ACR            what /api/step-up accepts in "acr", comma-separated
                         (default http://schemas.openid.net/pape/policies/2007/06/multi-factor)
  STEP_UP_MAX_AGE        how recent "auth_time" must be on /api/step-up (default 10m)
  DPOP                   DPoP-bound tokens (RFC 9449): off, allowed (default) or required
  DPOP_NONCE             on: proofs must carry a nonce this API issued (default off)
  DPOP_NONCE_SECRET      32+ bytes shared by every instance, so each accepts the others'
                         nonces (default: random per process)
  PUBLIC_ORIGIN          where clients reach this API behind a proxy, e.g. https://api.example.com;
                         DPoP proofs name this origin
  INTROSPECTION_URL      the issuer's RFC 7662 endpoint: opaque tokens are accepted through it
  INTROSPECTION_CLIENT_ID, INTROSPECTION_CLIENT_SECRET
                         this API's own client credentials at the issuer, for that endpoint

Clerk session tokens (instead of ISSUER_BASE_URL and AUDIENCE; they carry no audience):
  CLERK_PUBLISHABLE_KEY  pk_test_... or pk_live_..., or
  CLERK_FRONTEND_API     https://your-app.clerk.accounts.dev (or your custom domain)
  CLERK_JWT_KEY          optional: the PEM public key from the dashboard, for networkless
                         verification (one line is fine); without it keys come from the JWKS
  MACHINE_ID             optional: this API's Clerk machine ID (mch_...); an M2M token on
                         /api/machine must list it among the machines that may receive it
  CLERK_SECRET_KEY       optional: sk_test_... or sk_live_...; Clerk's opaque machine tokens
                         (mt_, oat_, ak_) are then verified through its Backend API
  SESSION_COOKIE defaults to __session with Clerk`

// LoadSettings reads the configuration through getenv. Every mistake is
// reported at once, with what to set.
func LoadSettings(getenv func(string) string) (Settings, error) {
	var s Settings
	var problems []string
	s.Port = 3010
	if p := strings.TrimSpace(getenv("PORT")); p != "" {
		port, err := strconv.Atoi(p)
		if err != nil || port < 0 || port > 65535 {
			problems = append(problems, fmt.Sprintf("PORT=%q is not a port number (1-65535, or 0 for any free port)", p))
		}
		s.Port = port
	}
	issuer := strings.TrimSpace(getenv("ISSUER_BASE_URL"))
	audience := commaList(getenv("AUDIENCE"))
	jwksURL := strings.TrimSpace(getenv("JWKS_URI"))
	cookie := strings.TrimSpace(getenv("SESSION_COOKIE"))
	parties := commaList(getenv("AUTHORIZED_PARTIES"))
	if raw := getenv("AUTHORIZED_PARTIES"); strings.TrimSpace(raw) != "" && len(parties) == 0 {
		// Not "azp unchecked": the user meant to set parties.
		problems = append(problems, fmt.Sprintf("AUTHORIZED_PARTIES=%q lists no party; set client IDs separated by commas, or unset it", raw))
	}
	clerk := bearer.ClerkOptions{
		PublishableKey:    strings.TrimSpace(getenv("CLERK_PUBLISHABLE_KEY")),
		FrontendAPI:       strings.TrimSpace(getenv("CLERK_FRONTEND_API")),
		JWTKey:            strings.TrimSpace(getenv("CLERK_JWT_KEY")),
		AuthorizedParties: parties,
		Cookie:            cookie,
		MachineID:         strings.TrimSpace(getenv("MACHINE_ID")),
		SecretKey:         strings.TrimSpace(getenv("CLERK_SECRET_KEY")),
	}
	s.Clerk = clerk.PublishableKey != "" || clerk.FrontendAPI != "" || clerk.JWTKey != ""
	switch {
	case s.Clerk:
		if issuer != "" {
			problems = append(problems, "set either ISSUER_BASE_URL (Auth0, any OpenID issuer) or CLERK_PUBLISHABLE_KEY / CLERK_FRONTEND_API (Clerk), not both")
		}
		if len(audience) > 0 {
			problems = append(problems, "AUDIENCE is not used with Clerk: session tokens carry no audience; set AUTHORIZED_PARTIES to your frontends' origins instead")
		}
		if jwksURL != "" {
			problems = append(problems, "JWKS_URI is not used with Clerk: keys come from the Frontend API, or from CLERK_JWT_KEY")
		}
		cfg, err := bearer.Clerk(clerk)
		if err != nil {
			problems = append(problems, inEnvironmentWords(err))
		}
		s.Auth = cfg
	default:
		if clerk.MachineID != "" {
			problems = append(problems, "MACHINE_ID is a Clerk machine ID (mch_...): set it with CLERK_PUBLISHABLE_KEY or CLERK_FRONTEND_API")
		}
		if clerk.SecretKey != "" {
			problems = append(problems, "CLERK_SECRET_KEY verifies Clerk's opaque machine tokens: set it with CLERK_PUBLISHABLE_KEY or CLERK_FRONTEND_API")
		}
		s.Auth.Issuer = issuer
		s.DevMode = issuer == ""
		if len(audience) == 0 {
			if !s.DevMode {
				problems = append(problems, "AUDIENCE is required with ISSUER_BASE_URL: set it to your API identifier, e.g. https://api.example.com")
			}
			audience = []string{defaultAudience}
		}
		s.Audience = audience
		s.Auth.Audience = audience
		s.Auth.JWKSURL = jwksURL
		if s.DevMode && jwksURL != "" {
			problems = append(problems, "JWKS_URI needs ISSUER_BASE_URL too: set the issuer of the tokens those keys sign")
		}
		s.Auth.Cookie = cookie
		s.Auth.AuthorizedParties = parties
	}
	problems = append(problems, loadIntrospection(getenv, &s)...)
	// The protected resource metadata (RFC 9728) names this API by RESOURCE,
	// by default its first audience when that is a URL, as Auth0 API
	// identifiers usually are (in dev mode Run names the server itself,
	// once it listens).
	s.Auth.Resource = strings.TrimSpace(getenv("RESOURCE"))
	if s.Auth.Resource == "" && !s.Clerk && len(s.Audience) > 0 && strings.HasPrefix(s.Audience[0], "https://") {
		s.Auth.Resource = s.Audience[0]
	}
	if s.Auth.Resource != "" {
		s.Auth.ResourceScopes = []string{"read:messages"}
	}
	s.StepUp = bearer.StepUp{ACR: []string{defaultStepUpACR}, MaxAge: 10 * time.Minute}
	if acr := getenv("STEP_UP_ACR"); strings.TrimSpace(acr) != "" {
		s.StepUp.ACR = commaList(acr)
		if len(s.StepUp.ACR) == 0 {
			// An empty list would accept any acr: not what was meant.
			problems = append(problems, fmt.Sprintf("STEP_UP_ACR=%q lists no value; set acr values separated by commas, or unset it for the default", acr))
		}
		for _, v := range s.StepUp.ACR {
			if strings.ContainsAny(v, " \"\\") {
				problems = append(problems, fmt.Sprintf("STEP_UP_ACR value %q must have no space, quote or backslash", v))
			}
		}
	}
	problems = append(problems, loadDPoP(getenv, &s.Auth.DPoP)...)
	for _, d := range []struct {
		name string
		into *time.Duration
	}{
		{"STEP_UP_MAX_AGE", &s.StepUp.MaxAge},
		{"CLOCK_SKEW", &s.Auth.ClockSkew},
		{"JWKS_CACHE_TTL", &s.Auth.RemoteKeys.CacheTTL},
		{"JWKS_REFRESH_COOLDOWN", &s.Auth.RemoteKeys.RefreshCooldown},
	} {
		v := strings.TrimSpace(getenv(d.name))
		if v == "" {
			continue
		}
		parsed, err := time.ParseDuration(v)
		switch {
		case err == nil && parsed == 0 && d.into == &s.Auth.ClockSkew:
			*d.into = token.NoClockSkew // an explicit zero means exact comparisons
		case err != nil || parsed <= 0:
			problems = append(problems, fmt.Sprintf("%s=%q is not %s Go duration such as 5s or 10m", d.name, v, durationKind(d.name)))
		default:
			*d.into = parsed
		}
	}
	if len(problems) > 0 {
		return s, errors.New(strings.Join(problems, "\n"))
	}
	return s, nil
}

// fieldNames maps the Go names the library's configuration errors use to
// the variables a user of this example sets.
var fieldNames = strings.NewReplacer(
	"bearer: ", "",
	"jwks: ", "",
	"PublishableKey", "CLERK_PUBLISHABLE_KEY",
	"FrontendAPI", "CLERK_FRONTEND_API",
	"JWTKey", "CLERK_JWT_KEY",
	`MachineID "`, `MACHINE_ID "`,
	"ClerkAPI: clerkapi: SecretKey", "CLERK_SECRET_KEY",
	"Introspection: introspect: Endpoint", "INTROSPECTION_URL",
	`Issuer "`, `ISSUER_BASE_URL "`,
	`URL "`, `JWKS_URI "`,
	`Resource "`, `RESOURCE "`,
	"DPoP.PublicOrigin: dpop: public origin", "PUBLIC_ORIGIN",
	"DPoP.NonceSecret", "DPOP_NONCE_SECRET",
)

// loadDPoP reads DPOP, DPOP_NONCE, DPOP_NONCE_SECRET and PUBLIC_ORIGIN.
func loadDPoP(getenv func(string) string, into *bearer.DPoPConfig) []string {
	var problems []string
	if m := strings.TrimSpace(getenv("DPOP")); m != "" {
		mode, err := bearer.ParseDPoPMode(m)
		if err != nil {
			problems = append(problems, fmt.Sprintf("DPOP=%q is not off, allowed or required", m))
		}
		into.Mode = mode
	}
	into.PublicOrigin = strings.TrimSpace(getenv("PUBLIC_ORIGIN"))
	secret := getenv("DPOP_NONCE_SECRET")
	switch n := strings.TrimSpace(getenv("DPOP_NONCE")); strings.ToLower(n) {
	case "", "off":
		if secret != "" {
			problems = append(problems, "DPOP_NONCE_SECRET needs DPOP_NONCE=on")
		}
	case "on":
		if secret == "" {
			// One instance needs no shared secret; a fleet sets one.
			random := make([]byte, 32)
			_, _ = rand.Read(random) // crypto/rand.Read does not fail
			secret = string(random)
		}
		into.NonceSecret = []byte(secret)
	default:
		problems = append(problems, fmt.Sprintf("DPOP_NONCE=%q is not on or off", n))
	}
	if into.Mode == bearer.DPoPOff && (into.PublicOrigin != "" || into.NonceSecret != nil) {
		problems = append(problems, "DPOP=off: PUBLIC_ORIGIN and DPOP_NONCE concern DPoP proofs; remove them or allow DPoP")
	}
	return problems
}

// inEnvironmentWords words a configuration error of the library as the user
// typed the setting: CLERK_PUBLISHABLE_KEY rather than PublishableKey.
func inEnvironmentWords(err error) string {
	return fieldNames.Replace(err.Error())
}

// durationKind says which durations a variable takes: CLOCK_SKEW may be
// zero (exact comparisons), the others must be positive.
func durationKind(name string) string {
	if name == "CLOCK_SKEW" {
		return "a zero or positive"
	}
	return "a positive"
}

// commaList splits a comma-separated variable, dropping blanks.
func commaList(v string) []string {
	var out []string
	for _, item := range strings.Split(v, ",") {
		if item = strings.TrimSpace(item); item != "" {
			out = append(out, item)
		}
	}
	return out
}

// loadIntrospection reads INTROSPECTION_URL, INTROSPECTION_CLIENT_ID and
// INTROSPECTION_CLIENT_SECRET: opaque tokens, checked at the issuer's RFC
// 7662 endpoint with this API's own client credentials.
func loadIntrospection(getenv func(string) string, s *Settings) []string {
	endpoint := strings.TrimSpace(getenv("INTROSPECTION_URL"))
	id := strings.TrimSpace(getenv("INTROSPECTION_CLIENT_ID"))
	secret := getenv("INTROSPECTION_CLIENT_SECRET")
	switch {
	case endpoint == "" && id == "" && secret == "":
		return nil
	case s.Clerk:
		return []string{"INTROSPECTION_URL is RFC 7662, which Clerk does not serve: remove the INTROSPECTION_ variables with Clerk"}
	case s.DevMode:
		return []string{"INTROSPECTION_URL needs ISSUER_BASE_URL: opaque tokens come from a real issuer"}
	case endpoint == "" || id == "" || secret == "":
		return []string{"set INTROSPECTION_URL, INTROSPECTION_CLIENT_ID and INTROSPECTION_CLIENT_SECRET together (the API's own client at the issuer)"}
	}
	s.Auth.Introspection = &introspect.Config{Endpoint: endpoint, ClientID: id, ClientSecret: secret,
		Issuer: s.Auth.Issuer, Audiences: s.Audience}
	return nil
}
