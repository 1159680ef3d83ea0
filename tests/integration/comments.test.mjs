// Anonymous comments: the CSRF cookie and its masked tokens, validation that
// keeps the typed text, moderation, escaping, body limits. (The spam checks
// are spam.test.mjs's.)

import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';

import {
	CookieJar, addPost, addUser, adminSignIn, csrfFrom, expectBody,
	expectNoBody,
	expectStatus, hiddenFrom, setupSite, sql, sqlValue, startBlogd, waitFor,
	writeConfig,
} from './lib.mjs';

const DBNAME = 'blogd_comments';
const MAX_BODY = 2048;
let srv, slug, draftSlug;

before(async () => {
	const cfg = await setupSite(DBNAME, { server: { max_body: MAX_BODY } });
	await addUser(cfg, 'commentee', 'commentee password 1');
	await addUser(cfg, 'moderator', 'moderator password 1', true);
	slug = await addPost(cfg, { title: 'Talk to me',
	    author: 'commentee', body: 'Say something.\n' });
	draftSlug = await addPost(cfg, { title: 'Quiet draft',
	    author: 'commentee', body: 'shh\n', draft: true });
	srv = await startBlogd(cfg);
});

after(async () => {
	if (srv)
		await srv.stop();
});

/* A fresh visitor: GETs the post page; returns { jar, token, page, fields }
 * (fields: the form's hidden inputs, token and stamp, to post back). */
async function visitor(target = `/posts/${slug}`) {
	const jar = new CookieJar();
	const page = await srv.get(target, { jar });
	expectStatus(page, 200, `GET ${target}`);
	const token = csrfFrom(page.body);
	assert.ok(token, 'no csrf_token input in the comment form\n' +
	    page.body.slice(0, 500));
	assert.ok(jar.get('blogd_csrf'), 'no blogd_csrf cookie set: ' +
	    JSON.stringify(page.headers['set-cookie']));
	return { jar, token, page, fields: hiddenFrom(page.body) };
}

const comments = () => Number(sqlValue('SELECT COUNT(*) FROM comments',
    DBNAME));
/* What the moderation queue does: approve, then invalidate page caches. */
// Approves in the database, as another instance would: cached pages show
// it within about a second (the content version poll), so tests wait for
// the page to change, generously, rather than time it.
const approve = (where) => sql("UPDATE comments SET status = 'approved' " +
    `WHERE ${where}; UPDATE content_version SET version = version + 1`,
    DBNAME);
const CHANGE_MS = 10000;
const pageWith = (re) => waitFor(async () => {
	const r = await srv.get(`/posts/${slug}`);
	return re.test(r.body) ? r : null;
}, CHANGE_MS, `the post page showing ${re}`);
const post = (jar, fields, target = `/posts/${slug}/comments`) =>
	srv.request('POST', target, { jar, body: fields });

test('the post page sets the CSRF cookie and a form token', async () => {
	const { page, token } = await visitor();
	const set = page.headers['set-cookie'].find((c) =>
	    c.startsWith('blogd_csrf='));
	assert.match(set, /;\s*Path=\//i, set);
	assert.match(set, /;\s*SameSite=(Lax|Strict)/i, set);
	assert.match(page.body, new RegExp(`<form[^>]*action="[^"]*/posts/` +
	    `${slug}/comments"`), 'form action');
	assert.match(page.body, /name="name"/);
	assert.match(page.body, /name="body"/);
	assert.ok(token.length >= 16, `short token ${token}`);
	// Two visitors get different cookies and tokens.
	const other = await visitor();
	assert.notEqual(other.token, token);
});

test('missing, wrong and foreign tokens are 403', async () => {
	const n = comments();
	const a = await visitor();
	const b = await visitor();
	const fields = { name: 'Mallory', body: 'forged comment',
	    form_stamp: a.fields.form_stamp };
	expectStatus(await post(a.jar, fields), 403, 'no token');
	expectStatus(await post(a.jar, { ...fields, csrf_token: '' }), 403,
	    'empty token');
	const flipped = a.token.slice(0, -1) +
	    (a.token.endsWith('A') ? 'B' : 'A');
	expectStatus(await post(a.jar, { ...fields, csrf_token: flipped }),
	    403, 'altered token');
	expectStatus(await post(b.jar, { ...fields, csrf_token: a.token }),
	    403, "another visitor's token");
	expectStatus(await post(new CookieJar(), { ...fields,
	    csrf_token: a.token }), 403, 'token without its cookie');
	assert.equal(comments(), n, 'a forged comment was stored');
});

test('tokens are masked afresh per page, and any mask of the secret posts',
    async () => {
	const n = comments();
	const v = await visitor();
	const again = await srv.get(`/posts/${slug}`, { jar: v.jar });
	expectStatus(again, 200, 'the post page again');
	const second = hiddenFrom(again.body);
	assert.match(v.token, /^[0-9a-f]{128}$/, 'a masked token');
	assert.notEqual(second.csrf_token, v.token,
	    'two pages showed the same token bytes');
	// No 32-byte run repeats between the two: nothing for compression
	// to match across responses.
	for (let i = 0; i + 64 <= 128; i += 16)
		assert.ok(!second.csrf_token.includes(v.token.slice(i, i + 64)),
		    'a token run repeats');
	const stamp = Date.now();
	expectStatus(await post(v.jar, { name: 'Mask1', body: `first ${stamp}`,
	    ...v.fields }), 303, 'the first page\'s token');
	expectStatus(await post(v.jar, { name: 'Mask2', body: `second ${stamp}`,
	    ...second }), 303, 'the second page\'s token');
	assert.equal(comments(), n + 2, 'both comments stored');

	const other = await visitor();
	const refused = [
	    ['another visitor\'s token', other.token],
	    ['truncated by one', v.token.slice(0, -1)],
	    ['cut to its mask', v.token.slice(0, 64)],
	    ['one digit changed', v.token.slice(0, 70) +
	        (v.token[70] === '0' ? '1' : '0') + v.token.slice(71)],
	    ['upper case', v.token.toUpperCase()],
	    ['not hex', 'z'.repeat(128)],
	    ['too long', v.token + v.token],
	];
	for (const [what, token] of refused) {
		const r = await post(v.jar, { name: 'Mallory', body: what,
		    ...v.fields, csrf_token: token });
		expectStatus(r, 403, what);
	}
	assert.equal(comments(), n + 2, 'a refused comment was stored');
	expectStatus(await srv.get('/healthz'), 200, 'healthz afterwards');
});

test('an invalid comment is 400 with the typed text kept, escaped',
    async () => {
	const v = await visitor();
	const typed = '<i>x</i> keep me & this';
	const r = await post(v.jar, { name: '', body: typed,
	    ...v.fields });
	expectStatus(r, 400, 'empty name');
	assert.match(r.headers['content-type'] ?? '', /^text\/html/i);
	expectBody(r, /&lt;i&gt;x&lt;\/i&gt; keep me &amp; this/,
	    'typed body re-shown escaped');
	expectNoBody(r, /<i>x<\/i>/, 'typed body re-shown raw');
	assert.ok(csrfFrom(r.body), 'the re-shown form has no csrf_token');

	const r2 = await post(v.jar, { name: 'Bob <script>', body: '   ',
	    ...v.fields });
	expectStatus(r2, 400, 'blank body');
	expectBody(r2, /Bob &lt;script&gt;/, 'typed name re-shown escaped');
	expectNoBody(r2, /Bob <script>/, 'typed name re-shown raw');
});

test('overlong or non-UTF-8 fields are 400, not stored', async () => {
	const n = comments();
	const v = await visitor();
	const r = await post(v.jar, { name: 'N'.repeat(300), body: 'long name',
	    ...v.fields });
	expectStatus(r, 400, '300-character name');
	expectBody(r, /Please keep your name to 80 characters\./,
	    'name limit message');
	// %FF is not UTF-8: sent raw, as a broken client would.
	const raw = `name=Zed&body=bad%FF%FEbytes&csrf_token=${v.token}` +
	    `&form_stamp=${v.fields.form_stamp}`;
	const r2 = await srv.request('POST', `/posts/${slug}/comments`,
	    { jar: v.jar, body: raw, headers: { 'Content-Type':
	    'application/x-www-form-urlencoded' } });
	expectStatus(r2, 400, 'invalid UTF-8 body');
	assert.equal(comments(), n, 'an invalid comment was stored');
});

test('the limits are 80 and 5000 characters, as the messages say',
    async () => {
	// A server whose max_body lets a 5001-character comment through.
	const cfg2 = await writeConfig({ database: { name: DBNAME },
	    server: { max_body: 65536 } });
	const big = await startBlogd(cfg2);
	try {
		const jar = new CookieJar();
		const page = await big.get(`/posts/${slug}`, { jar });
		expectStatus(page, 200, 'post page');
		const send = (name, body) => big.request('POST',
		    `/posts/${slug}/comments`, { jar, body: { name, body,
		    ...hiddenFrom(page.body) } });
		const n = comments();
		const long = await send('Zoe', 'é'.repeat(5001));
		expectStatus(long, 400, '5001-character body');
		expectBody(long, /Please keep your comment to 5000 characters\./,
		    'body limit message');
		const longName = await send('Ö'.repeat(81), 'hi');
		expectStatus(longName, 400, '81-character name');
		expectBody(longName, /Please keep your name to 80 characters\./,
		    'name limit message');
		assert.equal(comments(), n, 'an overlong comment was stored');
		expectStatus(await send('Ö'.repeat(80), 'é'.repeat(5000)), 303,
		    '80-character name, 5000-character body');
		assert.equal(comments(), n + 1, 'the comment at the limits');
	} finally {
		await big.stop();
	}
});

test('a valid comment is stored pending, 303, shown once approved',
    async () => {
	const n = comments();
	const v = await visitor();
	const name = `Carol ${Date.now()}`;
	const body = 'line one\nline two <u>under</u> & more';
	const r = await post(v.jar, { name, body, ...v.fields });
	expectStatus(r, 303, 'valid comment');
	assert.match(r.headers.location ?? '', new RegExp(`(^|//[^/]+)/posts/` +
	    `${slug}\\?commented=1#comments$`), 'Location');
	assert.equal(comments(), n + 1, 'comment rows');
	assert.equal(sqlValue('SELECT status FROM comments WHERE name = ' +
	    `'${name}'`, DBNAME), 'pending');

	const back = await srv.get(`/posts/${slug}?commented=1`,
	    { jar: v.jar });
	expectStatus(back, 200, 'post page after commenting');
	expectNoBody(back, new RegExp(name), 'pending comment shown');

	approve(`name = '${name}'`);
	const shown = await pageWith(new RegExp(name));
	expectBody(shown, /line one(\s*<br\s*\/?>\s*|\r?\n)line two/,
	    'line break kept');
	expectBody(shown, /&lt;u&gt;under&lt;\/u&gt; &amp; more/,
	    'comment HTML escaped');
	expectNoBody(shown, /<u>under<\/u>/, 'comment HTML raw');
});

test('an e-mail address is optional, checked, and shown only to the admin',
    async () => {
	const n = comments();
	const v = await visitor();
	expectBody(v.page, /<input id="comment-email" name="email" type="email"/,
	    'the form asks for an address');
	// Not an address: 400, every field kept, nothing stored.
	const bad = await post(v.jar, { name: 'Dora', email: 'dora at home',
	    body: 'Hello', ...v.fields });
	expectStatus(bad, 400, 'a malformed address');
	expectBody(bad, /Please enter an e-mail address such as name@example\.org/,
	    'the address field says why');
	expectBody(bad, /value="dora at home"/, 'the typed address kept');
	assert.equal(comments(), n, 'a comment with a bad address was stored');
	// An address: stored with the comment.
	const name = `Dora ${Date.now()}`;
	expectStatus(await post(v.jar, { name, email: ' dora@example.org ',
	    body: 'With an address', ...v.fields }), 303, 'with an address');
	assert.equal(sqlValue(`SELECT email FROM comments WHERE name = '${name}'`,
	    DBNAME), 'dora@example.org');
	// None: stored as none.
	const w = await visitor();
	const plain = `Eve ${Date.now()}`;
	expectStatus(await post(w.jar, { name: plain, body: 'No address',
	    ...w.fields }), 303, 'without an address');
	assert.equal(sqlValue('SELECT CONCAT(\'[\', email, \']\') FROM comments ' +
	    `WHERE name = '${plain}'`, DBNAME), '[]');
	// The moderation queue shows it; the public page, once approved, not.
	const admin = await adminSignIn(srv, 'moderator', 'moderator password 1');
	const queue = await srv.get('/admin/comments', { jar: admin });
	expectStatus(queue, 200, 'moderation queue');
	expectBody(queue, new RegExp(`${name}</strong> \\(dora@example\\.org\\)`),
	    'the queue shows the address');
	approve(`name = '${name}'`);
	const shown = await pageWith(new RegExp(name));
	expectNoBody(shown, /dora@example\.org/, 'the address on the public page');
});

test('approved comments are shown oldest first', async () => {
	const names = [];
	for (let i = 0; i < 3; i++) {
		const v = await visitor();
		const name = `Order${i}x${Date.now()}`;
		names.push(name);
		expectStatus(await post(v.jar, { name, body: `number ${i}`,
		    ...v.fields }), 303, `comment ${i}`);
	}
	approve("name LIKE 'Order%'");
	const page = await pageWith(new RegExp(names[2]));
	const at = names.map((n) => page.body.indexOf(n));
	assert.ok(at.every((p) => p >= 0), `missing comments ${at}`);
	assert.deepEqual([...at].sort((x, y) => x - y), at,
	    'comments not oldest first');
});

test('comments on drafts and unknown posts are 404', async () => {
	const n = comments();
	const v = await visitor();
	const fields = { name: 'Dan', body: 'hello', ...v.fields };
	expectStatus(await post(v.jar, fields,
	    `/posts/${draftSlug}/comments`), 404, 'comment on a draft');
	expectStatus(await post(v.jar, fields, '/posts/no-such/comments'),
	    404, 'comment on an unknown post');
	assert.equal(comments(), n, 'a comment was stored');
});

test('a body over max_body is 413', async () => {
	const n = comments();
	const v = await visitor();
	const r = await post(v.jar, { name: 'Eve', body: 'x'.repeat(
	    MAX_BODY * 3), ...v.fields });
	expectStatus(r, 413, 'oversized body');
	assert.equal(comments(), n, 'an oversized comment was stored');
	// The server still answers afterwards.
	expectStatus(await srv.get('/healthz'), 200, 'healthz after 413');
});

test('neither tokens nor cookies reach the logs', async () => {
	const v = await visitor();
	expectStatus(await post(v.jar, { name: 'Logcheck', body: 'hi',
	    ...v.fields }), 303, 'comment');
	const logs = srv.stdout() + srv.stderr();
	assert.ok(!logs.includes(v.token), 'csrf token logged');
	assert.ok(!logs.includes(v.jar.get('blogd_csrf')), 'cookie logged');
	const dbpw = process.env.BLOGD_TEST_DB_PASSWORD;
	assert.ok(!dbpw || !logs.includes(dbpw), 'DB password logged');
});

test('with moderate_comments = false a comment shows at once', async () => {
	// Set through the environment, which must win over the file.
	const cfg2 = await writeConfig({ database: { name: DBNAME },
	    site: { moderate_comments: 'true' } });
	const open = await startBlogd(cfg2, { env: {
	    BLOGD_SITE_MODERATE_COMMENTS: 'false' } });
	try {
		const jar = new CookieJar();
		const page = await open.get(`/posts/${slug}`, { jar });
		expectStatus(page, 200, 'post page');
		const name = `Instant ${Date.now()}`;
		const r = await open.request('POST', `/posts/${slug}/comments`,
		    { jar, body: { name, body: 'no queue',
		    ...hiddenFrom(page.body) } });
		expectStatus(r, 303, 'comment without moderation');
		assert.equal(sqlValue('SELECT status FROM comments WHERE ' +
		    `name = '${name}'`, DBNAME), 'approved');
		expectBody(await open.get(`/posts/${slug}`), new RegExp(name),
		    'unmoderated comment shown');
	} finally {
		await open.stop();
	}
});
