package jwks

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestKeySetFind(t *testing.T) {
	k := testKeys(t)
	rsaA := mustPublicKey(t, &k.rsa.PublicKey, "a", RS256)
	rsaB := mustPublicKey(t, &k.rsa2.PublicKey, "b", "")
	ecC := mustPublicKey(t, &k.p256.PublicKey, "c", ES256)
	edD := mustPublicKey(t, k.ed.Public(), "d", "")
	pemRSA := mustPublicKey(t, &k.rsa.PublicKey, "", "")   // a PEM key: no kid
	pemRSA2 := mustPublicKey(t, &k.rsa2.PublicKey, "", "") // another one
	pemEC := mustPublicKey(t, &k.p256.PublicKey, "", "")
	psOnly := mustPublicKey(t, &k.rsa2.PublicKey, "ps", PS256)

	tests := []struct {
		name    string
		keys    []*Key
		kid     string
		alg     string
		want    *Key
		wantErr error
	}{
		{name: "by kid", keys: []*Key{rsaA, rsaB, ecC, edD}, kid: "c", alg: ES256, want: ecC},
		{name: "by kid, whatever alg the token names", keys: []*Key{rsaA, ecC}, kid: "a", alg: ES256, want: rsaA},
		{name: "by kid, even an alg no key allows", keys: []*Key{rsaA}, kid: "a", alg: "none", want: rsaA},
		{name: "no kid, one key", keys: []*Key{rsaA}, kid: "", alg: RS256, want: rsaA},
		{name: "no kid, one key that does not allow alg", keys: []*Key{rsaA}, kid: "", alg: ES256, wantErr: ErrKeyNotFound},
		{name: "no kid, one key per alg", keys: []*Key{rsaA, ecC, edD}, kid: "", alg: EdDSA, want: edD},
		{name: "no kid, two keys for its alg", keys: []*Key{rsaA, rsaB, ecC}, kid: "", alg: RS256, wantErr: ErrAmbiguousKey},
		{name: "no kid, two RSA keys pinned apart", keys: []*Key{rsaA, psOnly}, kid: "", alg: PS256, want: psOnly},
		{name: "no kid, two PEM keys", keys: []*Key{pemRSA, pemRSA2}, kid: "", alg: RS256, wantErr: ErrAmbiguousKey},
		{name: "unknown kid, one kid-less key", keys: []*Key{pemRSA}, kid: "ins_2abc", alg: RS256, want: pemRSA},
		{name: "unknown kid, one kid-less key among named ones", keys: []*Key{rsaA, pemEC, rsaB}, kid: "zzz", alg: ES256, want: pemEC},
		{name: "unknown kid, kid-less key of another type", keys: []*Key{pemEC}, kid: "zzz", alg: RS256, wantErr: ErrKeyNotFound},
		{name: "unknown kid, two kid-less keys", keys: []*Key{pemRSA, pemRSA2}, kid: "zzz", alg: RS256, wantErr: ErrAmbiguousKey},
		{name: "unknown kid, only named keys", keys: []*Key{rsaA, rsaB}, kid: "zzz", alg: RS256, wantErr: ErrKeyNotFound},
		{name: "kid matches case-sensitively", keys: []*Key{rsaA}, kid: "A", alg: RS256, wantErr: ErrKeyNotFound},
		{name: "empty set", keys: nil, kid: "a", alg: RS256, wantErr: ErrKeyNotFound},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			set, dropped := newKeySet(tt.keys)
			require.Empty(t, dropped)
			got, err := set.find(tt.kid, tt.alg)
			if tt.wantErr != nil {
				require.ErrorIs(t, err, tt.wantErr)
				assert.Nil(t, got)
				return
			}
			require.NoError(t, err)
			assert.Same(t, tt.want, got)
		})
	}

	t.Run("nil set", func(t *testing.T) {
		var set *keySet
		_, err := set.find("a", RS256)
		assert.ErrorIs(t, err, ErrKeyNotFound)
		assert.False(t, set.contains(rsaA))
	})

	t.Run("duplicate kid keeps the first", func(t *testing.T) {
		set, dropped := newKeySet([]*Key{rsaA, mustPublicKey(t, &k.p256.PublicKey, "a", ""), rsaB})
		require.Len(t, dropped, 1)
		assert.Contains(t, dropped[0].Error(), `"a"`)
		got, err := set.find("a", ES256)
		require.NoError(t, err)
		assert.Same(t, rsaA, got)
		assert.Len(t, set.keys, 2)
		assert.True(t, set.contains(rsaA))
		assert.True(t, set.contains(rsaB))
	})
}

func TestNewStatic(t *testing.T) {
	k := testKeys(t)
	rsaA := mustPublicKey(t, &k.rsa.PublicKey, "a", RS256)
	ecA := mustPublicKey(t, &k.p256.PublicKey, "a", ES256)
	ecB := mustPublicKey(t, &k.p256.PublicKey, "b", ES256)
	pem1 := mustPublicKey(t, &k.rsa.PublicKey, "", "")
	pem2 := mustPublicKey(t, &k.rsa2.PublicKey, "", "")
	hs := mustHMACKey(t, hmacSecret(32), "", HS256)

	tests := []struct {
		name    string
		keys    []*Key
		errText string
	}{
		{name: "one key", keys: []*Key{rsaA}},
		{name: "distinct kids", keys: []*Key{rsaA, ecB}},
		{name: "kid-less keys may repeat", keys: []*Key{pem1, pem2}},
		{name: "HMAC and public keys together", keys: []*Key{hs, rsaA}},
		{name: "no keys", keys: nil, errText: "at least one key"},
		{name: "nil key", keys: []*Key{rsaA, nil}, errText: "static key 1 is nil"},
		{name: "duplicate kid", keys: []*Key{rsaA, ecB, ecA}, errText: `duplicate kid "a"`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s, err := NewStatic(tt.keys...)
			if tt.errText != "" {
				require.Error(t, err)
				assert.Contains(t, err.Error(), tt.errText)
				assert.Nil(t, s)
				return
			}
			require.NoError(t, err)
			assert.Equal(t, tt.keys, s.Keys())
		})
	}

	t.Run("Keys returns a copy", func(t *testing.T) {
		s, err := NewStatic(rsaA, ecB)
		require.NoError(t, err)
		keys := s.Keys()
		keys[0] = nil
		assert.Equal(t, []*Key{rsaA, ecB}, s.Keys())
	})
}

func TestStaticKey(t *testing.T) {
	k := testKeys(t)
	rsaA := mustPublicKey(t, &k.rsa.PublicKey, "a", RS256)
	ecB := mustPublicKey(t, &k.p256.PublicKey, "b", ES256)
	pem1 := mustPublicKey(t, &k.rsa.PublicKey, "", "")
	pem2 := mustPublicKey(t, &k.rsa2.PublicKey, "", "")

	named, err := NewStatic(rsaA, ecB)
	require.NoError(t, err)
	clerk, err := NewStatic(pem1) // Clerk's networkless jwtKey: one PEM key, tokens carry a kid
	require.NoError(t, err)
	twoPEM, err := NewStatic(pem1, pem2)
	require.NoError(t, err)

	var _ Source = named

	tests := []struct {
		name    string
		source  *Static
		kid     string
		alg     string
		want    *Key
		wantErr error
	}{
		{"by kid", named, "b", ES256, ecB, nil},
		{"no kid picks by alg", named, "", RS256, rsaA, nil},
		{"unknown kid", named, "c", RS256, nil, ErrKeyNotFound},
		{"PEM key verifies a token with a kid", clerk, "ins_123", RS256, pem1, nil},
		{"PEM key for another type", clerk, "ins_123", ES256, nil, ErrKeyNotFound},
		{"two PEM keys and no way to choose", twoPEM, "", RS256, nil, ErrAmbiguousKey},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			// A static source never blocks, so even a cancelled context answers.
			ctx, cancel := context.WithCancel(context.Background())
			cancel()
			got, err := tt.source.Key(ctx, tt.kid, tt.alg)
			if tt.wantErr != nil {
				require.ErrorIs(t, err, tt.wantErr)
				assert.False(t, errors.Is(err, ErrUnavailable))
				return
			}
			require.NoError(t, err)
			assert.Same(t, tt.want, got)
		})
	}
}

func TestUnavailableError(t *testing.T) {
	cause := errors.New("boom")
	err := error(&UnavailableError{RetryAfter: time.Second, Cause: cause})
	assert.ErrorIs(t, err, ErrUnavailable)
	assert.ErrorIs(t, err, cause)
	assert.Equal(t, "jwks: signing keys are unavailable: boom", err.Error())
	var ue *UnavailableError
	require.ErrorAs(t, err, &ue)
	assert.Equal(t, time.Second, ue.RetryAfter)

	bare := &UnavailableError{}
	assert.Equal(t, ErrUnavailable.Error(), bare.Error())
	assert.ErrorIs(t, bare, ErrUnavailable)
	assert.NotErrorIs(t, bare, ErrKeyNotFound)
}
