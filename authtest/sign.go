package authtest

import (
	"encoding/base64"
	"fmt"

	"github.com/scopegate/scopegate/internal/jwssign"
)

// SignRaw signs header and payload exactly as given — they need not be JSON,
// let alone valid JSON — and returns the compact serialisation
// base64url(header) "." base64url(payload) "." base64url(signature). It is for
// adversarial tests whose tokens no JSON encoder would produce: duplicate
// keys, invalid UTF-8, a header that is an array.
//
// key is a [crypto.Signer] for the RS*, PS*, ES* and EdDSA (or Ed25519, its
// fully-specified name) algorithms and a
// []byte secret for HS256, HS384 and HS512; with alg "none" it is ignored and
// the signature is empty. The alg argument only chooses how to sign: it is
// not checked against the header, so a token can claim one algorithm and be
// signed with another. ECDSA signatures take the fixed-size R||S form of
// RFC 7518 §3.4, sized by the key's curve, not by alg.
func SignRaw(alg string, key any, header, payload []byte) (string, error) {
	enc := base64.RawURLEncoding
	input := enc.EncodeToString(header) + "." + enc.EncodeToString(payload)
	sig, err := jwssign.Sign(alg, key, []byte(input))
	if err != nil {
		return "", fmt.Errorf("authtest: %w", err)
	}
	return input + "." + enc.EncodeToString(sig), nil
}
