// Package remote holds the small rules every client of a remote authority
// in this module follows (JWKS and discovery, RFC 7662 introspection,
// Clerk's Backend API), written once: which hosts may be spoken to in
// plain http, a client that never follows redirects, how a Retry-After is
// read, and how an answer's JSON object is read strictly.
package remote

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"strconv"
	"strings"
	"time"
)

// IsLoopback reports whether host is localhost or a loopback address, the
// only hosts plain http is allowed to.
func IsLoopback(host string) bool {
	if strings.EqualFold(host, "localhost") {
		return true
	}
	ip := net.ParseIP(host)
	return ip != nil && ip.IsLoopback()
}

// NoRedirects returns a copy of base that never follows a redirect: the 3xx
// comes back as the answer, so that a token or a secret is never sent
// again to wherever it points. The caller's client is not modified.
func NoRedirects(base *http.Client) *http.Client {
	c := *base
	c.CheckRedirect = func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }
	return &c
}

// RetryAfter reads a Retry-After header in seconds, bounded by most; def
// when it is absent, zero or not a number of seconds (the HTTP-date form is
// rare on APIs and not worth trusting clocks for).
func RetryAfter(h http.Header, def, most time.Duration) time.Duration {
	s, err := strconv.ParseInt(strings.TrimSpace(h.Get("Retry-After")), 10, 64)
	if err != nil || s <= 0 {
		return def
	}
	if s > int64(most/time.Second) {
		return most
	}
	return time.Duration(s) * time.Second
}

// OrDefault returns v, or def when v is the zero value.
func OrDefault[T comparable](v, def T) T {
	var zero T
	if v == zero {
		return def
	}
	return v
}

// ReadMembers checks that body is exactly one JSON object and stores the
// members a parser reads in the slots slot gives (nil for a member it does
// not read). A member it reads may appear once: parsers disagree on which
// of two wins.
func ReadMembers(body []byte, slot func(name string) *json.RawMessage) error {
	dec := json.NewDecoder(bytes.NewReader(body))
	if t, err := dec.Token(); err != nil || t != json.Delim('{') {
		return errors.New("not a JSON object")
	}
	for dec.More() {
		t, err := dec.Token()
		if err != nil {
			return err
		}
		name, _ := t.(string) // inside an object the decoder yields only string names
		var raw json.RawMessage
		if err := dec.Decode(&raw); err != nil {
			return err
		}
		s := slot(name)
		if s == nil {
			continue
		}
		if *s != nil {
			return fmt.Errorf("member %q appears twice", name)
		}
		*s = raw
	}
	if _, err := dec.Token(); err != nil { // the closing brace
		return err
	}
	if _, err := dec.Token(); err != io.EOF {
		return errors.New("data after the JSON object")
	}
	return nil
}
