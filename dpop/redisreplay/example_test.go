package redisreplay_test

import (
	"log"
	"net/http"
	"time"

	"github.com/redis/go-redis/v9"

	"github.com/scopegate/scopegate/bearer"
	"github.com/scopegate/scopegate/dpop/redisreplay"
	"github.com/scopegate/scopegate/httpauth"
)

// Every instance of the API shares one Redis, so that a DPoP proof accepted
// by one is refused by the others. It has no Output: it needs a server.
func Example() {
	client := redis.NewClient(&redis.Options{
		Addr: "redis:6379",
		// How long a request may wait for Redis before it is answered 503.
		DialTimeout:   time.Second,
		DialerRetries: 2,
		ReadTimeout:   500 * time.Millisecond,
		WriteTimeout:  500 * time.Millisecond,
	})
	defer client.Close()
	store, err := redisreplay.New(client, redisreplay.Options{KeyPrefix: "orders-api:dpop:"})
	if err != nil {
		log.Fatal(err)
	}
	auth, err := httpauth.New(httpauth.Config{
		Issuer:   "https://tenant.auth0.com/",
		Audience: []string{"https://api.example.com"},
		DPoP:     bearer.DPoPConfig{ReplayStore: store},
	})
	if err != nil {
		log.Fatal(err)
	}
	mux := http.NewServeMux()
	mux.Handle("GET /api/orders", auth.CheckJWT()(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		_, _ = w.Write([]byte("orders\n"))
	})))
	log.Fatal(http.ListenAndServe(":8080", mux))
}
