#!/usr/bin/env bash
# bench/compare.sh: blogd against a reference nginx, in one run.
#
# Builds blogd (Release) into build-bench/ (or uses BLOGD_BIN), starts a
# private MariaDB (scripts/with-mariadb.sh), migrates and seeds it
# (bench/seed.sh: 1,000 posts with 10 comments each), then measures with
#   wrk -t2 -c64 -d10s --latency
#   - blogd (page cache on, plain HTTP): /, a post page (a returning visitor:
#     a blogd_csrf cookie, so the cached page gets that visitor's token), the
#     same post page for new visitors (a fresh cookie each), the CSS;
#   - blogd with HTTPS (its TLS front): /;
#   - blogd with [cache] enabled = false: / (every request queries and
#     renders);
#   - nginx (Debian nginx-light, temp config on free loopback ports,
#     open_file_cache, keepalive_requests high, buffered access log) serving
#     blogd's / and post page saved as static files and the same CSS, over
#     HTTP and HTTPS with the same certificate;
# and prints req/s, p50 and p99 for each, the blogd/nginx ratios and
# blogd's peak RSS (VmHWM). Stops everything it started.
#
# Environment: BENCH_DURATION (10s), BENCH_CONNECTIONS (64), BLOGD_BIN,
# BENCH_PERF=1 (record `perf` on the uncached run and print its top
# symbols).
set -euo pipefail
cd "$(dirname "$0")/.."
root=$(pwd)

# shellcheck source=bench/lib.sh
. bench/lib.sh
bench_enter wrk nginx curl openssl

duration=${BENCH_DURATION:-10s}
conns=${BENCH_CONNECTIONS:-64}
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

# start_blogd CONF HTTP_PORT: sets $blogd_pid once /healthz answers.
start_blogd() {
	bench_start_blogd "$blogd" "$1" "$2" "$work/access.log" "$work/error.log"
	blogd_pid=$bench_blogd_pid
}

hwm_kib() { awk '/^VmHWM:/ { print $2 }' "/proc/$1/status"; }

# run NAME URL [wrk args...]: records req/s, p50 and p99 under NAME.
declare -A rps p50 p99
run() {
	local name=$1 url=$2 out
	shift 2
	wrk -t2 -c"$conns" -d2s "$@" "$url" >/dev/null # warm-up
	out=$(wrk -t2 -c"$conns" -d"$duration" --latency "$@" "$url")
	if grep -q 'Non-2xx\|Socket errors' <<<"$out"; then
		echo "bench: $name: $(grep 'Non-2xx\|Socket errors' <<<"$out")" >&2
	fi
	rps[$name]=$(awk '/^Requests\/sec:/ { printf "%.0f", $2 }' <<<"$out")
	p50[$name]=$(awk '$1 == "50%" { print $2 }' <<<"$out")
	p99[$name]=$(awk '$1 == "99%" { print $2 }' <<<"$out")
	printf '  %-26s %8s req/s  p50 %-9s p99 %s\n' "$name" "${rps[$name]}" \
		"${p50[$name]}" "${p99[$name]}" >&2
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

echo "bench: blogd, page cache on, plain HTTP" >&2
start_blogd "$conf" "$hport"
base=http://127.0.0.1:$hport
curl -fs "$base/" >"$ngx/html/index.html"
curl -fs -H "Cookie: $cookie" "$base$post" >"$ngx/html/posts/$slug"
run "blogd /" "$base/"
run "blogd post" "$base$post" -H "Cookie: $cookie"
run "blogd post, new visitor" "$base$post"
run "blogd css" "$base/static/style.css"
hwm_cache=$(hwm_kib "$blogd_pid")
bench_stop_all

echo "bench: blogd, HTTPS" >&2
hport=$(free_port)
sport=$(free_port)
blogd_conf "$conf" "$hport" "127.0.0.1:$sport" true
start_blogd "$conf" "$hport"
run "blogd https /" "https://127.0.0.1:$sport/"
hwm_tls=$(hwm_kib "$blogd_pid")
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

echo "bench: nginx" >&2
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
run "nginx /" "http://127.0.0.1:$nport/"
run "nginx post" "http://127.0.0.1:$nport$post" -H "Cookie: $cookie"
run "nginx css" "http://127.0.0.1:$nport/static/style.css"
run "nginx https /" "https://127.0.0.1:$nsport/"
bench_stop_all

printf '\n%d cores shared by wrk and the servers; wrk -t2 -c%s -d%s; ' \
	"$(nproc)" "$conns" "$duration"
printf '/ is %d bytes, the post page %d\n' \
	"$(wc -c <"$ngx/html/index.html")" "$(wc -c <"$ngx/html/posts/$slug")"
printf '%-24s %9s %8s %8s %9s %8s %8s %6s\n' "" "blogd/s" p50 p99 \
	"nginx/s" p50 p99 ratio
for k in "/" "post" "css" "https /"; do
	printf '%-24s %9s %8s %8s %9s %8s %8s %6s\n' "$k" "${rps[blogd $k]}" \
		"${p50[blogd $k]}" "${p99[blogd $k]}" "${rps[nginx $k]}" \
		"${p50[nginx $k]}" "${p99[nginx $k]}" \
		"$(bench_ratio "${rps[blogd $k]}" "${rps[nginx $k]}")"
done
for k in "post, new visitor" "/ uncached"; do
	printf '%-24s %9s %8s %8s %9s %8s %8s %6s\n' "$k" "${rps[blogd $k]}" \
		"${p50[blogd $k]}" "${p99[blogd $k]}" "" "" "" \
		"$(bench_ratio "${rps[blogd $k]}" "${rps[nginx /]}")"
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
