package main

import (
	"testing"

	"github.com/scopegate/scopegate/examples/internal/apptest"
)

// TestExample runs the suite every example passes against this one.
func TestExample(t *testing.T) { apptest.Run(t, newServer) }
