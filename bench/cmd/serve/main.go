// Command serve listens on loopback with the benchmark route behind each
// middleware stack, for load generators such as wrk:
//
//	:PORT+0  scopegate, verified-token cache on (default)
//	:PORT+1  scopegate, cache off: every request is a full verification
//	:PORT+2  echo-jwt (default parser, kid-keyed keyfunc) + hand-written scope check
//	:PORT+3  go-jwt-middleware v2 wrapped with echo.WrapMiddleware + scope check
//
// Every stack verifies RS256 with the same static key. It writes one token
// per line to -tokens (the first is the "repeated" token; all of them serve
// wrk/distinct.lua), prints "ready" and serves until interrupted.
package main

import (
	"context"
	"crypto"
	"errors"
	"flag"
	"fmt"
	"log"
	"net"
	"net/http"
	"os"
	"os/signal"
	"strings"
	"syscall"
	"time"

	"github.com/labstack/echo/v4"

	"github.com/scopegate/scopegate/bench/internal/fixture"
	"github.com/scopegate/scopegate/bench/internal/stacks"
)

func main() {
	port := flag.Int("port", 18081, "first of four consecutive loopback ports")
	count := flag.Int("count", 1000, "distinct tokens to write")
	tokensPath := flag.String("tokens", "tokens.txt", "file to write the tokens to, one per line")
	flag.Parse()
	if err := run(*port, *count, *tokensPath); err != nil {
		log.Fatal(err)
	}
}

func run(port, count int, tokensPath string) error {
	keys, err := fixture.NewKeys()
	if err != nil {
		return err
	}
	tokens, err := keys.Pool("RS256", fixture.RSAKeyID, count, time.Now(), fixture.Shape{})
	if err != nil {
		return err
	}
	if err := os.WriteFile(tokensPath, []byte(strings.Join(tokens, "\n")+"\n"), 0o600); err != nil {
		return err
	}

	static, err := stacks.StaticKeys(keys)
	if err != nil {
		return err
	}
	oursCached, _, err := stacks.OursEcho(stacks.OursConfig(static, 0))
	if err != nil {
		return err
	}
	oursUncached, _, err := stacks.OursEcho(stacks.OursConfig(static, -1))
	if err != nil {
		return err
	}
	goJWT, err := stacks.GoJWTValidator(&keys.RSA.PublicKey)
	if err != nil {
		return err
	}
	apps := []struct {
		name string
		e    *echo.Echo
	}{
		{"scopegate (cache on)", oursCached},
		{"scopegate (cache off)", oursUncached},
		{"echo-jwt", stacks.EchoJWT(map[string]crypto.PublicKey{fixture.RSAKeyID: &keys.RSA.PublicKey})},
		{"go-jwt-middleware v2", stacks.GoJWTMiddleware(goJWT)},
	}

	var servers []*http.Server
	errc := make(chan error, len(apps))
	for i, app := range apps {
		addr := fmt.Sprintf("127.0.0.1:%d", port+i)
		ln, err := net.Listen("tcp", addr)
		if err != nil {
			return err
		}
		srv := &http.Server{Handler: app.e, ReadHeaderTimeout: 5 * time.Second}
		servers = append(servers, srv)
		go func() { errc <- srv.Serve(ln) }()
		fmt.Printf("%-24s http://%s%s\n", app.name, addr, fixture.Route)
	}
	fmt.Printf("tokens: %d in %s\nready\n", len(tokens), tokensPath)

	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	select {
	case <-ctx.Done():
	case err := <-errc:
		if !errors.Is(err, http.ErrServerClosed) {
			return err
		}
	}
	shutdown, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	for _, srv := range servers {
		_ = srv.Shutdown(shutdown)
	}
	return nil
}
