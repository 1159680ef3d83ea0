// GET /metrics: Prometheus text format from a real blogd. Request counters
// and the latency histogram after a known set of requests, the pool and
// process gauges, TLS handshake counters over real HTTPS, and who may
// scrape (a client address that is not loopback is made by binding the
// client socket to this machine's own non-loopback address).

import assert from 'node:assert/strict';
import http from 'node:http';
import https from 'node:https';
import os from 'node:os';
import path from 'node:path';
import tls from 'node:tls';
import { after, before, describe, test } from 'node:test';

import {
	addPost, addUser, expectStatus, freePort, makeCert, request, setupSite,
	startBlogd, tempDir, waitFor,
} from './lib.mjs';

const CONTENT_TYPE = 'text/plain; version=0.0.4; charset=utf-8';

/*
 * Parses the text format strictly: every line is a comment (# HELP/# TYPE
 * before its family's samples) or `name{labels} value`. Returns
 * { types: Map name → type, samples: [{ name, labels, value }] }.
 */
function parseMetrics(text) {
	assert.ok(text.endsWith('\n'), 'exposition ends with a newline');
	const types = new Map();
	const samples = [];
	for (const line of text.slice(0, -1).split('\n')) {
		let m = /^# (HELP|TYPE) ([a-zA-Z_:][a-zA-Z0-9_:]*) (.+)$/.exec(line);
		if (m) {
			if (m[1] === 'TYPE') {
				assert.ok(!types.has(m[2]), `two TYPE lines for ${m[2]}`);
				assert.match(m[3], /^(counter|gauge|histogram)$/);
				types.set(m[2], m[3]);
			}
			continue;
		}
		m = /^([a-zA-Z_:][a-zA-Z0-9_:]*)(?:\{(.*)\})? (\S+)$/.exec(line);
		assert.ok(m, `not a sample line: ${JSON.stringify(line)}`);
		const labels = {};
		for (const l of (m[2] ?? '').split(',').filter((x) => x)) {
			const lm = /^([a-zA-Z_][a-zA-Z0-9_]*)="([^"\\]*)"$/.exec(l);
			assert.ok(lm, `bad label ${l} in ${line}`);
			labels[lm[1]] = lm[2];
		}
		const value = Number(m[3] === '+Inf' ? Infinity : m[3]);
		assert.ok(!Number.isNaN(value), `bad value in ${line}`);
		const family = m[1].replace(/_(bucket|sum|count)$/, '');
		assert.ok(types.has(m[1]) || types.get(family) === 'histogram',
		    `sample ${m[1]} before its TYPE line`);
		samples.push({ name: m[1], labels, value });
	}
	return { types, samples };
}

/* The value of the one sample with this name and exactly these labels. */
function value(parsed, name, labels = {}) {
	const want = JSON.stringify(Object.entries(labels).sort());
	const hits = parsed.samples.filter((s) => s.name === name &&
	    JSON.stringify(Object.entries(s.labels).sort()) === want);
	assert.ok(hits.length <= 1, `${name} ${want} appears twice`);
	return hits.length === 1 ? hits[0].value : undefined;
}

/* requests_total for one route: { 'GET 200': n, ... }. */
function routeCounts(parsed, route) {
	const out = {};
	for (const s of parsed.samples)
		if (s.name === 'blogd_http_requests_total' &&
		    s.labels.route === route)
			out[`${s.labels.method} ${s.labels.status}`] = s.value;
	return out;
}

/* Buckets cumulative, ending in +Inf = _count = requests of the route. */
function checkHistogram(parsed, route) {
	const name = 'blogd_http_request_duration_seconds';
	const buckets = parsed.samples.filter((s) => s.name ===
	    `${name}_bucket` && s.labels.route === route);
	const les = buckets.map((b) => b.labels.le);
	assert.deepEqual(les, ['0.0005', '0.001', '0.0025', '0.005', '0.01',
	    '0.025', '0.05', '0.1', '0.25', '0.5', '1', '2.5', '5', '+Inf'],
	`${route}: bucket bounds`);
	for (let i = 1; i < buckets.length; i++)
		assert.ok(buckets[i].value >= buckets[i - 1].value,
		    `${route}: bucket le=${les[i]} below the one before`);
	const count = value(parsed, `${name}_count`, { route });
	assert.equal(buckets.at(-1).value, count, `${route}: +Inf != count`);
	const total = Object.values(routeCounts(parsed, route))
	    .reduce((a, b) => a + b, 0);
	assert.equal(count, total, `${route}: histogram count != requests`);
	assert.ok(value(parsed, `${name}_sum`, { route }) > 0);
}

/* An IPv4 address of this machine that is not loopback, or null. */
function outsideAddress() {
	for (const list of Object.values(os.networkInterfaces()))
		for (const a of list ?? [])
			if (a.family === 'IPv4' && !a.internal)
				return a.address;
	return null;
}

/* GET over HTTP (mod: node's http or https module) to 127.0.0.1; opts:
 * localAddress, agent (default: none) and the module's TLS options. */
function getWith(mod, port, target, opts) {
	return new Promise((resolve, reject) => {
		const req = mod.request({ host: '127.0.0.1', port, path: target,
		    agent: false, timeout: 10000, ...opts }, (res) => {
			let body = '';
			res.on('data', (c) => { body += c; });
			res.on('end', () => resolve({ status: res.statusCode,
			    headers: res.headers, body }));
		});
		req.on('timeout', () => req.destroy(new Error('timeout')));
		req.on('error', reject);
		req.end();
	});
}

/* GET over plain HTTP from a chosen local address. */
function getFrom(port, target, localAddress) {
	return getWith(http, port, target, { localAddress });
}

/* A TLS handshake; resolves the session ticket state it ended with. */
function handshake(port, session) {
	return new Promise((resolve, reject) => {
		let ticket = null;
		const s = tls.connect({ host: '127.0.0.1', port,
		    servername: 'localhost', rejectUnauthorized: false,
		    maxVersion: 'TLSv1.2', session }, () => {
			const reused = s.isSessionReused();
			s.end();
			s.on('close', () => resolve({ reused,
			    session: ticket ?? s.getSession() }));
		});
		s.on('session', (t) => { ticket = t; });
		s.setTimeout(10000, () => s.destroy(new Error('timeout')));
		s.on('error', reject);
	});
}

/* GET over HTTPS; opts: localAddress, agent (default: none). */
function httpsGet(port, target, opts = {}) {
	return getWith(https, port, target, { servername: 'localhost',
	    rejectUnauthorized: false, ...opts });
}

describe('metrics over HTTP', () => {
	let srv, slug;

	before(async () => {
		const cfg = await setupSite('blogd_metrics');
		await addUser(cfg, 'mia', 'metrics-pass-1');
		slug = await addPost(cfg, { title: 'Counted', author: 'mia',
		    body: 'counted *once*' });
		srv = await startBlogd(cfg);
	});

	after(async () => {
		await srv?.stop();
	});

	test('counters and histogram match the requests sent', async () => {
		// Sent one after another on one kept-alive socket.
		for (let i = 0; i < 3; i++)
			expectStatus(await srv.get('/'), 200, 'GET /');
		expectStatus(await srv.request('HEAD', '/'), 200, 'HEAD /');
		for (let i = 0; i < 2; i++)
			expectStatus(await srv.get(`/posts/${slug}`), 200, 'post');
		expectStatus(await srv.get('/posts/no-such-post'), 404, 'post');
		for (let i = 0; i < 2; i++)
			expectStatus(await srv.get('/no/such/page'), 404, '404');
		expectStatus(await srv.request('POST', '/healthz',
		    { body: 'x=1' }), 405, 'POST /healthz');

		// Counting happens when MHD reports the request complete,
		// which can trail the client's read of the answer a little.
		const parsed = await waitFor(async () => {
			const r = await srv.get('/metrics');
			expectStatus(r, 200, '/metrics');
			assert.equal(r.headers['content-type'], CONTENT_TYPE);
			const p = parseMetrics(r.body);
			return routeCounts(p, 'home')['GET 200'] === 3 &&
			    routeCounts(p, 'none')['POST 405'] === 1 ? p : null;
		}, 5000, 'counters of the requests sent');

		assert.deepEqual(routeCounts(parsed, 'home'),
		    { 'GET 200': 3, 'HEAD 200': 1 });
		assert.deepEqual(routeCounts(parsed, 'post'),
		    { 'GET 200': 2, 'GET 404': 1 });
		// A GET no route takes may be an imported old URL: it goes
		// through the not_found route's look-up.
		assert.deepEqual(routeCounts(parsed, 'not_found'),
		    { 'GET 404': 2 });
		assert.deepEqual(routeCounts(parsed, 'none'),
		    { 'POST 405': 1 });
		assert.ok(routeCounts(parsed, 'healthz')['GET 200'] >= 1,
		    'the start-up /healthz');
		assert.equal(parsed.types.get('blogd_http_requests_total'),
		    'counter');
		assert.equal(parsed.types.get(
		    'blogd_http_request_duration_seconds'), 'histogram');
		for (const route of ['home', 'post', 'none'])
			checkHistogram(parsed, route);
	});

	test('pool, server and process gauges', async () => {
		const r = await srv.get('/metrics');
		const p = parseMetrics(r.body);
		assert.equal(value(p, 'blogd_db_pool_size'), 2);
		assert.ok(value(p, 'blogd_db_pool_in_use') >= 0);
		for (const n of ['blogd_db_pool_waits_total',
		    'blogd_db_pool_wait_seconds_total', 'blogd_db_errors_total',
		    'blogd_db_reconnects_total'])
			assert.ok(value(p, n) >= 0, `${n} missing`);
		assert.equal(p.types.get('blogd_db_pool_in_use'), 'gauge');
		assert.equal(p.types.get('blogd_db_errors_total'), 'counter');
		// The scrape itself is in flight while it renders.
		assert.ok(value(p, 'blogd_http_requests_in_flight') >= 1);
		for (const result of ['full', 'resumed', 'failed'])
			assert.equal(value(p, 'blogd_tls_handshakes_total',
			    { result }), 0, `no TLS here: ${result}`);
		const started = value(p, 'process_start_time_seconds');
		const now = Date.now() / 1000;
		assert.ok(started > now - 120 && started <= now + 1,
		    `process_start_time_seconds ${started}, now ${now}`);
		assert.ok(value(p, 'process_resident_memory_bytes') > 1 << 20);
		const info = p.samples.find((s) => s.name === 'blogd_build_info');
		assert.match(info.labels.version, /^\d+\.\d+\.\d+/);
		assert.equal(info.value, 1);
	});

	test('HEAD /metrics has the headers and no body', async () => {
		const r = await srv.request('HEAD', '/metrics');
		expectStatus(r, 200, 'HEAD /metrics');
		assert.equal(r.headers['content-type'], CONTENT_TYPE);
		assert.equal(r.body, '');
	});

	test('a client that is not loopback gets 403', async () => {
		const addr = outsideAddress();
		// Every machine this runs on has one (eth0); without it the
		// test cannot show a refusal, and a skip would prove nothing.
		assert.notEqual(addr, null,
		    'this machine has no non-loopback IPv4 address to test from');
		const r = await getFrom(srv.port, '/metrics', addr);
		expectStatus(r, 403, `/metrics from ${addr}`);
		assert.doesNotMatch(r.body, /blogd_http_requests_total/);
		// The refusal is counted like any answer, once MHD has finished
		// that connection's request (its completion callback counts it).
		await waitFor(async () => {
			const p = parseMetrics((await srv.get('/metrics')).body);
			return routeCounts(p, 'metrics')['GET 403'] >= 1;
		}, 5000, 'the 403 counted');
		// And the rest of the site is served to that address.
		expectStatus(await getFrom(srv.port, '/', addr), 200, '/');
	});
});

describe('metrics with HTTPS and metrics_allow = any', () => {
	let srv, httpsPort;
	// Scrapes go over one kept-alive TLS connection, so that they add
	// one handshake in all and the counts below see only the test's own.
	const scraper = new https.Agent({ keepAlive: true, maxSockets: 1,
	    maxCachedSessions: 0 });

	before(async () => {
		const dir = tempDir('metrics-tls');
		const { key, crt } = makeCert(dir);
		httpsPort = await freePort();
		const cfg = await setupSite('blogd_metrics_tls', {
			server: { https_listen: `127.0.0.1:${httpsPort}`,
			    metrics_allow: 'any' },
			tls: { certificate: crt, key },
		});
		srv = await startBlogd(cfg);
	});

	after(async () => {
		scraper.destroy();
		await srv?.stop();
	});

	const scrape = async () => {
		const r = await httpsGet(httpsPort, '/metrics',
		    { agent: scraper });
		expectStatus(r, 200, 'https /metrics');
		return parseMetrics(r.body);
	};

	const tlsCounts = async () => {
		const p = await scrape();
		return Object.fromEntries(['full', 'resumed', 'failed'].map((r) =>
		    [r, value(p, 'blogd_tls_handshakes_total', { result: r })]));
	};

	// SPEC: only ACME and /healthz stay on plain HTTP.
	test('plain HTTP /metrics answers 301 to HTTPS', async () => {
		const r = await srv.get('/metrics?x=1');
		expectStatus(r, 301, 'http /metrics');
		assert.equal(r.headers.location,
		    `https://127.0.0.1:${httpsPort}/metrics?x=1`);
		assert.doesNotMatch(r.body, /blogd_http_requests_total/);
		expectStatus(await srv.get('/'), 301, 'http / redirects too');
	});

	test('/metrics over HTTPS from loopback', async () => {
		const p = await scrape();
		assert.equal(p.types.get('blogd_http_requests_total'), 'counter');
		// The redirected plain-HTTP scrape of the test before.
		assert.ok(routeCounts(p, 'none')['GET 301'] >= 1,
		    JSON.stringify(routeCounts(p, 'none')));
	});

	test('handshake counters move with HTTPS traffic', async () => {
		const before0 = await tlsCounts();
		const r = await httpsGet(httpsPort, '/');
		expectStatus(r, 200, 'https /');
		const first = await handshake(httpsPort);
		assert.equal(first.reused, false);
		const second = await handshake(httpsPort, first.session);
		assert.equal(second.reused, true, 'ticket resumption');
		// Not TLS at all: the handshake fails.
		const bad = await request(httpsPort, 'GET', '/', { timeout: 5000 })
		    .then(() => 'answered', (e) => e.code ?? e.message);
		assert.notEqual(bad, 'answered');

		const now = await waitFor(async () => {
			const c = await tlsCounts();
			return c.failed > before0.failed ? c : null;
		}, 5000, 'failed handshake counted');
		assert.equal(now.full - before0.full, 2, 'full handshakes');
		assert.equal(now.resumed - before0.resumed, 1, 'resumed');
		assert.equal(now.failed - before0.failed, 1, 'failed');

		// Served over HTTPS too, and counted under its route.
		const m = await httpsGet(httpsPort, '/metrics');
		expectStatus(m, 200, 'https /metrics');
		assert.equal(m.headers['content-type'], CONTENT_TYPE);
		assert.ok(routeCounts(parseMetrics(m.body), 'home')['GET 200'] >= 1);
	});

	test('metrics_allow = any serves a client that is not loopback',
	    async () => {
		const addr = outsideAddress();
		// Every machine this runs on has one (eth0); without it the
		// test cannot show a refusal, and a skip would prove nothing.
		assert.notEqual(addr, null,
		    'this machine has no non-loopback IPv4 address to test from');
		const r = await httpsGet(httpsPort, '/metrics',
		    { localAddress: addr });
		expectStatus(r, 200, `https /metrics from ${addr}`);
		assert.match(r.body, /^blogd_http_requests_total\{/m);
	});
});
