package introspect

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strings"
	"sync"
	"time"
)

// discoveryCooldown is the least time between a failed discovery and the
// next attempt, as for jwks key fetches: an issuer that is down is asked
// once per cooldown, not once per request.
const discoveryCooldown = 30 * time.Second

// discovery finds the endpoint from the issuer's metadata once, and
// remembers it for the Introspector's life.
type discovery struct {
	mu       sync.Mutex
	endpoint string        // explicit or discovered; "" until found
	running  chan struct{} // closed when the discovery in progress ends; nil when none
	failedAt time.Time
	lastErr  error
}

// endpoint returns the endpoint URL, discovering it when needed. Concurrent
// callers share one discovery; after a failure, callers within the cooldown
// fail at once with it.
func (i *Introspector) endpoint(ctx context.Context) (string, error) {
	d := &i.discovery
	for {
		d.mu.Lock()
		if found := d.endpoint; found != "" {
			d.mu.Unlock()
			return found, nil
		}
		if running := d.running; running != nil {
			d.mu.Unlock()
			select {
			case <-running:
				continue
			case <-ctx.Done():
				return "", unavailable(fmt.Errorf("introspect: waiting for discovery: %w", ctx.Err()))
			}
		}
		if d.lastErr != nil {
			if wait := discoveryCooldown - i.now().Sub(d.failedAt); wait > 0 {
				err := d.lastErr
				d.mu.Unlock()
				return "", &UnavailableError{RetryAfter: min(wait, discoveryCooldown), Cause: err}
			}
		}
		running := make(chan struct{})
		d.running = running
		d.mu.Unlock()

		dctx, cancel := context.WithTimeout(ctx, i.timeout)
		found, err := i.discover(dctx)
		cancel()

		d.mu.Lock()
		d.running = nil
		if err != nil {
			d.failedAt, d.lastErr = i.now(), err
		} else {
			d.endpoint, d.lastErr = found, nil
		}
		d.mu.Unlock()
		close(running)
		if err != nil {
			return "", &UnavailableError{RetryAfter: discoveryCooldown, Cause: err}
		}
		return found, nil
	}
}

// discoveryURLs lists where the issuer's metadata may live, in the order
// they are tried: OpenID Connect Discovery §4 appends to the issuer, RFC 8414
// §3 inserts the well-known segment before the issuer's path. For an issuer
// without a path both name the host root.
func discoveryURLs(issuer string) []string {
	u, _ := url.Parse(issuer) // checked by New
	path := strings.TrimSuffix(u.EscapedPath(), "/")
	origin := u.Scheme + "://" + u.Host
	return []string{
		origin + path + "/.well-known/openid-configuration",
		origin + "/.well-known/oauth-authorization-server" + path,
	}
}

// discover reads the introspection endpoint from the issuer's metadata. A
// document is accepted only when its "issuer" equals the configured one
// exactly (OpenID Connect Discovery §4.3, RFC 8414 §3.3): otherwise one
// tenant's metadata could send our tokens and credentials to another.
func (i *Introspector) discover(ctx context.Context) (string, error) {
	var firstErr error
	for _, target := range discoveryURLs(i.issuer) {
		body, code, err := i.get(ctx, target)
		if err != nil {
			if firstErr == nil {
				firstErr = err
			}
			// Only a missing document sends us to the next location; any
			// other failure would fail there too, and costs a request.
			if code == http.StatusNotFound {
				continue
			}
			return "", err
		}
		var doc struct {
			Issuer   string `json:"issuer"`
			Endpoint string `json:"introspection_endpoint"`
		}
		if err := json.Unmarshal(body, &doc); err != nil {
			return "", fmt.Errorf("introspect: discovery: %s is not a metadata document: %v", target, err)
		}
		if doc.Issuer != i.issuer {
			return "", fmt.Errorf("introspect: discovery: %s has \"issuer\" %q, the configured Issuer is %q (they must be equal, trailing slash included)",
				target, doc.Issuer, i.issuer)
		}
		if doc.Endpoint == "" {
			return "", fmt.Errorf("introspect: discovery: %s has no introspection_endpoint; set Endpoint", target)
		}
		if err := checkURL("introspection_endpoint", doc.Endpoint); err != nil {
			return "", fmt.Errorf("introspect: discovery: %s: %s", target, strings.TrimPrefix(err.Error(), prefix))
		}
		return doc.Endpoint, nil
	}
	return "", firstErr
}

// get fetches a metadata document, with the body capped as for answers. It
// returns the status code of any answer, so that a 404 can be told apart.
func (i *Introspector) get(ctx context.Context, target string) ([]byte, int, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, target, nil)
	if err != nil {
		return nil, 0, fmt.Errorf("introspect: discovery: %w", err)
	}
	req.Header.Set("Accept", "application/json")
	resp, err := i.client.Do(req)
	if err != nil {
		return nil, 0, fmt.Errorf("introspect: discovery: %w", err)
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		_, _ = io.CopyN(io.Discard, resp.Body, 4096)
		return nil, resp.StatusCode, fmt.Errorf("introspect: discovery: HTTP %d from %s", resp.StatusCode, target)
	}
	body, err := io.ReadAll(io.LimitReader(resp.Body, int64(i.maxBytes)+1))
	if err != nil {
		return nil, resp.StatusCode, fmt.Errorf("introspect: discovery: reading %s: %w", target, err)
	}
	if len(body) > i.maxBytes {
		return nil, resp.StatusCode, fmt.Errorf("introspect: discovery: more than MaxResponseBytes (%d) from %s", i.maxBytes, target)
	}
	return body, resp.StatusCode, nil
}
