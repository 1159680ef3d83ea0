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
