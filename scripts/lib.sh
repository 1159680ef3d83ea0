# shellcheck shell=bash
# scripts/lib.sh: shell functions shared by scripts/ and bench/. Source it;
# it runs nothing by itself.

# stop_pid PID: SIGTERM to PID, a child of this shell, if it still runs,
# then waits for it. An empty PID is nothing to stop.
stop_pid() {
	if [ -n "$1" ] && kill -0 "$1" 2>/dev/null; then
		kill -TERM "$1" 2>/dev/null || true
		wait "$1" 2>/dev/null || true
	fi
}

# free_port: prints a TCP port on 127.0.0.1 that nothing listens on, or
# exits the script when 50 random tries found none.
free_port() {
	local p
	for _ in $(seq 50); do
		p=$((20000 + RANDOM % 40000))
		if ! (exec 3<>"/dev/tcp/127.0.0.1/$p") 2>/dev/null; then
			echo "$p"
			return
		fi
	done
	echo "no free port on 127.0.0.1" >&2
	exit 1
}

# wait_healthz PID URL ERRLOG: waits up to 10 s for URL/healthz to answer
# 2xx; exits the script with ERRLOG on stderr when PID dies or time is up.
wait_healthz() {
	local i
	for ((i = 0; i < 100; i++)); do
		curl -fs -o /dev/null "$2/healthz" && return
		kill -0 "$1" 2>/dev/null || break
		sleep 0.1
	done
	echo "blogd did not start:" >&2
	cat "$3" >&2
	exit 1
}
