#!/usr/bin/env bash
# bench/seed.sh [MARIADB CLIENT ARGS...] DATABASE
#
# Fills a migrated blogd database with a benchmark data set: 1,000
# published posts (Markdown body, the HTML and excerpt blogd would store,
# published over the last ~18 months), 20 tags with 1-3 per post and 10
# approved comments per post, written by a user `bench` who cannot log in.
# Runs again cleanly: earlier bench-* posts are replaced. The arguments go
# to the mariadb client, e.g.
#   bench/seed.sh --defaults-file=$BLOGD_TEST_DB_ROOT_CNF blogd
set -euo pipefail

[ $# -ge 1 ] || {
	echo "usage: bench/seed.sh [mariadb client args...] DATABASE" >&2
	exit 2
}
posts=${BENCH_POSTS:-1000}
t0=$SECONDS

# One awk program writes all the SQL: multi-row INSERTs of 100 rows inside
# one transaction, then set-based INSERT ... SELECT for tags and comments.
awk -v posts="$posts" '
function pick(arr, n) { return arr[int(rand() * n) + 1] }
function sentence(   s, k, n) {
	n = 8 + int(rand() * 10)
	s = pick(W, nw)
	s = toupper(substr(s, 1, 1)) substr(s, 2)
	for (k = 1; k < n; k++)
		s = s " " pick(W, nw)
	return s "."
}
function paragraph(   p, k) {
	p = sentence()
	for (k = 1; k < 4 + int(rand() * 3); k++)
		p = p " " sentence()
	return p
}
function q(s) {
	gsub(/\\/, "\\\\", s); gsub(/\047/, "\\\047", s); gsub(/\n/, "\\n", s)
	return "\047" s "\047"
}
BEGIN {
	srand(42)
	nw = split("server request latency thread socket kernel buffer cache " \
	    "index query page template render handshake certificate cipher " \
	    "session cookie token header body stream queue pool connection " \
	    "epoll event loop memory allocation profile benchmark release " \
	    "deploy config markdown feed comment author database replica " \
	    "schema migration backup restore metric histogram tail throughput " \
	    "the a of and to in with for on that is fast small simple careful",
	    W, " ")
	nt = split("c linux networking databases tls performance security " \
	    "testing markdown http web ops systemd mariadb design tools " \
	    "debugging notes releases history", T, " ")

	print "SET NAMES utf8mb4;"
	print "SET foreign_key_checks = 1, unique_checks = 1;"
	print "START TRANSACTION;"
	print "INSERT IGNORE INTO users (name, password_hash, is_admin) " \
	    "VALUES (\047bench\047, \047!\047, 0);"
	print "SET @author = (SELECT id FROM users WHERE name = \047bench\047);"
	print "DELETE FROM posts WHERE slug LIKE \047bench-%\047;"
	for (t = 1; t <= nt; t++)
		print "INSERT IGNORE INTO tags (name) VALUES (" q(T[t]) ");"
	print "CREATE TEMPORARY TABLE bench_post_tags " \
	    "(slug VARCHAR(80), tag VARCHAR(64));"

	for (i = 1; i <= posts; i++) {
		title = sentence()
		title = substr(title, 1, length(title) - 1)
		if (length(title) > 70)
			title = substr(title, 1, 70)
		sub(/ +$/, "", title)
		slug = sprintf("bench-%04d", i)
		p1 = paragraph(); p2 = paragraph(); p3 = paragraph()
		p4 = paragraph(); item1 = sentence(); item2 = sentence()
		h = pick(W, nw) " " pick(W, nw)
		md = p1 "\n\n## " h "\n\n" p2 \
		    "\n\n- " item1 "\n- " item2 "\n\n" p3 "\n\n" \
		    "```\nwrk -t2 -c64 -d10s http://127.0.0.1:8080/\n```\n\n" p4 "\n"
		html = "<p>" p1 "</p>\n<h2>" h "</h2>\n<p>" p2 "</p>\n<ul>\n<li>" item1 "</li>\n<li>" item2 \
		    "</li>\n</ul>\n<p>" p3 "</p>\n<pre><code>wrk -t2 -c64 -d10s " \
		    "http://127.0.0.1:8080/\n</code></pre>\n<p>" p4 "</p>\n"
		ex = substr(p1, 1, 200)
		sub(/ [^ ]*$/, "", ex)
		ex = ex "…"
		# Newest first: post 1 is the oldest, one every ~13 hours.
		age = (posts - i) * 13
		if ((i - 1) % 100 == 0)
			printf "INSERT INTO posts (slug, title, body_md, body_html, " \
			    "excerpt, author_id, status, published_at, created_at, " \
			    "updated_at) VALUES\n"
		printf "(%s, %s, %s, %s, %s, @author, \047published\047, " \
		    "NOW() - INTERVAL %d HOUR, NOW() - INTERVAL %d HOUR, " \
		    "NOW() - INTERVAL %d HOUR)%s\n", q(slug), q(title), q(md),
		    q(html), q(ex), age, age, age,
		    (i % 100 == 0 || i == posts) ? ";" : ","
		n = 1 + int(rand() * 3)
		for (k = 0; k < n; k++)
			pt = pt (pt == "" ? "" : ",") "(" q(slug) "," \
			    q(T[(i * 7 + k * 5) % nt + 1]) ")"
		if (i % 100 == 0 || i == posts) {
			print "INSERT INTO bench_post_tags VALUES " pt ";"
			pt = ""
		}
	}
	# Each link carries the date of its post, as blogd writes it (the
	# posts are all published; sql/002_post_tags_published.sql).
	print "INSERT IGNORE INTO post_tags (post_id, tag_id, published_at) " \
	    "SELECT p.id, t.id, p.published_at FROM bench_post_tags b " \
	    "JOIN posts p ON p.slug = b.slug JOIN tags t ON t.name = b.tag;"
	# Ten comments per post, one hour apart after publication.
	printf "INSERT INTO comments (post_id, name, body, status, created_at, " \
	    "client_ip) SELECT p.id, CONCAT(\047reader \047, n.k), " \
	    "CONCAT(\047Comment \047, n.k, \047 on \047, p.title, " \
	    "\047.\\nThanks for writing this up.\047), \047approved\047, " \
	    "p.published_at + INTERVAL n.k HOUR, \047127.0.0.1\047 " \
	    "FROM posts p JOIN (SELECT 1 k"
	for (k = 2; k <= 10; k++)
		printf " UNION ALL SELECT %d", k
	print ") n WHERE p.slug LIKE \047bench-%\047;"
	print "UPDATE content_version SET version = version + 1 WHERE id = 1;"
	print "COMMIT;"
}' | mariadb "$@"

count() {
	mariadb "$@" -N -B -e "SELECT (SELECT COUNT(*) FROM posts WHERE slug LIKE 'bench-%'), (SELECT COUNT(*) FROM comments c JOIN posts p ON p.id = c.post_id WHERE p.slug LIKE 'bench-%'), (SELECT COUNT(*) FROM post_tags)"
}
read -r np nc ntags < <(count "$@")
echo "seed: $np posts, $nc comments, $ntags post tags in $((SECONDS - t0)) s" >&2
