#!/usr/bin/env bash
# Runs the Go benchmarks behind docs/PERFORMANCE.md in ROUNDS rounds. Each
# round runs every case once, so the two pool layouts alternate in time and a
# noisy neighbour (CPU steal on a shared VM) hurts both alike. Raw output
# goes to OUT (benchstat-compatible); the median of every metric is printed.
#
#   bench/go_bench.sh                 # 5 rounds, ~7 minutes on 2 cores
#   ROUNDS=3 bench/go_bench.sh
set -euo pipefail

ROUNDS=${ROUNDS:-5}
OUT=${OUT:-/tmp/si-go-bench.txt}
root=$(cd "$(dirname "$0")/.." && pwd)
tmp=$(mktemp -d /tmp/si-go-bench.XXXXXX)
trap 'rm -rf "$tmp"' EXIT INT TERM

cd "$root"
go test -c -o "$tmp/sqlite.test" ./internal/infrastructure/sqlite
go test -c -o "$tmp/application.test" ./internal/application
go test -c -o "$tmp/httpserver.test" ./internal/interfaces/httpserver

# Busy CPU ticks of the whole machine, and CPU ticks of this script's
# finished children (the benchmark binaries): their difference is what other
# tenants of the VM used meanwhile. /proc counts in USER_HZ (100/s).
busy() { awk '/^cpu / {print $2 + $3 + $4 + $7 + $8 + $9}' /proc/stat; }
mine() { awk '{print $16 + $17}' "/proc/$$/stat"; }
steal() { awk '/^cpu / {print $9}' /proc/stat; }
: >"$OUT"
{
	echo "# $(date -u +%FT%TZ) nproc=$(nproc) $(go version) cpu=$(sed -n 's/^model name\s*: //p' /proc/cpuinfo | head -1)"
} | tee -a "$OUT"
s0=$(steal)
t0=$(date +%s)
for r in $(seq "$ROUNDS"); do
	echo "# round $r/$ROUNDS" | tee -a "$OUT"
	b0=$(busy) m0=$(mine) w0=$(date +%s)
	"$tmp/sqlite.test" -test.run '^$' -test.bench '^BenchmarkPool' -test.benchmem -test.cpu 2,8 -test.benchtime 2s |
		grep '^Benchmark' | tee -a "$OUT"
	"$tmp/application.test" -test.run '^$' -test.bench '^BenchmarkSetDependencyStatus' -test.benchmem |
		grep '^Benchmark' | tee -a "$OUT"
	"$tmp/httpserver.test" -test.run '^$' -test.bench '^BenchmarkReadPages' -test.benchmem |
		grep '^Benchmark' | tee -a "$OUT"
	b1=$(busy) m1=$(mine) w1=$(date +%s)
	echo "# round $r: other processes used $(((b1 - b0 - (m1 - m0)) / 100)) CPU-s of $(($(nproc) * (w1 - w0))) available in $((w1 - w0)) s" | tee -a "$OUT"
done
# The log-growth case is deterministic enough to run once (it bulk-fills 1M rows).
"$tmp/sqlite.test" -test.run '^$' -test.bench '^BenchmarkLastChanges' -test.benchmem | grep '^Benchmark' | tee -a "$OUT"
s1=$(steal)
t1=$(date +%s)
# /proc/stat counts in USER_HZ (100/s) summed over CPUs.
echo "# CPU steal (hypervisor) during the run: $(((s1 - s0) / 100)) s over $((t1 - t0)) s wall on $(nproc) CPUs" | tee -a "$OUT"

echo
echo "== medians over $ROUNDS rounds (raw output: $OUT)"
# name unit value -> median per (name, unit), printed in first-seen order.
grep '^Benchmark' "$OUT" | awk '{
	if (!($1 in seen)) { seen[$1] = ++n; names[n] = $1 }
	for (i = 3; i + 1 <= NF; i += 2) print seen[$1], $1, $(i + 1), $i
}' | sort -k1,1n -k3,3 -k4,4g | awk '
	function flush() { if (cnt) { out = out sprintf("  %s %s", vals[int((cnt + 1) / 2)], unit) } cnt = 0 }
	{
		if ($2 != name || $3 != unit) { flush() }
		if ($2 != name) { if (name != "") print name out; name = $2; out = "" }
		unit = $3; vals[++cnt] = $4
	}
	END { flush(); print name out }'
