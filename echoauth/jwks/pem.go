package jwks

import (
	"crypto/x509"
	"encoding/pem"
	"errors"
	"fmt"
)

// ParsePEM reads one public key from PEM: a PKIX "PUBLIC KEY" block (what
// Clerk shows as the JWT public key and `openssl pkey -pubout` writes), a
// PKCS #1 "RSA PUBLIC KEY" block, or a "CERTIFICATE" whose public key is used.
// kid and alg may be empty; a non-empty alg pins the key to that algorithm.
// Private keys are refused so that a secret never ends up in a verifier's
// configuration by mistake.
func ParsePEM(data []byte, kid, alg string) (*Key, error) {
	block, rest := pem.Decode(data)
	if block == nil {
		return nil, errors.New("jwks: no PEM block found; expected -----BEGIN PUBLIC KEY-----")
	}
	if extra, _ := pem.Decode(rest); extra != nil {
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
