//go:build integration

package echoauth_test

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"os/exec"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/scopegate/scopegate/authtest"
	"github.com/scopegate/scopegate/bearer"
	"github.com/scopegate/scopegate/clerk"
	"github.com/scopegate/scopegate/scopes"
)

// TestClerkDifferentialReverificationHint: with the Clerk preset, a token
// that fails a reverification requirement gets, byte for byte as JSON, the
// body @clerk/shared's reverificationError builds for the same request, and
// Clerk's frontends (isReverificationHint) recognise it.
func TestClerkDifferentialReverificationHint(t *testing.T) {
	dir := clerkHarnessDir(t)
	issuer := authtest.NewIssuer(t, authtest.WithAudience(""))
	cfg, err := bearer.Clerk(bearer.ClerkOptions{FrontendAPI: issuer.URL(), JWTKey: string(issuer.PublicKeyPEM("RS256"))})
	require.NoError(t, err)
	cfg.Issuer = issuer.URL()
	auth, err := bearer.New(cfg)
	require.NoError(t, err)
	stale := issuer.Token().Claim("sid", "sess_1").Claim("fva", []int{2000, 2000}).MustSign(t)

	cases := []struct {
		param any
		req   scopes.Requirement
	}{
		{"strict_mfa", clerk.Reverification("strict_mfa")},
		{"strict", clerk.Reverification("strict")},
		{"moderate", clerk.Reverification("moderate")},
		{"lax", clerk.Reverification("lax")},
		{map[string]any{"level": "first_factor", "afterMinutes": 5}, clerk.ReverificationAfter(clerk.FirstFactor, 5)},
		{map[string]any{"level": "second_factor", "afterMinutes": 0.5}, clerk.ReverificationAfter(clerk.SecondFactor, 0.5)},
		{map[string]any{"level": "multi_factor", "afterMinutes": 30}, clerk.ReverificationAfter(clerk.MultiFactor, 30)},
	}
	var in bytes.Buffer
	ours := make([]json.RawMessage, len(cases))
	for i, c := range cases {
		req := httptest.NewRequest(http.MethodGet, "/", nil)
		req.Header.Set("Authorization", "Bearer "+stale)
		r, answer := auth.Require(req)
		require.Nil(t, answer)
		answer = bearer.Has(c.req)(r)
		require.NotNil(t, answer)
		require.Equal(t, http.StatusForbidden, answer.Status)
		ours[i], err = answer.Err.MarshalJSON()
		require.NoError(t, err)
		line, err := json.Marshal(map[string]any{"param": c.param, "ours": ours[i]})
		require.NoError(t, err)
		in.Write(append(line, '\n'))
	}

	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	cmd := exec.CommandContext(ctx, "node", "hint.mjs")
	cmd.Dir = dir
	cmd.Stdin = &in
	var out, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &stderr
	require.NoError(t, cmd.Run(), "hint.mjs: %s", stderr.String())
	sc := bufio.NewScanner(&out)
	i := 0
	for ; sc.Scan(); i++ {
		var res struct {
			Clerk  json.RawMessage `json:"clerk"`
			IsHint bool            `json:"isHint"`
		}
		require.NoError(t, json.Unmarshal(sc.Bytes(), &res))
		assert.JSONEq(t, string(res.Clerk), string(ours[i]), "param %v", cases[i].param)
		assert.True(t, res.IsHint, "Clerk's frontends recognise ours for %v", cases[i].param)
	}
	assert.Equal(t, len(cases), i, "one answer per case")
}
