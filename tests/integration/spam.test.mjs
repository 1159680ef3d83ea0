// Comment spam defence through the binary: the honeypot, the signed form
// stamp (too fast, too old, missing or forged), links per comment, the
// per-address rate limit held in the database (two instances agree), and
// the same text twice. Every refusal keeps the typed text and is counted
// in /metrics by reason. Each test posts from its own loopback address
// (127.0.0.x), which blogd sees as the client address.

import assert from 'node:assert/strict';
import crypto from 'node:crypto';
import { after, before, test } from 'node:test';

import {
	CookieJar, addPost, addUser, expectBody, expectNoBody, expectStatus,
	hiddenFrom, metricSamples, setupSite, sleep, sqlValue, startBlogd,
	waitFor, writeConfig,
} from './lib.mjs';

const DBNAME = 'blogd_spam';
let cfg, srv, slug, other;

before(async () => {
	// The minimum fill time is off on this server (the test of it runs
	// one with the default); the rate limit and the link limit are the
	// defaults: 5 comments per 10 minutes, 3 links.
	cfg = await setupSite(DBNAME, { site: { comment_rate_limit: null,
	    comment_max_links: null } });
	await addUser(cfg, 'spamee', 'spamee password 1');
	slug = await addPost(cfg, { title: 'Spam Magnet', author: 'spamee',
	    body: 'Comment here.\n' });
	other = await addPost(cfg, { title: 'Another Post', author: 'spamee',
	    body: 'And here.\n' });
	srv = await startBlogd(cfg);
});

after(async () => {
	if (srv)
		await srv.stop();
});

const stored = (body) => Number(sqlValue('SELECT COUNT(*) FROM comments ' +
    `WHERE body = '${body}'`, DBNAME));
const refused = async (server, reason) => (await metricSamples(server))[
    `blogd_comment_refused_total{reason="${reason}"}`];

/* A visitor from address ip (127.0.0.x) who loaded the post page. */
async function visitor(ip, server = srv, target = slug) {
	const jar = new CookieJar();
	const page = await server.request('GET', `/posts/${target}`,
	    { jar, localAddress: ip });
	expectStatus(page, 200, `GET /posts/${target}`);
	return { jar, ip, page, fields: hiddenFrom(page.body) };
}

/* Posts a comment as v, with v's hidden fields unless overridden. */
const send = (v, fields, server = srv, target = slug) => server.request(
    'POST', `/posts/${target}/comments`, { jar: v.jar, localAddress: v.ip,
    body: { name: 'Sam', ...v.fields, ...fields } });

/* The refusal shows the form again with the text as typed. */
function keptText(r, body, what) {
	expectBody(r, new RegExp(`<textarea[^>]*>${body}</textarea>`),
	    `${what}: typed text kept`);
	assert.ok(hiddenFrom(r.body).csrf_token, `${what}: no token`);
	assert.ok(hiddenFrom(r.body).form_stamp, `${what}: no stamp`);
}

/* A stamp as blogd signs it (csrf.h), for a form served at unix time t. */
function stampAt(t) {
	const secret = Buffer.from(sqlValue('SELECT HEX(secret) FROM ' +
	    'site_secret WHERE id = 1', DBNAME), 'hex');
	const time = BigInt(t).toString(16).padStart(16, '0');
	return time + crypto.createHmac('sha256', secret)
	    .update(`stamp:${time}`).digest('hex');
}

test('the honeypot is out of sight and refuses what fills it', async () => {
	const v = await visitor('127.0.0.11');
	const field = /<p class="hp" aria-hidden="true">[\s\S]*?<\/p>/
	    .exec(v.page.body);
	assert.ok(field, 'no aria-hidden honeypot paragraph');
	assert.match(field[0], /<input[^>]*name="website"[^>]*>/);
	assert.match(field[0], /tabindex="-1"/);
	assert.match(field[0], /autocomplete="off"/);
	const before = await refused(srv, 'honeypot');
	const body = `honeypot ${Date.now()}`;
	const r = await send(v, { body, website: 'http://spam.example/' });
	expectStatus(r, 400, 'honeypot filled');
	keptText(r, body, 'honeypot');
	assert.equal(stored(body), 0, 'a honeypot comment was stored');
	assert.equal(await refused(srv, 'honeypot'), before + 1, 'counted');
	// Left empty, as a person leaves it, it passes.
	expectStatus(await send(v, { body, website: '' }), 303,
	    'honeypot empty');
	assert.equal(stored(body), 1);
});

test('a missing or forged form stamp is refused', async () => {
	const v = await visitor('127.0.0.12');
	const before = await refused(srv, 'stamp');
	const body = `stampless ${Date.now()}`;
	const good = v.fields.form_stamp;
	assert.match(good, /^[0-9a-f]{80}$/, 'the form stamp');
	const forged = [
	    ['no stamp', undefined],
	    ['empty', ''],
	    ['garbage', 'x'.repeat(80)],
	    // An hour earlier, with the MAC of the real one.
	    ['backdated', (BigInt(`0x${good.slice(0, 16)}`) - 3600n)
	        .toString(16).padStart(16, '0') + good.slice(16)],
	];
	for (const [what, stamp] of forged) {
		const fields = { ...v.fields, body };
		if (stamp === undefined)
			delete fields.form_stamp;
		else
			fields.form_stamp = stamp;
		const r = await srv.request('POST', `/posts/${slug}/comments`,
		    { jar: v.jar, localAddress: v.ip,
		    body: { name: 'Sam', ...fields } });
		expectStatus(r, 400, what);
		keptText(r, body, what);
	}
	assert.equal(stored(body), 0, 'a comment without a stamp was stored');
	assert.equal(await refused(srv, 'stamp'), before + forged.length);
});

test('a form older than a day is refused, and the form comes back fresh',
    async () => {
	const v = await visitor('127.0.0.13');
	const before = await refused(srv, 'expired');
	const body = `stale form ${Date.now()}`;
	const old = stampAt(Math.floor(Date.now() / 1000) - 24 * 3600 - 120);
	const r = await send(v, { body, form_stamp: old });
	expectStatus(r, 400, 'a day-old form');
	expectBody(r, /open for more than a day/);
	keptText(r, body, 'expired');
	assert.notEqual(hiddenFrom(r.body).form_stamp, old,
	    'the re-shown form kept the expired stamp');
	assert.equal(await refused(srv, 'expired'), before + 1);
	// The form shown again posts.
	expectStatus(await send({ ...v, fields: hiddenFrom(r.body) },
	    { body }), 303, 'the re-shown form');
	assert.equal(stored(body), 1);
});

test('too fast is 429 with Retry-After and the text kept; then it posts',
    async () => {
	// The default minimum: 3 seconds.
	const cfg2 = await writeConfig({ database: { name: DBNAME },
	    site: { comment_min_seconds: null } });
	const quick = await startBlogd(cfg2);
	try {
		const v = await visitor('127.0.0.14', quick);
		const body = `quick draw ${Date.now()}`;
		const r = await send(v, { body }, quick);
		expectStatus(r, 429, 'sent at once');
		const wait = Number(r.headers['retry-after']);
		assert.ok(wait >= 1 && wait <= 3, `Retry-After ${wait}`);
		expectBody(r, /That was quick/);
		keptText(r, body, 'too fast');
		// The form shown again keeps the first stamp: the clock
		// runs from when the visitor got the form.
		const again = hiddenFrom(r.body);
		assert.equal(again.form_stamp, v.fields.form_stamp);
		assert.equal(stored(body), 0);
		assert.ok(await refused(quick, 'too_fast') >= 1, 'counted');
		// A person reads it over and sends it again, later.
		const done = await waitFor(async () => {
			const s = await send({ ...v, fields: again }, { body },
			    quick);
			if (s.status === 303)
				return s;
			expectStatus(s, 429, 'sent again too soon');
			await sleep(1000 * Number(s.headers['retry-after']));
			return null;
		}, 15000, 'the comment posted once the time had passed');
		expectStatus(done, 303, 'sent after the wait');
		assert.equal(stored(body), 1);
	} finally {
		await quick.stop();
	}
});

test('more links than comment_max_links are refused', async () => {
	const v = await visitor('127.0.0.15');
	const before = await refused(srv, 'links');
	const four = `see http://a.example https://b.example www.c.example ` +
	    `and HTTP://d.example ${Date.now()}`;
	const r = await send(v, { body: four });
	expectStatus(r, 400, 'four links');
	expectBody(r, /more links than a comment may carry/);
	expectNoBody(r, /<a [^>]*href="http:\/\/a\.example/, 'a link made');
	assert.equal(await refused(srv, 'links'), before + 1);
	assert.equal(stored(four), 0);
	// Three are fine (www. inside a URL counts once).
	const three = `see https://www.a.example, http://b.example and ` +
	    `www.c.example ${Date.now()}`;
	expectStatus(await send(v, { body: three }), 303, 'three links');
});

test('the same text again is refused, on the post or from the address',
    async () => {
	const a = await visitor('127.0.0.16');
	const b = await visitor('127.0.0.17');
	const c = await visitor('127.0.0.18', srv, other);
	const before = await refused(srv, 'duplicate');
	const body = `Great post, thanks! ${Date.now()}`;
	expectStatus(await send(a, { body }), 303, 'the first time');
	// Another address, same post.
	const r = await send(b, { body });
	expectStatus(r, 400, 'same text, same post');
	expectBody(r, /already been posted/);
	keptText(r, body, 'duplicate');
	// Same address, another post.
	expectStatus(await send({ ...c, ip: a.ip }, { body }, srv, other),
	    400, 'same text from the same address');
	// Another address, another post: fine.
	expectStatus(await send(c, { body }, srv, other), 303,
	    'same text elsewhere by someone else');
	assert.equal(stored(body), 2);
	assert.equal(await refused(srv, 'duplicate'), before + 2);
});

test('the rate limit holds across instances: 429 with Retry-After',
    async () => {
	const b = await startBlogd(await writeConfig({
	    database: { name: DBNAME }, site: { comment_rate_limit: null } }));
	try {
		const ip = '127.0.0.19';
		const stamp = Date.now();
		// Five comments, through one instance then the other.
		for (let i = 0; i < 5; i++) {
			const server = i % 2 ? b : srv;
			const v = await visitor(ip, server);
			expectStatus(await send(v, { body: `rate ${stamp} ${i}` },
			    server), 303, `comment ${i}`);
		}
		const beforeA = await refused(srv, 'rate');
		for (const server of [b, srv]) {
			const v = await visitor(ip, server);
			const body = `rate ${stamp} over`;
			const r = await send(v, { body }, server);
			expectStatus(r, 429, 'the sixth comment');
			const wait = Number(r.headers['retry-after']);
			assert.ok(wait > 0 && wait <= 600, `Retry-After ${wait}`);
			keptText(r, body, 'rate limited');
		}
		assert.equal(await refused(srv, 'rate'), beforeA + 1);
		assert.equal(await refused(b, 'rate'), 1);
		assert.equal(stored(`rate ${stamp} over`), 0);
		// Another address is not held back.
		const v = await visitor('127.0.0.20', b);
		expectStatus(await send(v, { body: `rate ${stamp} elsewhere` },
		    b), 303, 'another address');
	} finally {
		await b.stop();
	}
});
