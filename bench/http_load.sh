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

# shellcheck source=bench/lib.sh
. "$(dirname "$0")/lib.sh"
bench_start
bench_seed "$SYSTEMS" "$DEPS" ',"description":"Benchmark system"'
n=$(curl -fsS --max-time 30 -H "X-API-Key: $key" "$base/api/systems" | grep -o '"id":' | wc -l)
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
