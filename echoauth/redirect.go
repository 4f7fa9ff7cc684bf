package echoauth

import (
	"fmt"
	"net/http"
	"net/url"
	"strings"

	"github.com/labstack/echo/v4"
)

// checkSignInURL refuses sign-in URLs a redirect cannot use.
func checkSignInURL(raw string) error {
	if raw == "" {
		return nil
	}
	u, err := url.Parse(raw)
	if err != nil || (u.Scheme != "" && u.Scheme != "https" && u.Scheme != "http") || (u.Scheme == "" && !strings.HasPrefix(u.Path, "/")) {
		return fmt.Errorf("echoauth: SignInURL %q must be an http(s) URL or a path starting with /", raw)
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
	return strings.HasPrefix(r.Header.Get(echo.HeaderAccept), "text/html")
}

// redirectToSignIn sends a signed-out page navigation to the sign-in page,
// telling it where to come back to.
func redirectToSignIn(c echo.Context, signInURL string) error {
	target, _ := url.Parse(signInURL) // checked at New
	back := c.Scheme() + "://" + c.Request().Host + c.Request().URL.RequestURI()
	q := target.Query()
	q.Set("redirect_url", back)
	target.RawQuery = q.Encode()
	return c.Redirect(http.StatusSeeOther, target.String())
}
