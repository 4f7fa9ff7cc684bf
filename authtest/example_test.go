package authtest_test

import (
	"encoding/base64"
	"encoding/json"
	"fmt"
	"log"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/go-jose/go-jose/v4"
	"github.com/go-jose/go-jose/v4/jwt"

	"github.com/scopegate/scopegate/authtest"
)

// This is how a test of a protected API uses the issuer: start it, point the
// API's token verification at it, and send requests with minted tokens.
func ExampleNewIssuer() {
	testPrivateScoped := func(t *testing.T) {
		issuer := authtest.NewIssuer(t) // closed by t.Cleanup

		// An API configured with issuer.URL() and issuer.Audience(), as
		// echoauth.New(echoauth.Config{Issuer: …, Audience: …}) would be.
		api := httptest.NewServer(requireScope(issuer.URL(), issuer.Audience(), "read:messages"))
		defer api.Close()

		for _, tc := range []struct {
			token string
			want  int
		}{
			{issuer.Token().Scope("read:messages").MustSign(t), http.StatusOK},
			{issuer.Token().Scope("write:messages").MustSign(t), http.StatusForbidden},
			{issuer.Token().ExpiresIn(-time.Minute).MustSign(t), http.StatusUnauthorized},
		} {
			req, _ := http.NewRequest(http.MethodGet, api.URL, nil)
			req.Header.Set("Authorization", "Bearer "+tc.token)
			resp, err := http.DefaultClient.Do(req)
			if err != nil {
				t.Fatal(err)
			}
			resp.Body.Close()
			if resp.StatusCode != tc.want {
				t.Errorf("status %d, want %d", resp.StatusCode, tc.want)
			}
		}
	}
	_ = testPrivateScoped
}

// Start is for issuers outside tests, such as the development mode of a
// server that should run without an identity provider account.
func ExampleStart() {
	issuer, err := authtest.Start()
	if err != nil {
		log.Fatal(err)
	}
	defer issuer.Close()

	api := httptest.NewServer(requireScope(issuer.URL(), issuer.Audience(), "read:messages"))
	defer api.Close()

	for _, token := range []string{
		issuer.Token().Scope("read:messages").String(),
		issuer.Token().Scope("read:messages").Claim("iss", "https://someone-else.example/").String(),
		issuer.Token().Scope("write:messages").String(),
		"",
	} {
		req, _ := http.NewRequest(http.MethodGet, api.URL, nil)
		if token != "" {
			req.Header.Set("Authorization", "Bearer "+token)
		}
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			log.Fatal(err)
		}
		resp.Body.Close()
		fmt.Println(resp.StatusCode)
	}
	fmt.Println("key set fetches:", issuer.Requests(authtest.JWKSPath))
	// Output:
	// 200
	// 401
	// 403
	// 401
	// key set fetches: 3
}

// Every claim and header of a default token can be changed or removed.
func ExampleTokenBuilder() {
	issuer, err := authtest.Start(authtest.WithClock(func() time.Time {
		return time.Date(2030, 1, 1, 0, 0, 0, 0, time.UTC)
	}))
	if err != nil {
		log.Fatal(err)
	}
	defer issuer.Close()

	token := issuer.Token().
		Subject("auth0|42").
		Audience("https://api.example.com", "https://tenant.auth0.com/userinfo").
		Scope("read:messages").
		Claim("exp", "1893459600"). // a string where a number belongs
		Without("iat").
		Header("typ", "at+jwt").
		String()

	claims := strings.Split(token, ".")[1]
	fmt.Println(decode(claims, issuer.URL(), "ISSUER"))
	// Output:
	// {"aud":["https://api.example.com","https://tenant.auth0.com/userinfo"],"exp":"1893459600","iss":"ISSUER","scope":"read:messages","sub":"auth0|42"}
}

// SetHandler injects faults; Requests shows how the code under test reacted.
func ExampleIssuer_SetHandler() {
	issuer, err := authtest.Start()
	if err != nil {
		log.Fatal(err)
	}
	defer issuer.Close()

	issuer.SetHandler(authtest.JWKSPath, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		http.Error(w, "upstream unavailable", http.StatusServiceUnavailable)
	}))
	resp, err := http.Get(issuer.JWKSURL())
	if err != nil {
		log.Fatal(err)
	}
	resp.Body.Close()
	fmt.Println(resp.StatusCode)

	issuer.SetHandler(authtest.JWKSPath, nil) // back to the real key set
	resp, err = http.Get(issuer.JWKSURL())
	if err != nil {
		log.Fatal(err)
	}
	resp.Body.Close()
	fmt.Println(resp.StatusCode, resp.Header.Get("Cache-Control"))
	fmt.Println("requests:", issuer.Requests(authtest.JWKSPath))
	// Output:
	// 503
	// 200 max-age=600
	// requests: 2
}

// Rotate publishes a new key next to the old one; Retire withdraws the old
// one, as a provider does at the end of a rotation.
func ExampleIssuer_Rotate() {
	issuer, err := authtest.Start()
	if err != nil {
		log.Fatal(err)
	}
	defer issuer.Close()

	old := issuer.KeyID("ES256")
	kid, err := issuer.Rotate("ES256")
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println(countKeys(issuer.JWKS()), kid == issuer.KeyID("ES256"))
	issuer.Retire(old)
	fmt.Println(countKeys(issuer.JWKS()))
	// Output:
	// 4 true
	// 3
}

// SignRaw signs bytes exactly as given, here a payload with a duplicate "exp"
// that a JSON encoder could never produce.
func ExampleSignRaw() {
	token, err := authtest.SignRaw("HS256", []byte("0123456789abcdef0123456789abcdef"),
		[]byte(`{"alg":"HS256"}`),
		[]byte(`{"exp":1,"exp":4102444800}`))
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println(token)
	// Output:
	// eyJhbGciOiJIUzI1NiJ9.eyJleHAiOjEsImV4cCI6NDEwMjQ0NDgwMH0.zpnB1hONrEVd2hCjT96IzTT7_GNuAq_k-VWKM5CM9d4
}

func countKeys(jwks []byte) int {
	var set jose.JSONWebKeySet
	if err := json.Unmarshal(jwks, &set); err != nil {
		log.Fatal(err)
	}
	return len(set.Keys)
}

// decode shows a token segment as JSON, with the issuer's random port
// replaced so that the output is stable.
func decode(segment, replace, with string) string {
	b, err := base64.RawURLEncoding.DecodeString(segment)
	if err != nil {
		log.Fatal(err)
	}
	return strings.ReplaceAll(string(b), replace, with)
}

// requireScope stands in for the API under test: it fetches the issuer's
// keys on each request and checks signature, issuer, audience, expiry and
// scope, answering 401 or 403 as scopegate does.
func requireScope(issuer, audience, scope string) http.Handler {
	jwksURL := strings.TrimSuffix(issuer, "/") + authtest.JWKSPath
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		raw, ok := strings.CutPrefix(r.Header.Get("Authorization"), "Bearer ")
		if !ok {
			w.WriteHeader(http.StatusUnauthorized)
			return
		}
		var claims struct {
			jwt.Claims
			Scope string `json:"scope"`
		}
		if err := verifyToken(jwksURL, raw, &claims); err != nil ||
			claims.Expiry == nil ||
			claims.Validate(jwt.Expected{Issuer: issuer, AnyAudience: jwt.Audience{audience}}) != nil {
			w.WriteHeader(http.StatusUnauthorized)
			return
		}
		for _, s := range strings.Fields(claims.Scope) {
			if s == scope {
				return
			}
		}
		w.WriteHeader(http.StatusForbidden)
	})
}

func verifyToken(jwksURL, raw string, claims any) error {
	tok, err := jwt.ParseSigned(raw, []jose.SignatureAlgorithm{jose.RS256, jose.ES256, jose.EdDSA})
	if err != nil {
		return err
	}
	resp, err := http.Get(jwksURL)
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	var set jose.JSONWebKeySet
	if err := json.NewDecoder(resp.Body).Decode(&set); err != nil {
		return err
	}
	keys := set.Key(tok.Headers[0].KeyID)
	if len(keys) != 1 {
		return fmt.Errorf("unknown key")
	}
	return tok.Claims(keys[0].Key, claims)
}

// TestHTTPTestStyleFlow runs the flow ExampleNewIssuer shows, which as an
// example taking a *testing.T is only compiled.
func TestHTTPTestStyleFlow(t *testing.T) {
	for _, opts := range [][]authtest.Option{nil, {authtest.WithTrailingSlash()}} {
		issuer := authtest.NewIssuer(t, opts...)
		api := httptest.NewServer(requireScope(issuer.URL(), issuer.Audience(), "read:messages"))
		t.Cleanup(api.Close)

		// Tokens are minted lazily, in order, as the last case retires a key.
		tests := []struct {
			name  string
			token func(*testing.T) string
			want  int
		}{
			{"scoped", func(t *testing.T) string { return issuer.Token().Scope("read:messages other").MustSign(t) }, http.StatusOK},
			{"ES256", func(t *testing.T) string { return issuer.Token().Algorithm("ES256").Scope("read:messages").MustSign(t) }, http.StatusOK},
			{"EdDSA", func(t *testing.T) string { return issuer.Token().Algorithm("EdDSA").Scope("read:messages").MustSign(t) }, http.StatusOK},
			{"other scope", func(t *testing.T) string { return issuer.Token().Scope("write:messages").MustSign(t) }, http.StatusForbidden},
			{"expired", func(t *testing.T) string {
				return issuer.Token().Scope("read:messages").ExpiresIn(-time.Minute).MustSign(t)
			}, http.StatusUnauthorized},
			{"other audience", func(t *testing.T) string {
				return issuer.Token().Scope("read:messages").Audience("urn:other").MustSign(t)
			}, http.StatusUnauthorized},
			{"retired key", func(t *testing.T) string {
				tok := issuer.Token().Algorithm("ES256").Scope("read:messages").MustSign(t)
				issuer.Retire(issuer.KeyID("ES256"))
				return tok
			}, http.StatusUnauthorized},
		}
		for _, tt := range tests {
			t.Run(tt.name, func(t *testing.T) {
				req, err := http.NewRequest(http.MethodGet, api.URL, nil)
				if err != nil {
					t.Fatal(err)
				}
				req.Header.Set("Authorization", "Bearer "+tt.token(t))
				resp, err := http.DefaultClient.Do(req)
				if err != nil {
					t.Fatal(err)
				}
				resp.Body.Close()
				if resp.StatusCode != tt.want {
					t.Errorf("status %d, want %d", resp.StatusCode, tt.want)
				}
			})
		}
	}
}
