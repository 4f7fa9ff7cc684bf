package jwks

import (
	"crypto/x509"
	"encoding/base64"
	"encoding/pem"
	"errors"
	"fmt"
	"strings"
)

// ParsePEM reads one public key from PEM: a PKIX "PUBLIC KEY" block (what
// Clerk shows as the JWT public key and `openssl pkey -pubout` writes), a
// PKCS #1 "RSA PUBLIC KEY" block, or a "CERTIFICATE" whose public key is used.
// kid and alg may be empty; a non-empty alg pins the key to that algorithm.
// Private keys are refused so that a secret never ends up in a verifier's
// configuration by mistake.
//
// A key pasted on one line, its line breaks lost or written as the two
// characters \n (as environment files often hold Clerk's CLERK_JWT_KEY), is
// read too: Clerk's SDKs accept such keys.
func ParsePEM(data []byte, kid, alg string) (*Key, error) {
	block, rest := pem.Decode(data)
	if block == nil {
		block, rest = decodeFlatPEM(data)
	}
	if block == nil {
		return nil, errors.New("jwks: no PEM block found; expected -----BEGIN PUBLIC KEY-----")
	}
	if extra, _ := pem.Decode(rest); extra != nil || strings.Contains(string(rest), "-----BEGIN ") {
		return nil, errors.New("jwks: more than one PEM block; give exactly one public key")
	}
	var public any
	var err error
	switch block.Type {
	case "PUBLIC KEY":
		public, err = x509.ParsePKIXPublicKey(block.Bytes)
	case "RSA PUBLIC KEY":
		public, err = x509.ParsePKCS1PublicKey(block.Bytes)
	case "CERTIFICATE":
		var cert *x509.Certificate
		cert, err = x509.ParseCertificate(block.Bytes)
		if err == nil {
			public = cert.PublicKey
		}
	case "PRIVATE KEY", "RSA PRIVATE KEY", "EC PRIVATE KEY", "ENCRYPTED PRIVATE KEY":
		return nil, fmt.Errorf("%w: PEM block %q holds a private key; give the public key (openssl pkey -pubout)", ErrInvalidKey, block.Type)
	default:
		return nil, fmt.Errorf("%w: unsupported PEM block %q", ErrInvalidKey, block.Type)
	}
	if err != nil {
		return nil, fmt.Errorf("%w: %v", ErrInvalidKey, err)
	}
	return NewPublicKey(public, kid, alg)
}

// decodeFlatPEM reads one PEM block whose line breaks were lost or escaped:
// "-----BEGIN T----- base64 -----END T-----" on one line. Only the base64
// alphabet and spaces may stand between the markers, and the two types must
// agree; anything else is not PEM.
func decodeFlatPEM(data []byte) (*pem.Block, []byte) {
	text := strings.ReplaceAll(string(data), `\n`, "\n")
	text = strings.Join(strings.Fields(text), " ")
	start := strings.Index(text, "-----BEGIN ")
	if start < 0 {
		return nil, data
	}
	text = text[start+len("-----BEGIN "):]
	typ, text, ok := strings.Cut(text, "-----")
	if !ok {
		return nil, data
	}
	body, rest, ok := strings.Cut(text, "-----END "+typ+"-----")
	if !ok {
		return nil, data
	}
	der, err := base64.StdEncoding.DecodeString(strings.ReplaceAll(body, " ", ""))
	if err != nil {
		return nil, data
	}
	return &pem.Block{Type: typ, Bytes: der}, []byte(rest)
}
