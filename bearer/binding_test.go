package bearer

import (
	"testing"

	"github.com/stretchr/testify/assert"
)

// The shortcut for {"jkt":"..."} answers as the general reader does,
// whatever the text, and takes only that exact form.
func TestBindingShortcutAgreesWithReader(t *testing.T) {
	const thumb = "0ZcOCORZNYy-DWpqq30jZyJGHTN0d2HglBV3uiGQA4I"
	tests := []struct {
		cnf   string
		taken bool // by the shortcut
	}{
		{`{"jkt":"` + thumb + `"}`, true},
		{`{"jkt":"a"}`, true},
		{`{"jkt":""}`, false},
		{`{ "jkt":"` + thumb + `"}`, false},
		{`{"jkt": "` + thumb + `"}`, false},
		{`{"jkt":"` + thumb + `" }`, false},
		{`{"jkt":"\u0041bc"}`, false},
		{`{"jkt":"a.b"}`, false},
		{`{"jkt":"a","jkt":"b"}`, false},
		{`{"jkt":"a","x5t#S256":"b"}`, false},
		{`{"x5t#S256":"` + thumb + `"}`, false},
		{`{"jkt":"a"}}`, false},
		{`{"jkt":"a"`, false},
		{`{"jkt":"a\"}`, false},
		{`{"jkt":1}`, false},
		{`{}`, false},
		{`"jkt"`, false},
		{``, false},
	}
	for _, tt := range tests {
		t.Run(tt.cnf, func(t *testing.T) {
			_, taken := jktOnly([]byte(tt.cnf))
			assert.Equal(t, tt.taken, taken)
			jkt, other, err := binding([]byte(tt.cnf))
			wantJKT, wantOther, wantErr := readBinding([]byte(tt.cnf))
			assert.Equal(t, wantJKT, jkt)
			assert.Equal(t, wantOther, other)
			assert.Equal(t, wantErr, err)
		})
	}
}
