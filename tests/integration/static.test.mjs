// Static files and ACME challenges: types, validators, caching, every way
// out of the directory refused, and what SIGHUP makes pages link.

import assert from 'node:assert/strict';
import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { after, before, test } from 'node:test';

import {
	assertSecurityHeaders, expectBody, expectStatus, rawExchange, rawStatus,
	setupSite, startBlogd, waitFor,
} from './lib.mjs';

const DBNAME = 'blogd_static';
const CSS = 'body { color: #123456; } /* qa static */\n';
const ACME = 'tok_en-123.QA-thumbprint_xyz\n';
let srv, cfg;

before(async () => {
	cfg = await setupSite(DBNAME);
	const st = cfg.static;
	fs.writeFileSync(path.join(st, 'style.css'), CSS);
	fs.writeFileSync(path.join(st, 'app.js'), 'console.log(1);\n');
	fs.writeFileSync(path.join(st, 'logo.svg'), '<svg xmlns="http://' +
	    'www.w3.org/2000/svg"/>\n');
	fs.writeFileSync(path.join(st, 'a b.txt'), 'space in name\n');
	fs.mkdirSync(path.join(st, 'sub'));
	fs.writeFileSync(path.join(st, 'sub', 'inner.txt'), 'inner file\n');
	fs.symlinkSync('/etc/passwd', path.join(st, 'link-to-passwd'));
	fs.symlinkSync('/etc', path.join(st, 'linkdir'));
	// A file next to the static dir: reachable only by escaping it.
	fs.writeFileSync(path.join(cfg.dir, 'secret.txt'), 'TOP SECRET\n');

	const ch = path.join(cfg.webroot, '.well-known', 'acme-challenge');
	fs.mkdirSync(ch, { recursive: true });
	fs.writeFileSync(path.join(ch, 'tok_en-123'), ACME);
	// Files a bad token would reach if the name were not checked.
	fs.writeFileSync(path.join(ch, 'a.b'), 'dotted\n');
	fs.writeFileSync(path.join(cfg.webroot, 'outside'), 'TOP SECRET\n');
	srv = await startBlogd(cfg);
});

after(async () => {
	if (srv)
		await srv.stop();
});

test('a CSS file with type, validators and caching', async () => {
	const r = await srv.get('/static/style.css');
	expectStatus(r, 200, 'GET style.css');
	assert.equal(r.body, CSS);
	assert.match(r.headers['content-type'] ?? '', /^text\/css\b/);
	assert.equal(Number(r.headers['content-length']), Buffer.byteLength(CSS));
	assert.match(r.headers.etag ?? '', /^(W\/)?"[^"]+"$/, 'ETag');
	const lm = Date.parse(r.headers['last-modified'] ?? '');
	assert.ok(!Number.isNaN(lm), `Last-Modified ${r.headers['last-modified']}`);
	const mtime = fs.statSync(path.join(cfg.static, 'style.css')).mtimeMs;
	assert.ok(Math.abs(lm - mtime) < 2000, 'Last-Modified is not the mtime');
	assert.match(r.headers['cache-control'] ?? '', /max-age=\d+|no-cache/,
	    'Cache-Control');
	assertSecurityHeaders(r, 'static 200');
});

test('other types', async () => {
	const types = { 'app.js': /^(text|application)\/javascript\b/,
	    'logo.svg': /^image\/svg\+xml\b/, 'sub/inner.txt': /^text\/plain\b/ };
	for (const [f, re] of Object.entries(types)) {
		const r = await srv.get(`/static/${f}`);
		expectStatus(r, 200, f);
		assert.match(r.headers['content-type'] ?? '', re, f);
	}
	const r = await srv.get('/static/a%20b.txt');
	expectStatus(r, 200, 'percent-encoded file name');
	assert.equal(r.body, 'space in name\n');
});

test('If-None-Match with the ETag gives 304; a stale one gives 200',
    async () => {
	const r = await srv.get('/static/style.css');
	const etag = r.headers.etag;
	assert.ok(etag, 'no ETag');
	const c = await srv.get('/static/style.css',
	    { headers: { 'If-None-Match': etag } });
	expectStatus(c, 304, 'conditional GET');
	assert.equal(c.raw.length, 0, '304 with a body');
	assert.equal(c.headers.etag, etag, 'ETag on the 304');
	// Node's client ignores a 304 body: check the raw bytes too.
	const raw = await rawExchange(srv.port, 'GET /static/style.css ' +
	    `HTTP/1.1\r\nHost: x\r\nIf-None-Match: ${etag}\r\n` +
	    'Connection: close\r\n\r\n');
	assert.equal(rawStatus(raw.data), 304, raw.data.slice(0, 300));
	assert.ok(raw.data.endsWith('\r\n\r\n'), `304 with a body:\n` +
	    raw.data.slice(0, 500));
	const s = await srv.get('/static/style.css',
	    { headers: { 'If-None-Match': '"stale-etag"' } });
	expectStatus(s, 200, 'stale ETag');

	// A changed file gets a new ETag.
	const f = path.join(cfg.static, 'style.css');
	fs.writeFileSync(f, `${CSS}/* changed */\n`);
	const later = new Date(Date.now() + 5000);
	fs.utimesSync(f, later, later);
	const n = await srv.get('/static/style.css',
	    { headers: { 'If-None-Match': etag } });
	expectStatus(n, 200, 'ETag after the file changed');
	assert.notEqual(n.headers.etag, etag);
	assert.match(n.body, /changed/);
});

test('HEAD of a static file', async () => {
	const g = await srv.get('/static/sub/inner.txt');
	const h = await srv.request('HEAD', '/static/sub/inner.txt');
	expectStatus(h, 200, 'HEAD');
	assert.equal(h.raw.length, 0);
	assert.equal(h.headers['content-type'], g.headers['content-type']);
	assert.equal(h.headers.etag, g.headers.etag);
});

test('traversal, directories, symlinks out and missing files are 404',
    async () => {
	const targets = [
		'/static/../secret.txt',
		'/static/../../../../etc/passwd',
		'/static/%2e%2e/secret.txt',
		'/static/%2e%2e/%2e%2e/etc/passwd',
		'/static/%2E%2E/secret.txt',
		'/static/..%2fsecret.txt',
		'/static/..%2f..%2fetc%2fpasswd',
		'/static/sub/..%2f..%2fsecret.txt',
		'/static/sub%2finner.txt',
		'/static/./style.css/..',
		'/static/sub/../../secret.txt',
		'/static/%00style.css',
		'/static/style.css%00',
		'/static/sub',
		'/static/sub/',
		'/static/',
		'/static',
		'/static/link-to-passwd',
		'/static/linkdir/passwd',
		'/static/linkdir',
		'/static/nope.css',
		'/static//etc/passwd',
	];
	for (const t of targets) {
		// Raw bytes so that no client normalises the path.
		const res = await rawExchange(srv.port, `GET ${t} HTTP/1.1\r\n` +
		    'Host: 127.0.0.1\r\nConnection: close\r\n\r\n');
		const st = rawStatus(res.data);
		assert.ok(st === 404 || (st === 400 && /%00/.test(t)),
		    `${t}: status ${st}\n${res.data.slice(0, 300)}`);
		assert.doesNotMatch(res.data, /root:x:0:0|TOP SECRET|inner file/,
		    `${t} leaked a file`);
	}
	// The server is still fine afterwards.
	expectStatus(await srv.get('/static/sub/inner.txt'), 200, 'after');
});

test('ACME challenge tokens are served from the webroot as text/plain',
    async () => {
	const r = await srv.get('/.well-known/acme-challenge/tok_en-123');
	expectStatus(r, 200, 'challenge');
	assert.equal(r.body, ACME);
	assert.match(r.headers['content-type'] ?? '', /^text\/plain\b/);
	for (const t of ['a.b', '..%2foutside', '%2e%2e%2f%2e%2e%2foutside',
	    '../../outside', 'missing-token', '', 'tok_en-123/x',
	    'tok_en-123%2f']) {
		const res = await rawExchange(srv.port,
		    `GET /.well-known/acme-challenge/${t} HTTP/1.1\r\n` +
		    'Host: 127.0.0.1\r\nConnection: close\r\n\r\n');
		assert.equal(rawStatus(res.data), 404, `token ${t}\n` +
		    res.data.slice(0, 300));
		assert.doesNotMatch(res.data, /TOP SECRET|dotted/, `token ${t}`);
	}
	expectBody(await srv.get('/.well-known/acme-challenge/nope'), /html/i,
	    '404 page');
});

test('SIGHUP: pages inline and link the static files as they are now',
    async () => {
	const inlined = (html) => /<style>([\s\S]*?)<\/style>/.exec(html)?.[1];
	const styleHash = (text) => crypto.createHash('sha256').update(text)
	    .digest('base64');
	const version = (text) => crypto.createHash('sha256').update(text)
	    .digest('hex').slice(0, 16);
	const csp = (r) => r.headers['content-security-policy'] ?? '';
	const hup = async () => {
		const count = () => (srv.stderr().match(
		    /reload: static files hashed/g) ?? []).length;
		const n = count();
		srv.child.kill('SIGHUP');
		await waitFor(() => count() > n, 5000, 'the reload');
	};
	const first = await srv.get('/');
	assert.match(first.body, /<html lang="en">/, 'the default language');
	const old = inlined(first.body);
	assert.ok(old, 'the stylesheet is inlined');
	assert.ok(csp(first).includes(`'sha256-${styleHash(old)}'`),
	    `CSP of the inlined stylesheet: ${csp(first)}`);

	const NEW = 'body { color: #654321; } /* after the reload */\n';
	const ICON = '<svg xmlns="http://www.w3.org/2000/svg"/><!-- new -->\n';
	fs.writeFileSync(path.join(cfg.static, 'style.css'), NEW);
	fs.writeFileSync(path.join(cfg.static, 'favicon.svg'), ICON);
	// Until a reload, pages keep what was hashed (as after start-up).
	assert.equal(inlined((await srv.get('/')).body), old, 'before SIGHUP');

	await hup();
	const now = await srv.get('/');
	assert.equal(inlined(now.body), NEW, 'the new stylesheet inlined');
	assert.ok(csp(now).includes(`'sha256-${styleHash(NEW)}'`),
	    `CSP of the new stylesheet: ${csp(now)}`);
	assert.ok(!csp(now).includes(styleHash(old)), 'the old hash is gone');
	assert.ok(now.body.includes(
	    `href="/static/favicon.svg?v=${version(ICON)}"`), 'icon version');

	// One that cannot be inlined ("</" could end the element) is linked
	// by its new version, and the CSP names no hash.
	const LINKED = `/* </style> */\n${NEW}`;
	fs.writeFileSync(path.join(cfg.static, 'style.css'), LINKED);
	await hup();
	const linked = await srv.get('/');
	assert.equal(inlined(linked.body), undefined, 'not inlined');
	const href = `/static/style.css?v=${version(LINKED)}`;
	assert.ok(linked.body.includes(`<link rel="stylesheet" href="${href}">`),
	    `linked as ${href}`);
	assert.doesNotMatch(csp(linked), /sha256-/);
	const sheet = await srv.get(href);
	expectStatus(sheet, 200, href);
	assert.equal(sheet.body, LINKED);
	fs.writeFileSync(path.join(cfg.static, 'style.css'), CSS);
});
