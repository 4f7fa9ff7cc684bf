package jwks

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"strings"
)

// ErrDiscovery reports a discovery document that cannot be trusted or used.
var ErrDiscovery = errors.New("jwks: discovery failed")

// ErrIssuerMismatch reports a discovery document that names another issuer
// than the configured one (OpenID Connect Discovery §4.3). Unlike an outage
// it will not pass by itself: the configured issuer is almost always
// mistyped (Auth0's trailing slash). It comes wrapped with ErrDiscovery.
var ErrIssuerMismatch = errors.New("jwks: the discovery document names another issuer")

// discoveryDocument holds the members of OpenID Provider or OAuth
// Authorization Server metadata this package uses.
type discoveryDocument struct {
	Issuer  string `json:"issuer"`
	JWKSURI string `json:"jwks_uri"`
}

// discoveryURLs lists where an issuer's metadata may live, in the order they
// are tried: OpenID Connect Discovery §4 appends to the issuer, RFC 8414 §3
// inserts the well-known segment before the issuer's path. For an issuer
// without a path both name the host root.
func discoveryURLs(issuer string) ([]string, error) {
	u, err := url.Parse(issuer)
	if err != nil || !u.IsAbs() || u.Host == "" {
		return nil, fmt.Errorf("%w: issuer %q is not an absolute URL", ErrDiscovery, issuer)
	}
	path := strings.TrimSuffix(u.EscapedPath(), "/")
	origin := u.Scheme + "://" + u.Host
	return []string{
		origin + path + "/.well-known/openid-configuration",
		origin + "/.well-known/oauth-authorization-server" + path,
	}, nil
}

// discover finds the JWKS URL of issuer. A document is accepted only when its
// "issuer" equals the configured issuer exactly (OpenID Connect Discovery
// §4.3): otherwise one tenant's metadata could point at another's keys.
func (r *Remote) discover(ctx context.Context) (string, error) {
	urls, err := discoveryURLs(r.issuer)
	if err != nil {
		return "", err
	}
	var firstErr error
	for _, target := range urls {
		res, err := get(ctx, r.client, target, r.maxBytes)
		if err != nil {
			if firstErr == nil {
				firstErr = err
			}
			// Only a missing document sends us to the next location; any
			// other failure would fail there too, and costs a request.
			var status *StatusError
			if errors.As(err, &status) && status.Code() == http.StatusNotFound {
				continue
			}
			return "", fmt.Errorf("%w: %w", ErrDiscovery, inner(err))
		}
		var doc discoveryDocument
		if err := json.Unmarshal(res.body, &doc); err != nil {
			return "", fmt.Errorf("%w: %s is not a metadata document: %v", ErrDiscovery, target, err)
		}
		if doc.Issuer != r.issuer {
			return "", fmt.Errorf("%w: %w: %s has \"issuer\" %q, the configured Issuer is %q (they must be equal, trailing slash included)",
				ErrDiscovery, inner(ErrIssuerMismatch), target, doc.Issuer, r.issuer)
		}
		if doc.JWKSURI == "" {
			return "", fmt.Errorf("%w: %s has no jwks_uri", ErrDiscovery, target)
		}
		if _, err := checkKeyURL("jwks_uri", doc.JWKSURI); err != nil {
			return "", fmt.Errorf("%w: %s: %w", ErrDiscovery, target, inner(err))
		}
		return doc.JWKSURI, nil
	}
	return "", fmt.Errorf("%w: %w", ErrDiscovery, inner(firstErr))
}
