package token_test

import (
	"log/slog"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"

	"github.com/scopegate/scopegate/authtest"
	"github.com/scopegate/scopegate/internal/syncbuf"
	"github.com/scopegate/scopegate/token"
)

// TestNearIssuerWarning: a token whose "iss" differs from a trusted issuer
// only by a trailing slash is refused as untrusted, and the operator is
// told once per such value which two values differ, since the client only
// hears "token issuer is not trusted". Other untrusted issuers log nothing,
// so a flood of junk issuers fills neither the log nor memory.
func TestNearIssuerWarning(t *testing.T) {
	tests := []struct {
		name  string
		opts  []authtest.Option
		iss   func(url string) string
		warns bool
	}{
		{"token adds the slash", nil, func(u string) string { return u + "/" }, true},
		{"token drops the slash", []authtest.Option{authtest.WithTrailingSlash()}, func(u string) string { return strings.TrimSuffix(u, "/") }, true},
		{"a second slash", []authtest.Option{authtest.WithTrailingSlash()}, func(u string) string { return u + "/" }, true},
		{"another host", nil, func(string) string { return "https://evil.example/" }, false},
		{"case differs", nil, func(u string) string { return strings.ToUpper(u) }, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := newFixture(t, tt.opts...)
			var logs syncbuf.Buffer
			v := f.verifier(t, func(c *token.Config) { c.Logger = slog.New(slog.NewTextHandler(&logs, nil)) })
			raw := f.iss.Token().Claim("iss", tt.iss(f.iss.URL())).MustSign(t)
			for range 3 {
				_, err := v.Verify(t.Context(), raw)
				assertRefused(t, err, token.ErrIssuer)
			}
			if !tt.warns {
				assert.Empty(t, logs.String())
				return
			}
			assert.Equal(t, 1, strings.Count(logs.String(), "level=WARN"), "once per value: %s", logs.String())
			assert.Contains(t, logs.String(), "trailing slash")
			assert.Contains(t, logs.String(), "token_iss="+tt.iss(f.iss.URL()))
			assert.Contains(t, logs.String(), "configured_issuer="+f.iss.URL())
			assert.Zero(t, f.jwksFetches(), "an untrusted issuer costs no key lookup")
		})
	}
}
