#!/usr/bin/env bash
# bench/https.sh: blogd's TLS front against nginx on the same machine.
#
# Builds blogd (Release) into build-bench/, starts a private MariaDB
# (scripts/with-mariadb.sh), migrates and seeds it (bench/seed.sh), makes an
# ECDSA P-256 certificate, and measures, each time with the server's CPU
# time per request or connection:
#   - keep-alive GET / and GET /static/style.css over plain HTTP (blogd with
#     HTTPS off, so they are not redirects) and over HTTPS (wrk -t2 -c64,
#     which takes TLS 1.3); / runs queries and templates, style.css shows
#     the TLS front's cost;
#   - for TLS 1.2 and for TLS 1.3: new connections with full handshakes (ab
#     -c16 without keep-alive, and openssl s_time -new) and with resumed
#     sessions (s_time -reuse, session tickets): with GET /, with GET
#     /static/style.css (the front's share without page rendering), and on
#     1.2 also with no request at all (the handshake alone; a 1.3 ticket
#     comes after the handshake, so s_time needs the request to get one);
# and the same against nginx (Debian nginx-light, TLS 1.2 and 1.3, the
# same 1.2 AEAD suites, certificate and bytes: blogd's / saved as a static
# file, style.css copied).
# Prints ratios. Stops everything it started.
#
# Environment: BENCH_DURATION (seconds, 10), BENCH_CONNECTIONS (64),
# BENCH_HANDSHAKES (ab requests, 2000), BLOGD_BIN (a blogd to use instead
# of building one).
set -euo pipefail
cd "$(dirname "$0")/.."
root=$(pwd)

# shellcheck source=bench/lib.sh
. bench/lib.sh
bench_enter wrk ab openssl nginx curl

secs=${BENCH_DURATION:-10}
conns=${BENCH_CONNECTIONS:-64}
handshakes=${BENCH_HANDSHAKES:-2000}
blogd=${BLOGD_BIN:-$root/build-bench/blogd}
work=$BLOGD_TEST_DB_DIR/bench-https
mkdir -p "$work/webroot" "$work/nginx/html/static" "$work/nginx/tmp"
cp "$root/static/style.css" "$work/nginx/html/static/"
hz=$(getconf CLK_TCK)
bench_cert "$work"

# blogd_conf FILE HTTP_PORT HTTPS_LISTEN
blogd_conf() { bench_conf "$1" "$work" "$2" "$3"; }

# start_blogd CONF HTTP_PORT: sets $server_pid once /healthz answers.
start_blogd() {
	bench_start_blogd "$blogd" "$1" "$2" /dev/null "$work/error.log"
	server_pid=$bench_blogd_pid
}

# CPU ticks used so far by a process and its children threads/processes.
cpu_ticks() {
	local total=0 p
	for p in "$@" $(pgrep -P "$1" || true); do
		total=$((total + $(awk '{ print $14 + $15 }' "/proc/$p/stat")))
	done
	echo "$total"
}

# measure NAME COUNT_CMD...: runs the command, which prints "<count>
# <rate>", and records rate and server µs per unit under NAME.
declare -A rate cpu
measure() {
	local name=$1 before after out
	shift
	before=$(cpu_ticks "$server_pid")
	out=$("$@")
	after=$(cpu_ticks "$server_pid")
	read -r count r <<<"$out"
	rate[$name]=$r
	if [ "${count:-0}" -gt 0 ]; then
		cpu[$name]=$(((after - before) * 1000000 / hz / count))
	else
		cpu[$name]=-
	fi
	printf '  %-28s %10s /s %8s µs server CPU each\n' "$name" "$r" \
		"${cpu[$name]}" >&2
}

wrk_run() { # URL
	local out
	out=$(wrk -t2 -c"$conns" -d"${secs}s" "$1")
	if grep -q 'Non-2xx\|Socket errors' <<<"$out"; then
		echo "bench: wrk $1: $(grep 'Non-2xx\|Socket errors' <<<"$out")" >&2
	fi
	awk '/requests in/ { n = $1 } /^Requests\/sec:/ { r = $2 }
	     END { printf "%d %.0f\n", n, r }' <<<"$out"
}

ab_run() { # URL 1.2|1.3: a new connection (full handshake) per request
	local out
	out=$(ab -q -n "$handshakes" -c 16 -f "TLS$2" "$1" 2>&1)
	awk '/^Complete requests:/ { n = $3 } /^Failed requests:/ { f = $3 }
	     /^Requests per second:/ { r = $4 }
	     END { if (f > 0) printf "bench: %d failed\n", f > "/dev/stderr"
		   printf "%d %.0f\n", n, r }' <<<"$out"
}

# PORT -new|-reuse 1_2|1_3 [PATH]: PATH "" sends no request. s_time
# prints "r" for each connection that resumed and "*" for each that did
# not: with -reuse a "*" is reported, as it measured full handshakes.
s_time_run() {
	local out www=(-www "${4-/}")
	[ -n "${4-/}" ] || www=()
	out=$(openssl s_time -connect "127.0.0.1:$1" "$2" "-tls$3" \
		-time "$secs" "${www[@]}" 2>&1)
	if [ "$2" = -reuse ] && grep -qE '^[r*]*[*]' <<<"$out"; then
		echo "bench: s_time -reuse -tls$3: $(grep -oE '^[r*]+$' \
			<<<"$out" | tr -d r | tr -d '\n' | wc -c) connections" \
			"did not resume" >&2
	fi
	awk '/connections in .* real seconds/ { n = $1; t = $4 }
	     END { printf "%d %.0f\n", n, (t > 0 ? n / t : 0) }' <<<"$out"
}

# handshakes NAME PORT URL: the handshake rows for one server.
handshakes() {
	local v
	for v in 1.2 1.3; do
		measure "$1 full $v (ab)" ab_run "$3" "$v"
		measure "$1 full $v (s_time)" s_time_run "$2" -new "${v/./_}"
		measure "$1 resumed $v" s_time_run "$2" -reuse "${v/./_}"
		measure "$1 resumed $v css" s_time_run "$2" -reuse "${v/./_}" \
			/static/style.css
	done
	measure "$1 resumed 1.2, no request" s_time_run "$2" -reuse 1_2 ""
}

conf_plain=$work/plain.conf
conf_tls=$work/tls.conf
hport=$(free_port)
blogd_conf "$conf_plain" "$hport" ""
"$blogd" migrate -c "$conf_plain" >/dev/null
bench/seed.sh --defaults-file="$BLOGD_TEST_DB_ROOT_CNF" "$BLOGD_TEST_DB_NAME"

echo "bench: blogd, plain HTTP" >&2
start_blogd "$conf_plain" "$hport"
curl -fs "http://127.0.0.1:$hport/" >"$work/nginx/html/index.html"
wrk -t2 -c"$conns" -d2s "http://127.0.0.1:$hport/" >/dev/null
measure "blogd http keep-alive" wrk_run "http://127.0.0.1:$hport/"
measure "blogd http css" wrk_run "http://127.0.0.1:$hport/static/style.css"
bench_stop_all

echo "bench: blogd, HTTPS" >&2
hport=$(free_port)
sport=$(free_port)
blogd_conf "$conf_tls" "$hport" "127.0.0.1:$sport"
start_blogd "$conf_tls" "$hport"
curl -fsk -o /dev/null "https://127.0.0.1:$sport/"
wrk -t2 -c"$conns" -d2s "https://127.0.0.1:$sport/" >/dev/null
measure "blogd https keep-alive" wrk_run "https://127.0.0.1:$sport/"
measure "blogd https css" wrk_run "https://127.0.0.1:$sport/static/style.css"
handshakes blogd "$sport" "https://127.0.0.1:$sport/"
bench_stop_all

echo "bench: nginx, HTTPS" >&2
nport=$(free_port)
cat >"$work/nginx/nginx.conf" <<EOF
user root;
worker_processes $(nproc);
pid $work/nginx/nginx.pid;
error_log $work/nginx/error.log;
events { worker_connections 4096; }
http {
	access_log off;
	client_body_temp_path $work/nginx/tmp;
	proxy_temp_path $work/nginx/tmp;
	fastcgi_temp_path $work/nginx/tmp;
	uwsgi_temp_path $work/nginx/tmp;
	scgi_temp_path $work/nginx/tmp;
	default_type text/html;
	keepalive_requests 1000000;
	server {
		listen 127.0.0.1:$nport ssl;
		root $work/nginx/html;
		ssl_certificate $work/cert.pem;
		ssl_certificate_key $work/key.pem;
		ssl_protocols TLSv1.2 TLSv1.3;
		ssl_ciphers ECDHE-ECDSA-CHACHA20-POLY1305:ECDHE-ECDSA-AES128-GCM-SHA256:ECDHE-ECDSA-AES256-GCM-SHA384;
		ssl_prefer_server_ciphers on;
		ssl_ecdh_curve X25519:prime256v1:secp384r1;
		ssl_session_tickets on;
	}
}
EOF
bench_start_nginx "$work/nginx" "https://127.0.0.1:$nport/" \
	"$work/nginx/html/index.html"
server_pid=$bench_nginx_pid
wrk -t2 -c"$conns" -d2s "https://127.0.0.1:$nport/" >/dev/null
measure "nginx https keep-alive" wrk_run "https://127.0.0.1:$nport/"
measure "nginx https css" wrk_run "https://127.0.0.1:$nport/static/style.css"
handshakes nginx "$nport" "https://127.0.0.1:$nport/"
bench_stop_all

printf '\n/ is %d bytes; %d cores shared by clients and servers; ' \
	"$(wc -c <"$work/nginx/html/index.html")" "$(nproc)"
printf 'wrk -t2 -c%s -d%ss, ab -n%s -c16\n' "$conns" "$secs" "$handshakes"
printf '%-24s %10s %10s %8s %12s %12s\n' "" "blogd/s" "nginx/s" ratio \
	"blogd µs" "nginx µs"
for k in "https keep-alive" "https css" \
	"full 1.2 (ab)" "full 1.2 (s_time)" "resumed 1.2" "resumed 1.2 css" \
	"full 1.3 (ab)" "full 1.3 (s_time)" "resumed 1.3" "resumed 1.3 css" \
	"resumed 1.2, no request"; do
	printf '%-24s %10s %10s %8s %12s %12s\n' "$k" "${rate[blogd $k]}" \
		"${rate[nginx $k]}" "$(bench_ratio "${rate[blogd $k]}" "${rate[nginx $k]}")" \
		"${cpu[blogd $k]}" "${cpu[nginx $k]}"
done
printf '\n%-22s %10s %10s %8s\n' "blogd" "https/s" "http/s" ratio
for k in "keep-alive" "css"; do
	printf '%-22s %10s %10s %8s\n' "$k" "${rate[blogd https $k]}" \
		"${rate[blogd http $k]}" \
		"$(bench_ratio "${rate[blogd https $k]}" "${rate[blogd http $k]}")"
done
