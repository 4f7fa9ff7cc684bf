package bearer

import (
	"unsafe"

	"github.com/scopegate/scopegate/clerk"
	"github.com/scopegate/scopegate/internal/memsize"
)

// Sizes the estimate of a derivation's memory is built from.
const (
	sizeofDerivation   = int(unsafe.Sizeof(derivation{}))
	sizeofSession      = int(unsafe.Sizeof(session{}))
	sizeofClerkSession = int(unsafe.Sizeof(clerk.Session{}))
	sizeofOrganization = int(unsafe.Sizeof(clerk.Organization{}))
	sizeofFloat        = int(unsafe.Sizeof(float64(0)))
)

// retainedBytes estimates the memory a derivation holds beyond its token:
// the derivation, its session (inside it unless another layer built it),
// the Clerk session and the strings and lists decoded from the claims. The
// verified-token cache counts it against its byte bound while it keeps the
// derivation beside the token. Auth.UserID, the subject of the registered
// claims, is shared with the token and not counted. SessionID and
// SessionStatus are, though the token's reader borrows them from its
// payload unless they have escapes: erring high. The Clerk session's
// subject, decoded by package clerk, is counted.
func (d *derivation) retainedBytes() int {
	n := memsize.Alloc(sizeofDerivation)
	s := d.auth.session
	if s == nil {
		return n
	}
	if s != &d.session {
		n += memsize.Alloc(sizeofSession)
	}
	n += memsize.Strings(d.auth.SessionID, d.auth.SessionStatus) + memsize.Alloc(cap(s.actor))
	g := &s.grants
	n += memsize.List(g.Scopes) + memsize.List(g.Permissions)
	if c, ok := g.Session.(*clerk.Session); ok && c != nil {
		n += memsize.Alloc(sizeofClerkSession) + memsize.Strings(c.Subject)
		n += memsize.List(c.Features) + memsize.List(c.Plans) + memsize.Alloc(cap(c.FactorVerificationAge)*sizeofFloat)
		if org := c.Organization; org != nil {
			n += memsize.Alloc(sizeofOrganization) + memsize.Strings(org.ID, org.Slug, org.Role) + memsize.List(org.Permissions)
		}
	}
	return n
}
