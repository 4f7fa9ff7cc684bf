package introspect_test

import (
	"context"
	"errors"
	"fmt"
	"log"
	"net/http"
	"net/http/httptest"

	"github.com/scopegate/scopegate/introspect"
)

func ExampleIntrospector_Introspect() {
	// A stand-in for the authorization server's introspection endpoint.
	server := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		if r.PostFormValue("token") != "good-opaque-token" {
			fmt.Fprint(w, `{"active":false}`)
			return
		}
		fmt.Fprint(w, `{"active":true,"sub":"user-42","scope":"read:orders","aud":"https://orders.example.com"}`)
	}))
	defer server.Close()

	in, err := introspect.New(introspect.Config{
		Endpoint:     server.URL, // "https://auth.example.com/oauth2/introspect" in production
		ClientID:     "orders-api",
		ClientSecret: "s3cret",
		Audiences:    []string{"https://orders.example.com"},
	})
	if err != nil {
		log.Fatal(err)
	}

	for _, token := range []string{"good-opaque-token", "revoked-opaque-token"} {
		res, err := in.Introspect(context.Background(), token)
		var unavailable *introspect.UnavailableError
		switch {
		case errors.As(err, &unavailable):
			fmt.Println("503, retry after", unavailable.RetryAfter)
		case errors.Is(err, introspect.ErrInactive):
			fmt.Println("401")
		default:
			fmt.Println(res.Subject, res.Scopes)
		}
	}
	// Output:
	// user-42 [read:orders]
	// 401
}
