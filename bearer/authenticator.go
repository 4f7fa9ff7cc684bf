package bearer

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"net/http"
	"slices"
	"strings"
	"sync"
	"time"

	jwtmiddleware "github.com/auth0/go-jwt-middleware/v2"

	"github.com/scopegate/scopegate/clerkapi"
	"github.com/scopegate/scopegate/internal/tokenhook"
	"github.com/scopegate/scopegate/introspect"
	"github.com/scopegate/scopegate/jwks"
	"github.com/scopegate/scopegate/token"
)

// Authenticator authenticates requests with one validated configuration;
// the faces (echoauth, echo5auth, httpauth) build their middlewares on it.
// It is safe for concurrent use; create it once at startup.
type Authenticator struct {
	validate jwtmiddleware.ValidateToken
	verifier *token.Verifier // nil when ValidateToken is plugged
	remotes  []*jwks.Remote
	sources  tokenSources
	skipper  Skipper
	how      *answering
	// acceptPending signs in Clerk sessions whose status is "pending".
	acceptPending bool
	// ignorePermissionsClaim drops Auth0's "permissions" from the grants.
	ignorePermissionsClaim bool
	// clerkTokens types tokens as Clerk does (Config.ClerkTokens); accepts
	// is what a route accepts when its middleware does not say.
	clerkTokens bool
	accepts     typeSet
	// machineID is this API's own Clerk machine (Config.MachineID).
	machineID string
	// sessionParties are the "azp" values a Clerk session token may carry
	// (Config.AuthorizedParties under ClerkTokens).
	sessionParties []string
	// introspector verifies opaque tokens; nil without Config.Introspection.
	introspector *introspect.Introspector
	// maxOpaqueBytes caps an opaque token before it is sent anywhere.
	maxOpaqueBytes int
	// clerkAPI verifies Clerk's opaque machine tokens; nil without
	// Config.ClerkAPI.
	clerkAPI *clerkapi.Client
	// opaqueRules are the Config's claim rules, applied to introspected
	// answers as the verifier applies them to JWTs.
	opaqueRules opaqueRules
	// metadata is the protected resource metadata, served at metadataPath;
	// nil without Config.Resource.
	metadata     *resourceMetadata
	metadataPath string
	// dpop checks DPoP proofs; nil when DPoP is off.
	dpop *dpopChecker
}

// New validates cfg and returns an Authenticator. Every configuration
// mistake is reported here with how to fix it, not at the first request.
// Remote keys are fetched on first use; call Prefetch to fetch them at
// startup.
func New(cfg Config) (*Authenticator, error) {
	a := &Authenticator{
		sources: tokenSources{cookie: cfg.Cookie, query: cfg.QueryParameter},
		skipper: cfg.Skipper,
		how: &answering{realm: cfg.Realm, signInURL: cfg.SignInURL, errorHandler: cfg.ErrorHandler, now: cfg.Now, skew: cfg.ClockSkew,
			clerkReverification: cfg.ClerkReverificationBody},
		acceptPending: cfg.AcceptPendingSessions,

		ignorePermissionsClaim: cfg.IgnorePermissionsClaim,
		clerkTokens:            cfg.ClerkTokens,
		machineID:              cfg.MachineID,
		accepts:                allTypes,
	}
	if cfg.ClerkTokens {
		a.sessionParties = slices.Clone(cfg.AuthorizedParties)
	}
	if cfg.Introspection != nil {
		if cfg.ClerkTokens {
			return nil, errors.New("bearer: Introspection is RFC 7662, which Clerk does not serve: Clerk's opaque machine tokens verify through its Backend API; leave Introspection unset with ClerkTokens")
		}
		ic := *cfg.Introspection
		// The answer is judged by this API's own issuer and audiences, as
		// a JWT is, unless Introspection says otherwise.
		if ic.Issuer == "" && len(cfg.Issuers) == 0 {
			ic.Issuer = cfg.Issuer
		}
		if len(ic.Audiences) == 0 && !cfg.SkipAudienceCheck {
			ic.Audiences = slices.Clone(cfg.Audience)
		}
		if ic.ClockSkew == 0 {
			ic.ClockSkew = cfg.ClockSkew // the same NoClockSkew in both packages
		}
		if ic.Now == nil {
			ic.Now = cfg.Now
		}
		in, err := introspect.New(ic)
		if err != nil {
			return nil, fmt.Errorf("bearer: Introspection: %w", err)
		}
		a.introspector, a.maxOpaqueBytes = in, cmp.Or(cfg.MaxTokenBytes, token.DefaultMaxTokenBytes)
		a.opaqueRules = opaqueRules{parties: slices.Clone(cfg.AuthorizedParties), requireSubject: cfg.RequireSubject,
			maxAge: cfg.MaxTokenAge, skew: a.how.skew}
	}
	if cfg.ClerkAPI != nil {
		if !cfg.ClerkTokens {
			return nil, errors.New("bearer: ClerkAPI verifies Clerk's opaque machine tokens and needs ClerkTokens (set by the Clerk preset)")
		}
		client, err := clerkapi.New(*cfg.ClerkAPI)
		if err != nil {
			return nil, fmt.Errorf("bearer: ClerkAPI: %w", err)
		}
		a.clerkAPI = client
	}
	if cfg.MachineID != "" {
		switch {
		case !cfg.ClerkTokens:
			return nil, errors.New("bearer: MachineID is a Clerk machine ID and needs ClerkTokens (set by the Clerk preset)")
		case !strings.HasPrefix(cfg.MachineID, clerkMachinePrefix):
			return nil, fmt.Errorf("bearer: MachineID %q is not a Clerk machine ID, which starts with mch_", cfg.MachineID)
		}
	}
	if cfg.AcceptsToken != nil {
		var err error
		if a.accepts, err = newTypeSet(cfg.AcceptsToken, "Config.AcceptsToken"); err != nil {
			return nil, err
		}
		if err := a.checkAccepts(a.accepts, "Config.AcceptsToken"); err != nil {
			return nil, err
		}
	}
	if err := checkSignInURL(a.how.signInURL); err != nil {
		return nil, err
	}
	if a.how.realm == "" {
		a.how.realm = DefaultRealm
	}
	if a.how.now == nil {
		a.how.now = time.Now
	}
	switch a.how.skew {
	case 0:
		a.how.skew = token.DefaultClockSkew
	case token.NoClockSkew:
		a.how.skew = 0
	}
	if err := checkRealm(a.how.realm); err != nil {
		return nil, err
	}
	var err error
	if a.dpop, err = newDPoPChecker(cfg.DPoP, a.how.now); err != nil {
		return nil, err
	}
	a.how.dpop, a.sources.dpop = a.dpop, a.dpop != nil
	if a.metadata, a.how.resourceMetadata, a.metadataPath, err = newResourceMetadata(&cfg, a.dpop); err != nil {
		return nil, err
	}
	if a.skipper == nil {
		a.skipper = func(*http.Request) bool { return false }
	}
	if cfg.ValidateToken != nil {
		if len(cfg.issuers()) > 0 {
			return nil, errors.New("bearer: set either ValidateToken or Issuer/Audience/Keys, not both: a plugged validator does its own checks")
		}
		if cfg.ClerkTokens {
			return nil, errors.New("bearer: ClerkTokens needs the built-in verifier, which sees the token's header; leave ValidateToken unset or ClerkTokens false")
		}
		if cfg.MaxTokenBytes < 0 {
			return nil, errors.New("bearer: MaxTokenBytes must not be negative (zero takes the default)")
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

// Require authenticates r strictly, for a middleware such as CheckJWT: it
// returns r carrying its auth object, or the answer to send instead when r
// has no valid token (401, or 400 when malformed, 503 when keys are
// unavailable). A CORS preflight gets a bare 204: browsers send preflights
// without credentials, so a 401 would break CORS, yet anyone can send those
// headers, so a strict route never runs its handler for one. A CORS
// middleware placed before authentication answers preflights with the right
// headers before they get here. A request the Skipper skips is returned as
// it is.
func (a *Authenticator) Require(r *http.Request) (*http.Request, *Answer) {
	return a.require(r, a.accepts)
}

// require is Require for a route accepting the token types accepts.
func (a *Authenticator) require(r *http.Request, accepts typeSet) (*http.Request, *Answer) {
	if a.skipper(r) {
		return r, nil
	}
	if isPreflight(r) {
		return r, preflightAnswer
	}
	auth := a.authenticate(r, accepts)
	if !auth.IsAuthenticated {
		return r, fail(failure(&auth), &auth)
	}
	return attach(r, auth), nil
}

// Attach authenticates r laxly, for a middleware such as WithAuth: it
// returns r carrying its auth object, signed in or signed out, and never
// refuses. A token that is present but invalid is never treated as signed
// in; RequireAuth further on answers with the reason. CORS preflights and
// skipped requests are returned as they are.
func (a *Authenticator) Attach(r *http.Request) *http.Request {
	return a.attach(r, a.accepts)
}

// attach is Attach for a route accepting the token types accepts.
func (a *Authenticator) attach(r *http.Request, accepts typeSet) *http.Request {
	if a.skipper(r) || isPreflight(r) {
		return r
	}
	return attach(r, a.authenticate(r, accepts))
}

// authenticate turns a request into its auth object, the request's own
// copy.
func (a *Authenticator) authenticate(r *http.Request, accepts typeSet) Auth {
	raw, scheme, reqErr := a.sources.extract(r)
	auth := a.authenticateToken(r, raw, scheme, reqErr, accepts)
	auth.scheme = scheme
	if auth.Err != nil {
		// Inside the branch: the target errors.As writes through escapes,
		// and would cost every signed-in request an allocation.
		var e *Error
		if errors.As(auth.Err, &e) && e.Scheme == "" {
			e.Scheme = scheme
		}
	}
	return auth
}

// authenticateToken authenticates the token raw that came with scheme.
func (a *Authenticator) authenticateToken(r *http.Request, raw, scheme string, reqErr *Error, accepts typeSet) Auth {
	if reqErr != nil {
		return a.signedOut(reqErr)
	}
	if raw == "" {
		return Auth{how: a.how}
	}
	if a.dpop != nil && scheme != SchemeDPoP {
		if _, ok := r.Header["Dpop"]; ok {
			// RFC 9449 §7.2: a proof means the DPoP scheme; which of the two
			// the client meant is unknowable.
			return a.signedOut(invalidRequest(descProofNoScheme))
		}
		if a.dpop.mode == DPoPRequired {
			return a.signedOut(invalidToken(descDPoPRequired, nil))
		}
	}
	if a.introspector != nil && isOpaque(raw) {
		return a.authenticateOpaque(r, raw, scheme, accepts)
	}
	if a.clerkAPI != nil && isOpaque(raw) {
		if kind, ok := clerkapi.KindOf(raw); ok {
			return a.authenticateClerkMachine(r, raw, scheme, TokenType(kind), accepts)
		}
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
		d = tokenhook.Derive(tok, deriveShared, a).(*derivation)
		if d.description != "" {
			// A refusal's cause (a *scopes.ClaimError, say) reaches the
			// handler through Auth.Err, so each request gets its own:
			// refused tokens pay the derivation again, signed-in ones not.
			d = a.derive(validated)
		}
	} else {
		d = a.derive(validated)
	}
	auth := a.admit(d)
	if !auth.IsAuthenticated {
		return auth
	}
	if !accepts.has(auth.TokenType) {
		// Before the DPoP proof: a token the route refuses spends no
		// proof in the replay store.
		return a.signedOut(invalidToken(auth.TokenType.refusal(), ErrTokenType))
	}
	return a.confirm(r, raw, scheme, auth)
}

// confirm applies the token's binding (RFC 9449 §7): a DPoP-bound token
// needs the DPoP scheme and a valid proof of its key, the DPoP scheme needs
// a bound token.
func (a *Authenticator) confirm(r *http.Request, raw, scheme string, auth Auth) Auth {
	jkt := auth.session.jkt
	switch {
	case jkt == "" && scheme != SchemeDPoP:
		return auth
	case jkt == "" && a.dpop != nil && a.dpop.mode == DPoPRequired:
		return a.signedOut(invalidToken(descDPoPRequired, nil))
	case jkt == "":
		return a.signedOut(invalidToken(descNotBound, nil))
	case a.dpop == nil:
		return a.signedOut(invalidToken(descBoundDPoPOff, nil))
	case scheme != SchemeDPoP:
		return a.signedOut(invalidToken(descBoundAsBearer, nil))
	}
	if err := a.dpop.checkProof(r, raw, auth.session); err != nil {
		return a.signedOut(err)
	}
	auth.proven = true
	return auth
}

// deriveShared is the derivation the verified-token cache keeps beside a
// token, computed by the Authenticator in arg. It captures nothing, so that
// the calls that find it already computed allocate nothing.
func deriveShared(tok, arg any) (any, int) {
	d := arg.(*Authenticator).derive(tok)
	return d, d.retainedBytes()
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
	// session is the one auth points to when derive built it, and claims
	// the index it was built from: one allocation with the derivation
	// rather than three, at every token's first sight. (The index goes to
	// the heap in any case: scopes.Parse and clerk.Parse read it through
	// an interface.)
	session session
	claims  pickedClaims
}

// refuse makes d the refusal of a token, for description and cause. What
// was built before the refusal goes: the cache keeps a refusal beside its
// token, and counts it as the derivation alone.
func (d *derivation) refuse(description string, cause error) *derivation {
	d.auth, d.description, d.cause = Auth{}, description, cause
	d.session, d.claims = session{}, pickedClaims{}
	return d
}

// derive works out what a validated token establishes.
func (a *Authenticator) derive(validated any) *derivation {
	d := &derivation{}
	auth, err := newAuth(validated, &d.session, &d.claims)
	if err != nil {
		return d.refuse(token.Description(err), err)
	}
	if auth.session.otherBinding {
		return d.refuse(descOtherBinding, nil)
	}
	s := auth.session
	var ok bool
	var header token.Header
	if tok := auth.Token(); !tok.IsZero() {
		header = tok.Header()
	}
	_, introspected := validated.(token.Claims)
	if s.tokenType, ok = typeOf(a.clerkTokens, introspected, header, auth.Subject, s.machine); !ok {
		return d.refuse(descNoTokenType, ErrTokenType)
	}
	auth.TokenType, auth.TokenID = s.tokenType, s.machine.id
	if s.tokenType == SessionToken && len(a.sessionParties) > 0 {
		if err := checkParty(s.machine.authorizedParty, a.sessionParties); err != nil {
			return d.refuse(token.Description(err), err)
		}
	}
	if s.tokenType == M2MToken {
		// A machine is not a person: UserID stays empty, so that a handler
		// reading it never takes the machine for a user.
		auth.UserID, auth.present = "", auth.present&^hasUserID
		auth.MachineID = auth.Subject
		if a.clerkTokens {
			// As @clerk/backend builds its machine auth object: the scopes
			// are the machines allowed to receive the token.
			claims := auth.Claims()
			s.grants.Scopes = clerkMachineScopes(claims)
			s.machineClaimsJSON = clerkCustomClaims(claims)
			if a.machineID != "" && !slices.Contains(s.grants.Scopes, a.machineID) {
				return d.refuse(descNotForThisMachine, ErrTokenType)
			}
		} else {
			auth.MachineID = cmp.Or(s.machine.clientID, s.machine.authorizedParty, auth.Subject)
		}
	}
	if s.tokenType != SessionToken {
		auth.ClientID = cmp.Or(s.machine.clientID, s.machine.authorizedParty)
	}
	if a.ignorePermissionsClaim {
		auth.session.grants.Permissions = nil
	}
	auth.how = a.how
	d.auth = auth
	return d
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
	return Auth{Err: err, how: a.how}
}

// descKeysUnavailable is the description of a 503 for want of the
// issuer's signing keys.
const descKeysUnavailable = "signing keys are unavailable, retry later"

// classify turns a validation failure into the Error it answers with.
func classify(err error) *Error {
	var unavail *jwks.UnavailableError
	if errors.As(err, &unavail) {
		return unavailable(descKeysUnavailable, unavail.RetryAfter, err)
	}
	if errors.Is(err, jwks.ErrUnavailable) {
		return unavailable(descKeysUnavailable, 0, err)
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
