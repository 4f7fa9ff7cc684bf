package bearer

import "context"

// ClaimsAs decodes the verified claims of the request whose context is ctx
// into a new T, the application's own claims struct:
//
//	type claims struct {
//		Tenant string `json:"tenant"`
//	}
//	c, err := bearer.ClaimsAs[claims](r.Context())
//
// It returns ErrMissingToken when the request is signed out. encoding/json
// matches field names case-insensitively; the verifier's own checks do not.
func ClaimsAs[T any](ctx context.Context) (*T, error) {
	var v T
	if err := FromContext(ctx).decodeClaims(&v); err != nil {
		return nil, err
	}
	return &v, nil
}
