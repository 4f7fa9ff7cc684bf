package dpop

import (
	"cmp"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"sync/atomic"
)

// ErrURL is the error of a URL that cannot be a proof's "htu" or a
// request's target: not absolute http or https, with user information, or
// with a broken percent-encoding.
var ErrURL = errors.New("dpop: not an absolute http(s) URL")

// NormalizeURL returns the form of an absolute http or https URL in which a
// proof's "htu" and a request's URL are compared (RFC 9449 §4.3 step 9):
// query and fragment dropped, and the syntax- and scheme-based
// normalisations of RFC 3986 §6.2.2 and §6.2.3 applied: scheme and host in
// lower case, the default port dropped, percent-encodings of unreserved
// characters decoded and the others in upper case, dot segments removed,
// an empty path made "/".
func NormalizeURL(raw string) (string, error) {
	u, err := url.Parse(raw)
	if err != nil || u.Opaque != "" || u.User != nil || u.Host == "" {
		return "", ErrURL
	}
	scheme := strings.ToLower(u.Scheme)
	origin, err := normalOrigin(scheme, u.Host)
	if err != nil {
		return "", err
	}
	path, err := normalPath(u.EscapedPath())
	if err != nil {
		return "", err
	}
	return origin + path, nil
}

// normalOrigin is scheme://host[:port] normalised; scheme is lower case.
func normalOrigin(scheme, hostport string) (string, error) {
	var defaultPort string
	switch scheme {
	case "https":
		defaultPort = "443"
	case "http":
		defaultPort = "80"
	default:
		return "", ErrURL
	}
	host, port := hostport, ""
	if i := strings.LastIndexByte(hostport, ':'); i >= 0 && !strings.Contains(hostport[i:], "]") {
		host, port = hostport[:i], hostport[i+1:]
	}
	if host == "" || strings.ContainsAny(host, "/?#@ ") {
		return "", ErrURL
	}
	for _, c := range port {
		if c < '0' || c > '9' {
			return "", ErrURL
		}
	}
	if trimmed := strings.TrimLeft(port, "0"); trimmed == "" && port != "" {
		return "", ErrURL // port zero
	} else {
		port = trimmed
	}
	origin := scheme + "://" + strings.ToLower(host)
	if port != "" && port != defaultPort {
		origin += ":" + port
	}
	return origin, nil
}

// normalPath normalises an escaped path: percent-encodings of unreserved
// characters decoded, the others upper-cased, dot segments removed (RFC
// 3986 §5.2.4) and "" made "/".
func normalPath(escaped string) (string, error) {
	if strings.IndexByte(escaped, '%') < 0 {
		// Nothing to decode, the common case: no copy.
		if path := removeDotSegments(escaped); path != "" {
			return path, nil
		}
		return "/", nil
	}
	var b strings.Builder
	b.Grow(len(escaped))
	for i := 0; i < len(escaped); i++ {
		c := escaped[i]
		if c != '%' {
			b.WriteByte(c)
			continue
		}
		if i+2 >= len(escaped) || !isHex(escaped[i+1]) || !isHex(escaped[i+2]) {
			return "", ErrURL
		}
		decoded := unhex(escaped[i+1])<<4 | unhex(escaped[i+2])
		if isUnreserved(decoded) {
			b.WriteByte(decoded)
		} else {
			b.WriteByte('%')
			b.WriteString(strings.ToUpper(escaped[i+1 : i+3]))
		}
		i += 2
	}
	path := removeDotSegments(b.String())
	if path == "" {
		return "/", nil
	}
	return path, nil
}

// removeDotSegments applies RFC 3986 §5.2.4 to a path.
func removeDotSegments(in string) string {
	if !strings.Contains(in, ".") {
		return in
	}
	var out []string
	segments := strings.Split(in, "/")
	for i, s := range segments {
		last := i == len(segments)-1
		switch s {
		case ".":
			if last {
				out = append(out, "")
			}
		case "..":
			if len(out) > 1 {
				out = out[:len(out)-1]
			}
			if last {
				out = append(out, "")
			}
		default:
			out = append(out, s)
		}
	}
	return strings.Join(out, "/")
}

func isHex(c byte) bool {
	return '0' <= c && c <= '9' || 'a' <= c && c <= 'f' || 'A' <= c && c <= 'F'
}

func unhex(c byte) byte {
	switch {
	case c <= '9':
		return c - '0'
	case c <= 'F':
		return c - 'A' + 10
	default:
		return c - 'a' + 10
	}
}

// isUnreserved reports RFC 3986's unreserved characters, whose
// percent-encodings are equivalent to themselves.
func isUnreserved(c byte) bool {
	return 'a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' || '0' <= c && c <= '9' ||
		c == '-' || c == '.' || c == '_' || c == '~'
}

// Target works out the URL a request was sent to as its client saw it,
// normalised as NormalizeURL does, to compare with a proof's "htu".
type Target struct {
	publicOrigin   string // normalised, without a trailing slash; "" for none
	trustForwarded bool
	// lastOrigin remembers the origin last normalised: a server is reached
	// under one host, or a few, so most requests find theirs here rather
	// than build it again. One entry, whatever the Host headers sent.
	lastOrigin atomic.Pointer[normalizedOrigin]
}

// normalizedOrigin is a request's scheme and host and their normal form.
type normalizedOrigin struct {
	scheme, host, origin string
}

// NewTarget returns a Target. publicOrigin, when set, is the scheme, host
// and optional path prefix clients reach the server at
// ("https://api.example.com", "https://example.com/api"): behind a proxy or
// load balancer, what the server sees is not what the client signed.
// Without it the request's own scheme (TLS or not) and Host are used, or,
// when trustForwarded is true, those of the Forwarded (RFC 7239) or
// X-Forwarded-Proto and X-Forwarded-Host headers, which only a proxy that
// sets them itself makes trustworthy.
func NewTarget(publicOrigin string, trustForwarded bool) (*Target, error) {
	t := &Target{trustForwarded: trustForwarded}
	if publicOrigin == "" {
		return t, nil
	}
	u, err := url.Parse(publicOrigin)
	if err != nil || u.RawQuery != "" || u.Fragment != "" || u.ForceQuery {
		return nil, fmt.Errorf("dpop: public origin %q must be an absolute http(s) URL without query or fragment, e.g. https://api.example.com", publicOrigin)
	}
	normal, err := NormalizeURL(publicOrigin)
	if err != nil {
		return nil, fmt.Errorf("dpop: public origin %q must be an absolute http(s) URL without query or fragment, e.g. https://api.example.com", publicOrigin)
	}
	t.publicOrigin = strings.TrimSuffix(normal, "/")
	return t, nil
}

// URL returns the normalised URL r was sent to, or ErrURL when its
// target, or a trusted forwarded header, is not a valid one.
func (t *Target) URL(r *http.Request) (string, error) {
	origin, path, err := t.parts(r)
	if err != nil {
		return "", err
	}
	return origin + path, nil
}

// Matches reports whether htu, a proof's "htu", names the URL r was sent
// to (RFC 9449 §4.3 step 9): URL(r) equals htu normalised. An htu already
// in normal form, as clients write it, is compared piece by piece, without
// building either URL.
func (t *Target) Matches(r *http.Request, htu string) bool {
	origin, path, err := t.parts(r)
	if err != nil {
		return false
	}
	if joinedEquals(htu, origin, path) {
		return true
	}
	normal, err := NormalizeURL(htu)
	return err == nil && joinedEquals(normal, origin, path)
}

// joinedEquals reports whether s == origin + path.
func joinedEquals(s, origin, path string) bool {
	return len(s) == len(origin)+len(path) && s[:len(origin)] == origin && s[len(origin):] == path
}

// parts returns the normalised origin and path of the URL r was sent to.
func (t *Target) parts(r *http.Request) (origin, path string, err error) {
	if path, err = normalPath(requestPath(r)); err != nil {
		return "", "", err
	}
	if t.publicOrigin != "" {
		return t.publicOrigin, path, nil
	}
	scheme, host := "http", r.Host
	if r.TLS != nil {
		scheme = "https"
	}
	if t.trustForwarded {
		if proto, fhost, ok := forwarded(r.Header); ok {
			scheme, host = cmp.Or(strings.ToLower(proto), scheme), cmp.Or(fhost, host)
		}
	}
	if last := t.lastOrigin.Load(); last != nil && last.scheme == scheme && last.host == host {
		return last.origin, path, nil
	}
	if origin, err = normalOrigin(scheme, host); err != nil {
		return "", "", err
	}
	// The host is cloned: it may be part of a long Forwarded header, which
	// the memo would otherwise keep alive.
	t.lastOrigin.Store(&normalizedOrigin{scheme: scheme, host: strings.Clone(host), origin: origin})
	return origin, path, nil
}

// requestPath is the escaped path of the request target as the client
// sent it: RequestURI, which handlers such as http.StripPrefix leave alone,
// or, for a request built in code, the URL's.
func requestPath(r *http.Request) string {
	uri := r.RequestURI
	if uri == "" || uri == "*" {
		return r.URL.EscapedPath()
	}
	if path, ok := plainPath(uri); ok {
		return path
	}
	if u, err := url.ParseRequestURI(uri); err == nil {
		return u.EscapedPath()
	}
	return r.URL.EscapedPath()
}

// plainPath returns the path of an origin-form request target ("/a/b?q")
// whose path holds only characters that URL.EscapedPath keeps as they are,
// and no percent-encoding: the path as parsing it would give, found
// without parsing, as it is on almost every request.
func plainPath(uri string) (string, bool) {
	for i := 0; i < len(uri); i++ {
		if uri[i] <= ' ' || uri[i] >= 0x7f {
			return "", false // a target the server would not have parsed
		}
	}
	path, _, _ := strings.Cut(uri, "?")
	if path == "" || path[0] != '/' {
		return "", false
	}
	for i := 0; i < len(path); i++ {
		if c := path[i]; !isUnreserved(c) && strings.IndexByte("/!$&'()*+,;=:@", c) < 0 {
			return "", false
		}
	}
	return path, true
}

// forwarded reads the scheme and host a trusted proxy reports: the first
// element of Forwarded (RFC 7239), or else X-Forwarded-Proto and
// X-Forwarded-Host (their first values).
func forwarded(h http.Header) (proto, host string, ok bool) {
	if f := h.Get("Forwarded"); f != "" {
		first, _, _ := strings.Cut(f, ",")
		for pair := range strings.SplitSeq(first, ";") {
			name, value, _ := strings.Cut(strings.TrimSpace(pair), "=")
			value = strings.Trim(value, `"`)
			switch strings.ToLower(name) {
			case "proto":
				proto = value
			case "host":
				host = value
			}
		}
		return proto, host, true
	}
	proto, _, _ = strings.Cut(h.Get("X-Forwarded-Proto"), ",")
	host, _, _ = strings.Cut(h.Get("X-Forwarded-Host"), ",")
	proto, host = strings.TrimSpace(proto), strings.TrimSpace(host)
	return proto, host, proto != "" || host != ""
}
