package jwks_test

import (
	"context"
	"errors"
	"fmt"
	"log"
	"time"

	"github.com/scopegate/scopegate/authtest"
	"github.com/scopegate/scopegate/jwks"
)

// clerkPEM is a PEM public key as Clerk shows it under "JWT public key"
// (any `openssl pkey -pubout` output looks the same).
const clerkPEM = `-----BEGIN PUBLIC KEY-----
MIIBIjANBgkqhkiG9w0BAQEFAAOCAQ8AMIIBCgKCAQEAsuxXVBLHn29pn0hDD9bz
KUTnkpEYTFKvonv+kMK9f6oKuujdZ4LOJA41257tK7kYw1op+lsA+HiG2AdW6VC3
oHpl2v2F4ROE/3stkWZUJF7vV0Cx7kQoyOVF1WiL4wbNRtWNrA3Z8zZHa7bzMYL0
PJOM3qai5Dbb2cpAKTl7ziLb+WR/Hazl2l97fR93vBfL2cQt4MDiheilCRd7/+vk
F1Y1CnDUaXPfSXv/ycUesjgjorljrsnvvMnD6EKsDZ6Qbx194bxiv773TCUhBDEm
XCIqEgNj/SU3o00Qk4RsppQt9PnrloWuDlsu7yn+avPlclZVhNyEeK2KE5FQTr6k
mQIDAQAB
-----END PUBLIC KEY-----
`

// Verifying tokens without any network access, from a public key given as
// PEM. Pinning the key to RS256 refuses every other algorithm with it.
func ExampleParsePEM() {
	key, err := jwks.ParsePEM([]byte(clerkPEM), "", jwks.RS256)
	if err != nil {
		log.Fatal(err)
	}
	keys, err := jwks.NewStatic(key)
	if err != nil {
		log.Fatal(err)
	}

	// Clerk's tokens name a kid; a set holding a single key without kid
	// answers for any kid of a fitting algorithm.
	found, err := keys.Key(context.Background(), "ins_2abc", jwks.RS256)
	fmt.Println(found == key, err)
	fmt.Println(found.Allows(jwks.RS256), found.Allows(jwks.PS256), found.Allows(jwks.HS256))

	_, err = keys.Key(context.Background(), "ins_2abc", jwks.ES256)
	fmt.Println(errors.Is(err, jwks.ErrKeyNotFound))

	// Private keys and weak keys are refused when the configuration is read.
	_, err = jwks.ParsePEM([]byte("-----BEGIN PRIVATE KEY-----\nAAAA\n-----END PRIVATE KEY-----\n"), "", "")
	fmt.Println(errors.Is(err, jwks.ErrInvalidKey))
	// Output:
	// true <nil>
	// true false false
	// true
	// true
}

// Fetching an issuer's keys through OpenID Connect discovery, at startup, so
// that a misconfigured issuer fails the deployment rather than the first
// request. authtest's issuer stands in for Auth0 or Clerk here.
func ExampleNewRemote() {
	issuer, err := authtest.Start()
	if err != nil {
		log.Fatal(err)
	}
	defer issuer.Close()

	keys, err := jwks.NewRemote(jwks.RemoteConfig{
		Issuer:          issuer.URL(), // e.g. "https://tenant.auth0.com/"
		RefreshCooldown: time.Minute,
	})
	if err != nil {
		log.Fatal(err)
	}

	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	if err := keys.Prefetch(ctx); err != nil {
		var unavailable *jwks.UnavailableError
		if errors.As(err, &unavailable) {
			log.Fatalf("issuer unreachable, retry in %s: %v", unavailable.RetryAfter, err)
		}
		log.Fatal(err)
	}

	key, err := keys.Key(ctx, issuer.KeyID("RS256"), jwks.RS256)
	if err != nil {
		log.Fatal(err)
	}
	stats := keys.Stats()
	fmt.Println(key.ID() == issuer.KeyID("RS256"), key.Algorithm())
	fmt.Println(stats.Keys, stats.Fetches, stats.JWKSURL == issuer.JWKSURL())
	// Output:
	// true RS256
	// 3 1 true
}
