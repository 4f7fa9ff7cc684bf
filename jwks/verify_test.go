package jwks

import (
	"crypto"
	"crypto/rand"
	"crypto/rsa"
	"crypto/sha256"
	"crypto/x509"
	"math/big"
	"strconv"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

var signingInput = []byte("eyJhbGciOiJSUzI1NiJ9.eyJzdWIiOiJ1c2VyXzEyMyJ9")

func mustPublicKey(t testing.TB, public any, kid, alg string) *Key {
	t.Helper()
	key, err := NewPublicKey(public, kid, alg)
	require.NoError(t, err)
	return key
}

func mustHMACKey(t testing.TB, secret []byte, kid, alg string) *Key {
	t.Helper()
	key, err := NewHMACKey(secret, kid, alg)
	require.NoError(t, err)
	return key
}

func TestVerifyEveryAlgorithm(t *testing.T) {
	k := testKeys(t)
	tests := []struct {
		alg      string
		signer   any // private key or secret
		verifier *Key
		wrong    *Key // same type, another key
	}{
		{RS256, k.rsa, mustPublicKey(t, &k.rsa.PublicKey, "", ""), mustPublicKey(t, &k.rsa2.PublicKey, "", "")},
		{RS384, k.rsa, mustPublicKey(t, &k.rsa.PublicKey, "", ""), mustPublicKey(t, &k.rsa2.PublicKey, "", "")},
		{RS512, k.rsa, mustPublicKey(t, &k.rsa.PublicKey, "", RS512), mustPublicKey(t, &k.rsa2.PublicKey, "", "")},
		{PS256, k.rsa, mustPublicKey(t, &k.rsa.PublicKey, "", ""), mustPublicKey(t, &k.rsa2.PublicKey, "", "")},
		{PS384, k.rsa, mustPublicKey(t, &k.rsa.PublicKey, "", PS384), mustPublicKey(t, &k.rsa2.PublicKey, "", "")},
		{PS512, k.rsa, mustPublicKey(t, &k.rsa.PublicKey, "", ""), mustPublicKey(t, &k.rsa2.PublicKey, "", "")},
		{ES256, k.p256, mustPublicKey(t, &k.p256.PublicKey, "", ES256), mustPublicKey(t, &k.p256b.PublicKey, "", "")},
		{ES384, k.p384, mustPublicKey(t, &k.p384.PublicKey, "", ""), nil},
		{ES512, k.p521, mustPublicKey(t, &k.p521.PublicKey, "", ""), nil},
		{EdDSA, k.ed, mustPublicKey(t, k.ed.Public(), "", EdDSA), mustPublicKey(t, k.ed2.Public(), "", "")},
		{HS256, hmacSecret(32), mustHMACKey(t, hmacSecret(32), "", HS256), mustHMACKey(t, hmacSecret(33), "", HS256)},
		{HS384, hmacSecret(48), mustHMACKey(t, hmacSecret(48), "", HS384), mustHMACKey(t, hmacSecret(49), "", HS384)},
		{HS512, hmacSecret(64), mustHMACKey(t, hmacSecret(64), "", HS512), mustHMACKey(t, hmacSecret(65), "", HS512)},
	}
	// Verify and VerifyString, on a short input and a long one (VerifyString
	// hashes the string's bytes where they stand).
	long := []byte(strings.Repeat("eyJzdWIiOiJ1c2VyXzEyMyJ9", 70))
	methods := map[string]func(k *Key, alg string, input, sig []byte) error{
		"Verify": (*Key).Verify,
		"VerifyString": func(k *Key, alg string, input, sig []byte) error {
			return k.VerifyString(alg, string(input), sig)
		},
		// VerifyDigest where the algorithm has a digest form; the others
		// are checked by TestVerifyDigestRefusals.
		"VerifyDigest": func(k *Key, alg string, input, sig []byte) error {
			h, ok := DigestHash(alg)
			if !ok {
				return k.Verify(alg, input, sig)
			}
			d := h.New()
			d.Write(input)
			return k.VerifyDigest(alg, d.Sum(nil), sig)
		},
	}
	for _, tt := range tests {
		for name, verify := range methods {
			for _, input := range [][]byte{signingInput, long} {
				t.Run(tt.alg+"/"+name+"/"+strconv.Itoa(len(input)), func(t *testing.T) {
					sig := sign(t, tt.alg, tt.signer, input)
					require.True(t, tt.verifier.Allows(tt.alg))
					require.NoError(t, verify(tt.verifier, tt.alg, input, sig))

					tampered := append([]byte(nil), input...)
					tampered[len(tampered)-1] ^= 1
					assert.ErrorIs(t, verify(tt.verifier, tt.alg, tampered, sig), ErrSignature, "other input")
					tampered = append([]byte(nil), input...)
					tampered[0] ^= 1
					assert.ErrorIs(t, verify(tt.verifier, tt.alg, tampered, sig), ErrSignature, "other first byte")

					flipped := append([]byte(nil), sig...)
					flipped[len(flipped)/2] ^= 0x80
					assert.ErrorIs(t, verify(tt.verifier, tt.alg, input, flipped), ErrSignature, "flipped bit")

					assert.ErrorIs(t, verify(tt.verifier, tt.alg, input, sig[:len(sig)-1]), ErrSignature, "truncated")
					assert.ErrorIs(t, verify(tt.verifier, tt.alg, input, nil), ErrSignature, "empty")

					if tt.wrong != nil {
						assert.ErrorIs(t, verify(tt.wrong, tt.alg, input, sig), ErrSignature, "wrong key")
					}
					other := RS256
					if tt.alg == RS256 {
						other = ES256
					}
					if !tt.verifier.Allows(other) {
						assert.ErrorIs(t, verify(tt.verifier, other, input, sig), ErrAlgorithm, "algorithm the key does not allow")
					}
				})
			}
		}
	}
}

func TestVerifyDigestRefusals(t *testing.T) {
	k := testKeys(t)
	for _, alg := range []string{EdDSA, HS256, "none", "RS1"} {
		_, ok := DigestHash(alg)
		assert.False(t, ok, alg)
	}
	ed := mustPublicKey(t, k.ed.Public(), "", EdDSA)
	assert.ErrorIs(t, ed.VerifyDigest(EdDSA, make([]byte, 64), make([]byte, 64)), ErrAlgorithm, "EdDSA signs the input itself")
	mac := mustHMACKey(t, hmacSecret(32), "", HS256)
	assert.ErrorIs(t, mac.VerifyDigest(HS256, make([]byte, 32), make([]byte, 32)), ErrAlgorithm, "HMAC authenticates the input itself")

	rsaKey := mustPublicKey(t, &k.rsa.PublicKey, "", RS256)
	sig := sign(t, RS256, k.rsa, signingInput)
	d := sha256.Sum256(signingInput)
	require.NoError(t, rsaKey.VerifyDigest(RS256, d[:], sig))
	assert.ErrorIs(t, rsaKey.VerifyDigest(RS256, d[:31], sig), ErrSignature, "a digest of the wrong length")
	assert.ErrorIs(t, rsaKey.VerifyDigest(ES256, d[:], sig), ErrAlgorithm, "an algorithm the key does not allow")
	h, ok := DigestHash(PS384)
	assert.True(t, ok)
	assert.Equal(t, crypto.SHA384, h)
}

func TestVerifyRefusesNonJWSSignatureForms(t *testing.T) {
	k := testKeys(t)
	rsaKey := mustPublicKey(t, &k.rsa.PublicKey, "", "")
	p256 := mustPublicKey(t, &k.p256.PublicKey, "", "")
	p384 := mustPublicKey(t, &k.p384.PublicKey, "", "")
	digest := digestOf(PS256, signingInput)

	pss := func(salt int) []byte {
		sig, err := rsa.SignPSS(rand.Reader, k.rsa, hashOf(PS256), digest, &rsa.PSSOptions{SaltLength: salt})
		require.NoError(t, err)
		return sig
	}
	r, s, der := ecdsaRS(t, k.p256, ES256, signingInput)
	zero := big.NewInt(0)
	n := k.p256.Curve.Params().N

	tests := []struct {
		name string
		key  *Key
		alg  string
		sig  []byte
	}{
		{"PSS with the largest salt", rsaKey, PS256, pss(rsa.PSSSaltLengthAuto)},
		{"PSS without salt", rsaKey, PS256, pss(0)},
		{"PSS with a 20-byte salt", rsaKey, PS256, pss(20)},
		{"PKCS #1 v1.5 signature under PS256", rsaKey, PS256, sign(t, RS256, k.rsa, signingInput)},
		{"PSS signature under RS256", rsaKey, RS256, sign(t, PS256, k.rsa, signingInput)},
		{"RS256 signature under RS384", rsaKey, RS384, sign(t, RS256, k.rsa, signingInput)},
		{"ECDSA in ASN.1 DER", p256, ES256, der},
		{"ECDSA with R zero", p256, ES256, fixedRS(zero, s, k.p256.Curve)},
		{"ECDSA with S zero", p256, ES256, fixedRS(r, zero, k.p256.Curve)},
		{"ECDSA with R and S zero", p256, ES256, make([]byte, 64)},
		{"ECDSA with S = N", p256, ES256, fixedRS(r, n, k.p256.Curve)},
		{"ECDSA R||S one byte short", p256, ES256, fixedRS(r, s, k.p256.Curve)[1:]},
		{"ECDSA R||S with a leading zero byte", p256, ES256, append([]byte{0}, fixedRS(r, s, k.p256.Curve)...)},
		{"P-384 signature sized for P-256", p384, ES384, sign(t, ES384, k.p384, signingInput)[:64]},
		{"Ed25519 signature under HS", mustHMACKey(t, hmacSecret(64), "", HS512), HS512, sign(t, EdDSA, k.ed, signingInput)},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			assert.ErrorIs(t, tt.key.Verify(tt.alg, signingInput, tt.sig), ErrSignature)
		})
	}

}

func TestAllows(t *testing.T) {
	k := testKeys(t)
	rsaAny := mustPublicKey(t, &k.rsa.PublicKey, "", "")
	rsaRS256 := mustPublicKey(t, &k.rsa.PublicKey, "", RS256)
	p256 := mustPublicKey(t, &k.p256.PublicKey, "", "")
	p384 := mustPublicKey(t, &k.p384.PublicKey, "", "")
	p521 := mustPublicKey(t, &k.p521.PublicKey, "", "")
	ed := mustPublicKey(t, k.ed.Public(), "", "")
	hs256 := mustHMACKey(t, hmacSecret(64), "", HS256)
	hs512 := mustHMACKey(t, hmacSecret(64), "", HS512)

	all := append(AsymmetricAlgorithms(), HS256, HS384, HS512, "none", "None", "rs256", "", "HS1", "Ed25519")
	allowed := map[*Key][]string{
		rsaAny:   {RS256, RS384, RS512, PS256, PS384, PS512},
		rsaRS256: {RS256},
		p256:     {ES256},
		p384:     {ES384},
		p521:     {ES512},
		ed:       {EdDSA},
		hs256:    {HS256},
		hs512:    {HS512},
	}
	names := map[*Key]string{rsaAny: "RSA", rsaRS256: "RSA pinned RS256", p256: "P-256", p384: "P-384", p521: "P-521", ed: "Ed25519", hs256: "HS256 key", hs512: "HS512 key"}
	for key, want := range allowed {
		for _, alg := range all {
			t.Run(names[key]+"/"+alg, func(t *testing.T) {
				ok := false
				for _, a := range want {
					ok = ok || a == alg
				}
				assert.Equal(t, ok, key.Allows(alg))
				if !ok {
					// Refused before any cryptography, with the algorithm named
					// as the cause rather than the signature.
					assert.ErrorIs(t, key.Verify(alg, signingInput, make([]byte, 64)), ErrAlgorithm)
				}
			})
		}
	}

	t.Run("HS256 token against an RSA key", func(t *testing.T) {
		// The classic confusion: the RSA public key used as an HMAC secret.
		sig := sign(t, HS256, x509.MarshalPKCS1PublicKey(&k.rsa.PublicKey), signingInput)
		assert.ErrorIs(t, rsaAny.Verify(HS256, signingInput, sig), ErrAlgorithm)
	})
	t.Run("ES256 token against a P-384 key", func(t *testing.T) {
		// Sized by the key's curve: 96 bytes, the P-384 form, over SHA-256.
		assert.ErrorIs(t, p384.Verify(ES256, signingInput, sign(t, ES256, k.p384, signingInput)), ErrAlgorithm)
	})
	t.Run("PS256 token against a key pinned RS256", func(t *testing.T) {
		assert.ErrorIs(t, rsaRS256.Verify(PS256, signingInput, sign(t, PS256, k.rsa, signingInput)), ErrAlgorithm)
	})
	t.Run("a zero Key allows nothing", func(t *testing.T) {
		var zero Key
		for _, alg := range all {
			assert.False(t, zero.Allows(alg), alg)
			assert.ErrorIs(t, zero.Verify(alg, signingInput, nil), ErrAlgorithm)
		}
	})
}

func TestAlgorithmNames(t *testing.T) {
	for _, alg := range AsymmetricAlgorithms() {
		assert.True(t, IsSupported(alg), alg)
		assert.False(t, IsSymmetric(alg), alg)
	}
	for _, alg := range []string{HS256, HS384, HS512} {
		assert.True(t, IsSupported(alg), alg)
		assert.True(t, IsSymmetric(alg), alg)
	}
	for _, alg := range []string{"none", "None", "NONE", "", "rs256", "ES256K", "RSA-OAEP", "Ed25519"} {
		assert.False(t, IsSupported(alg), alg)
		assert.False(t, IsSymmetric(alg), alg)
	}
}
