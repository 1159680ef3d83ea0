#!/usr/bin/env bash
# bench/http.sh: throughput and tail latency of a Release blogd.
#
# Builds blogd (Release) into build-bench/, starts a private MariaDB
# (scripts/with-mariadb.sh), migrates and seeds it (bench/seed.sh), starts
# blogd on a free port, warms up, then runs wrk against the home page, a
# post page and a static file and prints req/s and p99 for each. Stops
# everything it started.
#
# Environment: BENCH_DURATION (10s), BENCH_CONNECTIONS (64), BENCH_THREADS
# (wrk threads, 2), BENCH_BLOGD_THREADS (blogd's [server] threads, 0),
# BENCH_CACHE (on; off renders every request: the render path), BENCH_ROUNDS
# (1; more runs each URL that many times in turn and prints the median and
# range), BLOGD_BIN (a blogd to measure instead of building one).
set -euo pipefail
cd "$(dirname "$0")/.."
root=$(pwd)
# shellcheck source=bench/lib.sh
. bench/lib.sh

bench_enter wrk curl

bench_wrk_settings 10s
blogd=${BLOGD_BIN:-$root/build-bench/blogd}
work=$BLOGD_TEST_DB_DIR/bench
mkdir -p "$work/webroot"

port=$(free_port)
conf=$work/blogd.conf
bench_conf_http "$conf" "$port" "$work/webroot" "[server]
threads = ${BENCH_BLOGD_THREADS:-0}
[cache]
enabled = $([ "${BENCH_CACHE:-on}" = off ] && echo false || echo true)"

"$blogd" migrate -c "$conf" >/dev/null
bench/seed.sh --defaults-file="$BLOGD_TEST_DB_ROOT_CNF" "$BLOGD_TEST_DB_NAME"
slug=$(mariadb --defaults-file="$BLOGD_TEST_DB_ROOT_CNF" -N -B \
	-e "SELECT slug FROM posts WHERE slug = 'bench-0500'" "$BLOGD_TEST_DB_NAME")

blogd_pid=""
# shellcheck disable=SC2317 # called by the EXIT trap
stop_blogd() {
	stop_pid "$blogd_pid"
	blogd_pid=""
}
trap stop_blogd EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

# The access log goes to a file: writing it to a terminal would be part of
# what we measure.
"$blogd" serve -c "$conf" >"$work/access.log" 2>"$work/error.log" &
blogd_pid=$!
base=http://127.0.0.1:$port
wait_healthz "$blogd_pid" "$base" "$work/error.log"

urls=("/" "/posts/$slug" "/static/style.css")
for u in "${urls[@]}"; do
	code=$(curl -s -o /dev/null -w '%{http_code}' "$base$u")
	[ "$code" = 200 ] || {
		echo "bench: GET $u answered $code, not 200" >&2
		exit 1
	}
done

echo "bench: warming up" >&2
for u in "${urls[@]}"; do
	wrk -t"$wrk_threads" -c"$conns" -d2s "$base$u" >/dev/null
done

# Where the time goes: CPU per request of blogd and of MariaDB (both on
# these cores, as is wrk), from /proc before and after each run.
db_pid=$(cat "$BLOGD_TEST_DB_DIR/server.pid")

# wrk prints "Requests/sec: 12345.67", "12345 requests in 10.00s" and, with
# --latency, "99% 3.21ms".
printf '\n%-20s %10s %9s %13s %13s   (wrk -t%s -c%s -d%s, %s cores, page cache %s)\n' \
	URL req/s p99 "blogd us/req" "MariaDB us/req" "$wrk_threads" "$conns" \
	"$duration" "$(nproc)" "${BENCH_CACHE:-on}"
# Rounds take the URLs in turn, so that a slow minute of this shared
# machine falls on all of them rather than on one.
rounds=${BENCH_ROUNDS:-1}
rm -f "$work"/rps.*
for ((r = 0; r < rounds; r++)); do
	for i in "${!urls[@]}"; do
		bench_wrk "${urls[$i]}" "$base${urls[$i]}" "$blogd_pid" "$db_pid" \
			"$work/rps.$i"
	done
done
if [ "$rounds" -gt 1 ]; then
	printf '\n%-20s %10s %17s   (%s rounds)\n' URL "median" "range" "$rounds"
	for i in "${!urls[@]}"; do
		bench_median "${urls[$i]}" "$work/rps.$i"
	done
fi
rss=$(ps -o rss= -p "$blogd_pid")
printf 'blogd RSS after the run: %d MiB\n' $((rss / 1024))
if [ -s "$work/error.log" ]; then
	echo "blogd logged $(wc -l <"$work/error.log") warnings or errors; the last ones:"
	tail -n 5 "$work/error.log"
fi
