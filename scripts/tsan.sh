#!/usr/bin/env bash
# scripts/tsan.sh: ThreadSanitizer build (build-tsan/) running the unit
# tests and the integration tests whose code runs on several threads at
# once: the workers, the page cache and its poller, the TLS front and its
# ticket-key thread, shutdown and database outages, /metrics, restarts,
# proxies, the lingering close (http_strict) and the static versions a
# SIGHUP swaps under running requests (static). A race stops blogd
# (halt_on_error) and fails its test; the report is in build-tsan/tsan.PID. Kept apart from scripts/test.sh for
# time (docs/HACKING.md): run it after changing anything that threads
# share.
set -uo pipefail
cd "$(dirname "$0")/.." || exit 1

scripts/deps.sh test || exit 1
dir=build-tsan
export TSAN_OPTIONS="halt_on_error=1 second_deadlock_stack=1 log_path=$PWD/$dir/tsan"
cmake -S . -B "$dir" -DBLOGD_TESTS=ON -DBLOGD_TSAN=ON \
	-DCMAKE_BUILD_TYPE=Debug >/dev/null || exit 1
cmake --build "$dir" -j2 || exit 1
rm -f "$dir"/tsan.*
ctest --test-dir "$dir" --output-on-failure -j2 \
	-R '^(unit/|layers$|integration/(workers|cache|tls|resilience|failover|metrics|restart|proxy|replicas|http_strict|static)$)'
rc=$?
for f in "$dir"/tsan.*; do
	[ -e "$f" ] || continue
	echo "tsan: report in $f:" >&2
	grep -m1 '^SUMMARY' "$f" >&2
	rc=1
done
exit "$rc"
