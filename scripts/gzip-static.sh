#!/bin/sh
# gzip-static.sh DIR: writes a .gz sibling next to every text asset under
# DIR (css, js, svg, xml, txt, html, json) that gzip makes smaller, so
# blogd can send it as is to clients that accept gzip. Run at install time
# (CMakeLists.txt) and after changing files in the static directory; a
# sibling older than its file is rewritten, one whose file is gone removed.
set -eu
[ $# -eq 1 ] && [ -d "$1" ] || {
	echo "usage: gzip-static.sh DIR" >&2
	exit 2
}
find "$1" -type f -name '*.gz' | while IFS= read -r gz; do
	[ -e "${gz%.gz}" ] || rm -f "$gz"
done
find "$1" -type f \( -name '*.css' -o -name '*.js' -o -name '*.svg' \
	-o -name '*.xml' -o -name '*.txt' -o -name '*.html' \
	-o -name '*.json' \) | while IFS= read -r f; do
	[ "$f.gz" -nt "$f" ] && continue
	# -n: no name or time inside, so the output only depends on the input.
	gzip -9 -n -c "$f" >"$f.gz.tmp"
	if [ "$(wc -c <"$f.gz.tmp")" -lt "$(wc -c <"$f")" ]; then
		touch -r "$f" "$f.gz.tmp"
		mv -f "$f.gz.tmp" "$f.gz"
	else
		rm -f "$f.gz.tmp" "$f.gz"
	fi
done
