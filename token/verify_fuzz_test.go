package token_test

import (
	"context"
	"crypto/elliptic"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/scopegate/scopegate/authtest"
	"github.com/scopegate/scopegate/jwks"
	"github.com/scopegate/scopegate/token"
)

// FuzzVerify feeds arbitrary strings, and mutations of valid tokens of every
// key family (RS256, ES256, EdDSA, HS256), to the verifier with static keys.
// It must never panic; every failure is a ValidationError; and only the
// exact tokens that were signed verify.
func FuzzVerify(f *testing.F) {
	now := time.Unix(1_900_000_000, 0)
	rsaKey, err := authtest.NewRSAKey(2048)
	if err != nil {
		f.Fatal(err)
	}
	ecKey, err := authtest.NewECKey(elliptic.P256())
	if err != nil {
		f.Fatal(err)
	}
	edKey, err := authtest.NewEd25519Key()
	if err != nil {
		f.Fatal(err)
	}
	secret := []byte("fuzz-secret-of-thirty-two-bytes!")
	signers := []struct {
		alg, kid string
		signer   any
	}{
		{alg: jwks.RS256, kid: "k1", signer: rsaKey},
		{alg: jwks.ES256, kid: "k2", signer: ecKey},
		{alg: jwks.EdDSA, kid: "k3", signer: edKey},
		{alg: jwks.HS256, kid: "k4", signer: secret},
	}
	var keyList []*jwks.Key
	for _, s := range signers {
		var k *jwks.Key
		switch s.alg {
		case jwks.RS256:
			k, err = jwks.NewPublicKey(&rsaKey.PublicKey, s.kid, s.alg)
		case jwks.ES256:
			k, err = jwks.NewPublicKey(&ecKey.PublicKey, s.kid, s.alg)
		case jwks.EdDSA:
			k, err = jwks.NewPublicKey(edKey.Public(), s.kid, s.alg)
		case jwks.HS256:
			k, err = jwks.NewHMACKey(secret, s.kid, s.alg)
		}
		if err != nil {
			f.Fatal(err)
		}
		keyList = append(keyList, k)
	}
	keys, err := jwks.NewStatic(keyList...)
	if err != nil {
		f.Fatal(err)
	}
	v, err := token.New(token.Config{
		Issuers: []token.Issuer{{Issuer: "https://issuer.example.com/", Audiences: []string{"https://api.example.com"}, Keys: keys}},
		Now:     func() time.Time { return now },
	})
	if err != nil {
		f.Fatal(err)
	}
	payload := []byte(`{"iss":"https://issuer.example.com/","aud":"https://api.example.com","sub":"u","exp":1900000600,"iat":1900000000,"scope":"read:messages"}`)
	valid := map[string]bool{}
	for _, s := range signers {
		header := []byte(`{"alg":"` + s.alg + `","kid":"` + s.kid + `","typ":"JWT"}`)
		raw, err := authtest.SignRaw(s.alg, s.signer, header, payload)
		if err != nil {
			f.Fatal(err)
		}
		if _, err := v.Verify(context.Background(), raw); err != nil {
			f.Fatalf("the %s seed token does not verify: %v", s.alg, err)
		}
		valid[raw] = true
		f.Add(raw)
		f.Add(raw + "=")
		f.Add(strings.Replace(raw, ".", "..", 1))
		f.Add(" " + raw)
	}
	f.Add("eyJhbGciOiJub25lIn0.eyJleHAiOjE5MDAwMDA2MDB9.")
	f.Add(strings.Repeat(".", 100))
	f.Add("")
	f.Fuzz(func(t *testing.T, raw string) {
		tok, err := v.Verify(context.Background(), raw)
		if err == nil {
			if !valid[raw] {
				t.Fatalf("a token that was never signed verified: %q", raw)
			}
			if tok.IsZero() || tok.Claims().Subject() != "u" {
				t.Fatalf("verified token lost its claims")
			}
			return
		}
		var ve *token.ValidationError
		if !errors.As(err, &ve) {
			t.Fatalf("failure without a ValidationError: %v", err)
		}
		if desc := token.Description(err); strings.ContainsAny(desc, "\"\\") || (len(raw) >= 8 && strings.Contains(desc, raw)) {
			t.Fatalf("description %q is not fixed text", desc)
		}
	})
}
