#!/usr/bin/env bash
# tests/tls/testssl.sh URL [JSONFILE]
#
# Scans a running blogd's HTTPS listener with testssl.sh (protocols,
# standard cipher categories, forward secrecy, server preferences, HTTP
# headers; about 20 s) and lists every finding of severity MEDIUM or worse.
# Exits 1 when there is one, 2 when the scan itself failed. The full
# report stays in JSONFILE (default: a temp file, path printed).
# TESTSSL_IGNORE_CERT=1 still lists findings about the certificate itself
# (cert_*: self-signed, short validity, no OCSP) but does not fail on them,
# for test certificates.
#   TESTSSL_IGNORE_CERT=1 tests/tls/testssl.sh https://127.0.0.1:8443
set -euo pipefail

[ $# -ge 1 ] || {
	echo "usage: tests/tls/testssl.sh https://HOST:PORT [JSONFILE]" >&2
	exit 2
}
url=$1
tool=$(command -v testssl || command -v testssl.sh || true)
[ -n "$tool" ] || {
	echo "testssl: testssl.sh is missing (apt-get install testssl.sh)" >&2
	exit 2
}
json=${2:-$(mktemp "${TMPDIR:-/tmp}/testssl.XXXXXX.json")}
rm -f "$json" # testssl.sh refuses to overwrite

# testssl.sh's exit status counts findings; the JSON is what we judge.
"$tool" --quiet --color 0 --warnings off -p -s -P -S -h \
	--jsonfile "$json" "$url" >/dev/null 2>&1 || true
[ -s "$json" ] || {
	echo "testssl: no report from $tool for $url" >&2
	exit 2
}
echo "testssl: report in $json" >&2

node - "$json" <<'JS'
const fs = require('node:fs');
const rank = { MEDIUM: 1, HIGH: 2, CRITICAL: 3 };
const all = JSON.parse(fs.readFileSync(process.argv[2], 'utf8'));
const bad = all.filter((f) => rank[f.severity]);
const ignored = (f) => process.env.TESTSSL_IGNORE_CERT === '1' &&
    f.id.startsWith('cert_');
const scanErrors = all.filter((f) => f.id === 'scanProblem' ||
    /^scanTime$/.test(f.id) && f.severity === 'WARN');
for (const f of scanErrors)
	console.log(`scan problem: ${f.finding}`);
// A scan that did not finish found nothing because it checked nothing.
if (scanErrors.length > 0)
	process.exit(2);
if (bad.length === 0)
	console.log(`no findings of severity MEDIUM or worse ` +
	    `(${all.length} checked)`);
for (const f of bad.sort((a, b) => rank[b.severity] - rank[a.severity]))
	console.log(`${f.severity.padEnd(8)} ${f.id}: ${f.finding}` +
	    (ignored(f) ? ' (certificate: ignored)' : ''));
process.exit(bad.some((f) => !ignored(f)) ? 1 : 0);
JS
