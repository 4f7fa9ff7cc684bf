package apptest

import (
	"bufio"
	"context"
	"encoding/json"
	"io"
	"net/http"
	"regexp"
	"strconv"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/scopegate/scopegate/examples/internal/app"
	"github.com/scopegate/scopegate/internal/syncbuf"
)

// TestDevModePrintedCommands starts the example as `go run` would, with no
// configuration but the DPoP mode, and replays every curl command it
// prints: each must answer the status its comment promises. The DPoP
// commands fetch their proofs from the dev-only endpoint for real.
func testDevModePrintedCommands(t *testing.T, server app.Server) {
	for _, tt := range []struct {
		name string
		env  map[string]string
		dpop bool // DPOP_TOKEN and its commands are printed
		// metadata is the path of the protected resource metadata the
		// guide fetches, relative to the server, or "" for none.
		metadata string
	}{
		{"default", map[string]string{}, true, "/.well-known/oauth-protected-resource"},
		{"DPOP=required", map[string]string{"DPOP": "required"}, true, "/.well-known/oauth-protected-resource"},
		{"DPOP_NONCE=on", map[string]string{"DPOP_NONCE": "on"}, true, "/.well-known/oauth-protected-resource"},
		{"DPOP=off", map[string]string{"DPOP": "off"}, false, "/.well-known/oauth-protected-resource"},
		{"RESOURCE with a path", map[string]string{"RESOURCE": "https://api.example.com/v1"}, true, "/.well-known/oauth-protected-resource/v1"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			tt.env["PORT"] = "0"
			base, commands := replayDevGuide(t, server, tt.env, tt.dpop)
			metadata := 0
			for _, c := range commands {
				if strings.Contains(c, "/.well-known/") {
					metadata++
					assert.Contains(t, c, "curl -i "+base+tt.metadata+" ", "the path the metadata is served at")
				}
			}
			assert.Equal(t, 1, metadata, "the guide fetches the metadata once")
		})
	}
}

// TestDevModeNamesItselfAsTheResource: in dev mode with RESOURCE unset,
// the API's challenges point to metadata this server serves, which names
// this server as the resource, as a client following RFC 9728 checks.
func testDevModeNamesItselfAsTheResource(t *testing.T, server app.Server) {
	ctx, cancel := context.WithCancel(context.Background())
	out, writer := io.Pipe()
	done := make(chan error, 1)
	go func() {
		done <- app.Run(ctx, envOf(map[string]string{"PORT": "0"}), writer, io.Discard, server)
		writer.Close()
	}()
	t.Cleanup(func() {
		cancel()
		require.NoError(t, <-done)
	})
	base := ""
	lines := bufio.NewScanner(out)
	lines.Buffer(make([]byte, 64<<10), 64<<10)
	for base == "" && lines.Scan() {
		if rest, ok := strings.CutPrefix(lines.Text(), "scopegate example listening on "); ok {
			base, _, _ = strings.Cut(rest, " ")
		}
	}
	go func() { _, _ = io.Copy(io.Discard, out) }()
	require.NotEmpty(t, base)

	resp, err := http.Get(base + "/api/private")
	require.NoError(t, err)
	resp.Body.Close()
	require.Equal(t, http.StatusUnauthorized, resp.StatusCode)
	metadataURL := base + "/.well-known/oauth-protected-resource"
	assert.Contains(t, resp.Header.Get("WWW-Authenticate"), `resource_metadata="`+metadataURL+`"`)

	resp, err = http.Get(metadataURL)
	require.NoError(t, err)
	defer resp.Body.Close()
	require.Equal(t, http.StatusOK, resp.StatusCode)
	var doc struct {
		Resource string `json:"resource"`
	}
	require.NoError(t, json.NewDecoder(resp.Body).Decode(&doc))
	assert.Equal(t, base, doc.Resource)
}

// devCommand is a printed curl command: its headers, then one or two URLs
// and the status each answers, as the comment says ("# 200, then 401"
// for two). A header is a Bearer or DPoP authorization with a token or
// $VARIABLE, or a DPoP proof fetched by an inner `curl -s 'URL'`.
var (
	devCommand = regexp.MustCompile(`^curl -i((?: -H "[^"]*")*) (\S+)(?: (\S+))?\s+# (\d{3})(?:, then (\d{3}))?`)
	devHeader  = regexp.MustCompile(`^ -H "(?:Authorization: (Bearer|DPoP) (\$?[\w.-]+)|DPoP: \$\(curl -s '([^']+)'\))"`)
)

// replayDevGuide runs the example with env and replays its guide. It
// returns the server's base URL and the commands it replayed.
func replayDevGuide(t *testing.T, server app.Server, env map[string]string, withDPoP bool) (string, []string) {
	ctx, cancel := context.WithCancel(context.Background())
	out, writer := io.Pipe()
	logs := &syncbuf.Buffer{}
	done := make(chan error, 1)
	go func() {
		done <- app.Run(ctx, envOf(env), writer, logs, server)
		writer.Close()
	}()
	t.Cleanup(func() {
		cancel()
		require.NoError(t, <-done)
	})

	vars := map[string]string{}
	var commands []string
	base := ""
	lines := bufio.NewScanner(out)
	lines.Buffer(make([]byte, 64<<10), 64<<10)
	for lines.Scan() {
		line := strings.TrimSpace(lines.Text())
		if rest, ok := strings.CutPrefix(line, "scopegate example listening on "); ok {
			base, _, _ = strings.Cut(rest, " ")
		}
		if name, value, ok := strings.Cut(strings.TrimPrefix(line, "export "), "="); ok && strings.HasPrefix(line, "export ") {
			vars[name] = value
		}
		if strings.HasPrefix(line, "curl ") {
			commands = append(commands, line)
		}
		if strings.HasPrefix(line, "Stop with Ctrl-C") {
			break
		}
	}
	go func() { _, _ = io.Copy(io.Discard, out) }()
	require.NotEmpty(t, base)
	require.GreaterOrEqual(t, len(commands), 10)
	if withDPoP {
		require.Len(t, vars, 7)
		require.Contains(t, vars, "DPOP_TOKEN")
	} else {
		require.Len(t, vars, 6)
	}

	proofs := 0
	for _, c := range commands {
		m := devCommand.FindStringSubmatch(c)
		require.NotNil(t, m, "unexpected command format: %s", c)
		header := http.Header{}
		for rest := m[1]; rest != ""; {
			h := devHeader.FindStringSubmatch(rest)
			require.NotNil(t, h, "unexpected header format in: %s", c)
			rest = rest[len(h[0]):]
			switch {
			case h[3] != "":
				// $(curl -s 'URL'): the body of a GET, as curl -s gives it.
				resp, err := http.Get(h[3])
				require.NoError(t, err)
				body, err := io.ReadAll(resp.Body)
				resp.Body.Close()
				require.NoError(t, err)
				require.Equal(t, http.StatusOK, resp.StatusCode, "%s: %s", h[3], body)
				header.Set("DPoP", string(body))
				proofs++
			default:
				token := h[2]
				if name, isVar := strings.CutPrefix(token, "$"); isVar {
					require.Contains(t, vars, name, c)
					token = vars[name]
				}
				header.Set("Authorization", h[1]+" "+token)
			}
		}
		urls, wants := []string{m[2]}, []string{m[4]}
		if m[3] != "" || m[5] != "" {
			require.True(t, m[3] != "" && m[5] != "", "two URLs and two statuses, or one of each: %s", c)
			urls, wants = append(urls, m[3]), append(wants, m[5])
		}
		// curl sends every URL with the same headers, one after the other.
		for i, u := range urls {
			req, err := http.NewRequest(http.MethodGet, u, nil)
			require.NoError(t, err)
			req.Header = header.Clone()
			resp, err := http.DefaultClient.Do(req)
			require.NoError(t, err)
			resp.Body.Close()
			want, _ := strconv.Atoi(wants[i])
			assert.Equal(t, want, resp.StatusCode, "%s (URL %d)", c, i+1)
		}
	}
	if withDPoP {
		assert.GreaterOrEqual(t, proofs, 3, "the guide shows DPoP requests with proofs")
	} else {
		assert.Zero(t, proofs)
		resp, err := http.Get(base + app.DevProofPath + "?htm=GET&htu=" + base + "/api/private")
		require.NoError(t, err)
		resp.Body.Close()
		assert.Equal(t, http.StatusNotFound, resp.StatusCode, "DPOP=off serves no proofs")
	}
	// The startup prefetch was logged, with no token in the log.
	assert.Contains(t, logs.String(), `msg="jwks fetched"`)
	for _, token := range vars {
		assert.NotContains(t, logs.String(), token)
	}
	return base, commands
}

// TestConfigurationErrors prints what to set and fails.
func testConfigurationErrors(t *testing.T, server app.Server) {
	tests := []struct {
		name string
		env  map[string]string
		want []string
	}{
		{"issuer without audience", map[string]string{"ISSUER_BASE_URL": "https://tenant.auth0.com/"}, []string{"AUDIENCE is required"}},
		{"bad durations", map[string]string{"CLOCK_SKEW": "5", "JWKS_CACHE_TTL": "-1m"}, []string{`CLOCK_SKEW="5"`, `JWKS_CACHE_TTL="-1m"`}},
		{"bad port", map[string]string{"PORT": "http"}, []string{`PORT="http"`}},
		{"jwks without issuer", map[string]string{"JWKS_URI": "https://tenant.auth0.com/.well-known/jwks.json"}, []string{"JWKS_URI needs ISSUER_BASE_URL"}},
		{"plain http issuer", map[string]string{"ISSUER_BASE_URL": "http://tenant.example.com/", "AUDIENCE": "a"}, []string{"ISSUER_BASE_URL \"http://tenant.example.com/\" must use https"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := app.Run(context.Background(), envOf(tt.env), io.Discard, io.Discard, server)
			require.Error(t, err)
			for _, want := range tt.want {
				assert.Contains(t, err.Error(), want)
			}
			assert.Contains(t, err.Error(), "ISSUER_BASE_URL", "the usage is printed")
		})
	}
}
