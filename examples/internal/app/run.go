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
	"strings"
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

	// Dev mode listens first: its API names itself, at the port it got, as
	// the protected resource. Otherwise configuration mistakes, a mistyped
	// issuer among them, are told before the port is taken.
	var listener net.Listener
	var base string
	if dev != nil {
		if listener, base, err = listen(host, s.Port); err != nil {
			return err
		}
		defer listener.Close()
		if strings.TrimSpace(getenv("RESOURCE")) == "" {
			// Challenges point to metadata a client can fetch from this
			// server, not from the audience's host.
			s.Auth.Resource, s.Auth.ResourceScopes = base, []string{"read:messages"}
		}
	}
	handler, auth, err := server(s)
	if err != nil {
		return fmt.Errorf("configuration error:\n%s\n\n%s", inEnvironmentWords(err), Usage)
	}
	var devClient *devDPoP
	if dev != nil && devDPoPEnabled(s) {
		// Dev mode's own DPoP client, whose proofs the guide's commands
		// fetch: see DevProofPath.
		devClient, err = newDevDPoP(devToken(dev, s), auth)
		if err != nil {
			return err
		}
		handler = devClient.wrap(handler)
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
	if listener == nil {
		if listener, base, err = listen(host, s.Port); err != nil {
			return err
		}
		defer listener.Close()
	}

	switch {
	case dev != nil:
		printDevGuide(out, base, dev, s, devClient, auth.ResourceMetadataPath())
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

// listen opens the server's port on host ("" for every interface) and
// returns it with the base URL the guide prints.
func listen(host string, port int) (net.Listener, string, error) {
	listener, err := net.Listen("tcp", net.JoinHostPort(host, strconv.Itoa(port)))
	if err != nil {
		return nil, "", fmt.Errorf("listening on port %d: %w (set PORT to another port)", port, err)
	}
	// The address the server really listens on: in dev mode that is
	// 127.0.0.1, which "localhost" may resolve past (to ::1) first.
	shown := host
	if shown == "" {
		shown = "localhost"
	}
	return listener, "http://" + net.JoinHostPort(shown, strconv.Itoa(listener.Addr().(*net.TCPAddr).Port)), nil
}

// devToken starts a token of the embedded issuer as the guide prints them:
// valid for a day, with the first authorized party as "azp" when parties
// are set.
func devToken(dev *authtest.Issuer, s Settings) *authtest.TokenBuilder {
	b := dev.Token().ExpiresIn(24 * time.Hour)
	if len(s.Auth.AuthorizedParties) > 0 {
		b.Claim("azp", s.Auth.AuthorizedParties[0])
	}
	return b
}

// tryLine is a curl command of the guide and the answer its comment
// promises, in the default mode and, when it differs, with DPOP=required.
type tryLine struct {
	cmd, want, wantRequired string
}

// printTry prints lines with their comments aligned two spaces past the
// longest command.
func printTry(out io.Writer, lines []tryLine, required bool) {
	width := 0
	for _, l := range lines {
		width = max(width, len(l.cmd))
	}
	for _, l := range lines {
		want := l.want
		if required && l.wantRequired != "" {
			want = l.wantRequired
		}
		fmt.Fprintf(out, "  %-*s  # %s\n", width, l.cmd, want)
	}
}

// printDevGuide prints tokens of the embedded issuer and curl commands
// that show each route's answers; with d, DPOP_TOKEN and commands that
// fetch its proofs from DevProofPath; with a metadataPath, a command that
// fetches the protected resource metadata served there.
func printDevGuide(out io.Writer, base string, dev *authtest.Issuer, s Settings, d *devDPoP, metadataPath string) {
	token := func() *authtest.TokenBuilder { return devToken(dev, s) }
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
	// A service's own token, as Auth0 issues client-credentials tokens.
	machine := token().Subject("dev-service@clients").Claim("gty", "client-credentials").Scope("read:messages")
	if len(s.Auth.AuthorizedParties) == 0 {
		machine.Claim("azp", "dev-service")
	}
	required := s.Auth.DPoP.Mode == bearer.DPoPRequired
	fmt.Fprintf(out, "scopegate example listening on %s (dev mode: embedded issuer at %s)\n\n", base, dev.URL())
	if d == nil {
		fmt.Fprint(out, `Tokens valid for 24 hours (paste into your shell): a user without scope, a
reader, an organization admin by Auth0 permissions and by Clerk organization,
a reader who has just passed multi-factor authentication, and a service's own
client-credentials token:
`)
	} else {
		fmt.Fprint(out, `Tokens valid for 24 hours (paste into your shell): a user without scope, a
reader, an organization admin by Auth0 permissions and by Clerk organization,
a reader who has just passed multi-factor authentication, a service's own
client-credentials token, and a reader whose token is bound to a DPoP key
this process holds:
`)
	}
	type export struct{ name, value string }
	exports := []export{
		{"NO_SCOPE_TOKEN", noScope}, {"READER_TOKEN", reader}, {"ADMIN_TOKEN", admin},
		{"CLERK_ADMIN_TOKEN", clerkAdmin}, {"STEP_UP_TOKEN", stepUp.String()}, {"MACHINE_TOKEN", machine.String()},
	}
	if d != nil {
		exports = append(exports, export{"DPOP_TOKEN", d.token})
	}
	for _, e := range exports {
		fmt.Fprintf(out, "  export %s=%s\n", e.name, e.value)
	}

	fmt.Fprint(out, "\nTry:\n")
	if required {
		fmt.Fprint(out, `(DPOP=required: this API accepts only DPoP-bound tokens sent with their
proofs, so a Bearer token answers 401, and /api/me sees it signed out.)
`)
	}
	bearerCmd := func(variable, path string) string {
		return fmt.Sprintf(`curl -i -H "Authorization: Bearer %s" %s%s`, variable, base, path)
	}
	const refused = "401, DPOP=required"
	try := []tryLine{
		{"curl -i " + base + "/api/public", "200", ""},
		{"curl -i " + base + "/api/private", "401", ""},
		{bearerCmd("$NO_SCOPE_TOKEN", "/api/private"), "200", refused},
		{bearerCmd("$NO_SCOPE_TOKEN", "/api/private-scoped"), "403", refused},
		{bearerCmd("$READER_TOKEN", "/api/private-scoped"), "200", refused},
		{bearerCmd("$READER_TOKEN", "/api/org-admin"), "403", refused},
		{bearerCmd("$ADMIN_TOKEN", "/api/org-admin"), "200", refused},
		{bearerCmd("$CLERK_ADMIN_TOKEN", "/api/org-admin"), "200", refused},
		{bearerCmd("not-a-token", "/api/private"), "401", ""},
		{"curl -i " + base + "/api/me", "200, signed out", ""},
		{bearerCmd("$READER_TOKEN", "/api/me"), "200, signed in", "200, signed out: DPOP=required"},
		{bearerCmd("$CLERK_ADMIN_TOKEN", "/api/me"), "200, with the organization", "200, signed out: DPOP=required"},
		{bearerCmd("$READER_TOKEN", "/api/step-up"), "401, insufficient_user_authentication", refused},
		{bearerCmd("$STEP_UP_TOKEN", "/api/step-up"), fmt.Sprintf("200 for %s, then 401", s.StepUp.MaxAge), refused},
		{bearerCmd("$MACHINE_TOKEN", "/api/machine"), "200, the machine", refused},
		{bearerCmd("$READER_TOKEN", "/api/machine"), "401, a user's token", refused},
	}
	if metadataPath != "" {
		try = append(try, tryLine{"curl -i " + base + metadataPath, "200, where to get a token", ""})
	}
	if d != nil {
		try = append(try, tryLine{bearerCmd("$DPOP_TOKEN", "/api/private-scoped"), "401, a bound token needs its proof", ""})
	}
	printTry(out, try, required)

	if d != nil {
		fmt.Fprint(out, `
DPoP (RFC 9449): DPOP_TOKEN goes with the DPoP scheme and a proof signed by
its key, naming the request's method and URL. Proofs are single-use, so each
command fetches a fresh one from `+DevProofPath+`, an endpoint of dev mode only:
`)
		if _, on := d.api.DPoPNonce(); on {
			fmt.Fprint(out, "(DPOP_NONCE=on: the endpoint also puts a nonce of this API in each proof.)\n")
		}
		// What proofs name: the request's URL, or PUBLIC_ORIGIN's when set.
		origin := base
		if o := s.Auth.DPoP.PublicOrigin; o != "" {
			origin = strings.TrimSuffix(o, "/")
		}
		withProof := func(htuPath, targets string) string {
			return fmt.Sprintf(`curl -i -H "Authorization: DPoP $DPOP_TOKEN" -H "DPoP: $(curl -s '%s%s?htm=GET&htu=%s%s')" %s`,
				base, DevProofPath, origin, htuPath, targets)
		}
		scoped := base + "/api/private-scoped"
		printTry(out, []tryLine{
			{withProof("/api/private-scoped", scoped), "200", ""},
			{withProof("/api/private", scoped), "401, a proof for another URL", ""},
			{withProof("/api/private-scoped", scoped+" "+scoped), "200, then 401: a proof is accepted once", ""},
		}, required)
	}
	fmt.Fprint(out, "\nStop with Ctrl-C.\n")
}
