package remote

import (
	"encoding/json"
	"net/http"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
)

func TestIsLoopback(t *testing.T) {
	for host, want := range map[string]bool{"localhost": true, "LOCALHOST": true, "127.0.0.1": true, "127.9.9.9": true, "::1": true,
		"example.com": false, "10.0.0.1": false, "localhost.example.com": false, "": false} {
		assert.Equal(t, want, IsLoopback(host), host)
	}
}

func TestRetryAfter(t *testing.T) {
	for value, want := range map[string]time.Duration{"": time.Second, "7": 7 * time.Second, " 7 ": 7 * time.Second, "0": time.Second,
		"-3": time.Second, "Wed, 21 Oct 2026 07:28:00 GMT": time.Second, "86400": 5 * time.Minute} {
		h := http.Header{}
		if value != "" {
			h.Set("Retry-After", value)
		}
		assert.Equal(t, want, RetryAfter(h, time.Second, 5*time.Minute), value)
	}
}

func TestNoRedirects(t *testing.T) {
	own := &http.Client{Timeout: time.Minute}
	c := NoRedirects(own)
	assert.Nil(t, own.CheckRedirect, "the caller's client is left alone")
	assert.Equal(t, http.ErrUseLastResponse, c.CheckRedirect(nil, nil))
	assert.Equal(t, time.Minute, c.Timeout)
}

func TestReadMembers(t *testing.T) {
	read := func(body string) (json.RawMessage, error) {
		var a json.RawMessage
		err := ReadMembers([]byte(body), func(name string) *json.RawMessage {
			if name == "a" {
				return &a
			}
			return nil
		})
		return a, err
	}
	a, err := read(`{"a": 1, "b": [2], "b": 3}`)
	assert.NoError(t, err, "duplicates of members not read are allowed")
	assert.JSONEq(t, `1`, string(a))
	for _, bad := range []string{`[]`, `{"a":1,"a":2}`, `{"a":1} {}`, `{"a":`, ``} {
		_, err := read(bad)
		assert.Error(t, err, bad)
	}
	assert.Equal(t, 3, OrDefault(0, 3))
	assert.Equal(t, 2, OrDefault(2, 3))
}
