package bearer

import (
	"net/http"
	"net/url"
	"strings"
	"testing"
)

// FuzzExtract feeds arbitrary Authorization headers, cookies and query
// strings to token extraction. It must never panic; a token it returns is
// never empty and holds no space, and a malformed request is always an
// invalid_request answer.
func FuzzExtract(f *testing.F) {
	for _, seed := range []struct{ header, cookie, query string }{
		{"Bearer abc.def.ghi", "", ""},
		{"bearer    abc", "", ""},
		{"Bearer", "", ""},
		{"Bearer ", "tok", ""},
		{"Basic dXNlcjpwYXNz", "tok", ""},
		{"Bearer a b", "", ""},
		{"", "", "access_token=abc&access_token=def"},
		{"Bearer x", "", "access_token=y"},
		{"\x00Bearer\tx", "\xff", "%zz"},
	} {
		f.Add(seed.header, seed.cookie, seed.query)
	}
	sources := tokenSources{cookie: "__session", query: "access_token"}
	f.Fuzz(func(t *testing.T, header, cookie, query string) {
		r := &http.Request{Method: http.MethodGet, Header: http.Header{}, URL: &url.URL{Path: "/", RawQuery: query}}
		for _, h := range strings.Split(header, "\n") {
			if h != "" {
				r.Header.Add("Authorization", h)
			}
		}
		if cookie != "" {
			r.Header.Set("Cookie", "__session="+cookie)
		}
		token, _, err := sources.extract(r)
		if err != nil {
			if err.Status != http.StatusBadRequest || err.Code != "invalid_request" {
				t.Fatalf("malformed request answered %d %q", err.Status, err.Code)
			}
			if token != "" {
				t.Fatalf("a token came with an error")
			}
			return
		}
		if token != "" && cookie == "" && query == "" {
			// Only the header can have given it: one b64token, cut from
			// the end of the single Authorization value.
			if strings.ContainsAny(token, " \t") || !strings.HasSuffix(r.Header.Get("Authorization"), token) {
				t.Fatalf("header token %q is not the value's last word", token)
			}
		}
	})
}
