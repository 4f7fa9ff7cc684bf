package app

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"os"
	"os/signal"
	"strconv"
	"syscall"
	"time"

	"github.com/scopegate/scopegate/authtest"
	"github.com/scopegate/scopegate/bearer"
	"github.com/scopegate/scopegate/jwks"
)

// Server builds an example's server, with its face, from the settings the
// environment gave: the handler of every route, and the authenticator
// behind it.
type Server func(s Settings) (http.Handler, *bearer.Authenticator, error)

// Main runs the example until SIGINT or SIGTERM, and exits with status 2 on
// a configuration mistake.
func Main(server Server) {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	if err := Run(ctx, os.Getenv, os.Stdout, os.Stderr, server); err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(2)
	}
}

// Run starts the server and serves until ctx ends. The guide goes to out;
// key fetch events (never token contents) go to logs, so that an operator
// sees when keys are fetched, refreshed, skipped or unreachable.
func Run(ctx context.Context, getenv func(string) string, out, logs io.Writer, server Server) error {
	s, err := LoadSettings(getenv)
	if err != nil {
		return fmt.Errorf("configuration error:\n%v\n\n%s", err, Usage)
	}
	s.Auth.Logger = slog.New(slog.NewTextHandler(logs, nil))
	host := ""
	var dev *authtest.Issuer
	if s.DevMode {
		// The dev server listens on loopback only: its tokens are minted by
		// the process itself and prove nothing to the outside world.
		host = "127.0.0.1"
		dev, err = authtest.Start(authtest.WithAudience(s.Audience[0]))
		if err != nil {
			return fmt.Errorf("starting the embedded issuer: %w", err)
		}
		defer dev.Close()
		s.Auth.Issuer = dev.URL()
	}
	handler, auth, err := server(s)
	if err != nil {
		return fmt.Errorf("configuration error:\n%s\n\n%s", inEnvironmentWords(err), Usage)
	}
	if err := auth.Prefetch(ctx); err != nil {
		if errors.Is(err, jwks.ErrIssuerMismatch) {
			// No retry mends a mistyped issuer: stop, and say what to set.
			return fmt.Errorf("configuration error:\nISSUER_BASE_URL does not match the issuer's own discovery document: %v\n\n%s", err, Usage)
		}
		// Not fatal: the key set retries on its own, and requests answer
		// 503 with Retry-After until keys arrive.
		fmt.Fprintf(logs, "warning: signing keys are not available yet: %v\n", err)
	}

	listener, err := net.Listen("tcp", net.JoinHostPort(host, strconv.Itoa(s.Port)))
	if err != nil {
		return fmt.Errorf("listening on port %d: %w (set PORT to another port)", s.Port, err)
	}
	// The address the server really listens on: in dev mode that is
	// 127.0.0.1, which "localhost" may resolve past (to ::1) first.
	shown := host
	if shown == "" {
		shown = "localhost"
	}
	base := "http://" + net.JoinHostPort(shown, strconv.Itoa(listener.Addr().(*net.TCPAddr).Port))
	switch {
	case dev != nil:
		printDevGuide(out, base, dev, s)
	case s.Clerk:
		fmt.Fprintf(out, "scopegate example listening on %s, trusting Clerk session tokens from %s\n", base, s.Auth.Issuer)
	default:
		fmt.Fprintf(out, "scopegate example listening on %s, trusting %s for audience %v\n", base, s.Auth.Issuer, s.Audience)
	}

	srv := &http.Server{Handler: handler, ReadHeaderTimeout: 10 * time.Second}
	errs := make(chan error, 1)
	go func() { errs <- srv.Serve(listener) }()
	select {
	case err := <-errs:
		return err
	case <-ctx.Done():
		shutdown, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		if err := srv.Shutdown(shutdown); err != nil {
			return err
		}
		if err := <-errs; !errors.Is(err, http.ErrServerClosed) {
			return err
		}
		return nil
	}
}

// printDevGuide prints tokens of the embedded issuer and curl commands
// that show each route's answers.
func printDevGuide(out io.Writer, base string, dev *authtest.Issuer, s Settings) {
	authorizedParties := s.Auth.AuthorizedParties
	day := 24 * time.Hour
	token := func() *authtest.TokenBuilder {
		b := dev.Token().ExpiresIn(day)
		if len(authorizedParties) > 0 {
			b.Claim("azp", authorizedParties[0])
		}
		return b
	}
	noScope := token().String()
	reader := token().Scope("read:messages").String()
	// Auth0 RBAC: the permission is listed in "permissions".
	admin := token().Scope("read:messages").Permissions("org:admin:example").String()
	// Clerk session token, version 2: the active organization's permissions
	// are packed in "o" against the organization features of "fea".
	clerkAdmin := token().Claim("sid", "sess_dev").Claim("v", 2).Claim("fea", "o:admin").
		Claim("o", map[string]any{"id": "org_dev", "slg": "example", "rol": "admin", "per": "example", "fpm": "1"}).String()
	// Step-up: the first accepted authentication class, authenticated now.
	stepUp := token().Scope("read:messages").Claim("auth_time", time.Now().Unix())
	if len(s.StepUp.ACR) > 0 {
		stepUp.Claim("acr", s.StepUp.ACR[0])
	}
	fmt.Fprintf(out, `scopegate example listening on %[1]s (dev mode: embedded issuer at %[2]s)

Tokens valid for 24 hours (paste into your shell): a user without scope, a
reader, an organization admin by Auth0 permissions and by Clerk organization,
and a reader who has just passed multi-factor authentication:
  export NO_SCOPE_TOKEN=%[3]s
  export READER_TOKEN=%[4]s
  export ADMIN_TOKEN=%[5]s
  export CLERK_ADMIN_TOKEN=%[6]s
  export STEP_UP_TOKEN=%[7]s

Try:
  curl -i %[1]s/api/public                                                     # 200
  curl -i %[1]s/api/private                                                    # 401
  curl -i -H "Authorization: Bearer $NO_SCOPE_TOKEN" %[1]s/api/private         # 200
  curl -i -H "Authorization: Bearer $NO_SCOPE_TOKEN" %[1]s/api/private-scoped  # 403
  curl -i -H "Authorization: Bearer $READER_TOKEN" %[1]s/api/private-scoped    # 200
  curl -i -H "Authorization: Bearer $READER_TOKEN" %[1]s/api/org-admin         # 403
  curl -i -H "Authorization: Bearer $ADMIN_TOKEN" %[1]s/api/org-admin          # 200
  curl -i -H "Authorization: Bearer $CLERK_ADMIN_TOKEN" %[1]s/api/org-admin    # 200
  curl -i -H "Authorization: Bearer not-a-token" %[1]s/api/private             # 401
  curl -i %[1]s/api/me                                                         # 200, signed out
  curl -i -H "Authorization: Bearer $READER_TOKEN" %[1]s/api/me                # 200, signed in
  curl -i -H "Authorization: Bearer $CLERK_ADMIN_TOKEN" %[1]s/api/me           # 200, with the organization
  curl -i -H "Authorization: Bearer $READER_TOKEN" %[1]s/api/step-up           # 401, insufficient_user_authentication
  curl -i -H "Authorization: Bearer $STEP_UP_TOKEN" %[1]s/api/step-up          # 200 for %[8]s, then 401
  curl -i %[1]s/.well-known/oauth-protected-resource                           # 200, where to get a token

Stop with Ctrl-C.
`, base, dev.URL(), noScope, reader, admin, clerkAdmin, stepUp.String(), s.StepUp.MaxAge)
}
