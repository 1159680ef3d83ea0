#!/bin/sh
# certbot deploy hook for blogd, installed as
# /usr/libexec/blogd/certbot-deploy-hook and named once at issuance:
#   certbot certonly --webroot -w /var/lib/blogd/webroot -d example.com \
#       --deploy-hook /usr/libexec/blogd/certbot-deploy-hook
# certbot stores the hook in the lineage's renewal file, so every renewal of
# that certificate (certbot.timer) runs it again.
#
# certbot keeps keys under /etc/letsencrypt/{live,archive}, which are root
# only (0700), and blogd runs as the blogd user. So the hook copies the new
# chain and key to /etc/blogd/tls (root:blogd, key 0640), where
# [tls] certificate and key point, and asks blogd to reload them (SIGHUP: no
# connection is dropped; blogd keeps the old pair if the new one is bad).
set -eu

: "${RENEWED_LINEAGE:?run by certbot as --deploy-hook}"
# Both overridable for tests/deploy/install.sh only.
dest=${BLOGD_TLS_DIR:-/etc/blogd/tls}
group=${BLOGD_GROUP:-blogd}

install -d -m 0750 -o root -g "$group" "$dest"
# Write beside the target and rename, so blogd never reads half a file.
for f in fullchain.pem privkey.pem; do
	install -m 0640 -o root -g "$group" "$RENEWED_LINEAGE/$f" "$dest/.$f.new"
	mv -f "$dest/.$f.new" "$dest/$f"
done

# Does nothing when blogd is not running yet (the first issuance happens
# before https is enabled), otherwise `systemctl reload blogd`.
systemctl try-reload-or-restart blogd.service
