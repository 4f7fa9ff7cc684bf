package bearer

import (
	"cmp"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"slices"
	"strings"
	"time"

	"github.com/scopegate/scopegate/dpop"
	"github.com/scopegate/scopegate/internal/textsum"
	"github.com/scopegate/scopegate/internal/tokenhook"
	"github.com/scopegate/scopegate/jwks"
	"github.com/scopegate/scopegate/token"
)

// The authentication schemes of challenges and Error.Scheme.
const (
	SchemeBearer = "Bearer"
	SchemeDPoP   = "DPoP"
)

// DPoPMode says whether requests may prove possession of the key their
// token is bound to (RFC 9449).
type DPoPMode int

const (
	// DPoPAllowed, the default, accepts DPoP-bound tokens with the DPoP
	// scheme and a proof, and unbound tokens with the Bearer scheme; every
	// challenge offers both schemes.
	DPoPAllowed DPoPMode = iota
	// DPoPRequired accepts only DPoP-bound tokens with the DPoP scheme and
	// a proof; challenges offer only DPoP.
	DPoPRequired
	// DPoPOff accepts only Bearer; the DPoP scheme is not recognised, and a
	// DPoP-bound token is refused, since its binding cannot be checked.
	DPoPOff
)

// String returns the mode's name, as ParseDPoPMode reads it.
func (m DPoPMode) String() string {
	switch m {
	case DPoPAllowed:
		return "allowed"
	case DPoPRequired:
		return "required"
	case DPoPOff:
		return "off"
	}
	return fmt.Sprintf("DPoPMode(%d)", int(m))
}

// ParseDPoPMode reads "off", "allowed" or "required" (case-insensitive),
// for a setting taken from the environment.
func ParseDPoPMode(s string) (DPoPMode, error) {
	for _, m := range []DPoPMode{DPoPAllowed, DPoPRequired, DPoPOff} {
		if strings.EqualFold(s, m.String()) {
			return m, nil
		}
	}
	return 0, fmt.Errorf("bearer: DPoP mode %q is not off, allowed or required", s)
}

// Defaults of DPoPConfig.
const (
	// DefaultMaxProofAge is how long ago a proof may have been issued.
	DefaultMaxProofAge = 300 * time.Second
	// DefaultProofLeeway is how far in the future a proof's issue time may
	// be, for clients whose clock runs ahead.
	DefaultProofLeeway = 30 * time.Second
)

// DPoPConfig configures DPoP (RFC 9449): tokens bound to a key their
// client holds, each request carrying a proof signed with it. Zero values
// take the defaults: DPoP allowed beside Bearer, proofs of any asymmetric
// algorithm up to 300 s old, each accepted once by an in-memory replay
// store, no server nonces.
type DPoPConfig struct {
	// Mode is DPoPAllowed (the default), DPoPRequired or DPoPOff.
	Mode DPoPMode
	// Algorithms lists the proof algorithms accepted, and offered in
	// challenges (algs="..."); default jwks.AsymmetricAlgorithms().
	Algorithms []string
	// MaxProofAge is how long ago a proof may have been issued; default
	// DefaultMaxProofAge.
	MaxProofAge time.Duration
	// ProofLeeway is how far in the future a proof may have been issued;
	// default DefaultProofLeeway.
	ProofLeeway time.Duration
	// MaxProofBytes caps the DPoP header before any decoding; default
	// token.DefaultMaxProofBytes.
	MaxProofBytes int
	// ReplayStore remembers accepted proofs so that each is accepted once;
	// default a dpop.MemoryReplayStore of ReplayCapacity entries. Instances
	// of one API share one store (redisreplay.Store, from the module
	// github.com/scopegate/scopegate/dpop/redisreplay, or another
	// dpop.ReplayStore over a shared database), or a proof accepted by one
	// can be replayed against another.
	ReplayStore dpop.ReplayStore
	// ReplayCapacity bounds the default in-memory store; default
	// dpop.DefaultReplayCapacity. Not with ReplayStore.
	ReplayCapacity int
	// NonceSecret, when set, makes every proof carry a nonce this server
	// issued (RFC 9449 §8): a proof without a valid one is answered 401
	// use_dpop_nonce with a fresh nonce in the DPoP-Nonce header. At least
	// dpop.MinNonceSecretBytes random bytes; instances sharing it accept
	// each other's nonces. Default: no nonces.
	NonceSecret []byte
	// PreviousNonceSecrets are still accepted, to rotate NonceSecret.
	PreviousNonceSecrets [][]byte
	// NonceLifetime is how long a nonce is accepted; default
	// dpop.DefaultNonceLifetime.
	NonceLifetime time.Duration
	// PublicOrigin is the scheme, host and optional path prefix clients
	// reach this API at ("https://api.example.com"), which their proofs'
	// "htu" names; needed behind a proxy that changes them. Default: the
	// request's own scheme and Host, which the client writes, so that a
	// proof is then bound to this API's host only as far as the server
	// refuses hosts it does not serve: set PublicOrigin in production.
	PublicOrigin string
	// TrustForwardedHeaders takes the scheme and host from the Forwarded or
	// X-Forwarded-Proto and X-Forwarded-Host headers when PublicOrigin is
	// unset. Only behind a proxy that sets them itself: otherwise a client
	// chooses the URL its proofs are checked against.
	TrustForwardedHeaders bool
}

// dpopChecker applies DPoPConfig to requests.
type dpopChecker struct {
	mode        DPoPMode
	algorithms  []string
	algs        string // the algorithms as challenges offer them
	maxAge      time.Duration
	leeway      time.Duration
	proofs      *token.ProofVerifier
	replay      dpop.ReplayStore
	nonces      *dpop.Nonces // nil without NonceSecret
	target      *dpop.Target
	now         func() time.Time
	replayStore *dpop.MemoryReplayStore // the default store, for its stats
}

// replayMargin is how much longer than a proof can stay fresh the replay
// store keeps it. A proof issued leeway ahead is fresh until exactly
// maxAge+leeway after it was accepted, inclusive, while a store forgets an
// entry once its time to live has run; the margin also covers a store
// whose clock has a coarser grain (Redis counts milliseconds).
const replayMargin = time.Second

// replayTTL is how long the replay store keeps an accepted proof.
func (c *dpopChecker) replayTTL() time.Duration { return c.maxAge + c.leeway + replayMargin }

// newDPoPChecker checks cfg, in the words of Config, and builds its
// checker; nil for DPoPOff.
func newDPoPChecker(cfg DPoPConfig, now func() time.Time) (*dpopChecker, error) {
	switch cfg.Mode {
	case DPoPAllowed, DPoPRequired:
	case DPoPOff:
		if !cfg.isZeroBesidesMode() {
			return nil, errors.New("bearer: DPoP.Mode is DPoPOff, so the other DPoP settings would have no effect; remove them or allow DPoP")
		}
		return nil, nil
	default:
		return nil, fmt.Errorf("bearer: DPoP.Mode %d is not DPoPAllowed, DPoPRequired or DPoPOff", int(cfg.Mode))
	}
	c := &dpopChecker{mode: cfg.Mode, maxAge: cmp.Or(cfg.MaxProofAge, DefaultMaxProofAge),
		leeway: cmp.Or(cfg.ProofLeeway, DefaultProofLeeway), now: now}
	for name, d := range map[string]time.Duration{"MaxProofAge": cfg.MaxProofAge, "ProofLeeway": cfg.ProofLeeway, "NonceLifetime": cfg.NonceLifetime} {
		if d < 0 {
			return nil, fmt.Errorf("bearer: DPoP.%s must not be negative (zero takes the default)", name)
		}
	}
	if cfg.MaxProofBytes < 0 || cfg.ReplayCapacity < 0 {
		return nil, errors.New("bearer: DPoP.MaxProofBytes and DPoP.ReplayCapacity must not be negative (zero takes the default)")
	}
	c.algorithms = slices.Clone(cfg.Algorithms)
	if len(c.algorithms) == 0 {
		c.algorithms = jwks.AsymmetricAlgorithms()
	}
	for _, alg := range c.algorithms {
		if !jwks.IsSupported(alg) || jwks.IsSymmetric(alg) {
			return nil, fmt.Errorf("bearer: DPoP.Algorithms entry %q is not an asymmetric algorithm; use some of %s", alg, strings.Join(jwks.AsymmetricAlgorithms(), ", "))
		}
	}
	// The verifier refuses other algorithms before checking a signature.
	proofs, err := token.NewProofVerifier(token.ProofConfig{MaxBytes: cfg.MaxProofBytes, Algorithms: c.algorithms})
	if err != nil {
		return nil, err
	}
	c.proofs = proofs
	switch {
	case cfg.ReplayStore != nil && cfg.ReplayCapacity != 0:
		return nil, errors.New("bearer: DPoP.ReplayCapacity bounds the default replay store; with DPoP.ReplayStore set, bound that store instead")
	case cfg.ReplayStore != nil:
		c.replay = cfg.ReplayStore
	default:
		store, err := dpop.NewMemoryReplayStore(cfg.ReplayCapacity, now)
		if err != nil {
			return nil, fmt.Errorf("bearer: DPoP.ReplayCapacity: %w", err)
		}
		c.replay, c.replayStore = store, store
	}
	if cfg.NonceSecret != nil || len(cfg.PreviousNonceSecrets) > 0 || cfg.NonceLifetime != 0 {
		if err := checkNonceSecrets(cfg); err != nil {
			return nil, err
		}
		nonces, err := dpop.NewNonces(dpop.NonceConfig{Secret: cfg.NonceSecret, PreviousSecrets: cfg.PreviousNonceSecrets,
			Lifetime: cfg.NonceLifetime, Now: now})
		if err != nil {
			return nil, fmt.Errorf("bearer: DPoP.NonceSecret: %w", err)
		}
		c.nonces = nonces
	}
	target, err := dpop.NewTarget(cfg.PublicOrigin, cfg.TrustForwardedHeaders)
	if err != nil {
		return nil, fmt.Errorf("bearer: DPoP.PublicOrigin: %w", err)
	}
	if cfg.PublicOrigin != "" && cfg.TrustForwardedHeaders {
		return nil, errors.New("bearer: DPoP.PublicOrigin already says where clients reach the API; TrustForwardedHeaders would have no effect, remove one")
	}
	c.target = target
	c.algs = strings.Join(c.algorithms, " ")
	return c, nil
}

// checkNonceSecrets refuses nonce settings without a secret, and secrets
// too short, naming the fields of DPoPConfig (dpop.NewNonces would name
// its own).
func checkNonceSecrets(cfg DPoPConfig) error {
	if cfg.NonceSecret == nil {
		return errors.New("bearer: DPoP.PreviousNonceSecrets and DPoP.NonceLifetime apply to the nonces of DPoP.NonceSecret; set it too (at least 32 random bytes, openssl rand -base64 32), or remove them")
	}
	for i, s := range append([][]byte{cfg.NonceSecret}, cfg.PreviousNonceSecrets...) {
		if len(s) < dpop.MinNonceSecretBytes {
			name := "NonceSecret"
			if i > 0 {
				name = fmt.Sprintf("PreviousNonceSecrets[%d]", i-1)
			}
			return fmt.Errorf("bearer: DPoP.%s has %d bytes; use at least %d random bytes (openssl rand -base64 32)", name, len(s), dpop.MinNonceSecretBytes)
		}
	}
	return nil
}

// isZeroBesidesMode reports a configuration that sets nothing but Mode.
func (cfg DPoPConfig) isZeroBesidesMode() bool {
	return len(cfg.Algorithms) == 0 && cfg.MaxProofAge == 0 && cfg.ProofLeeway == 0 && cfg.MaxProofBytes == 0 &&
		cfg.ReplayStore == nil && cfg.ReplayCapacity == 0 && cfg.NonceSecret == nil && len(cfg.PreviousNonceSecrets) == 0 &&
		cfg.NonceLifetime == 0 && cfg.PublicOrigin == "" && !cfg.TrustForwardedHeaders
}

// Descriptions of DPoP failures: fixed text, never what the request held.
const (
	descOneProof        = "request must carry exactly one DPoP proof"
	descProofNoScheme   = "request carries a DPoP proof but not the DPoP scheme"
	descDPoPRequired    = "this API accepts only DPoP-bound tokens sent with the DPoP scheme"
	descBoundAsBearer   = "token is DPoP-bound: send it with the DPoP scheme and a proof"
	descBoundDPoPOff    = "token is DPoP-bound and this API does not accept DPoP"
	descNotBound        = "token is not DPoP-bound: send it with the Bearer scheme"
	descOtherBinding    = "token is bound by a confirmation method this API cannot check"
	descProofMethod     = "DPoP proof is for another HTTP method"
	descProofURL        = "DPoP proof is for another URL"
	descProofOld        = "DPoP proof was issued too long ago"
	descProofFuture     = "DPoP proof is issued in the future"
	descProofToken      = "DPoP proof is not for this access token"
	descProofKey        = "DPoP proof is not signed by the key the token is bound to"
	descProofReplayed   = "DPoP proof has been used before"
	descNonceMissing    = "DPoP proof must carry a nonce from the DPoP-Nonce header"
	descNonceStale      = "DPoP proof nonce is invalid or expired; retry with the nonce of the DPoP-Nonce header"
	descReplayUnchecked = "DPoP replay check is unavailable, retry later"
)

// proofHeader returns the request's single DPoP proof, or why there is not
// exactly one. Several values, in several header lines or joined by commas,
// are refused, since which one the client meant is unknowable.
func proofHeader(h http.Header) (string, bool) {
	values := h["Dpop"]
	if len(values) != 1 || values[0] == "" || strings.IndexByte(values[0], ',') >= 0 {
		return "", false
	}
	return values[0], true
}

// checkProof applies RFC 9449 §4.3 and §7 to a request presenting a
// verified, DPoP-bound token raw whose session is s. It returns nil or the
// failure to answer with.
func (c *dpopChecker) checkProof(r *http.Request, raw string, s *session) *Error {
	proofRaw, ok := proofHeader(r.Header)
	if !ok {
		return invalidProof(descOneProof, nil)
	}
	proof, err := c.proofs.Verify(proofRaw)
	if err != nil {
		return invalidProof(token.Description(err), err)
	}
	if proof.Method != r.Method {
		return invalidProof(descProofMethod, nil)
	}
	if !c.target.Matches(r, proof.URL) {
		return invalidProof(descProofURL, nil)
	}
	now := c.now()
	if proof.IssuedAt.Before(now.Add(-c.maxAge)) {
		return invalidProof(descProofOld, nil)
	}
	if proof.IssuedAt.After(now.Add(c.leeway)) {
		return invalidProof(descProofFuture, nil)
	}
	if !s.hasAccessTokenHash(raw, proof.AccessTokenHash) {
		return invalidProof(descProofToken, nil)
	}
	if proof.KeyThumbprint != s.jkt {
		return invalidProof(descProofKey, nil)
	}
	if c.nonces != nil {
		if proof.Nonce == "" {
			return c.useNonce(descNonceMissing, nil)
		}
		if err := c.nonces.Check(proof.Nonce); err != nil {
			return c.useNonce(descNonceStale, err)
		}
	}
	// Last, so that only proofs that pass every other check are recorded;
	// kept until no proof issued when this one was could still be fresh.
	replayed, err := c.replay.Use(r.Context(), dpop.ReplayID(proof.KeyThumbprint, proof.ID), c.replayTTL())
	if err != nil {
		var full *dpop.StoreFullError
		var retryAfter time.Duration
		if errors.As(err, &full) {
			retryAfter = full.RetryAfter
		}
		return unavailable(descReplayUnchecked, retryAfter, err)
	}
	if replayed {
		return invalidProof(descProofReplayed, nil)
	}
	return nil
}

// useNonce is the answer asking for a proof with a fresh nonce.
func (c *dpopChecker) useNonce(description string, cause error) *Error {
	return &Error{Kind: ErrUseDPoPNonce, Status: http.StatusUnauthorized, Code: "use_dpop_nonce", Description: description,
		Cause: cause, Scheme: SchemeDPoP, DPoPNonce: c.nonces.Issue()}
}

// hasAccessTokenHash reports whether ath is the "ath" of the token raw
// that s was derived from: the base64url SHA-256 of it (RFC 9449 §4.2).
// The hash is worked out once per session, which every request presenting
// the same token shares while its verification stays cached (the
// verified-token cache is keyed by the token's exact text, the opaque
// answers by its SHA-256), so a repeated token costs no hashing; the
// verifier hands over the hash it took with its signature's digest when
// it verified exactly raw (tokenhook.TextHash).
func (s *session) hasAccessTokenHash(raw, ath string) bool {
	s.athOnce.Do(func() {
		sum, ok := [32]byte{}, false
		if !s.token.IsZero() {
			sum, ok = tokenhook.TextHash(s.token, raw)
		}
		if !ok {
			sum = textsum.SHA256(raw)
		}
		base64.RawURLEncoding.Encode(s.ath[:], sum[:])
	})
	return string(s.ath[:]) == ath
}

// binding reads a verified token's confirmation claim "cnf" (RFC 7800):
// the thumbprint a DPoP-bound token names in "jkt", and whether it names
// another confirmation method instead (a certificate's, RFC 8705), which
// this API cannot check.
func binding(cnf json.RawMessage) (jkt string, other bool, err error) {
	if jkt, ok := jktOnly(cnf); ok {
		return jkt, false, nil
	}
	return readBinding(cnf)
}

// readBinding is binding through the general reader.
func readBinding(cnf json.RawMessage) (jkt string, other bool, err error) {
	rawJKT, members, err := tokenhook.Member(cnf, "jkt")
	if err != nil {
		return "", false, fmt.Errorf("%w: cnf", token.ErrClaimType)
	}
	if rawJKT == nil {
		return "", members > 0, nil
	}
	if jkt, err = tokenhook.String(rawJKT); err != nil || jkt == "" {
		return "", false, fmt.Errorf("%w: cnf.jkt", token.ErrClaimType)
	}
	return jkt, false, nil
}

// jktOnly returns the thumbprint of a confirmation claim written exactly
// as {"jkt":"<base64url>"}, the form DPoP issuers write, and true; false
// for any other text, which the general reader then reads. It decides
// nothing the reader would decide otherwise: such a text is one member,
// a string without escapes. The reader's call costs as much as the rest
// of the claim's handling, at every bound token's first sight.
func jktOnly(cnf []byte) (string, bool) {
	const prefix, suffix = `{"jkt":"`, `"}`
	if len(cnf) <= len(prefix)+len(suffix) || string(cnf[:len(prefix)]) != prefix || string(cnf[len(cnf)-len(suffix):]) != suffix {
		return "", false
	}
	for _, c := range cnf[len(prefix) : len(cnf)-len(suffix)] {
		if !(c >= 'A' && c <= 'Z' || c >= 'a' && c <= 'z' || c >= '0' && c <= '9' || c == '-' || c == '_') {
			return "", false
		}
	}
	// The quoted value, read by the token's reader, which borrows it from
	// the payload.
	jkt, err := tokenhook.String(cnf[len(prefix)-1 : len(cnf)-len(suffix)+1])
	return jkt, err == nil
}

// DPoPNonce returns a fresh DPoP nonce of this API and true when
// DPoP.NonceSecret is set; "" and false otherwise. A server may hand one
// out in the DPoP-Nonce header of any response (RFC 9449 §8.2), so that a
// client holds a fresh nonce before its own expires rather than learning
// it from a 401; refusals that ask for a nonce carry one already.
func (a *Authenticator) DPoPNonce() (string, bool) {
	if a.dpop == nil || a.dpop.nonces == nil {
		return "", false
	}
	return a.dpop.nonces.Issue(), true
}
