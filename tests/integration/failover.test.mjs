// The database freezing (SIGSTOP) or stopping under a steady mix of
// requests: cached pages keep answering from the cache (stale if error),
// database routes answer 503 with Retry-After at once once the outage is
// known, a refused comment comes back with its text, no acknowledged
// comment is lost and no refused one kept, and after recovery changes
// show again. Tests wait on conditions; the only bounds on durations are
// "less than a second" for cached pages and "less than read_timeout" for
// database routes once the outage is known.

import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import fs from 'node:fs';
import http from 'node:http';
import path from 'node:path';
import { promisify } from 'node:util';
import { after, before, test } from 'node:test';

import {
	addPost, addUser, adminSignIn, CookieJar, csrfFrom, csrfSecret, DB,
	expectBody, expectStatus, hiddenFrom, setupSite, sleep, sql, sqlValue,
	startBlogd, waitFor,
} from './lib.mjs';

const run = promisify(execFile);
const DBNAME = 'blogd_failover';
const ADMIN = 'failadmin';
const ADMIN_PW = 'failover admin password 1';
const READ_TIMEOUT = 2; // seconds, [database] read_timeout
const OUTAGE_MS = 7000; // long enough for the outage to become known
const RECOVER_MS = 30000; // generous: waits on conditions end sooner
let cfg, srv, slug;
let frozen = null; // pid of the mariadbd we stopped with SIGSTOP
let stopped = false;

function mariadbPid() {
	const file = path.join(process.env.BLOGD_TEST_DB_DIR, 'server.pid');
	return Number(fs.readFileSync(file, 'utf8').trim());
}

function freeze() {
	frozen = mariadbPid();
	process.kill(frozen, 'SIGSTOP');
}

function thaw() {
	if (frozen !== null)
		process.kill(frozen, 'SIGCONT');
	frozen = null;
}

async function dbStop() {
	assert.ok(DB.stop, 'BLOGD_TEST_DB_STOP is not set');
	stopped = true;
	await run(DB.stop);
}

async function dbStart() {
	await run(DB.start);
	stopped = false;
}

before(async () => {
	cfg = await setupSite(DBNAME, {
		server: { workers: 6 },
		database: { pool_size: 8, connect_timeout: 1,
		    read_timeout: READ_TIMEOUT },
		site: { moderate_comments: 'false' },
	});
	await addUser(cfg, ADMIN, ADMIN_PW, true);
	slug = await addPost(cfg, { title: 'Weathering', author: ADMIN,
	    body: 'Through every outage.\n' });
	srv = await startBlogd(cfg);
});

after(async () => {
	// Whatever failed, later test files need the database back.
	thaw();
	if (stopped)
		await dbStart();
	if (srv)
		await srv.stop();
});

const login = () => adminSignIn(srv, ADMIN, ADMIN_PW);

/*
 * A steady mix until stop(), each loop on a kept-alive connection of its
 * own: the home page and the post page (cached), search (a database
 * route never cached), /healthz, and comments. Every answer is recorded
 * with when it was asked and how long it took.
 */
function startMix(jar, fields) {
	const log = { pages: [], search: [], health: [], comments: [] };
	let running = true, n = 0;
	const loop = async (list, ask) => {
		const agent = new http.Agent({ keepAlive: true, maxSockets: 1 });
		while (running) {
			const t0 = Date.now();
			const entry = { t0 };
			try {
				Object.assign(entry, await ask(agent, entry));
			} catch (e) {
				entry.status = 0;
				entry.error = e.message;
			}
			entry.ms = Date.now() - t0;
			list.push(entry);
			await sleep(40);
		}
		agent.destroy();
	};
	const get = (target) => async (agent) => {
		const r = await srv.get(target, { agent, timeout: 30000 });
		return { target, status: r.status, body: r.body,
		    retryAfter: r.headers['retry-after'] };
	};
	const comment = async (agent, entry) => {
		entry.name = `Mix ${process.pid}-${n++}`;
		const r = await srv.request('POST', `/posts/${slug}/comments`,
		    { agent, jar, timeout: 30000, body: { name: entry.name,
		    body: `steady ${entry.name}`, ...fields } });
		return { status: r.status, body: r.body };
	};
	const loops = [
		loop(log.pages, get('/')),
		loop(log.pages, get(`/posts/${slug}`)),
		loop(log.search, get('/search?q=outage')),
		loop(log.health, get('/healthz')),
		loop(log.comments, comment),
	];
	return { log, async stop() {
		running = false;
		await Promise.all(loops);
	} };
}

const shown = (what) =>
    `${what.length} answers: ` + JSON.stringify(what.map((e) =>
    [e.t0 % 100000, e.status, e.ms, e.target ?? e.name]).slice(0, 40));

/*
 * One outage under the mix: begin() at the start, end() once OUTAGE_MS
 * have passed (in a finally). Checks every answer of the mix.
 */
async function outage(begin, end) {
	const jar = new CookieJar();
	const page = await srv.get(`/posts/${slug}`, { jar });
	expectStatus(page, 200, 'post page before the outage');
	const fields = hiddenFrom(page.body);
	expectStatus(await srv.get('/'), 200, 'home before the outage');
	const stale0 = await staleCount();

	const mix = startMix(jar, fields);
	let t1, t2;
	try {
		await sleep(500);
		t1 = Date.now();
		await begin();
		await sleep(OUTAGE_MS);
	} finally {
		t2 = Date.now();
		await end();
	}
	await waitFor(async () => (await srv.get('/healthz')).status === 200,
	    RECOVER_MS, 'healthz 200 after the outage');
	await sleep(500);
	await mix.stop();
	const { log } = mix;
	assert.ok(srv.alive(), 'blogd died in the outage');

	// Cached pages: 200 throughout, none held for long.
	assert.ok(log.pages.length > 20, shown(log.pages));
	const badPages = log.pages.filter((e) => e.status !== 200 ||
	    e.ms >= 1000);
	assert.deepEqual(badPages.map((e) => [e.status, e.ms, e.target]), [],
	    `cached pages failed or were slow: ${shown(badPages)}`);
	const stale1 = await staleCount();
	assert.ok(stale1 !== null && stale1 > stale0,
	    `stale answers counted: ${stale0}, then ${stale1}`);

	// Once a first 503 says the outage is known, database routes answer
	// 503 + Retry-After without waiting out read_timeout.
	const first = log.search.find((e) => e.t0 >= t1 && e.status === 503);
	assert.ok(first, `search never answered 503: ${shown(log.search)}`);
	const known = log.search.filter((e) => e.t0 > first.t0 + first.ms &&
	    e.t0 + e.ms < t2);
	assert.ok(known.length > 5, `few answers in the outage: ` +
	    shown(log.search));
	for (const e of known) {
		assert.equal(e.status, 503, shown(known));
		assert.ok(e.ms < READ_TIMEOUT * 1000, `search waited ` +
		    `${e.ms} ms in a known outage: ${shown(known)}`);
		assert.ok(Number(e.retryAfter) > 0, `Retry-After ${e.retryAfter}`);
	}
	const down = log.health.filter((e) => e.status === 503);
	assert.ok(down.length > 0, `healthz never 503: ${shown(log.health)}`);
	assert.match(down[0].body, /database unavailable/);

	// Comments: each acknowledged one is stored, each refused one is not
	// and came back with its text.
	const acked = log.comments.filter((e) => e.status === 303);
	const refused = log.comments.filter((e) => e.status === 503);
	assert.equal(acked.length + refused.length, log.comments.length,
	    `comments neither 303 nor 503: ${shown(log.comments)}`);
	assert.ok(acked.length > 0 && refused.length > 0, shown(log.comments));
	expectBody(refused[0], /try again in a moment/, 'refused comment');
	expectBody(refused[0], new RegExp(`steady ${refused[0].name}`),
	    'refused comment keeps its text');
	const stored = new Set(sql(`SELECT name FROM comments WHERE name ` +
	    `LIKE 'Mix ${process.pid}-%'`, DBNAME).map((row) => row[0]));
	for (const e of acked)
		assert.ok(stored.has(e.name), `acknowledged ${e.name} lost`);
	for (const e of refused)
		assert.ok(!stored.has(e.name), `refused ${e.name} stored`);
	sql(`DELETE FROM comments WHERE name LIKE 'Mix ${process.pid}-%'`,
	    DBNAME);
}

/* blogd_cache_stale_total, null when /metrics has none. */
async function staleCount() {
	const m = await srv.get('/metrics');
	const v = /^blogd_cache_stale_total (\d+)$/m.exec(m.body);
	return v ? Number(v[1]) : null;
}

/* After recovery: a change through the admin, and one made elsewhere
 * (the CLI), show on the cached pages. */
async function changesShow(word) {
	const admin = await login();
	const id = sqlValue(`SELECT id FROM posts WHERE slug = '${slug}'`,
	    DBNAME);
	const form = await srv.get(`/admin/posts/${id}/edit`, { jar: admin });
	expectStatus(form, 200, 'edit form');
	const title = `Weathering ${word}`;
	expectStatus(await srv.request('POST', `/admin/posts/${id}/edit`,
	    { jar: admin, body: { title, slug, body: 'Through every outage.\n',
	    tags: '', published: '1', csrf_token: csrfFrom(form.body) } }),
	303, 'admin edit after recovery');
	for (const target of ['/', `/posts/${slug}`])
		await waitFor(async () => (await srv.get(target)).body
		    .includes(title), RECOVER_MS, `${target} shows the new title`);
	const other = `Elsewhere ${word}`;
	await addPost(cfg, { title: other, author: ADMIN, body: 'x\n' });
	await waitFor(async () => (await srv.get('/')).body.includes(other),
	    RECOVER_MS, 'a post added by the CLI shows on the home page');
}

test('a frozen database: pages from the cache, 503 at once, no write lost',
    async () => {
	await outage(async () => freeze(), async () => thaw());
	await changesShow('frozen');
	assert.match(srv.stdout(), / stale\n/, 'no stale access line');
});

test('a stopped database: the same, and it comes back', async () => {
	await outage(dbStop, dbStart);
	await changesShow('stopped');
});

test('an admin form sent in an outage comes back with its text',
    async () => {
	const admin = await login();
	const form = await srv.get('/admin/posts/new', { jar: admin });
	const token = csrfFrom(form.body);
	await dbStop();
	try {
		// Fail fast once the outage is known (the first request may
		// be the one that finds out).
		await waitFor(async () => (await srv.get('/healthz')).status ===
		    503, RECOVER_MS, 'healthz 503');
		const r = await srv.request('POST', '/admin/posts/new',
		    { jar: admin, body: { title: 'Unsaved Thoughts', slug: '',
		    body: 'Kept *safe*.\n', tags: 'kept', published: '1',
		    csrf_token: token } });
		expectStatus(r, 503, 'new post in an outage');
		expectBody(r, /try again in a moment/);
		expectBody(r, /Unsaved Thoughts/);
		expectBody(r, /Kept \*safe\*\./);
		// Its token (masked afresh) still names the session.
		const again = csrfFrom(r.body);
		assert.notEqual(again, token, 'a mask reused');
		assert.equal(csrfSecret(again), csrfSecret(token),
		    'the form lost its session token');
	} finally {
		await dbStart();
	}
	await waitFor(async () => (await srv.get('/healthz')).status === 200,
	    RECOVER_MS, 'healthz 200');
	assert.equal(Number(sqlValue('SELECT COUNT(*) FROM posts WHERE ' +
	    'title = \'Unsaved Thoughts\'', DBNAME)), 0, 'refused post stored');
});
