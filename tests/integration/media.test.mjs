// Images and files in posts: uploads in the admin (multipart through
// libmicrohttpd's post processor), the type told by the bytes, GET
// /media/HASH.EXT with its caching and sandbox headers, deletion, the CLI
// (blogd media add) and export / import markdown carrying the files.

import assert from 'node:assert/strict';
import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { after, before, test } from 'node:test';

import {
	addPost, addUser, adminSignIn, assertExit, assertOneLine,
	assertSecurityHeaders, cli, CookieJar, csrfFrom, expectBody,
	expectStatus, freePort, png, rawExchange, setupSite, sql, sqlValue,
	startBlogd, tempDir,
} from './lib.mjs';

const DBNAME = 'blogd_media';
const ADMIN = 'media-admin';
const ADMIN_PW = 'a long media password';
// Small so that the limits are quick to cross; the body limit of the
// upload route is this plus 64 KiB.
const MAX_UPLOAD = 512 * 1024;

// Well-known minimal files of the other types.
const GIF = Buffer.from('R0lGODlhAQABAIAAAP///wAAACH5BAEAAAAALAAAAAABAAEAAAICRAEAOw==', 'base64');
const WEBP = Buffer.from('UklGRiIAAABXRUJQVlA4IBYAAAAwAQCdASoBAAEADsD+JaQAA3AAAAAA', 'base64');
const JPEG = Buffer.from('/9j/4AAQSkZJRgABAQEASABIAAD/2wBDAP//////////////////////////////////////////////////////////////////////////////////////wgALCAABAAEBAREA/8QAFBABAAAAAAAAAAAAAAAAAAAAAP/aAAgBAQABPxA=', 'base64');
const PDF = Buffer.from('%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n');

const sha = (b) => crypto.createHash('sha256').update(b).digest('hex');
const mediaCount = () => Number(sqlValue('SELECT COUNT(*) FROM media',
    DBNAME));

let cfg, srv, dir;

before(async () => {
	cfg = await setupSite(DBNAME,
	    { server: { max_upload: `${MAX_UPLOAD / 1024}K` } });
	await addUser(cfg, ADMIN, ADMIN_PW, true);
	srv = await startBlogd(cfg);
	dir = tempDir('media');
});

after(async () => {
	if (srv)
		await srv.stop();
});

/* Signs in; returns { jar, token } with a token from the media page. */
async function signIn() {
	const jar = await adminSignIn(srv, ADMIN, ADMIN_PW);
	const page = await srv.get('/admin/media', { jar });
	expectStatus(page, 200, 'GET /admin/media');
	// The upload form's own token, as a browser sends it.
	const upForm = /<form class="admin-form media-upload"[\s\S]*?<\/form>/
	    .exec(page.body);
	assert.ok(upForm, 'the upload form');
	const token = csrfFrom(upForm[0]);
	assert.match(token ?? '', /^[0-9a-f]{128}$/, 'its (masked) csrf_token');
	return { jar, token };
}

/* A multipart/form-data body as a browser's FormData makes it. */
async function multipart(fields, files) {
	const fd = new FormData();
	for (const [k, v] of Object.entries(fields))
		fd.append(k, v);
	for (const [k, bytes, name] of files)
		fd.append(k, new Blob([bytes]), name);
	const r = new Request('http://127.0.0.1/', { method: 'POST', body: fd });
	return { body: Buffer.from(await r.arrayBuffer()),
	    type: r.headers.get('content-type') };
}

/* POST /admin/media with one file; script: as the editor's script asks
 * (Accept: text/plain). */
async function upload(s, bytes, name,
    { script = false, token = s.token } = {}) {
	const fields = {};
	if (token !== null)
		fields.csrf_token = token;
	const { body, type } = await multipart(fields, [['file', bytes, name]]);
	const headers = { 'Content-Type': type };
	if (script)
		headers.Accept = 'text/plain';
	return srv.request('POST', '/admin/media', { jar: s.jar, body,
	    headers });
}

const TYPES = [
	['png', 'image/png', png()],
	['jpg', 'image/jpeg', JPEG],
	['gif', 'image/gif', GIF],
	['webp', 'image/webp', WEBP],
];

test('images upload and are served immutable, inline and sandboxed',
    async () => {
	const s = await signIn();
	for (const [ext, mime, bytes] of TYPES) {
		// A misleading name: the type comes from the bytes.
		const r = await upload(s, bytes, `holiday photo.${ext === 'png' ?
		    'jpg' : 'bin'}`, { script: true });
		expectStatus(r, 201, `upload ${ext}`);
		const url = `/media/${sha(bytes)}.${ext}`;
		assert.equal(r.body, `![holiday photo](${url})`, ext);

		const g = await srv.get(url);
		expectStatus(g, 200, `GET ${url}`);
		assert.equal(g.headers['content-type'], mime);
		assert.ok(g.raw.equals(bytes), `${ext}: the bytes as uploaded`);
		assert.equal(g.headers.etag, `"${sha(bytes)}"`);
		assert.equal(g.headers['cache-control'],
		    'public, max-age=31536000, immutable');
		assert.equal(g.headers['x-content-type-options'], 'nosniff');
		assert.match(g.headers['content-security-policy'],
		    /default-src 'none'; sandbox/);
		assert.match(g.headers['content-disposition'],
		    /^inline; filename="holiday photo\.(jpg|bin)"/);
		assertSecurityHeaders(g, url);

		const nm = await srv.get(url,
		    { headers: { 'If-None-Match': g.headers.etag } });
		expectStatus(nm, 304, `${url} revalidated`);
		assert.equal(nm.raw.length, 0);
		assert.equal(nm.headers.etag, g.headers.etag);
		const h = await srv.request('HEAD', url);
		expectStatus(h, 200, `HEAD ${url}`);
		assert.equal(h.raw.length, 0);
		assert.equal(Number(h.headers['content-length']), bytes.length);
		assert.equal(h.headers['content-type'], mime);
	}
	const hash = sha(TYPES[0][2]);
	for (const bad of [`/media/${hash}.gif`, `/media/${hash}`,
	    `/media/${'0'.repeat(64)}.png`, `/media/${hash.toUpperCase()}.png`,
	    '/media/x.png'])
		expectStatus(await srv.get(bad), 404, bad);
	// The same bytes again: the same URL, still one row.
	const n = mediaCount();
	const again = await upload(s, TYPES[0][2], 'other.png',
	    { script: true });
	expectStatus(again, 201, 'the same bytes again');
	assert.match(again.body, new RegExp(`/media/${hash}\\.png`));
	assert.equal(mediaCount(), n);
});

test('without the script an upload lands on the list with its Markdown',
    async () => {
	const s = await signIn();
	const bytes = png(6, 5);
	const r = await upload(s, bytes, 'dir/sub\\Diagram [v2].png');
	expectStatus(r, 303, 'upload from a form');
	assert.equal(r.headers.location, `/admin/media?added=${sha(bytes)}`);
	const page = await srv.get(r.headers.location, { jar: s.jar });
	expectStatus(page, 200, 'the list after an upload');
	assert.equal(page.headers['cache-control'], 'no-store');
	const md = `![Diagram v2](/media/${sha(bytes)}.png)`;
	expectBody(page, /File uploaded\./);
	assert.ok(page.body.includes(`Copy this into a post: <code>${md}</code>`),
	    page.body);
	expectBody(page, /<a href="\/media\/[0-9a-f]{64}\.png">Diagram \[v2\]\.png<\/a>/);
	expectBody(page, /image\/png/);
	expectBody(page, /enctype="multipart\/form-data"/);
});

test('a PDF is a download, linked not shown', async () => {
	const s = await signIn();
	const r = await upload(s, PDF, 'Annual report.pdf', { script: true });
	expectStatus(r, 201, 'upload a PDF');
	const url = `/media/${sha(PDF)}.pdf`;
	assert.equal(r.body, `[Annual report](${url})`);
	const g = await srv.get(url);
	expectStatus(g, 200, url);
	assert.equal(g.headers['content-type'], 'application/pdf');
	assert.match(g.headers['content-disposition'],
	    /^attachment; filename="Annual report\.pdf"; filename\*=UTF-8''Annual%20report\.pdf$/);
});

test('the bytes decide: HTML, SVG and anything unknown are refused',
    async () => {
	const s = await signIn();
	const n = mediaCount();
	const html = Buffer.from('<!DOCTYPE html><script>alert(1)</script>');
	const svg = Buffer.from('<svg xmlns="http://www.w3.org/2000/svg">' +
	    '<script>alert(1)</script></svg>');
	for (const [bytes, name] of [[html, 'photo.png'], [svg, 'logo.svg'],
	    [Buffer.from('just text'), 'notes.txt']]) {
		const r = await upload(s, bytes, name, { script: true });
		expectStatus(r, 415, name);
		assert.match(r.headers['content-type'], /^text\/plain/);
		assert.match(r.body, /is not a PNG, JPEG, GIF, WebP or PDF file/);
		const page = await upload(s, bytes, name);
		expectStatus(page, 415, `${name} from a form`);
		expectBody(page, /class="form-error" role="alert">[^<]*is not a PNG/);
	}
	const none = await upload(s, Buffer.alloc(0), '');
	expectStatus(none, 400, 'no file chosen');
	expectBody(none, /Choose a file to upload\./);
	assert.equal(mediaCount(), n, 'nothing stored');
});

test('over max_upload: 413 with the reason, and nothing stored', async () => {
	const s = await signIn();
	const n = mediaCount();
	// Over the file limit, within the body limit: the handler says why.
	const big = png(4, 3, MAX_UPLOAD + 1000);
	const r = await upload(s, big, 'big.png', { script: true });
	expectStatus(r, 413, 'a file over max_upload');
	assert.match(r.body, /^big\.png is 513 KiB; files may be at most 512 KiB\.$/);
	// A body over the route's limit is refused before it is read.
	const huge = png(4, 3, 2 * MAX_UPLOAD);
	const h = await upload(s, huge, 'huge.png');
	expectStatus(h, 413, 'a body over the upload limit');
	assert.equal(h.headers.connection, 'close');
	// Other routes keep max_body (1M) for multipart too.
	const { body, type } = await multipart({ csrf_token: s.token },
	    [['file', png(4, 3, 2 * 1024 * 1024), 'x.png']]);
	const other = await srv.request('POST', '/admin/posts/new',
	    { jar: s.jar, body, headers: { 'Content-Type': type } });
	expectStatus(other, 413, 'a large multipart body elsewhere');
	assert.equal(mediaCount(), n);
	assert.ok(srv.alive());
});

test('uploads need an admin session and the CSRF token', async () => {
	const s = await signIn();
	const n = mediaCount();
	const bytes = png(2, 2);
	expectStatus(await upload(s, bytes, 'a.png', { token: null }), 403,
	    'no token');
	expectStatus(await upload(s, bytes, 'a.png', { token: 'f'.repeat(64) }),
	    403, 'a wrong token');
	const anon = await upload({ jar: new CookieJar(), token: s.token },
	    bytes, 'a.png');
	expectStatus(anon, 303, 'signed out');
	assert.equal(anon.headers.location, '/admin/login');
	expectStatus(await srv.get('/admin/media'), 303, 'the list signed out');
	// A multipart body that ends inside a part: 400.
	const { body, type } = await multipart({ csrf_token: s.token },
	    [['file', bytes, 'a.png']]);
	const cut = await srv.request('POST', '/admin/media', { jar: s.jar,
	    body: body.subarray(0, body.length - 40),
	    headers: { 'Content-Type': type } });
	expectStatus(cut, 400, 'a truncated multipart body');
	// A raw request with a chunked body (no Content-Length) parses too.
	const chunked = await rawExchange(srv.port, [
	    'POST /admin/media HTTP/1.1\r\nHost: x\r\nConnection: close\r\n' +
	    `Cookie: ${s.jar.header()}\r\nAccept: text/plain\r\n` +
	    `Content-Type: ${type}\r\nTransfer-Encoding: chunked\r\n\r\n` +
	    `${body.length.toString(16)}\r\n`, body, '\r\n0\r\n\r\n']);
	assert.match(chunked.data.toString(), /^HTTP\/1\.1 201 /,
	    chunked.data.toString());
	assert.equal(mediaCount(), n + 1);
});

test('delete: POST with the token, then the URL is gone', async () => {
	const s = await signIn();
	const bytes = png(3, 3);
	const r = await upload(s, bytes, 'gone.png', { script: true });
	expectStatus(r, 201, 'upload');
	const url = `/media/${sha(bytes)}.png`;
	const id = sqlValue(`SELECT id FROM media WHERE hash = '${sha(bytes)}'`,
	    DBNAME);
	const path_ = `/admin/media/${id}/delete`;
	expectStatus(await srv.request('POST', path_, { jar: s.jar,
	    body: { csrf_token: '' } }), 403, 'delete without the token');
	expectStatus(await srv.get(url), 200, 'still there');
	const d = await srv.request('POST', path_, { jar: s.jar,
	    body: { csrf_token: s.token } });
	expectStatus(d, 303, 'delete');
	assert.equal(d.headers.location, '/admin/media?deleted=1');
	expectStatus(await srv.get(url), 404, 'deleted');
	expectStatus(await srv.request('POST', path_, { jar: s.jar,
	    body: { csrf_token: s.token } }), 404, 'deleted twice');
	const page = await srv.get('/admin/media?deleted=1', { jar: s.jar });
	expectBody(page, /File deleted\./);
	assert.ok(!page.body.includes(url));
});

test('blogd media add prints the URL a post can show', async () => {
	const bytes = png(8, 8);
	const file = path.join(dir, 'from-cli.png');
	fs.writeFileSync(file, bytes);
	const r = await cli(cfg, ['media', 'add', file]);
	assertExit(r, 0, 'media add');
	const url = `/media/${sha(bytes)}.png`;
	assert.equal(r.stdout, `${url}\n`);
	const g = await srv.get(url);
	expectStatus(g, 200, url);
	assert.match(g.headers['content-disposition'], /filename="from-cli\.png"/);
	const named = await cli(cfg, ['media', 'add', file, '--name', 'x.png']);
	assertExit(named, 0, 'media add of the same file');
	assert.equal(named.stdout, `${url}\n`);

	const slug = await addPost(cfg, { title: 'With a picture',
	    author: ADMIN, body: `Look:\n\n![a red square](${url})\n` });
	const post = await srv.get(`/posts/${slug}`);
	expectStatus(post, 200, 'the post');
	assert.ok(post.body.includes(`<img src="${url}" alt="a red square"`),
	    post.body);

	const txt = path.join(dir, 'notes.txt');
	fs.writeFileSync(txt, 'plain text');
	const bad = await cli(cfg, ['media', 'add', txt]);
	assertExit(bad, 1, 'media add of a text file');
	assert.match(assertOneLine(bad, 'media add text'),
	    /notes\.txt: not a PNG, JPEG, GIF, WebP or PDF file/);
	const big = path.join(dir, 'big.png');
	fs.writeFileSync(big, png(4, 3, MAX_UPLOAD));
	const large = await cli(cfg, ['media', 'add', big]);
	assertExit(large, 1, 'media add over max_upload');
	assert.match(assertOneLine(large, 'media add big'),
	    /big\.png: larger than \[server\] max_upload \(512 KiB\)/);
	const missing = await cli(cfg, ['media', 'add', path.join(dir, 'no')]);
	assertExit(missing, 1, 'media add of a missing file');
	assertOneLine(missing, 'media add missing');
	const usage = await cli(cfg, ['media', 'add']);
	assertExit(usage, 1, 'media add without a file');
	const help = await cli(cfg, ['--help']);
	assert.match(help.stdout, /media add FILE \[--name NAME\]/);
});

/* Every file under root: relative path -> bytes (hex). */
function readTree(root) {
	const out = {};
	for (const entry of fs.readdirSync(root, { recursive: true })) {
		const file = path.join(root, entry);
		if (fs.statSync(file).isFile())
			out[entry] = fs.readFileSync(file).toString('hex');
	}
	return out;
}

test('export and import markdown carry the media', async () => {
	const first = path.join(dir, 'export-1');
	assertExit(await cli(cfg, ['export', first]), 0, 'export');
	const files = readTree(first);
	const rows = sql('SELECT hash, type, name FROM media ORDER BY hash',
	    DBNAME);
	assert.ok(rows.length >= 6, JSON.stringify(rows));
	const tsv = fs.readFileSync(path.join(first, 'media.tsv'), 'utf8');
	for (const [hash, type, name] of rows) {
		const ext = { 'image/png': 'png', 'image/jpeg': 'jpg',
		    'image/gif': 'gif', 'image/webp': 'webp',
		    'application/pdf': 'pdf' }[type];
		const bytes = fs.readFileSync(path.join(first, 'media',
		    `${hash}.${ext}`));
		assert.equal(sha(bytes), hash, `media/${hash}.${ext}`);
		assert.ok(tsv.includes(`${hash}\t${type}\t${name}\t`), name);
	}
	assert.equal(fs.statSync(path.join(first, 'media')).mode & 0o777, 0o700);

	const copy = await setupSite('blogd_media_copy');
	const imp = await cli(copy, ['import', 'markdown', first]);
	assertExit(imp, 0, 'import markdown');
	assert.match(imp.stdout, new RegExp(`^media +${rows.length} added`, 'm'));
	const second = path.join(dir, 'export-2');
	assertExit(await cli(copy, ['export', second]), 0, 'second export');
	assert.deepEqual(readTree(second), files);
	const rerun = await cli(copy, ['import', 'markdown', first]);
	assertExit(rerun, 0, 'import again');
	assert.match(rerun.stdout,
	    new RegExp(`^media +0 added, 0 updated, ${rows.length} unchanged`,
	        'm'));

	// A file whose bytes are not what its name says stops the import
	// before anything is written.
	const [hash] = rows.find(([, type]) => type === 'image/png');
	const bad = path.join(dir, 'export-bad');
	fs.cpSync(first, bad, { recursive: true });
	fs.appendFileSync(path.join(bad, 'media', `${hash}.png`), 'x');
	const fresh = await setupSite('blogd_media_bad');
	const r = await cli(fresh, ['import', 'markdown', bad]);
	assertExit(r, 1, 'import of a changed file');
	assert.match(assertOneLine(r, 'import changed'),
	    /its bytes are not the image\/png file its name says/);
	assert.equal(sqlValue('SELECT COUNT(*) FROM users', 'blogd_media_bad'),
	    '0');
});

test('the database\'s max_allowed_packet holds max_upload', async () => {
	// The test server runs with MariaDB's default, 16 MiB; blogd check
	// says so when max_upload would not fit.
	const packet = Number(sqlValue('SELECT @@global.max_allowed_packet'));
	assert.ok(packet >= MAX_UPLOAD + 1024 * 1024, `${packet}`);
	assertExit(await cli(cfg, ['check']), 0, 'check');
	const tight = await cli(cfg, ['check'],
	    { env: { BLOGD_SERVER_MAX_UPLOAD: `${packet / 1024 / 1024}M` } });
	assertExit(tight, 1, 'check with max_upload = max_allowed_packet');
	assert.match(assertOneLine(tight, 'check tight'),
	    /server\.max_upload .* max_allowed_packet/);
});

test('an upload over the database\'s max_allowed_packet: 413 naming it',
    async () => {
	const packet = sqlValue('SELECT @@global.max_allowed_packet');
	sql('SET GLOBAL max_allowed_packet = 1048576');
	// A second blogd: its connections see the new limit.
	const cfg2 = { ...cfg, port: await freePort() };
	let other;
	try {
		other = await startBlogd(cfg2, { env: {
		    BLOGD_SERVER_HTTP_LISTEN: `127.0.0.1:${cfg2.port}`,
		    BLOGD_SERVER_MAX_UPLOAD: '2M' } });
		const s = { jar: new CookieJar() };
		const form = await other.get('/admin/login', { jar: s.jar });
		expectStatus(await other.request('POST', '/admin/login',
		    { jar: s.jar, body: { username: ADMIN, password: ADMIN_PW,
		        csrf_token: csrfFrom(form.body) } }), 303, 'sign-in');
		const page = await other.get('/admin/media', { jar: s.jar });
		s.token = csrfFrom(/<form class="admin-form media-upload"[\s\S]*?<\/form>/
		    .exec(page.body)[0]);
		const { body, type } = await multipart({ csrf_token: s.token },
		    [['file', png(4, 3, 1536 * 1024), 'wide.png']]);
		const r = await other.request('POST', '/admin/media',
		    { jar: s.jar, body, headers: { 'Content-Type': type,
		        Accept: 'text/plain' } });
		expectStatus(r, 413, 'over max_allowed_packet');
		assert.match(r.body, /max_allowed_packet/);
		// The pool is fine afterwards.
		expectStatus(await other.get('/admin/media', { jar: s.jar }), 200,
		    'the list after');
	} finally {
		sql(`SET GLOBAL max_allowed_packet = ${packet}`);
		if (other)
			await other.stop();
	}
});
