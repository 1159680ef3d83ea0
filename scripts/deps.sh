#!/usr/bin/env bash
# Install every Debian package blogd needs to build, run and test.
# Idempotent: installs only what is missing, so both README commands call it
# every time. Usage: scripts/deps.sh [build|test]
#
# Two libraries must be newer than Debian 12 has: mbedtls 3.6 (TLS 1.3; 2.28
# is out of upstream support) and libmicrohttpd 1.0 (strict HTTP/1.1 framing).
# Debian 13 ships both. On an older release this script builds them from
# Debian 13's source packages, fetched with a private apt state directory
# (the system's apt sources are never touched), into .deps/prefix, which
# CMakeLists.txt searches first. The build is cached there; delete .deps/ to
# redo it.
set -euo pipefail
cd "$(dirname "$0")/.."
top=$PWD
SUDO=""
[ "$(id -u)" -eq 0 ] || SUDO=sudo

build_pkgs=(build-essential cmake pkg-config
	libmariadb-dev libctemplate-dev
	libcmark-dev libargon2-dev zlib1g-dev nettle-dev
	libcurl4-openssl-dev libjansson-dev libqrencode-dev
	mariadb-server mariadb-client openssl tzdata)
test_pkgs=(libcmocka-dev curl chromium wrk apache2-utils nghttp2-client haproxy
	testssl.sh sslscan nginx-light clang libclang-rt-14-dev
	systemd libxml2-utils pebble default-jre-headless
	python3-django python3-django-taggit python3-mysqldb
	oathtool zbar-tools haproxy)

want=("${build_pkgs[@]}")
[ "${1:-build}" = test ] && want+=("${test_pkgs[@]}")
# Node runs the integration and browser tests; any node >= 18 will do, and
# the machine may already have one that did not come from Debian.
if [ "${1:-build}" = test ] && ! command -v node >/dev/null; then
	want+=(nodejs npm)
fi

# newer_pkgs: Debian package, the least version blogd needs, the source
# package to build from on a release that has an older one.
newer_pkgs=("libmbedtls-dev 3.6 mbedtls" "libmicrohttpd-dev 1.0 libmicrohttpd")
prefix=$top/.deps/prefix
from_source=()

# candidate PKG: the version apt would install, empty if none.
candidate() {
	apt-cache policy "$1" 2>/dev/null | awk '$1 == "Candidate:" && $2 != "(none)" { print $2 }'
}

for entry in "${newer_pkgs[@]}"; do
	read -r pkg least src <<<"$entry"
	[ ! -f "$prefix/.built-$src" ] || continue
	# A new machine has no package lists yet.
	[ -n "$(candidate cmake)" ] || $SUDO apt-get update -qq
	v=$(candidate "$pkg")
	if [ -n "$v" ] && dpkg --compare-versions "$v" ge "$least"; then
		want+=("$pkg")
	else
		from_source+=("$src")
	fi
done
if [ ${#from_source[@]} -gt 0 ]; then
	# Building needs dpkg-source, and python3 for mbedtls's config.py.
	want+=(dpkg-dev xz-utils bzip2 python3)
fi

missing=()
for p in "${want[@]}"; do
	dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'ok installed' ||
		missing+=("$p")
done
if [ ${#missing[@]} -gt 0 ]; then
	echo "deps: installing ${missing[*]}"
	export DEBIAN_FRONTEND=noninteractive
	$SUDO apt-get update -qq
	$SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi

# trixie_apt ARGS...: apt-get with a private state directory whose only
# source is Debian 13 (trixie), from the same mirror as the system's.
trixie_apt() {
	local d=$top/.deps/apt
	apt-get -o Dir::Etc::sourcelist="$d/sources.list" -o Dir::Etc::sourceparts=- \
		-o Dir::State::Lists="$d/lists" -o Dir::Cache="$d/cache" \
		-o Dir::Etc::Preferences=/dev/null -o Dir::Etc::PreferencesParts=- \
		-o APT::Sandbox::User=root "$@"
}

# mirror: the Debian mirror the system uses (deb822 or one-line sources).
mirror() {
	local m
	m=$(awk '/^URIs:/ && $2 !~ /security/ { print $2; exit }' \
		/etc/apt/sources.list.d/*.sources 2>/dev/null || true)
	[ -n "$m" ] || m=$(awk '$1 == "deb" && $0 !~ /security/ {
			for (i = 2; i <= NF; i++) if ($i ~ /^[a-z]+:\/\//) { print $i; exit } }' \
		/etc/apt/sources.list 2>/dev/null || true)
	echo "${m:-http://deb.debian.org/debian}"
}

# build_mbedtls DIR: Debian's configuration (threading on) as a static,
# position-independent library.
build_mbedtls() {
	(cd "$1" &&
		for opt in MBEDTLS_THREADING_C MBEDTLS_THREADING_PTHREAD; do
			python3 scripts/config.py set "$opt"
		done &&
		cmake -S . -B build -DENABLE_TESTING=OFF -DENABLE_PROGRAMS=OFF \
			-DUSE_SHARED_MBEDTLS_LIBRARY=OFF -DUSE_STATIC_MBEDTLS_LIBRARY=ON \
			-DCMAKE_BUILD_TYPE=Release -DCMAKE_POSITION_INDEPENDENT_CODE=ON \
			-DCMAKE_INSTALL_PREFIX="$prefix" -DCMAKE_INSTALL_LIBDIR=lib >/dev/null &&
		cmake --build build -j"$(nproc)" >/dev/null &&
		cmake --install build >/dev/null)
}

# build_libmicrohttpd DIR: static, without MHD's own TLS (blogd's TLS is
# mbedtls in front of it).
build_libmicrohttpd() {
	(cd "$1" &&
		./configure --prefix="$prefix" --libdir="$prefix/lib" --disable-https \
			--disable-doc --disable-examples --disable-curl --enable-static \
			--disable-shared --with-pic >/dev/null &&
		make -j"$(nproc)" >/dev/null && make install >/dev/null)
}

if [ ${#from_source[@]} -gt 0 ]; then
	d=$top/.deps/apt
	mkdir -p "$d/lists/partial" "$d/cache/archives/partial" "$prefix"
	m=$(mirror)
	key=/usr/share/keyrings/debian-archive-keyring.gpg
	printf 'deb [signed-by=%s] %s trixie main\ndeb-src [signed-by=%s] %s trixie main\n' \
		"$key" "$m" "$key" "$m" >"$d/sources.list"
	trixie_apt update -qq
	for src in "${from_source[@]}"; do
		echo "deps: building $src from Debian 13's source package into .deps/prefix"
		work=$(mktemp -d "$top/.deps/src.XXXXXX")
		(cd "$work" && trixie_apt source -qq "$src" >/dev/null 2>&1) ||
			{ echo "deps: could not fetch the $src source package" >&2; exit 1; }
		dir=$(find "$work" -mindepth 1 -maxdepth 1 -type d | head -n 1)
		"build_$src" "$dir" || { echo "deps: building $src failed" >&2; exit 1; }
		basename "$dir" >"$prefix/.built-$src"
		rm -rf "$work"
	done
fi

# e2e_current: tests/e2e/node_modules holds every package at the version
# package-lock.json names (npm records what it installed in
# node_modules/.package-lock.json) and on disk, so a pull that adds or
# bumps one is noticed.
e2e_current() {
	(cd tests/e2e && node -e '
		const fs = require("fs");
		const want = JSON.parse(fs.readFileSync("package-lock.json")).packages;
		let have;
		try {
			have = JSON.parse(fs.readFileSync(
			    "node_modules/.package-lock.json")).packages;
		} catch {
			process.exit(1);
		}
		for (const [k, v] of Object.entries(want))
			if (k !== "" && (have[k]?.version !== v.version ||
			    !fs.existsSync(k + "/package.json")))
				process.exit(1);
	')
}

# Browser tests drive Debian's chromium with playwright-core and run
# axe-core in it; the integration tests run the Nu HTML checker (vnu-jar,
# on Java). All from npm, pinned by tests/e2e/package-lock.json.
if [ "${1:-build}" = test ] && ! e2e_current; then
	(cd tests/e2e && npm install --no-audit --no-fund --silent)
fi
