package dpop

import (
	"net/url"
	"testing"
)

// FuzzPlainPath checks the shortcut requestPath takes against what parsing
// the request target gives: wherever plainPath answers, it answers as
// url.ParseRequestURI and URL.EscapedPath do.
func FuzzPlainPath(f *testing.F) {
	for _, seed := range []string{"/api/private?x=1", "/a/./b/../c", "/~user/a:b@c;d=e", "//x/y", "/a%2Fb", "/a b", "/é", "*", "http://h/x"} {
		f.Add(seed)
	}
	f.Fuzz(func(t *testing.T, uri string) {
		path, ok := plainPath(uri)
		if !ok {
			return
		}
		u, err := url.ParseRequestURI(uri)
		if err != nil {
			t.Fatalf("plainPath(%q) = %q, but the target does not parse: %v", uri, path, err)
		}
		if want := u.EscapedPath(); path != want {
			t.Fatalf("plainPath(%q) = %q, parsing gives %q", uri, path, want)
		}
	})
}
