package dpop_test

import (
	"bytes"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/scopegate/scopegate/authtest"
	"github.com/scopegate/scopegate/dpop"
)

var (
	secretA = bytes.Repeat([]byte{'a'}, dpop.MinNonceSecretBytes)
	secretB = bytes.Repeat([]byte{'b'}, dpop.MinNonceSecretBytes)
)

func mustNonces(t *testing.T, cfg dpop.NonceConfig) *dpop.Nonces {
	t.Helper()
	n, err := dpop.NewNonces(cfg)
	require.NoError(t, err)
	return n
}

func TestNonces(t *testing.T) {
	clock := authtest.NewClock(time.Unix(1_800_000_000, 0))
	issuer := mustNonces(t, dpop.NonceConfig{Secret: secretA, Now: clock.Now})
	replica := mustNonces(t, dpop.NonceConfig{Secret: secretA, Now: clock.Now})
	stranger := mustNonces(t, dpop.NonceConfig{Secret: secretB, Now: clock.Now})
	rotated := mustNonces(t, dpop.NonceConfig{Secret: secretB, PreviousSecrets: [][]byte{secretA}, Now: clock.Now})

	nonce := issuer.Issue()
	assert.Len(t, nonce, 32)
	assert.NoError(t, issuer.Check(nonce))
	assert.NoError(t, replica.Check(nonce), "replicas sharing the secret accept each other's nonces")
	assert.NoError(t, rotated.Check(nonce), "a previous secret still verifies")
	assert.ErrorIs(t, stranger.Check(nonce), dpop.ErrNonceInvalid)
	assert.ErrorIs(t, issuer.Check(rotated.Issue()), dpop.ErrNonceInvalid, "a rotated instance issues with its new secret")

	clock.Advance(dpop.DefaultNonceLifetime)
	assert.NoError(t, issuer.Check(nonce), "valid for its whole lifetime")
	clock.Advance(time.Second)
	assert.ErrorIs(t, issuer.Check(nonce), dpop.ErrNonceExpired)
}

func TestNoncesRefuseForgeries(t *testing.T) {
	clock := authtest.NewClock(time.Unix(1_800_000_000, 0))
	n := mustNonces(t, dpop.NonceConfig{Secret: secretA, Now: clock.Now})
	good := n.Issue()
	flipped := []byte(good)
	flipped[len(flipped)-2] ^= 1
	for _, nonce := range []string{"", "x", good + "A", good[:31], string(flipped), "!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!", "AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA"} {
		assert.ErrorIs(t, n.Check(nonce), dpop.ErrNonceInvalid, nonce)
	}
}

func TestNoncesFromAClockAhead(t *testing.T) {
	start := time.Unix(1_800_000_000, 0)
	ahead := authtest.NewClock(start.Add(30 * time.Second))
	far := authtest.NewClock(start.Add(31 * time.Second))
	here := mustNonces(t, dpop.NonceConfig{Secret: secretA, Now: authtest.NewClock(start).Now})
	assert.NoError(t, here.Check(mustNonces(t, dpop.NonceConfig{Secret: secretA, Now: ahead.Now}).Issue()))
	assert.ErrorIs(t, here.Check(mustNonces(t, dpop.NonceConfig{Secret: secretA, Now: far.Now}).Issue()), dpop.ErrNonceExpired)
}

func TestNoncesLifetime(t *testing.T) {
	clock := authtest.NewClock(time.Unix(1_800_000_000, 0))
	n := mustNonces(t, dpop.NonceConfig{Secret: secretA, Lifetime: time.Minute, Now: clock.Now})
	nonce := n.Issue()
	clock.Advance(time.Minute)
	assert.NoError(t, n.Check(nonce))
	clock.Advance(time.Second)
	assert.ErrorIs(t, n.Check(nonce), dpop.ErrNonceExpired)
}

func TestNewNoncesRefusesWeakSecrets(t *testing.T) {
	tests := []struct {
		name string
		cfg  dpop.NonceConfig
		want string
	}{
		{"no secret", dpop.NonceConfig{}, "nonce Secret has 0 bytes; use at least 32"},
		{"short secret", dpop.NonceConfig{Secret: []byte("short")}, "nonce Secret has 5 bytes"},
		{"short previous", dpop.NonceConfig{Secret: secretA, PreviousSecrets: [][]byte{secretB, []byte("x")}}, "nonce PreviousSecrets[1] has 1 bytes"},
		{"negative lifetime", dpop.NonceConfig{Secret: secretA, Lifetime: -time.Second}, "Lifetime must not be negative"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := dpop.NewNonces(tt.cfg)
			assert.ErrorContains(t, err, tt.want)
		})
	}
}

func TestNewNoncesCopiesTheSecret(t *testing.T) {
	secret := bytes.Clone(secretA)
	n := mustNonces(t, dpop.NonceConfig{Secret: secret})
	nonce := n.Issue()
	secret[0] = 'z'
	assert.NoError(t, n.Check(nonce), "changing the caller's slice changes nothing")
}
