#!/usr/bin/env bash
# Throughput of the runnable example itself (examples/public-private-scoped,
# dev mode: its embedded issuer, remote keys by discovery on loopback), with
# wrk on GET /api/private-scoped and the READER_TOKEN the example prints.
# Writes results/wrk-example.txt; run.sh calls it, or run it alone:
#
#   bench/wrk-example.sh          # WRK_ARGS (-t2 -c32 -d10s), ROUNDS (3), PORT (18090)
set -euo pipefail
cd "$(dirname "$0")"
WRK_ARGS=${WRK_ARGS:--t2 -c32 -d10s}
ROUNDS=${ROUNDS:-3}
PORT=${PORT:-18090}
OUT=results
mkdir -p "$OUT"
command -v wrk >/dev/null || { echo "wrk not found: apt-get install -y wrk" >&2; exit 1; }

(cd .. && go build -o "bench/$OUT/example" ./examples/public-private-scoped)
PORT=$PORT "$OUT/example" >"$OUT/example.log" 2>&1 &
pid=$!
trap 'kill $pid 2>/dev/null || true' EXIT
for _ in $(seq 100); do
	grep -q 'export READER_TOKEN=' "$OUT/example.log" && break
	kill -0 "$pid" 2>/dev/null || { cat "$OUT/example.log"; exit 1; }
	sleep 0.2
done
token=$(sed -n 's/^ *export READER_TOKEN=//p' "$OUT/example.log")
[ -n "$token" ] || { echo "the example printed no READER_TOKEN" >&2; cat "$OUT/example.log"; exit 1; }
printf '%s\n' "$token" >"$OUT/example-token.txt"
url="http://127.0.0.1:$PORT/api/private-scoped"
curl -fsS -o /dev/null -H "Authorization: Bearer $token" "$url"

: >"$OUT/wrk-example.txt"
for round in $(seq "$ROUNDS"); do
	echo "### round=$round url=$url" >>"$OUT/wrk-example.txt"
	wrk -t1 -c4 -d2s -s wrk/repeated.lua "$url" -- "$OUT/example-token.txt" >/dev/null
	# shellcheck disable=SC2086
	wrk $WRK_ARGS --latency -s wrk/repeated.lua "$url" -- "$OUT/example-token.txt" >>"$OUT/wrk-example.txt" 2>&1
done
grep -E '^###|Requests/sec|^ +(50|99)%|Non-2xx' "$OUT/wrk-example.txt" >&2
