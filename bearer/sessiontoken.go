package bearer

import (
	"errors"
	"fmt"
	"strings"

	"github.com/scopegate/scopegate/token"
)

// ErrNotSessionToken is the cause of the invalid_token answer for a token
// that Clerk does not count as a session token, under
// Config.SessionTokensOnly: a machine-to-machine token, an OAuth access
// token, or a token of another category such as a JWT template's.
var ErrNotSessionToken = errors.New("bearer: not a session token")

// descNotSessionToken is the error_description of such a refusal.
const descNotSessionToken = "token is not a session token"

// Clerk's token categories, in the "cat" header of the tokens it signs.
const (
	clerkSessionCategory = "cl_B7d4PD111AAA"
	// clerkIgnoreCategory is the category Clerk's session verification
	// lets through as well.
	clerkIgnoreCategory = "cl_I7d4PD111III"
	// clerkMachinePrefix starts the subject of machine-to-machine tokens.
	clerkMachinePrefix = "mch_"
)

// checkSessionToken decides, as Clerk's authenticateRequest does under its
// default acceptsToken "session_token", whether a verified token is a
// session token. It is not when its "cat" header is neither absent nor the
// session or "ignore" category, when it is typed as an OAuth access token
// ("at+jwt"), or when its subject is a machine ("mch_...").
func checkSessionToken(tok token.Token) error {
	h := tok.Header()
	switch h.Category {
	case "", clerkSessionCategory, clerkIgnoreCategory:
	default:
		return fmt.Errorf("%w: its category is not a session's", ErrNotSessionToken)
	}
	if t := strings.ToLower(h.Type); t == "at+jwt" || t == "application/at+jwt" {
		return fmt.Errorf("%w: it is an OAuth access token", ErrNotSessionToken)
	}
	if strings.HasPrefix(tok.Claims().Subject(), clerkMachinePrefix) {
		return fmt.Errorf("%w: its subject is a machine", ErrNotSessionToken)
	}
	return nil
}
