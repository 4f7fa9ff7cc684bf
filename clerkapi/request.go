package clerkapi

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"mime"
	"net/http"
	"strings"
	"time"

	"github.com/scopegate/scopegate/internal/remote"
)

// maxRetryAfter bounds what Clerk's Retry-After may ask for, so that a
// misconfigured header cannot tell clients to stay away for a day.
const maxRetryAfter = 5 * time.Minute

// errWithheld replaces an error from net/http whose text quotes the token
// or the secret key.
var errWithheld = errors.New("the call failed, and its error quoted what was sent (withheld)")

// maxErrorBytes is how much of an error answer is read: enough for Clerk's
// {"errors": [...]} body, never much.
const maxErrorBytes = 4096

// post asks Clerk's endpoint for kind about token and returns the body of a
// 200 JSON answer, ErrInvalid for Clerk's 404, or an *UnavailableError.
//
// The request is @clerk/backend's (buildRequest in
// packages/backend/src/api/request.ts): POST with a JSON body carrying the
// token, the secret key as a Bearer token, Clerk-API-Version and a
// User-Agent. The token travels only in the body: a URL ends up in access
// logs and proxies' caches.
func (c *Client) post(ctx context.Context, kind Kind, token string) ([]byte, error) {
	ep := endpointOf(kind)
	body, err := json.Marshal(map[string]string{ep.field: token})
	if err != nil {
		return nil, unavailable(fmt.Errorf("clerkapi: encoding the request: %w", err))
	}
	url := c.baseURL + ep.path
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, url, bytes.NewReader(body))
	if err != nil {
		return nil, unavailable(fmt.Errorf("clerkapi: %w", err))
	}
	req.Header.Set("Authorization", "Bearer "+c.secretKey)
	req.Header.Set("Clerk-API-Version", APIVersion)
	req.Header.Set("User-Agent", userAgent)
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("Accept", "application/json")
	resp, err := c.client.Do(req)
	if err != nil {
		// net/http's error names the method, the URL and the failure; a
		// malformed response is quoted in it, though, and could echo what
		// was sent.
		if leaks(err.Error(), token, c.secretKey) {
			err = errWithheld
		}
		return nil, unavailable(fmt.Errorf("clerkapi: %w", err))
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		return nil, c.statusError(resp, kind, url, token)
	}
	if !isJSON(resp.Header) {
		_, _ = io.CopyN(io.Discard, resp.Body, maxErrorBytes)
		contentType := resp.Header.Get("Content-Type")
		if leaks(contentType, token, c.secretKey) {
			contentType = "(withheld)"
		}
		return nil, unavailable(fmt.Errorf("%w: Content-Type %q from %s, want application/json", errMalformed, contentType, url))
	}
	answer, err := io.ReadAll(io.LimitReader(resp.Body, int64(c.maxBytes)+1))
	if err != nil {
		return nil, unavailable(fmt.Errorf("clerkapi: reading the answer of %s: %w", url, err))
	}
	if len(answer) > c.maxBytes {
		return nil, unavailable(fmt.Errorf("%w: more than MaxResponseBytes (%d) from %s", errMalformed, c.maxBytes, url))
	}
	return answer, nil
}

// isJSON reports a Content-Type of application/json, with or without
// parameters.
func isJSON(h http.Header) bool {
	mediaType, _, _ := mime.ParseMediaType(h.Get("Content-Type"))
	return mediaType == "application/json"
}

// statusError judges a non-200 answer as @clerk/backend's
// handleClerkAPIError does (packages/backend/src/tokens/verify.ts), except
// that only a verdict on the token is ErrInvalid:
//
//   - 404 is Clerk not knowing the token: ErrInvalid ("token-invalid" in
//     @clerk/backend). It must be Clerk's JSON: a 404 page from a proxy or
//     a wrong BaseURL says nothing about the token.
//   - 401 and 403 are Clerk refusing our secret key ("secret-key-invalid"
//     in @clerk/backend): never the client's fault, so unavailable.
//   - Anything else (429, 5xx, a 3xx that is not followed, a 400 or 422
//     for a request Clerk did not take) is unavailable, with Clerk's
//     Retry-After.
//
// The text names Clerk's error code and trace ID when they are safe to log,
// never Clerk's message, which could quote what was sent.
func (c *Client) statusError(resp *http.Response, kind Kind, url, token string) error {
	detail := clerkErrorDetail(resp, token, c.secretKey)
	switch code := resp.StatusCode; {
	case code == http.StatusNotFound && isJSON(resp.Header):
		return fmt.Errorf("%w: Clerk does not know the %s (HTTP 404%s)", ErrInvalid, endpointOf(kind).noun, detail)
	case code == http.StatusUnauthorized || code == http.StatusForbidden:
		return &UnavailableError{RetryAfter: remote.RetryAfter(resp.Header, defaultRetryAfter, maxRetryAfter), Cause: fmt.Errorf(
			"clerkapi: HTTP %d from %s%s: Clerk refused SecretKey; check that it is this instance's current secret key", code, url, detail)}
	default:
		return &UnavailableError{RetryAfter: remote.RetryAfter(resp.Header, defaultRetryAfter, maxRetryAfter), Cause: fmt.Errorf("clerkapi: HTTP %d from %s%s", code, url, detail)}
	}
}

// clerkErrorDetail reads Clerk's error body ({"errors": [{"code",
// "message", "long_message"}], "clerk_trace_id"}, as parseErrors and
// getTraceId in packages/backend/src/api/request.ts read it; the trace ID
// falls back to the CF-Ray header there too) and returns ", code "x",
// trace "y"" for whatever of the two is present and safe to log; it reads a
// little only, so that the connection can be reused.
func clerkErrorDetail(resp *http.Response, secrets ...string) string {
	raw, _ := io.ReadAll(io.LimitReader(resp.Body, maxErrorBytes))
	var body struct {
		Errors []struct {
			Code string `json:"code"`
		} `json:"errors"`
		TraceID string `json:"clerk_trace_id"`
	}
	_ = json.Unmarshal(raw, &body) // a body that is not Clerk's has no detail
	var code string
	if len(body.Errors) > 0 {
		code = body.Errors[0].Code
	}
	trace := body.TraceID
	if trace == "" {
		trace = resp.Header.Get("CF-Ray")
	}
	var b strings.Builder
	if safeToLog(code, secrets) {
		fmt.Fprintf(&b, ", code %q", code)
	}
	if safeToLog(trace, secrets) {
		fmt.Fprintf(&b, ", trace %q", trace)
	}
	return b.String()
}

// safeToLog reports a short identifier-like string that holds nothing of
// secrets: Clerk's codes and trace IDs are such, and anything else from an
// error answer (an echo of the request, say) stays out of logs.
func safeToLog(s string, secrets []string) bool {
	if s == "" || len(s) > 64 {
		return false
	}
	for _, r := range s {
		if !(r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9' || r == '_' || r == '-' || r == '.') {
			return false
		}
	}
	return !leaks(s, secrets...)
}

// leaks reports whether s holds anything of secrets.
func leaks(s string, secrets ...string) bool {
	for _, secret := range secrets {
		if sharesRun(s, secret) {
			return true
		}
	}
	return false
}

// sharesRun reports whether s holds secret, or any 8 bytes of it in a row:
// enough of a token or a key to help guess the rest stays out of logs too.
func sharesRun(s, secret string) bool {
	const run = 8
	if len(secret) < run {
		return secret != "" && strings.Contains(s, secret)
	}
	for i := 0; i+run <= len(secret); i++ {
		if strings.Contains(s, secret[i:i+run]) {
			return true
		}
	}
	return false
}
