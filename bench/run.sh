#!/usr/bin/env bash
# Runs the whole benchmark suite and writes everything to bench/results/
# (git-ignored): the machine, the raw `go test -bench` output, its benchstat
# summary, the memory-bound table, CPU and allocation profiles of the
# interesting rows, and wrk throughput against cmd/serve and against the
# example itself (wrk-example.sh) on loopback.
#
#   bench/run.sh                      # the full suite, about 20 minutes on a quiet machine
#   PASSES=1 COUNT=6 bench/run.sh     # one invocation with -count=6 instead
#   PASSES=1 BENCH=Verify bench/run.sh
#   SKIP_WRK=1 bench/run.sh           # no load generator
#
# Each pass is ONE `go test -bench . -benchmem -count=$COUNT` process: the
# RSA floor is measured in that process before any row, so every row's
# x-floor divides by a floor taken on the same machine at the same time. By
# default the suite makes 6 passes of -count=1 and benchstat takes the
# median over them: -count=6 runs each benchmark's six samples back to back,
# so a minute of load from other work on a shared machine lands on all six
# samples of the same rows, while six passes spread it over every row.
#
# Environment: PASSES (6), COUNT (1), BENCH (.), BENCHTIME (go test's
# default, 1s), WRK_ARGS (-t2 -c32 -d10s), WRK_ROUNDS (3), PORT (18081, and
# the three after it), QUIET_BUSY (15: the % of the machine other work may use
# before a pass starts), WAIT_QUIET (600 s at most per wait), FLOOR_TOLERANCE
# (0.15: samples whose adjacent floor is that much over the median floor are
# left out of results/benchstat.txt; results/benchstat-all.txt keeps them).
set -euo pipefail
cd "$(dirname "$0")"

PASSES=${PASSES:-6}
COUNT=${COUNT:-1}
BENCH=${BENCH:-.}
BENCHTIME=${BENCHTIME:-}
WRK_ARGS=${WRK_ARGS:--t2 -c32 -d10s}
WRK_ROUNDS=${WRK_ROUNDS:-3}
PORT=${PORT:-18081}
OUT=results
mkdir -p "$OUT"

log() { printf '== %s\n' "$*" >&2; }

# ---- the machine ----
{
	echo "date: $(date -u +%Y-%m-%dT%H:%M:%SZ)"
	echo "nproc: $(nproc)"
	echo "cpu: $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2- | sed 's/^ *//')"
	echo "go: $(go version)"
	echo "commit: $(git -C .. rev-parse --short HEAD 2>/dev/null || echo unknown)$(git -C .. diff --quiet 2>/dev/null || echo ' (dirty)')"
	echo "load before: $(cut -d' ' -f1-3 /proc/loadavg)"
} >"$OUT/machine.txt"
cat "$OUT/machine.txt" >&2

# Other work on the machine skews timings: sample the load every 10 s, with
# the three busiest processes, so that noisy stretches can be told apart.
PIDS=()
cleanup() { for p in "${PIDS[@]}"; do kill "$p" 2>/dev/null || true; done; }
trap cleanup EXIT
(
	while :; do
		echo "$(date +%T) load $(cut -d' ' -f1-3 /proc/loadavg) | $(top -bn1 -o %CPU | sed -n '8,10p' | awk '{printf "%s %s%%; ", $12, $9}')"
		sleep 10
	done
) >"$OUT/load.txt" &
PIDS+=($!)

# busy prints the CPU share (0-100, of all CPUs) used over 3 seconds.
busy() {
	local a b
	read -r -a a < <(grep '^cpu ' /proc/stat)
	sleep 3
	read -r -a b < <(grep '^cpu ' /proc/stat)
	local idle=$(((b[4] + b[5]) - (a[4] + a[5]))) total=0 i
	for i in 1 2 3 4 5 6 7 8; do total=$((total + b[i] - a[i])); done
	echo $((100 - 100 * idle / (total > 0 ? total : 1)))
}

# wait_quiet waits (at most WAIT_QUIET seconds, default 600) until other
# work uses under QUIET_BUSY percent (default 15) of the machine.
wait_quiet() {
	local waited=0 b
	while b=$(busy) && [ "$b" -ge "${QUIET_BUSY:-15}" ]; do
		if [ "$waited" -ge "${WAIT_QUIET:-600}" ]; then
			log "machine still ${b}% busy after ${waited}s: going on"
			echo "# went on while the machine was ${b}% busy" >>"$OUT/bench.txt"
			return
		fi
		[ "$waited" -eq 0 ] && log "machine ${b}% busy with other work: waiting"
		sleep 7
		waited=$((waited + 10))
	done
	[ "$waited" -gt 0 ] && log "quiet after ${waited}s"
	return 0
}

# ---- benchstat ----
BENCHSTAT=$(command -v benchstat || true)
if [ -z "$BENCHSTAT" ]; then
	BENCHSTAT="$(go env GOPATH)/bin/benchstat"
	if [ ! -x "$BENCHSTAT" ]; then
		log "installing benchstat"
		go install golang.org/x/perf/cmd/benchstat@latest
	fi
fi

# ---- micro-benchmarks: every row in one process ----
log "go vet"
go vet ./...
bench_args=(-run '^$' -bench "$BENCH" -benchmem -count="$COUNT" -timeout 120m)
if [ -n "$BENCHTIME" ]; then bench_args+=(-benchtime="$BENCHTIME"); fi
: >"$OUT/bench.txt"
for pass in $(seq "$PASSES"); do
	wait_quiet
	log "pass $pass/$PASSES: go test ${bench_args[*]} . (one process; the floor is measured in it)"
	echo "# pass $pass $(date +%T) load $(cut -d' ' -f1-3 /proc/loadavg)" >>"$OUT/bench.txt"
	go test "${bench_args[@]}" . | tee -a "$OUT/bench.txt"
done
"$BENCHSTAT" "$OUT/bench.txt" >"$OUT/benchstat-all.txt"
# Samples whose adjacent floor ran over 15% slower than the median floor
# were taken while other work loaded the machine: drop them.
go run ./cmd/benchfilter -tolerance "${FLOOR_TOLERANCE:-0.15}" <"$OUT/bench.txt" >"$OUT/bench-quiet.txt"
"$BENCHSTAT" "$OUT/bench-quiet.txt" >"$OUT/benchstat.txt"
grep '^# benchfilter' "$OUT/bench-quiet.txt" | tail -1 >&2
log "benchstat summary in $OUT/benchstat.txt (all samples: $OUT/benchstat-all.txt)"
echo "load after benchmarks: $(cut -d' ' -f1-3 /proc/loadavg)" >>"$OUT/machine.txt"

# ---- memory under a flood of distinct tokens ----
wait_quiet
log "memory bound"
go test -run '^TestMemoryBound$' -count=1 -v . >"$OUT/memory.txt" 2>&1 || { cat "$OUT/memory.txt"; exit 1; }
go test -run '^TestIntrospectionFloodBound$' -count=1 -v . >"$OUT/introspection-flood.txt" 2>&1 || { cat "$OUT/introspection-flood.txt"; exit 1; }
go test -run '^TestDPoPInterleaved$' -count=1 -v . >"$OUT/dpop-interleaved.txt" 2>&1 || { cat "$OUT/dpop-interleaved.txt"; exit 1; }

# ---- profiles ----
wait_quiet
log "profiles"
go test -c -o "$OUT/bench.test" .
profile() { # name, benchmark regexp
	# Two runs: recording every allocation (memprofilerate 1) would swamp
	# the CPU profile with stack unwinding.
	"$OUT/bench.test" -test.run '^$' -test.bench "$2" -test.benchtime 3s \
		-test.cpuprofile "$OUT/cpu-$1.prof" >"$OUT/profile-$1.bench.txt"
	"$OUT/bench.test" -test.run '^$' -test.bench "$2" -test.benchtime 1s \
		-test.memprofile "$OUT/mem-$1.prof" -test.memprofilerate 1 >/dev/null
	go tool pprof -top -nodecount 35 "$OUT/bench.test" "$OUT/cpu-$1.prof" >"$OUT/pprof-cpu-$1.txt" 2>/dev/null
	go tool pprof -top -cum -nodecount 35 "$OUT/bench.test" "$OUT/cpu-$1.prof" >"$OUT/pprof-cpu-cum-$1.txt" 2>/dev/null
	go tool pprof -top -sample_index=alloc_space -nodecount 25 "$OUT/bench.test" "$OUT/mem-$1.prof" >"$OUT/pprof-alloc-$1.txt" 2>/dev/null
	go tool pprof -top -sample_index=alloc_objects -nodecount 25 "$OUT/bench.test" "$OUT/mem-$1.prof" >"$OUT/pprof-allocs-$1.txt" 2>/dev/null
}
profile verify-first-sight '^BenchmarkVerify$/^ours$/^first-sight$/^cache-off$'
profile request-first-sight '^BenchmarkRequest$/^ours$/^first-sight$'
profile request-repeated '^BenchmarkRequest$/^ours$/^repeated$'
profile claims-200 '^BenchmarkClaimCount$/^200-claims$/^ours-first-sight$'

# ---- throughput on loopback ----
if [ -n "${SKIP_WRK:-}" ]; then
	log "SKIP_WRK set: no throughput runs"
	exit 0
fi
if ! command -v wrk >/dev/null; then
	log "wrk not found: install it with apt-get install -y wrk (hey, go install github.com/rakyll/hey@latest, is the fallback)"
	if ! command -v hey >/dev/null && [ ! -x "$(go env GOPATH)/bin/hey" ]; then
		exit 1
	fi
fi
go build -o "$OUT/serve" ./cmd/serve
"$OUT/serve" -port "$PORT" -count 1000 -tokens "$OUT/tokens.txt" >"$OUT/serve.log" 2>&1 &
SERVE_PID=$!
PIDS+=("$SERVE_PID")
for _ in $(seq 100); do
	grep -q '^ready' "$OUT/serve.log" && break
	kill -0 "$SERVE_PID" 2>/dev/null || { cat "$OUT/serve.log"; exit 1; }
	sleep 0.2
done
grep -q '^ready' "$OUT/serve.log" || { log "serve did not start"; exit 1; }

names=("scopegate-cache-on" "scopegate-cache-off" "echo-jwt" "go-jwt-middleware-v2")
: >"$OUT/wrk.txt"
# Rounds interleave the stacks, so that load from other work does not fall
# on one of them only; the summary takes each cell's median.
for round in $(seq "$WRK_ROUNDS"); do
	wait_quiet
	for mode in repeated distinct; do
		for i in 0 1 2 3; do
			url="http://127.0.0.1:$((PORT + i))/api/private-scoped"
			log "wrk round $round $mode ${names[$i]}"
			{
				echo "### round=$round mode=$mode stack=${names[$i]} url=$url load=$(cut -d' ' -f1 /proc/loadavg)"
				if command -v wrk >/dev/null; then
					# A 2-second warm-up, then the measured run.
					wrk -t1 -c4 -d2s -s "wrk/$mode.lua" "$url" -- "$OUT/tokens.txt" >/dev/null
					# shellcheck disable=SC2086
					wrk $WRK_ARGS --latency -s "wrk/$mode.lua" "$url" -- "$OUT/tokens.txt"
				elif [ "$mode" = repeated ]; then
					HEY=$(command -v hey || echo "$(go env GOPATH)/bin/hey")
					"$HEY" -z 10s -c 32 -H "Authorization: Bearer $(head -1 "$OUT/tokens.txt")" "$url"
				else
					echo "(hey sends one header: no distinct-token run)"
				fi
			} >>"$OUT/wrk.txt" 2>&1
		done
	done
done
# Median requests/s and p50/p99 latency of each stack and mode.
awk '
	function toms(v) { if (v ~ /us$/) return v / 1000; if (v ~ /ms$/) return v + 0; if (v ~ /s$/) return v * 1000; return v }
	function median(list,   a, n, i, j, t) {
		n = split(list, a, " ")
		for (i = 1; i <= n; i++) for (j = i + 1; j <= n; j++) if (a[j] + 0 < a[i] + 0) { t = a[i]; a[i] = a[j]; a[j] = t }
		return a[int((n + 1) / 2)]
	}
	/^### / {
		split($3, m, "="); split($4, s, "="); key = m[2] " | " s[2]
		if (!(key in seen)) { seen[key] = 1; order[++n] = key }
		next
	}
	/^Requests\/sec:/ { rps[key] = rps[key] " " $2 }
	/^ +50%/ { p50[key] = p50[key] " " toms($2) }
	/^ +99%/ { p99[key] = p99[key] " " toms($2) }
	/Non-2xx/ { bad[key] += $NF }
	END {
		print "| mode | stack | requests/s (median) | every round | p50 ms (median) | p99 ms (median) | non-2xx |"
		print "|---|---|---:|---|---:|---:|---:|"
		for (k = 1; k <= n; k++) {
			key = order[k]
			printf "| %s | %.0f | %s | %.2f | %.2f | %d |\n", key, median(rps[key]), rps[key], median(p50[key]), median(p99[key]), bad[key]
		}
	}' "$OUT/wrk.txt" >"$OUT/wrk-summary.md"
cat "$OUT/wrk-summary.md" >&2

# ---- the example itself ----
wait_quiet
log "wrk against the example (dev mode)"
kill "$SERVE_PID" 2>/dev/null || true
./wrk-example.sh
log "done: $OUT/"
