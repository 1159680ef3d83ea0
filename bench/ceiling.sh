#!/usr/bin/env bash
# bench/ceiling.sh: blogd's render path beside the least any render path
# can cost here. Builds bench/ceiling.c (a bare event-loop server: epoll,
# libmariadb's non-blocking calls on the loop's thread, the home page's
# statement, a body as large as blogd's, nothing else) and blogd
# (Release), seeds a private MariaDB as bench/http.sh does, starts blogd
# with the page cache off and the ceiling server, and runs wrk against
# `/` on each in turn, BENCH_ROUNDS times. Whatever blogd does per request
# includes what the ceiling server does, so its req/s bounds blogd's.
#
# Environment: BENCH_DURATION (8s), BENCH_CONNECTIONS (64), BENCH_THREADS
# (wrk threads, 2), BENCH_ROUNDS (3), BENCH_BLOGD_THREADS and
# BENCH_BLOGD_WORKERS (blogd's [server] threads and workers, 0),
# CEILING_THREADS (event loops, 2), CEILING_DB (database connections per
# loop, 2), CEILING_BLOCKING (set: each loop waits on its statement, on one
# connection), BLOGD_BIN.
set -euo pipefail
cd "$(dirname "$0")/.."
root=$(pwd)
# shellcheck source=bench/lib.sh
. bench/lib.sh
bench_build_client ceiling -lpthread
bench_enter wrk curl

bench_wrk_settings 8s
rounds=${BENCH_ROUNDS:-3}
blogd=${BLOGD_BIN:-$root/build-bench/blogd}
work=$BLOGD_TEST_DB_DIR/bench-ceiling
mkdir -p "$work/webroot"

port=$(free_port)
conf=$work/blogd.conf
bench_conf_http "$conf" "$port" "$work/webroot" "[server]
workers = ${BENCH_BLOGD_WORKERS:-0}
threads = ${BENCH_BLOGD_THREADS:-0}
[cache]
enabled = false"
"$blogd" migrate -c "$conf" >/dev/null
bench/seed.sh --defaults-file="$BLOGD_TEST_DB_ROOT_CNF" "$BLOGD_TEST_DB_NAME"
bench_start_blogd "$blogd" "$conf" "$port" "$work/access.log" "$work/error.log"
blogd_url=http://127.0.0.1:$port/
body=$(curl -fs "$blogd_url" | wc -c)

# blogd's statement for `/` (src/model/post.c), its placeholders as
# literals: without the body, 11 rows, from the first.
sql="SELECT p.id, p.slug, p.title, p.excerpt, u.name, p.status,
p.published_at, p.created_at, p.updated_at, p.kind, p.excerpt_html,
p.published_at > UTC_TIMESTAMP(), IF(0, p.body_html, NULL), NULL
FROM posts p FORCE INDEX (posts_status_published)
LEFT JOIN users u ON u.id = p.author_id
WHERE p.kind = 'post' AND p.status = 'published'
AND p.published_at <= UTC_TIMESTAMP()
ORDER BY p.published_at DESC, p.id DESC LIMIT 11 OFFSET 0"
cport=$(free_port)
"$root/build-bench/ceiling" "$cport" "$BLOGD_TEST_DB_SOCKET" \
	"$BLOGD_TEST_DB_NAME" "$BLOGD_TEST_DB_USER" "$BLOGD_TEST_DB_PASSWORD" \
	"${CEILING_THREADS:-2}" "${CEILING_DB:-2}" "$body" "$sql" \
	>"$work/ceiling.log" 2>&1 &
ceiling_pid=$!
bench_pids+=("$ceiling_pid")
ceiling_url=http://127.0.0.1:$cport/
for ((i = 0; i < 50; i++)); do
	curl -fs -o /dev/null "$ceiling_url" && break
	sleep 0.1
done
[ "$(curl -fs "$ceiling_url" | wc -c)" = "$body" ] || {
	echo "bench: the ceiling server does not answer $body bytes:" >&2
	cat "$work/ceiling.log" >&2
	exit 1
}

echo "bench: warming up" >&2
wrk -t"$wrk_threads" -c"$conns" -d2s "$blogd_url" >/dev/null
wrk -t"$wrk_threads" -c"$conns" -d2s "$ceiling_url" >/dev/null

db_pid=$(cat "$BLOGD_TEST_DB_DIR/server.pid")
printf '\n%-20s %10s %9s %13s %13s   (wrk -t%s -c%s -d%s on /, %s cores, %s-byte body)\n' \
	server req/s p99 "server us/req" "MariaDB us/req" "$wrk_threads" \
	"$conns" "$duration" "$(nproc)" "$body"
rm -f "$work"/rps.*
for ((r = 0; r < rounds; r++)); do
	bench_wrk blogd "$blogd_url" "$bench_blogd_pid" "$db_pid" "$work/rps.blogd"
	bench_wrk ceiling "$ceiling_url" "$ceiling_pid" "$db_pid" \
		"$work/rps.ceiling"
done
printf '\n%-20s %10s %17s   (%s rounds)\n' server median range "$rounds"
bench_median blogd "$work/rps.blogd"
bench_median ceiling "$work/rps.ceiling"
