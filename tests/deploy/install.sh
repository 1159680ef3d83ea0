#!/usr/bin/env bash
# Installs a build into a scratch DESTDIR exactly as `cmake --install BUILD
# --prefix /usr` would on a server, and checks what an operator relies on:
# the FHS layout, the systemd units (verify, sandbox exposure <= 2.0), the
# sysusers/tmpfiles snippets (applied to the scratch root) and the certbot
# deploy hook. Needs root (tmpfiles chowns) and systemd-analyze; works
# without a running systemd.
#
# Usage: tests/deploy/install.sh BUILD_DIR
set -euo pipefail

max_exposure=2.0
build=${1:?usage: install.sh BUILD_DIR}
for tool in cmake systemd-analyze systemd-sysusers systemd-tmpfiles; do
	command -v "$tool" >/dev/null ||
		{ echo "install.sh: $tool missing (Debian package systemd)" >&2; exit 1; }
done

root=$(mktemp -d /tmp/blogd-install.XXXXXX)
trap 'rm -rf "$root"' EXIT
fail=0
bad() { echo "FAIL: $*" >&2; fail=1; }
ok() { echo "ok: $*"; }

# 1. Install into the scratch root.
DESTDIR=$root cmake --install "$build" --prefix /usr >"$root.log" 2>&1 ||
	{ cat "$root.log" >&2; rm -f "$root.log"; exit 1; }
rm -f "$root.log"

# 2. Layout.
unit=usr/lib/systemd/system/blogd.service
for f in usr/sbin/blogd "$unit" usr/lib/systemd/system/blogd.socket \
	usr/lib/sysusers.d/blogd.conf \
	usr/lib/tmpfiles.d/blogd.conf usr/share/doc/blogd/blogd.conf.example \
	usr/share/doc/blogd/DEPLOY.md usr/libexec/blogd/certbot-deploy-hook; do
	if [ -f "$root/$f" ]; then ok "/$f"; else bad "/$f not installed"; fi
done
for x in usr/sbin/blogd usr/libexec/blogd/certbot-deploy-hook; do
	[ -x "$root/$x" ] || bad "/$x not executable"
done
for d in templates static sql; do
	if [ -d "$root/usr/share/blogd/$d" ] &&
		[ -n "$(ls -A "$root/usr/share/blogd/$d")" ]; then
		ok "/usr/share/blogd/$d/"
	else
		bad "/usr/share/blogd/$d/ missing or empty"
	fi
done
[ -f "$root/$unit" ] || { echo "install.sh: no unit, stopping" >&2; exit 1; }

# 3. The unit verifies against the installed tree. --root makes systemd look
# up ExecStart=/usr/sbin/blogd inside the scratch root, where it was just
# installed; the targets the unit names come from the host's unit directory
# (copied beside it, never over it), ExecReload's /bin/kill from the host.
# Any message at all counts as a failure: unknown keys only warn.
mkdir -p "$root/bin"
cp /bin/kill "$root/bin/kill"
cp -an /lib/systemd/system/. "$root/usr/lib/systemd/system/"
if out=$(systemd-analyze verify --root="$root" blogd.socket blogd.service \
	2>&1) && [ -z "$out" ]; then
	ok "systemd-analyze verify blogd.socket blogd.service"
else
	bad "systemd-analyze verify blogd.socket blogd.service: ${out:-exit status}"
fi

# 4. Sandbox exposure, offline (no running systemd needed).
sec=$(systemd-analyze security --offline=true "$root/$unit" 2>&1 || true)
exposure=$(sed -n 's/.*Overall exposure level for blogd.service: \([0-9.]*\).*/\1/p' <<<"$sec")
if [ -z "$exposure" ]; then
	bad "systemd-analyze security printed no exposure: $sec"
elif awk -v e="$exposure" -v m="$max_exposure" 'BEGIN { exit !(e <= m) }'; then
	ok "exposure $exposure (limit $max_exposure)"
else
	grep '✗' <<<"$sec" >&2 || true
	bad "exposure $exposure above $max_exposure"
fi

# 5. sysusers and tmpfiles applied to the scratch root: the blogd account,
# the webroot certbot (root) writes and everyone reads, /etc/blogd readable
# by group blogd only.
mkdir -p "$root/etc"
systemd-sysusers --root="$root" >/dev/null 2>&1 || bad "systemd-sysusers failed"
uid=$(awk -F: '$1 == "blogd" { print $3 }' "$root/etc/passwd")
gid=$(awk -F: '$1 == "blogd" { print $3 }' "$root/etc/group")
home=$(awk -F: '$1 == "blogd" { print $6 }' "$root/etc/passwd")
if [ -n "$uid" ] && [ -n "$gid" ] && [ "$home" = /var/lib/blogd ]; then
	ok "user blogd ($uid:$gid, home $home)"
else
	bad "sysusers did not create user and group blogd"
fi
systemd-tmpfiles --create --root="$root" >/dev/null 2>&1 || bad "systemd-tmpfiles failed"
expect_dir() { # path mode uid gid
	local got
	got=$(stat -c '%a %u %g' "$root$1" 2>/dev/null || echo missing)
	if [ "$got" = "$2 $3 $4" ]; then
		ok "$1 $got"
	else
		bad "$1: $got, want $2 $3 $4"
	fi
}
expect_dir /var/lib/blogd/webroot/.well-known/acme-challenge 755 0 0
expect_dir /etc/blogd 750 0 "${gid:-?}"
expect_dir /etc/blogd/tls 750 0 "${gid:-?}"

# 6. The certbot hook copies the renewed pair and reloads blogd. A fake
# systemctl records the call; group root stands in for blogd, which the
# host does not have.
lineage=$root/lineage
mkdir -p "$lineage" "$root/fakebin"
echo chain >"$lineage/fullchain.pem"
echo key >"$lineage/privkey.pem"
printf '#!/bin/sh\necho "$@" >>"%s/systemctl.log"\n' "$root" >"$root/fakebin/systemctl"
chmod +x "$root/fakebin/systemctl"
if PATH=$root/fakebin:$PATH RENEWED_LINEAGE=$lineage \
	BLOGD_TLS_DIR=$root/etc/blogd/tls BLOGD_GROUP=root \
	"$root/usr/libexec/blogd/certbot-deploy-hook"; then
	tls=$root/etc/blogd/tls
	if [ "$(stat -c %a "$tls/privkey.pem")" = 640 ] &&
		cmp -s "$lineage/privkey.pem" "$tls/privkey.pem" &&
		cmp -s "$lineage/fullchain.pem" "$tls/fullchain.pem"; then
		ok "deploy hook copied the pair (key 0640)"
	else
		bad "deploy hook: files not copied as expected"
	fi
	# No log: the hook never called systemctl (set -e must not end here).
	called=$(cat "$root/systemctl.log" 2>/dev/null || true)
	if [ "$called" = "try-reload-or-restart blogd.service" ]; then
		ok "deploy hook reloads blogd"
	else
		bad "deploy hook ran: systemctl $called"
	fi
else
	bad "deploy hook failed"
fi

[ "$fail" -eq 0 ] && echo "install.sh: all checks passed"
exit "$fail"
