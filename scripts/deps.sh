#!/usr/bin/env bash
# Install every Debian 12 package blogd needs to build, run and test.
# Idempotent: installs only what is missing, so both README commands call it
# every time. Usage: scripts/deps.sh [build|test]
set -euo pipefail
cd "$(dirname "$0")/.."

build_pkgs=(build-essential cmake pkg-config
	libmicrohttpd-dev libmbedtls-dev libmariadb-dev libctemplate-dev
	libcmark-dev libargon2-dev zlib1g-dev
	mariadb-server mariadb-client openssl)
test_pkgs=(libcmocka-dev curl chromium wrk apache2-utils nghttp2-client
	testssl.sh sslscan nginx-light clang libclang-rt-14-dev
	systemd libxml2-utils)

want=("${build_pkgs[@]}")
[ "${1:-build}" = test ] && want+=("${test_pkgs[@]}")
# Node runs the integration and browser tests; any node >= 18 will do, and
# the machine may already have one that did not come from Debian.
if [ "${1:-build}" = test ] && ! command -v node >/dev/null; then
	want+=(nodejs npm)
fi

missing=()
for p in "${want[@]}"; do
	dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'ok installed' ||
		missing+=("$p")
done
if [ ${#missing[@]} -gt 0 ]; then
	echo "deps: installing ${missing[*]}"
	SUDO=""
	[ "$(id -u)" -eq 0 ] || SUDO=sudo
	export DEBIAN_FRONTEND=noninteractive
	$SUDO apt-get update -qq
	$SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi

# Browser tests drive Debian's chromium with playwright-core from npm.
if [ "${1:-build}" = test ] && [ ! -d tests/e2e/node_modules/playwright-core ]; then
	(cd tests/e2e && npm install --no-audit --no-fund --silent)
fi
