package bearer

import (
	"encoding/base64"
	"errors"
	"fmt"
	"strings"

	"github.com/scopegate/scopegate/clerkapi"
	"github.com/scopegate/scopegate/jwks"
)

// Auth0 returns the configuration of an API protected by Auth0: domain is
// the tenant's domain ("tenant.us.auth0.com", a custom domain, or the issuer
// URL itself) and audience the API identifier(s) from the dashboard. Adjust
// the returned Config further if needed, then pass it to New.
func Auth0(domain string, audience ...string) Config {
	host := strings.TrimSuffix(strings.TrimPrefix(strings.TrimSpace(domain), "https://"), "/")
	return Config{
		// Auth0's issuer is the tenant URL with a trailing slash, and the
		// match is exact.
		Issuer:   "https://" + host + "/",
		Audience: audience,
	}
}

// ClerkOptions describes a Clerk application for the Clerk preset.
type ClerkOptions struct {
	// PublishableKey ("pk_test_..." or "pk_live_...") names the application's
	// Frontend API; FrontendAPI does so directly
	// ("https://your-app.clerk.accounts.dev" or your custom domain). One of
	// the two is required: it is the issuer of the session tokens.
	PublishableKey string
	FrontendAPI    string
	// JWTKey is the PEM public key from the dashboard's API keys page. With
	// it, tokens are verified without any network access; without it, keys
	// come from the Frontend API's /.well-known/jwks.json.
	JWTKey string
	// AuthorizedParties lists the origins of your frontends
	// ("https://app.example.com"); session tokens must carry one of them in
	// "azp" (machine and OAuth tokens carry none, and Clerk does not check
	// theirs). Recommended: session tokens have no audience, so this is what
	// stops a token minted for another site of the same Clerk application.
	AuthorizedParties []string
	// Cookie is the session cookie read when the Authorization header has no
	// token; default "__session". Set NoCookie to read the header only.
	Cookie   string
	NoCookie bool
	// SignInURL makes RequireAuth redirect signed-out page navigations.
	SignInURL string
	// AcceptPendingSessions signs in sessions whose status is "pending".
	AcceptPendingSessions bool
	// MachineID is this API's own Clerk machine ID (mch_...), which a
	// Clerk M2M token must list among the machines that may receive it.
	MachineID string
	// SecretKey is the instance's secret key (sk_live_... or sk_test_...):
	// with it, Clerk's opaque machine tokens (mt_, oat_, ak_) are verified
	// through its Backend API on routes that accept them. Without it they
	// are refused, and only JWTs are verified, locally.
	SecretKey string
}

// Clerk returns the configuration for Clerk session tokens, checked as
// Clerk's SDKs check them: issuer from the publishable key or Frontend API
// URL, RS256/RS384/RS512 only, "sub" required, "typ" JWT (or at+jwt, which
// types an OAuth token) if present, no audience check (session tokens
// carry none), tokens typed as Clerk types
// them and session tokens only unless a route accepts others (Clerk's
// default acceptsToken), the __session cookie,
// Permission answered from the organization's permissions only, and
// networkless verification when JWTKey is given. Adjust the returned Config
// further if needed, then pass it to New.
func Clerk(o ClerkOptions) (Config, error) {
	issuer, err := clerkIssuer(o)
	if err != nil {
		return Config{}, err
	}
	cfg := Config{
		Issuer:                  issuer,
		SkipAudienceCheck:       true,
		Algorithms:              []string{jwks.RS256, jwks.RS384, jwks.RS512},
		RequireSubject:          true,
		TokenTypes:              []string{"JWT", "at+jwt"},
		IgnorePermissionsClaim:  true,
		ClerkTokens:             true,
		AcceptsToken:            []TokenType{SessionToken},
		ClerkReverificationBody: true,
		AuthorizedParties:       o.AuthorizedParties,
		SignInURL:               o.SignInURL,
		AcceptPendingSessions:   o.AcceptPendingSessions,
		MachineID:               o.MachineID,
	}
	if o.SecretKey != "" {
		cfg.ClerkAPI = &clerkapi.Config{SecretKey: o.SecretKey}
	}
	if !o.NoCookie {
		cfg.Cookie = o.Cookie
		if cfg.Cookie == "" {
			cfg.Cookie = "__session"
		}
	}
	if o.JWTKey != "" {
		key, err := jwks.ParsePEM([]byte(o.JWTKey), "", "")
		if err != nil {
			return Config{}, fmt.Errorf("bearer: Clerk JWTKey: %w", err)
		}
		if key.Allows(jwks.RS256) == false {
			return Config{}, errors.New("bearer: Clerk JWTKey must be an RSA public key")
		}
		if cfg.Keys, err = jwks.NewStatic(key); err != nil {
			return Config{}, err
		}
	} else {
		cfg.JWKSURL = issuer + "/.well-known/jwks.json"
	}
	return cfg, nil
}

// clerkIssuer finds the Frontend API URL, which is the "iss" of session
// tokens.
func clerkIssuer(o ClerkOptions) (string, error) {
	frontend := strings.TrimSuffix(strings.TrimSpace(o.FrontendAPI), "/")
	if o.PublishableKey != "" {
		decoded, err := frontendAPIFromPublishableKey(o.PublishableKey)
		if err != nil {
			return "", err
		}
		if frontend != "" && frontend != decoded {
			return "", fmt.Errorf("bearer: PublishableKey names %s but FrontendAPI is %s; set one of them", decoded, frontend)
		}
		frontend = decoded
	}
	if frontend == "" {
		return "", errors.New("bearer: Clerk needs PublishableKey (pk_test_... or pk_live_...) or FrontendAPI (https://your-app.clerk.accounts.dev)")
	}
	if !strings.HasPrefix(frontend, "https://") {
		frontend = "https://" + strings.TrimPrefix(frontend, "http://")
	}
	return frontend, nil
}

// frontendAPIFromPublishableKey decodes "pk_<env>_" + base64(host + "$").
func frontendAPIFromPublishableKey(key string) (string, error) {
	rest, ok := strings.CutPrefix(strings.TrimSpace(key), "pk_test_")
	if !ok {
		rest, ok = strings.CutPrefix(strings.TrimSpace(key), "pk_live_")
	}
	if !ok {
		return "", errors.New("bearer: a Clerk publishable key starts with pk_test_ or pk_live_")
	}
	raw, err := base64.StdEncoding.DecodeString(rest)
	if err != nil {
		raw, err = base64.RawStdEncoding.DecodeString(rest)
	}
	host, isKey := strings.CutSuffix(string(raw), "$")
	if err != nil || !isKey || host == "" || strings.ContainsAny(host, "/ ") {
		return "", errors.New("bearer: the Clerk publishable key is malformed; copy it again from the dashboard")
	}
	return "https://" + host, nil
}
