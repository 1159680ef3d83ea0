// The admin area through the binary: sign-in, sessions, throttling, Django
// hashes, posts and moderation, escaping, and what the log must not hold.

import assert from 'node:assert/strict';
import crypto from 'node:crypto';
import http from 'node:http';
import { after, before, beforeEach, test } from 'node:test';

import {
	CookieJar, addPost, addUser, csrfFrom, expectBody, expectNoBody,
	expectStatus, hiddenFrom, setupSite, sql, sqlValue, startBlogd, waitFor,
} from './lib.mjs';

const DBNAME = 'blogd_admin';
const ADMIN = 'editor';
const ADMIN_PW = 'correct horse battery staple';
const READER = 'reader';
const READER_PW = 'reader password 42';
const CHANGER = 'changer';
const CHANGER_PW = 'the first password of changer';
const CHANGER_NEW = 'a second password, for changer';
const GENERIC = 'Invalid username or password.';

let srv;
// Every secret the server saw, for the log check at the end.
const secrets = new Set([ADMIN_PW, READER_PW, CHANGER_PW, CHANGER_NEW]);

before(async () => {
	const cfg = await setupSite(DBNAME);
	await addUser(cfg, ADMIN, ADMIN_PW, true);
	await addUser(cfg, READER, READER_PW, false);
	await addUser(cfg, CHANGER, CHANGER_PW, true);
	srv = await startBlogd(cfg);
});

after(async () => {
	if (srv)
		await srv.stop();
});

// Each test starts with no failures on record, whatever the last one did.
beforeEach(() => sql('DELETE FROM login_failures', DBNAME));

/* An agent whose connections come from another loopback address. */
const fromAddress = (ip) => new http.Agent({ localAddress: ip });

const sha256 = (s) => crypto.createHash('sha256').update(s).digest('hex');

/* The session of cookie value token is gone: no row holds its hash and
 * the cookie is sent to sign in again. */
async function assertSessionGone(token, what) {
	assert.equal(sqlValue('SELECT COUNT(*) FROM sessions WHERE ' +
	    `token_hash = UNHEX('${sha256(token)}')`, DBNAME), '0', what);
	const jar = new CookieJar();
	jar.set('blogd_session', token);
	const r = await srv.get('/admin', { jar });
	expectStatus(r, 303, what);
	assert.equal(r.headers.location, '/admin/login', what);
}

/* GET /admin/login into jar; returns the form token. */
async function loginForm(jar, opts = {}) {
	const r = await srv.get('/admin/login', { jar, ...opts });
	expectStatus(r, 200, 'GET /admin/login');
	assert.equal(r.headers['cache-control'], 'no-store');
	const token = csrfFrom(r.body);
	assert.ok(token, `no csrf_token in the login form\n${r.body}`);
	return token;
}

/* One sign-in attempt with a fresh form; returns the response. */
async function attempt(username, password, { jar = new CookieJar(),
    agent } = {}) {
	const opts = agent ? { agent } : {};
	const token = await loginForm(jar, opts);
	return srv.request('POST', '/admin/login', { jar, ...opts,
	    body: { username, password, csrf_token: token } });
}

/* Signs in as the admin; returns the jar holding the session. */
async function login(user = ADMIN, password = ADMIN_PW) {
	const jar = new CookieJar();
	const r = await attempt(user, password, { jar });
	expectStatus(r, 303, `sign-in of ${user}`);
	assert.equal(r.headers.location, '/admin');
	const token = jar.get('blogd_session');
	assert.match(token ?? '', /^[0-9a-f]{64}$/, 'session cookie');
	secrets.add(token);
	return jar;
}

/* GETs an admin page with jar and returns { res, token }. */
async function adminPage(jar, target) {
	const res = await srv.get(target, { jar });
	expectStatus(res, 200, `GET ${target}`);
	assert.equal(res.headers['cache-control'], 'no-store', target);
	return { res, token: csrfFrom(res.body) };
}

const postId = (slug) => sqlValue(
    `SELECT id FROM posts WHERE slug = '${slug}'`, DBNAME);

/* Submits the new-post form; returns the response. */
async function createPost(jar, fields) {
	const { token } = await adminPage(jar, '/admin/posts/new');
	return srv.request('POST', '/admin/posts/new', { jar,
	    body: { slug: '', tags: '', ...fields, csrf_token: token } });
}

test('a wrong password is a 401 with one generic message', async () => {
	const page = await srv.get('/admin/login');
	expectBody(page, /name="username"/);
	expectBody(page, /name="password"/);
	for (const [user, pw] of [[ADMIN, 'wrong password'],
	    ['nobody-here', 'whatever'], [READER, READER_PW]]) {
		const r = await attempt(user, pw);
		expectStatus(r, 401, `sign-in as ${user}`);
		expectBody(r, new RegExp(GENERIC.replace('.', '\\.')));
		// The typed name stays in the form, the password never.
		expectBody(r, new RegExp(`name="username"[^>]*value="${user}"|` +
		    `value="${user}"[^>]*name="username"`));
		expectNoBody(r, new RegExp(pw));
		assert.equal(r.headers['set-cookie']?.some((c) =>
		    c.startsWith('blogd_session=')) ?? false, false);
	}
	assert.equal(sqlValue('SELECT COUNT(*) FROM sessions', DBNAME), '0');
});

test('a sign-in without the right CSRF token is a 403', async () => {
	const jar = new CookieJar();
	const token = await loginForm(jar);
	const body = { username: ADMIN, password: ADMIN_PW };
	expectStatus(await srv.request('POST', '/admin/login',
	    { jar, body }), 403, 'no token');
	expectStatus(await srv.request('POST', '/admin/login',
	    { jar, body: { ...body, csrf_token: '0'.repeat(64) } }), 403,
	    'wrong token');
	expectStatus(await srv.request('POST', '/admin/login',
	    { body: { ...body, csrf_token: token } }), 403, 'token, no cookie');
	assert.equal(sqlValue('SELECT COUNT(*) FROM sessions', DBNAME), '0');
});

test('sign-in: 303, a session cookie, only its hash stored', async () => {
	const jar = new CookieJar();
	const r = await attempt(ADMIN, ADMIN_PW, { jar });
	expectStatus(r, 303, 'sign-in');
	assert.equal(r.headers.location, '/admin');
	assert.equal(r.headers['cache-control'], 'no-store');
	const set = r.headers['set-cookie'].find((c) =>
	    c.startsWith('blogd_session='));
	assert.ok(set, JSON.stringify(r.headers['set-cookie']));
	assert.match(set, /;\s*HttpOnly/i, set);
	assert.match(set, /;\s*SameSite=Lax/i, set);
	assert.match(set, /;\s*Path=\/(;|$)/i, set);
	assert.doesNotMatch(set, /;\s*Secure/i, 'no Secure over plain HTTP');
	const token = jar.get('blogd_session');
	assert.match(token, /^[0-9a-f]{64}$/);
	secrets.add(token);
	const rows = sql('SELECT HEX(token_hash), u.name FROM sessions s ' +
	    'JOIN users u ON u.id = s.user_id', DBNAME);
	assert.deepEqual(rows, [[sha256(token).toUpperCase(), ADMIN]]);
	assert.equal(sqlValue('SELECT COUNT(*) FROM sessions WHERE ' +
	    `HEX(token_hash) = '${token.toUpperCase()}'`, DBNAME), '0');
	// Expiry: absolute within 12 h.
	const left = Number(sqlValue('SELECT TIMESTAMPDIFF(SECOND, ' +
	    'UTC_TIMESTAMP(), expires_at) FROM sessions', DBNAME));
	assert.ok(left > 12 * 3600 - 60 && left <= 12 * 3600, `${left}`);
	const home = await srv.get('/admin', { jar });
	expectStatus(home, 200, 'GET /admin signed in');
	expectBody(home, /New post/);
	// Signed in, the login page sends the admin on.
	const again = await srv.get('/admin/login', { jar });
	expectStatus(again, 303, 'login page when signed in');
});

test('a new sign-in rotates the token and drops the old one', async () => {
	const jar = await login();
	const first = jar.get('blogd_session');
	// Signed in, the form token is the session's (the login page itself
	// sends a signed-in admin on to /admin).
	const { token } = await adminPage(jar, '/admin');
	const r = await srv.request('POST', '/admin/login', { jar,
	    body: { username: ADMIN, password: ADMIN_PW, csrf_token: token } });
	expectStatus(r, 303, 'second sign-in');
	const second = jar.get('blogd_session');
	secrets.add(second);
	assert.notEqual(second, first);
	await assertSessionGone(first, 'old token after rotation');
});

const ADMIN_GETS = ['/admin', '/admin/posts/new', '/admin/posts/1/edit',
	'/admin/comments', '/admin/', '/admin/nothing/here'];
const ADMIN_POSTS = ['/admin/logout', '/admin/posts/new',
	'/admin/posts/1/edit', '/admin/posts/1/delete',
	'/admin/comments/1/approve', '/admin/comments/1/delete'];

/* Every admin URL answers 303 to the login page with this jar. */
async function allRedirect(jar, what) {
	for (const target of ADMIN_GETS) {
		const r = await srv.get(target, { jar });
		expectStatus(r, 303, `${what}: GET ${target}`);
		assert.equal(r.headers.location, '/admin/login', target);
		assert.equal(r.headers['cache-control'], 'no-store', target);
	}
	for (const target of ADMIN_POSTS) {
		const r = await srv.request('POST', target, { jar,
		    body: { csrf_token: 'x', title: 't', body: 'b' } });
		expectStatus(r, 303, `${what}: POST ${target}`);
		assert.equal(r.headers.location, '/admin/login', target);
	}
}

test('every admin URL needs an admin session', async () => {
	await allRedirect(new CookieJar(), 'no cookie');
	const bogus = new CookieJar();
	bogus.set('blogd_session', 'a'.repeat(64));
	await allRedirect(bogus, 'unknown token');
	const junk = new CookieJar();
	junk.set('blogd_session', '../<x>');
	await allRedirect(junk, 'malformed token');
	// A session of a user who is not (or no longer) an admin.
	const token = crypto.randomBytes(32).toString('hex');
	sql('INSERT INTO sessions (token_hash, user_id, expires_at) ' +
	    `SELECT UNHEX('${sha256(token)}'), id, UTC_TIMESTAMP() + ` +
	    `INTERVAL 1 HOUR FROM users WHERE name = '${READER}'`, DBNAME);
	const reader = new CookieJar();
	reader.set('blogd_session', token);
	await allRedirect(reader, 'non-admin session');
});

test('sessions expire when idle or old, and are touched', async () => {
	const jar = await login();
	const hash = sha256(jar.get('blogd_session'));
	const where = `WHERE token_hash = UNHEX('${hash}')`;
	// Seen 5 minutes ago: still valid, and last_seen moves.
	sql('UPDATE sessions SET last_seen = UTC_TIMESTAMP() - ' +
	    `INTERVAL 5 MINUTE ${where}`, DBNAME);
	expectStatus(await srv.get('/admin', { jar }), 200, 'active');
	const idle = Number(sqlValue('SELECT TIMESTAMPDIFF(SECOND, ' +
	    `last_seen, UTC_TIMESTAMP()) FROM sessions ${where}`, DBNAME));
	assert.ok(idle < 60, `last_seen not updated (${idle} s)`);
	// Idle for over 2 hours.
	sql('UPDATE sessions SET last_seen = UTC_TIMESTAMP() - ' +
	    `INTERVAL 121 MINUTE ${where}`, DBNAME);
	expectStatus(await srv.get('/admin', { jar }), 303, 'idle');
	// Active but past the absolute end.
	sql('UPDATE sessions SET last_seen = UTC_TIMESTAMP(), expires_at = ' +
	    `UTC_TIMESTAMP() - INTERVAL 1 SECOND ${where}`, DBNAME);
	expectStatus(await srv.get('/admin', { jar }), 303, 'expired');
	// The next sign-in cleans such rows up.
	await login();
	assert.equal(sqlValue(`SELECT COUNT(*) FROM sessions ${where}`,
	    DBNAME), '0');
});

test('logout ends the session on the server', async () => {
	const jar = await login();
	const token = jar.get('blogd_session');
	const { res, token: csrf } = await adminPage(jar, '/admin');
	expectBody(res, /<form[^>]*action="\/admin\/logout"/);
	expectStatus(await srv.request('POST', '/admin/logout', { jar,
	    body: {} }), 403, 'logout without a token');
	const out = await srv.request('POST', '/admin/logout', { jar,
	    body: { csrf_token: csrf } });
	expectStatus(out, 303, 'logout');
	assert.match(out.headers.location, /^\/admin\/login/);
	assert.ok(out.headers['set-cookie'].some((c) =>
	    /^blogd_session=;.*Max-Age=0/i.test(c)), 'cookie deleted');
	await assertSessionGone(token, 'replayed cookie after logout');
});

test('admin forms need the token of their own session', async () => {
	const a = await login();
	const b = await login();
	const { token: tokenA } = await adminPage(a, '/admin/posts/new');
	const fields = { title: 'Forged', body: 'x', slug: '', tags: '' };
	expectStatus(await srv.request('POST', '/admin/posts/new', { jar: b,
	    body: { ...fields, csrf_token: tokenA } }), 403,
	    "another session's token");
	// The anonymous token of the comment forms is no admin token.
	const anon = new CookieJar();
	const slug = await createAndPublish(a, 'Token target');
	const page = await srv.get(`/posts/${slug}`, { jar: anon });
	const anonToken = csrfFrom(page.body);
	b.set('blogd_csrf', anon.get('blogd_csrf'));
	expectStatus(await srv.request('POST', '/admin/posts/new', { jar: b,
	    body: { ...fields, csrf_token: anonToken } }), 403,
	    'anonymous token');
	expectStatus(await srv.request('POST', '/admin/posts/new', { jar: b,
	    body: fields }), 403, 'no token');
	assert.equal(sqlValue("SELECT COUNT(*) FROM posts WHERE title = " +
	    "'Forged'", DBNAME), '0');
});

test('throttling per account: 429 with Retry-After, whatever the password',
    async () => {
	// Five failures for the account, each from its own address.
	for (let i = 0; i < 5; i++) {
		const r = await attempt(ADMIN, `guess ${i}`,
		    { agent: fromAddress(`127.0.0.${10 + i}`) });
		expectStatus(r, 401, `failure ${i + 1}`);
	}
	const agent = fromAddress('127.0.0.16');
	const r = await attempt(ADMIN, ADMIN_PW, { agent });
	expectStatus(r, 429, 'sixth attempt, right password');
	const wait = Number(r.headers['retry-after']);
	assert.ok(wait > 890 && wait <= 900, `Retry-After ${wait}`);
	assert.equal(r.headers['set-cookie']?.some((c) =>
	    c.startsWith('blogd_session=')) ?? false, false);
	// Another account from a fresh address is not affected.
	expectStatus(await attempt(READER, 'nope', { agent }), 401,
	    'other account');
	// Retry-After counts down to when the oldest failure ages out.
	sql("UPDATE login_failures SET at = at - INTERVAL 14 MINUTE WHERE " +
	    `account = '${ADMIN}' AND client_ip = '127.0.0.10'`, DBNAME);
	const later = await attempt(ADMIN, ADMIN_PW, { agent });
	expectStatus(later, 429, 'still throttled');
	const rest = Number(later.headers['retry-after']);
	assert.ok(rest >= 1 && rest <= 61, `Retry-After ${rest}`);
	sql("UPDATE login_failures SET at = at - INTERVAL 2 MINUTE WHERE " +
	    `account = '${ADMIN}' AND client_ip = '127.0.0.10'`, DBNAME);
	expectStatus(await attempt(ADMIN, ADMIN_PW, { agent }), 303,
	    'after the oldest failure aged out');
});

test('throttling per address, and what a success clears', async () => {
	const agent = fromAddress('127.0.0.20');
	for (let i = 0; i < 4; i++)
		expectStatus(await attempt(`someone${i}`, 'x', { agent }), 401,
		    `failure ${i + 1}`);
	// A success clears the account's count, not the address's.
	expectStatus(await attempt(ADMIN, 'wrong', { agent }), 401, 'fifth');
	const other = fromAddress('127.0.0.21');
	expectStatus(await attempt(ADMIN, ADMIN_PW, { agent: other }), 303,
	    'success from elsewhere');
	assert.equal(sqlValue('SELECT COUNT(*) FROM login_failures WHERE ' +
	    `account = '${ADMIN}'`, DBNAME), '0');
	assert.equal(sqlValue('SELECT COUNT(*) FROM login_failures WHERE ' +
	    "client_ip = '127.0.0.20'", DBNAME), '4');
	expectStatus(await attempt('another', 'x', { agent }), 401, 'fifth');
	const r = await attempt(ADMIN, ADMIN_PW, { agent });
	expectStatus(r, 429, 'address over the limit, right password');
	assert.ok(Number(r.headers['retry-after']) > 0);
	expectBody(r, /Too many/);
});

test('a Django pbkdf2 hash signs in once and becomes argon2id', async () => {
	const pw = 'imported from django';
	secrets.add(pw);
	const salt = 'Zq7sW1xE0aR9';
	const iter = 20000;
	const dk = crypto.pbkdf2Sync(pw, salt, iter, 32, 'sha256')
	    .toString('base64');
	sql('INSERT INTO users (name, password_hash, is_admin) VALUES ' +
	    `('djangoist', 'pbkdf2_sha256$${iter}$${salt}$${dk}', 1)`, DBNAME);
	expectStatus(await attempt('djangoist', 'not it'), 401, 'wrong');
	const jar = await login('djangoist', pw);
	assert.ok(jar.get('blogd_session'));
	const stored = sqlValue("SELECT password_hash FROM users WHERE " +
	    "name = 'djangoist'", DBNAME);
	assert.match(stored, /^\$argon2id\$/);
	await login('djangoist', pw); // and the new hash verifies
});

/* Creates a published post titled title; returns its slug. */
async function createAndPublish(jar, title, extra = {}) {
	const r = await createPost(jar, { title, body: `About ${title}.\n`,
	    published: '1', ...extra });
	expectStatus(r, 303, `create ${title}`);
	return sqlValue(`SELECT slug FROM posts WHERE title = '${title}' ` +
	    'ORDER BY id DESC LIMIT 1', DBNAME);
}

test('new posts: slug from the title, unique, tags, notice', async () => {
	const jar = await login();
	const r = await createPost(jar, { title: 'Hello, Admin World!',
	    body: '# Heading\n\nSome *Markdown*.\n', tags: 'C, Web ,c',
	    published: '1' });
	expectStatus(r, 303, 'create');
	assert.equal(r.headers.location, '/admin?saved=1');
	const saved = await srv.get(r.headers.location, { jar });
	expectBody(saved, /Post saved\./);
	expectBody(saved, /Hello, Admin World!/);
	const second = await createPost(jar, { title: 'Hello, Admin World!',
	    body: 'again\n', published: '1' });
	expectStatus(second, 303, 'create the same title');
	const slugs = sql("SELECT slug FROM posts WHERE title = " +
	    "'Hello, Admin World!' ORDER BY id", DBNAME).map((x) => x[0]);
	assert.deepEqual(slugs, ['hello-admin-world', 'hello-admin-world-2']);
	const pub = await srv.get('/posts/hello-admin-world');
	expectStatus(pub, 200, 'public page');
	expectBody(pub, /<em>Markdown<\/em>/);
	expectBody(pub, /href="\/tags\/c"/);
	expectBody(pub, /href="\/tags\/web"/);
	// A given slug is used as typed.
	expectStatus(await createPost(jar, { title: 'Custom',
	    slug: 'my-own-slug', body: 'x', published: '1' }), 303, 'slug');
	expectStatus(await srv.get('/posts/my-own-slug'), 200, 'custom slug');
	// The list shows every post with edit and delete.
	const { res } = await adminPage(jar, '/admin');
	const id = postId('hello-admin-world');
	expectBody(res, new RegExp(`href="/admin/posts/${id}/edit"`));
	expectBody(res, new RegExp(`action="/admin/posts/${id}/delete"`));
	expectBody(res, /awaiting moderation/);
});

test('validation errors keep the typed text, escaped', async () => {
	const jar = await login();
	const typed = { title: '', slug: 'Bad Slug!', body: 'kept <b>body</b>',
	    tags: 'ok, "quoted"' };
	const r = await createPost(jar, typed);
	expectStatus(r, 400, 'invalid post');
	expectBody(r, /Please enter a title/);
	expectBody(r, /Use at most 80 lower-case letters/);
	expectBody(r, /value="Bad Slug!"/);
	expectBody(r, /kept &lt;b&gt;body&lt;\/b&gt;/);
	expectBody(r, /value="ok, &quot;quoted&quot;"/);
	const long = await createPost(jar, { title: 'x'.repeat(201),
	    body: '   \n' });
	expectStatus(long, 400, 'long title, blank body');
	expectBody(long, /200 characters/);
	expectBody(long, /Please write the post/);
	// 200 characters of two bytes each are fine.
	expectStatus(await createPost(jar, { title: 'é'.repeat(200),
	    body: 'x' }), 303, '200 non-ASCII characters');
	const tag = await createPost(jar, { title: 'Tagged', body: 'x',
	    tags: 'a/b' });
	expectStatus(tag, 400, 'bad tag');
	expectBody(tag, /value="a\/b"/);
	const longTag = await createPost(jar, { title: 'Tagged', body: 'x',
	    tags: `ok, ${'t'.repeat(65)}` });
	expectStatus(longTag, 400, 'a 65-byte tag');
	expectBody(longTag, /each tag to 64 bytes/);
	assert.equal(sqlValue("SELECT COUNT(*) FROM posts WHERE title IN " +
	    "('', 'Tagged')", DBNAME), '0');
});

test('drafts stay private until published; editing works', async () => {
	const jar = await login();
	const r = await createPost(jar, { title: 'Secret Plans',
	    body: 'draft body\n' });
	expectStatus(r, 303, 'create draft');
	const slug = 'secret-plans';
	const id = postId(slug);
	expectStatus(await srv.get(`/posts/${slug}`), 404, 'draft page');
	expectNoBody(await srv.get('/'), /Secret Plans/, 'home');
	assert.equal(sqlValue(`SELECT published_at IS NULL FROM posts WHERE ` +
	    `id = ${id}`, DBNAME), '1');
	const { res, token } = await adminPage(jar, `/admin/posts/${id}/edit`);
	expectBody(res, /value="Secret Plans"/);
	expectBody(res, /draft body/);
	expectNoBody(res, /checked/);
	const edit = await srv.request('POST', `/admin/posts/${id}/edit`, {
	    jar, body: { title: 'Open Plans', slug, body: 'now *public*\n',
	    tags: 'plans', published: '1', csrf_token: token } });
	expectStatus(edit, 303, 'publish');
	const pub = await srv.get(`/posts/${slug}`);
	expectStatus(pub, 200, 'published page');
	expectBody(pub, /Open Plans/);
	expectBody(pub, /<em>public<\/em>/);
	expectBody(await srv.get('/'), /Open Plans/, 'home');
	expectBody(await srv.get('/tags/plans'), /Open Plans/, 'tag page');
	expectBody(await srv.get('/sitemap.xml'), /\/tags\/plans</, 'sitemap');
	assert.equal(sqlValue(`SELECT published_at IS NOT NULL FROM posts ` +
	    `WHERE id = ${id}`, DBNAME), '1');
	const { res: again, token: t2 } = await adminPage(jar,
	    `/admin/posts/${id}/edit`);
	expectBody(again, /checked/);
	expectBody(again, /value="plans"/);
	// Unpublishing hides it again, from its tag page too (it keeps the
	// tag).
	expectStatus(await srv.request('POST', `/admin/posts/${id}/edit`, {
	    jar, body: { title: 'Open Plans', slug, body: 'x', tags: 'plans',
	    csrf_token: t2 } }), 303, 'unpublish');
	expectStatus(await srv.get(`/posts/${slug}`), 404, 'hidden again');
	expectStatus(await srv.get('/tags/plans'), 404, 'tag page of a draft');
	expectNoBody(await srv.get('/sitemap.xml'), /\/tags\/plans</,
	    'sitemap lists the tag of a draft');
	// Unknown and malformed ids.
	expectStatus(await srv.get('/admin/posts/999999/edit', { jar }), 404,
	    'unknown id');
	expectStatus(await srv.get('/admin/posts/abc/edit', { jar }), 404,
	    'bad id');
	expectStatus(await srv.get('/admin/posts/0/edit', { jar }), 404,
	    'id 0');
});

/* A visitor comments on slug; returns nothing, asserts the 303. */
async function comment(slug, name, body) {
	const jar = new CookieJar();
	const page = await srv.get(`/posts/${slug}`, { jar });
	expectStatus(page, 200, `GET /posts/${slug}`);
	const r = await srv.request('POST', `/posts/${slug}/comments`, { jar,
	    body: { name, body, ...hiddenFrom(page.body) } });
	expectStatus(r, 303, 'comment');
}

test('moderation: approve and delete, escaped everywhere', async () => {
	const jar = await login();
	const slug = await createAndPublish(jar, 'Discuss This');
	await comment(slug, 'Alice', 'First!\nSecond line');
	await comment(slug, '<img src=x onerror=alert(3)>', '<script>x</script>');
	await comment(slug, 'Spammer', 'buy things');
	const { res, token } = await adminPage(jar, '/admin/comments');
	expectBody(res, /Alice/);
	expectBody(res, /Discuss This/);
	expectBody(res, /&lt;img src=x onerror=alert\(3\)&gt;/);
	expectBody(res, /&lt;script&gt;x&lt;\/script&gt;/);
	expectNoBody(res, /<img src=x|<script>x/);
	const ids = sql("SELECT c.id, c.name FROM comments c JOIN posts p ON " +
	    `p.id = c.post_id WHERE p.slug = '${slug}' ORDER BY c.id`, DBNAME);
	for (const [id] of ids) {
		expectBody(res, new RegExp(
		    `action="/admin/comments/${id}/approve"`));
		expectBody(res, new RegExp(
		    `action="/admin/comments/${id}/delete"`));
	}
	const home = await srv.get('/admin', { jar });
	expectBody(home, /<span class="count">3<\/span>/);
	expectStatus(await srv.request('POST',
	    `/admin/comments/${ids[0][0]}/approve`, { jar, body: {} }), 403,
	    'approve without a token');
	for (const i of [0, 1]) {
		const r = await srv.request('POST',
		    `/admin/comments/${ids[i][0]}/approve`,
		    { jar, body: { csrf_token: token } });
		expectStatus(r, 303, 'approve');
		assert.equal(r.headers.location, '/admin/comments?approved=1');
	}
	// Deleting a pending comment changes no page, so it leaves the page
	// caches alone; deleting an approved one invalidates them.
	const version = () => sqlValue('SELECT version FROM content_version',
	    DBNAME);
	const v0 = version();
	const del = await srv.request('POST',
	    `/admin/comments/${ids[2][0]}/delete`,
	    { jar, body: { csrf_token: token } });
	expectStatus(del, 303, 'delete comment');
	assert.equal(version(), v0, 'deleting a pending comment bumped the ' +
	    'content version');
	assert.equal(sqlValue(`SELECT COUNT(*) FROM comments WHERE id = ` +
	    `${ids[2][0]}`, DBNAME), '0', 'pending comment not deleted');
	expectStatus(await srv.request('POST', '/admin/comments/999999/approve',
	    { jar, body: { csrf_token: token } }), 404, 'unknown comment');
	const pub = await srv.get(`/posts/${slug}`);
	expectBody(pub, /First!\nSecond line/);
	expectBody(pub, /&lt;img src=x onerror=alert\(3\)&gt;/);
	expectNoBody(pub, /<img src=x|<script>x|buy things/);
	const v1 = version();
	expectStatus(await srv.request('POST',
	    `/admin/comments/${ids[1][0]}/delete`,
	    { jar, body: { csrf_token: token } }), 303,
	    'delete an approved comment');
	assert.ok(Number(version()) > Number(v1),
	    'deleting an approved comment left the content version');
	const gone = await srv.get(`/posts/${slug}`);
	expectNoBody(gone, /onerror=alert/, 'deleted comment still shown');
	expectBody(gone, /First!\nSecond line/);
	const queue = await srv.get('/admin/comments', { jar });
	expectBody(queue, /Nothing to moderate/);
	// What is published is listed too, to be deleted, not approved again.
	const published = queue.body.slice(queue.body.indexOf('<h2>Published'));
	expectBody({ ...queue, body: published }, new RegExp(
	    `action="/admin/comments/${ids[0][0]}/delete"`), 'a delete button');
	expectNoBody({ ...queue, body: published }, /\/approve"/,
	    'an approve button on a published comment');
});

test('an admin changes their own password; other sessions end', async () => {
	const jar = await login(CHANGER, CHANGER_PW);
	const other = await login(CHANGER, CHANGER_PW);
	const { res, token } = await adminPage(jar, '/admin/password');
	expectBody(res, /<a href="\/admin\/password">Password<\/a>/);
	expectBody(res, /autocomplete="current-password"/);
	const change = (fields) => srv.request('POST', '/admin/password',
	    { jar, body: { csrf_token: token, ...fields } });
	const refused = [
		[{ password: CHANGER_PW, new_password: 'short',
		    new_password_again: 'short' }, 400, /at least 8 characters/],
		[{ password: CHANGER_PW, new_password: CHANGER_NEW,
		    new_password_again: `${CHANGER_NEW}!` }, 400, /differ/],
		[{ password: 'not the password', new_password: CHANGER_NEW,
		    new_password_again: CHANGER_NEW }, 401,
		    /current password is not right/],
	];
	for (const [fields, status, why] of refused) {
		const r = await change(fields);
		expectStatus(r, status, JSON.stringify(why));
		expectBody(r, why);
	}
	expectStatus(await srv.request('POST', '/admin/password', { jar,
	    body: { password: CHANGER_PW, new_password: CHANGER_NEW,
	    new_password_again: CHANGER_NEW } }), 403, 'no CSRF token');
	// The wrong current password counted as a failed sign-in.
	assert.equal(sqlValue('SELECT COUNT(*) FROM login_failures WHERE ' +
	    `account = '${CHANGER}'`, DBNAME), '1');
	const ok = await change({ password: CHANGER_PW,
	    new_password: CHANGER_NEW, new_password_again: CHANGER_NEW });
	expectStatus(ok, 303, 'the change');
	assert.equal(ok.headers.location, '/admin/password?changed=1');
	// This session goes on; the other one is signed out.
	const done = await adminPage(jar, '/admin/password?changed=1');
	expectBody(done.res, /Password changed\./);
	const out = await srv.get('/admin', { jar: other });
	expectStatus(out, 303, 'the other session');
	assert.match(out.headers.location ?? '', /\/admin\/login/);
	// The old password no longer signs in; the new one does.
	expectStatus(await attempt(CHANGER, CHANGER_PW), 401, 'old password');
	await login(CHANGER, CHANGER_NEW);
	// Only admins reach the page.
	expectStatus(await srv.get('/admin/password'), 303, 'signed out');
});

test('the post list: 100 a page, newest change first, found by title or slug',
    async () => {
	const jar = await login();
	// 120 drafts changed in the coming two hours: the newest changes.
	sql('INSERT INTO posts (slug, title, body_md, body_html, excerpt, ' +
	    'author_id, status, updated_at) SELECT CONCAT(\'bulk-\', seq), ' +
	    "CONCAT('Bulk post ', seq), 'x', '<p>x</p>', 'x', (SELECT id FROM " +
	    `users WHERE name = '${ADMIN}'), 'draft', UTC_TIMESTAMP() + ` +
	    'INTERVAL seq MINUTE FROM seq_1_to_120', DBNAME);
	try {
		const titles = (body) => [...body.matchAll(
		    /<td class="title"><a [^>]*>([^<]*)<\/a>/g)].map((m) => m[1]);
		const one = await adminPage(jar, '/admin');
		const first = titles(one.res.body);
		assert.equal(first.length, 100, 'rows on page 1');
		assert.equal(first[0], 'Bulk post 120');
		assert.equal(first[99], 'Bulk post 21');
		expectBody(one.res, /<a class="older" rel="next" href="\/admin\?page=2">/);
		const two = await adminPage(jar, '/admin?page=2');
		assert.deepEqual(titles(two.res.body).slice(0, 20),
		    Array.from({ length: 20 }, (_, i) => `Bulk post ${20 - i}`));
		expectBody(two.res, /<a class="newer" rel="prev" href="\/admin">/);
		// Words in a title or a slug, case folded; the pages keep them.
		const found = await adminPage(jar, '/admin?q=BULK+POST+11');
		assert.deepEqual(titles(found.res.body), ['Bulk post 119',
		    'Bulk post 118', 'Bulk post 117', 'Bulk post 116',
		    'Bulk post 115', 'Bulk post 114', 'Bulk post 113',
		    'Bulk post 112', 'Bulk post 111', 'Bulk post 110',
		    'Bulk post 11']);
		expectBody(found.res, /value="BULK POST 11"/);
		const bySlug = await adminPage(jar, '/admin?q=bulk-7');
		assert.ok(titles(bySlug.res.body).includes('Bulk post 7'));
		const page2 = await adminPage(jar, '/admin?q=bulk&page=2');
		expectBody(page2.res, /href="\/admin\?q=bulk">/, 'newer keeps q');
		// '%' is text, not a pattern.
		const none = await adminPage(jar, '/admin?q=%25');
		assert.deepEqual(titles(none.res.body), []);
		expectBody(none.res, /No post&#39;s title or slug holds that\./);
		expectStatus(await srv.get(`/admin?q=${'x'.repeat(201)}`, { jar }),
		    400, 'words over 200 characters');
		expectStatus(await srv.get('/admin?page=99', { jar }), 404,
		    'a page past the end');
	} finally {
		sql("DELETE FROM posts WHERE slug LIKE 'bulk-%'", DBNAME);
	}
});

test('users: the list, adding an admin or an author, deleting', async () => {
	const jar = await login();
	const { res, token } = await adminPage(jar, '/admin/users');
	// Oneself: no delete button; others: one.
	expectBody(res, new RegExp(`<td class="title">${ADMIN}</td>\\s*` +
	    '<td class="status">admin</td>\\s*<td class="date">.*?</td>\\s*' +
	    '<td class="actions">\\s*you\\s*</td>'));
	expectNoBody(res, new RegExp(`/admin/users/${ADMIN}/delete`));
	expectBody(res, new RegExp(`action="/admin/users/${READER}/delete"`));
	const add = (fields) => srv.request('POST', '/admin/users',
	    { jar, body: { csrf_token: token, ...fields } });
	const pw = 'new account password 1';
	secrets.add(pw);
	const refused = [
		[{ name: 'bad name!', password: pw, password_again: pw },
		    /A name is 1 to 64/],
		[{ name: 'newadmin', password: 'short', password_again: 'short' },
		    /at least 8 characters/],
		[{ name: 'newadmin', password: pw, password_again: `${pw}x` },
		    /differ/],
		[{ name: READER, password: pw, password_again: pw },
		    /That name is taken/],
	];
	for (const [fields, why] of refused) {
		const r = await add(fields);
		expectStatus(r, 400, String(why));
		expectBody(r, why);
	}
	const kept = await add({ name: 'newadmin', admin: '1', password: 'x',
	    password_again: 'x' });
	expectBody(kept, /value="newadmin"/, 'the typed name kept');
	expectBody(kept, /name="admin" type="checkbox" value="1" checked/);
	const made = await add({ name: 'newadmin', admin: '1', password: pw,
	    password_again: pw });
	expectStatus(made, 303, 'add an admin');
	assert.equal(made.headers.location, '/admin/users?added=1');
	expectStatus(await add({ name: 'newauthor', password: pw,
	    password_again: pw }), 303, 'add an author');
	await login('newadmin', pw);
	expectStatus(await attempt('newauthor', pw), 401,
	    'an author signs in');
	// Deleting: not oneself, not an author of posts, not without a token.
	const del = (name, body = { csrf_token: token }) =>
	    srv.request('POST', `/admin/users/${name}/delete`, { jar, body });
	const self = await del(ADMIN);
	expectStatus(self, 400, 'delete oneself');
	expectBody(self, /cannot delete your own account/);
	sql("INSERT INTO posts (slug, title, body_md, body_html, excerpt, " +
	    "author_id, status) SELECT 'by-newadmin', 'By newadmin', 'x', " +
	    "'<p>x</p>', 'x', id, 'draft' FROM users WHERE name = 'newadmin'",
	    DBNAME);
	const authoring = await del('newadmin');
	expectStatus(authoring, 400, 'delete an author of posts');
	expectBody(authoring, /still authors posts/);
	sql("DELETE FROM posts WHERE slug = 'by-newadmin'", DBNAME);
	expectStatus(await del('newauthor', {}), 403, 'no CSRF token');
	const gone = await del('newauthor');
	expectStatus(gone, 303, 'delete an author');
	assert.equal(sqlValue("SELECT COUNT(*) FROM users WHERE name = " +
	    "'newauthor'", DBNAME), '0');
	expectStatus(await del('no-such-user'), 404, 'unknown account');
	expectStatus(await del('newadmin'), 303, 'delete an admin');
});

test('redirects: add one to a path, one gone, refusals, delete',
    async () => {
	const jar = await login();
	const { res, token } = await adminPage(jar, '/admin/redirects');
	expectBody(res, /<h1>Redirects<\/h1>/);
	const add = (fields) => srv.request('POST', '/admin/redirects',
	    { jar, body: { csrf_token: token, ...fields } });
	for (const [fields, why] of [
		[{ path: 'rss', target: '/feed.xml' }, /old path must be/],
		[{ path: '/rss/', target: '//evil.example/' }, /new address must/],
		[{ path: '/rss/', target: 'javascript:alert(1)' },
		    /new address must/],
		[{ path: '/rss/', target: '' }, /or tick &quot;Gone for good/],
	]) {
		const r = await add(fields);
		expectStatus(r, 400, String(why));
		expectBody(r, why);
	}
	const kept = await add({ path: '/rss/', target: '//evil.example/' });
	expectBody(kept, /name="path" type="text" value="\/rss\/"/,
	    'the typed path kept');
	expectStatus(await add({ path: '/x/', target: '/y' }), 303,
	    'a second one');
	expectStatus(await srv.request('POST', '/admin/redirects',
	    { jar, body: { path: '/rss/', target: '/feed.xml' } }), 403,
	    'no CSRF token');

	const made = await add({ path: ' /rss/ ', target: '/feed.xml' });
	expectStatus(made, 303, 'add (trimmed)');
	assert.equal(made.headers.location, '/admin/redirects?added=1');
	expectStatus(await add({ path: '/gone/', gone: '1', target: '/z' }),
	    303, 'add gone (the address is ignored)');
	const list = await srv.get('/admin/redirects', { jar });
	expectBody(list, /<code>\/rss\/<\/code><\/td>\s*<td><code>\/feed\.xml<\/code>/);
	expectBody(list, /<code>\/gone\/<\/code><\/td>\s*<td>gone \(410\)/);
	const follows = await waitFor(async () => {
		const r = await srv.get('/rss/');
		return r.status === 301 ? r : null;
	}, 5000, '/rss/ answering 301');
	assert.equal(follows.headers.location, '/feed.xml');
	await waitFor(async () => (await srv.get('/gone/')).status === 410,
	    5000, '/gone/ answering 410');

	const del = (path) => srv.request('POST', '/admin/redirects/delete',
	    { jar, body: { csrf_token: token, path } });
	for (const path of ['/rss/', '/gone/', '/x/'])
		expectStatus(await del(path), 303, `delete ${path}`);
	expectStatus(await del('/rss/'), 404, 'delete again');
	assert.equal(sqlValue('SELECT COUNT(*) FROM redirects', DBNAME), '0');
	await waitFor(async () => (await srv.get('/rss/')).status === 404,
	    5000, '/rss/ a 404 again');
});

test('published comments are listed newest first, 50 a page', async () => {
	const jar = await login();
	const slug = await createAndPublish(jar, 'Much Discussed');
	const id = postId(slug);
	// 52 approved comments a minute apart, dated in the coming hour so that
	// they are newer than any other test's; the newest is "Reader 52".
	const rows = Array.from({ length: 52 }, (_, i) => `(${id}, ` +
	    `'Reader ${i + 1}', 'Comment ${i + 1}', 'approved', ` +
	    `UTC_TIMESTAMP() + INTERVAL ${i + 1} MINUTE)`).join(', ');
	sql('INSERT INTO comments (post_id, name, body, status, created_at) ' +
	    `VALUES ${rows}`, DBNAME);
	const first = await adminPage(jar, '/admin/comments');
	const names = (body) => [...body.matchAll(/<strong>(Reader \d+)<\/strong>/g)]
	    .map((m) => m[1]);
	const one = names(first.res.body);
	assert.equal(one.length, 50, 'comments on page 1');
	assert.equal(one[0], 'Reader 52');
	assert.equal(one[49], 'Reader 3');
	expectBody(first.res, /<a class="older" rel="next" href="\/admin\/comments\?page=2">/);
	const second = await adminPage(jar, '/admin/comments?page=2');
	const older = names(second.res.body);
	// Page 2 may also hold comments earlier tests made, older than these.
	assert.deepEqual(older.slice(0, 2), ['Reader 2', 'Reader 1']);
	expectBody(second.res, /<a class="newer" rel="prev" href="\/admin\/comments">/);
	expectStatus(await srv.get('/admin/comments?page=999', { jar }), 404,
	    'a page past the end');
	expectStatus(await srv.get('/admin/comments?page=x', { jar }), 404,
	    'a page that is no number');
});

test('titles and bodies are escaped on public and admin pages', async () => {
	const jar = await login();
	const title = '<script>alert(1)</script> & "quotes"';
	const r = await createPost(jar, { title, slug: 'xss-post',
	    body: 'Hi <script>alert(2)</script>\n\n[x](javascript:alert(4))\n',
	    tags: '<b>tag', published: '1' });
	expectStatus(r, 303, 'create');
	const id = postId('xss-post');
	for (const [target, opts] of [['/', {}], ['/posts/xss-post', {}],
	    ['/admin', { jar }], [`/admin/posts/${id}/edit`, { jar }]]) {
		const page = await srv.get(target, opts);
		expectStatus(page, 200, target);
		expectNoBody(page, /<script>alert/, target);
		expectNoBody(page, /<b>tag/, target);
		expectNoBody(page, /href="javascript:/, target);
	}
	const pub = await srv.get('/posts/xss-post');
	expectBody(pub, /&lt;script&gt;alert\(1\)&lt;\/script&gt; &amp;/);
	const edit = await srv.get(`/admin/posts/${id}/edit`, { jar });
	expectBody(edit, /Hi &lt;script&gt;alert\(2\)&lt;\/script&gt;/);
});

test('deleting a post deletes its comments', async () => {
	const jar = await login();
	const slug = await createAndPublish(jar, 'Short Lived',
	    { tags: 'ephemeral' });
	await comment(slug, 'Bob', 'a comment');
	expectBody(await srv.get('/tags/ephemeral'), /Short Lived/, 'tag page');
	const id = postId(slug);
	assert.equal(sqlValue(`SELECT COUNT(*) FROM comments WHERE post_id = ` +
	    `${id}`, DBNAME), '1');
	const { token } = await adminPage(jar, '/admin');
	expectStatus(await srv.request('POST', `/admin/posts/${id}/delete`,
	    { jar, body: {} }), 403, 'delete without a token');
	const r = await srv.request('POST', `/admin/posts/${id}/delete`,
	    { jar, body: { csrf_token: token } });
	expectStatus(r, 303, 'delete');
	assert.equal(r.headers.location, '/admin?deleted=1');
	assert.equal(sqlValue(`SELECT COUNT(*) FROM comments WHERE post_id = ` +
	    `${id}`, DBNAME), '0');
	assert.equal(sqlValue(`SELECT COUNT(*) FROM posts WHERE id = ${id}`,
	    DBNAME), '0');
	expectStatus(await srv.get(`/posts/${slug}`), 404, 'gone');
	expectStatus(await srv.get('/tags/ephemeral'), 404, 'gone from its tag');
	expectStatus(await srv.request('POST', `/admin/posts/${id}/delete`,
	    { jar, body: { csrf_token: token } }), 404, 'twice');
});

test('a CLI-made post shows up in the admin list', async () => {
	const slug = await addPost(srv.cfg, { title: 'From the CLI',
	    author: ADMIN, body: 'cli\n', draft: true });
	const jar = await login();
	const { res } = await adminPage(jar, '/admin');
	expectBody(res, /From the CLI/);
	expectBody(res, /Draft/);
	expectBody(res, new RegExp(`/admin/posts/${postId(slug)}/edit`));
});

test('the log holds no password and no session token', () => {
	const log = srv.stdout() + srv.stderr();
	assert.match(log, /signed in/, 'sign-ins are logged');
	for (const s of secrets)
		assert.ok(!log.includes(s), `the log contains a secret (${
		    s.length} chars)`);
	// Neither urlencoded.
	for (const s of secrets)
		assert.ok(!log.includes(encodeURIComponent(s)));
});
