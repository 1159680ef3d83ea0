#!/usr/bin/env bash
# bench/import.sh: how long `blogd import django` takes for a large blog.
#
# Starts a private MariaDB (scripts/with-mariadb.sh), makes the Django blog
# of tests/django in a second database there (migrate, then BENCH_POSTS
# posts with 3 tags each and BENCH_COMMENTS comments, bulk-inserted through
# Django's ORM), then times a first import into an empty blogd database and
# a second one that finds nothing to change. Needs python3-django,
# python3-django-taggit and python3-mysqldb (scripts/deps.sh test).
#
# Environment: BENCH_POSTS (10000), BENCH_COMMENTS (100000), BLOGD_BIN (a
# blogd to use instead of building a Release one into build-bench/).
set -euo pipefail
cd "$(dirname "$0")/.."
root=$(pwd)
# shellcheck source=bench/lib.sh
. bench/lib.sh
bench_enter /usr/bin/python3

blogd=${BLOGD_BIN:-$root/build-bench/blogd}
posts=${BENCH_POSTS:-10000}
comments=${BENCH_COMMENTS:-100000}
work=$BLOGD_TEST_DB_DIR/bench
mkdir -p "$work/webroot"
sqlroot() { mariadb --defaults-file="$BLOGD_TEST_DB_ROOT_CNF" "$@"; }
# Seconds since $1 (a date +%s.%N).
elapsed() { awk -v a="$1" -v b="$(date +%s.%N)" 'BEGIN { printf "%.1f", b - a }'; }

sqlroot -e "CREATE DATABASE blogd_django CHARACTER SET utf8mb4"
export DJ_DB_NAME=blogd_django DJ_DB_USER=$BLOGD_TEST_DB_USER \
	DJ_DB_PASSWORD=$BLOGD_TEST_DB_PASSWORD DJ_DB_HOST=127.0.0.1 \
	DJ_DB_PORT=$BLOGD_TEST_DB_PORT
/usr/bin/python3 tests/django/manage.py migrate -v0
t0=$(date +%s.%N)
/usr/bin/python3 tests/django/fill.py bench "$posts" "$comments"
echo "django: $posts posts, $comments comments filled in $(elapsed "$t0") s"

conf=$work/blogd.conf
bench_conf_common "$root" "$work/webroot" >"$conf"
"$blogd" migrate -c "$conf" >/dev/null
url="mysql://$BLOGD_TEST_DB_USER@/blogd_django?socket=$BLOGD_TEST_DB_SOCKET"
for run in first again; do
	t0=$(date +%s.%N)
	"$blogd" import django "$url" --password-stdin -c "$conf" \
		--old-urls '/blog/{yyyy}/{m}/{d}/{slug}/' \
		<<<"$BLOGD_TEST_DB_PASSWORD" 2>/dev/null
	echo "import ($run): $(elapsed "$t0") s"
done
