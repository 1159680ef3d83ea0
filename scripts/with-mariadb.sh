#!/usr/bin/env bash
# with-mariadb.sh COMMAND [ARGS...]
#
# Runs COMMAND against a private, throwaway MariaDB: a new temp directory,
# a server on a free 127.0.0.1 port and a unix socket, a user `blogd` with
# a random password and every right on the databases named `blogd%`, and a
# database `blogd`. Stops the server and removes the directory afterwards,
# whatever happens, and exits with COMMAND's status. COMMAND sees:
#
#   BLOGD_TEST_DB_HOST=127.0.0.1  BLOGD_TEST_DB_PORT  BLOGD_TEST_DB_SOCKET
#   BLOGD_TEST_DB_USER=blogd      BLOGD_TEST_DB_PASSWORD
#   BLOGD_TEST_DB_NAME=blogd      (an empty database, free to use)
#   BLOGD_TEST_DB_DIR             the temp directory
#   BLOGD_TEST_DB_ROOT_CNF        `mariadb --defaults-file=$BLOGD_TEST_DB_ROOT_CNF`
#                                 is root over the socket
#   BLOGD_TEST_DB_STOP / _START   scripts that stop the server (by pid,
#                                 waiting until it is gone) and start it
#                                 again on the same data, socket and port
set -euo pipefail

here=$(cd "$(dirname "$0")" && pwd)
ctl=$here/mariadb-ctl.sh
# shellcheck source=scripts/lib.sh
. "$here/lib.sh"
[ $# -gt 0 ] || {
	echo "usage: with-mariadb.sh COMMAND [ARGS...]" >&2
	exit 2
}

dir=""
child=""
# shellcheck disable=SC2317 # called by the EXIT trap
cleanup() {
	local status=$?
	trap - EXIT INT TERM
	stop_pid "$child"
	if [ -n "$dir" ]; then
		"$ctl" stop "$dir" || true
		rm -rf "$dir"
	fi
	exit "$status"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

t0=${EPOCHREALTIME/./}
dir=$(mktemp -d "${TMPDIR:-/tmp}/blogd-mariadb.XXXXXX")
"$ctl" start "$dir" auto --fast

password=$(openssl rand -hex 16)
"$ctl" sql "$dir" <<EOF
CREATE USER 'blogd'@'127.0.0.1' IDENTIFIED BY '$password';
CREATE USER 'blogd'@'localhost' IDENTIFIED BY '$password';
GRANT ALL ON \`blogd%\`.* TO 'blogd'@'127.0.0.1';
GRANT ALL ON \`blogd%\`.* TO 'blogd'@'localhost';
CREATE DATABASE blogd;
EOF

printf '#!/bin/sh\nexec "%s" start "%s"\n' "$ctl" "$dir" >"$dir/start"
printf '#!/bin/sh\nexec "%s" stop "%s"\n' "$ctl" "$dir" >"$dir/stop"
chmod 755 "$dir/start" "$dir/stop"

export BLOGD_TEST_DB_HOST=127.0.0.1
BLOGD_TEST_DB_PORT=$(cat "$dir/port")
export BLOGD_TEST_DB_PORT
export BLOGD_TEST_DB_SOCKET=$dir/mysqld.sock
export BLOGD_TEST_DB_USER=blogd
export BLOGD_TEST_DB_PASSWORD=$password
export BLOGD_TEST_DB_NAME=blogd
export BLOGD_TEST_DB_DIR=$dir
export BLOGD_TEST_DB_ROOT_CNF=$dir/my.cnf
export BLOGD_TEST_DB_START=$dir/start
export BLOGD_TEST_DB_STOP=$dir/stop
ms=$(((${EPOCHREALTIME/./} - t0) / 1000))
echo "with-mariadb: MariaDB ready on 127.0.0.1:$BLOGD_TEST_DB_PORT in $ms ms" >&2

# In the background so that a TERM reaches the trap at once (bash runs
# traps only between commands); stdin is handed on explicitly because a
# background job would otherwise read /dev/null.
"$@" <&0 &
child=$!
status=0
wait "$child" || status=$?
child=""
exit "$status"
