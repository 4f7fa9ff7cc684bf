package bearer

import (
	"fmt"
	"net/http"
	"net/url"
	"strings"
)

// checkSignInURL refuses sign-in URLs a redirect cannot use.
func checkSignInURL(raw string) error {
	if raw == "" {
		return nil
	}
	u, err := url.Parse(raw)
	if err != nil || (u.Scheme != "" && u.Scheme != "https" && u.Scheme != "http") || (u.Scheme == "" && !strings.HasPrefix(u.Path, "/")) {
		return fmt.Errorf("bearer: SignInURL %q must be an http(s) URL or a path starting with /", raw)
	}
	return nil
}

// isPageNavigation reports a browser loading a page, as opposed to a script
// or API client: Fetch Metadata says so directly, and browsers without it
// ask for HTML first.
func isPageNavigation(r *http.Request) bool {
	if r.Method != http.MethodGet && r.Method != http.MethodHead {
		return false
	}
	if dest := r.Header.Get("Sec-Fetch-Dest"); dest != "" {
		return dest == "document"
	}
	if mode := r.Header.Get("Sec-Fetch-Mode"); mode != "" {
		return mode == "navigate"
	}
	return strings.HasPrefix(r.Header.Get("Accept"), "text/html")
}

// redirectToSignIn sends a signed-out page navigation to the sign-in page,
// telling it where to come back to.
func redirectToSignIn(r *http.Request, signInURL string) *Answer {
	target, _ := url.Parse(signInURL) // checked at New
	back := requestScheme(r) + "://" + r.Host + r.URL.RequestURI()
	q := target.Query()
	q.Set("redirect_url", back)
	target.RawQuery = q.Encode()
	return &Answer{Status: http.StatusSeeOther, location: target.String()}
}

// requestScheme is the scheme the browser used: https over TLS, or what a
// TLS-terminating proxy says in X-Forwarded-Proto (as Echo's Context.Scheme
// reads it), http otherwise. It only shapes the address the sign-in page
// sends the browser back to, never an authentication decision.
func requestScheme(r *http.Request) string {
	if r.TLS != nil {
		return "https"
	}
	if p := strings.ToLower(r.Header.Get("X-Forwarded-Proto")); p == "https" || p == "http" {
		return p
	}
	return "http"
}
