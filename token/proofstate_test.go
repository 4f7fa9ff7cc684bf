package token

import (
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/scopegate/scopegate/authtest"
	"github.com/scopegate/scopegate/internal/textsum"
)

// A remembered proof header keeps the SHA-256 state after "header." under
// the algorithms that sign a SHA-256 digest, and no state under the others,
// which hash otherwise (EdDSA) or with another hash (ES384).
func TestProofKeyHeaderState(t *testing.T) {
	for _, tt := range []struct {
		alg   string
		state bool
	}{{"ES256", true}, {"RS256", true}, {"PS256", true}, {"EdDSA", false}, {"ES384", false}} {
		t.Run(tt.alg, func(t *testing.T) {
			v, err := NewProofVerifier(ProofConfig{})
			require.NoError(t, err)
			raw := authtest.MustDPoPKey(t, tt.alg).Proof("GET", "https://api.example.com/x").MustSign(t)
			_, err = v.Verify(raw)
			require.NoError(t, err)
			header := raw[:strings.IndexByte(raw, '.')]
			key, ok := v.keys.get(header)
			require.True(t, ok)
			if !tt.state {
				assert.Nil(t, key.headerState)
				return
			}
			assert.Equal(t, textsum.Prefix(header+"."), key.headerState)
		})
	}
}
