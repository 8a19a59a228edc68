#!/usr/bin/env bash
# HTTP load baseline (docs/PERFORMANCE.md): builds the service, starts it on
# 127.0.0.1 with a temporary database, seeds SYSTEMS systems × DEPS
# dependencies through the JSON API, then runs wrk against /api/systems and /
# (the dashboard). Loopback only; every step is bounded; the server and the
# temporary files are removed on exit.
#
#   bench/http_load.sh                      # 1,000 × 5, wrk -t2 -c64 -d10s
#   SYSTEMS=100 DURATION=5s bench/http_load.sh
set -euo pipefail

SYSTEMS=${SYSTEMS:-1000}
DEPS=${DEPS:-5}
DURATION=${DURATION:-10s}
THREADS=${THREADS:-2}
CONNS=${CONNS:-64}
BIN=${BIN:-/tmp/si-bench}

command -v wrk >/dev/null || { echo "wrk not found: apt-get install -y wrk" >&2; exit 1; }
command -v curl >/dev/null || { echo "curl not found" >&2; exit 1; }

root=$(cd "$(dirname "$0")/.." && pwd)
tmp=$(mktemp -d /tmp/si-bench.XXXXXX)
pid=""
cleanup() {
	if [[ -n $pid ]] && kill -0 "$pid" 2>/dev/null; then
		kill "$pid" 2>/dev/null || true
		for _ in $(seq 50); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
		kill -9 "$pid" 2>/dev/null || true
	fi
	rm -rf "$tmp" "$BIN"
}
trap cleanup EXIT INT TERM

echo "== build"
(cd "$root" && go build -o "$BIN" .)

db=$tmp/bench.db
# An admin API key for seeding and reading (it also creates and migrates the database).
key=$("$BIN" apikey create -db "$db" -name bench -scopes admin 2>/dev/null)

echo "== start"
"$BIN" serve -addr 127.0.0.1:0 -db "$db" -log-level info 2>"$tmp/server.log" &
pid=$!
addr=""
for _ in $(seq 100); do
	addr=$(sed -n 's/.*msg=listening addr=\([0-9.:]*\).*/\1/p' "$tmp/server.log" | head -1)
	[[ -n $addr ]] && break
	kill -0 "$pid" 2>/dev/null || { cat "$tmp/server.log" >&2; exit 1; }
	sleep 0.1
done
[[ -n $addr ]] || { echo "server did not start" >&2; cat "$tmp/server.log" >&2; exit 1; }
base=http://$addr
curl -fsS --max-time 5 "$base/healthz" >/dev/null
echo "listening on $addr (pid $pid)"

echo "== seed $SYSTEMS systems × $DEPS dependencies through the API"
export base key DEPS
seed_one() {
	local i=$1 sid did st
	sid=$(curl -fsS --max-time 10 -H "X-API-Key: $key" -H 'Content-Type: application/json' \
		-d "{\"name\":\"system-$i\",\"description\":\"Benchmark system\"}" "$base/api/systems" |
		sed -n 's/^{"id":\([0-9]*\).*/\1/p')
	for j in $(seq "$DEPS"); do
		did=$(curl -fsS --max-time 10 -H "X-API-Key: $key" -H 'Content-Type: application/json' \
			-d "{\"name\":\"dependency-$j\"}" "$base/api/systems/$sid/dependencies" |
			sed -n 's/^{"id":\([0-9]*\).*/\1/p')
		if [[ $j == 1 ]]; then
			# One logged change per system: 10 % red, 10 % yellow, the rest green.
			case $((i % 10)) in 0) st=red ;; 1) st=yellow ;; *) st=green ;; esac
			curl -fsS --max-time 10 -o /dev/null -H "X-API-Key: $key" -H 'Content-Type: application/json' \
				-d "{\"status\":\"$st\",\"message\":\"seed\"}" "$base/api/dependencies/$did/status"
		fi
	done
}
export -f seed_one
start=$(date +%s%N)
seq "$SYSTEMS" | xargs -P 4 -I{} bash -c 'seed_one {}'
n=$(curl -fsS --max-time 30 -H "X-API-Key: $key" "$base/api/systems" | grep -o '"id":' | wc -l)
echo "seeded $n systems in $(( ($(date +%s%N) - start) / 1000000 )) ms"
[[ $n == "$SYSTEMS" ]] || { echo "expected $SYSTEMS systems, got $n" >&2; exit 1; }
printf 'response sizes: /api/systems %s bytes, / %s bytes\n' \
	"$(curl -fsS -H "X-API-Key: $key" "$base/api/systems" | wc -c)" \
	"$(curl -fsS -H "X-API-Key: $key" "$base/" | wc -c)"

# CPU accounting (USER_HZ ticks): the whole machine, and the server process.
busy() { awk '/^cpu / {print $2 + $3 + $4 + $7 + $8 + $9}' /proc/stat; }
kids_cpu() { awk '{print $16 + $17}' "/proc/$$/stat"; } # finished children of this script (wrk)
srv_cpu() { awk '{s = $0; sub(/.*\) /, "", s); split(s, f, " "); print f[12] + f[13]}' "/proc/$pid/stat"; }
for path in /api/systems /; do
	echo
	echo "== wrk -t$THREADS -c$CONNS -d$DURATION --latency $base$path"
	b0=$(busy) c0=$(srv_cpu) k0=$(kids_cpu) w0=$(date +%s%N)
	wrk -t"$THREADS" -c"$CONNS" -d"$DURATION" --latency --timeout 10s -H "X-API-Key: $key" "$base$path"
	b1=$(busy) c1=$(srv_cpu) k1=$(kids_cpu) w1=$(date +%s%N)
	secs=$(((w1 - w0) / 10000000)) # centiseconds
	echo "cpu (centiseconds): server $((c1 - c0)), wrk $((k1 - k0)), other processes $((b1 - b0 - (c1 - c0) - (k1 - k0))), of $(($(nproc) * secs)) available"
done
echo
echo "== server RSS after load: $(awk '/VmRSS/ {print $2, $3}' "/proc/$pid/status")"
