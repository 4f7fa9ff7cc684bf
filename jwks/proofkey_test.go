package jwks_test

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/scopegate/scopegate/jwks"
)

// rfc7638Key is the example key of RFC 7638 §3.1, whose thumbprint the RFC
// gives.
const rfc7638Key = `{"kty":"RSA","n":"0vx7agoebGcQSuuPiLJXZptN9nndrQmbXEps2aiAFbWhM78LhWx4cbbfAAtVT86zwu1RK7aPFFxuhDR1L6tSoc_BJECPebWKRXjBZCiFV4n3oknjhMstn64tZ_2W-5JsGY4Hc5n9yBXArwl93lqt7_RN5w6Cf0h4QyQ5v-65YGjQR0_FDW2QvzqY368QQMicAtaSqzs8KJZgnYb9c7d0zgdAZHzu6qMQvRL5hajrn1n91CbOpbISD08qNLyrdkt-bFTWhAI4vMQFh6WeZu0fM4lFd2NcRwr3XPksINHaQ-G_xBniIqbw0Ls1jF44-csFCur-kEgU8awapJzKnqDKgw","e":"AQAB","alg":"RS256","kid":"2011-04-29"}`

func TestParseProofKeyThumbprint(t *testing.T) {
	key, thumbprint, err := jwks.ParseProofKey([]byte(rfc7638Key))
	require.NoError(t, err)
	assert.Equal(t, "NzbLsXh8uDCcd-6MNwXF4W_7noWXFZAfHkxZsRGC9Xs", thumbprint, "RFC 7638 §3.1")
	assert.True(t, key.Allows(jwks.RS256))
}

func TestParseProofKeyRefuses(t *testing.T) {
	tests := []struct {
		name, jwk, want string
	}{
		{"not JSON", `{`, "not a valid public key"},
		{"private RSA", `{"kty":"RSA","n":"AQAB","e":"AQAB","d":"AQAB"}`, `must not carry "d"`},
		{"private EC", `{"kty":"EC","crv":"P-256","x":"AA","y":"AA","d":"AA"}`, `must not carry "d"`},
		{"symmetric", `{"kty":"oct","k":"c2VjcmV0"}`, `must not carry "k"`},
		{"RSA prime", `{"kty":"RSA","n":"AQAB","e":"AQAB","p":"AQAB"}`, `must not carry "p"`},
		{"EC point off its curve", `{"kty":"EC","crv":"P-256","x":"AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAE","y":"AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAE"}`, "not a valid public key"},
		{"unknown kty", `{"kty":"XYZ"}`, "not a valid public key"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, _, err := jwks.ParseProofKey([]byte(tt.jwk))
			require.ErrorIs(t, err, jwks.ErrInvalidKey)
			assert.ErrorContains(t, err, tt.want)
		})
	}
}

// A proof's key is the client's: whatever it holds stays out of the error
// text, which applications log.
func TestParseProofKeyErrorsHoldNoKeyText(t *testing.T) {
	const valid = `"kty":"RSA","n":"0vx7agoebGcQSuuPiLJXZptN9nndrQmbXEps2aiAFbWhM78LhWx4cbbfAAtVT86zwu1RK7aPFFxuhDR1L6tSoc_BJECPebWKRXjBZCiFV4n3oknjhMstn64tZ_2W-5JsGY4Hc5n9yBXArwl93lqt7_RN5w6Cf0h4QyQ5v-65YGjQR0_FDW2QvzqY368QQMicAtaSqzs8KJZgnYb9c7d0zgdAZHzu6qMQvRL5hajrn1n91CbOpbISD08qNLyrdkt-bFTWhAI4vMQFh6WeZu0fM4lFd2NcRwr3XPksINHaQ-G_xBniIqbw0Ls1jF44-csFCur-kEgU8awapJzKnqDKgw","e":"AQAB"`
	tests := []struct{ name, jwk string }{
		{"unknown alg", `{` + valid + `,"alg":"<script>SECRET</script>"}`},
		{"unknown curve", `{"kty":"EC","crv":"SECRET-CURVE","x":"AA","y":"AA"}`},
		{"malformed x5u", `{` + valid + `,"x5u":"http://SECRET\u007f"}`},
		{"unknown kty", `{"kty":"SECRET-KTY"}`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, _, err := jwks.ParseProofKey([]byte(tt.jwk))
			require.ErrorIs(t, err, jwks.ErrInvalidKey)
			assert.NotContains(t, err.Error(), "SECRET")
		})
	}
}
