#!/usr/bin/env bash
# The layers of docs/ARCHITECTURE.md, checked on the #include lines: a
# lower layer never includes a header of a higher one (where it needs
# something from above, the higher layer registers a hook at start-up).
# libmicrohttpd stays inside src/http. Prints every offending line and
# fails; a directory of the table that no
# longer exists fails too, so that a move cannot switch a rule off.
#
# Usage: tests/layers.sh [SOURCE_DIR]
set -euo pipefail

cd "${1:-$(dirname "$0")/..}"

# The headers of each layer above the base (util/, log.c, config.c), by the
# name they are included under.
declare -A layer=(
	[db]="db.h"
	[model]="model.h model_acme.h import.h"
	[tmpl]="tmpl.h tmpl_keys.h"
	[http]="http.h http_shared.h router.h form.h static.h metrics.h conns.h proxy.h"
	[tls]="tls.h tls_front.h acme_keys.h"
	[auth]="csrf.h session.h password.h throttle.h"
	[cache]="page_cache.h"
	[handlers]="handlers.h page.h admin.h post_page.h"
	[acme]="acme.h client.h"
	[programs]="app.h cli.h common.h django.h"
)

# Directory or file: the layers it must not include.
rules=(
	"src/util       db model tmpl http tls auth cache handlers acme programs"
	"src/log.c      db model tmpl http tls auth cache handlers acme programs"
	"src/config.c   db model tmpl http tls auth cache handlers acme programs"
	"src/db         model tmpl http tls auth cache handlers acme programs"
	"src/model      tmpl http tls auth cache handlers acme programs"
	"src/tmpl       db model http tls auth cache handlers acme programs"
	"src/http       db model tmpl tls auth cache handlers acme programs"
	"src/tls        db model tmpl auth cache handlers acme programs"
)

bad=0
for rule in "${rules[@]}"; do
	read -r where forbidden <<<"$rule"
	if [ ! -e "$where" ]; then
		echo "layers.sh: $where is in the table but does not exist" >&2
		bad=1
		continue
	fi
	files=$(find "$where" -type f \( -name '*.c' -o -name '*.cc' \
		-o -name '*.h' \) | sort)
	for l in $forbidden; do
		for h in ${layer[$l]}; do
			# grep -H: the file name even when there is one file.
			hits=$(grep -Hn -E "^[[:space:]]*#[[:space:]]*include[[:space:]]*\"$h\"" \
				$files || true)
			if [ -n "$hits" ]; then
				sed "s|\$|   <- $where must not include $l|" <<<"$hits"
				bad=1
			fi
		done
	done
done
# libmicrohttpd is http's alone: no other directory includes it, and no
# interface header names its types (http hands out opaque ones).
hits=$(grep -rHn -E '^[[:space:]]*#[[:space:]]*include[[:space:]]*<microhttpd\.h>' \
	--include='*.c' --include='*.cc' --include='*.h' src include |
	grep -v '^src/http/' || true)
if [ -n "$hits" ]; then
	sed 's|$|   <- only src/http may include <microhttpd.h>|' <<<"$hits"
	bad=1
fi
hits=$(grep -Hn -E '\bMHD_[A-Za-z]' include/*.h || true)
if [ -n "$hits" ]; then
	sed 's|$|   <- no MHD type in include/ (http.h keeps them private)|' <<<"$hits"
	bad=1
fi

if [ "$bad" -ne 0 ]; then
	echo "layers.sh: layering broken (see docs/ARCHITECTURE.md)" >&2
	exit 1
fi
echo "layers.sh: ${#rules[@]} rules and the libmicrohttpd rule hold"
