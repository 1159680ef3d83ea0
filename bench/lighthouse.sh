#!/usr/bin/env bash
# bench/lighthouse.sh: Lighthouse's four scores (performance, accessibility,
# best practices, SEO; mobile, its default) for the home page, a post, a
# tag page, a search and the login page.
#
# Builds blogd (Release) into build-bench/, starts a private MariaDB
# (scripts/with-mariadb.sh), migrates and seeds it (bench/seed.sh), serves
# the source tree's templates and static files on a free 127.0.0.1 port
# and runs Lighthouse (npm, installed into bench/lighthouse/ on first use,
# pinned by its package-lock.json) with Debian's Chromium on each page, one
# at a time. Prints a table of scores; the JSON reports stay in
# $BENCH_LIGHTHOUSE_OUT (default build-bench/lighthouse/). Scores are
# reported, not asserted: they move with the machine's load.
#
# Plain HTTP by default; BENCH_LIGHTHOUSE_HTTPS=1 serves HTTPS with a
# throwaway certificate (hence --ignore-certificate-errors).
set -euo pipefail
cd "$(dirname "$0")/.."
root=$(pwd)
# shellcheck source=bench/lib.sh
. bench/lib.sh

if [ -z "${BLOGD_TEST_DB_DIR:-}" ]; then
	for tool in chromium node npm curl; do
		command -v "$tool" >/dev/null || {
			echo "bench: $tool is missing (scripts/deps.sh test)" >&2
			exit 1
		}
	done
	[ -x bench/lighthouse/node_modules/.bin/lighthouse ] ||
		(cd bench/lighthouse && npm ci --no-audit --no-fund --silent)
	bench_build
	exec scripts/with-mariadb.sh "$0" "$@"
fi

blogd=$root/build-bench/blogd
out=${BENCH_LIGHTHOUSE_OUT:-$root/build-bench/lighthouse}
work=$BLOGD_TEST_DB_DIR/bench
mkdir -p "$work/webroot" "$out"
port=$(free_port)
scheme=http
listen=""
if [ "${BENCH_LIGHTHOUSE_HTTPS:-0}" = 1 ]; then
	bench_cert "$work"
	scheme=https
	listen=127.0.0.1:$(free_port)
fi
base=$scheme://127.0.0.1:$port
[ "$scheme" = http ] || base=https://$listen
conf=$work/blogd.conf
{
	cat <<CONF
[server]
http_listen = 127.0.0.1:$port
https_listen = $listen

[tls]
certificate = ${listen:+$work/cert.pem}
key = ${listen:+$work/key.pem}

[site]
title = Bench blog
base_url = $base
description = A benchmark blog: a thousand posts about servers.

CONF
	bench_conf_common "$root" "$work/webroot"
} >"$conf"

"$blogd" migrate -c "$conf" >/dev/null
bench/seed.sh --defaults-file="$BLOGD_TEST_DB_ROOT_CNF" "$BLOGD_TEST_DB_NAME"
bench_start_blogd "$blogd" "$conf" "$port" "$work/access.log" "$work/error.log"

pages=("/" "/posts/bench-0500" "/tags/performance" "/search?q=test"
	"/admin/login")
printf '\n%-20s %5s %5s %5s %5s   (Lighthouse %s, mobile, %s)\n' URL perf \
	a11y best seo "$(bench/lighthouse/node_modules/.bin/lighthouse --version)" \
	"$scheme"
for p in "${pages[@]}"; do
	code=$(curl -sk -o /dev/null -w '%{http_code}' "$base$p")
	[ "$code" = 200 ] || {
		echo "bench: GET $p answered $code, not 200" >&2
		exit 1
	}
	name=$(printf '%s' "$p" | tr -c 'A-Za-z0-9' '_')
	CHROME_PATH=/usr/bin/chromium \
		bench/lighthouse/node_modules/.bin/lighthouse "$base$p" --quiet \
		--only-categories=performance,accessibility,best-practices,seo \
		--chrome-flags="--headless=new --ignore-certificate-errors --no-sandbox" \
		--output=json --output-path="$out/$name.json"
	node -e '
		const r = JSON.parse(require("fs").readFileSync(process.argv[1]));
		const c = r.categories;
		const s = (k) => String(Math.round(c[k].score * 100));
		const failed = Object.values(r.audits).filter((a) =>
		    a.score !== null && a.score < 1 &&
		    a.scoreDisplayMode === "binary").map((a) => a.id);
		console.log(process.argv[2].padEnd(20),
		    [s("performance"), s("accessibility"),
		     s("best-practices"), s("seo")].map((x) =>
		        x.padStart(5)).join(" "),
		    failed.length ? "  failed: " + failed.join(", ") : "");
	' "$out/$name.json" "$p"
done
