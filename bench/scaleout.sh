#!/usr/bin/env bash
# bench/scaleout.sh: haproxy in front of 1 or 2 blogd, with and without a
# read replica, page cache off.
#
# Builds blogd (Release) into build-bench/ (or uses BLOGD_BIN), starts two
# private MariaDB servers (scripts/mariadb-ctl.sh: a primary with a binary
# log and a GTID replica of it, under a temp dir, 127.0.0.1 only), seeds
# the primary (bench/seed.sh: 1,000 posts, 10 comments each) and waits for
# the replica to have it. Then for each of
#   1 blogd, primary only   2 blogd, primary only
#   1 blogd, + replica      2 blogd, + replica
# it starts the blogd instances ([cache] enabled = false: every request
# queries and renders) and haproxy (round robin, keep-alive to the
# servers) on free loopback ports and runs
#   wrk -t2 -c64 -dBENCH_DURATION
# through haproxy on / and on a post page. It prints req/s, the ratio of 2
# blogd to 1, and where the time went: CPU seconds per 1,000 requests of
# blogd, haproxy and each mariadbd (from /proc), and the SELECTs per
# request each server ran (Com_select). Everything shares one machine's
# cores, so the ratios say how the work divides, not how far more
# machines would scale. Stops everything it started.
#
# Environment: BENCH_DURATION (5s), BENCH_CONNECTIONS (64), BLOGD_BIN.
set -euo pipefail
cd "$(dirname "$0")/.."
root=$(pwd)
# shellcheck source=bench/lib.sh
. bench/lib.sh

for tool in wrk haproxy curl mariadb; do
	command -v "$tool" >/dev/null || {
		echo "bench: $tool is missing (scripts/deps.sh test)" >&2
		exit 1
	}
done
[ -n "${BLOGD_BIN:-}" ] || bench_build
blogd=${BLOGD_BIN:-$root/build-bench/blogd}
duration=${BENCH_DURATION:-5s}
conns=${BENCH_CONNECTIONS:-64}
ctl=$root/scripts/mariadb-ctl.sh

work=$(mktemp -d "${TMPDIR:-/tmp}/blogd-scaleout.XXXXXX")
# shellcheck disable=SC2317 # called by the EXIT trap
cleanup() {
	bench_stop_all
	"$ctl" stop "$work/replica" || true
	"$ctl" stop "$work/primary" || true
	rm -rf "$work"
}
trap cleanup EXIT

echo "bench: starting a primary and a replica" >&2
"$ctl" start "$work/primary" auto --fast --server-id 1
"$ctl" start "$work/replica" auto --fast --server-id 2
"$ctl" replicate "$work/replica" "$work/primary"
password=$(openssl rand -hex 16)
"$ctl" sql "$work/primary" -e "
	CREATE USER 'blogd'@'127.0.0.1' IDENTIFIED BY '$password';
	GRANT ALL ON blogd.* TO 'blogd'@'127.0.0.1';
	GRANT REPLICA MONITOR ON *.* TO 'blogd'@'127.0.0.1';
	CREATE DATABASE blogd"
pport=$(cat "$work/primary/port")
rport=$(cat "$work/replica/port")
mkdir -p "$work/webroot"

# conf FILE PORT REPLICAS
conf() {
	cat >"$1" <<CONF
[server]
http_listen = 127.0.0.1:$2
per_ip_connections = 1000

[site]
title = Bench blog
base_url = http://127.0.0.1:$2

[database]
host = 127.0.0.1
port = $pport
name = blogd
user = blogd
password = $password
replicas = $3

[cache]
enabled = false

[paths]
templates = $root/templates
static = $root/static
migrations = $root/sql
webroot = $work/webroot

[log]
level = warn
CONF
}

conf "$work/setup.conf" "$(free_port)" ""
"$blogd" migrate -c "$work/setup.conf" >/dev/null
bench/seed.sh --defaults-file="$work/primary/my.cnf" blogd
want=$("$ctl" sql "$work/primary" -N -B -e "SELECT COUNT(*) FROM blogd.comments")
for ((i = 0; i < 600; i++)); do
	got=$("$ctl" sql "$work/replica" -N -B \
		-e "SELECT COUNT(*) FROM blogd.comments" 2>/dev/null || echo 0)
	[ "$got" = "$want" ] && break
	sleep 0.1
done
[ "$got" = "$want" ] || {
	echo "bench: the replica did not catch up ($got of $want comments)" >&2
	exit 1
}

# cpu PID...: user + system CPU ticks of the processes, summed.
cpu() {
	local p sum=0 f
	for p in "$@"; do
		read -ra f <"/proc/$p/stat"
		# Fields 14 and 15 (utime, stime), counting from 1; the
		# command name (field 2) has no spaces here.
		sum=$((sum + f[13] + f[14]))
	done
	echo "$sum"
}

selects() {
	"$ctl" sql "$1" -N -B -e "SHOW GLOBAL STATUS LIKE 'Com_select'" |
		awk '{ print $2 }'
}

# start_haproxy PORT SERVER_PORT...: sets haproxy_pid once it answers.
start_haproxy() {
	local port=$1 i=0 s
	shift
	{
		cat <<CFG
global
	maxconn 4096
defaults
	mode http
	timeout connect 5s
	timeout client 30s
	timeout server 30s
	option http-keep-alive
frontend fe
	bind 127.0.0.1:$port
	default_backend be
backend be
	balance roundrobin
	http-reuse always
CFG
		for s in "$@"; do
			i=$((i + 1))
			printf '\tserver b%d 127.0.0.1:%d maxconn 64\n' "$i" "$s"
		done
	} >"$work/haproxy.cfg"
	haproxy -q -f "$work/haproxy.cfg" &
	haproxy_pid=$!
	bench_pids+=("$haproxy_pid")
	wait_healthz "$haproxy_pid" "http://127.0.0.1:$port" /dev/null
}

slug=bench-0500
tick=$(getconf CLK_TCK)
declare -A rps
printf '\n%-9s %-9s %-18s %9s  %s\n' blogd replica URL req/s \
	"CPU s per 1,000 req (blogd haproxy primary replica), SELECTs/req (primary replica)"
for replica in no yes; do
	for n in 1 2; do
		blogd_pids=()
		ports=()
		for ((k = 0; k < n; k++)); do
			port=$(free_port)
			list=""
			[ "$replica" = no ] || list=127.0.0.1:$rport
			conf "$work/b$k.conf" "$port" "$list"
			bench_start_blogd "$blogd" "$work/b$k.conf" "$port" \
				"$work/access-$k.log" "$work/error-$k.log"
			blogd_pids+=("$bench_blogd_pid")
			ports+=("$port")
			# The replica is in service after its first check.
			[ "$replica" = no ] || for ((i = 0; i < 50; i++)); do
				curl -s "http://127.0.0.1:$port/metrics" |
					grep -q '^blogd_db_replica_up{.*} 1' && break
				sleep 0.1
			done
		done
		hport=$(free_port)
		start_haproxy "$hport" "${ports[@]}"
		for u in / "/posts/$slug"; do
			wrk -t2 -c"$conns" -d1s "http://127.0.0.1:$hport$u" >/dev/null
			c0=$(cpu "${blogd_pids[@]}")
			h0=$(cpu "$haproxy_pid")
			p0=$(cpu "$(cat "$work/primary/server.pid")")
			r0=$(cpu "$(cat "$work/replica/server.pid")")
			sp0=$(selects "$work/primary")
			sr0=$(selects "$work/replica")
			out=$(wrk -t2 -c"$conns" -d"$duration" \
				"http://127.0.0.1:$hport$u")
			req=$(awk '/requests in/ { print $1 }' <<<"$out")
			r=$(awk '/^Requests\/sec:/ { printf "%.0f", $2 }' <<<"$out")
			rps[$replica$n$u]=$r
			awk -v req="$req" -v t="$tick" \
				-v b="$(($(cpu "${blogd_pids[@]}") - c0))" \
				-v h="$(($(cpu "$haproxy_pid") - h0))" \
				-v p="$(($(cpu "$(cat "$work/primary/server.pid")") - p0))" \
				-v q="$(($(cpu "$(cat "$work/replica/server.pid")") - r0))" \
				-v sp="$(($(selects "$work/primary") - sp0))" \
				-v sr="$(($(selects "$work/replica") - sr0))" \
				-v n="$n" -v rep="$replica" -v u="$u" -v r="$r" 'BEGIN {
				if (req <= 0)
					req = 1
				k = 1000 / req / t
				printf "%-9s %-9s %-18s %9s  %.2f %.2f %.2f %.2f   %.1f %.1f\n",
					n, rep, u, r, b * k, h * k, p * k, q * k,
					sp / req, sr / req
			}'
		done
		bench_stop_all
	done
done

echo
echo "2 blogd / 1 blogd (same haproxy, same machine, $(nproc) cores):"
for replica in no yes; do
	for u in / "/posts/$slug"; do
		printf '  replica %-4s %-18s %s\n' "$replica" "$u" \
			"$(bench_ratio "${rps[$replica"2"$u]}" "${rps[$replica"1"$u]}")"
	done
done
