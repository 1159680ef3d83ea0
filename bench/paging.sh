#!/usr/bin/env bash
# bench/paging.sh: how list pages cost with depth, on a large blog.
#
# Seeds BENCH_POSTS posts (default 100,000; bench/seed.sh, 1-3 of 20 tags
# each), starts blogd with the page cache off so every request queries
# MariaDB, and measures the home page and the busiest tag's page at page 1
# and page 500 (10 posts a page):
#   wrk -t1 -c1 -d3s --latency URL   (one client: the time of one page)
#   wrk -t2 -c16 -d3s URL            (throughput with a few clients)
# Prints p50/p99 of the first and req/s of the second for each URL.
set -euo pipefail
cd "$(dirname "$0")/.."
root=$(pwd)

# shellcheck source=bench/lib.sh
. bench/lib.sh
bench_enter wrk curl openssl

blogd=${BLOGD_BIN:-$root/build-bench/blogd}
work=$BLOGD_TEST_DB_DIR/paging
mkdir -p "$work/webroot"
bench_cert "$work"
port=$(free_port)
bench_conf "$work/blogd.conf" "$work" "$port" "" \
	"$(printf '[cache]\nenabled = false')"
"$blogd" migrate -c "$work/blogd.conf" >/dev/null
BENCH_POSTS=${BENCH_POSTS:-100000} bench/seed.sh \
	--defaults-file="$BLOGD_TEST_DB_ROOT_CNF" "$BLOGD_TEST_DB_NAME"
read -r tag count < <(mariadb --defaults-file="$BLOGD_TEST_DB_ROOT_CNF" \
	-N -B -e "SELECT t.name, COUNT(*) FROM tags t JOIN post_tags pt
	ON pt.tag_id = t.id GROUP BY t.id ORDER BY 2 DESC LIMIT 1" \
	"$BLOGD_TEST_DB_NAME")
bench_start_blogd "$blogd" "$work/blogd.conf" "$port" "$work/access.log" \
	"$work/error.log"
base=http://127.0.0.1:$port
echo "bench: tag '$tag' has $count posts" >&2

printf '%-28s %10s %10s %12s\n' "" "p50 (1 c)" "p99 (1 c)" "req/s (16 c)"
for target in / "/?page=500" "/tags/$tag" "/tags/$tag?page=500"; do
	code=$(curl -s -o /dev/null -w '%{http_code}' "$base$target")
	[ "$code" = 200 ] || {
		echo "bench: $target answered $code" >&2
		exit 1
	}
	one=$(wrk -t1 -c1 -d3s --latency "$base$target")
	many=$(wrk -t2 -c16 -d3s "$base$target")
	printf '%-28s %10s %10s %12s\n' "$target" \
		"$(awk '$1 == "50%" { print $2 }' <<<"$one")" \
		"$(awk '$1 == "99%" { print $2 }' <<<"$one")" \
		"$(awk '/^Requests\/sec:/ { printf "%.0f", $2 }' <<<"$many")"
done
