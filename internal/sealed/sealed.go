// Package sealed marks methods that only this module's packages can
// implement.
//
// A method that takes a [Seal] can be declared only by code that can name
// the type, and no other module can import an internal package. So an
// interface holding such a method is implemented by this module's types
// alone, even when the method is exported, which lets one package of the
// module (clerk) implement what another (scopes) keeps to its own
// requirements, without an exported marker an application could claim.
package sealed

// Seal is the parameter type of a sealed method. It carries nothing: the
// zero value is the only one, and callers pass Seal{}.
type Seal struct{}
