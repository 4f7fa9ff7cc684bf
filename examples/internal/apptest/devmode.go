package apptest

import (
	"bufio"
	"context"
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
// configuration, and replays every curl command it prints: each must answer
// the status its comment promises.
func testDevModePrintedCommands(t *testing.T, server app.Server) {
	ctx, cancel := context.WithCancel(context.Background())
	out, writer := io.Pipe()
	logs := &syncbuf.Buffer{}
	done := make(chan error, 1)
	go func() {
		done <- app.Run(ctx, envOf(map[string]string{"PORT": "0"}), writer, logs, server)
		writer.Close()
	}()
	t.Cleanup(func() {
		cancel()
		require.NoError(t, <-done)
	})

	vars := map[string]string{}
	var commands []string
	lines := bufio.NewScanner(out)
	lines.Buffer(make([]byte, 64<<10), 64<<10)
	for lines.Scan() {
		line := strings.TrimSpace(lines.Text())
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
	require.Len(t, vars, 5)
	require.GreaterOrEqual(t, len(commands), 10)

	command := regexp.MustCompile(`^curl -i (?:-H "Authorization: Bearer (\$?[\w.-]+)" )?(\S+)\s+# (\d{3})`)
	for _, c := range commands {
		m := command.FindStringSubmatch(c)
		require.NotNil(t, m, "unexpected command format: %s", c)
		req, err := http.NewRequest(http.MethodGet, m[2], nil)
		require.NoError(t, err)
		if token, isVar := strings.CutPrefix(m[1], "$"); isVar {
			require.Contains(t, vars, token)
			req.Header.Set("Authorization", "Bearer "+vars[token])
		} else if token != "" {
			req.Header.Set("Authorization", "Bearer "+token)
		}
		resp, err := http.DefaultClient.Do(req)
		require.NoError(t, err)
		resp.Body.Close()
		want, _ := strconv.Atoi(m[3])
		assert.Equal(t, want, resp.StatusCode, c)
	}
	// The startup prefetch was logged, with no token in the log.
	assert.Contains(t, logs.String(), `msg="jwks fetched"`)
	for _, token := range vars {
		assert.NotContains(t, logs.String(), token)
	}
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
		{"plain http issuer", map[string]string{"ISSUER_BASE_URL": "http://tenant.example.com/", "AUDIENCE": "a"}, []string{"must use https"}},
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
