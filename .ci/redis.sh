#!/usr/bin/env bash
# The tests of dpop/redisreplay, its own module, against a real redis-server:
# installed from Debian's packages when missing, started here on a port of
# its own (not the 6379 of a packaged service), without persistence, under
# the noeviction policy its package doc recommends, and shut down on exit.
# SCOPEGATE_REQUIRE_REDIS=1 makes the tests fail, not skip, should the
# address not reach them.
set -euo pipefail
cd "$(dirname "$0")/.."
export PATH="/usr/local/go/bin:$PATH"

port=6389

if ! command -v redis-server >/dev/null || ! command -v redis-cli >/dev/null; then
  echo "== installing redis-server"
  apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq redis-server >/dev/null
fi
redis-server --version

if redis-cli -p "$port" ping >/dev/null 2>&1; then
  echo "something already answers on 127.0.0.1:$port; stop it or change the port in $0"; exit 1
fi

dir=$(mktemp -d)
stop() {
  redis-cli -p "$port" shutdown nosave >/dev/null 2>&1 || true
  # Should shutdown not have been heard, end the server by its own pid.
  if [ -s "$dir/redis.pid" ]; then kill "$(cat "$dir/redis.pid")" 2>/dev/null || true; fi
  rm -rf "$dir"
}
trap stop EXIT

echo "== redis-server on 127.0.0.1:$port"
redis-server --bind 127.0.0.1 --port "$port" --save '' --appendonly no --maxmemory-policy noeviction \
  --daemonize yes --pidfile "$dir/redis.pid" --dir "$dir" --logfile "$dir/redis.log"
for _ in $(seq 100); do
  if [ "$(redis-cli -p "$port" ping 2>/dev/null)" = PONG ]; then break; fi
  sleep 0.1
done
if [ "$(redis-cli -p "$port" ping 2>/dev/null)" != PONG ]; then
  echo "redis-server did not answer PING on 127.0.0.1:$port within 10 s; its log:"
  cat "$dir/redis.log" 2>/dev/null || true
  exit 1
fi

cd dpop/redisreplay
echo "== dpop/redisreplay: go vet"
go vet ./...
echo "== dpop/redisreplay: go test -race against redis-server"
SCOPEGATE_REDIS_ADDR="127.0.0.1:$port" SCOPEGATE_REQUIRE_REDIS=1 go test -race -count=1 ./...
