package echoauth

import (
	"cmp"
	"context"
	"errors"
	"net/http"
	"sync"

	jwtmiddleware "github.com/auth0/go-jwt-middleware/v2"
	"github.com/labstack/echo/v4"

	"github.com/scopegate/scopegate/jwks"
	"github.com/scopegate/scopegate/token"
)

// Authenticator builds the authentication middlewares from one validated
// configuration. It is safe for concurrent use; create it once at startup.
type Authenticator struct {
	validate jwtmiddleware.ValidateToken
	verifier *token.Verifier // nil when ValidateToken is plugged
	remotes  []*jwks.Remote
	sources  tokenSources
	skipper  Skipper
	realm    string
	// acceptPending signs in Clerk sessions whose status is "pending".
	acceptPending bool
	signInURL     string
	// ignorePermissionsClaim drops Auth0's "permissions" from the grants.
	ignorePermissionsClaim bool
	// sessionTokensOnly refuses what Clerk does not count as a session token.
	sessionTokensOnly bool
}

// New validates cfg and returns an Authenticator. Every configuration
// mistake is reported here with how to fix it, not at the first request.
// Remote keys are fetched on first use; call Prefetch to fetch them at
// startup.
func New(cfg Config) (*Authenticator, error) {
	a := &Authenticator{
		sources:       tokenSources{cookie: cfg.Cookie, query: cfg.QueryParameter},
		skipper:       cfg.Skipper,
		realm:         cfg.Realm,
		acceptPending: cfg.AcceptPendingSessions,
		signInURL:     cfg.SignInURL,

		ignorePermissionsClaim: cfg.IgnorePermissionsClaim,
		sessionTokensOnly:      cfg.SessionTokensOnly,
	}
	if err := checkSignInURL(a.signInURL); err != nil {
		return nil, err
	}
	if a.realm == "" {
		a.realm = DefaultRealm
	}
	if err := checkRealm(a.realm); err != nil {
		return nil, err
	}
	if a.skipper == nil {
		a.skipper = func(echo.Context) bool { return false }
	}
	if cfg.ValidateToken != nil {
		if len(cfg.issuers()) > 0 {
			return nil, errors.New("echoauth: set either ValidateToken or Issuer/Audience/Keys, not both: a plugged validator does its own checks")
		}
		if cfg.SessionTokensOnly {
			return nil, errors.New("echoauth: SessionTokensOnly needs the built-in verifier, which sees the token's header; leave ValidateToken unset or SessionTokensOnly false")
		}
		if cfg.MaxTokenBytes < 0 {
			return nil, errors.New("echoauth: MaxTokenBytes must not be negative (zero takes the default)")
		}
		a.validate = capped(cfg.ValidateToken, cmp.Or(cfg.MaxTokenBytes, token.DefaultMaxTokenBytes))
		return a, nil
	}
	verifier, remotes, err := cfg.buildVerifier()
	if err != nil {
		return nil, err
	}
	a.verifier, a.remotes, a.validate = verifier, remotes, verifier.ValidateToken
	return a, nil
}

// capped refuses tokens over limit bytes before a plugged validator sees
// them, as the built-in verifier does before any decoding: a validator of
// another library may parse whatever it is handed.
func capped(validate jwtmiddleware.ValidateToken, limit int) jwtmiddleware.ValidateToken {
	return func(ctx context.Context, raw string) (any, error) {
		if len(raw) > limit {
			return nil, token.ErrTooLarge
		}
		return validate(ctx, raw)
	}
}

// Prefetch fetches the signing keys of every remote issuer now, all at
// once, for a readiness probe or to fail fast at startup: one issuer being
// down neither delays nor spares the others. It returns every failure,
// joined (errors.Is and errors.As see each), or nil.
func (a *Authenticator) Prefetch(ctx context.Context) error {
	errs := make([]error, len(a.remotes))
	var wg sync.WaitGroup
	for i, r := range a.remotes {
		wg.Go(func() { errs[i] = r.Prefetch(ctx) })
	}
	wg.Wait()
	return errors.Join(errs...)
}

// KeySets returns the remote key sets, for their Stats.
func (a *Authenticator) KeySets() []*jwks.Remote {
	return append([]*jwks.Remote(nil), a.remotes...)
}

// CacheStats returns the state of the verified-token cache (entries, the
// memory they hold, hits, misses, evictions), for metrics; the zero value
// when the cache is off or a plugged ValidateToken replaces the verifier.
func (a *Authenticator) CacheStats() token.CacheStats {
	if a.verifier == nil {
		return token.CacheStats{}
	}
	return a.verifier.CacheStats()
}

// CheckJWT returns the strict middleware: a request without a valid token is
// answered 401 (400 when malformed, 503 when keys are unavailable) and never
// reaches the handler.
func (a *Authenticator) CheckJWT() echo.MiddlewareFunc {
	return a.middleware(true)
}

// WithAuth returns the lax middleware: it attaches the auth object, signed
// in or signed out, and always calls the handler. A token that is present but
// invalid is never treated as signed in; RequireAuth further down the chain
// answers with the reason.
func (a *Authenticator) WithAuth() echo.MiddlewareFunc {
	return a.middleware(false)
}

// middleware is CheckJWT when strict, WithAuth otherwise.
func (a *Authenticator) middleware(strict bool) echo.MiddlewareFunc {
	return func(next echo.HandlerFunc) echo.HandlerFunc {
		return func(c echo.Context) error {
			if a.skipper(c) {
				return next(c)
			}
			if isPreflight(c.Request()) {
				// Browsers send preflights without credentials, so a 401
				// would break CORS; but anyone can send those headers, so
				// the strict middleware never runs the handler for one. A
				// CORS middleware placed before authentication answers
				// preflights with the right headers before they get here.
				if strict {
					return c.NoContent(http.StatusNoContent)
				}
				return next(c)
			}
			auth := a.authenticate(c.Request())
			if strict && !auth.IsAuthenticated {
				return failure(&auth).respond(c, a.realm)
			}
			attach(c, auth)
			return next(c)
		}
	}
}

// authenticate turns a request into its auth object, the request's own
// copy.
func (a *Authenticator) authenticate(r *http.Request) Auth {
	raw, reqErr := a.sources.extract(r)
	if reqErr != nil {
		return a.signedOut(reqErr)
	}
	if raw == "" {
		return Auth{realm: a.realm, signInURL: a.signInURL}
	}
	validated, err := a.validate(r.Context(), raw)
	if err != nil {
		return a.signedOut(classify(err))
	}
	var d *derivation
	if tok, ok := validated.(token.Token); ok && a.verifier != nil {
		// What a verified token establishes is worked out once and shared
		// by every request presenting it while the verification stays
		// cached; each request gets a copy of the result.
		d = tok.Derive(func(token.Token) (any, int) {
			d := a.derive(validated)
			return d, d.retainedBytes()
		}).(*derivation)
	} else {
		d = a.derive(validated)
	}
	return a.admit(d)
}

// derivation is what a validated token establishes: the signed-in auth
// object every request presenting it starts from, or why it cannot sign
// in. It never changes once built.
type derivation struct {
	auth Auth
	// description and cause, when description is set, refuse the token:
	// its claims are valid JSON but not what this configuration accepts.
	description string
	cause       error
}

// derive works out what a validated token establishes.
func (a *Authenticator) derive(validated any) *derivation {
	auth, err := newAuth(validated)
	if err != nil {
		return &derivation{description: token.Description(err), cause: err}
	}
	if a.sessionTokensOnly {
		if err := checkSessionToken(auth.Token()); err != nil {
			return &derivation{description: descNotSessionToken, cause: err}
		}
	}
	if a.ignorePermissionsClaim {
		auth.session.grants.Permissions = nil
	}
	auth.realm, auth.signInURL = a.realm, a.signInURL
	return &derivation{auth: auth}
}

// admit turns a derivation into the request's own auth object, applying the
// rules that hold per request.
func (a *Authenticator) admit(d *derivation) Auth {
	if d.description != "" {
		return a.signedOut(invalidToken(d.description, d.cause))
	}
	if d.auth.SessionStatus == "pending" && !a.acceptPending {
		// Clerk's rule: a session that still has tasks to complete (choosing
		// an organization, say) is signed out, but says why.
		out := a.signedOut(invalidToken("session is pending", ErrPendingSession))
		out.SessionStatus, out.present = d.auth.SessionStatus, hasSessionStatus
		return out
	}
	return d.auth
}

// signedOut is the auth object of a request that is signed out because of err.
func (a *Authenticator) signedOut(err *Error) Auth {
	return Auth{Err: err, realm: a.realm, signInURL: a.signInURL}
}

// classify turns a validation failure into the Error it answers with.
func classify(err error) *Error {
	var unavail *jwks.UnavailableError
	if errors.As(err, &unavail) {
		return unavailable(unavail.RetryAfter, err)
	}
	if errors.Is(err, jwks.ErrUnavailable) {
		return unavailable(0, err)
	}
	return invalidToken(token.Description(err), err)
}

// failure is the error a signed-out request is answered with.
func failure(auth *Auth) *Error {
	var e *Error
	if errors.As(auth.Err, &e) {
		return e
	}
	return missingToken()
}
