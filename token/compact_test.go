package token

import (
	"encoding/base64"
	"math/rand/v2"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// decodeSegment must answer exactly as one strict decoding of the whole
// segment would, for short lengths and long ones, with and without a bad
// byte anywhere (line breaks included, which Go's decoders would skip),
// and whether the result fits the scratch or not.
func TestDecodeSegmentAgreesWithWholeDecoding(t *testing.T) {
	const alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_"
	rng := rand.New(rand.NewPCG(1, 2))
	random := func(n int) string {
		var b strings.Builder
		for range n {
			b.WriteByte(alphabet[rng.IntN(len(alphabet))])
		}
		return b.String()
	}
	var lengths []int
	for n := range 12 {
		lengths = append(lengths, n)
	}
	for _, around := range []int{1024, 2048, 3072} {
		for n := around - 5; n <= around+5; n++ {
			lengths = append(lengths, n)
		}
	}
	bad := []string{"=", "+", "/", " ", ".", "\n", "\r", "\x00", "é"}
	for _, n := range lengths {
		segments := []string{random(n), base64.RawURLEncoding.EncodeToString([]byte(random(n)))}
		if n > 0 {
			for _, pos := range []int{0, n / 2, n - 1, min(n-1, 1023), min(n-1, 1024)} {
				s := random(n)
				segments = append(segments, s[:pos]+bad[rng.IntN(len(bad))]+s[pos+1:])
			}
		}
		for _, segment := range segments {
			want, wantErr := b64.DecodeString(segment)
			if strings.ContainsAny(segment, "\r\n") {
				wantErr = ErrMalformed // which Go's decoders would skip
			}
			for _, scratch := range [][]byte{nil, make([]byte, 16), make([]byte, 4096)} {
				got, err := decodeSegment(segment, "payload", scratch)
				if wantErr != nil {
					require.ErrorIs(t, err, ErrMalformed, "%q", segment)
					assert.EqualError(t, err, "token is malformed: payload is not base64url")
					continue
				}
				require.NoError(t, err, "%q", segment)
				assert.Equal(t, string(want), string(got), "length %d", n)
				assert.Equal(t, len(got), cap(got), "nothing past the result can be written through it")
			}
		}
	}

	// A line break anywhere, inserted or in place of a character, one or
	// two of them, is refused at every length, those of 4k+1 characters
	// included, which a skipped byte would otherwise make valid.
	for n := range 14 {
		valid := base64.RawURLEncoding.EncodeToString([]byte(random(n)))
		for pos := 0; pos <= len(valid); pos++ {
			for _, lb := range []string{"\n", "\r", "\r\n"} {
				variants := []string{valid[:pos] + lb + valid[pos:]}
				if pos < len(valid) {
					variants = append(variants, valid[:pos]+lb+valid[pos+1:])
				}
				for _, segment := range variants {
					_, err := decodeSegment(segment, "payload", nil)
					assert.ErrorIs(t, err, ErrMalformed, "%q", segment)
				}
			}
		}
	}
}
