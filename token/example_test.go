package token_test

import (
	"context"
	"errors"
	"fmt"
	"log"
	"time"

	"github.com/scopegate/scopegate/authtest"
	"github.com/scopegate/scopegate/jwks"
	"github.com/scopegate/scopegate/token"
)

// exampleNow is the examples' clock, so that their output does not depend on
// when they run.
func exampleNow() time.Time { return time.Date(2030, time.January, 1, 0, 0, 0, 0, time.UTC) }

// Verifying tokens without any network, with the public key a provider
// shows as PEM (Clerk's "JWT public key", or `openssl pkey -pubout` output).
// authtest stands in for the provider and mints the tokens.
func ExampleVerifier_Verify() {
	provider, err := authtest.Start(authtest.WithClock(exampleNow))
	if err != nil {
		log.Fatal(err)
	}
	defer provider.Close()
	pem := provider.PublicKeyPEM(jwks.RS256)

	// A key without kid answers for the kid the tokens carry; pinning it
	// to RS256 refuses every other algorithm with it.
	key, err := jwks.ParsePEM(pem, "", jwks.RS256)
	if err != nil {
		log.Fatal(err)
	}
	keys, err := jwks.NewStatic(key)
	if err != nil {
		log.Fatal(err)
	}
	verifier, err := token.New(token.Config{
		Issuers: []token.Issuer{{
			Issuer:    provider.URL(),
			Audiences: []string{"https://api.example.com"},
			Keys:      keys,
		}},
		Now: exampleNow, // omit in production: time.Now
	})
	if err != nil {
		log.Fatal(err)
	}

	ctx := context.Background()
	tok, err := verifier.Verify(ctx, provider.Token().Subject("user_2abc").Scope("read:messages").String())
	if err != nil {
		log.Fatal(err)
	}
	scope, _ := tok.Claims().String("scope")
	fmt.Println(tok.Claims().Subject(), scope, tok.Claims().Expiry().UTC().Format(time.RFC3339))

	// Each failure wraps one sentinel, for errors.Is, and has a fixed
	// description safe to send to the client.
	_, err = verifier.Verify(ctx, provider.Token().ExpiresIn(-time.Hour).String())
	fmt.Println(errors.Is(err, token.ErrExpired), token.Description(err))
	for _, raw := range []string{
		provider.Token().Audience("https://another-api.example.com").String(),
		provider.Token().Algorithm("none").String(),
		"not.a.token",
	} {
		_, err := verifier.Verify(ctx, raw)
		fmt.Println(token.Description(err))
	}
	// Output:
	// user_2abc read:messages 2030-01-01T01:00:00Z
	// true token is expired
	// token audience is not accepted
	// token algorithm is not allowed
	// token is malformed
}

// One API trusting two issuers: an Auth0 tenant whose keys come from its
// JWKS through discovery, and a Clerk instance verified networkless with its
// PEM key. A token's "iss" picks the issuer, its audiences and its keys
// before anything is fetched.
func ExampleNew() {
	auth0, err := authtest.Start(authtest.WithClock(exampleNow), authtest.WithTrailingSlash(),
		authtest.WithAudience("https://api.example.com"))
	if err != nil {
		log.Fatal(err)
	}
	defer auth0.Close()
	clerk, err := authtest.Start(authtest.WithClock(exampleNow), authtest.WithAudience("https://app.example.com"))
	if err != nil {
		log.Fatal(err)
	}
	defer clerk.Close()

	auth0Keys, err := jwks.NewRemote(jwks.RemoteConfig{Issuer: auth0.URL()}) // "https://tenant.auth0.com/"
	if err != nil {
		log.Fatal(err)
	}
	clerkKey, err := jwks.ParsePEM(clerk.PublicKeyPEM(jwks.RS256), "", "")
	if err != nil {
		log.Fatal(err)
	}
	clerkKeys, err := jwks.NewStatic(clerkKey)
	if err != nil {
		log.Fatal(err)
	}

	verifier, err := token.New(token.Config{
		Issuers: []token.Issuer{
			{Issuer: auth0.URL(), Audiences: []string{"https://api.example.com"}, Keys: auth0Keys},
			{Issuer: clerk.URL(), Audiences: []string{"https://app.example.com"}, Keys: clerkKeys,
				Algorithms: []string{jwks.RS256}},
		},
		MaxTokenAge: 24 * time.Hour,
		Now:         exampleNow,
	})
	if err != nil {
		log.Fatal(err)
	}

	names := map[string]string{auth0.URL(): "auth0", clerk.URL(): "clerk"}
	for _, raw := range []string{
		auth0.Token().Subject("auth0|42").String(),
		clerk.Token().Subject("user_2abc").Header("kid", "ins_2abc").String(),
		auth0.Token().Audience("https://app.example.com").String(), // Auth0 token, Clerk's audience
		clerk.Token().Algorithm(jwks.PS256).String(),               // not an algorithm Clerk uses
		clerk.Token().Claim("iss", "https://evil.example.com").String(),
	} {
		tok, err := verifier.Verify(context.Background(), raw)
		if err != nil {
			fmt.Println("refused:", token.Description(err))
			continue
		}
		fmt.Println("accepted:", tok.Claims().Subject(), "from", names[tok.Claims().Issuer()])
	}
	fmt.Println("key set fetches:", auth0.Requests(authtest.JWKSPath), clerk.Requests(authtest.JWKSPath))
	// Output:
	// accepted: auth0|42 from auth0
	// accepted: user_2abc from clerk
	// refused: token audience is not accepted
	// refused: token algorithm is not allowed
	// refused: token issuer is not trusted
	// key set fetches: 1 0
}

// Description turns any error of Verify into text for an RFC 6750
// error_description; errors.Is tells the classes apart for the application.
func ExampleDescription() {
	err := fmt.Errorf("auth: %w", token.ErrAudience)
	fmt.Println(token.Description(err), errors.Is(err, token.ErrAudience))
	fmt.Println(token.Description(&jwks.UnavailableError{RetryAfter: 30 * time.Second}))
	// Output:
	// token audience is not accepted true
	// token is invalid
}
