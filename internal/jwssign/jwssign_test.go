package jwssign_test

import (
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/sha256"
	"math/big"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/scopegate/scopegate/internal/jwssign"
)

// Sign is tested through authtest.SignRaw, for every algorithm and every
// wrong key; these cover what only this package exposes.

func TestFixedRSPadsEachHalf(t *testing.T) {
	got := jwssign.FixedRS(big.NewInt(1), big.NewInt(0x0203), 4)
	assert.Equal(t, []byte{0, 0, 0, 1, 0, 0, 2, 3}, got)
	assert.Panics(t, func() { jwssign.FixedRS(big.NewInt(0x010000), big.NewInt(1), 2) }, "r wider than size")
}

func TestSignECDSAIsFixedRSOfAValidSignature(t *testing.T) {
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	require.NoError(t, err)
	input := []byte("header.payload")
	sig, err := jwssign.Sign("ES256", key, input)
	require.NoError(t, err)
	require.Len(t, sig, 64)
	r, s := new(big.Int).SetBytes(sig[:32]), new(big.Int).SetBytes(sig[32:])
	assert.Equal(t, sig, jwssign.FixedRS(r, s, 32))
	digest := sha256.Sum256(input)
	assert.True(t, ecdsa.Verify(&key.PublicKey, digest[:], r, s))
}
