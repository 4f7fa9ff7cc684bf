package echoauth

import (
	"unsafe"

	"github.com/scopegate/scopegate/echoauth/internal/memsize"
	"github.com/scopegate/scopegate/scopes"
)

// Sizes the estimate of an auth object's memory is built from.
const (
	sizeofAuth         = int(unsafe.Sizeof(Auth{}))
	sizeofOrganization = int(unsafe.Sizeof(scopes.Organization{}))
	sizeofFloat        = int(unsafe.Sizeof(float64(0)))
)

// retainedBytes estimates the memory an auth object holds beyond its token:
// the object itself and the strings and lists decoded from the claims. The
// verified-token cache counts it against its byte bound while it keeps the
// auth object beside the token. Strings shared with the token (the subject)
// and raw JSON that points into the payload (the actor) are not counted.
func (a *Auth) retainedBytes() int {
	n := memsize.Alloc(sizeofAuth) + memsize.Strings(a.SessionID, a.SessionStatus)
	g := &a.grants
	n += memsize.List(g.Scopes) + memsize.List(g.Permissions) + memsize.List(g.Features) + memsize.List(g.Plans)
	n += memsize.Alloc(cap(g.FactorVerificationAge) * sizeofFloat)
	if org := g.Organization; org != nil {
		n += memsize.Alloc(sizeofOrganization) + memsize.Strings(org.ID, org.Slug, org.Role) + memsize.List(org.Permissions)
	}
	return n
}
