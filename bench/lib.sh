# shellcheck shell=bash
# bench/lib.sh: functions shared by the bench scripts, on top of
# scripts/lib.sh. Source it from the source tree's root.

# shellcheck source=scripts/lib.sh
. scripts/lib.sh

# bench_build: a Release blogd (no tests, no sanitizers) in build-bench/.
bench_build() {
	cmake -S . -B build-bench -DCMAKE_BUILD_TYPE=Release \
		-DBLOGD_SANITIZE=OFF -DBLOGD_TESTS=OFF >/dev/null
	cmake --build build-bench --target blogd -j"$(nproc)" >/dev/null
}

# bench_build_client NAME [LDFLAGS...]: outside a private database (before
# bench_enter), builds bench/NAME.c, a libmariadb client, into build-bench/.
bench_build_client() {
	[ -z "${BLOGD_TEST_DB_DIR:-}" ] || return 0
	command -v mariadb_config >/dev/null || {
		echo "bench: mariadb_config is missing (libmariadb-dev)" >&2
		exit 1
	}
	mkdir -p build-bench
	# shellcheck disable=SC2046 # mariadb_config prints several flags
	cc -O2 -Wall -Wextra -Werror -o "build-bench/$1" "bench/$1.c" \
		$(mariadb_config --cflags --libs) "${@:2}"
}

# bench_conf_common ROOT WEBROOT: the config sections every bench shares,
# after the script's own [server] and [tls]: the private database of
# scripts/with-mariadb.sh, the source tree's templates, static files and
# migrations, and a log of warnings only (a log line costs time).
bench_conf_common() {
	cat <<CONF
[database]
socket = $BLOGD_TEST_DB_SOCKET
name = $BLOGD_TEST_DB_NAME
user = $BLOGD_TEST_DB_USER
password = $BLOGD_TEST_DB_PASSWORD

[paths]
templates = $1/templates
static = $1/static
migrations = $1/sql
webroot = $2

[log]
level = warn
CONF
}

# bench_enter TOOL...: the start of every bench script. Outside a private
# database it checks the tools, builds blogd (unless BLOGD_BIN names one)
# and runs the script again under scripts/with-mariadb.sh; inside, it
# returns and the script goes on.
bench_enter() {
	[ -z "${BLOGD_TEST_DB_DIR:-}" ] || return 0
	local tool
	for tool in "$@"; do
		command -v "$tool" >/dev/null || {
			echo "bench: $tool is missing" >&2
			exit 1
		}
	done
	[ -n "${BLOGD_BIN:-}" ] || bench_build
	exec scripts/with-mariadb.sh "$0"
}

# Servers a bench started, stopped by bench_stop_all (also on exit).
bench_pids=()
bench_stop_all() {
	local p
	for p in "${bench_pids[@]}"; do
		stop_pid "$p"
	done
	bench_pids=()
}
trap bench_stop_all EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

# bench_cert DIR: a throwaway ECDSA P-256 certificate for 127.0.0.1 in
# DIR/cert.pem and DIR/key.pem.
bench_cert() {
	openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes \
		-keyout "$1/key.pem" -out "$1/cert.pem" -days 2 \
		-subj /CN=localhost -addext subjectAltName=IP:127.0.0.1 2>/dev/null
}

# bench_conf FILE WORK HTTP_PORT HTTPS_LISTEN [EXTRA]: a blogd config with
# the certificate from bench_cert WORK, the common sections and EXTRA
# (more INI text) appended.
bench_conf() {
	{
		cat <<CONF
[server]
http_listen = 127.0.0.1:$3
https_listen = $4
per_ip_connections = 1000

[tls]
certificate = $2/cert.pem
key = $2/key.pem

[site]
title = Bench blog
base_url = https://127.0.0.1

CONF
		bench_conf_common "$(pwd)" "$2/webroot"
		printf '%s\n' "${5-}"
	} >"$1"
}

# bench_conf_http FILE PORT WEBROOT [EXTRA]: a plain-HTTP blogd config on
# 127.0.0.1:PORT with the common sections and EXTRA (more INI text; later
# keys of a section win) appended.
bench_conf_http() {
	{
		cat <<CONF
[server]
http_listen = 127.0.0.1:$2
https_listen =
per_ip_connections = 1000

[site]
title = Bench blog
base_url = http://127.0.0.1:$2

CONF
		bench_conf_common "$(pwd)" "$3"
		printf '%s\n' "${4-}"
	} >"$1"
}

# bench_start_blogd BIN CONF HTTP_PORT ACCESS_LOG ERROR_LOG: starts blogd,
# sets bench_blogd_pid once /healthz answers.
bench_start_blogd() {
	"$1" serve -c "$2" >"$4" 2>"$5" &
	bench_blogd_pid=$!
	bench_pids+=("$bench_blogd_pid")
	wait_healthz "$bench_blogd_pid" "http://127.0.0.1:$3" "$5"
}

# bench_ratio A B: A / B to two decimals, "-" when B is not positive.
bench_ratio() {
	awk -v a="$1" -v b="$2" 'BEGIN { if (b > 0) printf "%.2f", a / b; else printf "-" }'
}

# bench_start_nginx DIR URL SAVED: starts nginx with DIR/nginx.conf, waits
# for URL to answer and checks it serves the file SAVED (the page blogd
# rendered) byte for byte; sets bench_nginx_pid.
bench_start_nginx() {
	local i
	nginx -p "$1" -c "$1/nginx.conf" -g 'daemon off;' &
	bench_nginx_pid=$!
	bench_pids+=("$bench_nginx_pid")
	for ((i = 0; i < 50; i++)); do
		curl -fsk -o /dev/null "$2" && break
		sleep 0.1
	done
	cmp -s <(curl -fsk "$2") "$3" || {
		echo "bench: nginx does not serve the saved page" >&2
		exit 1
	}
}

# cpu_ticks PID: user + system CPU of PID so far, in clock ticks
# (/proc/PID/stat fields 14 and 15, counted after the ")" that ends the
# command name, which may hold spaces).
cpu_ticks() {
	awk '{ sub(/^.*\) /, ""); print $12 + $13 }' "/proc/$1/stat"
}

# cpu_us_per TICKS REQUESTS: microseconds of CPU per request.
cpu_us_per() {
	awk -v t="$1" -v n="$2" -v hz="$(getconf CLK_TCK)" \
		'BEGIN { if (n > 0) printf "%.0f", t / hz * 1e6 / n; else printf "-" }'
}

# bench_wrk_settings DURATION: wrk's settings from the environment into
# duration (BENCH_DURATION, else DURATION), conns (BENCH_CONNECTIONS, 64)
# and wrk_threads (BENCH_THREADS, 2).
bench_wrk_settings() {
	duration=${BENCH_DURATION:-$1}
	conns=${BENCH_CONNECTIONS:-64}
	wrk_threads=${BENCH_THREADS:-2}
}

# bench_wrk LABEL URL SERVER_PID DB_PID RPS_FILE: one wrk run against URL
# (with bench_wrk_settings' values); prints LABEL, req/s,
# p99 and the CPU per request of the server and of MariaDB, and appends
# the req/s to RPS_FILE.
bench_wrk() {
	local out s0 s1 d0 d1 rps n p99 errs
	s0=$(cpu_ticks "$3")
	d0=$(cpu_ticks "$4")
	out=$(wrk -t"$wrk_threads" -c"$conns" -d"$duration" --latency "$2")
	s1=$(cpu_ticks "$3")
	d1=$(cpu_ticks "$4")
	rps=$(awk '/^Requests\/sec:/ { printf "%.0f", $2 }' <<<"$out")
	n=$(awk '/ requests in / { print $1 }' <<<"$out")
	p99=$(awk '$1 == "99%" { print $2 }' <<<"$out")
	errs=$(awk '/Non-2xx|Socket errors/' <<<"$out")
	printf '%-20s %10s %9s %13s %13s\n' "$1" "$rps" "$p99" \
		"$(cpu_us_per $((s1 - s0)) "$n")" "$(cpu_us_per $((d1 - d0)) "$n")"
	[ -z "$errs" ] || echo "    $errs"
	echo "$rps" >>"$5"
}

# bench_median LABEL RPS_FILE: LABEL, the median and the range of the
# req/s figures in RPS_FILE (one per line).
bench_median() {
	sort -n "$2" | awk -v u="$1" '
		{ v[NR] = $1 }
		END {
			m = NR % 2 ? v[(NR + 1) / 2] : int((v[NR / 2] + v[NR / 2 + 1]) / 2)
			printf "%-20s %10d %8d-%-8d\n", u, m, v[1], v[NR]
		}'
}
