package bearer

import (
	"slices"
	"strings"
	"sync"
)

// maxDeclaredScopes bounds the scopes remembered from rules. Rules are
// built from the application's code at route registration, so their
// scopes are few; the bound only keeps an application that builds rules
// from request data from growing the set without end.
const maxDeclaredScopes = 1024

// maxDeclaredScopeBytes is the longest scope name listed: real ones are
// short, and a longer one is left out of the public document rather than
// let it grow by what a request sent.
const maxDeclaredScopeBytes = 128

// declaredScopes are the scopes named by the rules built in this process
// (RequireScopes, RequireAnyScope, Has): what their 403 challenges ask for,
// and what protected resource metadata lists in scopes_supported unless
// Config.ResourceScopesOnly is set. Rules are package functions, not tied
// to an Authenticator, so the set is the process's.
var declaredScopes scopeSet

// scopeSet is a bounded, concurrency-safe set of scope names.
type scopeSet struct {
	mu    sync.Mutex
	names map[string]struct{}
	// version counts the changes, so that a document built from the set
	// is rebuilt only when it changed.
	version uint64
}

// add remembers the space-separated scopes of a rule's challenge.
func (s *scopeSet) add(scope string) {
	if scope == "" {
		return
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.names == nil {
		s.names = make(map[string]struct{})
	}
	for name := range strings.FieldsSeq(scope) {
		if _, ok := s.names[name]; ok || len(s.names) >= maxDeclaredScopes || len(name) > maxDeclaredScopeBytes {
			continue
		}
		s.names[name] = struct{}{}
		s.version++
	}
}

// changes returns the set's version: it differs after every change.
func (s *scopeSet) changes() uint64 {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.version
}

// union returns extra and the set's names, each once, sorted.
func (s *scopeSet) union(extra []string) []string {
	s.mu.Lock()
	all := slices.Clone(extra)
	for name := range s.names {
		all = append(all, name)
	}
	s.mu.Unlock()
	slices.Sort(all)
	return slices.Compact(all)
}
