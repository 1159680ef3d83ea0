#!/usr/bin/env bash
# bench/statements.sh: what each of blogd's hot statements costs MariaDB.
#
# Builds bench/statements.c (libmariadb) and blogd (Release, for the
# migrations), starts a private MariaDB, migrates and seeds it as
# bench/http.sh does (1,000 posts, 10 comments each), then runs each
# statement below BENCH_RUNS times in a row (20,000) over the unix socket
# and prints the wall time and the server's CPU time (mariadbd's, from
# /proc) per run. The statements are the page's as blogd sends them, with
# literals in place of the placeholders, beside the cheaper and dearer
# forms that docs/DEPENDENCIES.md compares them with.
set -euo pipefail
cd "$(dirname "$0")/.."
root=$(pwd)
# shellcheck source=bench/lib.sh
. bench/lib.sh
bench_build_client statements
bench_enter

blogd=${BLOGD_BIN:-$root/build-bench/blogd}
work=$BLOGD_TEST_DB_DIR/bench-statements
mkdir -p "$work"
conf=$work/blogd.conf
bench_conf_http "$conf" "$(free_port)" "$work"
"$blogd" migrate -c "$conf" >/dev/null
bench/seed.sh --defaults-file="$BLOGD_TEST_DB_ROOT_CNF" "$BLOGD_TEST_DB_NAME"
id=$(mariadb --defaults-file="$BLOGD_TEST_DB_ROOT_CNF" -N -B \
	-e "SELECT id FROM posts WHERE slug = 'bench-0500'" "$BLOGD_TEST_DB_NAME")

cols="p.id, p.slug, p.title, p.excerpt, u.name, p.status, p.published_at,
p.created_at, p.updated_at, p.kind, p.excerpt_html,
p.published_at > UTC_TIMESTAMP()"
visible="p.status = 'published' AND p.published_at <= UTC_TIMESTAMP()"
list="FROM posts p FORCE INDEX (posts_status_published)
WHERE p.kind = 'post' AND $visible
ORDER BY p.published_at DESC, p.id DESC LIMIT 11"
tags="(SELECT GROUP_CONCAT(t.name ORDER BY t.name SEPARATOR ',')
FROM post_tags pt JOIN tags t ON t.id = pt.tag_id WHERE pt.post_id = p.id)"
post_from="FROM posts p JOIN users u ON u.id = p.author_id"
post_where="WHERE p.slug = 'bench-0500' AND p.kind = 'post' AND $visible"

"$root/build-bench/statements" "$BLOGD_TEST_DB_SOCKET" \
	"$BLOGD_TEST_DB_NAME" "$BLOGD_TEST_DB_USER" "$BLOGD_TEST_DB_PASSWORD" \
	"$(cat "$BLOGD_TEST_DB_DIR/server.pid")" "${BENCH_RUNS:-20000}" \
	"SELECT 1" \
	"SELECT id FROM posts WHERE id = $id" \
	"SELECT p.id $list" \
	"SELECT p.id, p.slug, p.title, p.excerpt, p.author_id, p.status,
p.published_at, p.created_at, p.updated_at, p.kind, p.excerpt_html $list" \
	"SELECT $cols, NULL, NULL FROM posts p
FORCE INDEX (posts_status_published) LEFT JOIN users u ON u.id = p.author_id
WHERE p.kind = 'post' AND $visible
ORDER BY p.published_at DESC, p.id DESC LIMIT 11" \
	"SELECT p.id, $tags FROM posts p WHERE p.id = $id" \
	"SELECT $cols, p.body_html, NULL, p.tag_names, c.id, c.name, c.body,
c.created_at $post_from LEFT JOIN comments c ON c.post_id = p.id
AND c.status = 'approved' $post_where" \
	"SELECT $cols, p.body_html, NULL, $tags, NULL, NULL, NULL, NULL, 0
$post_from $post_where UNION ALL SELECT NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL,
NULL, NULL, NULL, NULL, NULL, c.id, c.name, c.body, c.created_at, 1
FROM posts p JOIN comments c ON c.post_id = p.id
WHERE p.slug = 'bench-0500' AND p.kind = 'post' AND $visible
AND c.status = 'approved'"
