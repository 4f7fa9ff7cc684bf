package authtest

// TamperSignature changes one character in the middle of a compact token's
// signature, leaving header and claims intact: the result reads as genuine
// but cannot verify. Both replacement characters are in the base64url
// alphabet, and the position is far from the end, where a change could fall
// on padding bits and decode to the same bytes.
func TamperSignature(token string) string {
	b := []byte(token)
	if len(b) < 20 {
		return token + "A"
	}
	i := len(b) - 20
	if b[i] == 'A' {
		b[i] = 'B'
	} else {
		b[i] = 'A'
	}
	return string(b)
}
