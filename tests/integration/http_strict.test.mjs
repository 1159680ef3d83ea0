// HTTP/1.1 framing as strict as a public server must be (RFC 9112), and the
// connection budget: raw bytes on real sockets against a real blogd. Every
// malformed request gets one answer and a closed connection; idle
// connections cannot starve a new client.

import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import net from 'node:net';
import tls from 'node:tls';
import { after, before, describe, test } from 'node:test';

import {
	freePort, makeCert, rawExchange, setupSite, sleep, startBlogd, tempDir,
	waitFor,
} from './lib.mjs';

const MAX_BODY = 16 * 1024;

/* rawExchange with each part of `parts` as latin1 bytes and a longer
 * timeout. Resolves { data, closed }. */
function exchange(port, parts, { localAddress, timeout = 10000 } = {}) {
	return rawExchange(port,
	    [].concat(parts).map((p) => Buffer.from(p, 'latin1')),
	    { localAddress, timeout });
}

/*
 * Opens a connection and sends the header block of a comment POST whose
 * body is framed by `framing` (one header line), for a test to send the
 * body itself. got.data collects the answer; got.closed turns true when
 * the connection ends.
 */
async function postHead(port, framing) {
	const sock = net.connect(port, '127.0.0.1');
	const got = { data: '', closed: false };
	sock.on('data', (c) => { got.data += c.toString('latin1'); });
	sock.on('close', () => { got.closed = true; });
	sock.on('error', () => { got.closed = true; });
	await new Promise((r) => sock.once('connect', r));
	sock.write(`POST /posts/x/comments HTTP/1.1\r\n${H}${framing}\r\n\r\n`);
	return { sock, got };
}

/* Status codes of the response header blocks in raw text, in order (a
 * body without a final newline runs straight into the next status line). */
function statuses(text) {
	return [...text.matchAll(/HTTP\/1\.[01] (\d{3}) [^\r\n]*\r\n/g)]
	    .map((m) => Number(m[1]));
}

/* One answer with this status (or one of these; NO_ANSWER: none at all),
 * and the connection closed after it. */
const NO_ANSWER = 0;
function expectOneAndClose(r, want, what) {
	const got = statuses(r.data);
	const ok = [].concat(want);
	assert.ok(r.closed, `${what}: connection left open`);
	if (got.length === 0 && ok.includes(NO_ANSWER)) {
		assert.equal(r.data, '', `${what}: no answer expected`);
		return;
	}
	assert.equal(got.length, 1, `${what}: one response, got ` +
	    `${JSON.stringify(got)}:\n${r.data.slice(0, 600)}`);
	assert.ok(ok.includes(got[0]), `${what}: status ${got[0]}, want ` +
	    `${ok.join(' or ')}`);
}

const H = 'Host: localhost\r\n';

// [name, request bytes, statuses allowed]. Each is sent alone on a fresh
// connection, followed by a second request that must never be answered.
const BATTERY = [
	['Content-Length with Transfer-Encoding',
	    `POST /x HTTP/1.1\r\n${H}Content-Length: 5\r\n` +
	    'Transfer-Encoding: chunked\r\n\r\n0\r\n\r\n', 400],
	['two different Content-Lengths',
	    `POST /x HTTP/1.1\r\n${H}Content-Length: 5\r\n` +
	    'Content-Length: 10\r\n\r\nhello', 400],
	['a repeated Content-Length',
	    `POST /x HTTP/1.1\r\n${H}Content-Length: 5\r\n` +
	    'Content-Length: 5\r\n\r\nhello', 400],
	['Content-Length "5x"',
	    `POST /x HTTP/1.1\r\n${H}Content-Length: 5x\r\n\r\nhello`, 400],
	['Content-Length "-1"',
	    `POST /x HTTP/1.1\r\n${H}Content-Length: -1\r\n\r\n`, 400],
	['Content-Length "5, 5"',
	    `POST /x HTTP/1.1\r\n${H}Content-Length: 5, 5\r\n\r\nhello`, 400],
	['Transfer-Encoding folded onto a continuation line',
	    `POST /x HTTP/1.1\r\n${H}Content-Length: 5\r\nX-A: b\r\n` +
	    ' Transfer-Encoding: chunked\r\n\r\nhello', 400],
	['Transfer-Encoding value folded',
	    `POST /x HTTP/1.1\r\n${H}Transfer-Encoding:\r\n chunked\r\n\r\n` +
	    '0\r\n\r\n', 400],
	['Transfer-Encoding: xchunked',
	    `POST /x HTTP/1.1\r\n${H}Transfer-Encoding: xchunked\r\n\r\n`,
	    [400, 501]],
	['Transfer-Encoding: chunked, identity',
	    `POST /x HTTP/1.1\r\n${H}Transfer-Encoding: chunked, identity` +
	    '\r\n\r\n', [400, 501]],
	['Transfer-Encoding: gzip, chunked',
	    `POST /x HTTP/1.1\r\n${H}Transfer-Encoding: gzip, chunked` +
	    '\r\n\r\n0\r\n\r\n', [400, 501]],
	['Transfer-Encoding twice',
	    `POST /x HTTP/1.1\r\n${H}Transfer-Encoding: chunked\r\n` +
	    'Transfer-Encoding: chunked\r\n\r\n0\r\n\r\n', [400, 501]],
	['NUL in a header value',
	    `GET /healthz HTTP/1.1\r\n${H}X-A: a\0b\r\n\r\n`, 400],
	['NUL in Host',
	    'GET /healthz HTTP/1.1\r\nHost: local\0host\r\n\r\n', 400],
	['ESC in a header value',
	    `GET /healthz HTTP/1.1\r\n${H}User-Agent: a\x1b[31mb\r\n\r\n`, 400],
	['obs-fold in an ordinary header',
	    `GET /healthz HTTP/1.1\r\n${H}X-A: a\r\n b\r\n\r\n`, 400],
	['double space in the request line',
	    `GET  /healthz HTTP/1.1\r\n${H}\r\n`, 400],
	['bare LF line ends', `GET /healthz HTTP/1.1\n${H}\n`, 400],
	['ESC in the target', `GET /a\x1b[31m HTTP/1.1\r\n${H}\r\n`, 400],
	// libmicrohttpd hangs up on VT, FF and NUL in the request line
	// without an answer: nothing else is read from the connection.
	['VT in the target', `GET /a\x0bb HTTP/1.1\r\n${H}\r\n`,
	    [400, NO_ANSWER]],
	['NUL in the target', `GET /a\0b HTTP/1.1\r\n${H}\r\n`,
	    [400, NO_ANSWER]],
	['DEL in the target', `GET /a\x7fb HTTP/1.1\r\n${H}\r\n`, 400],
	['0xFF in the target', `GET /a\xffb HTTP/1.1\r\n${H}\r\n`, 400],
	['a space in the target', `GET /a b HTTP/1.1\r\n${H}\r\n`,
	    [400, 505]],
	['two Host headers',
	    `GET /healthz HTTP/1.1\r\n${H}Host: other\r\n\r\n`, 400],
	['no Host in HTTP/1.1', 'GET /healthz HTTP/1.1\r\n\r\n', 400],
	['absolute-form with a bad authority',
	    `GET http://a@b/healthz HTTP/1.1\r\n${H}\r\n`, 400],
];

const SMUGGLED = `GET /smuggled HTTP/1.1\r\n${H}\r\n`;

describe('strict HTTP/1.1 framing', () => {
	let srv;

	before(async () => {
		const cfg = await setupSite('blogd_strict', {
			server: { max_body: MAX_BODY, idle_timeout: 3 },
		});
		srv = await startBlogd(cfg);
	});
	after(async () => { await srv?.stop(); });

	for (const [name, bytes, want] of BATTERY) {
		test(name, async () => {
			const r = await exchange(srv.port, [bytes + SMUGGLED]);
			expectOneAndClose(r, want, name);
			assert.doesNotMatch(r.data, /smuggled/);
		});
	}

	test('nothing raw from a request reaches the logs', async () => {
		await exchange(srv.port, [`GET /b\x1b]0;x\x07 HTTP/1.1\r\n${H}` +
		    '\r\n']);
		await exchange(srv.port, [`GET /c\xff HTTP/1.1\r\n${H}\r\n`]);
		await exchange(srv.port, [`GET /healthz HTTP/1.1\r\n${H}` +
		    'User-Agent: caf\xe9\x1b[0m\r\nConnection: close\r\n\r\n']);
		const out = await waitFor(() => /caf\\xe9\\x1b\[0m/
		    .test(srv.stdout()) && srv.stdout(), 10000,
		'the access line of the non-ASCII User-Agent');
		// eslint-disable-next-line no-control-regex
		assert.doesNotMatch(out + srv.stderr(), /[\x00-\x08\x0b-\x1f\x7f-\xff]/,
		    'a raw control or non-ASCII byte in a log');
	});

	test('absolute-form target: its authority, not Host', async () => {
		const r = await exchange(srv.port, [
		    'GET http://localhost/healthz HTTP/1.1\r\nHost: other\r\n' +
		    'Connection: close\r\n\r\n']);
		assert.deepEqual(statuses(r.data), [200]);
		assert.match(r.data, /\r\n\r\nok/);
	});

	test('pipelined requests are answered once each, in order', async () => {
		const r = await exchange(srv.port, [
		    `GET /healthz HTTP/1.1\r\n${H}\r\n` +
		    `GET /no-such-page HTTP/1.1\r\n${H}\r\n` +
		    `HEAD /healthz HTTP/1.1\r\n${H}\r\n` +
		    `GET /robots.txt HTTP/1.1\r\n${H}Connection: close\r\n\r\n`]);
		assert.deepEqual(statuses(r.data), [200, 404, 200, 200]);
		assert.ok(r.closed);
	});

	test('a body announced too large: the 413 reaches a client still ' +
	    'sending it', async () => {
		// Refused at the headers, its connection closed after the
		// answer: had blogd closed with the body unread, the kernel
		// would reset the connection and the client, still writing,
		// could lose the answer (RFC 9112, 9.6). Five tries, each
		// writing a body 64 times the limit as fast as it can.
		for (let i = 0; i < 5; i++) {
			const size = 64 * MAX_BODY;
			const { sock, got } = await postHead(srv.port,
			    `Content-Length: ${size}`);
			let reset = null;
			sock.on('error', (e) => { reset = e.code; });
			const chunk = Buffer.alloc(MAX_BODY, 'a');
			for (let sent = 0; sent < size && !got.closed;
			    sent += chunk.length) {
				if (!sock.write(chunk))
					await Promise.race([sleep(50),
					    new Promise((r) => sock.once('drain', r))]);
			}
			await waitFor(() => got.closed, 10000, 'the close');
			assert.equal(reset, null, `try ${i}: the connection was ` +
			    `reset (${reset}); got ${JSON.stringify(got.data.slice(0, 80))}`);
			assert.deepEqual(statuses(got.data), [413], got.data.slice(0, 300));
			assert.match(got.data, /\r\nConnection: close\r\n/i);
			sock.destroy();
		}
	});

	test('a never-ending chunked body is cut off', async () => {
		const { sock, got } = await postHead(srv.port,
		    'Transfer-Encoding: chunked');
		const chunk = `1000\r\n${'a'.repeat(0x1000)}\r\n`;
		await waitFor(async () => {
			for (let i = 0; i < 16 && !got.closed; i++)
				sock.write(chunk);
			await sleep(20);
			return got.closed;
		}, 20000, 'the server closing the endless body');
		assert.ok(statuses(got.data).length <= 1, got.data.slice(0, 300));
		sock.destroy();
	});

	test('a body trickled a byte at a time is cut off', async () => {
		const { sock, got } = await postHead(srv.port,
		    'Content-Length: 1000');
		// idle_timeout is 3 s: without a bound on the whole body, a
		// byte every 500 ms would keep it open for 500 s.
		await waitFor(async () => {
			if (!got.closed)
				sock.write('a');
			await sleep(300);
			return got.closed;
		}, 30000, 'the server closing the trickled body');
		sock.destroy();
	});
});

/* Runs a command; resolves { status, stdout, stderr }. */
function run(cmd, args) {
	return new Promise((resolve) => {
		execFile(cmd, args, { timeout: 120000 }, (err, stdout, stderr) =>
			resolve({ status: err ? err.code ?? 1 : 0, stdout,
			    stderr }));
	});
}

/* A TLS connection from localAddress; resolves the socket once the
 * handshake is done. */
function tlsConnect(port, localAddress) {
	return new Promise((resolve, reject) => {
		const s = tls.connect({ host: '127.0.0.1', port, localAddress,
		    servername: 'localhost', rejectUnauthorized: false,
		    maxVersion: 'TLSv1.2' },
		() => resolve(s));
		s.once('error', reject);
	});
}

/* { sock, closed() } for a connected socket. */
function watchClose(sock) {
	let closed = false;
	sock.on('close', () => { closed = true; });
	sock.on('error', () => { closed = true; });
	return { sock, closed: () => closed };
}

/* A plain connection from localAddress that sent one keep-alive request
 * and got its answer; resolves { sock, closed() }. */
function idlePlain(port, localAddress, request = true) {
	return new Promise((resolve, reject) => {
		const sock = net.connect({ port, host: '127.0.0.1',
		    localAddress });
		let closed = false, data = '';
		sock.on('close', () => { closed = true; });
		sock.on('error', () => { closed = true; });
		const handle = { sock, closed: () => closed };
		sock.once('connect', () => {
			if (!request)
				return resolve(handle);
			sock.write(`GET /healthz HTTP/1.1\r\n${H}\r\n`);
		});
		sock.on('data', (c) => {
			data += c;
			if (/\r\n\r\nok/.test(data))
				resolve(handle);
		});
		setTimeout(() => reject(new Error('no answer')), 10000);
	});
}

/* GET /healthz on a new connection (plain, or TLS when tlsPort) from
 * localAddress; resolves the status or null. */
async function healthz(port, localAddress, useTls = false) {
	const sock = useTls ? await tlsConnect(port, localAddress) :
	    net.connect({ port, host: '127.0.0.1', localAddress });
	return new Promise((resolve) => {
		let data = '';
		const timer = setTimeout(() => { sock.destroy();
			resolve(null); }, 10000);
		const go = () => sock.write(`GET /healthz HTTP/1.1\r\n${H}` +
		    'Connection: close\r\n\r\n');
		if (useTls)
			go();
		else
			sock.once('connect', go);
		sock.on('data', (c) => { data += c; });
		const done = () => {
			clearTimeout(timer);
			resolve(statuses(data)[0] ?? null);
		};
		sock.on('close', done);
		sock.on('error', done);
	});
}

describe('connection budget', () => {
	const MAX = 50, PER_IP = 8;
	let srv, httpsPort;
	const open = [];

	before(async () => {
		const dir = tempDir('budget');
		const cert = makeCert(dir);
		httpsPort = await freePort();
		const cfg = await setupSite('blogd_budget', {
			server: { max_connections: MAX,
			    per_ip_connections: PER_IP,
			    https_listen: `127.0.0.1:${httpsPort}`,
			    tls_threads: 2, idle_timeout: 60 },
			tls: { certificate: cert.crt, key: cert.key },
		});
		srv = await startBlogd(cfg);
	});
	after(async () => {
		for (const s of open)
			s.destroy();
		await srv?.stop();
	});

	test('per address: the limit holds, other addresses are served',
	    async () => {
		const mine = [];
		for (let i = 0; i < PER_IP; i++)
			mine.push(await idlePlain(srv.port, '127.0.0.2'));
		open.push(...mine.map((h) => h.sock));
		assert.ok([null, 503].includes(await healthz(srv.port, '127.0.0.2')),
		    'a connection over per_ip_connections was served');
		assert.equal(await healthz(srv.port, '127.0.0.3'), 200);
		for (const h of mine)
			h.sock.destroy();
	});

	test('per address: a closed connection frees its slot at once',
	    async () => {
		// ab (C, fast) reconnects as soon as blogd's answer ends, from
		// one address, PER_IP at a time: a count that lags behind
		// closed connections (MHD's own did) refuses some of them.
		// Not spawnSync: blogd's access lines go to this process, which
		// must keep reading them meanwhile.
		const r = await run('ab', ['-n', '3000', '-c', String(PER_IP),
		    `http://127.0.0.1:${srv.port}/healthz`]);
		assert.equal(r.status, 0, `ab: ${r.stderr}`);
		assert.match(r.stdout, /^Complete requests:\s+3000$/m);
		assert.match(r.stdout, /^Failed requests:\s+0$/m, r.stdout);
	});

	test('idle connections from many addresses cannot starve a new ' +
	    'client', async () => {
		// 70 idle connections, plain and TLS, some that never sent a
		// request, from 127.0.0.10-19: more than max_connections.
		const idle = [];
		for (let i = 0; i < 70; i++) {
			const from = `127.0.0.${10 + (i % 10)}`;
			if (i % 3 === 0)
				idle.push(watchClose(await tlsConnect(httpsPort,
				    from)));
			else
				idle.push(await idlePlain(srv.port, from,
				    i % 3 === 1));
			open.push(idle.at(-1).sock);
		}
		assert.equal(await healthz(srv.port, '127.0.0.99'), 200,
		    'plain client from another address');
		assert.equal(await healthz(httpsPort, '127.0.0.98', true), 200,
		    'TLS client from another address');
		// The oldest idle ones made room: at least 70 + 1 - 50 (the
		// first new client may have closed before the second came).
		const gone = () => idle.map((h) => h.closed());
		await waitFor(() => gone().filter(Boolean).length >=
		    70 + 1 - MAX || undefined, 20000,
		`the oldest idle connections closed (${gone()})`);
		assert.ok(gone().slice(0, 10).every(Boolean),
		    `not the oldest idle connections were closed: ${gone()}`);
	});
});
