package scopes_test

import (
	"encoding/json"
	"fmt"

	"github.com/scopegate/scopegate/scopes"
)

// claims is a token's claims by name, raw, as a scopes.ClaimSource; the
// verified claims of package token are one too.
type claims map[string]string

func (c claims) Value(name string) (json.RawMessage, bool) {
	v, ok := c[name]
	return json.RawMessage(v), ok
}

// A token's grant claims are parsed once; requirements then decide, and name what is missing.
func Example() {
	g, err := scopes.Parse(claims{
		"scope":       `"openid read:messages"`,
		"permissions": `["read:messages","org:admin"]`, // Auth0 RBAC
	})
	if err != nil {
		fmt.Println("invalid token:", err)
		return
	}

	for _, r := range []scopes.Requirement{
		scopes.All("read:messages"),
		scopes.All("read:messages", "write:messages"),
		scopes.Permission("org:admin"),
	} {
		if r.Satisfied(g) {
			fmt.Println("allowed:", r)
		} else {
			fmt.Printf("403 insufficient_scope, scope=%q\n", r.Scope())
		}
	}
	// Output:
	// allowed: all of scopes [read:messages]
	// 403 insufficient_scope, scope="read:messages write:messages"
	// allowed: all of permissions [org:admin]
}

func ExampleParse_scp() {
	// Some issuers send `scp` as an array; its names join those of `scope`.
	g, _ := scopes.Parse(claims{"scope": `"openid  profile"`, "scp": `["profile","files.read"]`})
	fmt.Println(g.Scopes)
	// Output: [openid profile files.read]
}

func ExampleParse_invalid() {
	_, err := scopes.Parse(claims{"scope": `5`})
	fmt.Println(err)
	// Output: scopes: claim "scope" has the wrong JSON type
}

func ExampleAll() {
	g := scopes.Grants{Scopes: []string{"read:messages"}}
	// Every argument counts.
	fmt.Println(scopes.All("read:messages").Satisfied(g))
	fmt.Println(scopes.All("read:messages", "write:messages").Satisfied(g))
	// Output:
	// true
	// false
}

func ExampleAny() {
	g := scopes.Grants{Scopes: []string{"write:messages"}}
	fmt.Println(scopes.Any("read:messages", "write:messages").Satisfied(g))
	// Output: true
}

func ExamplePermission() {
	// Permissions come from Auth0's RBAC `permissions` claim, not from the scopes.
	g := scopes.Grants{Scopes: []string{"org:admin"}, Permissions: []string{"read:users"}}
	fmt.Println(scopes.Permission("org:admin").Satisfied(g))
	fmt.Println(scopes.Permission("read:users").Satisfied(g))
	// Output:
	// false
	// true
}

func ExampleOr() {
	r := scopes.Or(scopes.All("messages:admin"), scopes.And(scopes.All("read:messages"), scopes.Permission("org:member")))
	g := scopes.Grants{Scopes: []string{"read:messages"}, Permissions: []string{"org:member"}}
	fmt.Println(r.Satisfied(g))
	fmt.Println(r)
	fmt.Println(r.Scope())
	// Output:
	// true
	// (all of scopes [messages:admin] or (all of scopes [read:messages] and all of permissions [org:member]))
	// messages:admin read:messages org:member
}

func ExampleValidate() {
	// Middleware constructors call Validate when a route is registered and panic with its error.
	fmt.Println(scopes.Validate(scopes.All("read:messages")))
	fmt.Println(scopes.Validate(scopes.All()))
	fmt.Println(scopes.Validate(scopes.Any("read:messages write:messages")))
	// Output:
	// <nil>
	// scopes: invalid requirement: All(): no scope given
	// scopes: invalid requirement: Any("read:messages write:messages"): argument 1: "read:messages write:messages" contains ' ', which is not an RFC 6749 scope-token character
}

func ExampleMust() {
	// For requirements an application builds once, e.g. in a package-level variable.
	adminOnly := scopes.Must(scopes.Permission("org:admin"))
	fmt.Println(adminOnly)
	// Output: all of permissions [org:admin]
}
