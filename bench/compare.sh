#!/usr/bin/env bash
# bench/compare.sh: blogd against a reference nginx, in one run.
#
# Builds blogd (Release) into build-bench/ (or uses BLOGD_BIN), starts a
# private MariaDB (scripts/with-mariadb.sh), migrates and seeds it
# (bench/seed.sh: 1,000 posts with 10 comments each), then starts
#   - blogd (page cache on, plain HTTP), a second blogd with HTTPS (its TLS
#     front), and nginx (Debian nginx-light, temp config on free loopback
#     ports, open_file_cache, keepalive_requests high, buffered access
#     log) serving blogd's / and post page saved as static files and the
#     same CSS, over HTTP and HTTPS with the same certificate;
# and measures with
#   wrk -t2 -c64 -d5s --latency
# /, a post page (a returning visitor: a blogd_csrf cookie, so the cached
# page gets that visitor's token), the CSS, / over HTTPS and / over HTTPS
# with Accept-Encoding: gzip (what browsers send), blogd then
# nginx for each, in BENCH_ROUNDS rounds (3): the machine drifts by 10%
# or more within minutes, so each ratio compares runs made seconds apart
# and the table gives medians. Then the latency of / and the post page
# at a fixed BENCH_RATE req/s (h2load --rps), both servers, and blogd's
# at the rate nginx reached under wrk (its median); then, once
# each: the post page for new visitors (a fresh cookie each) and / from a
# blogd with [cache] enabled = false (every request queries and renders).
# Prints req/s, p50 and p99 (medians over the rounds, with the range of
# the ratios), the blogd/nginx ratios, the fixed-rate percentiles and
# blogd's peak RSS (VmHWM). Stops everything it started.
#
# Environment: BENCH_DURATION (5s), BENCH_ROUNDS (3), BENCH_CONNECTIONS
# (64), BENCH_RATE (32000), BLOGD_BIN, BENCH_PERF=1 (record `perf` on the
# uncached run and print its top symbols).
set -euo pipefail
cd "$(dirname "$0")/.."
root=$(pwd)

# shellcheck source=bench/lib.sh
. bench/lib.sh
bench_enter wrk h2load nginx curl openssl

duration=${BENCH_DURATION:-5s}
rounds=${BENCH_ROUNDS:-3}
conns=${BENCH_CONNECTIONS:-64}
rate=${BENCH_RATE:-32000}
blogd=${BLOGD_BIN:-$root/build-bench/blogd}
work=$BLOGD_TEST_DB_DIR/compare
ngx=$work/nginx
mkdir -p "$work/webroot" "$ngx/html/static" "$ngx/html/posts" "$ngx/tmp"
cp "$root/static/style.css" "$ngx/html/static/"
bench_cert "$work"

# blogd_conf FILE HTTP_PORT HTTPS_LISTEN CACHE_ENABLED
blogd_conf() {
	bench_conf "$1" "$work" "$2" "$3" "$(printf '[cache]\nenabled = %s' "$4")"
}

# start_blogd CONF HTTP_PORT: sets $blogd_pid once /healthz answers. Logs
# are per port: the HTTP and HTTPS servers run at the same time.
start_blogd() {
	bench_start_blogd "$blogd" "$1" "$2" "$work/access-$2.log" \
		"$work/error-$2.log"
	blogd_pid=$bench_blogd_pid
}

hwm_kib() { awk '/^VmHWM:/ { print $2 }' "/proc/$1/status"; }

# median VALUE...: the middle value (the upper one of an even count).
median() {
	printf '%s\n' "$@" | sort -g | awk '{ v[NR] = $1 } END { print v[int(NR / 2) + 1] }'
}

# range VALUE...: "lowest-highest".
range() {
	printf '%s\n' "$@" | sort -g | sed -n '1p;$p' | paste -sd-
}

# ms DURATION: wrk's "812.00us", "2.02ms" or "1.10s" in milliseconds.
ms() {
	awk -v d="$1" 'BEGIN {
		if (d ~ /us$/) printf "%.2f", d / 1000
		else if (d ~ /ms$/) printf "%.2f", d + 0
		else printf "%.2f", d * 1000
	}'
}

# run NAME URL [wrk args...]: adds the req/s, p50 and p99 (ms) of one wrk
# run to the lists kept under NAME; last_rps is its req/s.
declare -A rps p50 p99
run() {
	local name=$1 url=$2 out a b
	shift 2
	wrk -t2 -c"$conns" -d2s "$@" "$url" >/dev/null # warm-up
	out=$(wrk -t2 -c"$conns" -d"$duration" --latency "$@" "$url")
	if grep -q 'Non-2xx\|Socket errors' <<<"$out"; then
		echo "bench: $name: $(grep 'Non-2xx\|Socket errors' <<<"$out")" >&2
	fi
	last_rps=$(awk '/^Requests\/sec:/ { printf "%.0f", $2 }' <<<"$out")
	a=$(ms "$(awk '$1 == "50%" { print $2 }' <<<"$out")")
	b=$(ms "$(awk '$1 == "99%" { print $2 }' <<<"$out")")
	rps[$name]+="$last_rps "
	p50[$name]+="$a "
	p99[$name]+="$b "
	printf '  %-26s %8s req/s  p50 %6s ms  p99 %6s ms\n' "$name" \
		"$last_rps" "$a" "$b" >&2
}

# steady NAME URL RATE [h2load args...]: p50, p99 and p99.9 (ms) of
# requests sent at a fixed RATE (req/s spread over the same connections,
# h2load --rps), and the rate reached. At saturation wrk measures its own
# turn on the shared cores as much as the server; at a fixed rate the
# client keeps up and the tail is the server's.
declare -A steady steady_rps
steady() {
	local name=$1 url=$2 want=$3 log=$work/h2load.log ok
	shift 3
	rm -f "$log"
	h2load --h1 -t2 -c"$conns" --rps=$((want / conns)) -D "${duration%s}" \
		--log-file="$log" "$@" "$url" >/dev/null 2>&1
	ok=$(awk '$2 == 200' "$log" | wc -l)
	if [ "$ok" -lt "$(wc -l <"$log")" ] || [ "$ok" -eq 0 ]; then
		echo "bench: $name: $ok of $(wc -l <"$log") answers were 200" >&2
	fi
	steady_rps[$name]=$((ok / ${duration%s}))
	steady[$name]=$(awk '{ print $3 }' "$log" | sort -n | awk '
		{ v[NR] = $1 }
		END { printf "%.2f %.2f %.2f", v[int(NR * 0.5)] / 1000,
		      v[int(NR * 0.99)] / 1000, v[int(NR * 0.999)] / 1000 }')
	printf '  %-26s %8s req/s  p50 p99 p99.9 %s ms\n' "$name" \
		"${steady_rps[$name]}" "${steady[$name]}" >&2
}

conf=$work/blogd.conf
hport=$(free_port)
blogd_conf "$conf" "$hport" "" true
"$blogd" migrate -c "$conf" >/dev/null
bench/seed.sh --defaults-file="$BLOGD_TEST_DB_ROOT_CNF" "$BLOGD_TEST_DB_NAME"
slug=bench-0500
post=/posts/$slug
# A returning visitor: any well-formed cookie value gets its own token.
cookie="blogd_csrf=$(openssl rand -hex 32)"

# Two cached blogd, plain HTTP and HTTPS, so that each has its own peak
# RSS; both wait while the other server is measured.
start_blogd "$conf" "$hport"
http_pid=$blogd_pid
base=http://127.0.0.1:$hport
curl -fs "$base/" >"$ngx/html/index.html"
# The gzip body blogd sends a browser, for nginx's gzip_static.
curl -fs -H "Accept-Encoding: gzip" "$base/" >"$ngx/html/index.html.gz"
curl -fs -H "Cookie: $cookie" "$base$post" >"$ngx/html/posts/$slug"
tls_conf=$work/blogd-tls.conf
tls_hport=$(free_port)
sport=$(free_port)
blogd_conf "$tls_conf" "$tls_hport" "127.0.0.1:$sport" true
start_blogd "$tls_conf" "$tls_hport"
tls_pid=$blogd_pid

nport=$(free_port)
nsport=$(free_port)
cat >"$ngx/nginx.conf" <<EOF
user root;
worker_processes $(nproc);
pid $ngx/nginx.pid;
error_log $ngx/error.log;
events { worker_connections 4096; }
http {
	access_log $ngx/access.log combined buffer=64k flush=1s;
	client_body_temp_path $ngx/tmp;
	proxy_temp_path $ngx/tmp;
	fastcgi_temp_path $ngx/tmp;
	uwsgi_temp_path $ngx/tmp;
	scgi_temp_path $ngx/tmp;
	types { text/css css; }
	default_type text/html;
	keepalive_requests 1000000;
	open_file_cache max=1000 inactive=60s;
	open_file_cache_valid 60s;
	sendfile on;
	tcp_nopush on;
	gzip_static on;
	server {
		listen 127.0.0.1:$nport;
		listen 127.0.0.1:$nsport ssl;
		root $ngx/html;
		ssl_certificate $work/cert.pem;
		ssl_certificate_key $work/key.pem;
		ssl_protocols TLSv1.2;
		ssl_ciphers ECDHE-ECDSA-CHACHA20-POLY1305:ECDHE-ECDSA-AES128-GCM-SHA256:ECDHE-ECDSA-AES256-GCM-SHA384;
		ssl_prefer_server_ciphers on;
		ssl_session_tickets on;
	}
}
EOF
bench_start_nginx "$ngx" "http://127.0.0.1:$nport/" "$ngx/html/index.html"
for u in "https://127.0.0.1:$sport/" "https://127.0.0.1:$nsport/"; do
	curl -fsk -D - -o /dev/null -H "Accept-Encoding: gzip" "$u" |
		grep -qi '^content-encoding: gzip' ||
		{ echo "bench: $u does not answer with gzip" >&2; exit 1; }
done

# What is compared, blogd's URL and nginx's; every request carries the
# returning visitor's cookie (nginx ignores it). "https / gzip" asks for
# gzip as browsers do: a third of the bytes to encrypt.
keys=("/" "post" "css" "https /" "https / gzip")
declare -A blogd_url nginx_url ratios
declare -A wrk_header=(["https / gzip"]="Accept-Encoding: gzip")
blogd_url["/"]=$base/
nginx_url["/"]=http://127.0.0.1:$nport/
blogd_url[post]=$base$post
nginx_url[post]=http://127.0.0.1:$nport$post
blogd_url[css]=$base/static/style.css
nginx_url[css]=http://127.0.0.1:$nport/static/style.css
blogd_url["https /"]=https://127.0.0.1:$sport/
nginx_url["https /"]=https://127.0.0.1:$nsport/
blogd_url["https / gzip"]=https://127.0.0.1:$sport/
nginx_url["https / gzip"]=https://127.0.0.1:$nsport/
for ((round = 1; round <= rounds; round++)); do
	echo "bench: round $round of $rounds" >&2
	for k in "${keys[@]}"; do
		hdr=(-H "Cookie: $cookie")
		[ -z "${wrk_header[$k]:-}" ] || hdr+=(-H "${wrk_header[$k]}")
		run "blogd $k" "${blogd_url[$k]}" "${hdr[@]}"
		b=$last_rps
		run "nginx $k" "${nginx_url[$k]}" "${hdr[@]}"
		ratios[$k]+="$(bench_ratio "$b" "$last_rps") "
	done
done
echo "bench: fixed rate, $rate req/s" >&2
for k in / post; do
	steady "blogd $k" "${blogd_url[$k]}" "$rate" -H "Cookie: $cookie"
	steady "nginx $k" "${nginx_url[$k]}" "$rate" -H "Cookie: $cookie"
done
# blogd at the most nginx served (its median under wrk): the latency a
# site would see from blogd at the load that saturates nginx.
declare -A nginx_max
for k in / post; do
	# shellcheck disable=SC2086 # a list of numbers
	nginx_max[$k]=$(median ${rps[nginx $k]})
	echo "bench: fixed rate, nginx's throughput on $k" >&2
	steady "blogd $k at nginx max" "${blogd_url[$k]}" "${nginx_max[$k]}" \
		-H "Cookie: $cookie"
done
echo "bench: blogd, new visitors (a fresh cookie each)" >&2
run "blogd post, new visitor" "$base$post"
hwm_cache=$(hwm_kib "$http_pid")
hwm_tls=$(hwm_kib "$tls_pid")
bench_stop_all

echo "bench: blogd, page cache off" >&2
hport=$(free_port)
blogd_conf "$conf" "$hport" "" false
start_blogd "$conf" "$hport"
if [ "${BENCH_PERF:-0}" = 1 ]; then
	perf record -F 999 -g -o "$work/perf.data" -p "$blogd_pid" \
		2>/dev/null &
	perf_pid=$!
fi
run "blogd / uncached" "http://127.0.0.1:$hport/"
if [ "${BENCH_PERF:-0}" = 1 ]; then
	kill -INT "$perf_pid"
	wait "$perf_pid" 2>/dev/null || true
fi
hwm_nocache=$(hwm_kib "$blogd_pid")
bench_stop_all

# row LABEL NAME [RATIOS]: medians of blogd's NAME and, with RATIOS,
# nginx's runs of the same key, the median ratio and its range.
fmt='%-20s %8s %6s %6s %8s %6s %6s %6s  %s\n'
# shellcheck disable=SC2059,SC2086 # fmt is the table's; lists of numbers
row() {
	local k=$1 b="blogd $2" n="nginx $2"
	if [ -z "${3:-}" ]; then
		printf "$fmt" "$k" "$(median ${rps[$b]})" \
			"$(median ${p50[$b]})" "$(median ${p99[$b]})" "" "" "" "" ""
		return
	fi
	printf "$fmt" "$k" "$(median ${rps[$b]})" "$(median ${p50[$b]})" \
		"$(median ${p99[$b]})" "$(median ${rps[$n]})" \
		"$(median ${p50[$n]})" "$(median ${p99[$n]})" \
		"$(median $3)" "$(range $3)"
}

printf '\n%d cores shared by wrk and the servers; wrk -t2 -c%s -d%s; ' \
	"$(nproc)" "$conns" "$duration"
printf 'medians of %d rounds; p50, p99 in ms\n' "$rounds"
printf '/ is %d bytes (%d gzipped), the post page %d\n' \
	"$(wc -c <"$ngx/html/index.html")" \
	"$(wc -c <"$ngx/html/index.html.gz")" "$(wc -c <"$ngx/html/posts/$slug")"
# shellcheck disable=SC2059 # fmt is the table's format
printf "$fmt" "" "blogd/s" p50 p99 "nginx/s" p50 p99 ratio range
for k in "${keys[@]}"; do
	row "$k" "$k" "${ratios[$k]}"
done
row "post, new visitor" "post, new visitor"
row "/ uncached" "/ uncached"
printf '\nAt a fixed %d req/s over %s connections (h2load --rps): ' \
	"$rate" "$conns"
printf 'p50 / p99 / p99.9 in ms\n'
for k in / post; do
	printf '%-20s blogd %s   nginx %s\n' "$k" \
		"$(tr ' ' / <<<"${steady[blogd $k]}")" \
		"$(tr ' ' / <<<"${steady[nginx $k]}")"
done
printf 'blogd at the rate nginx reached under wrk (its median), same format:\n'
for k in / post; do
	printf '%-20s blogd %s at %s req/s (asked %s)\n' "$k" \
		"$(tr ' ' / <<<"${steady[blogd $k at nginx max]}")" \
		"${steady_rps[blogd $k at nginx max]}" "${nginx_max[$k]}"
done
printf '\nblogd peak RSS (VmHWM): %d KiB cached HTTP, %d KiB HTTPS, ' \
	"$hwm_cache" "$hwm_tls"
printf '%d KiB uncached\n' "$hwm_nocache"
if [ "${BENCH_PERF:-0}" = 1 ]; then
	echo
	echo "Where the uncached time goes (perf, self time, top 25):"
	perf report -i "$work/perf.data" --no-children --sort dso,symbol \
		--stdio 2>/dev/null | grep -E '^ +[0-9]' | head -25
fi
