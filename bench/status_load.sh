#!/usr/bin/env bash
# Public status page load (docs/PERFORMANCE.md, DESIGN §9): builds the
# service, starts it on 127.0.0.1 with a temporary database, seeds SYSTEMS
# public systems × DEPS dependencies through the JSON API (10 % red, 10 %
# yellow, one active incident, one maintenance window in progress and one
# upcoming), then runs wrk against /status and /api/v2/summary.json, each
# without and with "Accept-Encoding: gzip". The load average is printed next
# to every run: other work on the machine skews the figures. Loopback only;
# the server and the temporary files are removed on exit.
#
#   bench/status_load.sh                    # 100 × 5, wrk -t2 -c64 -d10s
#   DURATION=5s bench/status_load.sh
#   PATHS=/api/v2/summary.json ENCODINGS=gzip RUNS=3 bench/status_load.sh
#   CEILING=1 bench/status_load.sh          # each run next to bare net/http
#   DELAY_MS=5 bench/status_load.sh         # throttled: latency at ~10,000 req/s
set -euo pipefail

SYSTEMS=${SYSTEMS:-100}
DEPS=${DEPS:-5}
DURATION=${DURATION:-10s}
THREADS=${THREADS:-2}
CONNS=${CONNS:-64}
PATHS=${PATHS:-/status /api/v2/summary.json}
ENCODINGS=${ENCODINGS:-identity gzip}
RUNS=${RUNS:-1}
# CEILING=1: after each run, the same run against bench/ceiling, a bare
# net/http server sending the same recorded response.
CEILING=${CEILING:-0}
# DELAY_MS=5: each connection waits this long after a response before its
# next request (a wrk delay() script), for the latency at a given rate
# rather than at saturation: 64 connections × 5 ms ≈ 10,000 req/s at most.
DELAY_MS=${DELAY_MS:-}
BIN=${BIN:-/tmp/si-status-bench}

# shellcheck source=bench/lib.sh
. "$(dirname "$0")/lib.sh"
bench_start -page-name "Bench status"
bench_seed "$SYSTEMS" "$DEPS" ',"owner":"team-%d"'
now=$(date -u +%s)
iso() { date -u -d "@$1" +%Y-%m-%dT%H:%M:%SZ; }
api -o /dev/null -d '{"title":"Elevated errors","impact":"major","system_ids":[1,2],"message":"Looking into it"}' "$base/api/incidents"
api -o /dev/null -d "{\"title\":\"Database upgrade\",\"system_ids\":[3],\"starts_at\":\"$(iso $((now - 600)))\",\"ends_at\":\"$(iso $((now + 3600)))\"}" "$base/api/maintenances"
api -o /dev/null -d "{\"title\":\"Network work\",\"starts_at\":\"$(iso $((now + 86400)))\",\"ends_at\":\"$(iso $((now + 90000)))\"}" "$base/api/maintenances"
n=$(curl -fsS --max-time 30 "$base/api/v2/components.json" | grep -o '"group":true' | wc -l)
[[ $n == "$SYSTEMS" ]] || { echo "expected $SYSTEMS public systems, got $n" >&2; exit 1; }
printf 'response sizes: /status %s bytes (gzip %s), summary.json %s bytes (gzip %s)\n' \
	"$(curl -fsS "$base/status" | wc -c)" "$(curl -fsS -H 'Accept-Encoding: gzip' "$base/status" | wc -c)" \
	"$(curl -fsS "$base/api/v2/summary.json" | wc -c)" "$(curl -fsS -H 'Accept-Encoding: gzip' "$base/api/v2/summary.json" | wc -c)"

cpu_of() { awk '{s = $0; sub(/.*\) /, "", s); split(s, f, " "); print f[12] + f[13]}' "/proc/$1/stat"; }
# load URL ENC PID: one wrk run, with the CPU the process PID used.
load() {
	echo "load average before: $(cut -d' ' -f1-3 /proc/loadavg)"
	local c0
	c0=$(cpu_of "$3")
	wrk -t"$THREADS" -c"$CONNS" -d"$DURATION" --latency --timeout 10s "${script[@]}" -H "Accept-Encoding: $2" "$1"
	echo "server cpu: $(($(cpu_of "$3") - c0)) centiseconds; load average after: $(cut -d' ' -f1-3 /proc/loadavg)"
}
script=()
if [[ -n $DELAY_MS ]]; then
	echo "function delay() return $DELAY_MS end" >"$tmp/delay.lua"
	script=(-s "$tmp/delay.lua")
fi
if [[ $CEILING == 1 ]]; then
	(cd "$root" && go build -o "$tmp/ceiling" ./bench/ceiling)
fi
for path in $PATHS; do
	for enc in $ENCODINGS; do for _ in $(seq "$RUNS"); do
		echo
		echo "== wrk -t$THREADS -c$CONNS -d$DURATION --latency ${script[*]} -H 'Accept-Encoding: $enc' $base$path"
		load "$base$path" "$enc" "$pid"
		if [[ $CEILING == 1 ]]; then
			"$tmp/ceiling" -url "$base$path" -encoding "$enc" >"$tmp/ceiling.log" 2>&1 &
			cpid=$!
			caddr=""
			for _ in $(seq 100); do
				caddr=$(sed -n 's/^listening on \([0-9.:]*\).*/\1/p' "$tmp/ceiling.log")
				[[ -n $caddr ]] && break
				sleep 0.1
			done
			[[ -n $caddr ]] || { cat "$tmp/ceiling.log" >&2; exit 1; }
			echo
			echo "== ceiling (bare net/http, same response): $(cat "$tmp/ceiling.log")"
			load "http://$caddr$path" "$enc" "$cpid"
			kill "$cpid"
			wait "$cpid" 2>/dev/null || true
		fi
	done; done
done
echo
echo "== server RSS after load: $(awk '/VmRSS/ {print $2, $3}' "/proc/$pid/status")"
