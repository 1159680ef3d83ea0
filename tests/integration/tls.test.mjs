// HTTPS: the mbedtls front in front of libmicrohttpd. Real TLS clients
// (node:tls, node:https, openssl s_client) against a real blogd with both
// listeners; certificates are made with openssl for each run.

import assert from 'node:assert/strict';
import { execFileSync, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import https from 'node:https';
import path from 'node:path';
import tls from 'node:tls';
import { after, before, describe, test } from 'node:test';

import {
	addPost, addUser, assertSecurityHeaders, expectStatus, freePort,
	assertExit, cli, makeCert, rawExchange, request, runBlogd, setupSite,
	sleep, sql, SRC, startBlogd, tempDir, waitFor, writeConfig,
} from './lib.mjs';

const MAX_BODY = 256 * 1024;

/* Runs openssl s_client; resolves its stdout + stderr. */
function sClient(port, args, input = '') {
	const r = spawnSync('openssl', ['s_client', '-connect',
	    `127.0.0.1:${port}`, '-servername', 'localhost', ...args],
	{ input, encoding: 'utf8', timeout: 15000 });
	return `${r.stdout}\n${r.stderr}`;
}

/* An HTTP/1.0 request through s_client: it reads until blogd closes, so
 * it also gets the TLS 1.3 NewSessionTicket, which follows the handshake.
 * args: e.g. ['-tls1_3', '-sess_out', file]. */
function sGet(port, args) {
	return sClient(port, ['-ign_eof', ...args],
	    'GET /healthz HTTP/1.0\r\nHost: localhost\r\n\r\n');
}

/* "New, TLSv1.3", "Reused, TLSv1.2"... or null without a handshake. */
function session(out) {
	const m = /^(New|Reused), (TLSv[0-9.]+)/m.exec(out);
	return m ? `${m[1]}, ${m[2]}` : null;
}

/* The negotiated cipher, or null when the handshake failed. */
function negotiated(out) {
	const m = /Cipher is (\S+)/.exec(out);
	return m && m[1] !== '(NONE)' ? m[1] : null;
}

/* One TLS handshake; resolves what the client saw. */
function handshake(port, opts = {}) {
	return new Promise((resolve, reject) => {
		const s = tls.connect({ host: '127.0.0.1', port,
		    servername: 'localhost', rejectUnauthorized: false,
		    ...opts }, () => {
			const info = {
				protocol: s.getProtocol(),
				alpn: s.alpnProtocol,
				cipher: s.getCipher().standardName,
				fingerprint: s.getPeerCertificate().fingerprint256,
			};
			s.end();
			resolve(info);
		});
		s.setTimeout(10000, () => s.destroy(new Error('timeout')));
		s.on('error', reject);
	});
}

/* An HTTPS request; like lib.mjs request() plus `socket` (the TCP socket
 * used) and `reused` (whether the agent reused a kept-alive one). */
function httpsRequest(port, method, target, opts = {}) {
	const headers = { ...(opts.headers ?? {}) };
	const body = opts.body;
	if (body !== undefined)
		headers['Content-Length'] = Buffer.byteLength(body);
	return new Promise((resolve, reject) => {
		const req = https.request({ host: '127.0.0.1', port, method,
		    path: target, headers, servername: 'localhost',
		    ca: opts.ca, rejectUnauthorized: opts.ca !== undefined,
		    agent: opts.agent ?? false, timeout: 15000 }, (res) => {
			// A kept-alive socket leaves res once the body ended.
			const socket = res.socket;
			const chunks = [];
			res.on('data', (c) => chunks.push(c));
			res.on('error', reject);
			res.on('end', () => {
				const raw = Buffer.concat(chunks);
				resolve({ status: res.statusCode,
				    headers: res.headers, raw,
				    body: raw.toString('utf8'),
				    socket,
				    reused: req.reusedSocket });
			});
		});
		req.on('timeout', () => req.destroy(new Error(
		    `${method} ${target}: no answer`)));
		req.on('error', reject);
		req.end(body);
	});
}

/* Opens TCP, writes `bytes` (if any), resolves ms until the server closed;
 * null if it was still open after `limit` ms. */
async function timeToClose(port, bytes, limit) {
	const r = await rawExchange(port, bytes, { timeout: limit });
	return r.closed ? r.ms : null;
}

describe('https', () => {
	let dir, ec, rsa, cfg, srv, sport, slug, bigSlug, bigLines;

	before(async () => {
		dir = tempDir('tls');
		ec = makeCert(dir, 'ec', 'ec');
		rsa = makeCert(dir, 'rsa', 'rsa');
		// blogd reads the paths below; tests swap their contents.
		fs.copyFileSync(ec.crt, path.join(dir, 'live.crt'));
		fs.copyFileSync(ec.key, path.join(dir, 'live.key'));
		sport = await freePort();
		cfg = await setupSite('blogd_tls', {
			server: { https_listen: `127.0.0.1:${sport}`,
			    handshake_timeout: 2, max_body: MAX_BODY },
			tls: { certificate: path.join(dir, 'live.crt'),
			    key: path.join(dir, 'live.key') },
		});
		await addUser(cfg, 'tlsauthor', 'correct horse battery');
		slug = await addPost(cfg, { title: 'Over TLS',
		    author: 'tlsauthor', body: 'Hello *secure* world.\n' });
		let big = '';
		for (bigLines = 0; big.length < 500 * 1024; bigLines++)
			big += `line-${String(bigLines).padStart(6, '0')} ` +
			    'lorem ipsum dolor sit amet consectetur\n\n';
		bigSlug = await addPost(cfg, { title: 'Big one',
		    author: 'tlsauthor', body: big });
		srv = await startBlogd(cfg);
	});

	after(async () => {
		if (srv)
			await srv.stop();
	});

	test('TLS 1.2 with ALPN http/1.1 and an AEAD suite', async () => {
		const h = await handshake(sport, { ca: ec.pem,
		    rejectUnauthorized: true, ALPNProtocols: ['http/1.1'],
		    maxVersion: 'TLSv1.2' });
		assert.equal(h.protocol, 'TLSv1.2');
		assert.equal(h.alpn, 'http/1.1');
		assert.match(h.cipher, /^TLS_ECDHE_ECDSA_WITH_.*(GCM|POLY1305)/);
		assert.equal(h.fingerprint, ec.fingerprint);
	});

	test('TLS 1.3 by default, with ALPN http/1.1 and a standard suite',
	    async () => {
		const h = await handshake(sport, { ca: ec.pem,
		    rejectUnauthorized: true, ALPNProtocols: ['h2', 'http/1.1'] });
		assert.equal(h.protocol, 'TLSv1.3');
		assert.equal(h.alpn, 'http/1.1');
		assert.match(h.cipher,
		    /^TLS_(AES_128_GCM_SHA256|AES_256_GCM_SHA384|CHACHA20_POLY1305_SHA256)$/);
		assert.equal(h.fingerprint, ec.fingerprint);
		for (const v of ['-tls1_3', '-tls1_2']) {
			const out = sGet(sport, [v, '-alpn', 'http/1.1']);
			assert.equal(session(out), `New, TLSv1.${v.at(-1)}`, out);
			assert.match(out, /^ALPN protocol: http\/1\.1$/m, out);
			assert.match(out, /HTTP\/1\.[01] 200/, out);
		}
		// No protocol in common: refused, on both versions.
		for (const maxVersion of ['TLSv1.2', 'TLSv1.3'])
			await assert.rejects(handshake(sport,
			    { ALPNProtocols: ['h2'], maxVersion }),
			    /no_application_protocol|alert|ECONNRESET|socket/i,
			    `h2 alone, ${maxVersion}`);
	});

	test('TLS 1.0 and 1.1 are refused', () => {
		const low = "DEFAULT:@SECLEVEL=0";
		assert.ok(negotiated(sClient(sport, ['-tls1_2'])),
		    'TLS 1.2 control handshake failed');
		for (const v of ['-tls1', '-tls1_1']) {
			const out = sClient(sport, [v, '-cipher', low]);
			assert.equal(negotiated(out), null,
			    `${v} was accepted:\n${out}`);
		}
	});

	test('renegotiation is refused', () => {
		// s_client renegotiates on a line "R"; blogd says no.
		const out = sClient(sport, ['-tls1_2'], 'R\n');
		assert.equal(session(out), 'New, TLSv1.2', out);
		assert.match(out, /RENEGOTIATING/, out);
		assert.match(out, /no renegotiation/, out);
	});

	test('non-AEAD suites are refused', () => {
		// Non-ECDHE (RSA key exchange) needs the RSA pair: see SIGHUP.
		for (const c of ['ECDHE-ECDSA-AES128-SHA',
		    'ECDHE-ECDSA-AES128-SHA256', 'ECDHE-ECDSA-AES256-SHA384']) {
			const out = sClient(sport, ['-tls1_2', '-cipher', c]);
			assert.equal(negotiated(out), null,
			    `${c} was accepted:\n${out}`);
		}
		const ok = sClient(sport, ['-tls1_2', '-cipher',
		    'ECDHE-ECDSA-AES128-GCM-SHA256']);
		assert.equal(negotiated(ok), 'ECDHE-ECDSA-AES128-GCM-SHA256');
	});

	test('the server chooses the suite', () => {
		// The client lists AES-256 first; the server's order wins.
		const out = sClient(sport, ['-tls1_2', '-cipher',
		    'ECDHE-ECDSA-AES256-GCM-SHA384:' +
		    'ECDHE-ECDSA-CHACHA20-POLY1305']);
		assert.equal(negotiated(out), 'ECDHE-ECDSA-CHACHA20-POLY1305');
	});

	test('session tickets resume sessions', () => {
		const sess = path.join(dir, 'session.pem');
		const first = sClient(sport, ['-tls1_2', '-sess_out', sess]);
		assert.match(first, /^New, TLSv1\.2/m, first);
		assert.match(first, /TLS session ticket:/, first);
		const second = sClient(sport, ['-tls1_2', '-sess_in', sess]);
		assert.match(second, /^Reused, TLSv1\.2/m, second);
	});

	test('TLS 1.3 tickets resume sessions, without 0-RTT', () => {
		const sess = path.join(dir, 'session13.pem');
		const first = sGet(sport, ['-tls1_3', '-sess_out', sess]);
		assert.equal(session(first), 'New, TLSv1.3', first);
		// The ticket comes after the handshake, and allows no 0-RTT.
		const nst = first.split('Post-Handshake New Session Ticket ' +
		    'arrived')[1] ?? '';
		assert.match(nst, /Max Early Data: 0\b/, first);
		const ticket = sClient(sport, ['-tls1_3', '-sess_in', sess]);
		assert.equal(session(ticket), 'Reused, TLSv1.3', ticket);
		// Early data sent all the same is not taken.
		const data = path.join(dir, 'early.txt');
		fs.writeFileSync(data, 'GET /healthz HTTP/1.0\r\n\r\n');
		const early = sClient(sport, ['-tls1_3', '-sess_in', sess,
		    '-early_data', data]);
		assert.match(early, /Early data was (not sent|rejected)/, early);
		assert.doesNotMatch(early, /Early data was accepted/, early);
		assert.equal(session(early), 'Reused, TLSv1.3', early);
	});

	test('pages answer over HTTPS as over HTTP, with HSTS', async () => {
		for (const target of ['/', `/posts/${slug}`, '/healthz',
		    '/no/such/page']) {
			const plain = await request(srv.port, 'GET', target);
			const sec = await httpsRequest(sport, 'GET', target,
			    { ca: ec.pem });
			const what = `GET ${target}`;
			// Over plain HTTP everything redirects but the health
			// check (and ACME challenges, tested elsewhere).
			if (target !== '/healthz')
				expectStatus(plain, 301, `http ${what}`);
			else
				expectStatus(plain, 200, `http ${what}`);
			assert.equal(sec.status, target === '/no/such/page' ?
			    404 : 200, `https ${what}`);
			assertSecurityHeaders(sec, `https ${what}`);
			assert.match(sec.headers['strict-transport-security'] ??
			    '', /max-age=\d+/, `https ${what}: no HSTS`);
			assert.equal(plain.headers['strict-transport-security'],
			    undefined, `http ${what} sent HSTS`);
		}
		const post = await httpsRequest(sport, 'GET', `/posts/${slug}`,
		    { ca: ec.pem });
		assert.match(post.body, /<em>secure<\/em>/);
	});

	test('plain HTTP redirects to HTTPS except ACME and healthz',
	    async () => {
		const r = await request(srv.port, 'GET', '/posts/x?a=1');
		expectStatus(r, 301, 'http /posts/x?a=1');
		assert.equal(r.headers.location,
		    `https://127.0.0.1:${sport}/posts/x?a=1`);
		const h = await request(srv.port, 'GET', '/healthz');
		expectStatus(h, 200, 'http /healthz');
		// SPEC names two exceptions; /metrics is not one of them.
		const m = await request(srv.port, 'GET', '/metrics');
		expectStatus(m, 301, 'http /metrics');
		assert.equal(m.headers.location,
		    `https://127.0.0.1:${sport}/metrics`);
		const acme = path.join(cfg.webroot, '.well-known',
		    'acme-challenge');
		fs.mkdirSync(acme, { recursive: true });
		fs.writeFileSync(path.join(acme, 'tok_123-abc'), 'tok.thumb');
		const a = await request(srv.port, 'GET',
		    '/.well-known/acme-challenge/tok_123-abc');
		expectStatus(a, 200, 'http acme challenge');
		assert.equal(a.body, 'tok.thumb');
	});

	test('the redirect keeps a good Host and its name only', async () => {
		// The client's port is replaced by the HTTPS one.
		for (const [host, name] of [['blog.example.org', 'blog.example.org'],
		    ['Blog.Example.org:8080', 'Blog.Example.org'],
		    ['[::1]:8080', '[::1]'], ['[2001:db8::1]', '[2001:db8::1]']]) {
			const r = await request(srv.port, 'GET', '/a?b=1',
			    { headers: { Host: host } });
			expectStatus(r, 301, `Host ${host}`);
			assert.equal(r.headers.location,
			    `https://${name}:${sport}/a?b=1`, `Host ${host}`);
		}
		// Anything else is not put into a URL: base_url's host instead.
		for (const host of ['evil.example/x', 'user@evil.example',
		    'evil.example?', 'a b', '[::1', 'x'.repeat(256)]) {
			const r = await request(srv.port, 'GET', '/a',
			    { headers: { Host: host } });
			expectStatus(r, 301, `Host ${host}`);
			assert.equal(r.headers.location,
			    `https://127.0.0.1:${sport}/a`, `Host ${host}`);
		}
	});

	test('a 500 KB page arrives intact', async () => {
		const plain = execFileSync('curl', ['-s', '--cacert', ec.crt,
		    `https://localhost:${sport}/posts/${bigSlug}`,
		    '--resolve', `localhost:${sport}:127.0.0.1`],
		{ maxBuffer: 64 << 20 }).toString();
		const sec = await httpsRequest(sport, 'GET', `/posts/${bigSlug}`,
		    { ca: ec.pem });
		expectStatus(sec, 200, 'big post');
		// The page may quote the start elsewhere (an excerpt); the
		// body's lines are the last ones, all of them, in order.
		const all = sec.body.match(/line-\d{6}/g) ?? [];
		assert.ok(all.length >= bigLines, `only ${all.length} lines`);
		all.slice(-bigLines).forEach((l, i) =>
			assert.equal(l, `line-${String(i).padStart(6, '0')}`));
		assert.equal(Number(sec.headers['content-length']),
		    sec.raw.length);
		assert.equal(plain.match(/line-\d{6}/g).length, all.length,
		    'curl saw another page');
	});

	test('a body close to max_body arrives whole', async () => {
		const agent = new https.Agent({ keepAlive: true, maxSockets: 1,
		    ca: ec.pem, servername: 'localhost' });
		try {
			const body = `name=x&body=${'a'.repeat(MAX_BODY - 64)}`;
			const r = await httpsRequest(sport, 'POST',
			    `/posts/${slug}/comments`, { agent, body, ca: ec.pem,
			    headers: { 'Content-Type':
			    'application/x-www-form-urlencoded' } });
			// No CSRF token: refused, but only after the whole body
			// was read (a short body would hang until the timeout).
			assert.ok(r.status === 403 || r.status === 400,
			    `status ${r.status}`);
			const again = await httpsRequest(sport, 'GET', '/healthz',
			    { agent, ca: ec.pem });
			expectStatus(again, 200, 'request after the big body');
			const over = await httpsRequest(sport, 'POST',
			    `/posts/${slug}/comments`, { ca: ec.pem,
			    body: 'x'.repeat(MAX_BODY + 1024), headers: {
			    'Content-Type': 'application/x-www-form-urlencoded' } });
			expectStatus(over, 413, 'body over max_body');
		} finally {
			agent.destroy();
		}
	});

	test('a silent client is dropped after handshake_timeout', async () => {
		// handshake_timeout is 2 s; idle_timeout (60 s) must not be what
		// closes it, and a loaded machine may take a while to get there.
		const ms = await timeToClose(sport, null, 20000);
		assert.ok(ms !== null, 'still open after 20 s');
		assert.ok(ms >= 1500 && ms < 15000, `closed after ${ms} ms`);
	});

	test('a client stalling mid-handshake is dropped', async () => {
		// A record header announcing 512 bytes of ClientHello, then 9.
		const partial = Buffer.from([0x16, 0x03, 0x01, 0x02, 0x00, 0x01,
		    0x00, 0x01, 0xfc, 0x03, 0x03, 0x00, 0x00, 0x00]);
		const ms = await timeToClose(sport, partial, 20000);
		assert.ok(ms !== null, 'still open after 20 s');
		assert.ok(ms >= 1500 && ms < 15000, `closed after ${ms} ms`);
		const r = await httpsRequest(sport, 'GET', '/healthz',
		    { ca: ec.pem });
		expectStatus(r, 200, 'after the stalled clients');
	});

	test('SIGHUP: a bad pair is refused, a good one replaces the old',
	    async () => {
		const live = { crt: path.join(dir, 'live.crt'),
		    key: path.join(dir, 'live.key') };
		const agent = new https.Agent({ keepAlive: true, maxSockets: 1,
		    ca: [ec.pem, rsa.pem], servername: 'localhost' });
		let log = 0;
		const hup = async (want) => {
			log = srv.stderr().length;
			srv.child.kill('SIGHUP');
			return waitFor(() => {
				const m = want.exec(srv.stderr().slice(log));
				return m && m[0];
			}, 5000, `log line ${want}`);
		};
		try {
			const first = await httpsRequest(sport, 'GET', '/healthz',
			    { agent });
			expectStatus(first, 200, 'before reload');
			const sock = first.socket;
			assert.ok(sock, 'no socket');

			// Mismatched: the RSA certificate with the EC key.
			fs.copyFileSync(rsa.crt, live.crt);
			const bad = await hup(/reload:[^\n]*$/m);
			assert.match(bad, /does not match.*old certificate stays/,
			    bad);
			assert.equal((await handshake(sport)).fingerprint,
			    ec.fingerprint, 'a bad pair replaced the old one');
			// Garbage.
			fs.writeFileSync(live.crt, 'not a certificate\n');
			fs.copyFileSync(rsa.key, live.key);
			const junk = await hup(/reload:[^\n]*$/m);
			assert.match(junk, /tls\.certificate \S*live\.crt: /, junk);
			assert.equal((await handshake(sport)).fingerprint,
			    ec.fingerprint, 'a broken file replaced the old one');

			// Good: the RSA pair.
			fs.copyFileSync(rsa.crt, live.crt);
			const good = await hup(/reload: certificate[^\n]*$/m);
			assert.match(good, /loaded/);
			const h = await handshake(sport, { ca: rsa.pem,
			    rejectUnauthorized: true, maxVersion: 'TLSv1.2' });
			assert.equal(h.fingerprint, rsa.fingerprint);
			assert.match(h.cipher, /^TLS_ECDHE_RSA_WITH_/);
			// TLS 1.3 signs with RSA-PSS.
			const h13 = await handshake(sport, { ca: rsa.pem,
			    rejectUnauthorized: true });
			assert.equal(h13.protocol, 'TLSv1.3');
			assert.equal(h13.fingerprint, rsa.fingerprint);
			// CBC, and RSA key exchange (which an EC pair could
			// never negotiate, so it is tested here).
			const cbc = sClient(sport, ['-tls1_2', '-cipher',
			    'ECDHE-RSA-AES128-SHA:ECDHE-RSA-AES128-SHA256:' +
			    'AES128-GCM-SHA256']);
			assert.equal(negotiated(cbc), null, cbc);

			// The connection opened before the reloads still works.
			const later = await httpsRequest(sport, 'GET',
			    `/posts/${slug}`, { agent });
			expectStatus(later, 200, 'kept-alive after reload');
			assert.ok(later.reused && later.socket === sock,
			    'the kept-alive connection was not reused');
			assert.equal(later.socket.getPeerCertificate()
			    .fingerprint256, ec.fingerprint);
		} finally {
			agent.destroy();
			fs.copyFileSync(ec.crt, live.crt);
			fs.copyFileSync(ec.key, live.key);
			await hup(/reload: certificate[^\n]*$/m);
		}
	});

	test('clients that close right after the handshake leak nothing',
	    async () => {
		const fds = () => fs.readdirSync(`/proc/${srv.child.pid}/fd`).length;
		// Warm up first: the TLS daemon's MHD threads and the pool
		// open their descriptors lazily.
		expectStatus(await httpsRequest(sport, 'GET', '/healthz',
		    { ca: ec.pem }), 200, 'warm-up');
		await sleep(200);
		const before = fds();
		for (let i = 0; i < 200; i++)
			await new Promise((resolve, reject) => {
				const s = tls.connect({ host: '127.0.0.1',
				    port: sport, servername: 'localhost',
				    rejectUnauthorized: false }, () => {
					// Half say goodbye (close_notify + FIN),
					// half just drop the socket.
					if (i % 2 === 0)
						s.end();
					else
						s.destroy();
				});
				s.on('close', resolve);
				s.on('error', reject);
				s.setTimeout(10000, () =>
				    s.destroy(new Error(`handshake ${i}: timeout`)));
			});
		// The front closes its end once MHD has closed the pair.
		await waitFor(() => fds() <= before, 5000,
		    `open descriptors back to ${before}`);
		const r = await httpsRequest(sport, 'GET', `/posts/${slug}`,
		    { ca: ec.pem });
		expectStatus(r, 200, 'a request after the empty connections');
		assert.match(r.body, /<em>secure<\/em>/);
	});

	test('blogd check names a bad key file', async () => {
		const broken = path.join(dir, 'broken.key');
		fs.writeFileSync(broken, '-----BEGIN PRIVATE KEY-----\nAAAA\n' +
		    '-----END PRIVATE KEY-----\n');
		const r = await runBlogd(['check', '-c', cfg.file],
		    { env: { BLOGD_TLS_KEY: broken } });
		assert.equal(r.code, 1, r.stdout + r.stderr);
		assert.match(r.stderr, new RegExp(`tls\\.key ${broken}`));
		const ok = await runBlogd(['check', '-c', cfg.file]);
		assert.equal(ok.code, 0, ok.stdout + ok.stderr);
	});

	test('testssl.sh finds nothing but the test certificate', (t) => {
		// tests/tls/testssl.sh fails on any finding of severity MEDIUM
		// or worse; TESTSSL_IGNORE_CERT spares the self-signed one.
		const json = path.join(dir, 'testssl.json');
		const r = spawnSync(path.join(SRC, 'tests', 'tls', 'testssl.sh'),
		    [`https://127.0.0.1:${sport}`, json], { encoding: 'utf8',
		    env: { ...process.env, TESTSSL_IGNORE_CERT: '1' },
		    timeout: 240000 });
		assert.equal(r.status, 0, `testssl.sh: ${r.status}\n` +
		    `${r.stdout}\n${r.stderr}`);
		t.diagnostic(r.stdout.trim());
		const all = JSON.parse(fs.readFileSync(json, 'utf8'));
		const finding = (id) => all.find((f) => f.id === id)?.finding;
		assert.match(finding('TLS1_3') ?? '', /^offered/, 'TLS 1.3');
		assert.match(finding('TLS1_2') ?? '', /^offered/, 'TLS 1.2');
		for (const id of ['SSLv2', 'SSLv3', 'TLS1', 'TLS1_1'])
			assert.match(finding(id) ?? '', /not offered/, id);
	});

	test('blogd still serves after all that', async () => {
		const r = await httpsRequest(sport, 'GET', '/', { ca: ec.pem });
		expectStatus(r, 200, 'GET / at the end');
		assert.ok(srv.alive());
	});
});

describe('https per-address limit', () => {
	let dir, ec, srv, sport;

	before(async () => {
		dir = tempDir('tlslimit');
		ec = makeCert(dir, 'ec', 'ec');
		sport = await freePort();
		const cfg = await setupSite('blogd_tls_limit', {
			server: { https_listen: `127.0.0.1:${sport}`,
			    per_ip_connections: 3 },
			tls: { certificate: ec.crt, key: ec.key },
		});
		srv = await startBlogd(cfg);
	});

	after(async () => {
		if (srv)
			await srv.stop();
	});

	test('connections over per_ip_connections are closed', async () => {
		const open = [];
		try {
			for (let i = 0; i < 3; i++)
				open.push(await new Promise((resolve, reject) => {
					const s = tls.connect({ host: '127.0.0.1',
					    port: sport, rejectUnauthorized: false },
					() => resolve(s));
					s.on('error', reject);
				}));
			await sleep(100);
			const ms = await timeToClose(sport, null, 3000);
			assert.ok(ms !== null && ms < 1000,
			    `the 4th connection stayed open (${ms})`);
		} finally {
			for (const s of open)
				s.destroy();
		}
		await waitFor(async () => (await handshake(sport)).protocol,
		    5000, 'a handshake once the others closed');
	});
});

describe('https resumption across reloads, instances and key rotation', () => {
	const DBNAME = 'blogd_tls_resume';
	let dir, ec, a, b, aport, bport;

	/* Tickets from `port`, one file per version: { v12, v13 }. */
	const tickets = (port, tag) => {
		const files = {};
		for (const v of ['2', '3']) {
			const f = path.join(dir, `${tag}-1${v}.pem`);
			const out = sGet(port, [`-tls1_${v}`, '-sess_out', f]);
			assert.equal(session(out), `New, TLSv1.${v}`, out);
			files[`v1${v}`] = f;
		}
		return files;
	};
	/* What a handshake with each ticket of t against `port` was. */
	const resume = (port, t) => ({
		v12: session(sClient(port, ['-tls1_2', '-sess_in', t.v12])),
		v13: session(sClient(port, ['-tls1_3', '-sess_in', t.v13])),
	});
	const reused = { v12: 'Reused, TLSv1.2', v13: 'Reused, TLSv1.3' };
	const fresh = { v12: 'New, TLSv1.2', v13: 'New, TLSv1.3' };
	const keyLines = (srv) => (srv.stderr().match(
	    /session tickets use the shared key of period \d+/g) ?? []).length;

	/* SIGHUP; resolves once the reload finished, or (given `keys`, the
	 * count of keyLines before the database changed: the minutely
	 * refresh may see the change first) once a new key was logged. */
	async function hup(srv, keys) {
		const reloads = (srv.stderr().match(/reload: templates/g) ??
		    []).length;
		srv.child.kill('SIGHUP');
		await waitFor(() => keys !== undefined ? keyLines(srv) > keys :
		    (srv.stderr().match(/reload: templates/g) ?? []).length >
		    reloads, 5000, keys !== undefined ? 'a new ticket key' :
		    'the reload');
	}
	/* As if a period had passed: the current key becomes the previous
	 * one, and the instances make and take a new one. */
	async function rotate() {
		const keys = [keyLines(a), keyLines(b)];
		sql('UPDATE tls_ticket_keys SET period = period - 1', DBNAME);
		await hup(a, keys[0]);
		await hup(b, keys[1]);
	}

	before(async () => {
		dir = tempDir('tlsresume');
		ec = makeCert(dir, 'ec', 'ec');
		aport = await freePort();
		bport = await freePort();
		const tlsKeys = { certificate: ec.crt, key: ec.key };
		const cfgA = await setupSite(DBNAME, {
			server: { https_listen: `127.0.0.1:${aport}` },
			tls: tlsKeys,
		});
		const cfgB = await writeConfig({
			server: { https_listen: `127.0.0.1:${bport}` },
			tls: tlsKeys, database: { name: DBNAME },
		});
		a = await startBlogd(cfgA);
		b = await startBlogd(cfgB);
	});

	after(async () => {
		if (a)
			await a.stop();
		if (b)
			await b.stop();
	});

	test('both instances share one key, made once', () => {
		assert.equal(keyLines(a), 1, a.stderr());
		assert.equal(keyLines(b), 1, b.stderr());
		assert.equal(sql('SELECT COUNT(*) FROM tls_ticket_keys',
		    DBNAME)[0][0], '1');
	});

	test('a ticket from one instance resumes on the other', () => {
		const fromA = tickets(aport, 'a');
		assert.deepEqual(resume(aport, fromA), reused);
		assert.deepEqual(resume(bport, fromA), reused);
		const fromB = tickets(bport, 'b');
		assert.deepEqual(resume(aport, fromB), reused);
	});

	test('tickets resume after SIGHUP', async () => {
		const t = tickets(aport, 'hup');
		await hup(a);
		assert.deepEqual(resume(aport, t), reused);
		await hup(b);
		assert.deepEqual(resume(bport, t), reused);
	});

	test('rotation: the previous key still resumes, the one before not',
	    async () => {
		const old = tickets(aport, 'old');
		await rotate();
		assert.equal(sql('SELECT COUNT(*) FROM tls_ticket_keys',
		    DBNAME)[0][0], '2');
		assert.deepEqual(resume(aport, old), reused, 'previous key, a');
		assert.deepEqual(resume(bport, old), reused, 'previous key, b');
		const mid = tickets(bport, 'mid');
		assert.deepEqual(resume(aport, mid), reused, 'current key');
		// Another period: `old`'s key is two periods old and gone,
		// from the database as well.
		await rotate();
		assert.equal(sql('SELECT COUNT(*) FROM tls_ticket_keys',
		    DBNAME)[0][0], '2');
		assert.deepEqual(resume(aport, old), fresh, 'expired key, a');
		assert.deepEqual(resume(bport, old), fresh, 'expired key, b');
		assert.deepEqual(resume(aport, mid), reused, 'previous key');
		assert.deepEqual(resume(bport, mid), reused, 'previous key');
	});

	test('the log never shows a key', () => {
		for (const srv of [a, b]) {
			const log = srv.stderr() + srv.stdout();
			for (const [hex] of sql('SELECT HEX(secret) FROM ' +
			    'tls_ticket_keys', DBNAME))
				assert.ok(!log.toUpperCase().includes(hex));
		}
	});
});

describe('https before sql/003 is applied', () => {
	const DBNAME = 'blogd_tls_upgrade';
	let dir, ec, cfg, srv, sport;

	before(async () => {
		dir = tempDir('tlsupgrade');
		ec = makeCert(dir, 'ec', 'ec');
		sport = await freePort();
		cfg = await setupSite(DBNAME, {
			server: { https_listen: `127.0.0.1:${sport}` },
			tls: { certificate: ec.crt, key: ec.key },
		});
		// The schema of the release before: no ticket keys yet.
		sql('DROP TABLE tls_ticket_keys; DELETE FROM schema_migrations ' +
		    "WHERE name = '003_tls_ticket_keys.sql'", DBNAME);
		srv = await startBlogd(cfg);
	});

	after(async () => {
		if (srv)
			await srv.stop();
	});

	test('serves with tickets of its own, takes the shared keys later',
	    async () => {
		assert.match(srv.stderr(), /cannot read the session ticket keys/);
		const sess = path.join(dir, 'own.pem');
		const out = sGet(sport, ['-tls1_3', '-sess_out', sess]);
		assert.equal(session(out), 'New, TLSv1.3', out);
		assert.equal(session(sClient(sport, ['-tls1_3', '-sess_in',
		    sess])), 'Reused, TLSv1.3');
		assertExit(await cli(cfg, ['migrate']), 0, 'blogd migrate');
		srv.child.kill('SIGHUP');
		await waitFor(() => /session tickets use the shared key/
		    .test(srv.stderr()), 5000, 'the shared key');
		// The instance's own key still opens its tickets.
		assert.equal(session(sClient(sport, ['-tls1_3', '-sess_in',
		    sess])), 'Reused, TLSv1.3');
		assert.equal(sql('SELECT COUNT(*) FROM tls_ticket_keys',
		    DBNAME)[0][0], '1');
	});
});
