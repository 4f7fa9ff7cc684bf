package bench_test

import (
	"net/http"
	"testing"

	"github.com/labstack/echo/v4"

	"github.com/scopegate/scopegate/bearer"
	"github.com/scopegate/scopegate/bench/internal/fixture"
	"github.com/scopegate/scopegate/bench/internal/stacks"
)

// BenchmarkFaces is a whole request through each face of scopegate (Echo v4,
// Echo v5, net/http), each beside its framework alone: a token's first
// sight (cache off) and a repeated token (default cache), with the same
// configuration, keys and tokens.
func BenchmarkFaces(b *testing.B) {
	env := env(b)
	repeated := []string{env.repeated}
	faces := []struct {
		name     string
		baseline func() http.Handler
		build    func(bearer.Config) (http.Handler, error)
	}{
		{"echoauth", func() http.Handler {
			e := echo.New()
			e.GET(fixture.Route, func(c echo.Context) error { return c.NoContent(http.StatusNoContent) })
			return e
		}, func(cfg bearer.Config) (http.Handler, error) {
			e, _, err := stacks.OursEcho(cfg)
			return e, err
		}},
		{"echo5auth", stacks.BaselineEcho5, stacks.OursEcho5},
		{"httpauth", stacks.BaselineHTTP, stacks.OursHTTP},
	}
	for _, f := range faces {
		b.Run(f.name+"/baseline/no-auth", func(b *testing.B) { serveLoop(b, f.baseline(), env.rs256, nil) })
		for _, row := range []struct {
			name   string
			cache  int
			tokens []string
		}{{"first-sight", -1, env.rs256}, {"repeated", 0, repeated}} {
			b.Run(f.name+"/"+row.name, func(b *testing.B) {
				h, err := f.build(stacks.OursConfig(env.static, row.cache))
				if err != nil {
					b.Fatal(err)
				}
				serveLoop(b, h, row.tokens, nil)
			})
		}
	}
}
