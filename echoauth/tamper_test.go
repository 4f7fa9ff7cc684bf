package echoauth_test

// tamper changes one character in the middle of the signature segment,
// leaving header and claims intact, so the token reads as genuine but cannot
// verify. Both replacement characters are in the base64url alphabet and the
// position is far from the end, where trailing bits could make a change
// decode to the same bytes.
func tamper(token string) string {
	b := []byte(token)
	i := len(b) - 20
	if b[i] == 'A' {
		b[i] = 'B'
	} else {
		b[i] = 'A'
	}
	return string(b)
}
