package jwks

import (
	"testing"
)

// FuzzParseRemoteSet feeds arbitrary bytes to the parser of key sets that
// arrive over the network. It must never panic, and every key it keeps must
// pass the hygiene rules and never be symmetric.
func FuzzParseRemoteSet(f *testing.F) {
	f.Add([]byte(`{"keys":[]}`))
	f.Add([]byte(`{"keys":[{"kty":"oct","k":"c2VjcmV0c2VjcmV0c2VjcmV0c2VjcmV0c2VjcmV0MTI","alg":"HS256"}]}`))
	f.Add([]byte(`{"keys":[{"kty":"EC","crv":"P-256","x":"AAAA","y":"AAAA"}]}`))
	f.Add([]byte(`{"keys":[{"kty":"OKP","crv":"Ed25519","x":"11qYAYKxCrfVS_7TyWQHOg7hcvPapiMlrwIaaPcHURo","use":"sig"}]}`))
	f.Add([]byte(`{"keys":[{"kty":"RSA","n":"AQAB","e":"AQAB","Kty":"oct"}]}`))
	f.Add([]byte(`{"keys":[{"kty":"oct","k":"AAAA","alg":"HS256","use":"enc","Use":"sig"}]}`))
	f.Add([]byte(`[]`))
	f.Add([]byte(`{"keys":null}`))
	f.Fuzz(func(t *testing.T, body []byte) {
		set, _, err := parseRemoteSet(body)
		if err != nil {
			if set != nil {
				t.Fatal("a set came with an error")
			}
			return
		}
		if len(set.keys) == 0 {
			t.Fatal("an empty set came without an error")
		}
		for _, k := range set.keys {
			if k.IsSymmetric() {
				t.Fatal("a remote set yielded a symmetric key")
			}
			if err := k.check(); err != nil {
				t.Fatalf("a kept key fails the hygiene rules: %v", err)
			}
		}
	})
}
