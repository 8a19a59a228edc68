# shellcheck shell=bash
# Start-up shared by the load scripts (bench/http_load.sh, bench/status_load.sh).
# Source it; it needs BIN (where to build the service) and defines:
#
#   bench_start [serve flags...]
#       build the service into $BIN, create an admin API key in a new
#       temporary database and start the service on 127.0.0.1 (loopback only)
#       with the given extra flags; wait until it answers. Sets tmp, pid,
#       addr, base and key; the server, $tmp and $BIN are removed on exit.
#   bench_seed SYSTEMS DEPS SYSTEM_FIELDS
#       create SYSTEMS systems × DEPS dependencies through the JSON API, four
#       at a time; SYSTEM_FIELDS is extra JSON for each system, with %d for
#       its number. The first dependency of every tenth system goes red, of
#       the next one yellow.
#   api CURL_ARGS...
#       curl with the API key and a JSON content type.

command -v wrk >/dev/null || { echo "wrk not found: apt-get install -y wrk" >&2; exit 1; }
command -v curl >/dev/null || { echo "curl not found" >&2; exit 1; }

root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
tmp=$(mktemp -d /tmp/si-bench.XXXXXX)
pid=""
bench_cleanup() {
	if [[ -n $pid ]] && kill -0 "$pid" 2>/dev/null; then
		kill "$pid" 2>/dev/null || true
		for _ in $(seq 50); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
		kill -9 "$pid" 2>/dev/null || true
	fi
	rm -rf "$tmp" "$BIN"
}
trap bench_cleanup EXIT INT TERM

api() { curl -fsS --max-time 10 -H "X-API-Key: $key" -H 'Content-Type: application/json' "$@"; }

bench_start() {
	echo "== build"
	(cd "$root" && go build -o "$BIN" .)
	local db=$tmp/bench.db
	# The key also creates and migrates the database.
	key=$("$BIN" apikey create -db "$db" -name bench -scopes admin 2>/dev/null)

	echo "== start"
	"$BIN" serve -addr 127.0.0.1:0 -db "$db" -log-level info "$@" 2>"$tmp/server.log" &
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
	echo "listening on $addr (pid $pid), GOGC=${GOGC:-unset (the binary defaults to 400)}"
}

bench_seed() {
	local systems=$1
	echo "== seed $systems systems × $2 dependencies through the API"
	export base key
	export BENCH_DEPS=$2 BENCH_FIELDS=$3
	export -f api bench_seed_one
	local start
	start=$(date +%s%N)
	seq "$systems" | xargs -P 4 -I{} bash -c 'bench_seed_one {}'
	echo "seeded in $((($(date +%s%N) - start) / 1000000)) ms"
}

bench_seed_one() {
	local i=$1 sid did st fields
	# shellcheck disable=SC2059 # the format is ours
	fields=$(printf "$BENCH_FIELDS" "$i")
	sid=$(api -d "{\"name\":\"system-$i\"$fields}" "$base/api/systems" | sed -n 's/^{"id":\([0-9]*\).*/\1/p')
	for j in $(seq "$BENCH_DEPS"); do
		did=$(api -d "{\"name\":\"dependency-$j\"}" "$base/api/systems/$sid/dependencies" | sed -n 's/^{"id":\([0-9]*\).*/\1/p')
		if [[ $j == 1 ]]; then
			case $((i % 10)) in 0) st=red ;; 1) st=yellow ;; *) st=green ;; esac
			api -o /dev/null -d "{\"status\":\"$st\",\"message\":\"seed\"}" "$base/api/dependencies/$did/status"
		fi
	done
}
