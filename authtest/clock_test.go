package authtest_test

import (
	"sync"
	"testing"
	"time"

	"github.com/scopegate/scopegate/authtest"
)

// TestClock moves only when advanced, and safely from several goroutines.
func TestClock(t *testing.T) {
	start := time.Unix(1_900_000_000, 0)
	c := authtest.NewClock(start)
	if !c.Now().Equal(start) {
		t.Fatalf("Now = %v, want %v", c.Now(), start)
	}
	var wg sync.WaitGroup
	for range 10 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			c.Advance(time.Second)
			_ = c.Now()
		}()
	}
	wg.Wait()
	if got := c.Now().Sub(start); got != 10*time.Second {
		t.Fatalf("advanced %v, want 10s", got)
	}
}

// TestTamperSignature keeps header and claims and changes the signature.
func TestTamperSignature(t *testing.T) {
	issuer := authtest.NewIssuer(t)
	token := issuer.Token().MustSign(t)
	tampered := authtest.TamperSignature(token)
	if tampered == token || len(tampered) != len(token) {
		t.Fatal("the token was not changed in place")
	}
	cut := len(token) - 20
	if tampered[:cut] != token[:cut] {
		t.Fatal("header or claims changed")
	}
	if authtest.TamperSignature(tampered) == tampered {
		t.Fatal("tampering twice gave the same token")
	}
}
