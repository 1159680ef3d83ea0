#!/usr/bin/env bash
# bench/idle.sh: the connection budget under idle connections, and the
# per-address count under connection churn.
#
# Builds blogd (Release) into build-bench/ unless BLOGD_BIN names one,
# starts a private MariaDB (scripts/with-mariadb.sh) and measures:
#   1. BENCH_IDLE_PLAIN (10000) idle keep-alive plain HTTP connections and
#      BENCH_IDLE_TLS (2000) idle TLS ones held at once (bench/idle-hold.mjs,
#      50 per address from 127.0.1.x on), while GET /healthz from another
#      address is timed every 20 ms: its latency while they open and while
#      they are held, and blogd's RSS with all of them open;
#   2. ab -n 20000 -c 60 for /healthz over plain HTTP, without keep-alive,
#      with per_ip_connections = 64: failed requests (none is the target:
#      a closed connection must free its slot before the next accept).
# Needs a hard open-file limit above 20000 for the first part (the client
# holds 12000 sockets, blogd 16000 descriptors).
set -euo pipefail
cd "$(dirname "$0")/.."
root=$(pwd)

# shellcheck source=bench/lib.sh
. bench/lib.sh
bench_enter ab node openssl curl

plain=${BENCH_IDLE_PLAIN:-10000}
tlsn=${BENCH_IDLE_TLS:-2000}
blogd=${BLOGD_BIN:-$root/build-bench/blogd}
work=$BLOGD_TEST_DB_DIR/bench-idle
mkdir -p "$work/webroot"
bench_cert "$work"
ulimit -n "$(ulimit -Hn)"

http_port=$(free_port)
https_port=$(free_port)
bench_conf "$work/idle.conf" "$work" "$http_port" "127.0.0.1:$https_port" \
	"$(printf '[server]\nmax_connections = %s\nper_ip_connections = 64\nidle_timeout = 120\n' \
		$((plain + tlsn + 100)))"
# (A second [server] section: a key set again takes the later value.)
"$blogd" migrate -c "$work/idle.conf" >/dev/null

echo "== $plain idle plain + $tlsn idle TLS connections"
bench_start_blogd "$blogd" "$work/idle.conf" "$http_port" /dev/null \
	"$work/error.log"
node bench/idle-hold.mjs "$http_port" "$https_port" "$plain" "$tlsn" \
	"$bench_blogd_pid"
bench_stop_all

echo "== ab -n 20000 -c 60, per_ip_connections = 64"
bench_start_blogd "$blogd" "$work/idle.conf" "$http_port" /dev/null \
	"$work/error.log"
ab -n 20000 -c 60 "http://127.0.0.1:$http_port/healthz" 2>&1 |
	grep -E '^(Complete|Failed|Non-2xx|Requests per second)' || true
bench_stop_all
