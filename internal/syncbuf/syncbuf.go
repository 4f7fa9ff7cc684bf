// Package syncbuf is the buffer tests capture logs in when the logger writes
// from goroutines of its own: a key fetch in the background, a server's
// handlers, a child process's stderr. A bytes.Buffer read by the test while
// such a goroutine writes is a data race that go test -race reports.
//
// It imports nothing of this module, so that any package's internal tests
// can use it without an import cycle.
package syncbuf

import (
	"bytes"
	"sync"
)

// Buffer is a bytes.Buffer that one mutex guards, so that writers and
// readers may run in different goroutines. The zero value is an empty buffer
// ready to use; a Buffer must not be copied after first use.
type Buffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

// Write appends p to the buffer, as one piece even when other goroutines
// write at the same time. The error is always nil.
func (b *Buffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.Write(p)
}

// String returns a copy of everything written so far.
func (b *Buffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.String()
}
