package clerk_test

import (
	"fmt"

	"github.com/scopegate/scopegate/clerk"
	"github.com/scopegate/scopegate/scopes"
	"github.com/scopegate/scopegate/token"
)

// A version 2 session token is parsed once, as the authentication layer does; has() checks are then
// requirements on the grants.
func Example() {
	claims, err := token.NewClaims([]byte(`{"sub":"user_2abc","v":2,"fea":"o:dashboard,o:teams","pla":"o:pro",
		"o":{"id":"org_1","slg":"acme","rol":"admin","per":"manage,read","fpm":"3,2"},"fva":[2,-1]}`))
	if err != nil {
		fmt.Println("invalid token:", err)
		return
	}
	g, err := scopes.Parse(claims)
	if err != nil {
		fmt.Println("invalid token:", err)
		return
	}
	session, err := clerk.Parse(claims)
	if err != nil {
		fmt.Println("invalid token:", err)
		return
	}
	if session != nil {
		g.Session = session
	}
	fmt.Println(session.Organization.Role, session.Organization.Permissions)

	for _, r := range []scopes.Requirement{
		scopes.Permission("org:teams:read"),   // has({ permission: "org:teams:read" })
		scopes.Permission("org:teams:manage"), // has({ permission: "org:teams:manage" })
		clerk.Role("admin"),                   // has({ role: "org:admin" })
		scopes.And(clerk.Feature("dashboard"), clerk.Plan("o:pro")),
		clerk.Reverification("strict"), // no second factor: a first factor within 10 minutes will do
	} {
		fmt.Printf("%v: %v (%v)\n", r, scopes.Check(r, g), scopes.KindOf(r))
	}
	// Output:
	// org:admin [org:dashboard:manage org:dashboard:read org:teams:read]
	// all of permissions [org:teams:read]: true (permission)
	// all of permissions [org:teams:manage]: false (permission)
	// Role("admin"): true (role)
	// (Feature("dashboard") and Plan("o:pro")): true (requirement)
	// Reverification(strict): true (reverification)
}

func ExampleRole() {
	g := scopes.Grants{Session: &clerk.Session{
		Subject:      "user_2abc",
		Organization: &clerk.Organization{ID: "org_1", Role: "org:admin"},
	}}
	// Both sides get exactly one leading "org:".
	fmt.Println(clerk.Role("admin").Satisfied(g), clerk.Role("org:admin").Satisfied(g), clerk.Role("member").Satisfied(g))
	// Output: true true false
}

func ExampleFeature() {
	g := scopes.Grants{Session: &clerk.Session{Subject: "user_2abc", Features: []string{"o:dashboard", "u:export"}}}
	for _, name := range []string{"dashboard", "org:dashboard", "user:dashboard", "export"} {
		fmt.Println(name, clerk.Feature(name).Satisfied(g))
	}
	fmt.Println(scopes.Validate(clerk.Feature("team:dashboard")))
	// Output:
	// dashboard true
	// org:dashboard true
	// user:dashboard false
	// export true
	// scopes: invalid requirement: Feature("team:dashboard"): "team:dashboard" has prefix "team"; use o:, org:, organization:, u:, user: or none
}

func ExampleReverificationAfter() {
	// fva: the first factor 12 minutes ago, the second 3 minutes ago.
	g := scopes.Grants{Session: &clerk.Session{Subject: "user_2abc", FactorVerificationAge: []float64{12, 3}}}
	fmt.Println(clerk.ReverificationAfter(clerk.SecondFactor, 5).Satisfied(g))
	fmt.Println(clerk.ReverificationAfter(clerk.MultiFactor, 5).Satisfied(g))
	fmt.Println(clerk.Reverification("moderate").Satisfied(g))
	// Output:
	// true
	// false
	// true
}

func ExampleParse() {
	// An access token of another issuer carries no Clerk session.
	claims, _ := token.NewClaims([]byte(`{"sub":"auth0|42","scope":"read:messages"}`))
	session, err := clerk.Parse(claims)
	fmt.Println(session, err)

	claims, _ = token.NewClaims([]byte(`{"sub":"user_2abc","org_id":5}`))
	_, err = clerk.Parse(claims)
	fmt.Println(err)
	// Output:
	// <nil> <nil>
	// scopes: claim "org_id" has the wrong JSON type
}
