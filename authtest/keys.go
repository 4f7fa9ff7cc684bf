package authtest

import (
	"crypto"
	"crypto/ecdsa"
	"crypto/ed25519"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/rsa"
	"crypto/x509"
	"encoding/json"
	"encoding/pem"
	"fmt"
	"strings"

	"github.com/go-jose/go-jose/v4"
)

// signingKey is one key the issuer made. A retired key keeps signing if it is
// still current for its algorithm, so that tests can mint tokens the key set
// no longer vouches for.
type signingKey struct {
	kid       string
	alg       string
	signer    crypto.Signer
	published bool
}

// initialAlgs are the algorithms an issuer starts with a key for: the
// default of Auth0 and Clerk, and one of each other key type a verifier meets.
var initialAlgs = []string{"RS256", "ES256", "EdDSA"}

func (i *Issuer) addInitialKeys() error {
	// RSA generation dominates start-up; making the keys side by side keeps
	// NewIssuer cheap enough to call in every test.
	type result struct {
		k   *signingKey
		err error
	}
	results := make([]chan result, len(initialAlgs))
	for n, alg := range initialAlgs {
		results[n] = make(chan result, 1)
		go func() {
			k, err := i.newKey(alg)
			results[n] <- result{k, err}
		}()
	}
	for _, ch := range results {
		r := <-ch
		if r.err != nil {
			return r.err
		}
		i.keys = append(i.keys, r.k)
		i.current[r.k.alg] = r.k
	}
	return nil
}

func (i *Issuer) newKey(alg string) (*signingKey, error) {
	signer, err := generateKey(alg, i.cfg.rsaBits)
	if err != nil {
		return nil, err
	}
	// A random kid, so that keys of different issuers, or of one issuer
	// over time, never share one by accident.
	return &signingKey{kid: randomID(12), alg: alg, signer: signer, published: true}, nil
}

// Rotate generates a new key for alg, publishes it and makes it the key that
// signs for alg from now on, returning its kid. Older keys stay published, as
// during a provider's key rotation, until [Issuer.Retire] removes them.
//
// alg is one of RS256, RS384, RS512, PS256, PS384, PS512 (a new RSA key of the
// issuer's size, published with that "alg"), ES256, ES384, ES512 (P-256,
// P-384, P-521) or EdDSA (Ed25519). The RS* and PS* algorithms fall back to
// the RS256 key until they are rotated on their own.
func (i *Issuer) Rotate(alg string) (kid string, err error) {
	k, err := i.newKey(alg)
	if err != nil {
		return "", err
	}
	i.mu.Lock()
	defer i.mu.Unlock()
	i.keys = append(i.keys, k)
	i.current[alg] = k
	if err := i.rebuild(); err != nil {
		return "", err
	}
	return k.kid, nil
}

// Retire stops publishing the key with this kid, so that tokens signed with it
// fail verification once the code under test refreshes its keys. If the key
// is still the current one for its algorithm it goes on signing, which is how
// tests mint tokens for a withdrawn key; [Issuer.Rotate] first to avoid that.
// Unknown kids are ignored.
func (i *Issuer) Retire(kid string) {
	i.mu.Lock()
	defer i.mu.Unlock()
	changed := false
	for _, k := range i.keys {
		if k.kid == kid && k.published {
			k.published = false
			changed = true
		}
	}
	if changed {
		// Rendering only fails for key types the issuer never makes.
		_ = i.rebuild()
	}
}

// KeyID returns the kid of the key that signs for alg, or "" if the issuer
// has none (ES384 and ES512 until rotated, HMAC never).
func (i *Issuer) KeyID(alg string) string {
	if k := i.lookup(alg); k != nil {
		return k.kid
	}
	return ""
}

// PublicKey returns the public key that verifies alg's tokens, or nil if the
// issuer has none, for tests that configure a static key instead of a JWKS.
func (i *Issuer) PublicKey(alg string) crypto.PublicKey {
	if k := i.lookup(alg); k != nil {
		return k.signer.Public()
	}
	return nil
}

// PublicKeyPEM returns [Issuer.PublicKey] as a PKIX "PUBLIC KEY" PEM block —
// the form providers offer for download — or nil if the issuer has no key
// for alg.
func (i *Issuer) PublicKeyPEM(alg string) []byte {
	pub := i.PublicKey(alg)
	if pub == nil {
		return nil
	}
	der, err := x509.MarshalPKIXPublicKey(pub)
	if err != nil {
		// Every key the issuer makes has a PKIX encoding.
		panic(fmt.Sprintf("authtest: encode public key: %v", err))
	}
	return pem.EncodeToMemory(&pem.Block{Type: "PUBLIC KEY", Bytes: der})
}

// Signer returns the private key that signs for alg, or nil if the issuer has
// none, so that [SignRaw] can make malformed tokens that still carry a
// signature the key set vouches for.
func (i *Issuer) Signer(alg string) crypto.Signer {
	if k := i.lookup(alg); k != nil {
		return k.signer
	}
	return nil
}

func (i *Issuer) lookup(alg string) *signingKey {
	i.mu.RLock()
	defer i.mu.RUnlock()
	if k := i.current[alg]; k != nil {
		return k
	}
	if isRSA(alg) {
		return i.current["RS256"]
	}
	return nil
}

func isRSA(alg string) bool {
	switch alg {
	case "RS256", "RS384", "RS512", "PS256", "PS384", "PS512":
		return true
	}
	return false
}

// renderJWKS returns the key set as served and the algorithms in it. Keys are
// listed in the order they were made, so the document is stable between
// changes.
func (i *Issuer) renderJWKS() ([]byte, []string, error) {
	set := jose.JSONWebKeySet{Keys: []jose.JSONWebKey{}}
	for _, k := range i.keys {
		if !k.published {
			continue
		}
		set.Keys = append(set.Keys, jose.JSONWebKey{
			Key:       k.signer.Public(),
			KeyID:     k.kid,
			Algorithm: k.alg,
			Use:       "sig",
		})
	}
	b, err := json.Marshal(set)
	if err != nil {
		return nil, nil, fmt.Errorf("authtest: render key set: %w", err)
	}
	return b, publishedAlgs(i.keys), nil
}

func generateKey(alg string, rsaBits int) (crypto.Signer, error) {
	switch {
	case isRSA(alg):
		return NewRSAKey(rsaBits)
	case alg == "ES256":
		return NewECKey(elliptic.P256())
	case alg == "ES384":
		return NewECKey(elliptic.P384())
	case alg == "ES512":
		return NewECKey(elliptic.P521())
	case alg == "EdDSA":
		return NewEd25519Key()
	case strings.HasPrefix(alg, "HS"):
		return nil, fmt.Errorf("authtest: an issuer publishes no symmetric keys; sign %s tokens with TokenBuilder.SignWithSecret", alg)
	default:
		return nil, fmt.Errorf("authtest: no key type for algorithm %q", alg)
	}
}

// NewRSAKey generates an RSA key, for tokens signed by a key the issuer does
// not publish ([TokenBuilder.SignWith]) or for static-key configurations.
func NewRSAKey(bits int) (*rsa.PrivateKey, error) {
	k, err := rsa.GenerateKey(rand.Reader, bits)
	if err != nil {
		return nil, fmt.Errorf("authtest: generate RSA-%d key: %w", bits, err)
	}
	return k, nil
}

// NewECKey generates an ECDSA key on curve, e.g. [elliptic.P256].
func NewECKey(curve elliptic.Curve) (*ecdsa.PrivateKey, error) {
	if curve == nil {
		return nil, fmt.Errorf("authtest: generate ECDSA key: no curve")
	}
	k, err := ecdsa.GenerateKey(curve, rand.Reader)
	if err != nil {
		return nil, fmt.Errorf("authtest: generate ECDSA %s key: %w", curve.Params().Name, err)
	}
	return k, nil
}

// NewEd25519Key generates an Ed25519 key, the key type of EdDSA tokens.
func NewEd25519Key() (ed25519.PrivateKey, error) {
	_, k, err := ed25519.GenerateKey(rand.Reader)
	if err != nil {
		return nil, fmt.Errorf("authtest: generate Ed25519 key: %w", err)
	}
	return k, nil
}
