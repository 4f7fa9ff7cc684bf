package echoauth

import (
	"context"

	"github.com/scopegate/scopegate/bearer"
)

// The names this package had before the framework-neutral core took them
// over; each is package bearer's, so that code written against them keeps
// compiling and errors.Is matches either name.
type (
	// Error is bearer.Error.
	Error = bearer.Error
	// Body is bearer.Body.
	Body = bearer.Body
	// IssuerConfig is bearer.IssuerConfig.
	IssuerConfig = bearer.IssuerConfig
	// ClerkOptions is bearer.ClerkOptions.
	ClerkOptions = bearer.ClerkOptions
	// Skipper is bearer.Skipper: it sees the *http.Request, so that one
	// function serves every face.
	Skipper = bearer.Skipper
)

// DefaultRealm is bearer.DefaultRealm.
const DefaultRealm = bearer.DefaultRealm

// The classes of failure; see package bearer.
var (
	ErrMissingToken      = bearer.ErrMissingToken
	ErrInvalidRequest    = bearer.ErrInvalidRequest
	ErrInvalidToken      = bearer.ErrInvalidToken
	ErrInsufficientScope = bearer.ErrInsufficientScope
	ErrPendingSession    = bearer.ErrPendingSession
	ErrUnavailable       = bearer.ErrUnavailable
	ErrTokenType         = bearer.ErrTokenType
)

// Auth0 returns the configuration of an API protected by Auth0; see
// bearer.Auth0.
func Auth0(domain string, audience ...string) Config { return bearer.Auth0(domain, audience...) }

// Clerk returns the configuration for Clerk session tokens; see
// bearer.Clerk.
func Clerk(o ClerkOptions) (Config, error) { return bearer.Clerk(o) }

// FromContext returns the auth object of a request's context; see
// bearer.FromContext.
func FromContext(ctx context.Context) *Auth { return bearer.FromContext(ctx) }
