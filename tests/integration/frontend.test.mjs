// What browsers, validators and crawlers judge a page by: every page type
// is valid HTML by the Nu HTML checker, has one <h1>, a meta description,
// its <link>s in <head>, uniquely named landmarks and a favicon; public
// pages inline their stylesheet (allowed by hash in the CSP) so no request
// blocks the first paint; static assets are gzipped and linked by
// content-addressed URLs that may be cached for a year; the Atom feed is
// valid against tests/schema/atom.rng and its content resolves relative
// links.

import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { after, before, test } from 'node:test';
import zlib from 'node:zlib';

import {
	addPost, addUser, adminSignIn, cli, CookieJar, csrfFrom,
	expectHeadLikeGet, expectStatus, png, setupSite, sql, sqlValue, SRC,
	startBlogd, tempDir,
} from './lib.mjs';

const DBNAME = 'blogd_frontend';
const ADMIN = 'fe-admin';
const ADMIN_PW = 'front end admin password';
const DESCRIPTION = 'Notes on small, fast web software.';
const VNU = path.join(SRC, 'tests', 'e2e', 'node_modules', 'vnu-jar',
    'build', 'dist', 'vnu.jar');
const ATOM_RNG = path.join(SRC, 'tests', 'schema', 'atom.rng');
const STATIC = path.join(SRC, 'static');
const gzipHeaders = { 'Accept-Encoding': 'gzip, deflate, br' };

let srv, cfg, slug, jar;
const pages = new Map(); // name -> { target, status, html }

before(async () => {
	// The shipped static directory: these tests are about the real files.
	cfg = await setupSite(DBNAME, { paths: { static: STATIC },
	    site: { description: DESCRIPTION } });
	await addUser(cfg, ADMIN, ADMIN_PW, true);
	slug = await addPost(cfg, { title: 'Relative Links', author: ADMIN,
	    tags: 'web,atom',
	    body: 'An [older post](/posts/other) and an ' +
	    '![image](pic.png "a picture").\n\nA second paragraph.\n' });
	for (let i = 0; i < 11; i++)
		await addPost(cfg, { title: `Filler ${i}`, author: ADMIN,
		    body: `Filler text ${i}.\n` });
	await addPost(cfg, { title: 'About', author: ADMIN, slug: 'about',
	    page: true, body: 'Who *writes* here.\n' });
	sql("INSERT INTO comments (post_id, name, body, status) SELECT id, " +
	    "'Reader', 'A pending comment.', 'pending' FROM posts WHERE " +
	    `slug = '${slug}'`, DBNAME);
	// An image, for the media list.
	const image = path.join(tempDir('fe-media'), 'red.png');
	fs.writeFileSync(image, png());
	assert.equal((await cli(cfg, ['media', 'add', image])).code, 0);
	srv = await startBlogd(cfg);
	jar = await adminSignIn(srv, ADMIN, ADMIN_PW);
	const id = sqlValue(`SELECT id FROM posts WHERE slug = '${slug}'`,
	    DBNAME);
	// Every page type, as a visitor or the admin sees it.
	const want = [
		['home', '/', 200],
		['home-page-2', '/?page=2', 200],
		['post', `/posts/${slug}`, 200],
		['page', '/pages/about', 200],
		['tag', '/tags/web', 200],
		['author', `/authors/${ADMIN}`, 200],
		['search-form', '/search', 200],
		['search-results', '/search?q=filler', 200],
		['search-none', '/search?q=nothingmatchesthis', 200],
		['not-found', '/no/such/page', 404],
		['login', '/admin/login', 200],
		['admin-index', '/admin', 200, jar],
		['admin-new', '/admin/posts/new', 200, jar],
		['admin-edit', `/admin/posts/${id}/edit`, 200, jar],
		['admin-comments', '/admin/comments', 200, jar],
		['admin-media', '/admin/media', 200, jar],
		['admin-password', '/admin/password', 200, jar],
		['admin-users', '/admin/users', 200, jar],
		['admin-redirects', '/admin/redirects', 200, jar],
	];
	for (const [name, target, status, j] of want) {
		const res = await srv.get(target, j ? { jar: j } : {});
		expectStatus(res, status, target);
		pages.set(name, { target, status, html: res.body, res });
	}
	// The editor's preview (a POST of the form).
	const pv = await srv.request('POST', '/admin/preview', { jar,
	    body: { title: 'Previewed', body: '- a list\n\n> a quote\n',
	        csrf_token: csrfFrom(pages.get('admin-new').html) } });
	expectStatus(pv, 200, 'preview');
	pages.set('preview', { target: '/admin/preview', status: 200,
	    html: pv.body, res: pv });
	// A failed sign-in re-shows the form with its error.
	const bad = new CookieJar();
	const f2 = await srv.get('/admin/login', { jar: bad });
	const r2 = await srv.request('POST', '/admin/login', { jar: bad,
	    body: { username: ADMIN, password: 'wrong',
	        csrf_token: csrfFrom(f2.body) } });
	expectStatus(r2, 401, 'failed sign-in');
	pages.set('login-failed', { target: '/admin/login', status: 401,
	    html: r2.body, res: r2 });
	await twoFactorPages();
});

/* Two-factor sign-in's pages: off, waiting for the first code (with the QR
 * code), the recovery codes, on, and the code step of signing in. */
async function twoFactorPages() {
	const keep = (name, target, res) =>
		pages.set(name, { target, status: res.status, html: res.body,
		    res });
	let res = await srv.get('/admin/totp', { jar });
	expectStatus(res, 200, 'two-factor off');
	keep('admin-totp-off', '/admin/totp', res);
	expectStatus(await srv.request('POST', '/admin/totp/start', { jar,
	    body: { csrf_token: csrfFrom(res.body) } }), 303, 'enrol');
	res = await srv.get('/admin/totp', { jar });
	keep('admin-totp-enrol', '/admin/totp', res);
	const secret = /class="totp-secret"[^>]*>([A-Z2-7]+)</.exec(res.body)[1];
	// oathtool makes the code; a step boundary between here and the
	// server is inside the window either side.
	const code = spawnSync('oathtool', ['--totp', '-b', secret],
	    { encoding: 'utf8' }).stdout.trim();
	res = await srv.request('POST', '/admin/totp/confirm', { jar,
	    body: { code, csrf_token: csrfFrom(res.body) } });
	expectStatus(res, 200, 'recovery codes');
	keep('admin-totp-codes', '/admin/totp/confirm', res);
	res = await srv.get('/admin/totp', { jar });
	keep('admin-totp-on', '/admin/totp', res);
	const step = new CookieJar();
	const form = await srv.get('/admin/login', { jar: step });
	expectStatus(await srv.request('POST', '/admin/login', { jar: step,
	    body: { username: ADMIN, password: ADMIN_PW,
	        csrf_token: csrfFrom(form.body) } }), 303, 'password step');
	res = await srv.get('/admin/login/code', { jar: step });
	expectStatus(res, 200, 'code step');
	keep('login-code', '/admin/login/code', res);
}

after(async () => {
	if (srv)
		await srv.stop();
});

const headOf = (html) => /<head>([\s\S]*)<\/head>/.exec(html)?.[1] ?? '';
const bodyOf = (html) => /<body>([\s\S]*)<\/body>/.exec(html)?.[1] ?? '';
const inAdminArea = (target) => target.startsWith('/admin');
// The preview shows a post in the public frame.
const isAdmin = (target) => inAdminArea(target) &&
    target !== '/admin/preview';

test('every page: one <h1>, a meta description, <link>s in <head>',
    () => {
	for (const [name, { html }] of pages) {
		assert.equal(html.match(/<h1\b/g)?.length, 1, `${name}: <h1>s`);
		const desc = /<meta name="description" content="([^"]+)">/
		    .exec(headOf(html));
		assert.ok(desc, `${name}: meta description`);
		assert.equal(/<(link|style|meta)\b/.test(bodyOf(html)), false,
		    `${name}: <link>, <style> or <meta> outside <head>`);
		assert.equal(html.match(/<title>/g)?.length, 1, name);
	}
	assert.match(headOf(pages.get('home').html),
	    new RegExp(`name="description" content="${DESCRIPTION}"`));
	assert.match(headOf(pages.get('tag').html),
	    new RegExp(`name="description" content="${DESCRIPTION}"`));
	// A post is described by its excerpt.
	assert.match(headOf(pages.get('post').html),
	    /name="description" content="An older post and an /);
	assert.match(pages.get('home').html,
	    /<h1 class="list-heading">Latest posts<\/h1>/);
});

test('landmarks: the two search forms have different names', () => {
	const html = pages.get('search-results').html;
	const labels = [...html.matchAll(/role="search"[^>]*aria-label="([^"]+)"/g)]
	    .map((m) => m[1]);
	assert.equal(labels.length, 2, 'two search landmarks');
	assert.notEqual(labels[0], labels[1]);
	for (const [name, { html: h }] of pages) {
		const navs = [...h.matchAll(/<nav\b[^>]*aria-label="([^"]+)"/g)]
		    .map((m) => m[1]);
		assert.equal(new Set(navs).size, navs.length, `${name}: navs`);
	}
});

test('public pages inline the stylesheet, allowed by its hash', async () => {
	const css = fs.readFileSync(path.join(STATIC, 'style.css'), 'utf8');
	const hash = crypto.createHash('sha256').update(css).digest('base64');
	for (const [name, { target, html, res }] of pages) {
		const head = headOf(html);
		const inline = /<style>([\s\S]*?)<\/style>/.exec(head);
		assert.ok(inline, `${name}: inline <style>`);
		assert.equal(inline[1], css, `${name}: inlined text`);
		assert.match(res.headers['content-security-policy'],
		    new RegExp(`style-src 'self' 'sha256-${hash.replace(/[+/]/g,
		        '\\$&')}'`), `${name}: CSP`);
		const sheets = [...head.matchAll(
		    /<link rel="stylesheet" href="([^"]+)">/g)].map((m) => m[1]);
		if (isAdmin(target)) {
			assert.equal(sheets.length, 1, `${name}: admin.css`);
			assert.match(sheets[0], /^\/static\/admin\.css\?v=[0-9a-f]{16}$/);
		} else {
			assert.deepEqual(sheets, [], `${name}: render-blocking CSS`);
		}
	}
});

test('the admin area stays out of search engines, public pages do not',
    () => {
	for (const [name, { target, html }] of pages) {
		const noindex = /<meta name="robots" content="noindex">/
		    .test(html);
		assert.equal(noindex, inAdminArea(target), `${name}: noindex`);
	}
});

test('favicon: linked by version, and at /favicon.ico', async () => {
	const icon = /<link rel="icon" type="image\/svg\+xml" href="([^"]+)">/
	    .exec(pages.get('home').html);
	assert.ok(icon, 'icon link');
	const svg = fs.readFileSync(path.join(STATIC, 'favicon.svg'));
	const v = crypto.createHash('sha256').update(svg).digest('hex')
	    .slice(0, 16);
	assert.equal(icon[1], `/static/favicon.svg?v=${v}`);
	const r = await srv.get(icon[1]);
	expectStatus(r, 200, icon[1]);
	assert.match(r.headers['content-type'], /^image\/svg\+xml/);
	const ico = await srv.get('/favicon.ico');
	expectStatus(ico, 200, '/favicon.ico');
	assert.equal(ico.headers['content-type'], 'image/x-icon');
	assert.deepEqual(ico.raw,
	    fs.readFileSync(path.join(STATIC, 'favicon.ico')));
	await expectHeadLikeGet(srv, '/favicon.ico');
});

test('static text files are gzipped without a .gz sibling', async () => {
	for (const f of ['style.css', 'admin.css']) {
		assert.equal(fs.existsSync(path.join(STATIC, `${f}.gz`)), false,
		    `${f}.gz: a sibling would make this test pointless`);
		const file = fs.readFileSync(path.join(STATIC, f));
		const r = await srv.get(`/static/${f}`, { headers: gzipHeaders });
		expectStatus(r, 200, f);
		assert.equal(r.headers['content-encoding'], 'gzip', f);
		assert.match(r.headers.vary ?? '', /Accept-Encoding/i, f);
		assert.ok(r.raw.length < file.length, `${f}: smaller`);
		assert.deepEqual(zlib.gunzipSync(r.raw), file, f);
		const plain = await srv.get(`/static/${f}`);
		assert.equal(plain.headers['content-encoding'], undefined, f);
		assert.deepEqual(plain.raw, file, f);
	}
	// Not worth it for a file this small (a few hundred bytes) or a
	// binary image.
	const svg = await srv.get('/static/favicon.svg', { headers: gzipHeaders });
	assert.equal(svg.headers['content-encoding'], undefined);
	const ico = await srv.get('/favicon.ico', { headers: gzipHeaders });
	assert.equal(ico.headers['content-encoding'], undefined);
});

test('versioned URLs are immutable; other versions and none are not',
    async () => {
	const href = /href="(\/static\/admin\.css\?v=([0-9a-f]{16}))"/
	    .exec(pages.get('login').html);
	assert.ok(href, 'admin.css link');
	const css = fs.readFileSync(path.join(STATIC, 'admin.css'));
	assert.equal(href[2], crypto.createHash('sha256').update(css)
	    .digest('hex').slice(0, 16), 'the version is the content hash');
	const cur = await srv.get(href[1], { headers: gzipHeaders });
	expectStatus(cur, 200, href[1]);
	assert.equal(cur.headers['cache-control'],
	    'public, max-age=31536000, immutable');
	assert.deepEqual(zlib.gunzipSync(cur.raw), css);
	// The old URL style keeps working, kept for an hour.
	const old = await srv.get('/static/admin.css');
	expectStatus(old, 200, 'unversioned');
	assert.equal(old.headers['cache-control'], 'public, max-age=3600');
	// A version that is not this content (a stale page) gets the
	// current file, not for a year.
	const stale = await srv.get('/static/admin.css?v=0123456789abcdef');
	expectStatus(stale, 200, 'stale version');
	assert.deepEqual(stale.raw, css);
	assert.equal(stale.headers['cache-control'], 'public, max-age=3600');
	// ... and asking again with the right one is still immutable.
	const again = await srv.get(href[1]);
	assert.match(again.headers['cache-control'], /immutable/);
});

test('the Nu HTML checker finds nothing on any page type', () => {
	const dir = tempDir('vnu');
	for (const [name, { html }] of pages)
		fs.writeFileSync(path.join(dir, `${name}.html`), html);
	// A page with a mistake in it, so the test shows the checker can fail.
	fs.writeFileSync(path.join(dir, 'broken.html'), pages.get('home').html
	    .replace('<main>', '<main align="center">'));
	// One Java start for every page.
	const r = spawnSync('java', ['-jar', VNU, '--format', 'json',
	    '--also-check-css', dir], { encoding: 'utf8', timeout: 120000 });
	assert.equal(r.error, undefined, `java: ${r.error}`);
	const out = JSON.parse(r.stderr);
	// Errors and warnings; plain "info" is advice (such as cmark's
	// <img ... /> in a post: the trailing slash is harmless).
	const msgs = out.messages.filter((m) => m.type !== 'info' ||
	    m.subType === 'warning').map((m) =>
	    `${path.basename(m.url ?? '')}:${m.lastLine ?? ''}: ${m.type}` +
	    `${m.subType ? `/${m.subType}` : ''}: ${m.message}`);
	const broken = msgs.filter((m) => m.startsWith('broken.html:'));
	assert.ok(broken.length > 0, 'the broken page passed');
	assert.deepEqual(msgs.filter((m) => !m.startsWith('broken.html:')), [],
	    'Nu messages');
});

test('the Atom feed is valid and its content resolves links', async () => {
	const r = await srv.get('/feed.xml');
	expectStatus(r, 200, '/feed.xml');
	const dir = tempDir('feed');
	const file = path.join(dir, 'feed.xml');
	fs.writeFileSync(file, r.body);
	const v = spawnSync('xmllint', ['--noout', '--relaxng', ATOM_RNG, file],
	    { encoding: 'utf8' });
	assert.equal(v.status, 0, `xmllint: ${v.stderr}`);
	// RFC 4287 4.1.1: without a feed author, every entry has one.
	const entries = r.body.split('<entry>').slice(1);
	assert.equal(entries.length, 12);
	for (const e of entries)
		assert.match(e, /<author><name>[^<]+<\/name><\/author>/);
	// Relative links in the HTML resolve against the post's URL.
	const ours = entries.find((e) => e.includes('Relative Links'));
	const base = /<content type="html" xml:base="([^"]+)">/.exec(ours);
	assert.ok(base, 'xml:base on content');
	assert.equal(base[1], `${cfg.base}/posts/${slug}`);
	assert.equal(new URL('pic.png', base[1]).href,
	    `${cfg.base}/posts/pic.png`);
	// The schema does reject a feed without its id.
	fs.writeFileSync(file, r.body.replace(/<id>[^<]*<\/id>/, ''));
	const bad = spawnSync('xmllint', ['--noout', '--relaxng', ATOM_RNG,
	    file], { encoding: 'utf8' });
	assert.notEqual(bad.status, 0, 'a feed without <id> validated');
});
