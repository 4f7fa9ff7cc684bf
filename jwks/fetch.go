package jwks

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/scopegate/scopegate/internal/remote"
)

// Errors of a fetch. They are wrapped with the URL and detail; match them
// with errors.Is.
var (
	// ErrFetchStatus reports an answer other than 200 OK.
	ErrFetchStatus = errors.New("jwks: unexpected HTTP status")
	// ErrFetchTooLarge reports a body larger than the configured limit.
	ErrFetchTooLarge = errors.New("jwks: response body is too large")
	// ErrRedirect reports a redirect to another origin, which is refused so
	// that whoever controls a redirect cannot substitute keys.
	ErrRedirect = errors.New("jwks: redirect to another origin refused")
	// ErrTooManyRedirects reports a chain of same-origin redirects longer
	// than any server needs.
	ErrTooManyRedirects = fmt.Errorf("jwks: stopped after %d redirects", maxRedirects)
	// ErrNoUsableKeys reports a key set in which no key passed the checks.
	ErrNoUsableKeys = errors.New("jwks: the key set has no usable key")
)

// StatusError reports an answer other than 200 OK; errors.Is(err,
// ErrFetchStatus) matches it. It is read-only: a key set keeps its last
// failure and hands the same value to every request that finds no key.
type StatusError struct {
	url  string
	code int
}

// URL returns what was fetched.
func (e *StatusError) URL() string { return e.url }

// Code returns the HTTP status it answered.
func (e *StatusError) Code() int { return e.code }

// Error describes the failure.
func (e *StatusError) Error() string {
	return fmt.Sprintf("%s %d from %s", ErrFetchStatus, e.code, e.url)
}

// Is makes errors.Is(err, ErrFetchStatus) true.
func (e *StatusError) Is(target error) bool { return target == ErrFetchStatus }

// maxRedirects bounds same-origin redirects, which some servers use to add a
// trailing slash or move a path.
const maxRedirects = 3

// guardedClient returns a copy of base whose redirects stay on the origin of
// the first request. The caller's client is not modified.
func guardedClient(base *http.Client) *http.Client {
	c := *base
	c.CheckRedirect = func(req *http.Request, via []*http.Request) error {
		if len(via) > maxRedirects {
			return fmt.Errorf("%w, starting at %s", ErrTooManyRedirects, via[0].URL.Redacted())
		}
		first := via[0].URL
		if req.URL.Scheme != first.Scheme || req.URL.Host != first.Host {
			// Redacted: the message reaches logs, and a redirect may carry
			// a password in its location.
			return fmt.Errorf("%w: %s redirected to %s", ErrRedirect, via[len(via)-1].URL.Redacted(), req.URL.Redacted())
		}
		return nil
	}
	return &c
}

// fetchResult is a successful GET.
type fetchResult struct {
	body   []byte
	header http.Header
}

// get fetches target with the limits every request of this package has: the
// context's deadline, a 200 status, and a body no larger than maxBytes.
func get(ctx context.Context, client *http.Client, target string, maxBytes int64) (*fetchResult, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, target, nil)
	if err != nil {
		return nil, fmt.Errorf("jwks: %w", err)
	}
	req.Header.Set("Accept", "application/json")
	resp, err := client.Do(req)
	if err != nil {
		// The client reports a redirect refused by guardedClient as
		// `Get "<location>": jwks: ...`, which would put the package prefix
		// in the middle of every message that quotes it. guardedClient's own
		// error already names both ends of the redirect: return it alone.
		var ue *url.Error
		if errors.As(err, &ue) && (errors.Is(ue.Err, ErrRedirect) || errors.Is(ue.Err, ErrTooManyRedirects)) {
			return nil, ue.Err
		}
		// Like every error of this package, a transport failure starts with
		// its prefix, so that Stats().LastError says where it comes from.
		return nil, fmt.Errorf("jwks: %w", err)
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		// Drain a little so the connection can be reused, but never much.
		_, _ = io.CopyN(io.Discard, resp.Body, 4096)
		return nil, &StatusError{url: target, code: resp.StatusCode}
	}
	body, err := io.ReadAll(io.LimitReader(resp.Body, maxBytes+1))
	if err != nil {
		return nil, fmt.Errorf("jwks: reading %s: %w", target, err)
	}
	if int64(len(body)) > maxBytes {
		return nil, fmt.Errorf("%w: more than %d bytes from %s", ErrFetchTooLarge, maxBytes, target)
	}
	return &fetchResult{body: body, header: resp.Header}, nil
}

// maxAge returns the max-age a Cache-Control header asks for, zero with
// no-store or no-cache wherever they stand (they forbid reuse without
// revalidation, whatever max-age says; RFC 9111 §5.2.2), and ok false when
// the header says nothing usable.
func maxAge(header http.Header) (age time.Duration, ok bool) {
	for _, value := range header.Values("Cache-Control") {
		for _, directive := range strings.Split(value, ",") {
			name, arg, _ := strings.Cut(strings.TrimSpace(directive), "=")
			switch strings.ToLower(name) {
			case "no-store", "no-cache":
				return 0, true
			case "max-age", "s-maxage":
				if ok {
					continue // the first usable one counts
				}
				seconds, err := strconv.ParseInt(strings.Trim(arg, `"`), 10, 64)
				if err != nil || seconds < 0 {
					continue
				}
				if seconds > int64(365*24*time.Hour/time.Second) {
					seconds = int64(365 * 24 * time.Hour / time.Second)
				}
				age, ok = time.Duration(seconds)*time.Second, true
			}
		}
	}
	return age, ok
}

// checkKeyURL requires https, except on loopback where development issuers
// and tests run: keys fetched in clear text could be replaced by anyone on
// the path. Its errors name the URL by field, the setting (or document
// member) it came from, and never show a password it carries.
func checkKeyURL(field, raw string) (*url.URL, error) {
	shown := redactedURL(raw)
	u, err := url.Parse(raw)
	if err != nil {
		// url.Error quotes the whole URL; only the reason is kept.
		var ue *url.Error
		if errors.As(err, &ue) {
			err = ue.Err
		}
		return nil, fmt.Errorf("jwks: %s %q is not a URL: %v", field, shown, err)
	}
	if !u.IsAbs() || u.Host == "" {
		return nil, fmt.Errorf("jwks: %s %q is not an absolute URL", field, shown)
	}
	switch {
	case u.Scheme == "https":
	case u.Scheme == "http" && remote.IsLoopback(u.Hostname()):
	default:
		return nil, fmt.Errorf("jwks: %s %q must use https (plain http is allowed only on loopback)", field, shown)
	}
	if u.User != nil {
		return nil, fmt.Errorf("jwks: %s %q must not carry credentials", field, shown)
	}
	return u, nil
}

// redactedURL is raw for an error message: whatever comes before an "@"
// in its authority, a password perhaps, is replaced. It works on the text,
// so that a URL which does not parse, or parses as something else
// ("user:secret@host/" reads as the scheme "user"), is redacted too.
func redactedURL(raw string) string {
	prefix, rest := "", raw
	if i := strings.Index(raw, "://"); i >= 0 {
		prefix, rest = raw[:i+3], raw[i+3:]
	}
	end := strings.IndexAny(rest, "/?#")
	if end < 0 {
		end = len(rest)
	}
	at := strings.LastIndexByte(rest[:end], '@')
	if at < 0 {
		return raw
	}
	return prefix + "xxxxx" + rest[at:]
}

// withScheme returns raw with the scheme it most likely lacks, and ok false
// when raw does not read as a URL missing its scheme. Dashboards show an
// issuer as a bare domain ("tenant.auth0.com"), and Go's URL parser accepts
// that as a relative path, so without this the mistake would surface as a
// puzzling "not an absolute URL". Loopback hosts get http, which is what
// development issuers serve and what checkKeyURL allows there; every other
// host gets https.
func withScheme(raw string) (fixed string, ok bool) {
	if strings.Contains(raw, "://") || (strings.HasPrefix(raw, "/") && !strings.HasPrefix(raw, "//")) {
		return "", false // a scheme of its own, or a path
	}
	rest := strings.TrimPrefix(raw, "//") // scheme-relative: only the scheme is missing
	u, err := url.Parse("https://" + rest)
	if err != nil || u.User != nil {
		return "", false // "mailto:a@b.example" is not a host
	}
	host := u.Hostname()
	switch {
	case remote.IsLoopback(host):
		return "http://" + rest, true
	case strings.Contains(host, "."), strings.Contains(host, ":"): // a domain, an IPv4 or an IPv6 address
		return "https://" + rest, true
	}
	return "", false // a single word: too little to guess from
}

// withAuth0Slash adds the trailing slash to an Auth0 tenant's issuer that
// lacks it: Auth0's "iss" has one and the match is exact, so suggesting the
// bare domain would only lead to the next mistake.
func withAuth0Slash(issuer string) string {
	u, err := url.Parse(issuer)
	if err != nil || u.Path != "" || !strings.HasSuffix(u.Hostname(), ".auth0.com") {
		return issuer
	}
	return issuer + "/"
}
