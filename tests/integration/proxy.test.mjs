// Behind a load balancer: a real haproxy on 127.0.0.1 in front of two
// blogd on one database in HTTP mode (option forwardfor, and a frontend
// that terminates TLS and says so with X-Forwarded-Proto), and of two more
// in TCP mode with PROXY headers (send-proxy-v2 and send-proxy, to the
// plain listener and through TLS passthrough to the HTTPS one). haproxy
// connects from 127.0.0.10, the one trusted proxy; clients come from
// other loopback addresses (Linux routes all of 127/8), so each test can
// tell the real client from the balancer in logs, limits and throttling.

import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import net from 'node:net';
import path from 'node:path';
import { after, before, beforeEach, describe, test } from 'node:test';

import {
	CookieJar, addUser, csrfFrom, expectStatus, freePort, makeCert,
	rawExchange, rawStatus, request, setupSite, sql,
	startBlogd, tempDir, waitFor, writeConfig,
} from './lib.mjs';

const DBNAME = 'blogd_proxy';
const ADMIN = 'chief';
const ADMIN_PW = 'behind the balancer 77';
const HAPROXY = '127.0.0.10'; // haproxy's source address towards blogd
const CHAIN = '127.0.0.5'; // a trusted proxy in front of haproxy

let dir, cert, haproxy;
const fe = {}; // haproxy's frontend ports
const srv = {}; // a, b: HTTP mode; c, d: PROXY headers
const HANDSHAKE_S = 2;

/* GET /healthz over a connection that starts with a PROXY v1 header from
 * the trusted address: how to see that a PROXY listener is up. */
async function proxiedHealthz(port) {
	const r = await rawExchange(port, 'PROXY TCP4 127.0.0.1 127.0.0.1 ' +
	    '1 2\r\nGET /healthz HTTP/1.1\r\nHost: x\r\nConnection: close' +
	    '\r\n\r\n', { localAddress: HAPROXY });
	if (rawStatus(r.data) !== 200)
		throw new Error(`no answer through PROXY: ${r.data}`);
}

function haproxyConfig(ports) {
	const ssl = path.join(dir, 'haproxy.pem');
	fs.writeFileSync(ssl, fs.readFileSync(cert.crt, 'utf8') +
	    fs.readFileSync(cert.key, 'utf8'));
	const httpFront = (name, bind, proto) => `
frontend ${name}
	mode http
	bind 127.0.0.1:${bind}
	option forwardfor
	http-request set-header X-Forwarded-Proto ${proto}
	default_backend web
`;
	const tcp = (name, port, target, how) => `
frontend ${name}
	mode tcp
	bind 127.0.0.1:${port}
	default_backend ${name}_b
backend ${name}_b
	mode tcp
	server s 127.0.0.1:${target} source ${HAPROXY} ${how}
`;
	return `global
	maxconn 256
defaults
	timeout connect 5s
	timeout client 30s
	timeout server 30s
${httpFront('web_http', fe.http, 'http')}
${httpFront('web_https', `${fe.https} ssl crt ${ssl}`, 'https')}
backend web
	mode http
	balance roundrobin
	server a 127.0.0.1:${ports.a.plain} source ${HAPROXY}
	server b 127.0.0.1:${ports.b.plain} source ${HAPROXY}
${tcp('c_plain', fe.cPlain, ports.c.plain, 'send-proxy-v2')}
${tcp('c_tls', fe.cTls, ports.c.tls, 'send-proxy-v2')}
${tcp('d_plain', fe.dPlain, ports.d.plain, 'send-proxy')}
${tcp('d_tls', fe.dTls, ports.d.tls, 'send-proxy')}
`;
}

async function startHaproxy(text) {
	const file = path.join(dir, 'haproxy.cfg');
	fs.writeFileSync(file, text);
	const child = spawn('haproxy', ['-db', '-f', file],
	    { stdio: ['ignore', 'pipe', 'pipe'] });
	let out = '';
	child.stdout.on('data', (d) => { out += d; });
	child.stderr.on('data', (d) => { out += d; });
	const h = { child, out: () => out };
	for (const port of Object.values(fe))
		await waitFor(() => new Promise((resolve) => {
			if (child.exitCode !== null)
				resolve(false);
			const s = net.connect(port, '127.0.0.1', () => {
				s.destroy();
				resolve(true);
			});
			s.on('error', () => resolve(false));
		}), 10000, `haproxy listening on ${port} (${out})`);
	return h;
}

/* A login attempt: the form, then the POST, through port from
 * localAddress; resolves the POST's answer. */
async function attempt(port, user, password, opts = {}) {
	const jar = opts.jar ?? new CookieJar();
	const o = { ...opts, jar, headers: { ...(opts.headers ?? {}) } };
	const form = await request(port, 'GET', '/admin/login', o);
	expectStatus(form, 200, 'GET /admin/login');
	return request(port, 'POST', '/admin/login', { ...o,
	    body: { username: user, password, csrf_token: csrfFrom(form.body) } });
}

/* Five failures for five other accounts from one client, then the right
 * password of ADMIN from it: 429 (per client address, not per account). */
async function throttleClient(ports, localAddress, opts = {}) {
	for (let i = 0; i < 5; i++)
		expectStatus(await attempt(ports[i % ports.length],
		    `nobody${i}`, 'wrong', { localAddress, ...opts }), 401,
		`failure ${i + 1} from ${localAddress}`);
	const r = await attempt(ports[0], ADMIN, ADMIN_PW,
	    { localAddress, ...opts });
	expectStatus(r, 429, `sixth attempt from ${localAddress}`);
	assert.ok(Number(r.headers['retry-after']) > 0);
}

/* The failures on record, by client address. */
function failuresByAddress() {
	return Object.fromEntries(sql('SELECT client_ip, COUNT(*) FROM ' +
	    'login_failures GROUP BY client_ip', DBNAME)
	    .map(([ip, n]) => [ip, Number(n)]));
}

const escapeRe = (s) => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

/* Waits for the access line of `target` on one of servers; returns the
 * address it starts with. */
async function loggedAddress(servers, target) {
	const re = new RegExp(`^(\\S+) - - \\[[^\\]]+\\] "[A-Z]+ ` +
	    `${escapeRe(target)} `, 'm');
	return waitFor(() => {
		for (const s of servers) {
			const m = re.exec(s.stdout());
			if (m)
				return m[1];
		}
		return null;
	}, 10000, `access line for ${target}`);
}

/*
 * A TCP connection from localAddress that sends one GET /healthz and reads
 * its answer, then stays open. Resolves { status, close() }; status is
 * null when the connection was closed without an answer.
 */
function heldConnection(port, localAddress) {
	return new Promise((resolve) => {
		const sock = net.connect({ port, host: '127.0.0.1',
		    localAddress });
		let data = '';
		const done = (status) => {
			sock.removeAllListeners('data');
			resolve({ status, close: () => sock.destroy() });
		};
		sock.setTimeout(10000, () => {
			sock.destroy();
			done(null);
		});
		sock.on('connect', () => sock.write('GET /healthz HTTP/1.1\r\n' +
		    'Host: x\r\n\r\n'));
		sock.on('data', (d) => {
			data += d.toString('latin1');
			if (/\r\n\r\n[\s\S]*ok/.test(data)) {
				sock.setTimeout(0);
				done(rawStatus(data));
			}
		});
		sock.on('close', () => done(rawStatus(data)));
		sock.on('error', () => { /* close follows */ });
	});
}

describe('behind haproxy', () => {
	before(async () => {
		dir = tempDir('proxy');
		cert = makeCert(dir);
		for (const k of ['http', 'https', 'cPlain', 'cTls', 'dPlain',
		    'dTls'])
			fe[k] = await freePort();
		const ports = {};
		const tls = { certificate: cert.crt, key: cert.key };
		const common = (k, extra) => ({
			server: { https_listen: `127.0.0.1:${ports[k].tls}`,
			    per_ip_connections: 2,
			    handshake_timeout: HANDSHAKE_S, ...extra },
			tls,
			database: { name: DBNAME },
		});
		for (const k of ['a', 'b', 'c', 'd'])
			ports[k] = { tls: await freePort() };
		const xff = { trusted_proxies: `${HAPROXY}, ${CHAIN}/32` };
		const pp = { trusted_proxies: HAPROXY, proxy_protocol: 'both' };
		const cfgA = await setupSite(DBNAME, common('a', xff));
		await addUser(cfgA, ADMIN, ADMIN_PW, true);
		const cfgs = { a: cfgA,
		    b: await writeConfig(common('b', xff)),
		    c: await writeConfig(common('c', pp)),
		    d: await writeConfig(common('d', pp)) };
		for (const k of ['a', 'b', 'c', 'd'])
			ports[k].plain = cfgs[k].port;
		haproxy = await startHaproxy(haproxyConfig(ports));
		srv.a = await startBlogd(cfgs.a);
		srv.b = await startBlogd(cfgs.b);
		srv.c = await startBlogd(cfgs.c,
		    { probe: () => proxiedHealthz(ports.c.plain) });
		srv.d = await startBlogd(cfgs.d,
		    { probe: () => proxiedHealthz(ports.d.plain) });
		srv.ports = ports;
	});

	after(async () => {
		for (const k of ['a', 'b', 'c', 'd'])
			if (srv[k])
				await srv[k].stop();
		if (haproxy) {
			haproxy.child.kill('SIGTERM');
			await new Promise((r) => haproxy.child.exitCode !== null
			    ? r() : haproxy.child.on('exit', r));
		}
	});

	beforeEach(() => sql('DELETE FROM login_failures', DBNAME));

	test('HTTP mode: login throttling per real client on both instances',
	    async () => {
		const via = { tls: true };
		await throttleClient([fe.https], '127.0.0.2', via);
		assert.deepEqual(failuresByAddress(), { '127.0.0.2': 5 });
		// Another client behind the same proxy still signs in, with a
		// Secure cookie and HSTS: the proxy said https.
		const r = await attempt(fe.https, ADMIN, ADMIN_PW,
		    { localAddress: '127.0.0.3', ...via });
		expectStatus(r, 303, 'client B');
		const session = r.headers['set-cookie']
		    .find((c) => c.startsWith('blogd_session='));
		assert.match(session, /; Secure/);
		assert.match(r.headers['strict-transport-security'] ?? '',
		    /max-age=/);
		// The balancer spread the requests over both instances (the
		// form from one, its POST to the other: they share the
		// database), and both logged the client, never the balancer.
		for (const k of ['a', 'b']) {
			await waitFor(() => /^127\.0\.0\.2 - - .*"(GET|POST) \/admin\/login /m
			    .test(srv[k].stdout()), 10000,
			    `instance ${k} logged client A`);
			assert.doesNotMatch(srv[k].stdout(),
			    new RegExp(`^${escapeRe(HAPROXY)} `, 'm'),
			    `instance ${k} logged the balancer`);
		}
	});

	test('HTTP mode: X-Forwarded-Proto https is HTTPS, http is redirected',
	    async () => {
		const o = { localAddress: '127.0.0.2' };
		const page = await request(fe.https, 'GET', '/', { ...o,
		    tls: true });
		expectStatus(page, 200, 'GET / through the TLS frontend');
		assert.match(page.headers['strict-transport-security'] ?? '',
		    /max-age=/);
		// The same request to blogd's plain listener directly would be
		// redirected; from the proxy it is not: no loop.
		const plain = await request(fe.http, 'GET', '/', o);
		expectStatus(plain, 301, 'GET / through the plain frontend');
		assert.match(plain.headers.location, /^https:\/\//);
		assert.equal(plain.headers['strict-transport-security'],
		    undefined);
	});

	test('HTTP mode: logs and /metrics see the client X-Forwarded-For gives',
	    async () => {
		// A client's own X-Forwarded-For is left of what haproxy adds:
		// its address is what counts.
		const spoof = await request(fe.https, 'GET', '/metrics', {
		    localAddress: '127.0.0.2', tls: true,
		    headers: { 'X-Forwarded-For': '203.0.113.9' } });
		expectStatus(spoof, 200, '/metrics from loopback client A');
		const a = await request(fe.https, 'GET', '/nowhere-spoof', {
		    localAddress: '127.0.0.2', tls: true,
		    headers: { 'X-Forwarded-For': '203.0.113.9' } });
		expectStatus(a, 404);
		assert.equal(await loggedAddress([srv.a, srv.b],
		    '/nowhere-spoof'), '127.0.0.2');
		// Behind a trusted proxy of its own, a client is the hop left
		// of it: not loopback, so no /metrics.
		const far = { localAddress: CHAIN, tls: true,
		    headers: { 'X-Forwarded-For': '203.0.113.7' } };
		expectStatus(await request(fe.https, 'GET', '/metrics', far),
		    403, '/metrics for 203.0.113.7');
		expectStatus(await request(fe.https, 'GET', '/nowhere-far',
		    far), 404);
		assert.equal(await loggedAddress([srv.a, srv.b],
		    '/nowhere-far'), '203.0.113.7');
	});

	test('an untrusted peer cannot spoof X-Forwarded-For or -Proto',
	    async () => {
		const { a: pa } = srv.ports;
		const spoof = { localAddress: '127.0.0.4',
		    headers: { 'X-Forwarded-For': '198.51.100.1',
		    'X-Forwarded-Proto': 'https' } };
		expectStatus(await request(pa.tls, 'GET', '/nowhere-direct',
		    { ...spoof, tls: true }), 404);
		assert.equal(await loggedAddress([srv.a], '/nowhere-direct'),
		    '127.0.0.4');
		// Plain HTTP stays plain: redirected, whatever it claims.
		expectStatus(await request(pa.plain, 'GET', '/', spoof), 301,
		    'X-Forwarded-Proto from an untrusted peer');
		// Throttling hits its own address, whatever it forwards.
		for (let i = 0; i < 5; i++)
			expectStatus(await attempt(pa.tls, `nobody${i}`, 'x', {
			    localAddress: '127.0.0.4', tls: true,
			    headers: { 'X-Forwarded-For': `198.51.100.${i}` } }),
			401, `failure ${i + 1}`);
		expectStatus(await attempt(pa.tls, ADMIN, ADMIN_PW, {
		    localAddress: '127.0.0.4', tls: true,
		    headers: { 'X-Forwarded-For': '198.51.100.77' } }), 429);
		assert.deepEqual(failuresByAddress(), { '127.0.0.4': 5 });
	});

	test('per_ip_connections: a trusted proxy is exempt, others are not',
	    async () => {
		const port = srv.ports.a.plain;
		const held = [];
		try {
			// Four at once from the proxy's address: over the
			// limit of 2, and all served.
			for (let i = 0; i < 4; i++)
				held.push(await heldConnection(port, HAPROXY));
			assert.deepEqual(held.map((h) => h.status),
			    [200, 200, 200, 200]);
			for (let i = 0; i < 2; i++)
				held.push(await heldConnection(port, '127.0.0.4'));
			assert.deepEqual(held.slice(4).map((h) => h.status),
			    [200, 200]);
			const third = await heldConnection(port, '127.0.0.4');
			third.close();
			assert.notEqual(third.status, 200,
			    'a third connection from an untrusted client');
		} finally {
			for (const h of held)
				h.close();
		}
	});

	test('PROXY v2 and v1: the client, on plain and through TLS passthrough',
	    async () => {
		const cases = [
			[fe.cTls, true, '127.0.0.2', srv.c, 'v2-tls'],
			[fe.cPlain, false, '127.0.0.3', srv.c, 'v2-plain'],
			[fe.dTls, true, '127.0.0.6', srv.d, 'v1-tls'],
			[fe.dPlain, false, '127.0.0.7', srv.d, 'v1-plain'],
		];
		for (const [port, tls, ip, s, name] of cases) {
			const r = await request(port, 'GET', `/nowhere-${name}`,
			    { localAddress: ip, tls });
			// Plain HTTP is redirected to HTTPS; over TLS, HSTS.
			expectStatus(r, tls ? 404 : 301, name);
			assert.equal(r.headers['strict-transport-security'] !==
			    undefined, tls, `${name}: HSTS`);
			assert.equal(await loggedAddress([s], `/nowhere-${name}`),
			    ip, name);
		}
		// Throttling counts the client over both instances.
		await throttleClient([fe.cTls, fe.dTls], '127.0.0.8',
		    { tls: true });
		assert.deepEqual(failuresByAddress(), { '127.0.0.8': 5 });
		const ok = await attempt(fe.dTls, ADMIN, ADMIN_PW,
		    { localAddress: '127.0.0.9', tls: true });
		expectStatus(ok, 303, 'another client through the same proxy');
		assert.match(ok.headers['set-cookie'].join('\n'),
		    /blogd_session=[^;]+;.*Secure/);
	});

	test('PROXY: per_ip_connections counts the client, not the balancer',
	    async () => {
		const port = fe.cPlain;
		const held = [];
		try {
			for (let i = 0; i < 2; i++)
				held.push(await heldConnection(port, '127.0.0.2'));
			assert.deepEqual(held.map((h) => h.status), [200, 200]);
			const third = await heldConnection(port, '127.0.0.2');
			third.close();
			assert.equal(third.status, null,
			    'a third connection from client A: closed unanswered');
			const other = await heldConnection(port, '127.0.0.3');
			other.close();
			assert.equal(other.status, 200, 'client B meanwhile');
			held.shift().close();
			await waitFor(async () => {
				const again = await heldConnection(port,
				    '127.0.0.2');
				again.close();
				return again.status === 200;
			}, 10000, 'client A again after closing one');
		} finally {
			for (const h of held)
				h.close();
		}
	});

	test('PROXY listeners close garbage, silence and strangers unanswered',
	    async () => {
		const { c } = srv.ports;
		const get = 'GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n';
		for (const [port, bytes, from, what] of [
			[c.plain, get, HAPROXY, 'HTTP without a header'],
			[c.tls, 'PROXY TCP9 what\r\n', HAPROXY, 'a bad v1 line'],
			[c.plain, Buffer.from('0d0a0d0a000d0a515549540a' +
			    '3111000c', 'hex'), HAPROXY, 'v2, bad command'],
			[c.plain, `PROXY TCP4 192.0.2.1 127.0.0.1 1 2\r\n${get}`,
			    '127.0.0.4', 'a valid header from a stranger'],
		]) {
			const r = await rawExchange(port, bytes,
			    { localAddress: from, timeout: 10000 });
			assert.ok(r.closed, `${what}: closed`);
			assert.equal(r.data, '', `${what}: unanswered`);
		}
		// A peer that sends nothing is closed after
		// handshake_timeout, on both listeners.
		for (const port of [c.plain, c.tls]) {
			const r = await rawExchange(port, '',
			    { localAddress: HAPROXY, timeout: 15000 });
			assert.ok(r.closed && r.data === '', `silent peer: ${port}`);
			assert.ok(r.ms >= HANDSHAKE_S * 1000 - 200 &&
			    r.ms < HANDSHAKE_S * 1000 + 8000, `closed after ${r.ms} ms`);
		}
		// A header that comes in pieces is waited for.
		const pieces = await rawExchange(c.plain, [
		    'PROXY TCP4 192.0.2.44 ', '127.0.0.1 1 2\r\n',
		    'GET /nowhere-pieces HTTP/1.1\r\nHost: x\r\n' +
		    'Connection: close\r\n\r\n'], { localAddress: HAPROXY });
		assert.equal(rawStatus(pieces.data), 301);
		assert.equal(await loggedAddress([srv.c], '/nowhere-pieces'),
		    '192.0.2.44');
		// And it goes on serving.
		const r = await request(fe.cTls, 'GET', '/healthz',
		    { localAddress: '127.0.0.2', tls: true });
		expectStatus(r, 200, 'after all that');
		assert.ok(srv.c.alive());
	});
});
