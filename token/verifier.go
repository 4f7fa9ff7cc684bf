package token

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/scopegate/scopegate/jwks"
)

// Verifier checks tokens against a fixed configuration. It is safe for
// concurrent use.
type Verifier struct {
	issuers           map[string]*issuerEntry
	skew              time.Duration
	maxAge            time.Duration
	strictType        bool
	requireSubject    bool
	types             []string
	authorizedParties []string
	maxBytes          int
	now               func() time.Time
	cache             *tokenCache // nil when disabled
	headers           headerCache
	logger            *slog.Logger
	// nearIssuers remembers the near-miss issuers already logged; it holds
	// at most two values per trusted issuer (see noteNearIssuer).
	nearIssuers sync.Map
}

// New validates cfg and returns a Verifier. Configuration mistakes are
// reported here, with how to fix them, rather than at the first request.
func New(cfg Config) (*Verifier, error) {
	issuers, err := cfg.validate()
	if err != nil {
		return nil, err
	}
	v := &Verifier{
		issuers:           issuers,
		skew:              cfg.ClockSkew,
		maxAge:            cfg.MaxTokenAge,
		strictType:        cfg.RequireAccessTokenType,
		requireSubject:    cfg.RequireSubject,
		types:             slices.Clone(cfg.Types),
		authorizedParties: slices.Clone(cfg.AuthorizedParties),
		maxBytes:          cfg.MaxTokenBytes,
		now:               cfg.Now,
		logger:            cfg.Logger,
	}
	v.cache = newTokenCache(cfg.CacheEntries, cfg.CacheBytes, func(t *verified) bool { return !v.stillValid(t) })
	switch v.skew {
	case 0:
		v.skew = DefaultClockSkew
	case NoClockSkew:
		v.skew = 0
	}
	if v.maxBytes == 0 {
		v.maxBytes = DefaultMaxTokenBytes
	}
	if v.now == nil {
		v.now = time.Now
	}
	return v, nil
}

// ValidateToken verifies raw and returns its Token; it has the signature of
// go-jwt-middleware's jwtmiddleware.ValidateToken.
func (v *Verifier) ValidateToken(ctx context.Context, raw string) (any, error) {
	tok, err := v.Verify(ctx, raw)
	if err != nil {
		// A zero Token in an interface would not compare equal to nil.
		return nil, err
	}
	return tok, nil
}

// Verify checks raw and returns the verified token. The checks run cheapest
// first, so that junk is refused before it costs a key lookup or a signature
// verification: size, structure, header, algorithm and issuer. Then the
// signature, and only then the claims: a token whose signature does not
// verify learns nothing of the audience, the authorized parties or the
// server's clock. Every error wraps one ValidationError, except when the
// issuer's keys cannot be had: then it wraps jwks.ErrUnavailable and the
// token may be valid.
//
// A token that passed is remembered (see Config.CacheEntries); presented
// again, it costs the claim checks that depend on time and a check that its
// key is still published, not a new signature verification.
func (v *Verifier) Verify(ctx context.Context, raw string) (Token, error) {
	if len(raw) > v.maxBytes {
		return Token{}, ErrTooLarge
	}
	if v.cache != nil {
		if tok := v.cache.get(raw); tok != nil {
			if v.stillValid(tok) {
				v.cache.hits.Add(1)
				return Token{tok}, nil
			}
			// Expired, or its key left the key set: forget it and let the
			// full verification give the precise answer.
			v.cache.remove(raw, tok)
		}
		v.cache.misses.Add(1)
	}
	tok, err := v.verify(ctx, raw)
	if err != nil {
		return Token{}, err
	}
	if v.cache != nil {
		v.cache.put(raw, tok)
	}
	return Token{tok}, nil
}

// stillValid re-checks a cached verification: every claim rule that depends
// on the time, and that the key which verified it is still published.
func (v *Verifier) stillValid(tok *verified) bool {
	iss, ok := v.issuers[tok.claims.issuer]
	if !ok || v.checkClaims(&tok.claims, iss) != nil {
		return false
	}
	if m, ok := iss.Keys.(jwks.Membership); ok {
		return m.Has(tok.key)
	}
	return true
}

// verify runs every check on a token not found in the cache.
func (v *Verifier) verify(ctx context.Context, raw string) (*verified, error) {
	parts, err := splitCompact(raw)
	if err != nil {
		return nil, err
	}
	header, knownHeader := v.headers.get(parts.header)
	if !knownHeader {
		headerJSON, err := decodeSegment(parts.header, "header", nil)
		if err != nil {
			return nil, err
		}
		if header, err = parseHeader(headerJSON, v.strictType); err != nil {
			return nil, err
		}
	}
	if !typeListed(header.Type, v.types) {
		return nil, ErrType
	}
	if !jwks.IsSupported(header.Algorithm) {
		return nil, ErrAlgorithm
	}
	// The payload decodes into an allocation of its own: the cache keeps
	// it.
	payload, err := decodeSegment(parts.payload, "payload", nil)
	if err != nil {
		return nil, err
	}
	// The claim index is built on the stack and copied out at its exact
	// length: it stays with the token, in the cache too. (A room for it in
	// the Token would save that allocation but cost every cached token the
	// room's unused part.) The payload is frozen from here on: names and
	// string claims are borrowed from it.
	var scratch [32]member
	members, err := parseFrozen(scratch[:0], payload, maxPayloadDepth)
	if err != nil {
		return nil, fmt.Errorf("%w: payload: %w", ErrMalformed, err)
	}
	tok := &verified{header: header, claims: claimData{raw: payload, members: slices.Clone(members)}}

	// The issuer decides which keys may be consulted, so it is settled
	// before any key lookup (RFC 8725 §3.8): a token naming an issuer we do
	// not trust costs nothing but this map lookup. It is the only claim
	// read before the signature; a token without a usable one names no
	// issuer we trust.
	issuer, err := tok.claims.issuerClaim()
	if err != nil {
		return nil, err
	}
	iss, ok := v.issuers[issuer]
	if !ok {
		v.noteNearIssuer(issuer)
		return nil, ErrIssuer
	}
	tok.claims.issuer = issuer
	if iss.algorithms != nil && !iss.algorithms[header.Algorithm] {
		return nil, ErrAlgorithm
	}

	var sigScratch [512]byte // RSA-4096's; EC and EdDSA signatures are smaller
	signature, err := decodeSegment(parts.signature, "signature", sigScratch[:])
	if err != nil {
		return nil, err
	}
	if len(signature) == 0 {
		return nil, ErrSignature
	}
	key, err := iss.Keys.Key(ctx, header.KeyID, header.Algorithm)
	if err != nil {
		switch {
		case errors.Is(err, jwks.ErrUnavailable):
			return nil, err
		case errors.Is(err, jwks.ErrAmbiguousKey):
			return nil, fmt.Errorf("%w: %w", ErrUnknownKey, err)
		default:
			return nil, ErrUnknownKey
		}
	}
	if err := verifySignature(tok, key, header.Algorithm, raw, parts, signature); err != nil {
		if errors.Is(err, jwks.ErrAlgorithm) {
			return nil, ErrAlgorithm
		}
		return nil, ErrSignature
	}
	if !knownHeader {
		// The issuer signed this header: remembering it costs junk nothing.
		v.headers.put(parts.header, header)
	}
	// Only now that the issuer vouches for the claims are they judged, their
	// JSON types included; a forged token was refused above whatever it
	// claims.
	if err := tok.claims.decodeRegistered(); err != nil {
		return nil, err
	}
	if err := v.checkClaims(&tok.claims, iss); err != nil {
		return nil, err
	}
	tok.key = key
	return tok, nil
}

// checkClaims applies the rules on claims, in the order a reader of a
// failed token would look: lifetime, audience, then the optional rules.
func (v *Verifier) checkClaims(c *claimData, iss *issuerEntry) error {
	now := v.now()
	if c.expiry.IsZero() {
		return fmt.Errorf("%w: exp", ErrMissingClaim)
	}
	// RFC 7519 §4.1.4: the token is valid strictly before exp.
	if !now.Before(c.expiry.Add(v.skew)) {
		return ErrExpired
	}
	if !c.notBefore.IsZero() && now.Add(v.skew).Before(c.notBefore) {
		return ErrNotYetValid
	}
	if !c.issuedAt.IsZero() && now.Add(v.skew).Before(c.issuedAt) {
		return ErrIssuedInFuture
	}
	if !iss.SkipAudienceCheck && !audienceMatches(c.audience, iss.Audiences) {
		if len(c.audience) == 0 {
			return fmt.Errorf("%w: aud", ErrMissingClaim)
		}
		return ErrAudience
	}
	if v.maxAge > 0 {
		if c.issuedAt.IsZero() {
			return fmt.Errorf("%w: iat", ErrMissingClaim)
		}
		if now.Sub(c.issuedAt) > v.maxAge+v.skew {
			return ErrTooOld
		}
	}
	if v.strictType {
		for _, name := range [...]string{"iat", "sub", "client_id", "jti"} {
			if _, ok := c.value(name); !ok {
				return fmt.Errorf("%w: %s", ErrMissingClaim, name)
			}
		}
	}
	if v.requireSubject && c.subject == "" {
		return fmt.Errorf("%w: sub", ErrMissingClaim)
	}
	if len(v.authorizedParties) > 0 && !slices.Contains(v.authorizedParties, c.authorizedParty) {
		if c.authorizedParty == "" {
			return fmt.Errorf("%w: azp", ErrMissingClaim)
		}
		return ErrAuthorizedParty
	}
	return nil
}

// noteNearIssuer warns, once per value, about a token whose "iss" differs
// from a trusted issuer only by a trailing slash: the commonest mistake in
// configuring Auth0 (whose issuer ends in "/") or Clerk (whose does not),
// and one the client cannot diagnose from "token issuer is not trusted".
// Only such values are remembered, so a flood of distinct issuers grows
// nothing: each trusted issuer has two near misses at most, one slash more
// and one fewer.
func (v *Verifier) noteNearIssuer(iss string) {
	trusted := iss + "/"
	if trimmed, ok := strings.CutSuffix(iss, "/"); ok {
		trusted = trimmed
	}
	if _, ok := v.issuers[trusted]; !ok {
		return
	}
	if _, logged := v.nearIssuers.Load(iss); logged {
		return
	}
	// A copy: iss is borrowed from the token's payload (see borrowString),
	// which the set would otherwise keep alive.
	if _, logged := v.nearIssuers.LoadOrStore(strings.Clone(iss), struct{}{}); logged {
		return
	}
	logger := v.logger
	if logger == nil {
		// Looked up now, so that a default the application sets after New
		// is the one used.
		logger = slog.Default()
	}
	logger.Warn("token issuer differs from a trusted issuer only by a trailing slash; check the configured issuer",
		"token_iss", iss, "configured_issuer", trusted)
}

// audienceMatches reports whether any of the token's audiences is ours.
func audienceMatches(tokenAudiences, ours []string) bool {
	for _, a := range tokenAudiences {
		if slices.Contains(ours, a) {
			return true
		}
	}
	return false
}
