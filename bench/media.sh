#!/usr/bin/env bash
# bench/media.sh: uploads and GET /media/ of a Release blogd.
#
# Builds blogd (Release) into build-bench/ unless BLOGD_BIN names one,
# starts a private MariaDB (scripts/with-mariadb.sh) and blogd with the
# default [server] max_upload (10M), signs in as an admin with curl, then:
# uploads a 9.5 MiB file through the admin form (multipart) several times
# (the same bytes: the row is found again, and new bytes: a new row) and
# prints the median time; GETs it; and runs wrk against a 100 KiB and a
# 2 KiB file. Files are a PNG signature followed by random bytes (blogd
# checks only the signature). Stops everything it started.
#
# Environment: BENCH_DURATION (10s), BENCH_CONNECTIONS (64), BENCH_THREADS
# (wrk threads, 2), BENCH_UPLOADS (5).
set -euo pipefail
cd "$(dirname "$0")/.."
root=$(pwd)
# shellcheck source=bench/lib.sh
. bench/lib.sh
bench_enter wrk curl

bench_wrk_settings 10s
uploads=${BENCH_UPLOADS:-5}
blogd=${BLOGD_BIN:-$root/build-bench/blogd}
work=$BLOGD_TEST_DB_DIR/bench-media
mkdir -p "$work/webroot"

port=$(free_port)
conf=$work/blogd.conf
bench_conf_http "$conf" "$port" "$work/webroot"
"$blogd" migrate -c "$conf" >/dev/null
echo 'bench media password' |
	"$blogd" user add bench --admin --password-stdin -c "$conf" >/dev/null
bench_start_blogd "$blogd" "$conf" "$port" "$work/access.log" "$work/error.log"
base=http://127.0.0.1:$port

# make_file NAME BYTES: a PNG signature and random bytes.
make_file() {
	{
		printf '\x89PNG\r\n\x1a\n'
		head -c "$(($2 - 8))" /dev/urandom
	} >"$work/$1"
}
make_file big.png $((19 * 512 * 1024))
make_file mid.png $((100 * 1024))
make_file small.png 2048

# The value of the first csrf_token input after the text $2 in page $1.
token_after() {
	sed -n "/$2/,\$p" "$1" | grep -o 'name="csrf_token" value="[0-9a-f]*"' |
		head -1 | sed 's/.*value="\([0-9a-f]*\)"/\1/'
}
jar=$work/cookies
curl -fs -c "$jar" -o "$work/login.html" "$base/admin/login"
curl -fs -b "$jar" -c "$jar" -o /dev/null \
	--data-urlencode username=bench \
	--data-urlencode 'password=bench media password' \
	--data-urlencode "csrf_token=$(token_after "$work/login.html" login)" \
	"$base/admin/login"
curl -fs -b "$jar" -o "$work/media.html" "$base/admin/media"
token=$(token_after "$work/media.html" media-upload)

# upload FILE: prints "seconds URL".
upload() {
	curl -fs -b "$jar" -H 'Accept: text/plain' -F "csrf_token=$token" \
		-F "file=@$1" -w ' %{time_total}\n' "$base/admin/media" |
		sed 's/.*(\(.*\)) \(.*\)/\2 \1/'
}
median() { sort -n | awk '{ v[NR] = $1 } END { print v[int((NR + 1) / 2)] }'; }

url=$(upload "$work/big.png" | cut -d' ' -f2)
same=$(for ((i = 0; i < uploads; i++)); do
	upload "$work/big.png" | cut -d' ' -f1
done | median)
fresh=$(for ((i = 0; i < uploads; i++)); do
	make_file new.png $((19 * 512 * 1024))
	upload "$work/new.png" | cut -d' ' -f1
done | median)
get=$(for ((i = 0; i < uploads; i++)); do
	curl -fs -o /dev/null -w '%{time_total}\n' "$base$url"
done | median)
printf '\n9.5 MiB file, median of %s (curl, one at a time):\n' "$uploads"
printf '  upload, new bytes     %8.3f s\n' "$fresh"
printf '  upload, same bytes    %8.3f s\n' "$same"
printf '  GET                   %8.3f s\n' "$get"

printf '\n%-10s %12s %10s %12s   (wrk -t%s -c%s -d%s, %s cores)\n' \
	file req/s p99 MiB/s "$wrk_threads" "$conns" "$duration" "$(nproc)"
for f in small mid; do
	u=$(upload "$work/$f.png" | cut -d' ' -f2)
	wrk -t"$wrk_threads" -c"$conns" -d2s "$base$u" >/dev/null
	out=$(wrk -t"$wrk_threads" -c"$conns" -d"$duration" --latency "$base$u")
	rps=$(awk '/^Requests\/sec:/ { printf "%.0f", $2 }' <<<"$out")
	p99=$(awk '$1 == "99%" { print $2 }' <<<"$out")
	mibs=$(awk '/^Transfer\/sec:/ { v = $2; if (v ~ /GB/) v *= 1024;
		else if (v ~ /KB/) v /= 1024; printf "%.0f", v }' <<<"$out")
	printf '%-10s %12s %10s %12s\n' "$(stat -c %s "$work/$f.png")B" \
		"$rps" "$p99" "$mibs"
	awk '/Non-2xx|Socket errors/' <<<"$out"
done
rss=$(ps -o rss= -p "$bench_blogd_pid")
printf 'blogd RSS after the run: %d MiB\n' $((rss / 1024))
