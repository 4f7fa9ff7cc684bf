package bench_test

import (
	"context"
	"encoding/base64"
	"encoding/json"
	"errors"
	"strconv"
	"strings"
	"testing"

	"github.com/scopegate/scopegate/authtest"
	"github.com/scopegate/scopegate/jwks"
	"github.com/scopegate/scopegate/token"
)

// BenchmarkJunkFlood is what a flood of distinct forged tokens costs once
// their claims are judged only after their signature: a forgery naming a
// trusted issuer and a published kid costs one signature verification (the
// floor), whatever its claims say; one naming an unknown kid costs a key
// lookup, and at most one key fetch per cooldown for the whole flood; one
// naming an untrusted issuer costs parsing only. The peers refuse forged
// signatures at the same price or more.
func BenchmarkJunkFlood(b *testing.B) {
	e := env(b)
	ctx := context.Background()
	forged := mapTokens(e.rs256, authtest.TamperSignature)
	wrongAudience := mapTokens(e.rs256, func(raw string) string {
		return authtest.TamperSignature(editSegment(b, raw, 1, "aud", "https://other-api.example.com"))
	})
	unknownKID := make([]string, len(e.rs256))
	for i, raw := range e.rs256 {
		unknownKID[i] = editSegment(b, raw, 0, "kid", "junk-"+strconv.Itoa(i))
	}
	otherIssuer := mapTokens(e.rs256, func(raw string) string {
		return editSegment(b, raw, 1, "iss", "https://evil.example/")
	})

	b.Run("ours/forged-signature", func(b *testing.B) {
		junkLoop(b, forged, oursVerify(mustVerifier(b, e.static, 0)), token.ErrSignature)
	})
	b.Run("ours/forged-signature/wrong-audience", func(b *testing.B) {
		// The audience is never looked at: the answer and the cost are a
		// forged signature's.
		junkLoop(b, wrongAudience, oursVerify(mustVerifier(b, e.static, 0)), token.ErrSignature)
	})
	b.Run("ours/unknown-kid/remote-jwks", func(b *testing.B) {
		keys, err := jwks.NewRemote(jwks.RemoteConfig{URL: e.jwksURL(1)})
		if err != nil {
			b.Fatal(err)
		}
		if err := keys.Prefetch(ctx); err != nil {
			b.Fatal(err)
		}
		before := keys.Stats().Fetches
		junkLoop(b, unknownKID, oursVerify(mustVerifier(b, keys, 0)), token.ErrUnknownKey)
		b.ReportMetric(float64(keys.Stats().Fetches-before), "fetches")
	})
	b.Run("ours/untrusted-issuer", func(b *testing.B) {
		junkLoop(b, otherIssuer, oursVerify(mustVerifier(b, e.static, 0)), token.ErrIssuer)
	})
	b.Run("go-jwt-middleware-v2/forged-signature", func(b *testing.B) {
		junkLoop(b, forged, func(raw string) error { _, err := e.goJWT.ValidateToken(ctx, raw); return err }, nil)
	})
	b.Run("golang-jwt-v5/strict/forged-signature", func(b *testing.B) {
		junkLoop(b, forged, func(raw string) error { _, err := e.strict.Parse(raw, e.kf); return err }, nil)
	})
}

// junkLoop runs verify over tokens, i % len(tokens), and fails unless each
// is refused (with want, when set).
func junkLoop(b *testing.B, tokens []string, verify func(string) error, want error) {
	b.Helper()
	check := func(raw string) {
		err := verify(raw)
		if err == nil || (want != nil && !errors.Is(err, want)) {
			b.Fatalf("got %v, want %v", err, want)
		}
	}
	check(tokens[0])
	floor := adjacentFloor(b)
	b.ReportAllocs()
	i := 1
	for b.Loop() {
		check(tokens[i%len(tokens)])
		i++
	}
	reportFloor(b, floor)
}

// mapTokens applies f to every token.
func mapTokens(tokens []string, f func(string) string) []string {
	out := make([]string, len(tokens))
	for i, t := range tokens {
		out[i] = f(t)
	}
	return out
}

// editSegment sets member name of the token's header (segment 0) or
// payload (segment 1) to value, keeping the signature as it was.
func editSegment(b *testing.B, raw string, segment int, name, value string) string {
	parts := strings.Split(raw, ".")
	data, err := base64.RawURLEncoding.DecodeString(parts[segment])
	if err != nil {
		b.Fatal(err)
	}
	var members map[string]any
	if err := json.Unmarshal(data, &members); err != nil {
		b.Fatal(err)
	}
	members[name] = value
	if data, err = json.Marshal(members); err != nil {
		b.Fatal(err)
	}
	parts[segment] = base64.RawURLEncoding.EncodeToString(data)
	return strings.Join(parts, ".")
}
