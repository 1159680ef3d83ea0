// The rendered-page cache: freshness through the database's content version
// (one instance and two), the admin bypass, ETag/304, gzip (post pages with
// the per-visitor CSRF token, masked afresh for every answer, and the form
// stamp spliced into the compressed stream), Vary,
// the memory bound, the cache turned off; static files from memory with a
// .gz sibling and long-lived caching for fingerprinted names.

import assert from 'node:assert/strict';
import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import zlib from 'node:zlib';
import { after, before, test } from 'node:test';

import {
	addPost, addUser, adminSignIn, CookieJar, csrfFrom, csrfSecret,
	expectBody, expectNoBody, expectStatus, hiddenFrom, setupSite, sql,
	sqlValue, startBlogd, waitFor, writeConfig,
} from './lib.mjs';

const DBNAME = 'blogd_cache';
// The poller reads the content version once a second; a change must show
// "within about a second". Tests wait on the change itself, with room for
// a loaded machine, rather than time it.
const CHANGE_MS = 10000;
const ADMIN = 'cacheadmin';
const ADMIN_PW = 'cache admin password 1';
let cfg, srv, slug;

before(async () => {
	cfg = await setupSite(DBNAME);
	await addUser(cfg, ADMIN, ADMIN_PW, true);
	slug = await addPost(cfg, { title: 'Cached Words', author: ADMIN,
	    body: 'Paragraph one of the cached post. '.repeat(40) + '\n',
	    tags: 'cachetag' });
	fs.writeFileSync(path.join(cfg.static, 'style.css'),
	    'body { color: black; }\n'.repeat(50));
	srv = await startBlogd(cfg);
});

after(async () => {
	if (srv)
		await srv.stop();
});

const gzipHeaders = { 'Accept-Encoding': 'gzip, deflate' };
const bump = () => sql('UPDATE content_version SET version = version + 1',
    DBNAME);

/* The anonymous token's secret the server must give to the holder of
 * cookie, in hex. */
function anonSecret(cookie) {
	const secret = Buffer.from(sqlValue('SELECT HEX(secret) FROM ' +
	    'site_secret WHERE id = 1', DBNAME), 'hex');
	return crypto.createHmac('sha256', secret).update(`anon:${cookie}`)
	    .digest('hex');
}

/* A page with its per-answer values (token, stamp) blanked. */
const blanked = (html) => html.replace(
    /(name="(?:csrf_token|form_stamp)" value=")[0-9a-f]+"/g, '$1"');

const login = (server) => adminSignIn(server, ADMIN, ADMIN_PW);

test('a page is cached: same bytes and ETag, Vary, HEAD', async () => {
	const a = await srv.get('/');
	const b = await srv.get('/');
	expectStatus(b, 200, 'GET / twice');
	assert.equal(a.body, b.body);
	assert.match(b.headers.etag ?? '', /^W\/"[0-9a-f]+"$/, 'ETag');
	assert.equal(a.headers.etag, b.headers.etag);
	assert.match(b.headers.vary ?? '', /Accept-Encoding/i, 'Vary');
	assert.equal(b.headers['content-encoding'], undefined);
	expectBody(b, /Cached Words/);
	const h = await srv.request('HEAD', '/');
	expectStatus(h, 200, 'HEAD /');
	assert.equal(h.raw.length, 0);
	assert.equal(h.headers.etag, b.headers.etag);
	for (const t of [`/posts/${slug}`, '/tags/cachetag', `/authors/${ADMIN}`,
	    '/feed.xml', '/sitemap.xml', '/?page=1'])
		expectStatus(await srv.get(t), 200, t);
	expectStatus(await srv.get('/?page=2'), 404, 'past the last page');
});

test('a post added with the CLI shows without a restart', async () => {
	expectNoBody(await srv.get('/'), /Fresh Arrival/, 'before');
	await addPost(cfg, { title: 'Fresh Arrival', author: ADMIN,
	    body: 'new\n' });
	await waitFor(async () => /Fresh Arrival/.test((await srv.get('/'))
	    .body), CHANGE_MS, 'new post on the home page');
	const feed = await srv.get('/feed.xml');
	expectBody(feed, /Fresh Arrival/, 'feed');
});

test('without a version bump the cache answers; admins bypass it',
    async () => {
	const before = await srv.get(`/posts/${slug}`);
	expectBody(before, /Cached Words/);
	sql(`UPDATE posts SET title = 'Quietly Renamed' WHERE slug = '${slug}'`,
	    DBNAME);
	try {
		await new Promise((r) => setTimeout(r, 1200));
		expectBody(await srv.get(`/posts/${slug}`), /Cached Words/,
		    'anonymous visitor, no bump: the cached copy');
		const jar = await login(srv);
		const admin = await srv.get(`/posts/${slug}`, { jar });
		expectStatus(admin, 200, 'admin GET');
		expectBody(admin, /Quietly Renamed/, 'admin sees the database');
		assert.equal(admin.headers.etag, undefined, 'admin from cache');
		expectBody(await srv.get('/', { jar }), /Quietly Renamed/);
	} finally {
		sql(`UPDATE posts SET title = 'Cached Words' WHERE slug = ` +
		    `'${slug}'`, DBNAME);
		bump();
	}
	await waitFor(async () => !/Quietly Renamed/.test((await srv.get(
	    '/')).body), CHANGE_MS, 'home page back');
});

test('If-None-Match gives 304; a changed page a new ETag', async () => {
	const r = await srv.get('/tags/cachetag');
	const c = await srv.get('/tags/cachetag',
	    { headers: { 'If-None-Match': r.headers.etag } });
	expectStatus(c, 304, 'conditional GET');
	assert.equal(c.raw.length, 0);
	assert.equal(c.headers.etag, r.headers.etag);
	expectStatus(await srv.get('/tags/cachetag',
	    { headers: { 'If-None-Match': 'W/"0000"' } }), 200, 'other ETag');
	await addPost(cfg, { title: 'Tagged Later', author: ADMIN, body: 'x\n',
	    tags: 'cachetag' });
	const n = await waitFor(async () => {
		const x = await srv.get('/tags/cachetag',
		    { headers: { 'If-None-Match': r.headers.etag } });
		return x.status === 200 ? x : null;
	}, CHANGE_MS, 'a new tag page');
	assert.notEqual(n.headers.etag, r.headers.etag);
	expectBody(n, /Tagged Later/);
});

test('gzip: compressed once, same bytes as identity', async () => {
	for (const t of ['/', '/feed.xml', '/sitemap.xml', '/tags/cachetag']) {
		const plain = await srv.get(t);
		const gz = await srv.get(t, { headers: gzipHeaders });
		expectStatus(gz, 200, `${t} gzip`);
		assert.equal(gz.headers['content-encoding'], 'gzip', t);
		assert.match(gz.headers.vary ?? '', /Accept-Encoding/i, t);
		assert.ok(gz.raw.length < plain.raw.length, `${t} not smaller`);
		assert.equal(zlib.gunzipSync(gz.raw).toString('utf8'),
		    plain.body, `${t}: gunzip differs from identity`);
	}
	const q0 = await srv.get('/', { headers: { 'Accept-Encoding':
	    'gzip;q=0, identity' } });
	assert.equal(q0.headers['content-encoding'], undefined, 'gzip;q=0');
});

test('post pages: every visitor gets their own token, gzip too',
    async () => {
	const seen = new Set();
	for (const enc of [{}, gzipHeaders, gzipHeaders, {}]) {
		const jar = new CookieJar();
		const r = await srv.get(`/posts/${slug}`, { jar, headers: enc });
		expectStatus(r, 200, 'post page');
		const html = enc['Accept-Encoding']
		    ? zlib.gunzipSync(r.raw).toString('utf8') : r.body;
		assert.equal(r.headers['content-encoding'],
		    enc['Accept-Encoding'] ? 'gzip' : undefined);
		assert.match(r.headers['cache-control'] ?? '', /private/);
		const cookie = jar.get('blogd_csrf');
		assert.ok(cookie, 'no blogd_csrf cookie');
		const token = csrfFrom(html);
		assert.equal(csrfSecret(token), anonSecret(cookie),
		    'token does not belong to this visitor\'s cookie');
		assert.ok(!seen.has(csrfSecret(token)), 'a secret handed out twice');
		seen.add(csrfSecret(token));
		expectBody({ body: html, status: r.status }, /Cached Words/);

		// The same visitor again: the same secret under other masks
		// (no two answers carry the same token bytes), and identity
		// equals gzip but for them.
		const plain = await srv.get(`/posts/${slug}`, { jar });
		const gz = await srv.get(`/posts/${slug}`, { jar,
		    headers: gzipHeaders });
		const gzHtml = zlib.gunzipSync(gz.raw).toString('utf8');
		assert.equal(blanked(gzHtml), blanked(plain.body));
		assert.equal(csrfSecret(csrfFrom(plain.body)), csrfSecret(token));
		assert.equal(csrfSecret(csrfFrom(gzHtml)), csrfSecret(token));
		assert.notEqual(csrfFrom(plain.body), token, 'a mask reused');
		assert.notEqual(csrfFrom(gzHtml), csrfFrom(plain.body),
		    'a mask reused');
		assert.equal(gz.headers['set-cookie'], undefined,
		    'a second cookie for a known visitor');
		// 304 for this visitor's own ETag; another's page is a 200.
		const c = await srv.get(`/posts/${slug}`, { jar,
		    headers: { 'If-None-Match': plain.headers.etag } });
		expectStatus(c, 304, 'post page conditional GET');
		const other = await srv.get(`/posts/${slug}`,
		    { headers: { 'If-None-Match': plain.headers.etag } });
		expectStatus(other, 200, 'someone else\'s ETag');
		assert.notEqual(csrfSecret(csrfFrom(other.body)), csrfSecret(token));
	}
	// A token and stamp from a cached page are accepted back.
	const jar = new CookieJar();
	const page = await srv.get(`/posts/${slug}`, { jar,
	    headers: gzipHeaders });
	const fields = hiddenFrom(zlib.gunzipSync(page.raw).toString('utf8'));
	const r = await srv.request('POST', `/posts/${slug}/comments`, { jar,
	    body: { name: 'Zed', body: 'gzip token works', ...fields } });
	expectStatus(r, 303, 'comment with a token from a gzipped page');
});

test('two instances: a change through A shows on B',
    async () => {
	const cfgB = await writeConfig({ database: { name: DBNAME } });
	const b = await startBlogd(cfgB);
	try {
		const name = `Approved ${Date.now()}`;
		const jar = new CookieJar();
		const page = await srv.get(`/posts/${slug}`, { jar });
		expectStatus(await srv.request('POST', `/posts/${slug}/comments`,
		    { jar, body: { name, body: 'hello from A',
		    ...hiddenFrom(page.body) } }), 303, 'comment');
		expectNoBody(await b.get(`/posts/${slug}`), new RegExp(name),
		    'B before the approval');
		const id = sqlValue(`SELECT id FROM comments WHERE name = ` +
		    `'${name}'`, DBNAME);
		const admin = await login(srv);
		const q = await srv.get('/admin/comments', { jar: admin });
		expectStatus(await srv.request('POST',
		    `/admin/comments/${id}/approve`, { jar: admin,
		    body: { csrf_token: csrfFrom(q.body) } }), 303, 'approve on A');
		expectBody(await srv.get(`/posts/${slug}`), new RegExp(name),
		    'A right after its own change');
		await waitFor(async () => new RegExp(name).test((await b.get(
		    `/posts/${slug}`)).body), CHANGE_MS, 'approved comment on B');
	} finally {
		await b.stop();
	}
});

test('a tiny cache keeps many pages correct', async () => {
	const cfgT = await writeConfig({ database: { name: DBNAME },
	    cache: { max_size: '64K' } });
	const t = await startBlogd(cfgT);
	try {
		const slugs = [];
		for (let i = 0; i < 12; i++)
			slugs.push(await addPost(cfgT, { title: `Bulk Page ${i}`,
			    author: ADMIN, body: `Bulk body ${i} `.repeat(600) }));
		for (let round = 0; round < 3; round++)
			for (let i = 0; i < slugs.length; i++) {
				const r = await t.get(`/posts/${slugs[i]}`,
				    { headers: gzipHeaders });
				expectStatus(r, 200, `bulk ${i}`);
				const html = zlib.gunzipSync(r.raw).toString();
				assert.match(html, new RegExp(`Bulk Page ${i}<`));
				const h = await t.get(`/?page=${i % 3 + 1}`);
				assert.ok(h.status === 200 || h.status === 404);
			}
		assert.ok(t.alive());
	} finally {
		await t.stop();
	}
});

test('with the cache off pages are rendered every time', async () => {
	const cfgO = await writeConfig({ database: { name: DBNAME },
	    cache: { enabled: 'false' } });
	const o = await startBlogd(cfgO);
	try {
		const r = await o.get('/', { headers: gzipHeaders });
		expectStatus(r, 200, 'GET / without a cache');
		assert.equal(r.headers['content-encoding'], undefined);
		assert.equal(r.headers.etag, undefined);
		sql(`UPDATE posts SET title = 'Uncached Title' WHERE slug = ` +
		    `'${slug}'`, DBNAME);
		expectBody(await o.get(`/posts/${slug}`), /Uncached Title/,
		    'a change without a bump, at once');
	} finally {
		sql(`UPDATE posts SET title = 'Cached Words' WHERE slug = ` +
		    `'${slug}'`, DBNAME);
		bump();
		await o.stop();
	}
});

test('static: .gz sibling, Vary, immutable fingerprinted names', async () => {
	const css = 'p { margin: 0 auto; }\n'.repeat(100);
	fs.writeFileSync(path.join(cfg.static, 'site.css'), css);
	fs.writeFileSync(path.join(cfg.static, 'site.css.gz'),
	    zlib.gzipSync(css));
	const plain = await srv.get('/static/site.css');
	expectStatus(plain, 200, 'site.css');
	assert.equal(plain.body, css);
	assert.match(plain.headers.vary ?? '', /Accept-Encoding/i);
	const gz = await srv.get('/static/site.css', { headers: gzipHeaders });
	assert.equal(gz.headers['content-encoding'], 'gzip');
	assert.equal(zlib.gunzipSync(gz.raw).toString(), css);
	assert.equal(gz.headers.etag, plain.headers.etag);
	assert.match(plain.headers['cache-control'], /public, max-age=\d+/);
	assert.doesNotMatch(plain.headers['cache-control'], /immutable/);

	fs.writeFileSync(path.join(cfg.static, 'app.0123abcd.css'), css);
	const fp = await srv.get('/static/app.0123abcd.css');
	expectStatus(fp, 200, 'fingerprinted');
	assert.match(fp.headers['cache-control'], /max-age=31536000.*immutable/);
	// ?v= earns a year only when it is the hash of the file served.
	const v = await srv.get('/static/site.css?v=' + crypto
	    .createHash('sha256').update(css).digest('hex').slice(0, 16));
	assert.match(v.headers['cache-control'], /immutable/, '?v=');
	const stale = await srv.get('/static/site.css?v=0123456789abcdef');
	assert.doesNotMatch(stale.headers['cache-control'], /immutable/,
	    'a ?v= of other content');

	// A file replaced by rename (a deploy) is picked up.
	const tmp = path.join(cfg.static, 'site.css.new');
	fs.writeFileSync(tmp, 'h1 { color: red; }\n');
	fs.renameSync(tmp, path.join(cfg.static, 'site.css'));
	fs.rmSync(path.join(cfg.static, 'site.css.gz'));
	await waitFor(async () => (await srv.get('/static/site.css',
	    { headers: gzipHeaders })).body === 'h1 { color: red; }\n', CHANGE_MS,
	    'replaced file');
	const after = await srv.get('/static/site.css', { headers: gzipHeaders });
	assert.equal(after.headers['content-encoding'], undefined);
});

/* How many statements on the redirects table blogd executed during fn. */
async function redirectLookups(fn) {
	sql("SET GLOBAL log_output = 'TABLE'; TRUNCATE mysql.general_log; " +
	    'SET GLOBAL general_log = 1');
	try {
		await fn();
	} finally {
		sql('SET GLOBAL general_log = 0');
	}
	return Number(sqlValue('SELECT COUNT(*) FROM mysql.general_log ' +
	    "WHERE command_type = 'Execute' AND " +
	    "CONVERT(argument USING utf8mb4) LIKE '%redirects%'"));
}

test('unknown URLs cost no query while no old URL is kept', async () => {
	const miss = async (p) => expectStatus(await srv.get(p), 404, p);
	// Once the version is known and the table found empty, scanners'
	// 404s stop reaching the database: twenty in a row cost no query.
	// (A batch may still look once while blogd's poller catches up with
	// the tests' last version bump, which it reads once a second.)
	await waitFor(async () => await redirectLookups(async () => {
		for (let i = 0; i < 20; i++)
			await miss(`/scan/${i}.php`);
	}) === 0, CHANGE_MS, 'twenty unknown URLs without a query');
	// An old URL kept (as an import does: with a version bump) answers
	// within about a second, and misses look again.
	const id = sqlValue(`SELECT id FROM posts WHERE slug = '${slug}'`,
	    DBNAME);
	sql(`INSERT INTO redirects (path, post_id) VALUES ('/old/words', ${id})`,
	    DBNAME);
	bump();
	await waitFor(async () => (await srv.get('/old/words')).status === 301,
	    CHANGE_MS, 'the kept URL redirects');
	const r = await srv.get('/old/words');
	assert.equal(r.headers.location, `/posts/${slug}`);
	assert.ok(await redirectLookups(() => miss('/wp-admin/')) > 0,
	    'a miss looks while old URLs are kept');
	sql("DELETE FROM redirects WHERE path = '/old/words'", DBNAME);
	bump();
});
