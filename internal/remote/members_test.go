package remote

import (
	"encoding/json"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestMemberReaders(t *testing.T) {
	raw := func(s string) json.RawMessage {
		if s == "" {
			return nil
		}
		return json.RawMessage(s)
	}
	t.Run("String", func(t *testing.T) {
		for in, want := range map[string]string{"": "", "null": "", `"a\u00e9"`: "aé", `""`: ""} {
			got, err := String("m", raw(in))
			require.NoError(t, err, in)
			assert.Equal(t, want, got, in)
		}
		for _, in := range []string{"1", "true", `["a"]`, "{}"} {
			_, err := String("m", raw(in))
			assert.EqualError(t, err, `"m" is not a string`, in)
		}
	})
	t.Run("Strings", func(t *testing.T) {
		for in, want := range map[string][]string{"": nil, "null": nil, "[]": nil, `["a","b"]`: {"a", "b"}} {
			got, err := Strings("m", raw(in))
			require.NoError(t, err, in)
			assert.Equal(t, want, got, in)
		}
		for _, in := range []string{`"a"`, `["a",null]`, `["a",1]`, "{}"} {
			_, err := Strings("m", raw(in))
			assert.EqualError(t, err, `"m" is not an array of strings`, in)
		}
	})
	t.Run("EpochTime", func(t *testing.T) {
		tests := []struct {
			in   string
			unit time.Duration
			want time.Time
		}{
			{"", time.Second, time.Time{}},
			{"null", time.Millisecond, time.Time{}},
			{"1700000000", time.Second, time.Unix(1700000000, 0)},
			{"1700000000.25", time.Second, time.Unix(1700000000, 250_000_000)},
			{"1700000000123", time.Millisecond, time.UnixMilli(1700000000123)},
			{"1700000000123.5", time.Millisecond, time.UnixMilli(1700000000123).Add(500 * time.Microsecond)},
			{"0", time.Millisecond, time.Unix(0, 0)},
		}
		for _, tt := range tests {
			got, err := EpochTime("m", raw(tt.in), tt.unit)
			require.NoError(t, err, tt.in)
			assert.True(t, tt.want.Equal(got), "%s: %v, want %v", tt.in, got, tt.want)
		}
		for in, want := range map[string]string{`"1"`: `"m" is not a number`, "true": `"m" is not a number`,
			"-1": `"m" is out of range`, "9007199254740992": `"m" is out of range`, "1e400": `"m" is out of range`} {
			_, err := EpochTime("m", raw(in), time.Second)
			assert.EqualError(t, err, want, in)
		}
	})
	assert.True(t, Absent(nil))
	assert.True(t, Absent(json.RawMessage("null")))
	assert.False(t, Absent(json.RawMessage(`""`)))
}
