package scopes

import (
	"errors"
	"fmt"
)

// Requirement is a condition on [Grants]. Build one with [All], [Any], [Permission] or [AnyPermission] (or
// package clerk's Role, Feature, Plan, Reverification) and combine them with [And] and [Or]; applications may
// implement it too.
//
// A Requirement is immutable once built and safe for concurrent use.
type Requirement interface {
	// Satisfied reports whether g meets the requirement. An invalid requirement is never satisfied.
	Satisfied(g Grants) bool
	// Scope returns the space-separated names a client must obtain, for the scope="..." attribute of an
	// RFC 6750 insufficient_scope challenge: All("a", "b") and Any("a", "b") give "a b",
	// Permission("org:admin") gives "org:admin".
	Scope() string
	// String describes the requirement for logs and error messages, e.g. "all of scopes [a b]".
	String() string
}

// ErrInvalidRequirement is matched (with errors.Is) by every error [Validate] returns.
var ErrInvalidRequirement = errors.New("scopes: invalid requirement")

// Validate reports whether r was built correctly. A nil r is invalid; so is a requirement from this package built
// without names, with an empty name, or with a name outside the RFC 6749 scope-token characters (%x21 / %x23-5B /
// %x5D-7E), since such a name cannot be written into a challenge's scope attribute nor be granted by a
// space-separated scope string; and so is a combination of which any part is invalid.
//
// Constructors record such mistakes instead of panicking so that the middleware can report them with the route
// they concern: middleware constructors call Validate and panic with its error when routes are registered.
// A Requirement implemented outside this package (package clerk's, or the application's) is invalid when it
// has an Err() error method that returns a non-nil error.
func Validate(r Requirement) error {
	if r == nil {
		return &requirementError{detail: "nil requirement"}
	}
	v, ok := r.(interface{ Err() error })
	if !ok {
		return nil
	}
	err := v.Err()
	if err == nil || errors.Is(err, ErrInvalidRequirement) {
		return err
	}
	return &requirementError{detail: r.String() + ": " + err.Error(), cause: err}
}

// Must returns r, or panics with the error of [Validate], like regexp.MustCompile: for requirements an application
// builds once at start-up.
func Must(r Requirement) Requirement {
	if err := Validate(r); err != nil {
		panic(err)
	}
	return r
}

// requirementError is how this package reports a requirement built wrongly. detail locates the mistake, also
// inside combinations, without repeating the package prefix at every level.
type requirementError struct {
	detail string
	cause  error // an application requirement's own error, kept for errors.Is and errors.As
}

// Error says what is wrong and where.
func (e *requirementError) Error() string { return ErrInvalidRequirement.Error() + ": " + e.detail }

// Is lets errors.Is(err, ErrInvalidRequirement) match.
func (e *requirementError) Is(target error) bool { return target == ErrInvalidRequirement }

// Unwrap gives the application requirement's own error, if any.
func (e *requirementError) Unwrap() error { return e.cause }

// checkName returns why name cannot appear in a requirement, or "" when it can.
func checkName(name string) string {
	if name == "" {
		return "empty name"
	}
	for _, c := range name {
		if c < 0x21 || c > 0x7e || c == '"' || c == '\\' {
			return fmt.Sprintf("%q contains %q, which is not an RFC 6749 scope-token character", name, c)
		}
	}
	return ""
}
