// The database going away and coming back, malformed requests, idle
// clients and the per-address connection limit.

import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import net from 'node:net';
import { after, before, test } from 'node:test';

import {
	CookieJar, DB, addPost, addUser, csrfFrom, expectBody, expectStatus,
	hiddenFrom, rawExchange, rawStatus, setupSite, sqlValue, startBlogd,
	waitFor, writeConfig,
} from './lib.mjs';

const DBNAME = 'blogd_resilience';
const IDLE = 2;
const MAX_HEADER = 4096;
let srv, cfg, slug;
let dbDown = false;

function dbStop() {
	assert.ok(DB.stop, 'BLOGD_TEST_DB_STOP is not set');
	execFileSync(DB.stop, { stdio: ['ignore', 'pipe', 'pipe'] });
	dbDown = true;
}

function dbStart() {
	assert.ok(DB.start, 'BLOGD_TEST_DB_START is not set');
	execFileSync(DB.start, { stdio: ['ignore', 'pipe', 'pipe'] });
	dbDown = false;
}

before(async () => {
	cfg = await setupSite(DBNAME, {
		server: { idle_timeout: IDLE, max_header: MAX_HEADER },
		database: { connect_timeout: 2, read_timeout: 3 },
	});
	await addUser(cfg, 'survivor', 'survivor password 1');
	slug = await addPost(cfg, { title: 'Still here', author: 'survivor',
	    body: 'Through thick and thin.\n' });
	srv = await startBlogd(cfg);
});

after(async () => {
	// Whatever failed, later test files need the database back.
	if (dbDown)
		dbStart();
	if (srv)
		await srv.stop();
});

const comments = () => Number(sqlValue('SELECT COUNT(*) FROM comments',
    DBNAME));

async function form() {
	const jar = new CookieJar();
	const page = await srv.get(`/posts/${slug}`, { jar });
	expectStatus(page, 200, 'post page');
	const token = csrfFrom(page.body);
	assert.ok(token, 'no csrf_token in the post page');
	return { jar, token, fields: hiddenFrom(page.body) };
}

test('healthz and pages follow the database down and back up',
    async () => {
	expectStatus(await srv.get('/healthz'), 200, 'healthz, DB up');
	expectStatus(await srv.get('/'), 200, 'home, DB up');
	const n0 = comments();
	const early = await form(); // token obtained while the DB is up

	dbStop();
	const t0 = Date.now();
	await waitFor(async () => (await srv.get('/healthz',
	    { timeout: 10000 })).status === 503, 10000, 'healthz 503');
	assert.ok(srv.alive(), 'blogd died when the DB stopped');

	// Pages seen before are answered from the cache (stale if error);
	// the others say when to come back.
	for (const target of ['/', `/posts/${slug}`])
		expectStatus(await srv.get(target, { timeout: 15000 }), 200,
		    `${target}, cached, with the DB down`);
	for (const target of ['/tags/never-seen', '/search?q=thick']) {
		const t1 = Date.now();
		const r = await srv.get(target, { timeout: 15000 });
		expectStatus(r, 503, `${target} with the DB down`);
		assert.ok(Number(r.headers['retry-after']) > 0,
		    `${target}: Retry-After ${r.headers['retry-after']}`);
		assert.ok(Date.now() - t1 < 8000, `${target} took ` +
		    `${Date.now() - t1} ms with the DB down`);
	}
	// Pages that need no database still work.
	expectStatus(await srv.get('/no-such-page-xyz'), 404,
	    '404 with the DB down');

	const name = `Lost ${Date.now()}`;
	const lost = await srv.request('POST', `/posts/${slug}/comments`,
	    { jar: early.jar, body: { name, body: 'into the void',
	    ...early.fields }, timeout: 15000 });
	expectStatus(lost, 503, 'comment with the DB down');
	expectBody(lost, /try again in a moment/, 'comment with the DB down');
	expectBody(lost, /into the void/, 'the text of the refused comment');
	assert.ok(srv.alive(), 'blogd died while the DB was down');
	assert.ok(Date.now() - t0 < 40000, 'outage handling took too long');

	dbStart();
	await waitFor(async () => (await srv.get('/healthz')).status === 200,
	    10000, 'healthz 200 after the DB came back');
	expectStatus(await srv.get('/'), 200, 'home after recovery');
	expectStatus(await srv.get(`/posts/${slug}`), 200,
	    'post after recovery');
	assert.equal(Number(sqlValue('SELECT COUNT(*) FROM comments WHERE ' +
	    `name = '${name}'`, DBNAME)), 0,
	    'a comment answered 503 was stored anyway');

	const v = await form();
	const r = await srv.request('POST', `/posts/${slug}/comments`,
	    { jar: v.jar, body: { name: 'Back again', body: 'recovered',
	    ...v.fields } });
	expectStatus(r, 303, 'comment after recovery');
	assert.equal(comments(), n0 + 1, 'comment rows after recovery');
});

test('garbage requests get 400 or a close, and the server keeps serving',
    async () => {
	// libmicrohttpd answers most malformed requests with 400 and drops
	// some (a request line without a URI, binary junk) without a word;
	// both are fine as long as nothing hangs past idle_timeout.
	for (const junk of ['GARBAGE\r\n\r\n',
	    'GET / HTTP/9.9 extra words\r\n\r\n',
	    '\x00\x01\x02\x03\r\n\r\n',
	    'GET / HTTP/1.1\r\nno-colon-header\r\n\r\n',
	    'GET / HTTP/1.1\r\nHost: x\r\nContent-Length: -5\r\n\r\n',
	    'POST / HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n' +
	    '\r\nzz\r\n']) {
		const res = await rawExchange(srv.port, junk,
		    { timeout: (IDLE + 3) * 1000 });
		const st = rawStatus(res.data);
		const what = `${JSON.stringify(junk)} → ${st}, closed ` +
		    `${res.closed} after ${res.ms} ms\n${res.data.slice(0, 300)}`;
		assert.ok(st === 400 || st === 505 || (st === null &&
		    res.closed), what);
		assert.ok(srv.alive(), 'blogd died on a malformed request');
	}
	expectStatus(await srv.get('/healthz'), 200, 'after garbage');
});

test('an HTTP/1.1 request without Host is 400 (RFC 9112 3.2)',
    async () => {
	const res = await rawExchange(srv.port, 'GET / HTTP/1.1\r\n\r\n');
	assert.equal(rawStatus(res.data), 400, res.data.slice(0, 300));
});

test('an oversized header is refused and the server keeps serving',
    async () => {
	// Four times the limit: room for buffer slack, yet well under
	// libmicrohttpd's 32 KB default, so only the key makes this fail.
	const big = 'x'.repeat(MAX_HEADER * 4);
	const res = await rawExchange(srv.port, 'GET / HTTP/1.1\r\n' +
	    `Host: 127.0.0.1\r\nX-Big: ${big}\r\n\r\n`);
	const st = rawStatus(res.data);
	assert.ok([400, 413, 414, 431].includes(st), `status ${st}\n` +
	    res.data.slice(0, 300));
	const long = await rawExchange(srv.port,
	    `GET /${'a'.repeat(MAX_HEADER * 4)} HTTP/1.1\r\n` +
	    'Host: 127.0.0.1\r\n\r\n');
	assert.ok([400, 414, 431].includes(rawStatus(long.data)),
	    `long URL: ${long.data.slice(0, 300)}`);
	assert.ok(srv.alive(), 'blogd died on a big header');
	expectStatus(await srv.get('/healthz'), 200, 'after a big header');
});

test('a silent client is closed after idle_timeout', async () => {
	const res = await rawExchange(srv.port, '', { timeout:
	    (IDLE + 6) * 1000 });
	assert.ok(res.closed, `still open after ${res.ms} ms`);
	assert.ok(res.ms >= (IDLE - 1) * 1000, `closed too early: ${res.ms} ms`);
	// A half-sent request is dropped the same way.
	const half = await rawExchange(srv.port, 'GET / HTTP/1.1\r\nHost: x',
	    { timeout: (IDLE + 6) * 1000 });
	assert.ok(half.closed, `half request still open after ${half.ms} ms`);
	expectStatus(await srv.get('/healthz'), 200, 'after idle clients');
});

test('connections per client address are limited', async () => {
	const lcfg = await writeConfig({
		database: { name: DBNAME },
		server: { per_ip_connections: 4, idle_timeout: 20 },
	});
	const lim = await startBlogd(lcfg);
	try {
		// Six from one address: two are refused, whenever the
		// readiness probe's connection is counted out.
		const socks = [];
		const closed = new Set();
		for (let i = 0; i < 6; i++) {
			const s = net.connect(lim.port, '127.0.0.1');
			s.on('error', () => closed.add(i));
			s.on('close', () => closed.add(i));
			socks.push(s);
			await new Promise((r) => {
				s.once('connect', r);
				s.once('error', r);
			});
		}
		await waitFor(() => closed.size >= 2, 10000,
		    'two of 6 idle connections closed with per_ip_connections = 4');
		// Each of the four kept open is served: no third one was closed.
		const open = socks.filter((s, i) => !closed.has(i));
		assert.equal(open.length, 4, `${closed.size} of 6 closed`);
		const answers = await Promise.all(open.map((s) =>
		    new Promise((resolve) => {
			let data = '';
			s.on('data', (d) => { data += d; });
			s.on('close', () => resolve(data));
			s.write('GET /healthz HTTP/1.1\r\nHost: x\r\n' +
			    'Connection: close\r\n\r\n');
		})));
		for (const a of answers)
			assert.equal(rawStatus(a), 200, a.slice(0, 300));
		for (const s of socks)
			s.destroy();
		// Their slots are free again.
		await waitFor(async () => (await lim.get('/healthz')).status === 200,
		    10000, '/healthz after the connections closed');
	} finally {
		await lim.stop();
	}
});
