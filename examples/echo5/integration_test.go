//go:build integration

package main

import (
	"testing"

	"github.com/scopegate/scopegate/examples/internal/apptest"
)

// TestIntegrationOIDCProvider runs this example against a real OpenID
// provider; see apptest.IntegrationOIDCProvider.
func TestIntegrationOIDCProvider(t *testing.T) { apptest.IntegrationOIDCProvider(t, newServer) }
