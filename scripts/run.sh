#!/usr/bin/env bash
# scripts/run.sh: install what is missing, build, and serve the blog on
# http://127.0.0.1:8080 and https://127.0.0.1:8443 with a private MariaDB
# whose data lives in ./var/ (kept between runs). The first run also makes
# the database user, the configuration, a self-signed certificate, an admin
# account (its password is printed once) and a welcome post. Ctrl-C stops
# blogd and MariaDB.
#
# BLOGD_RUN_HTTP_ONLY=1 serves plain HTTP only (no https_listen).
set -euo pipefail
cd "$(dirname "$0")/.."
root=$(pwd)
# shellcheck source=scripts/lib.sh
. scripts/lib.sh
var=$root/var
ctl=$root/scripts/mariadb-ctl.sh
conf=$var/blogd.conf
blogd=$root/build/blogd

say() {
	echo "run: $*" >&2
}

scripts/deps.sh build

# The unit tests need cmocka, which only `deps.sh test` installs; build/ is
# shared with scripts/test.sh, so keep them on when they can be built.
tests=OFF
pkg-config --exists cmocka && tests=ON
cmake -S . -B build -DCMAKE_BUILD_TYPE=RelWithDebInfo -DBLOGD_SANITIZE=OFF \
	-DBLOGD_TESTS=$tests >/dev/null
cmake --build build --target blogd -j"$(nproc)"

mkdir -p "$var"
chmod 700 "$var"

blogd_pid=""
# shellcheck disable=SC2317 # called by the EXIT trap
cleanup() {
	local status=$?
	trap - EXIT INT TERM
	stop_pid "$blogd_pid"
	"$ctl" stop "$var" || true
	say "stopped"
	exit "$status"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

"$ctl" start "$var" 3307
say "MariaDB on $var/mysqld.sock (127.0.0.1:$(cat "$var/port"))"

# The password file is written only once the account exists, so an
# interrupted first run simply runs this again.
if [ ! -s "$var/db_password" ]; then
	password=$(openssl rand -hex 24)
	"$ctl" sql "$var" <<EOF
CREATE DATABASE IF NOT EXISTS blogd
	CHARACTER SET utf8mb4 COLLATE utf8mb4_unicode_ci;
CREATE OR REPLACE USER 'blogd'@'localhost' IDENTIFIED BY '$password';
GRANT ALL ON blogd.* TO 'blogd'@'localhost';
EOF
	(umask 077 && printf '%s\n' "$password" >"$var/db_password.new")
	mv "$var/db_password.new" "$var/db_password"
	say "created database blogd and its user"
fi

if [ ! -s "$var/tls/cert.pem" ] || [ ! -s "$var/tls/key.pem" ]; then
	mkdir -p "$var/tls"
	(umask 077 && openssl req -x509 -newkey ec \
		-pkeyopt ec_paramgen_curve:P-256 -nodes -days 365 \
		-subj /CN=localhost \
		-addext subjectAltName=DNS:localhost,IP:127.0.0.1 \
		-keyout "$var/tls/key.pem" -out "$var/tls/cert.pem" 2>/dev/null)
	say "made a self-signed certificate in $var/tls/"
fi

mkdir -p "$var/webroot"
if [ ! -s "$conf" ]; then
	cat >"$conf.new" <<EOF
# Written by scripts/run.sh on its first run; edit freely.
[server]
http_listen = 127.0.0.1:8080
https_listen = 127.0.0.1:8443

[tls]
certificate = $var/tls/cert.pem
key = $var/tls/key.pem

[database]
socket = $var/mysqld.sock
name = blogd
user = blogd
password_file = $var/db_password

[paths]
templates = $root/templates
static = $root/static
migrations = $root/sql
webroot = $var/webroot

[site]
title = My blog
base_url = https://127.0.0.1:8443
EOF
	mv "$conf.new" "$conf"
	say "wrote $conf"
fi

serve_env=()
if [ "${BLOGD_RUN_HTTP_ONLY:-0}" = 1 ]; then
	serve_env=(BLOGD_SERVER_HTTPS_LISTEN= BLOGD_SITE_BASE_URL=http://127.0.0.1:8080)
fi

"$blogd" migrate -c "$conf"

count() {
	"$ctl" sql "$var" -N -B -e "SELECT COUNT(*) FROM blogd.$1"
}

if [ "$(count users)" -eq 0 ]; then
	admin_password=$(openssl rand -hex 12)
	printf '%s\n' "$admin_password" |
		"$blogd" user add admin --admin --password-stdin -c "$conf" >/dev/null
	echo
	echo "  admin user: admin / password: $admin_password"
	echo "  (shown only this once; change it with: build/blogd user passwd admin -c var/blogd.conf)"
	echo
fi

if [ "$(count posts)" -eq 0 ]; then
	"$blogd" post add -c "$conf" --title "Welcome to blogd" --author admin \
		--tags blogd,welcome >/dev/null <<'EOF'
This blog is served by **blogd**, one C program that does the work of a
web server, an application server and a TLS terminator.

Write posts in the admin area at [/admin](/admin), or from a shell:

    build/blogd post add -c var/blogd.conf --title "Hello" --author admin < hello.md

Images and PDFs go into a post from the editor's upload button, or from a
shell, which prints the URL to show it with `![a photo](/media/...)`:

    build/blogd media add -c var/blogd.conf photo.png

Comments wait for moderation in `/admin/comments`.
EOF
	say "published a welcome post"
fi

echo
echo "  blog:  http://127.0.0.1:8080/"
if [ "${BLOGD_RUN_HTTP_ONLY:-0}" != 1 ]; then
	echo "         https://127.0.0.1:8443/  (self-signed certificate)"
	echo "  admin: https://127.0.0.1:8443/admin"
else
	echo "  admin: http://127.0.0.1:8080/admin"
fi
echo "  Ctrl-C stops blogd and MariaDB."
echo

# In the background so that the trap runs as soon as a signal arrives; on
# Ctrl-C blogd gets its own SIGINT from the terminal as well.
env "${serve_env[@]}" "$blogd" serve -c "$conf" <&0 &
blogd_pid=$!
status=0
wait "$blogd_pid" || status=$?
blogd_pid=""
exit "$status"
