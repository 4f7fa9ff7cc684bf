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
		if len(s.names) >= maxDeclaredScopes {
			return
		}
		s.names[name] = struct{}{}
	}
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
