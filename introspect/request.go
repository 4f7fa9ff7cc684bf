package introspect

import (
	"context"
	"errors"
	"fmt"
	"io"
	"mime"
	"net"
	"net/http"
	"net/url"
	"strings"
	"time"

	"github.com/scopegate/scopegate/internal/remote"
)

// maxRetryAfter bounds what a server's Retry-After may ask for, so that a
// misconfigured header cannot tell clients to stay away for a day.
const maxRetryAfter = 5 * time.Minute

// post asks endpoint about token and returns the body of a 200 JSON answer,
// or an *UnavailableError. The token travels only in the form body: a URL
// ends up in access logs and proxies' caches.
func (i *Introspector) post(ctx context.Context, endpoint, token string) ([]byte, error) {
	form := url.Values{"token": {token}, "token_type_hint": {"access_token"}}
	if i.auth == ClientSecretPost {
		form.Set("client_id", i.clientID)
		form.Set("client_secret", i.clientSecret)
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, endpoint, strings.NewReader(form.Encode()))
	if err != nil {
		return nil, unavailable(fmt.Errorf("introspect: %w", err))
	}
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.Header.Set("Accept", "application/json")
	if i.auth == ClientSecretBasic {
		// RFC 6749 §2.3.1: each part is form-urlencoded before Basic
		// encoding, so that a ':' in the id or secret survives.
		req.SetBasicAuth(url.QueryEscape(i.clientID), url.QueryEscape(i.clientSecret))
	}
	resp, err := i.client.Do(req)
	if err != nil {
		return nil, unavailable(transportError(err, endpoint))
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		// Drain a little so that the connection can be reused, never much.
		_, _ = io.CopyN(io.Discard, resp.Body, 4096)
		return nil, &UnavailableError{RetryAfter: remote.RetryAfter(resp.Header, defaultRetryAfter, maxRetryAfter), Cause: statusError(resp.StatusCode, endpoint)}
	}
	if mediaType, _, _ := mime.ParseMediaType(resp.Header.Get("Content-Type")); mediaType != "application/json" {
		_, _ = io.CopyN(io.Discard, resp.Body, 4096)
		return nil, unavailable(fmt.Errorf("%w: Content-Type %q from %s, want application/json",
			errMalformed, resp.Header.Get("Content-Type"), endpoint))
	}
	body, err := io.ReadAll(io.LimitReader(resp.Body, int64(i.maxBytes)+1))
	if err != nil {
		return nil, unavailable(fmt.Errorf("introspect: reading the answer of %s: %w", endpoint, err))
	}
	if len(body) > i.maxBytes {
		return nil, unavailable(fmt.Errorf("%w: more than MaxResponseBytes (%d) from %s", errMalformed, i.maxBytes, endpoint))
	}
	return body, nil
}

// statusError explains a non-200 answer. Every one is a failure to get an
// answer, not a verdict on the token: RFC 7662 answers an invalid token
// with 200 and "active": false, so a 401 or 403 means our own credentials
// were refused, and another 4xx a request the server did not understand.
// Neither is the client's fault, and neither may log users out.
func statusError(code int, endpoint string) error {
	switch code {
	case http.StatusUnauthorized, http.StatusForbidden:
		return fmt.Errorf("introspect: HTTP %d from %s: the endpoint refused ClientID and ClientSecret", code, endpoint)
	}
	return fmt.Errorf("introspect: HTTP %d from %s", code, endpoint)
}

// transportError restates a failed call in fixed words and the endpoint:
// net/http's own text may quote what the server sent back ("malformed
// HTTP response ..."), which could echo the token. A timeout or a
// cancellation keeps its sentinel, which carries no bytes of either side.
func transportError(err error, endpoint string) error {
	for _, sentinel := range []error{context.DeadlineExceeded, context.Canceled} {
		if errors.Is(err, sentinel) {
			return fmt.Errorf("introspect: calling %s: %w", endpoint, sentinel)
		}
	}
	var netErr net.Error
	if errors.As(err, &netErr) && netErr.Timeout() {
		return fmt.Errorf("introspect: calling %s: timed out", endpoint)
	}
	var opErr *net.OpError
	if errors.As(err, &opErr) {
		return fmt.Errorf("introspect: calling %s: %s failed", endpoint, opErr.Op)
	}
	return fmt.Errorf("introspect: calling %s failed", endpoint)
}
