#!/usr/bin/env bash
# bench/failover.sh: what readers see while the database hangs.
#
# Builds a Release blogd (or runs BLOGD_BIN), seeds a private MariaDB
# (bench/seed.sh), starts blogd, then runs wrk on the home page and a post
# page (alternately, one wrk) for BENCH_BEFORE seconds, freezes mariadbd
# with SIGSTOP for BENCH_FREEZE seconds (BENCH_OUTAGE=stop: stops it and
# starts it again instead), and goes on for BENCH_AFTER seconds. Meanwhile
# curl asks a database route (/search) every 100 ms. Prints wrk's totals
# and a timeline, one row per second from the freeze:
#
#   t        second since the freeze (negative: before it)
#   pages    answers to wrk (from the access log), non-2xx among them,
#            stale ones, and their server-side p50/p99/max in ms
#   db       /search answers seen by curl, how many were 503, the longest
#
# Environment: BENCH_FREEZE (60), BENCH_BEFORE (5), BENCH_AFTER (10),
# BENCH_CONNECTIONS (64), BENCH_THREADS (wrk threads, 2),
# BENCH_READ_TIMEOUT ([database] read_timeout, 5), BENCH_OUTAGE (freeze).
set -euo pipefail
cd "$(dirname "$0")/.."
root=$(pwd)
# shellcheck source=bench/lib.sh
. bench/lib.sh

bench_enter wrk curl gawk

freeze=${BENCH_FREEZE:-60}
before=${BENCH_BEFORE:-5}
after=${BENCH_AFTER:-10}
conns=${BENCH_CONNECTIONS:-64}
wrk_threads=${BENCH_THREADS:-2}
outage=${BENCH_OUTAGE:-freeze}
blogd=${BLOGD_BIN:-$root/build-bench/blogd}
work=$BLOGD_TEST_DB_DIR/bench
mkdir -p "$work/webroot"

port=$(free_port)
conf=$work/blogd.conf
# Later keys of a section win: short timeouts, as a site that wants to
# notice an outage would set them.
bench_conf_http "$conf" "$port" "$work/webroot" "[database]
connect_timeout = 2
read_timeout = ${BENCH_READ_TIMEOUT:-5}"

"$blogd" migrate -c "$conf" >/dev/null
BENCH_POSTS=${BENCH_POSTS:-200} bench/seed.sh \
	--defaults-file="$BLOGD_TEST_DB_ROOT_CNF" "$BLOGD_TEST_DB_NAME"
slug=$(mariadb --defaults-file="$BLOGD_TEST_DB_ROOT_CNF" -N -B \
	-e "SELECT slug FROM posts ORDER BY id LIMIT 1" "$BLOGD_TEST_DB_NAME")

# Whatever happens, the database is thawed (or started) again.
db_pid=$(cat "$BLOGD_TEST_DB_DIR/server.pid")
resume_db() {
	kill -CONT "$db_pid" 2>/dev/null || true
	[ "$outage" != stop ] || "$BLOGD_TEST_DB_START" >/dev/null 2>&1 || true
}
trap 'resume_db; bench_stop_all' EXIT

bench_start_blogd "$blogd" "$conf" "$port" "$work/access.log" \
	"$work/error.log"
base=http://127.0.0.1:$port
for u in / "/posts/$slug"; do
	curl -fs -o /dev/null "$base$u" || {
		echo "bench: GET $u failed" >&2
		exit 1
	}
done
# Alternates the two pages on every connection.
cat >"$work/pages.lua" <<EOF
local paths = { "/", "/posts/$slug" }
local i = 0
request = function()
	i = i + 1
	return wrk.format("GET", paths[i % 2 + 1])
end
EOF
wrk -t"$wrk_threads" -c"$conns" -d2s -s "$work/pages.lua" "$base" >/dev/null
sleep 0.3
: >"$work/access.log" # the timeline starts now (blogd appends)

# timeline T0 ACCESS_LOG DB_LOG: the table described at the top.
timeline() {
	gawk -v t0="$1" -v lo="$((-before))" -v hi="$((freeze + after))" '
	function pct(arr, n, p,   k) {
		if (n == 0)
			return "-"
		k = int(n * p / 100)
		if (k >= n)
			k = n - 1
		return sprintf("%.2f", arr[k + 1] / 1000)
	}
	BEGIN {
		split("Jan Feb Mar Apr May Jun Jul Aug Sep Oct Nov Dec", m, " ")
		for (i = 1; i <= 12; i++)
			mon[m[i]] = i
	}
	FILENAME == ARGV[1] {
		if ($7 != "/" && $7 !~ /^\/posts\//)
			next
		split(substr($4, 2), d, /[\/:]/)
		t = mktime(d[3] " " mon[d[2]] " " d[1] " " d[4] " " d[5] " " \
		    d[6], 1) - t0
		stale = $NF == "stale"
		us = stale ? $(NF - 1) : $NF
		n[t]++
		lat[t, n[t]] = us
		if ($9 !~ /^2/)
			bad[t]++
		if (stale)
			st[t]++
		next
	}
	{
		t = int($1 / 1000) - t0
		if (t < lo || t > hi)
			next
		dn[t]++
		if ($2 == 503)
			d503[t]++
		if ($3 + 0 > dmax[t] + 0)
			dmax[t] = $3
	}
	END {
		printf "%4s | %7s %6s %6s %7s %7s %8s | %4s %4s %8s\n", "t",
		    "pages", "non2xx", "stale", "p50 ms", "p99 ms", "max ms",
		    "db", "503", "max ms"
		for (t = lo; t <= hi; t++) {
			c = n[t] + 0
			delete a
			for (k = 1; k <= c; k++)
				a[k] = lat[t, k]
			asort(a)
			printf "%4d | %7d %6d %6d %7s %7s %8s | %4d %4d %8s\n",
			    t, c, bad[t], st[t], pct(a, c, 50), pct(a, c, 99),
			    c ? sprintf("%.2f", a[c] / 1000) : "-", dn[t],
			    d503[t], dn[t] ? dmax[t] : "-"
		}
	}' "$2" "$3"
}

# curl on a database route every 100 ms: "epoch_ms status ms" lines.
probe_db() {
	local t code secs
	while :; do
		t=${EPOCHREALTIME/./}
		read -r code secs < <(curl -s -o /dev/null -m 30 \
			-w '%{http_code} %{time_total}\n' "$base/search?q=bench" ||
			true)
		echo "$((t / 1000)) ${code:-000} $(gawk -v s="${secs:-0}" \
			'BEGIN { printf "%.1f", s * 1000 }')"
		sleep 0.1
	done
}
probe_db >"$work/db.log" &
bench_pids+=($!)

total=$((before + freeze + after))
echo "bench: wrk -t$wrk_threads -c$conns -d${total}s on / and /posts/$slug;" \
	"$outage the database at ${before}s for ${freeze}s" >&2
wrk -t"$wrk_threads" -c"$conns" -d"${total}s" --latency -s "$work/pages.lua" \
	"$base" >"$work/wrk.out" &
wrk_pid=$!
sleep "$before"
t0=$(date +%s)
if [ "$outage" = stop ]; then
	"$BLOGD_TEST_DB_STOP"
	sleep "$freeze"
	"$BLOGD_TEST_DB_START" >/dev/null
else
	kill -STOP "$db_pid"
	sleep "$freeze"
	kill -CONT "$db_pid"
fi
wait "$wrk_pid"
bench_stop_all # access lines are flushed at exit

echo
sed -n '/Thread Stats/,$p' "$work/wrk.out"
echo
timeline "$t0" "$work/access.log" "$work/db.log"
if [ -s "$work/error.log" ]; then
	echo
	echo "blogd's log (warnings and errors, the first and last 4):"
	head -n 4 "$work/error.log"
	[ "$(wc -l <"$work/error.log")" -le 4 ] || tail -n 4 "$work/error.log"
fi
