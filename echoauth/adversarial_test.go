package echoauth_test

// TestAdversarial attacks the real middlewares over HTTP with real signed
// tokens, one subtest per family of attack, each with positive controls.
// SECURITY.md maps every row of its table to a subtest here. Every refused
// request is checked by advFixture.check: status and RFC 6750 error code,
// the handler did not run, no 5xx but the documented 503, an
// error_description in RFC 6750's characters that echoes nothing of the
// token, its kid or its planted claim values.

import (
	"bytes"
	"compress/flate"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rsa"
	"crypto/x509"
	"encoding/asn1"
	"encoding/base64"
	"encoding/json"
	"encoding/pem"
	"fmt"
	"math/big"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/scopegate/scopegate/authtest"
	"github.com/scopegate/scopegate/bearer"
	"github.com/scopegate/scopegate/echoauth"
	"github.com/scopegate/scopegate/internal/jwssign"
	"github.com/scopegate/scopegate/jwks"
)

func TestAdversarial(t *testing.T) {
	fx := newAdvFixture(t)
	t.Run("alg_none", func(t *testing.T) { advAlgNone(t, fx) })
	t.Run("alg_confusion", func(t *testing.T) { advAlgConfusion(t, fx) })
	t.Run("crit", func(t *testing.T) { advCrit(t, fx) })
	t.Run("header_keys", func(t *testing.T) { advHeaderKeys(t, fx) })
	t.Run("kid", func(t *testing.T) { advKid(t, fx) })
	t.Run("encoding", func(t *testing.T) { advEncoding(t, fx) })
	t.Run("claims", func(t *testing.T) { advClaims(t, fx) })
	t.Run("ecdsa", func(t *testing.T) { advECDSA(t, fx) })
	t.Run("weak_keys", func(t *testing.T) { advWeakKeys(t, fx) })
	t.Run("token_class", func(t *testing.T) { advTokenClass(t, fx) })
	t.Run("authorization_header", func(t *testing.T) { advAuthorizationHeader(t, fx) })
	t.Run("scope_on_invalid", func(t *testing.T) { advScopeOnInvalid(t, fx) })
	t.Run("keys_unavailable", func(t *testing.T) { advKeysUnavailable(t, fx) })
	t.Run("preflight", func(t *testing.T) { advPreflight(t, fx) })
	t.Run("concurrency", func(t *testing.T) { advConcurrency(t, fx) })

	// What the library logged (key set fetches, skipped keys) holds no
	// planted token content either.
	assert.NotContains(t, fx.logs.String(), advPlanted, "the library logged token contents")
	// The attacker's server named in jku/x5u headers was never contacted,
	// whichever family sent them.
	assert.Zero(t, fx.spy.count.Load(), "the library fetched a URL named by a token")
}

// advAlgNone: unsecured JWS in every casing, with and without a signature.
// RFC 8725 §2.1, §3.1, §3.2; RFC 7518 §3.6; RFC 7515 §4.1.1 (alg is
// case-sensitive).
func advAlgNone(t *testing.T, fx *advFixture) {
	payload := advJSON(t, fx.claims())
	b64 := base64.RawURLEncoding.EncodeToString
	cases := []advCase{
		bearerCase("control_valid_RS256", fx.token().MustSign(t), 200, ""),
		bearerCase("builder_none", fx.token().Algorithm("none").MustSign(t), 401, "invalid_token").described(descAlgorithm),
	}
	for _, alg := range []string{"none", "None", "NONE", "nOnE"} {
		unsecured := b64(advJSON(t, map[string]any{"alg": alg, "typ": "JWT"})) + "." + b64(payload) + "."
		withKid := fx.header(map[string]any{"alg": alg})
		cases = append(cases,
			bearerCase(alg, unsecured, 401, "invalid_token").described(descAlgorithm),
			bearerCase(alg+"_with_signature", unsecured+b64([]byte("any-signature-bytes-at-all-here!")), 401, "invalid_token"),
			// The issuer's own key signed these exact bytes: only the
			// algorithm name is wrong, and it must be enough to refuse.
			bearerCase(alg+"_with_valid_RS256_signature", signRaw(t, "RS256", fx.issuer.Signer("RS256"), advJSON(t, withKid), payload), 401, "invalid_token").
				described(descAlgorithm),
			bearerCase(alg+"_static_key", unsecured, 401, "invalid_token").on(advStatic),
		)
	}
	fx.run(t, cases)
}

// advAlgConfusion: HMAC keyed with the public key in every encoding, and
// algorithms that do not fit the key the kid names. RFC 8725 §2.1, §3.1;
// CVE-2015-9235, CVE-2016-10555, CVE-2017-11424, CVE-2022-29217.
func advAlgConfusion(t *testing.T, fx *advFixture) {
	rsKid, ecKid, edKid := fx.issuer.KeyID("RS256"), fx.issuer.KeyID("ES256"), fx.issuer.KeyID("EdDSA")
	payload := advJSON(t, fx.claims())
	pub := fx.issuer.PublicKey("RS256")
	pkix, err := x509.MarshalPKIXPublicKey(pub)
	require.NoError(t, err)
	pemBytes := fx.issuer.PublicKeyPEM("RS256")
	ecPEM := fx.issuer.PublicKeyPEM("ES256")
	secrets := []struct {
		name   string
		secret []byte
	}{
		{"pem", pemBytes},
		{"pem_trimmed", []byte(strings.TrimSpace(string(pemBytes)))},
		{"der_pkix", pkix},
		{"der_pkcs1", x509.MarshalPKCS1PublicKey(pub.(*rsa.PublicKey))},
		{"jwk_json", fx.publishedJWK(t, rsKid)},
	}
	cases := []advCase{
		bearerCase("control_valid_RS256", fx.token().MustSign(t), 200, ""),
		bearerCase("control_valid_ES256", fx.token().Algorithm("ES256").MustSign(t), 200, ""),
		bearerCase("control_valid_EdDSA", fx.token().Algorithm("EdDSA").MustSign(t), 200, ""),
		bearerCase("control_valid_static_RS256", fx.token().MustSign(t), 200, "").on(advStatic),
	}
	for _, s := range secrets {
		withKid := signRaw(t, "HS256", s.secret, advJSON(t, fx.header(map[string]any{"alg": "HS256"})), payload)
		noKid := signRaw(t, "HS256", s.secret, advJSON(t, fx.header(map[string]any{"alg": "HS256", "kid": nil})), payload)
		cases = append(cases,
			bearerCase("HS256_rsa_"+s.name, withKid, 401, "invalid_token").described(descAlgorithm),
			bearerCase("HS256_rsa_"+s.name+"_no_kid", noKid, 401, "invalid_token"),
			bearerCase("static_HS256_rsa_"+s.name, withKid, 401, "invalid_token").on(advStatic),
			bearerCase("static_HS256_rsa_"+s.name+"_no_kid", noKid, 401, "invalid_token").on(advStatic),
		)
	}
	for _, alg := range []string{"HS384", "HS512"} {
		tok := signRaw(t, alg, pemBytes, advJSON(t, fx.header(map[string]any{"alg": alg})), payload)
		cases = append(cases,
			bearerCase(alg+"_rsa_pem", tok, 401, "invalid_token"),
			bearerCase("static_"+alg+"_rsa_pem", tok, 401, "invalid_token").on(advStatic))
	}
	cases = append(cases,
		bearerCase("HS256_ec_pem", signRaw(t, "HS256", ecPEM, advJSON(t, fx.header(map[string]any{"alg": "HS256", "kid": ecKid})), payload), 401, "invalid_token"))

	// Mismatches between the token's alg and the key its kid names, each
	// signed by the issuer's own key of the token's algorithm: the
	// signature is genuine, only the pairing is wrong.
	mismatch := func(name, alg, signWith, kid string) advCase {
		tok := signRaw(t, alg, fx.issuer.Signer(signWith), advJSON(t, fx.header(map[string]any{"alg": alg, "kid": kid})), payload)
		return bearerCase(name, tok, 401, "invalid_token").described(descAlgorithm)
	}
	cases = append(cases,
		mismatch("ES256_header_on_RSA_kid", "ES256", "ES256", rsKid),
		mismatch("RS256_header_on_EC_kid", "RS256", "RS256", ecKid),
		mismatch("EdDSA_header_on_RSA_kid", "EdDSA", "EdDSA", rsKid),
		mismatch("EdDSA_header_on_EC_kid", "EdDSA", "EdDSA", ecKid),
		mismatch("ES256_header_on_EdDSA_kid", "ES256", "ES256", edKid),
		mismatch("PS256_on_RS256_pinned_JWK", "PS256", "RS256", rsKid),
		mismatch("RS384_on_RS256_pinned_JWK", "RS384", "RS256", rsKid),
		mismatch("RS512_on_RS256_pinned_JWK", "RS512", "RS256", rsKid),
		bearerCase("static_ES256_attacker_key", fx.token().SignWith("ES256", fx.keys.ec, "").MustSign(t), 401, "invalid_token").on(advStatic),
		bearerCase("static_RS256_attacker_key", fx.token().SignWith("RS256", fx.keys.rsa, "").MustSign(t), 401, "invalid_token").on(advStatic),
	)

	// The alg member itself: names are case-sensitive (RFC 7515 §4.1.1),
	// and a missing, non-string or repeated alg is malformed.
	rsSigned := func(header []byte) string { return signRaw(t, "RS256", fx.issuer.Signer("RS256"), header, payload) }
	kidJSON := strconv.Quote(rsKid)
	cases = append(cases,
		bearerCase("alg_lowercase_rs256", rsSigned(advJSON(t, fx.header(map[string]any{"alg": "rs256"}))), 401, "invalid_token"),
		bearerCase("alg_empty", rsSigned(advJSON(t, fx.header(map[string]any{"alg": ""}))), 401, "invalid_token"),
		bearerCase("alg_missing", rsSigned(advJSON(t, fx.header(map[string]any{"alg": nil}))), 401, "invalid_token"),
		bearerCase("alg_number", rsSigned(advJSON(t, fx.header(map[string]any{"alg": 256}))), 401, "invalid_token"),
		bearerCase("alg_array", rsSigned(advJSON(t, fx.header(map[string]any{"alg": []string{"RS256"}}))), 401, "invalid_token"),
		bearerCase("alg_duplicate_none_last", rsSigned([]byte(`{"alg":"RS256","alg":"none","kid":`+kidJSON+`}`)), 401, "invalid_token"),
		bearerCase("alg_duplicate_RS256_last", rsSigned([]byte(`{"alg":"none","alg":"RS256","kid":`+kidJSON+`}`)), 401, "invalid_token"),
		bearerCase("alg_duplicate_escaped_name", rsSigned([]byte(`{"alg":"none","\u0061lg":"RS256","kid":`+kidJSON+`}`)), 401, "invalid_token"),
	)
	fx.run(t, cases)
}

// advCrit: crit and b64. RFC 7515 §4.1.11, RFC 7797 §3/§6.
func advCrit(t *testing.T, fx *advFixture) {
	payload := advJSON(t, fx.claims())
	signer := fx.issuer.Signer("RS256")
	signed := func(changes map[string]any) string {
		return signRaw(t, "RS256", signer, advJSON(t, fx.header(changes)), payload)
	}
	unsupported := "token header has an unsupported parameter"
	cases := []advCase{
		bearerCase("control_valid", fx.token().MustSign(t), 200, ""),
		// b64 true is the default meaning; it changes nothing and is accepted.
		bearerCase("control_b64_true", signed(map[string]any{"b64": true}), 200, ""),
		bearerCase("crit_exp", signed(map[string]any{"crit": []string{"exp"}}), 401, "invalid_token").described(unsupported),
		bearerCase("crit_empty", signed(map[string]any{"crit": []string{}}), 401, "invalid_token").described(unsupported),
		bearerCase("crit_b64_with_b64_false", signed(map[string]any{"crit": []string{"b64"}, "b64": false}), 401, "invalid_token"),
		bearerCase("crit_unknown_name", signed(map[string]any{"crit": []string{"x-" + advPlanted}, "x-" + advPlanted: 1}), 401, "invalid_token"),
		bearerCase("crit_unknown_name_absent", signed(map[string]any{"crit": []string{"urn:example:ext"}}), 401, "invalid_token"),
		bearerCase("crit_registered_name", signed(map[string]any{"crit": []string{"kid"}}), 401, "invalid_token"),
		bearerCase("crit_string", signed(map[string]any{"crit": "exp"}), 401, "invalid_token"),
		bearerCase("crit_null", signed(map[string]any{"crit": json.RawMessage("null")}), 401, "invalid_token"),
		bearerCase("crit_escaped_name", signRaw(t, "RS256", signer,
			[]byte(`{"alg":"RS256","kid":"`+fx.issuer.KeyID("RS256")+`","\u0063rit":["exp"]}`), payload), 401, "invalid_token"),
		bearerCase("b64_false", signed(map[string]any{"b64": false}), 401, "invalid_token").described(unsupported),
		bearerCase("b64_string_false", signed(map[string]any{"b64": "false"}), 401, "invalid_token"),
		bearerCase("b64_zero", signed(map[string]any{"b64": 0}), 401, "invalid_token"),
		bearerCase("b64_null", signed(map[string]any{"b64": json.RawMessage("null")}), 401, "invalid_token"),
		// cty JWT announces a nested token (RFC 7519 §5.2), which is never
		// unwrapped: a payload that is a token, not claims, is malformed.
		bearerCase("cty_JWT_nested_token", signRaw(t, "RS256", signer, advJSON(t, fx.header(map[string]any{"cty": "JWT"})),
			[]byte(fx.token().MustSign(t))), 401, "invalid_token").described(descMalformed),
		// zip is a JWE parameter (RFC 7516 §4.1.3); a compressed payload is
		// not JSON here.
		bearerCase("zip_DEF_compressed_payload", signRaw(t, "RS256", signer, advJSON(t, fx.header(map[string]any{"zip": "DEF"})),
			deflate(t, payload)), 401, "invalid_token").described(descMalformed),
	}
	// RFC 7797 proper: the payload travels unencoded, or detached, and the
	// signature covers it as is.
	h := base64.RawURLEncoding.EncodeToString(advJSON(t, fx.header(map[string]any{"b64": false, "crit": []string{"b64"}})))
	sig := base64.RawURLEncoding.EncodeToString(signInput(t, "RS256", signer, []byte(h+"."+string(payload))))
	cases = append(cases,
		bearerCase("rfc7797_unencoded_payload", h+"."+string(payload)+"."+sig, 401, "invalid_token"),
		bearerCase("rfc7797_detached_payload", h+".."+sig, 401, "invalid_token"),
	)
	fx.run(t, cases)
}

// advHeaderKeys: keys and key URLs carried by the token itself. RFC 8725
// §3.10, RFC 7515 §4.1.2–§4.1.6; CVE-2018-0114.
func advHeaderKeys(t *testing.T, fx *advFixture) {
	k := fx.keys
	attackerJWK := json.RawMessage(rsaJWK(&k.rsa.PublicKey, "attacker-"+advPlanted, "RS256", ""))
	jku := fx.spy.srv.URL + "/jwks.json"
	x5u := fx.spy.srv.URL + "/cert.pem"
	x5c := []string{base64.StdEncoding.EncodeToString(k.certDER)}
	rsKid := fx.issuer.KeyID("RS256")
	forged := func(kid string, header map[string]any) string {
		b := fx.token().SignWith("RS256", k.rsa, kid)
		for name, v := range header {
			b.Header(name, v)
		}
		return b.MustSign(t)
	}
	cases := []advCase{
		bearerCase("control_valid", fx.token().MustSign(t), 200, ""),
		// A genuine token that also names URLs: they are ignored, not
		// fetched, and the token stands on the issuer's key.
		bearerCase("control_valid_with_ignored_jku_x5u", fx.token().Header("jku", jku).Header("x5u", x5u).MustSign(t), 200, ""),
		bearerCase("jwk_attacker_key", forged("attacker-kid", map[string]any{"jwk": attackerJWK}), 401, "invalid_token").hiding("attacker-kid"),
		bearerCase("jwk_attacker_key_no_kid", forged("", map[string]any{"jwk": attackerJWK}), 401, "invalid_token"),
		bearerCase("jwk_attacker_key_issuer_kid", forged(rsKid, map[string]any{"jwk": attackerJWK}), 401, "invalid_token").
			described("token signature is invalid"),
		bearerCase("static_jwk_attacker_key", forged("", map[string]any{"jwk": attackerJWK}), 401, "invalid_token").on(advStatic),
		bearerCase("jku_spy", forged("attacker-kid", map[string]any{"jku": jku}), 401, "invalid_token").hiding(jku),
		bearerCase("jku_spy_issuer_kid", forged(rsKid, map[string]any{"jku": jku}), 401, "invalid_token").hiding(jku),
		bearerCase("x5u_spy", forged("attacker-kid", map[string]any{"x5u": x5u}), 401, "invalid_token").hiding(x5u),
		bearerCase("x5c_self_signed", forged("", map[string]any{"x5c": x5c}), 401, "invalid_token"),
		bearerCase("x5c_self_signed_issuer_kid", forged(rsKid, map[string]any{"x5c": x5c}), 401, "invalid_token"),
		bearerCase("static_x5c_self_signed", forged("", map[string]any{"x5c": x5c}), 401, "invalid_token").on(advStatic),
		bearerCase("all_at_once", forged("attacker-kid", map[string]any{"jwk": attackerJWK, "jku": jku, "x5u": x5u, "x5c": x5c}), 401, "invalid_token"),
	}
	fx.run(t, cases)
	t.Run("spy_got_no_request", func(t *testing.T) {
		assert.Zero(t, fx.spy.count.Load(), "a URL from a token header was fetched")
	})
}

// advKid: kid injection, pathological kids, and the fetch budget of unknown
// kids. RFC 8725 §3.10; RFC 7515 §4.1.4.
func advKid(t *testing.T, fx *advFixture) {
	payload := advJSON(t, fx.claims())
	signer := fx.issuer.Signer("RS256")
	withKid := func(kid any) string {
		return signRaw(t, "RS256", signer, advJSON(t, fx.header(map[string]any{"kid": kid})), payload)
	}
	rsKid := fx.issuer.KeyID("RS256")
	unknown := func(name, kid string) advCase {
		return bearerCase(name, withKid(kid), 401, "invalid_token").hiding(kid).described("token signing key is unknown")
	}
	cases := []advCase{
		bearerCase("control_valid", fx.token().MustSign(t), 200, ""),
		// No kid, or an empty one, leaves one RS256 key to try: the issuer's.
		bearerCase("control_no_kid", withKid(nil), 200, ""),
		bearerCase("control_empty_kid", withKid(""), 200, ""),
		unknown("path_traversal", "../../etc/passwd"),
		unknown("path_traversal_planted", "../../../../"+advPlanted+"/keys/id_rsa"),
		unknown("sql_injection", "' OR 1=1--"),
		unknown("sql_injection_planted", "x' UNION SELECT '"+advPlanted+"'--"),
		unknown("10KB", strings.Repeat(advPlanted+"kid", 1024)),
		unknown("NUL", advPlanted+"\x00kid"),
		unknown("control_chars", advPlanted+"\x01\x1b[31mkid\x7f"),
		unknown("CRLF_header_injection", advPlanted+"\r\nX-Injected: yes"),
		unknown("unicode", advPlanted+"-ключ-🔑-\u202e"),
		unknown("url", "https://evil.example/"+advPlanted),
		unknown("issuer_kid_with_suffix", rsKid+"x"),
		unknown("issuer_kid_other_case", swapCase(rsKid)),
		bearerCase("invalid_utf8", signRaw(t, "RS256", signer, []byte(`{"alg":"RS256","kid":"`+advPlanted+"\xff\xfe"+`","typ":"JWT"}`), payload), 401, "invalid_token").
			described(descMalformed),
		bearerCase("number", withKid(12345), 401, "invalid_token").described(descMalformed),
		bearerCase("object", withKid(map[string]string{"kid": advPlanted}), 401, "invalid_token").described(descMalformed),
		bearerCase("array", withKid([]string{advPlanted}), 401, "invalid_token").described(descMalformed),
		bearerCase("null", withKid(json.RawMessage("null")), 401, "invalid_token").described(descMalformed),
		bearerCase("bool", withKid(true), 401, "invalid_token").described(descMalformed),
	}
	fx.run(t, cases)

	jwksRequests := func() int64 { return fx.issuer.Requests(authtest.JWKSPath) }
	burst := func(t *testing.T, prefix string, n int) {
		// Half at once at the start of the window, so that they race for
		// the one fetch allowed and must share it; then half one after
		// another, which must get none.
		batch := make([]advCase, n/2)
		for i := range batch {
			batch[i] = unknown(fmt.Sprintf("%s-c%d", prefix, i), fmt.Sprintf("%s-concurrent-%d", prefix, i))
		}
		for i, res := range fx.sendAll(t, batch) {
			fx.check(t, batch[i], res)
		}
		for i := range n / 2 {
			c := unknown(fmt.Sprintf("%s-%d", prefix, i), fmt.Sprintf("%s-unknown-%d", prefix, i))
			fx.check(t, c, fx.do(t, c))
		}
	}
	t.Run("unknown_kids_cost_one_fetch_per_cooldown", func(t *testing.T) {
		// Start from a fresh cooldown window: earlier families sent unknown
		// kids too.
		fx.clock.Advance(jwks.DefaultRefreshCooldown + time.Second)
		before := jwksRequests()
		burst(t, "first", 60)
		first := jwksRequests() - before
		assert.LessOrEqual(t, first, int64(1), "60 unknown kids in one cooldown")
		fx.clock.Advance(jwks.DefaultRefreshCooldown + time.Second)
		mid := jwksRequests()
		burst(t, "second", 40)
		second := jwksRequests() - mid
		assert.LessOrEqual(t, second, int64(1), "40 unknown kids in the next cooldown")
		t.Logf("JWKS fetches caused by unknown kids: %d in the first cooldown, %d in the next", first, second)
		// The good keys still work after all that.
		c := bearerCase("control_after", fx.token().MustSign(t), 200, "")
		fx.check(t, c, fx.do(t, c))
	})
	t.Run("known_kid_bad_signature_costs_no_fetch", func(t *testing.T) {
		fx.clock.Advance(jwks.DefaultRefreshCooldown + time.Second)
		before := jwksRequests()
		for i := range 20 {
			c := bearerCase(strconv.Itoa(i), authtest.TamperSignature(fx.token().Claim("jti", strconv.Itoa(i)).MustSign(t)), 401, "invalid_token").
				described("token signature is invalid")
			fx.check(t, c, fx.do(t, c))
		}
		assert.Equal(t, before, jwksRequests())
	})
}

// manyMembers renders n distinct JSON members "<prefix>0":0 ... without braces.
func manyMembers(prefix string, n int) string {
	parts := make([]string, n)
	for i := range parts {
		parts[i] = strconv.Quote(prefix+strconv.Itoa(i)) + ":0"
	}
	return strings.Join(parts, ",")
}

// swapCase flips the case of ASCII letters.
func swapCase(s string) string {
	return strings.Map(func(r rune) rune {
		switch {
		case 'a' <= r && r <= 'z':
			return r - 'a' + 'A'
		case 'A' <= r && r <= 'Z':
			return r - 'A' + 'a'
		}
		return r
	}, s)
}

// advEncoding: the compact serialization and its base64url, size caps.
// RFC 7515 §2 (base64url without padding), §3.1 and §7.1 (compact form),
// §7.2 (JSON form, not accepted); RFC 4648 §3.5 (canonical encoding);
// RFC 6750 §2.1 (b64token).
func advEncoding(t *testing.T, fx *advFixture) {
	valid := fx.token().MustSign(t)
	h, p, s := advSegments(t, valid)
	signer := fx.issuer.Signer("RS256")
	enc := base64.RawURLEncoding
	headerJSON, err := enc.DecodeString(h)
	require.NoError(t, err)
	payloadJSON, err := enc.DecodeString(p)
	require.NoError(t, err)

	cases := []advCase{
		bearerCase("control_valid", valid, 200, ""),
		bearerCase("segments_1_no_dot", h, 401, "invalid_token").described(descMalformed),
		bearerCase("segments_2_one_dot", h+"."+p, 401, "invalid_token").described(descMalformed),
		bearerCase("segments_4_three_dots", valid+"."+s, 401, "invalid_token").described(descMalformed),
		bearerCase("segments_5_four_dots_JWE_shape", h+"."+p+"."+s+"."+p+"."+s, 401, "invalid_token").described(descMalformed),
		bearerCase("segments_6_five_dots", valid+".."+p+"."+s, 401, "invalid_token").described(descMalformed),
		bearerCase("leading_dot", "."+valid, 401, "invalid_token").described(descMalformed),
		bearerCase("trailing_dot", valid+".", 401, "invalid_token").described(descMalformed),
		bearerCase("empty_header", "."+p+"."+s, 401, "invalid_token").described(descMalformed),
		bearerCase("empty_payload", h+".."+s, 401, "invalid_token").described(descMalformed),
		bearerCase("empty_signature", h+"."+p+".", 401, "invalid_token"),
		bearerCase("one_dot", ".", 401, "invalid_token"),
		bearerCase("two_dots", "..", 401, "invalid_token"),
		bearerCase("dot_bomb_4000", strings.Repeat("....", 1000), 401, "invalid_token").described(descMalformed),
		bearerCase("dot_bomb_over_cap", strings.Repeat(".", 16<<10+1), 401, "invalid_token").described(descTooLarge),
		bearerCase("control_size_at_cap_16KiB", fx.tokenOfLength(t, 16<<10), 200, ""),
		bearerCase("size_cap_plus_1", fx.tokenOfLength(t, 16<<10+1), 401, "invalid_token").described(descTooLarge),
		bearerCase("authorization_1MB", strings.Repeat("A", 1_000_000), 401, "invalid_token").described(descTooLarge),
		// Beyond net/http's own 1 MiB header limit: 431 from the server,
		// never a 5xx, the middleware never runs.
		{name: "authorization_2MiB", token: strings.Repeat("A", 2<<20), want: 431, also: []int{401}, transport: true},
	}

	// Padding: the issuer signs the padded form, so only the encoding is wrong.
	padded := base64.URLEncoding
	require.NotZero(t, len(h)%4, "header needs padding for this test")
	cases = append(cases,
		bearerCase("padding_signature", valid+strings.Repeat("=", (4-len(s)%4)%4), 401, "invalid_token").described(descMalformed),
		bearerCase("padding_header_signed", signSegments(t, "RS256", signer, padded.EncodeToString(headerJSON), p), 401, "invalid_token").
			described(descMalformed),
		bearerCase("padding_payload_signed", signSegments(t, "RS256", signer, h, padded.EncodeToString(payloadJSON)+"=="), 401, "invalid_token").
			described(descMalformed),
		bearerCase("padding_single_equals_signed", signSegments(t, "RS256", signer, h, p+"="), 401, "invalid_token").described(descMalformed),
	)

	// Whitespace in the token: in the header it splits the credentials
	// (400); through the query parameter it reaches the decoder, which Go
	// would let skip CR and LF, over input the issuer signed as is.
	mid := len(p) / 2
	cases = append(cases,
		advCase{name: "space_inside_header", token: valid, authorization: []string{"Bearer " + h + "." + p[:mid] + " " + p[mid:] + "." + s},
			want: 400, code: "invalid_request"},
		advCase{name: "tab_inside_header", token: valid, authorization: []string{"Bearer " + h + "." + p[:mid] + "\t" + p[mid:] + "." + s},
			want: 400, code: "invalid_request"},
		advCase{name: "obs_fold_CRLF_SP_inside_header", token: valid, rawAuthorization: "Bearer " + h + "." + p[:mid] + "\r\n " + p[mid:] + "." + s,
			want: 400, code: "invalid_request", transport: true},
		advCase{name: "bare_CR_inside_header", token: valid, rawAuthorization: "Bearer " + h + "." + p[:mid] + "\r" + p[mid:] + "." + s,
			want: 400, transport: true},
		advCase{name: "bare_LF_inside_header", token: valid, rawAuthorization: "Bearer " + h + "." + p[:mid] + "\n" + p[mid:] + "." + s,
			want: 400, transport: true},
	)
	for _, ws := range []struct{ name, chars string }{
		{"space", " "}, {"tab", "\t"}, {"CR", "\r"}, {"LF", "\n"}, {"CRLF", "\r\n"}, {"NUL", "\x00"},
	} {
		tok := signSegments(t, "RS256", signer, h, p[:mid]+ws.chars+p[mid:])
		cases = append(cases, advCase{name: "query_" + ws.name + "_inside_payload_signed", route: advSources, token: tok,
			query: queryToken(tok), noHeader: true, want: 401, code: "invalid_token", desc: descMalformed})
		sigWS := h + "." + p + "." + s[:10] + ws.chars + s[10:]
		cases = append(cases, advCase{name: "query_" + ws.name + "_inside_signature", route: advSources, token: sigWS,
			query: queryToken(sigWS), noHeader: true, want: 401, code: "invalid_token", desc: descMalformed})
	}
	cases = append(cases, advCase{name: "query_control_valid", route: advSources, token: valid, query: queryToken(valid), noHeader: true, want: 200})

	// Non-canonical base64url: the last character swapped for a sibling that
	// differs only in the unused trailing bits decodes to the same bytes in
	// lenient mode. For the signature that means a second spelling of a
	// genuine signature; for header and payload the issuer signs the
	// sibling spelling.
	sigSibling, ok := nonCanonical(s)
	require.True(t, ok, "an RSA-2048 signature has unused trailing bits")
	cases = append(cases, bearerCase("non_canonical_signature", h+"."+p+"."+sigSibling, 401, "invalid_token").described(descMalformed))
	hpad := fx.header(map[string]any{"x": ""})
	for pad := 0; ; pad++ {
		hpad["x"] = strings.Repeat("x", pad)
		if len(advJSON(t, hpad))%3 != 0 {
			break
		}
	}
	hSeg := enc.EncodeToString(advJSON(t, hpad))
	hSibling, ok := nonCanonical(hSeg)
	require.True(t, ok)
	cases = append(cases, bearerCase("non_canonical_header_signed", signSegments(t, "RS256", signer, hSibling, p), 401, "invalid_token").described(descMalformed))
	claims := fx.claims()
	for pad := 0; ; pad++ {
		claims["x"] = strings.Repeat("x", pad)
		if len(advJSON(t, claims))%3 != 0 {
			break
		}
	}
	pSeg := enc.EncodeToString(advJSON(t, claims))
	pSibling, ok := nonCanonical(pSeg)
	require.True(t, ok)
	cases = append(cases,
		bearerCase("control_canonical_payload_signed", signSegments(t, "RS256", signer, h, pSeg), 200, ""),
		bearerCase("non_canonical_payload_signed", signSegments(t, "RS256", signer, h, pSibling), 401, "invalid_token").described(descMalformed))

	// Standard base64 ('+', '/') for the same bytes.
	std := base64.RawStdEncoding
	var sigStd string
	for i := 0; ; i++ {
		tok := fx.token().Claim("jti", strconv.Itoa(i)).MustSign(t)
		th, tp, ts := advSegments(t, tok)
		if strings.ContainsAny(ts, "-_") {
			raw, err := enc.DecodeString(ts)
			require.NoError(t, err)
			sigStd = th + "." + tp + "." + std.EncodeToString(raw)
			break
		}
	}
	claims = fx.claims()
	claims["x"] = strings.Repeat("~", 12) // ~~~ encodes to a '-' in base64url whatever the alignment
	stdPayload := std.EncodeToString(advJSON(t, claims))
	require.True(t, strings.ContainsAny(stdPayload, "+/"))
	cases = append(cases,
		bearerCase("std_base64_signature", sigStd, 401, "invalid_token").described(descMalformed),
		bearerCase("std_base64_payload_signed", signSegments(t, "RS256", signer, h, stdPayload), 401, "invalid_token").described(descMalformed),
	)

	// JSON serializations of the same JWS (RFC 7515 §7.2).
	flattened := string(advJSON(t, map[string]string{"protected": h, "payload": p, "signature": s}))
	general := string(advJSON(t, map[string]any{"payload": p, "signatures": []map[string]string{{"protected": h, "signature": s}}}))
	cases = append(cases,
		bearerCase("json_serialization_flattened", flattened, 401, "invalid_token").described(descMalformed),
		bearerCase("json_serialization_general", general, 401, "invalid_token").described(descMalformed),
		bearerCase("non_ascii_byte", h+"."+p[:mid]+"é"+p[mid:]+"."+s, 401, "invalid_token").described(descMalformed),
	)
	fx.run(t, cases)
}

// advClaims: registered claims with the wrong type, boundaries, duplicates,
// case variants, broken JSON. RFC 7519 §2 (NumericDate), §4 (unique
// names), §4.1 (registered claims), §7.3 (exact string comparison);
// RFC 8259 §8.1; RFC 8725 §3.7.
func advClaims(t *testing.T, fx *advFixture) {
	now := fx.clock.Now()
	skew := 5 * time.Second
	future, past := now.Add(time.Hour).Unix(), now.Add(-time.Hour).Unix()
	signer := fx.issuer.Signer("RS256")
	header := advJSON(t, fx.header(nil))
	raw := func(payload string) string { return signRaw(t, "RS256", signer, header, []byte(payload)) }
	base := func() map[string]any { return fx.claims() }
	// exact renders base claims with changes, then appends extra members
	// verbatim, for JSON no encoder would write.
	exact := func(changes map[string]any, extra string) string {
		c := base()
		for k, v := range changes {
			if v == nil {
				delete(c, k)
				continue
			}
			c[k] = v
		}
		j := string(advJSON(t, c))
		if extra != "" {
			j = j[:len(j)-1] + "," + extra + "}"
		}
		return raw(j)
	}
	claimType := "token claim has the wrong type"
	cases := []advCase{
		bearerCase("control_valid", fx.token().MustSign(t), 200, ""),
		bearerCase("exp_string", fx.token().Claim("exp", strconv.FormatInt(future, 10)).MustSign(t), 401, "invalid_token").described(claimType),
		bearerCase("exp_null", fx.token().Claim("exp", nil).MustSign(t), 401, "invalid_token").described(claimType),
		bearerCase("exp_bool", fx.token().Claim("exp", true).MustSign(t), 401, "invalid_token").described(claimType),
		bearerCase("exp_array", fx.token().Claim("exp", []int64{future}).MustSign(t), 401, "invalid_token").described(claimType),
		bearerCase("exp_object", fx.token().Claim("exp", map[string]int64{"v": future}).MustSign(t), 401, "invalid_token").described(claimType),
		bearerCase("exp_missing", fx.token().Without("exp").MustSign(t), 401, "invalid_token").described("token lacks a required claim"),
		bearerCase("exp_past", fx.token().Claim("exp", past).MustSign(t), 401, "invalid_token").described(descExpired),
		// RFC 7519 §4.1.4: valid strictly before exp, plus the 5 s skew.
		bearerCase("control_exp_exactly_now", fx.token().Claim("exp", now.Unix()).MustSign(t), 200, ""),
		bearerCase("control_exp_now_minus_skew_plus_1s", fx.token().Claim("exp", now.Add(-skew+time.Second).Unix()).MustSign(t), 200, ""),
		bearerCase("exp_now_minus_skew", fx.token().Claim("exp", now.Add(-skew).Unix()).MustSign(t), 401, "invalid_token").described(descExpired),
		bearerCase("control_exp_now_plus_skew", fx.token().Claim("exp", now.Add(skew).Unix()).MustSign(t), 200, ""),
		bearerCase("control_nbf_now_plus_skew", fx.token().Claim("nbf", now.Add(skew).Unix()).MustSign(t), 200, ""),
		bearerCase("nbf_now_plus_skew_plus_1s", fx.token().Claim("nbf", now.Add(skew+time.Second).Unix()).MustSign(t), 401, "invalid_token").
			described("token is not yet valid"),
		bearerCase("iat_future_beyond_skew", fx.token().Claim("iat", now.Add(skew+time.Second).Unix()).MustSign(t), 401, "invalid_token").
			described("token is issued in the future"),
		bearerCase("nbf_string", fx.token().Claim("nbf", "0").MustSign(t), 401, "invalid_token").described(claimType),
		bearerCase("iat_null", fx.token().Claim("iat", nil).MustSign(t), 401, "invalid_token").described(claimType),

		// Duplicates, in either order and through escapes.
		bearerCase("duplicate_exp_past_then_future", exact(map[string]any{"exp": past}, fmt.Sprintf(`"exp":%d`, future)), 401, "invalid_token").
			described(descMalformed),
		bearerCase("duplicate_exp_future_then_past", exact(map[string]any{"exp": future}, fmt.Sprintf(`"exp":%d`, past)), 401, "invalid_token").
			described(descMalformed),
		bearerCase("duplicate_exp_escaped_name", exact(map[string]any{"exp": past}, fmt.Sprintf(`"\u0065xp":%d`, future)), 401, "invalid_token").
			described(descMalformed),
		bearerCase("duplicate_iss", exact(nil, `"iss":"https://evil.example/"`), 401, "invalid_token").described(descMalformed),
		bearerCase("duplicate_aud", exact(map[string]any{"aud": "https://other.example"}, strconv.Quote(`aud`)+":"+strconv.Quote(fx.issuer.Audience())), 401, "invalid_token"),
		bearerCase("duplicate_scope", exact(map[string]any{"scope": "none"}, `"scope":"`+advScope+`"`), 401, "invalid_token").described(descMalformed),
		bearerCase("duplicate_nested", exact(nil, `"o":{"id":"a","id":"b"}`), 401, "invalid_token").described(descMalformed),
		// Past 32 names an object indexes them in a hash table: duplicates
		// must be found there too, also among names sharing their first
		// eight bytes, and in nested objects.
		bearerCase("control_many_members", exact(nil, manyMembers("m", 600)), 200, ""),
		bearerCase("duplicate_exp_after_600_members", exact(map[string]any{"exp": past}, manyMembers("m", 600)+fmt.Sprintf(`,"exp":%d`, future)),
			401, "invalid_token").described(descMalformed),
		bearerCase("duplicate_escaped_exp_after_600_members", exact(map[string]any{"exp": past}, manyMembers("m", 600)+fmt.Sprintf(`,"\u0065xp":%d`, future)),
			401, "invalid_token").described(descMalformed),
		bearerCase("duplicate_long_prefix_after_300_members", exact(nil, manyMembers("same-prefix-", 300)+`,"same-prefix-299":1`),
			401, "invalid_token").described(descMalformed),
		bearerCase("duplicate_nested_after_300_members", exact(nil, `"o":{`+manyMembers("n", 300)+`,"n17":1}`),
			401, "invalid_token").described(descMalformed),

		// Claim names are case-sensitive (RFC 7519 §10.1.1).
		bearerCase("case_exp_past_Exp_future", exact(map[string]any{"exp": past}, fmt.Sprintf(`"Exp":%d`, future)), 401, "invalid_token").
			described(descExpired),
		bearerCase("case_EXP_future_only", exact(map[string]any{"exp": nil}, fmt.Sprintf(`"EXP":%d`, future)), 401, "invalid_token").
			described("token lacks a required claim"),
		bearerCase("case_ISS_only", exact(map[string]any{"iss": nil}, `"ISS":"`+fx.issuer.URL()+`"`), 401, "invalid_token"),
		bearerCase("case_AUD_only", exact(map[string]any{"aud": nil}, `"AUD":"`+fx.issuer.Audience()+`"`), 401, "invalid_token"),

		// UTF-8 (RFC 8259 §8.1) and JSON grammar.
		bearerCase("invalid_utf8_claim", exact(nil, `"name":"`+advPlanted+"\xff\xfe"+`"`), 401, "invalid_token").described(descMalformed),
		bearerCase("overlong_utf8_claim", exact(nil, `"name":"`+advPlanted+"\xc0\xaf"+`"`), 401, "invalid_token").described(descMalformed),
		bearerCase("lone_surrogate_claim", exact(nil, `"name":"`+advPlanted+`\ud800"`), 401, "invalid_token").described(descMalformed),
		bearerCase("invalid_utf8_sub", exact(map[string]any{"sub": nil}, `"sub":"`+advPlanted+"\xff"+`"`), 401, "invalid_token"),
		bearerCase("payload_array", raw(`[`+string(advJSON(t, base()))+`]`), 401, "invalid_token").described(descMalformed),
		bearerCase("payload_string", raw(`"`+advPlanted+`"`), 401, "invalid_token").described(descMalformed),
		bearerCase("payload_number", raw(`1767225600`), 401, "invalid_token").described(descMalformed),
		bearerCase("payload_null", raw(`null`), 401, "invalid_token").described(descMalformed),
		bearerCase("payload_true", raw(`true`), 401, "invalid_token").described(descMalformed),
		bearerCase("payload_empty_object", raw(`{}`), 401, "invalid_token"),
		bearerCase("payload_two_objects", raw(string(advJSON(t, base()))+`{}`), 401, "invalid_token").described(descMalformed),
		bearerCase("payload_trailing_comma", raw(strings.TrimSuffix(string(advJSON(t, base())), "}")+`,}`), 401, "invalid_token").described(descMalformed),
		bearerCase("payload_BOM", raw("\xef\xbb\xbf"+string(advJSON(t, base()))), 401, "invalid_token").described(descMalformed),
		bearerCase("payload_not_json", raw(advPlanted+" is not JSON"), 401, "invalid_token").described(descMalformed),
		bearerCase("deep_nesting_arrays_1000", exact(nil, `"deep":`+strings.Repeat("[", 1000)+strings.Repeat("]", 1000)), 401, "invalid_token").
			described(descMalformed),
		bearerCase("deep_nesting_objects_1000", exact(nil, `"deep":`+strings.Repeat(`{"a":`, 1000)+"1"+strings.Repeat("}", 1000)), 401, "invalid_token").
			described(descMalformed),
		bearerCase("deep_nesting_unclosed_1000", exact(nil, `"deep":`+strings.Repeat("[", 1000)), 401, "invalid_token").described(descMalformed),
		bearerCase("deep_nesting_header", signRaw(t, "RS256", signer,
			[]byte(`{"alg":"RS256","kid":"`+fx.issuer.KeyID("RS256")+`","x":`+strings.Repeat("[", 1000)+strings.Repeat("]", 1000)+`}`),
			advJSON(t, base())), 401, "invalid_token").described(descMalformed),

		// Numbers beyond any date.
		bearerCase("exp_1e400", exact(map[string]any{"exp": nil}, `"exp":1e400`), 401, "invalid_token").described(claimType),
		bearerCase("exp_1e300", exact(map[string]any{"exp": nil}, `"exp":1e300`), 401, "invalid_token").described(claimType),
		bearerCase("exp_2_pow_53_plus_2", exact(map[string]any{"exp": nil}, `"exp":9007199254740994`), 401, "invalid_token").described(claimType),
		// 2^53+1 rounds to 2^53 as a float64, and the range excludes 2^53
		// itself, so every integer from 2^53 up is refused.
		bearerCase("exp_2_pow_53", exact(map[string]any{"exp": nil}, `"exp":9007199254740992`), 401, "invalid_token").described(claimType),
		bearerCase("exp_2_pow_53_plus_1", exact(map[string]any{"exp": nil}, `"exp":9007199254740993`), 401, "invalid_token").described(claimType),
		bearerCase("control_exp_2_pow_53_minus_1", exact(map[string]any{"exp": nil}, `"exp":9007199254740991`), 200, ""),
		bearerCase("exp_negative", fx.token().Claim("exp", -future).MustSign(t), 401, "invalid_token").described(claimType),
		bearerCase("exp_minus_zero", exact(map[string]any{"exp": nil}, `"exp":-0`), 401, "invalid_token"),
		bearerCase("exp_leading_zero", exact(map[string]any{"exp": nil}, `"exp":0`+strconv.FormatInt(future, 10)), 401, "invalid_token").
			described(descMalformed),
		bearerCase("exp_hex", exact(map[string]any{"exp": nil}, `"exp":0x7fffffff`), 401, "invalid_token").described(descMalformed),
		bearerCase("exp_NaN", exact(map[string]any{"exp": nil}, `"exp":NaN`), 401, "invalid_token").described(descMalformed),
		bearerCase("exp_Infinity", exact(map[string]any{"exp": nil}, `"exp":Infinity`), 401, "invalid_token").described(descMalformed),
		bearerCase("iat_1e400", exact(map[string]any{"iat": nil}, `"iat":1e400`), 401, "invalid_token").described(claimType),
		// Only registered claims have their ranges checked; a custom claim
		// the library never reads is left to the application.
		bearerCase("control_custom_claim_1e400_not_interpreted", exact(nil, `"big":1e400`), 200, ""),

		// Other registered claims of the wrong type.
		bearerCase("iss_array", fx.token().Claim("iss", []string{fx.issuer.URL()}).MustSign(t), 401, "invalid_token"),
		bearerCase("aud_number", fx.token().Claim("aud", 1).MustSign(t), 401, "invalid_token"),
		bearerCase("aud_empty_array", fx.token().Claim("aud", []string{}).MustSign(t), 401, "invalid_token").described("token lacks a required claim"),
		bearerCase("aud_array_of_numbers", fx.token().Claim("aud", []int{1}).MustSign(t), 401, "invalid_token"),
		bearerCase("sub_number", fx.token().Claim("sub", 42).MustSign(t), 401, "invalid_token"),
		bearerCase("scope_number", fx.token().Claim("scope", 5).MustSign(t), 401, "invalid_token"),
		bearerCase("scope_object", fx.token().Claim("scope", map[string]bool{advScope: true}).MustSign(t), 401, "invalid_token"),
		bearerCase("scope_null", fx.token().Claim("scope", json.RawMessage("null")).MustSign(t), 401, "invalid_token"),
		bearerCase("scp_number", fx.token().Without("scope").Claim("scp", 1).MustSign(t), 401, "invalid_token"),
		bearerCase("permissions_object", fx.token().Claim("permissions", map[string]int{"a": 1}).MustSign(t), 401, "invalid_token"),
		// scopes.Parse documents an array of strings as a valid scope.
		bearerCase("control_scope_array", fx.token().Claim("scope", []string{advScope}).MustSign(t), 200, ""),
	}
	fx.run(t, cases)

	// The cache of verified tokens must not outlive exp: a token accepted
	// (and so cached) a moment before its expiry is refused after it.
	t.Run("cached_token_expires", func(t *testing.T) {
		tok := fx.token().Claim("exp", fx.clock.Now().Add(2*time.Second).Unix()).MustSign(t)
		for range 2 {
			c := bearerCase("before_exp", tok, 200, "")
			fx.check(t, c, fx.do(t, c))
		}
		fx.clock.Advance(2*time.Second + skew)
		c := bearerCase("after_exp", tok, 401, "invalid_token").described(descExpired)
		fx.check(t, c, fx.do(t, c))
	})
}

// advECDSA: ECDSA signature encodings and values, and EdDSA malleability.
// RFC 7518 §3.4; CVE-2022-21449.
func advECDSA(t *testing.T, fx *advFixture) {
	valid := fx.token().Algorithm("ES256").MustSign(t)
	h, p, s := advSegments(t, valid)
	enc := base64.RawURLEncoding
	sig, err := enc.DecodeString(s)
	require.NoError(t, err)
	require.Len(t, sig, 64)
	n := elliptic.P256().Params().N
	// The forms below re-encode a genuine token's own r and s, or values no
	// signer makes, so they are built here: jwssign makes only valid
	// signatures, and FixedRS encodes whatever it is given.
	r, sv := new(big.Int).SetBytes(sig[:32]), new(big.Int).SetBytes(sig[32:])
	with := func(sig []byte) string { return h + "." + p + "." + enc.EncodeToString(sig) }
	der, err := asn1.Marshal(struct{ R, S *big.Int }{r, sv})
	require.NoError(t, err)
	highS := jwssign.FixedRS(r, new(big.Int).Sub(n, sv), 32)
	sigInvalid := "token signature is invalid"

	payload := advJSON(t, fx.claims())
	ecKid := fx.issuer.KeyID("ES256")
	p256OnES384 := signRaw(t, "ES384", fx.issuer.Signer("ES256"), advJSON(t, fx.header(map[string]any{"alg": "ES384", "kid": ecKid})), payload)

	// Ed25519: S + L is the same signature to a verifier that does not
	// insist on S < L (RFC 8032 §5.1.7).
	edTok := fx.token().Algorithm("EdDSA").MustSign(t)
	eh, ep, es := advSegments(t, edTok)
	edSig, err := enc.DecodeString(es)
	require.NoError(t, err)
	l, _ := new(big.Int).SetString("7237005577332262213973186563042994240857116359379907606001950938285454250989", 10)
	sLE := edSig[32:]
	sBE := make([]byte, 32)
	for i := range sLE {
		sBE[31-i] = sLE[i]
	}
	sPlusL := new(big.Int).Add(new(big.Int).SetBytes(sBE), l).FillBytes(make([]byte, 32))
	edMalleable := append([]byte(nil), edSig[:32]...)
	for i := range sPlusL {
		edMalleable = append(edMalleable, sPlusL[31-i])
	}

	cases := []advCase{
		bearerCase("control_valid_ES256", valid, 200, ""),
		bearerCase("zero_r_and_s", with(make([]byte, 64)), 401, "invalid_token").described(sigInvalid),
		bearerCase("zero_r", with(jwssign.FixedRS(big.NewInt(0), sv, 32)), 401, "invalid_token").described(sigInvalid),
		bearerCase("zero_s", with(jwssign.FixedRS(r, big.NewInt(0), 32)), 401, "invalid_token").described(sigInvalid),
		bearerCase("r_and_s_equal_n", with(jwssign.FixedRS(n, n, 32)), 401, "invalid_token").described(sigInvalid),
		bearerCase("r_and_s_one", with(jwssign.FixedRS(big.NewInt(1), big.NewInt(1), 32)), 401, "invalid_token").described(sigInvalid),
		bearerCase("der_encoded", with(der), 401, "invalid_token").described(sigInvalid),
		bearerCase("length_0", h+"."+p+".", 401, "invalid_token"),
		bearerCase("length_1", with(sig[:1]), 401, "invalid_token").described(sigInvalid),
		bearerCase("length_63", with(sig[:63]), 401, "invalid_token").described(sigInvalid),
		bearerCase("length_65", with(append(append([]byte(nil), sig...), 0)), 401, "invalid_token").described(sigInvalid),
		// The same r and s, left-padded to P-384's width: equal numbers to a
		// verifier that splits the signature in halves whatever its length.
		bearerCase("length_96_same_values", with(jwssign.FixedRS(r, sv, 48)), 401, "invalid_token").described(sigInvalid),
		bearerCase("length_132_same_values", with(jwssign.FixedRS(r, sv, 66)), 401, "invalid_token").described(sigInvalid),
		bearerCase("P256_signature_on_ES384_header", p256OnES384, 401, "invalid_token").described(descAlgorithm),
		bearerCase("attacker_key_issuer_kid", fx.token().SignWith("ES256", fx.keys.ec, ecKid).MustSign(t), 401, "invalid_token").described(sigInvalid),
		bearerCase("control_valid_EdDSA", edTok, 200, ""),
		bearerCase("EdDSA_S_plus_L", eh+"."+ep+"."+enc.EncodeToString(edMalleable), 401, "invalid_token").described(sigInvalid),
	}
	fx.run(t, cases)
	// Informational: (r, n-s) verifies as well as (r, s) under Go's
	// crypto/ecdsa, and JWS does not ask for low S. Either answer is safe
	// (only the holder of the key can make either); the log says which one
	// the library gives.
	t.Run("high_S_informational", func(t *testing.T) {
		c := advCase{name: "high_S", token: with(highS), want: 200, also: []int{401}, code: "invalid_token"}
		res := fx.do(t, c)
		fx.check(t, c, res)
		t.Logf("INFO: ECDSA high-S signature (r, n-s) of a genuine ES256 token answered %d", res.status)
	})
}

// advWeakKeys: weak and unusable keys in a remote set beside good ones, and
// weak keys refused where they are constructed. RFC 7518 §3.2 (HMAC key
// size), §3.3 (RSA ≥ 2048); RFC 7517 §4.2, §4.3 (use, key_ops); RFC 8725
// §3.4 (points on the curve), §3.5 (key entropy); CVE-2006-4339 (e=3).
func advWeakKeys(t *testing.T, fx *advFixture) {
	k := fx.keys
	payload := advJSON(t, fx.claims())
	forged := func(alg string, key any, kid string) string {
		return signRaw(t, alg, key, advJSON(t, fx.header(map[string]any{"alg": alg, "kid": kid})), payload)
	}
	unknownKey := "token signing key is unknown"
	cases := []advCase{
		bearerCase("control_good_RS256_key_still_usable", fx.token().MustSign(t), 200, "").on(advWeak),
		bearerCase("control_good_ES256_key_still_usable", fx.token().Algorithm("ES256").MustSign(t), 200, "").on(advWeak),
		bearerCase("control_good_EdDSA_key_still_usable", fx.token().Algorithm("EdDSA").MustSign(t), 200, "").on(advWeak),
		bearerCase("rsa_1024", forged("RS256", k.rsa1024, "weak-rsa-1024"), 401, "invalid_token").on(advWeak).described(unknownKey),
		bearerCase("rsa_e3", forged("RS256", k.rsaE3, "weak-rsa-e3"), 401, "invalid_token").on(advWeak).described(unknownKey),
		bearerCase("ec_off_curve", forged("ES256", k.ec, "weak-ec-off-curve"), 401, "invalid_token").on(advWeak).described(unknownKey),
		// A remote set allows no HMAC algorithm at all: refused before any
		// key lookup.
		bearerCase("remote_oct_key_HS256", forged("HS256", fx.weakSecret, "remote-oct"), 401, "invalid_token").on(advWeak).
			described("token algorithm is not allowed"),
		bearerCase("use_enc", forged("RS256", k.rsa, "use-enc"), 401, "invalid_token").on(advWeak).described(unknownKey),
		bearerCase("key_ops_encrypt", forged("RS256", k.rsa, "key-ops-encrypt"), 401, "invalid_token").on(advWeak).described(unknownKey),
		bearerCase("rsa_jwk_pinned_to_HS256", forged("RS256", k.rsa, "rsa-pinned-hs256"), 401, "invalid_token").on(advWeak).described(unknownKey),
		bearerCase("private_jwk_published", forged("ES256", k.ec, "private-ec"), 401, "invalid_token").on(advWeak).described(unknownKey),
	}
	fx.run(t, cases)
	t.Run("remote_set_kept_only_good_keys", func(t *testing.T) {
		sets := fx.auths[advWeak].KeySets()
		require.Len(t, sets, 1)
		stats := sets[0].Stats()
		assert.Equal(t, 3, stats.Keys, "the issuer's RS256, ES256 and EdDSA keys, nothing else")
		assert.Contains(t, fx.logs.String(), "jwks key skipped", "skipped keys are logged")
	})

	// Refused at construction: the mistake stops the application at
	// startup instead of weakening every request.
	rsa1024PEM := pemOf(t, &k.rsa1024.PublicKey)
	rsaE3PEM := pemOf(t, &k.rsaE3.PublicKey)
	offCurve := &ecdsa.PublicKey{Curve: elliptic.P256(), X: new(big.Int).SetBytes(fx.offCurveX), Y: new(big.Int).SetBytes(fx.offCurveY)}
	b64 := base64.RawURLEncoding.EncodeToString
	offCurveJWK := fmt.Sprintf(`{"kty":"EC","crv":"P-256","x":%q,"y":%q}`, b64(fx.offCurveX), b64(fx.offCurveY))
	construction := []struct {
		name    string
		err     func() error
		wantErr error // nil: any error
	}{
		{"NewHMACKey_HS256_31_bytes", func() error { _, err := jwks.NewHMACKey(make([]byte, 31), "", "HS256"); return err }, jwks.ErrWeakKey},
		{"NewHMACKey_HS384_47_bytes", func() error { _, err := jwks.NewHMACKey(make([]byte, 47), "", "HS384"); return err }, jwks.ErrWeakKey},
		{"NewHMACKey_HS512_63_bytes", func() error { _, err := jwks.NewHMACKey(make([]byte, 63), "", "HS512"); return err }, jwks.ErrWeakKey},
		{"NewHMACKey_empty", func() error { _, err := jwks.NewHMACKey(nil, "", "HS256"); return err }, nil},
		{"NewHMACKey_alg_RS256", func() error { _, err := jwks.NewHMACKey(make([]byte, 64), "", "RS256"); return err }, jwks.ErrInvalidKey},
		{"ParsePEM_RSA_1024", func() error { _, err := jwks.ParsePEM(rsa1024PEM, "", ""); return err }, jwks.ErrWeakKey},
		{"ParsePEM_RSA_e3", func() error { _, err := jwks.ParsePEM(rsaE3PEM, "", ""); return err }, jwks.ErrWeakKey},
		{"ParsePEM_RSA_pinned_HS256", func() error { _, err := jwks.ParsePEM(fx.issuer.PublicKeyPEM("RS256"), "", "HS256"); return err }, jwks.ErrInvalidKey},
		{"ParsePEM_private_key", func() error { _, err := jwks.ParsePEM(privatePEM(t, fx), "", ""); return err }, jwks.ErrInvalidKey},
		{"NewPublicKey_EC_off_curve", func() error { _, err := jwks.NewPublicKey(offCurve, "", ""); return err }, jwks.ErrInvalidKey},
		{"ParseJWK_EC_off_curve", func() error { _, err := jwks.ParseJWK([]byte(offCurveJWK)); return err }, nil},
		{"ParseJWK_RSA_1024", func() error {
			_, err := jwks.ParseJWK([]byte(rsaJWK(&k.rsa1024.PublicKey, "", "RS256", "")))
			return err
		}, jwks.ErrWeakKey},
		{"ParseJWK_oct_short", func() error {
			_, err := jwks.ParseJWK([]byte(`{"kty":"oct","alg":"HS256","k":"` + b64([]byte("short")) + `"}`))
			return err
		}, jwks.ErrWeakKey},
		{"New_alg_none", func() error {
			_, err := echoauth.New(echoauth.Config{Issuer: fx.issuer.URL(), Audience: []string{"a"}, Algorithms: []string{"none"}})
			return err
		}, nil},
		{"New_remote_keys_with_HS256", func() error {
			_, err := echoauth.New(echoauth.Config{Issuer: fx.issuer.URL(), Audience: []string{"a"}, Algorithms: []string{"HS256"}})
			return err
		}, nil},
		{"Clerk_JWTKey_RSA_1024", func() error {
			_, err := bearer.Clerk(bearer.ClerkOptions{FrontendAPI: "https://clerk.example.com", JWTKey: string(rsa1024PEM)})
			return err
		}, jwks.ErrWeakKey},
	}
	for _, c := range construction {
		t.Run("construction/"+c.name, func(t *testing.T) {
			err := c.err()
			require.Error(t, err)
			if c.wantErr != nil {
				assert.ErrorIs(t, err, c.wantErr)
			}
		})
	}
	t.Run("construction/control_RSA_2048_and_32_byte_secret", func(t *testing.T) {
		_, err := jwks.ParsePEM(fx.issuer.PublicKeyPEM("RS256"), "", "")
		require.NoError(t, err)
		_, err = jwks.NewHMACKey(make([]byte, 32), "", "HS256")
		require.NoError(t, err)
	})
}

func deflate(t *testing.T, b []byte) []byte {
	var buf bytes.Buffer
	w, err := flate.NewWriter(&buf, flate.BestCompression)
	require.NoError(t, err)
	_, err = w.Write(b)
	require.NoError(t, err)
	require.NoError(t, w.Close())
	return buf.Bytes()
}

func pemOf(t *testing.T, pub any) []byte {
	der, err := x509.MarshalPKIXPublicKey(pub)
	require.NoError(t, err)
	return pem.EncodeToMemory(&pem.Block{Type: "PUBLIC KEY", Bytes: der})
}

func privatePEM(t *testing.T, fx *advFixture) []byte {
	der, err := x509.MarshalPKCS8PrivateKey(fx.keys.ec)
	require.NoError(t, err)
	return pem.EncodeToMemory(&pem.Block{Type: "PRIVATE KEY", Bytes: der})
}

// advTokenClass: tokens of the right issuer and key that are not access
// tokens for this API. RFC 8725 §3.8 (issuer), §3.9 (audience), §3.11
// (explicit typing), §3.12 (mutually exclusive rules); RFC 9068 §2.1, §4;
// OpenID Connect Core 1.0 §2 (ID tokens name the client).
func advTokenClass(t *testing.T, fx *advFixture) {
	typed := func(typ string) string { return fx.token().Header("typ", typ).MustSign(t) }
	notAccepted := "token type is not accepted"
	rfc9068 := func() *authtest.TokenBuilder {
		return fx.token().Header("typ", "at+jwt").Claim("client_id", "client-1").Claim("jti", "id-1")
	}
	cases := []advCase{
		bearerCase("control_valid", fx.token().MustSign(t), 200, ""),
		bearerCase("control_aud_array_with_ours", fx.token().Audience("https://other.example", fx.issuer.Audience()).MustSign(t), 200, ""),
		bearerCase("id_token", fx.token().Audience("client-"+advPlanted).Claim("nonce", "n-"+advPlanted).
			Claim("at_hash", "HK6E_P6Dh8Y93mRNtsDB1Q").Claim("azp", "client-"+advPlanted).MustSign(t), 401, "invalid_token").
			described("token audience is not accepted"),
		bearerCase("other_audience", fx.token().Audience("https://other-api.example.com/"+advPlanted).MustSign(t), 401, "invalid_token").
			described("token audience is not accepted"),
		bearerCase("aud_array_without_ours", fx.token().Audience("https://a.example", "https://b.example").MustSign(t), 401, "invalid_token"),
		bearerCase("aud_missing", fx.token().Without("aud").MustSign(t), 401, "invalid_token"),
		bearerCase("aud_prefix_of_ours", fx.token().Audience(fx.issuer.Audience()+"/"+advPlanted).MustSign(t), 401, "invalid_token"),
		bearerCase("other_issuer_same_key", fx.token().Claim("iss", "https://evil.example.com/"+advPlanted).MustSign(t), 401, "invalid_token").
			described("token issuer is not trusted"),
		bearerCase("issuer_trailing_slash", fx.token().Claim("iss", fx.issuer.URL()+"/").MustSign(t), 401, "invalid_token"),
		bearerCase("issuer_uppercase_scheme", fx.token().Claim("iss", "HTTP"+strings.TrimPrefix(fx.issuer.URL(), "http")).MustSign(t), 401, "invalid_token"),
		bearerCase("issuer_missing", fx.token().Without("iss").MustSign(t), 401, "invalid_token"),
		bearerCase("typ_dpop+jwt", typed("dpop+jwt"), 401, "invalid_token").described(notAccepted),
		bearerCase("typ_application_dpop+jwt", typed("application/dpop+jwt"), 401, "invalid_token").described(notAccepted),
		bearerCase("typ_logout+jwt", typed("logout+jwt"), 401, "invalid_token").described(notAccepted),
		bearerCase("typ_secevent+jwt", typed("secevent+jwt"), 401, "invalid_token").described(notAccepted),
		bearerCase("typ_JOSE", typed("JOSE"), 401, "invalid_token").described(notAccepted),
		bearerCase("typ_planted", typed(advPlanted), 401, "invalid_token").described(notAccepted),
		bearerCase("typ_number", fx.token().Header("typ", 1).MustSign(t), 401, "invalid_token"),
		bearerCase("control_typ_lowercase_jwt", typed("jwt"), 200, ""),
		bearerCase("control_typ_at+jwt", typed("at+jwt"), 200, ""),
		bearerCase("control_typ_application_at+jwt", typed("application/at+jwt"), 200, ""),
		bearerCase("control_typ_absent", fx.token().WithoutHeader("typ").MustSign(t), 200, ""),
		// RequireAccessTokenType: RFC 9068 strictly.
		bearerCase("access_type_control_at+jwt", rfc9068().MustSign(t), 200, "").on(advAccessType),
		bearerCase("access_type_typ_JWT", rfc9068().Header("typ", "JWT").MustSign(t), 401, "invalid_token").on(advAccessType).described(notAccepted),
		bearerCase("access_type_typ_absent", rfc9068().WithoutHeader("typ").MustSign(t), 401, "invalid_token").on(advAccessType),
		bearerCase("access_type_id_token", rfc9068().Header("typ", "JWT").Audience("client-1").Claim("nonce", "n").MustSign(t), 401, "invalid_token").
			on(advAccessType),
		bearerCase("access_type_missing_client_id", rfc9068().Without("client_id").MustSign(t), 401, "invalid_token").on(advAccessType),
		bearerCase("access_type_missing_jti", rfc9068().Without("jti").MustSign(t), 401, "invalid_token").on(advAccessType),
	}
	fx.run(t, cases)
}

// advAuthorizationHeader: how the token is carried. RFC 6750 §2 (one method),
// §2.1 (b64token), §2.3 (query), §3 (challenges); RFC 7235 §2.1 (scheme
// case).
func advAuthorizationHeader(t *testing.T, fx *advFixture) {
	valid := fx.token().MustSign(t)
	forged := authtest.TamperSignature(valid)
	hdr := func(name string, values []string, want int, code string) advCase {
		return advCase{name: name, token: valid, authorization: values, want: want, code: code}
	}
	src := func(c advCase) advCase { c.route = advSources; return c }
	cases := []advCase{
		hdr("control_valid", []string{"Bearer " + valid}, 200, ""),
		hdr("two_authorization_headers", []string{"Bearer " + valid, "Bearer " + valid}, 400, "invalid_request"),
		hdr("two_headers_bearer_and_basic", []string{"Basic dXNlcjpwYXNz", "Bearer " + valid}, 400, "invalid_request"),
		hdr("bearer_without_token", []string{"Bearer"}, 400, "invalid_request"),
		hdr("bearer_and_spaces", []string{"Bearer    "}, 400, "invalid_request"),
		hdr("bearer_two_tokens", []string{"Bearer  a b"}, 400, "invalid_request"),
		hdr("bearer_token_comma_token", []string{"Bearer " + valid + ", " + valid}, 400, "invalid_request"),
		hdr("basic_scheme", []string{"Basic dXNlcjpwYXNz"}, 401, ""),
		hdr("digest_scheme", []string{`Digest username="` + advPlanted + `"`}, 401, ""),
		hdr("control_lowercase_bearer", []string{"bearer " + valid}, 200, ""),
		hdr("control_uppercase_BEARER", []string{"BEARER " + valid}, 200, ""),
		hdr("control_mixed_case_bEaReR", []string{"bEaReR " + valid}, 200, ""),
		hdr("control_several_spaces", []string{"Bearer     " + valid}, 200, ""),
		hdr("tab_after_scheme", []string{"Bearer\t" + valid}, 401, ""),
		hdr("no_space_after_scheme", []string{"Bearer" + valid}, 401, ""),
		hdr("token_without_scheme", []string{valid}, 401, ""),
		{name: "no_authorization", noHeader: true, want: 401},
		{name: "query_when_not_enabled", token: valid, noHeader: true, query: queryToken(valid), want: 401},
		src(advCase{name: "sources_control_query_only", token: valid, noHeader: true, query: queryToken(valid), want: 200}),
		src(advCase{name: "query_and_header", token: valid, authorization: []string{"Bearer " + valid}, query: queryToken(valid), want: 400, code: "invalid_request"}),
		src(advCase{name: "query_twice", token: valid, noHeader: true, query: queryToken(valid) + "&" + queryToken(valid), want: 400, code: "invalid_request"}),
		src(advCase{name: "query_empty", noHeader: true, query: "access_token=", want: 400, code: "invalid_request"}),
		src(advCase{name: "query_and_cookie", token: valid, noHeader: true, query: queryToken(valid), cookie: valid, want: 400, code: "invalid_request"}),
		src(advCase{name: "sources_control_cookie_only", token: valid, noHeader: true, cookie: valid, want: 200}),
		src(advCase{name: "cookie_and_header_header_wins", token: valid, authorization: []string{"Bearer " + valid}, cookie: "garbage." + advPlanted, want: 200}),
		src(advCase{name: "cookie_valid_header_forged_header_wins", token: forged, authorization: []string{"Bearer " + forged}, cookie: valid,
			want: 401, code: "invalid_token"}),
		src(advCase{name: "cookie_forged", token: forged, noHeader: true, cookie: forged, want: 401, code: "invalid_token"}),
		src(advCase{name: "cookie_valid_basic_header", token: valid, authorization: []string{"Basic dXNlcjpwYXNz"}, cookie: valid, want: 200}),
		src(advCase{name: "cookie_empty", noHeader: true, cookie: `""`, want: 401}),
	}
	fx.run(t, cases)
}

// advScopeOnInvalid: an invalid token that carries the required scope is
// answered 401, never 403 (RFC 6750 §3.1: insufficient_scope is for valid
// tokens).
func advScopeOnInvalid(t *testing.T, fx *advFixture) {
	payload := advJSON(t, fx.claims())
	cases := []advCase{
		bearerCase("control_valid_with_scope", fx.token().MustSign(t), 200, ""),
		bearerCase("control_valid_without_scope", fx.token().Without("scope").MustSign(t), 403, "insufficient_scope"),
		bearerCase("control_valid_other_scope", fx.token().Scope("write:messages").MustSign(t), 403, "insufficient_scope"),
		bearerCase("expired", fx.token().ExpiresIn(-time.Hour).MustSign(t), 401, "invalid_token"),
		bearerCase("tampered_signature", authtest.TamperSignature(fx.token().MustSign(t)), 401, "invalid_token"),
		bearerCase("other_audience", fx.token().Audience("https://other.example").MustSign(t), 401, "invalid_token"),
		bearerCase("other_issuer", fx.token().Claim("iss", "https://evil.example/").MustSign(t), 401, "invalid_token"),
		bearerCase("alg_none", fx.token().Algorithm("none").MustSign(t), 401, "invalid_token"),
		bearerCase("unknown_kid", fx.token().Header("kid", "unknown-"+advPlanted).MustSign(t), 401, "invalid_token"),
		bearerCase("attacker_key", fx.token().SignWith("RS256", fx.keys.rsa, "").MustSign(t), 401, "invalid_token"),
		bearerCase("HS256_public_key", signRaw(t, "HS256", fx.issuer.PublicKeyPEM("RS256"),
			advJSON(t, fx.header(map[string]any{"alg": "HS256"})), payload), 401, "invalid_token"),
		bearerCase("scp_array_on_forged", authtest.TamperSignature(fx.token().Without("scope").Claim("scp", []string{advScope}).MustSign(t)), 401, "invalid_token"),
		bearerCase("permissions_on_forged", authtest.TamperSignature(fx.token().Permissions(advScope).MustSign(t)), 401, "invalid_token"),
		bearerCase("static_tampered", authtest.TamperSignature(fx.token().MustSign(t)), 401, "invalid_token").on(advStatic),
	}
	fx.run(t, cases)
}

// advKeysUnavailable: the one 5xx the contract allows, and the checks that
// still refuse junk without any key: those on the token's form and issuer,
// never those on its claims.
func advKeysUnavailable(t *testing.T, fx *advFixture) {
	before := fx.down.count.Load()
	cases := []advCase{
		bearerCase("valid_token_keys_unreachable", fx.token().MustSign(t), 503, "").on(advDown),
		bearerCase("alg_none_keys_unreachable", fx.token().Algorithm("none").MustSign(t), 401, "invalid_token").on(advDown),
		bearerCase("other_issuer_keys_unreachable", fx.token().Claim("iss", "https://evil.example/").MustSign(t), 401, "invalid_token").on(advDown),
		// No claim is judged before the signature verifies, so without keys
		// an expired token may be a forgery and gets no verdict either.
		bearerCase("expired_keys_unreachable", fx.token().ExpiresIn(-time.Hour).MustSign(t), 503, "").on(advDown),
		bearerCase("malformed_keys_unreachable", "a.b.c", 401, "invalid_token").on(advDown),
	}
	fx.run(t, cases)
	t.Run("one_fetch_per_cooldown_while_down", func(t *testing.T) {
		for i := range 10 {
			c := bearerCase(strconv.Itoa(i), fx.token().Claim("jti", strconv.Itoa(i)).MustSign(t), 503, "").on(advDown)
			fx.check(t, c, fx.do(t, c))
		}
		assert.LessOrEqual(t, fx.down.count.Load()-before, int64(1))
	})
}

// TestAdversarialLenientBase64Differs guards the non-canonical cases: the
// sibling spellings they send really are accepted by a lenient decoder, so
// a refusal is the strict decoder's doing.
func TestAdversarialLenientBase64Differs(t *testing.T) {
	seg := base64.RawURLEncoding.EncodeToString([]byte("a"))
	sib, ok := nonCanonical(seg)
	require.True(t, ok)
	got, err := base64.RawURLEncoding.DecodeString(sib)
	require.NoError(t, err)
	assert.Equal(t, []byte("a"), got)
	_, err = base64.RawURLEncoding.Strict().DecodeString(sib)
	assert.Error(t, err)
}

// advPreflight: requests shaped like CORS preflights. Anyone can send one; a
// browser is not needed. CheckJWT answers them 204 itself, never 401 (which
// would break CORS) and never by running the handler without a token.
func advPreflight(t *testing.T, fx *advFixture) {
	preflight := map[string]string{"Origin": "https://evil.example", "Access-Control-Request-Method": "GET"}
	forged := authtest.TamperSignature(fx.token().MustSign(t))
	cases := []advCase{
		// A GET-only route: Echo answers OPTIONS itself, no handler runs.
		{name: "get_route_no_token", method: "OPTIONS", headers: preflight, noHeader: true, want: 204, transport: true},
		// A route that also answers OPTIONS: CheckJWT answers the preflight.
		{name: "any_route_scoped_no_token", route: advAnyScoped, method: "OPTIONS", headers: preflight, noHeader: true, want: 204},
		{name: "any_route_scoped_forged_token", route: advAnyScoped, method: "OPTIONS", headers: preflight, token: forged, want: 204},
		{name: "any_route_scoped_GET_no_token", route: advAnyScoped, noHeader: true, want: 401},
		{name: "any_route_checkjwt_only", route: advAnyCheckOnly, method: "OPTIONS", headers: preflight, noHeader: true, want: 204},
		{name: "any_route_checkjwt_only_GET_no_token", route: advAnyCheckOnly, noHeader: true, want: 401},
	}
	fx.run(t, cases)
}

// advConcurrency: the same genuine and forged tokens at once, many times,
// through the verified-token cache and the shared auth object; run with
// -race. A forged token never rides on its genuine twin's cached
// verification.
func advConcurrency(t *testing.T, fx *advFixture) {
	valid := fx.token().MustSign(t)
	noScope := fx.token().Without("scope").MustSign(t)
	cases := []advCase{
		bearerCase("valid", valid, 200, ""),
		bearerCase("forged_twin", authtest.TamperSignature(valid), 401, "invalid_token"),
		bearerCase("no_scope", noScope, 403, "insufficient_scope"),
		bearerCase("expired", fx.token().ExpiresIn(-time.Hour).MustSign(t), 401, "invalid_token"),
		bearerCase("alg_none", fx.token().Algorithm("none").MustSign(t), 401, "invalid_token"),
		bearerCase("valid_static", valid, 200, "").on(advStatic),
		bearerCase("forged_static", authtest.TamperSignature(valid), 401, "invalid_token").on(advStatic),
	}
	const rounds = 20
	all := make([]advCase, 0, rounds*len(cases))
	for range rounds {
		all = append(all, cases...)
	}
	results := fx.sendAll(t, all)
	for k, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			for r := range rounds {
				fx.check(t, c, results[r*len(cases)+k])
			}
		})
	}
}
