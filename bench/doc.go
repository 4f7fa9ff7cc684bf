// Package bench measures scopegate against the raw crypto floor and its Go
// peers. It is a module of its own so that the peers stay out of the
// library's dependencies; see run.sh and ../BENCHMARKS.md.
package bench
