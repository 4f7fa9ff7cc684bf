package token

import (
	"errors"
	"fmt"
	"slices"
	"time"

	"github.com/scopegate/scopegate/internal/textsum"
	"github.com/scopegate/scopegate/jwks"
)

// DefaultMaxProofBytes caps a raw DPoP proof before any decoding: a proof
// holds a public key and five short claims, so a few KiB is plenty even
// with a 4096-bit RSA key.
const DefaultMaxProofBytes = 8 << 10

// The failure classes of a DPoP proof; every error VerifyProof returns wraps
// one of them. Their descriptions are fixed text for the error_description
// of an invalid_dpop_proof challenge (RFC 9449 §7.1).
var (
	ErrProofTooLarge  = &ValidationError{"DPoP proof is too large"}
	ErrProofMalformed = &ValidationError{"DPoP proof is malformed"}
	ErrProofType      = &ValidationError{"DPoP proof type is not dpop+jwt"}
	ErrProofAlgorithm = &ValidationError{"DPoP proof algorithm is not allowed"}
	ErrProofKey       = &ValidationError{"DPoP proof key is not a valid public key"}
	ErrProofSignature = &ValidationError{"DPoP proof signature is invalid"}
	ErrProofClaim     = &ValidationError{"DPoP proof lacks a required claim or has one of the wrong type"}
)

// Proof is a DPoP proof (RFC 9449 §4) whose signature verified with the key
// it carries: what it claims about the request it was made for. Whether it
// matches the request, the access token, the replay and the nonce rules is
// the caller's to decide (package bearer does).
type Proof struct {
	// Algorithm is the proof's "alg", an asymmetric algorithm.
	Algorithm string
	// KeyThumbprint is the RFC 7638 thumbprint of the key that signed the
	// proof, which a bound access token names in "cnf.jkt".
	KeyThumbprint string
	// ID is "jti", unique per proof.
	ID string
	// Method is "htm", the HTTP method of the request.
	Method string
	// URL is "htu" as the proof has it. RFC 9449 asks for the request's URL
	// without query or fragment; package bearer compares it with the
	// request's after normalising both and ignoring any query or fragment.
	URL string
	// IssuedAt is "iat".
	IssuedAt time.Time
	// AccessTokenHash is "ath", the base64url SHA-256 of the access token
	// the proof accompanies; "" when absent.
	AccessTokenHash string
	// Nonce is "nonce", a value the server gave; "" when absent.
	Nonce string
}

// VerifyProof checks the form and the signature of a DPoP proof (RFC 9449
// §4.2, §4.3 steps 1 to 6): at most maxBytes (DefaultMaxProofBytes when
// zero), one compact JWS in this package's strict encoding, "typ"
// dpop+jwt, an asymmetric "alg" its key allows, a "jwk" that is a public key
// and no more (private members refused), a signature that key verifies,
// and the claims "jti", "htm", "htu" and "iat" present with their types
// ("ath" and "nonce" strings when present). Unknown "crit" parameters are
// refused; "jku", "x5u", "x5c" and "kid" are never used to find the key.
//
// VerifyProof parses the proof's key anew each time; a server verifying
// many proofs uses a ProofVerifier, which remembers the keys it has seen.
func VerifyProof(raw string, maxBytes int) (Proof, error) {
	return verifyProof(raw, maxBytes, nil, nil)
}

// verifyProof is VerifyProof, looking the proof's header up in keys first
// when keys is not nil, and remembering it there once the proof has
// verified in full. A remembered header is one that decoded, parsed and
// named a key that verified a proof before: the same text gives the same
// algorithm and key, so the checks it skips could only pass again. When
// accepted is not nil, a proof under another algorithm is refused before
// its signature costs anything.
func verifyProof(raw string, maxBytes int, keys *proofKeyCache, accepted []string) (Proof, error) {
	if maxBytes == 0 {
		maxBytes = DefaultMaxProofBytes
	}
	if len(raw) > maxBytes {
		return Proof{}, ErrProofTooLarge
	}
	parts, err := splitCompact(raw)
	if err != nil {
		return Proof{}, proofMalformed(err)
	}
	key, cached := keys.get(parts.header)
	var p Proof
	if !cached {
		if key, err = readProofHeader(parts.header, accepted); err != nil {
			return Proof{}, err
		}
	}
	p.Algorithm = key.algorithm
	if !isAccepted(accepted, p.Algorithm) || !key.key.Allows(p.Algorithm) {
		return Proof{}, ErrProofAlgorithm
	}
	var sigScratch [512]byte
	signature, err := decodeSegment(parts.signature, "signature", sigScratch[:])
	if err != nil {
		return Proof{}, proofMalformed(err)
	}
	if len(signature) == 0 || verifyProofSignature(key, parts, signature) != nil {
		return Proof{}, ErrProofSignature
	}
	p.KeyThumbprint = key.thumbprint
	// No scratch: the payload is frozen, and the proof's strings are
	// borrowed from it (see borrowString).
	payload, err := decodeSegment(parts.payload, "payload", nil)
	if err != nil {
		return Proof{}, proofMalformed(err)
	}
	// A proof has five or six claims: their index stays on the stack.
	var scratch [8]member
	members, err := parseFrozen(scratch[:0], payload, maxHeaderDepth)
	if err != nil {
		return Proof{}, fmt.Errorf("%w: payload: %w", ErrProofMalformed, err)
	}
	if err := p.readClaims(members); err != nil {
		return Proof{}, err
	}
	if !cached {
		// Only the header of a proof that verified in full is remembered.
		keys.put(parts, key)
	}
	return p, nil
}

// verifyProofSignature checks the signature of a proof split into parts
// with key. A remembered header's hash state spares hashing the header
// again: only the payload is.
func verifyProofSignature(key proofKey, parts compact, signature []byte) error {
	if key.headerState == nil {
		return key.key.VerifyString(key.algorithm, parts.signingInput, signature)
	}
	sum, err := textsum.SHA256After(key.headerState, parts.payload)
	if err != nil {
		return err
	}
	return key.key.VerifyDigest(key.algorithm, sum[:], signature)
}

// readProofHeader decodes and checks a proof's header and parses the key
// it carries, unless its algorithm is not among those accepted (nil: any).
func readProofHeader(header string, accepted []string) (proofKey, error) {
	headerJSON, err := decodeSegment(header, "header", nil)
	if err != nil {
		return proofKey{}, proofMalformed(err)
	}
	algorithm, jwk, err := parseProofHeader(headerJSON)
	if err != nil {
		return proofKey{}, err
	}
	if !isAccepted(accepted, algorithm) {
		return proofKey{}, ErrProofAlgorithm
	}
	key, err := parseProofKey(jwk)
	if err != nil {
		return proofKey{}, err
	}
	key.algorithm = algorithm
	return key, nil
}

// isAccepted reports whether a proof's algorithm is in the list a
// ProofVerifier was given; nil accepts any.
func isAccepted(accepted []string, algorithm string) bool {
	return accepted == nil || slices.Contains(accepted, algorithm)
}

// proofMalformed restates a structural failure as a proof's.
func proofMalformed(err error) error {
	return fmt.Errorf("%w: %w", ErrProofMalformed, errors.Unwrap(err))
}

// parseProofHeader checks a proof's header and returns its algorithm and
// the raw JSON of its key; the key is parsed next, and the proof's claims
// are read after its signature verifies.
func parseProofHeader(data []byte) (algorithm string, jwk []byte, err error) {
	members, err := parseObject(make([]member, 0, 8), data, maxHeaderDepth)
	if err != nil {
		return "", nil, fmt.Errorf("%w: header: %w", ErrProofMalformed, err)
	}
	var typ string
	for _, m := range members {
		switch m.name {
		case "typ":
			if typ, err = decodeString(m.value); err != nil {
				return "", nil, ErrProofType
			}
		case "alg":
			if algorithm, err = decodeString(m.value); err != nil {
				return "", nil, ErrProofAlgorithm
			}
		case "jwk":
			jwk = m.value
		case "crit":
			return "", nil, fmt.Errorf("%w: crit", ErrProofMalformed)
		case "b64":
			if string(m.value) != "true" {
				return "", nil, fmt.Errorf("%w: b64", ErrProofMalformed)
			}
		}
	}
	// RFC 9449 §4.2: explicit typing, compared as a media type.
	if normalType(typ) != "dpop+jwt" {
		return "", nil, ErrProofType
	}
	if !jwks.IsSupported(algorithm) || jwks.IsSymmetric(algorithm) {
		return "", nil, ErrProofAlgorithm
	}
	if jwk == nil {
		return "", nil, fmt.Errorf("%w: no jwk", ErrProofKey)
	}
	return algorithm, jwk, nil
}

// parseProofKey parses a proof's "jwk" and computes its thumbprint.
func parseProofKey(jwk []byte) (proofKey, error) {
	key, thumbprint, err := jwks.ParseProofKey(jwk)
	if err != nil {
		return proofKey{}, fmt.Errorf("%w: %w", ErrProofKey, err)
	}
	return proofKey{key: key, thumbprint: thumbprint}, nil
}

// proofClaimNames are the claims every proof must have (RFC 9449 §4.2), in
// the order their absence is reported.
var proofClaimNames = [...]string{"jti", "htm", "htu", "iat"}

// readClaims reads a verified proof's claims, each with its type. The
// strings are borrowed from the frozen payload the members index: a server
// reads a proof on every request.
func (p *Proof) readClaims(members []member) error {
	var err error
	var seen uint8 // bit i: proofClaimNames[i] is present
	for _, m := range members {
		switch m.name {
		case "jti":
			p.ID, err = decodeBorrowedString(m.value)
			seen |= 1 << 0
		case "htm":
			p.Method, err = decodeBorrowedString(m.value)
			seen |= 1 << 1
		case "htu":
			p.URL, err = decodeBorrowedString(m.value)
			seen |= 1 << 2
		case "iat":
			p.IssuedAt, err = decodeNumericDate(m.value)
			seen |= 1 << 3
		case "ath":
			p.AccessTokenHash, err = decodeBorrowedString(m.value)
		case "nonce":
			p.Nonce, err = decodeBorrowedString(m.value)
		default:
			continue
		}
		if err != nil {
			return fmt.Errorf("%w: %s", ErrProofClaim, m.name)
		}
	}
	if seen != 1<<len(proofClaimNames)-1 || p.ID == "" || p.Method == "" || p.URL == "" {
		var missing []string
		for i, name := range proofClaimNames {
			if seen&(1<<i) == 0 {
				missing = append(missing, name)
			}
		}
		return fmt.Errorf("%w: %v", ErrProofClaim, missing)
	}
	return nil
}
