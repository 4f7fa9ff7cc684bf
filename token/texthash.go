package token

import (
	"crypto"
	"crypto/sha256"

	"github.com/scopegate/scopegate/internal/textsum"
	"github.com/scopegate/scopegate/jwks"
)

// verifySignature checks the signature of tok, verified from raw split into
// parts, with key under alg. A token bound to a key ("cnf", RFC 7800) and
// signed under RS256, PS256 or ES256 also gets the SHA-256 of its whole
// text, which every DPoP proof presented with it names in "ath" (RFC 9449
// §4.2), from the same pass over the text: the signature covers the first
// two segments, and the hash goes on over the third. Hash.Sum leaves the
// state as it was, so no copy of it is needed.
func verifySignature(tok *verified, key *jwks.Key, alg, raw string, parts compact, signature []byte) error {
	if h, ok := jwks.DigestHash(alg); !ok || h != crypto.SHA256 {
		return key.VerifyString(alg, parts.signingInput, signature)
	}
	if _, bound := tok.claims.value("cnf"); !bound {
		return key.VerifyString(alg, parts.signingInput, signature)
	}
	d := sha256.New()
	textsum.Write(d, parts.signingInput)
	if err := key.VerifyDigest(alg, d.Sum(make([]byte, 0, sha256.Size)), signature); err != nil {
		return err
	}
	textsum.Write(d, raw[len(parts.signingInput):]) // the dot and the signature
	d.Sum(tok.textHash[:0])
	tok.hasTextHash, tok.text = true, raw
	return nil
}
