package bearer

import (
	"unsafe"

	"github.com/scopegate/scopegate/internal/memsize"
	"github.com/scopegate/scopegate/scopes"
)

// Sizes the estimate of a derivation's memory is built from.
const (
	sizeofDerivation   = int(unsafe.Sizeof(derivation{}))
	sizeofSession      = int(unsafe.Sizeof(session{}))
	sizeofOrganization = int(unsafe.Sizeof(scopes.Organization{}))
	sizeofFloat        = int(unsafe.Sizeof(float64(0)))
)

// retainedBytes estimates the memory a derivation holds beyond its token:
// the derivation, its session and the strings and lists decoded from the
// claims. The verified-token cache counts it against its byte bound while
// it keeps the derivation beside the token. Strings shared with the token
// (the subject) are not counted.
func (d *derivation) retainedBytes() int {
	n := memsize.Alloc(sizeofDerivation)
	s := d.auth.session
	if s == nil {
		return n
	}
	n += memsize.Alloc(sizeofSession) + memsize.Strings(d.auth.SessionID, d.auth.SessionStatus) + memsize.Alloc(cap(s.actor))
	g := &s.grants
	n += memsize.List(g.Scopes) + memsize.List(g.Permissions) + memsize.List(g.Features) + memsize.List(g.Plans)
	n += memsize.Alloc(cap(g.FactorVerificationAge) * sizeofFloat)
	if org := g.Organization; org != nil {
		n += memsize.Alloc(sizeofOrganization) + memsize.Strings(org.ID, org.Slug, org.Role) + memsize.List(org.Permissions)
	}
	return n
}
