#!/usr/bin/env bash
# Start and stop a private MariaDB server that lives entirely under one
# directory BASE; the system MariaDB is never read or touched.
#
#   mariadb-ctl.sh start BASE [PORT|auto] [--fast] [--server-id N]
#   mariadb-ctl.sh stop BASE
#   mariadb-ctl.sh sql BASE [mariadb client args...]   (root, over the socket)
#   mariadb-ctl.sh replicate BASE PRIMARY_BASE
#
# replicate: makes the running server of BASE a GTID replica of the one of
# PRIMARY_BASE (both started with --server-id), from the primary's
# position now: what each server did to itself at install time is not
# replayed. The replication account is made on the primary.
#
# Layout of BASE (made 0700: the socket inside is root's only way in):
#   my.cnf        server and client options (--defaults-file, nothing else)
#   mysql/        data directory, created on the first start
#   mysqld.sock   unix socket;  port  the TCP port in use (127.0.0.1 only)
#   mysqld.err    server log;   server.pid  pid of the mariadbd we started
#   tmp/          the server's tmpdir (never the shared /tmp)
#
# start: PORT is tried first, then random free ports (auto: random only);
# without PORT a restart reuses the recorded port. --fast trades durability
# for speed (no fsync): for throwaway test servers. --server-id N turns the
# binary log on (GTID replication: a primary, or a replica, of another
# server started so). Both only matter on the first start. Returns once the
# server answers. Root has no password and can only log in over the socket.
set -euo pipefail

die() {
	echo "mariadb-ctl: $*" >&2
	exit 1
}

# The pid in server.pid is ours only while it is a live mariadbd started
# with our my.cnf: a stale file may name a recycled pid after a reboot.
server_alive() {
	local pid=$1
	process_runs "$pid" || return 1
	tr '\0' ' ' <"/proc/$pid/cmdline" 2>/dev/null |
		grep -qF -- "--defaults-file=$base/my.cnf"
}

# Whether process $1 exists and has not exited (a zombie has).
process_runs() {
	local stat
	stat=$(ps -o stat= -p "$1" 2>/dev/null) || return 1
	case $stat in Z*) return 1 ;; esac
}

server_pid() {
	local pid
	[ -s "$base/server.pid" ] || return 1
	pid=$(cat "$base/server.pid")
	server_alive "$pid" || return 1
	echo "$pid"
}

ping_server() {
	mariadb-admin --defaults-file="$base/my.cnf" --connect-timeout=1 \
		ping >/dev/null 2>&1
}

port_busy() {
	(exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null
}

write_cnf() {
	local fast=$1 server_id=$2 user="" binlog="skip-log-bin"
	[ -z "$server_id" ] ||
		binlog=$(printf 'server-id = %s\nlog-bin = binlog\nbinlog-format = ROW' "$server_id")
	[ "$(id -u)" -ne 0 ] || user="user = $(id -un)"
	# A tmpdir of its own: servers sharing /tmp remove each other's
	# temporary tables (mariadb-install-db then fails with error 1051).
	mkdir -p "$base/tmp"
	{
		cat <<EOF
[mysqld]
$user
datadir = $base/mysql
socket = $base/mysqld.sock
pid-file = $base/mysqld.pid
log-error = $base/mysqld.err
tmpdir = $base/tmp
bind-address = 127.0.0.1
skip-name-resolve
$binlog
character-set-server = utf8mb4
collation-server = utf8mb4_unicode_ci
innodb-buffer-pool-size = 64M
innodb-log-file-size = 16M
innodb-buffer-pool-dump-at-shutdown = 0
innodb-buffer-pool-load-at-startup = 0
loose-feedback = OFF
EOF
		[ "$fast" = 0 ] || cat <<EOF
innodb-flush-log-at-trx-commit = 0
innodb-doublewrite = 0
innodb-flush-method = nosync
sync-binlog = 0
EOF
		cat <<EOF

[client]
socket = $base/mysqld.sock
user = root
EOF
	} >"$base/my.cnf"
}

# First start only: create the data directory. Root gets an empty password
# (method "normal") so tests need no secret, which is why every root
# account but the socket-only root@localhost is dropped once it runs.
install_db() {
	echo "mariadb-ctl: creating a MariaDB data directory in $base/mysql" >&2
	mariadb-install-db --defaults-file="$base/my.cnf" \
		--auth-root-authentication-method=normal --skip-test-db \
		>"$base/install.log" 2>&1 || {
		# The caller may remove $base on the way out: show the cause.
		cat "$base/install.log" "$base/mysqld.err" 2>/dev/null |
			grep -iE "error|fail|abort" | head -n 15 >&2
		die "mariadb-install-db failed (log above)"
	}
}

harden_root() {
	mariadb --defaults-file="$base/my.cnf" -N -B -e \
		"SELECT host FROM mysql.user WHERE user = 'root' AND host <> 'localhost'" |
		while read -r host; do
			mariadb --defaults-file="$base/my.cnf" -e \
				"DROP USER 'root'@'$host'"
		done
}

# Starts mariadbd on $1 and waits until it answers. Returns 2 when the port
# was taken under our feet (another try may succeed), 1 on other failures.
launch() {
	local port=$1 pid i
	echo "$port" >"$base/port"
	: >"$base/mysqld.err"
	# stdio must not be inherited: a caller reading our output through a
	# pipe (node's execFileSync, ctest) would wait for the server to exit.
	mariadbd --defaults-file="$base/my.cnf" --port="$port" \
		</dev/null >>"$base/mysqld.err" 2>&1 &
	pid=$!
	echo "$pid" >"$base/server.pid"
	for ((i = 0; i < 600; i++)); do
		ping_server && return 0
		# Our own child: until it has exec'd mariadbd, its command
		# line is still the shell's, so server_alive would say no.
		if ! process_runs "$pid"; then
			rm -f "$base/server.pid"
			grep -qiE 'address already in use|bind on tcp' \
				"$base/mysqld.err" && return 2
			tail -n 20 "$base/mysqld.err" >&2
			return 1
		fi
		sleep 0.05
	done
	echo "mariadb-ctl: no answer after 30 s, see $base/mysqld.err" >&2
	kill -KILL "$pid" 2>/dev/null || true
	rm -f "$base/server.pid"
	return 1
}

cmd_start() {
	local want="" fast=0 server_id="" fresh=0 port rc tries
	while [ $# -gt 0 ]; do
		case $1 in
		--fast) fast=1 ;;
		--server-id) server_id=${2:?--server-id needs a number}; shift ;;
		*) want=$1 ;;
		esac
		shift
	done
	if server_pid >/dev/null && ping_server; then
		return 0
	fi
	mkdir -p "$base"
	chmod 700 "$base"
	[ -s "$base/my.cnf" ] || write_cnf "$fast" "$server_id"
	if [ ! -d "$base/mysql/mysql" ]; then
		rm -rf "$base/mysql"
		install_db
		fresh=1
	fi
	rm -f "$base/mysqld.sock"
	if [ -z "$want" ]; then
		[ -s "$base/port" ] || die "no port recorded in $base/port"
		launch "$(cat "$base/port")" || die "mariadbd did not start"
		return 0
	fi
	for ((tries = 0; tries < 20; tries++)); do
		if [ "$want" != auto ] && [ $tries -eq 0 ]; then
			port=$want
		else
			port=$((20000 + RANDOM % 40000))
		fi
		port_busy "$port" && continue
		rc=0
		launch "$port" || rc=$?
		[ $rc -eq 0 ] && break
		[ $rc -eq 2 ] || die "mariadbd did not start"
	done
	[ $tries -lt 20 ] || die "found no free port"
	[ $fresh -eq 0 ] || harden_root
}

cmd_stop() {
	local pid i
	pid=$(server_pid) || { rm -f "$base/server.pid"; return 0; }
	kill -TERM "$pid"
	for ((i = 0; i < 1200; i++)); do
		server_alive "$pid" || break
		sleep 0.05
	done
	if server_alive "$pid"; then
		echo "mariadb-ctl: mariadbd $pid ignored TERM for 60 s, killing" >&2
		kill -KILL "$pid" 2>/dev/null || true
	fi
	rm -f "$base/server.pid"
}

cmd_replicate() {
	local primary pos password port
	primary=$(realpath -m "${1:?replicate needs PRIMARY_BASE}")
	port=$(cat "$primary/port")
	password=$(openssl rand -hex 16)
	pos=$(mariadb --defaults-file="$primary/my.cnf" -N -B \
		-e "SELECT @@gtid_binlog_pos")
	mariadb --defaults-file="$primary/my.cnf" -e "
		CREATE USER 'repl'@'127.0.0.1' IDENTIFIED BY '$password';
		GRANT REPLICATION SLAVE ON *.* TO 'repl'@'127.0.0.1'"
	mariadb --defaults-file="$base/my.cnf" -e "
		SET GLOBAL gtid_slave_pos = '$pos';
		CHANGE MASTER TO MASTER_HOST = '127.0.0.1', MASTER_PORT = $port,
			MASTER_USER = 'repl', MASTER_PASSWORD = '$password',
			MASTER_USE_GTID = slave_pos, MASTER_CONNECT_RETRY = 1;
		START SLAVE"
}

[ $# -ge 2 ] || die "usage: mariadb-ctl.sh start|stop|sql|replicate BASE [args]"
cmd=$1
base=$(realpath -m "$2")
shift 2
case $cmd in
start) cmd_start "$@" ;;
stop) cmd_stop ;;
sql) exec mariadb --defaults-file="$base/my.cnf" "$@" ;;
replicate) cmd_replicate "$@" ;;
*) die "unknown command $cmd" ;;
esac
