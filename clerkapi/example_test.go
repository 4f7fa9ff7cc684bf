package clerkapi_test

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log"
	"net/http"
	"net/http/httptest"

	"github.com/scopegate/scopegate/clerkapi"
)

func ExampleClient_Verify() {
	// A stand-in for Clerk's Backend API, answering POST /api_keys/verify
	// as Clerk does.
	server := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		var body struct {
			Secret string `json:"secret"`
		}
		_ = json.NewDecoder(r.Body).Decode(&body)
		w.Header().Set("Content-Type", "application/json")
		if r.URL.Path != "/api_keys/verify" || body.Secret != "ak_good" {
			w.WriteHeader(http.StatusNotFound)
			fmt.Fprint(w, `{"errors":[{"message":"not found","long_message":"not found","code":"resource_not_found"}]}`)
			return
		}
		fmt.Fprint(w, `{"object":"api_key","id":"ak_3beecc9c60adb5f9b850e91a8ee1e992","type":"api_key",
			"subject":"org_2xhFjEI5X2qWRvtV13BzSj8H6Dk","name":"CI","claims":null,"scopes":["orders:read"],
			"revoked":false,"revocation_reason":null,"expired":false,"expiration":null}`)
	}))
	defer server.Close()

	client, err := clerkapi.New(clerkapi.Config{
		SecretKey: "sk_test_exampleexampleexample", // os.Getenv("CLERK_SECRET_KEY")
		BaseURL:   server.URL,                      // leave empty for https://api.clerk.com
	})
	if err != nil {
		log.Fatal(err)
	}

	for _, token := range []string{"ak_good", "ak_revoked", "session-cookie"} {
		if kind, ok := clerkapi.KindOf(token); !ok || kind != clerkapi.KindAPIKey {
			fmt.Println("401 without asking Clerk")
			continue
		}
		m, err := client.Verify(context.Background(), token)
		var unavailable *clerkapi.UnavailableError
		switch {
		case errors.As(err, &unavailable):
			fmt.Println("503, retry after", unavailable.RetryAfter)
		case errors.Is(err, clerkapi.ErrInvalid):
			fmt.Println("401")
		default:
			fmt.Println(m.Kind, m.Name, m.OrgID, m.Scopes)
		}
	}
	// Output:
	// api_key CI org_2xhFjEI5X2qWRvtV13BzSj8H6Dk [orders:read]
	// 401
	// 401 without asking Clerk
}
