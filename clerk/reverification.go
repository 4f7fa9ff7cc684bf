package clerk

import (
	"fmt"

	"github.com/scopegate/scopegate/internal/sealed"
	"github.com/scopegate/scopegate/scopes"
)

// Reverification levels: which factors a reverification requirement looks at.
const (
	// FirstFactor needs a recent first factor (password, email code, ...).
	FirstFactor = "first_factor"
	// SecondFactor needs a recent second factor when the user has one, else a recent first factor.
	SecondFactor = "second_factor"
	// MultiFactor needs both factors recent when the user has a second factor, else a recent first factor.
	MultiFactor = "multi_factor"
)

// reverificationPresets are Clerk's named levels.
var reverificationPresets = map[string]struct {
	level        string
	afterMinutes float64
}{
	"strict_mfa": {MultiFactor, 10},
	"strict":     {SecondFactor, 10},
	"moderate":   {SecondFactor, 60},
	"lax":        {SecondFactor, 1440},
}

// Reverification requires that the user verified recently, by one of Clerk's named levels: "strict_mfa"
// (both factors within 10 minutes), "strict" (10 minutes), "moderate" (1 hour) or "lax" (1 day). It reads the
// `fva` claim and decides exactly as Clerk's has({ reverification }) does, fallbacks included: a user without
// a second factor passes "strict" and "strict_mfa" on a recent first factor.
func Reverification(preset string) scopes.Requirement {
	p, ok := reverificationPresets[preset]
	r := &reverification{name: preset, preset: preset, level: p.level, afterMinutes: p.afterMinutes}
	if !ok {
		r.err = fmt.Errorf("unknown reverification level %q; use strict_mfa, strict, moderate or lax", preset)
	}
	return r
}

// ReverificationAfter requires verification at level (FirstFactor, SecondFactor or MultiFactor) less than
// afterMinutes ago, which must be positive.
func ReverificationAfter(level string, afterMinutes float64) scopes.Requirement {
	r := &reverification{name: fmt.Sprintf("%s within %g minutes", level, afterMinutes), level: level, afterMinutes: afterMinutes}
	switch {
	case level != FirstFactor && level != SecondFactor && level != MultiFactor:
		r.err = fmt.Errorf("unknown reverification level %q; use first_factor, second_factor or multi_factor", level)
	case !(afterMinutes > 0):
		r.err = fmt.Errorf("afterMinutes must be positive")
	}
	return r
}

// reverification is what Reverification and ReverificationAfter build.
type reverification struct {
	name         string
	preset       string // the named level asked for; "" for ReverificationAfter
	level        string
	afterMinutes float64
	err          error
}

// afterParam is has({ reverification: { level, afterMinutes } })'s
// parameter, in Clerk's member order.
type afterParam struct {
	Level        string  `json:"level"`
	AfterMinutes float64 `json:"afterMinutes"`
}

// ClerkReverification returns what the requirement asks of Clerk's has(),
// as @clerk/shared's reverificationError puts it in its metadata: the
// named level, or {level, afterMinutes}. It is sealed: the authentication
// layer answers a failed reverification with the body Clerk's frontends
// recognise, and no other requirement can claim to be one.
func (r *reverification) ClerkReverification(sealed.Seal) any {
	if r.preset != "" {
		return r.preset
	}
	return afterParam{Level: r.level, AfterMinutes: r.afterMinutes}
}

// Satisfied implements scopes.Requirement.
func (r *reverification) Satisfied(g scopes.Grants) bool {
	s := sessionOf(g)
	if r.err != nil || s == nil || s.Subject == "" || len(s.FactorVerificationAge) != 2 {
		return false
	}
	first, second := s.FactorVerificationAge[0], s.FactorVerificationAge[1]
	if first == -1 && second == -1 {
		return false
	}
	// Fresh means strictly less than afterMinutes ago; -1 marks a factor the user has not set up.
	firstFresh := first != -1 && r.afterMinutes > first
	secondFresh := second != -1 && r.afterMinutes > second
	switch r.level {
	case FirstFactor:
		return firstFresh
	case SecondFactor:
		if second == -1 {
			return firstFresh
		}
		return secondFresh
	case MultiFactor:
		if second == -1 {
			return firstFresh
		}
		if first == -1 {
			return false
		}
		return firstFresh && secondFresh
	}
	return false
}

// Scope implements scopes.Requirement; reverification is not an OAuth scope.
func (r *reverification) Scope() string { return "" }

// String implements scopes.Requirement.
func (r *reverification) String() string { return fmt.Sprintf("Reverification(%s)", r.name) }

// Err reports an unknown level or a non-positive age.
func (r *reverification) Err() error { return r.err }

// RequirementKind gives scopes.KindOf the kind, and tells scopes.Check that the requirement only reads the
// grants.
func (r *reverification) RequirementKind(sealed.Seal) scopes.Kind { return scopes.KindReverification }
