// Package memsize estimates the heap memory of values the verified-token
// cache keeps, so that its byte bound is close to what the process holds.
package memsize

import "unsafe"

// stringHeader is the size of a string header, an element of a []string.
const stringHeader = int(unsafe.Sizeof(""))

// Alloc approximates the bytes the Go allocator hands out for a request of
// n: up to 128 bytes the size classes are 16 apart; above, a class wastes up
// to an eighth of itself and about a sixteenth on average
// (runtime/sizeclasses.go). Zero costs nothing.
func Alloc(n int) int {
	switch {
	case n <= 0:
		return 0
	case n <= 128:
		return (n + 15) &^ 15
	default:
		return (n + n/16 + 15) &^ 15
	}
}

// Strings estimates the strings of s, each its own allocation.
func Strings(s ...string) int {
	n := 0
	for _, v := range s {
		n += Alloc(len(v))
	}
	return n
}

// List estimates a []string: its backing array and each string.
func List(list []string) int {
	return Alloc(cap(list)*stringHeader) + Strings(list...)
}
