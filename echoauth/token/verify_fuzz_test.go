package token_test

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/scopegate/scopegate/echoauth/authtest"
	"github.com/scopegate/scopegate/echoauth/jwks"
	"github.com/scopegate/scopegate/echoauth/token"
)

// FuzzVerify feeds arbitrary strings, and mutations of a valid token, to the
// verifier with static keys. It must never panic; every failure is a
// ValidationError; and only the exact token that was signed verifies.
func FuzzVerify(f *testing.F) {
	now := time.Unix(1_900_000_000, 0)
	rsaKey, err := authtest.NewRSAKey(2048)
	if err != nil {
		f.Fatal(err)
	}
	key, err := jwks.NewPublicKey(&rsaKey.PublicKey, "k1", jwks.RS256)
	if err != nil {
		f.Fatal(err)
	}
	keys, err := jwks.NewStatic(key)
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
	header := []byte(`{"alg":"RS256","kid":"k1","typ":"JWT"}`)
	payload := []byte(`{"iss":"https://issuer.example.com/","aud":"https://api.example.com","sub":"u","exp":1900000600,"iat":1900000000,"scope":"read:messages"}`)
	valid, err := authtest.SignRaw("RS256", rsaKey, header, payload)
	if err != nil {
		f.Fatal(err)
	}
	if _, err := v.Verify(context.Background(), valid); err != nil {
		f.Fatalf("the seed token does not verify: %v", err)
	}
	f.Add(valid)
	f.Add(valid + "=")
	f.Add(strings.Replace(valid, ".", "..", 1))
	f.Add(" " + valid)
	f.Add("eyJhbGciOiJub25lIn0.eyJleHAiOjE5MDAwMDA2MDB9.")
	f.Add(strings.Repeat(".", 100))
	f.Add("")
	f.Fuzz(func(t *testing.T, raw string) {
		tok, err := v.Verify(context.Background(), raw)
		if err == nil {
			if raw != valid {
				t.Fatalf("a token that was never signed verified: %q", raw)
			}
			if tok == nil || tok.Claims.Subject != "u" {
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
