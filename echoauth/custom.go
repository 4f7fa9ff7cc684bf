package echoauth

import "github.com/labstack/echo/v4"

// ClaimsAs decodes the request's verified claims into a new T, the
// application's own claims struct:
//
//	type claims struct {
//		Tenant string `json:"tenant"`
//	}
//	c, err := echoauth.ClaimsAs[claims](ctx)
//
// It returns ErrMissingToken when the request is signed out. encoding/json
// matches field names case-insensitively; the verifier's own checks do not.
func ClaimsAs[T any](c echo.Context) (*T, error) {
	var v T
	if err := GetAuth(c).DecodeClaims(&v); err != nil {
		return nil, err
	}
	return &v, nil
}
