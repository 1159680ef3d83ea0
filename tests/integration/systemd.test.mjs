// The systemd contract of `blogd serve` (deploy/systemd/blogd.service is
// Type=notify, NotifyAccess=main, WatchdogSec=, ExecReload= sends SIGHUP):
// READY=1 only once the listeners answer, RELOADING=1 then READY=1 on
// SIGHUP, STOPPING=1 and exit 0 on SIGTERM with in-flight requests
// finished, WATCHDOG=1 when WATCHDOG_USEC is set. tests/tools/notify_listen
// plays systemd's notification socket (node cannot bind AF_UNIX datagram
// sockets).

import assert from 'node:assert/strict';
import { execFileSync, spawn } from 'node:child_process';
import fs from 'node:fs';
import https from 'node:https';
import net from 'node:net';
import path from 'node:path';
import readline from 'node:readline';
import tls from 'node:tls';
import { after, before, test } from 'node:test';

import {
	BIN, assertNoCrash, freePort, rawStatus, request, setupSite, sleep,
	tempDir, waitFor, writeConfig,
} from './lib.mjs';

const DBNAME = 'blogd_systemd';
const NOTIFY_LISTEN = process.env.BLOGD_NOTIFY_LISTEN ||
    (process.env.BLOGD_BUILD &&
    path.join(process.env.BLOGD_BUILD, 'tests', 'notify_listen'));

// Every process this file starts, killed if a test leaves one behind.
const procs = new Set();
process.on('exit', () => {
	for (const p of procs)
		try { p.kill('SIGKILL'); } catch { /* already gone */ }
});

function track(child) {
	procs.add(child);
	const exited = new Promise((resolve) => child.on('exit',
	    (code, signal) => { procs.delete(child); resolve({ code, signal }); }));
	return exited;
}

/* A message has the assignment `kv`, e.g. has('READY=1'). */
const has = (kv) => (m) => m.vars.includes(kv);

/*
 * notify_listen on a fresh socket path. Messages are { pid, vars } in
 * arrival order; next() consumes them in order, so "A then B" is two calls.
 */
class Notify {
	static async start() {
		assert.ok(NOTIFY_LISTEN && fs.existsSync(NOTIFY_LISTEN),
		    `notify_listen not found at ${NOTIFY_LISTEN}: build the ` +
		    'notify_listen target (set BLOGD_NOTIFY_LISTEN or BLOGD_BUILD)');
		const n = new Notify(path.join(tempDir('notify'), 'notify.sock'));
		await waitFor(() => fs.existsSync(n.socket) || !n.alive(), 5000,
		    'notify_listen binds its socket');
		assert.ok(n.alive(), `notify_listen exited: ${n.stderr}`);
		return n;
	}

	constructor(socket) {
		this.socket = socket;
		this.msgs = [];
		this.cursor = 0;
		this.wake = null;
		this.stderr = '';
		this.child = spawn(NOTIFY_LISTEN, [socket],
		    { stdio: ['ignore', 'pipe', 'pipe'] });
		this.exited = track(this.child);
		this.child.stderr.on('data', (d) => { this.stderr += d; });
		readline.createInterface({ input: this.child.stdout })
		    .on('line', (line) => {
			const [who, ...vars] = line.split('\t');
			this.msgs.push({ pid: Number(who.slice(4)), vars,
			    at: Date.now() });
			this.wake?.();
		});
	}

	alive() {
		return this.child.exitCode === null &&
		    this.child.signalCode === null;
	}

	/* The first unconsumed message matching pred, within ms. */
	async next(pred, ms, what) {
		const deadline = Date.now() + ms;
		for (;;) {
			const i = this.msgs.findIndex((m, k) =>
			    k >= this.cursor && pred(m));
			if (i >= 0) {
				this.cursor = i + 1;
				return this.msgs[i];
			}
			const left = deadline - Date.now();
			if (left <= 0)
				assert.fail(`${what}: no such sd_notify message ` +
				    `within ${ms} ms; received: ` +
				    JSON.stringify(this.msgs.map((m) => m.vars)));
			await new Promise((resolve) => {
				const t = setTimeout(resolve, left);
				this.wake = () => { clearTimeout(t); resolve(); };
			});
			this.wake = null;
		}
	}

	async stop() {
		this.child.kill('SIGTERM');
		await this.exited;
	}
}

/*
 * `blogd serve` with NOTIFY_SOCKET pointing at notify; does not wait for
 * anything. Whatever systemd variables the test runner inherited are
 * replaced by exactly the ones given.
 */
function serve(cfg, notify, env = {}) {
	const e = { ...process.env };
	for (const k of ['NOTIFY_SOCKET', 'WATCHDOG_USEC', 'WATCHDOG_PID',
	    'LISTEN_FDS', 'LISTEN_PID'])
		delete e[k];
	const child = spawn(BIN, ['serve', '-c', cfg.file], {
		env: { ...e, NOTIFY_SOCKET: notify.socket, ...env },
		stdio: ['ignore', 'pipe', 'pipe'],
	});
	const srv = { child, stdout: '', stderr: '', exited: track(child) };
	child.stdout.on('data', (d) => { srv.stdout += d; });
	child.stderr.on('data', (d) => { srv.stderr += d; });
	return srv;
}

/* Waits for exit; fails unless status 0 without a crash within ms. */
async function expectCleanExit(srv, ms, what) {
	const r = await Promise.race([srv.exited, sleep(ms).then(() => null)]);
	if (r === null) {
		srv.child.kill('SIGKILL');
		assert.fail(`${what}: blogd still running ${ms} ms after ` +
		    `SIGTERM\nstderr: ${srv.stderr.slice(-2000)}`);
	}
	assertNoCrash({ ...r, stdout: srv.stdout, stderr: srv.stderr }, what);
	assert.equal(r.code, 0, `${what}: exit status\nstderr: ` +
	    srv.stderr.slice(-2000));
}

const healthz = (port, timeout = 2000) => request(port, 'GET', '/healthz',
    { timeout, headers: { Connection: 'close' } });

/* READY=1 from blogd's own pid (NotifyAccess=main) within 15 s. */
async function ready(srv, notify, what) {
	const m = await Promise.race([
		notify.next(has('READY=1'), 15000, what),
		srv.exited.then((r) => assert.fail(`${what}: blogd exited ` +
		    `(${r.code}, ${r.signal}) before READY=1\nstderr: ` +
		    srv.stderr.slice(-2000))),
	]);
	assert.equal(m.pid, srv.child.pid, `${what}: READY=1 sent by pid ` +
	    `${m.pid}, not the main process ${srv.child.pid}`);
	return m;
}

/* GET /healthz over HTTPS, any certificate accepted; resolves { status }. */
function httpsHealthz(port, timeout = 5000) {
	return new Promise((resolve, reject) => {
		const req = https.get({ host: '127.0.0.1', port, path: '/healthz',
		    rejectUnauthorized: false, agent: false, timeout },
		(res) => {
			res.resume();
			res.on('end', () => resolve({ status: res.statusCode }));
		});
		req.on('timeout', () => req.destroy(new Error('timeout')));
		req.on('error', reject);
	});
}

let cfg, plainCfg, tlsPort;
const started = [];

before(async () => {
	// Both listeners, so READY=1 has to wait for the TLS front too.
	const dir = tempDir('systemd-tls');
	execFileSync('openssl', ['req', '-x509', '-newkey', 'ec', '-pkeyopt',
	    'ec_paramgen_curve:P-256', '-nodes', '-days', '2', '-subj',
	    '/CN=localhost', '-keyout', path.join(dir, 'key.pem'), '-out',
	    path.join(dir, 'cert.pem')], { stdio: 'ignore' });
	tlsPort = await freePort();
	cfg = await setupSite(DBNAME, {
		server: { https_listen: `127.0.0.1:${tlsPort}` },
		tls: { certificate: path.join(dir, 'cert.pem'),
		    key: path.join(dir, 'key.pem') },
	});
	// HTTP only: with HTTPS on, plain HTTP answers a redirect at once
	// and a slow request there would not be in flight.
	plainCfg = await writeConfig({ database: { name: DBNAME } });
});

after(async () => {
	for (const x of started)
		if (x.child.exitCode === null && x.child.signalCode === null)
			x.child.kill('SIGKILL');
	for (const x of started)
		await x.exited;
});

// One server lives through the next three tests: start, reload, stop.
let srv, notify;

test('READY=1 comes once both listeners answer and the DB pool is up',
    async () => {
	notify = await Notify.start();
	started.push(notify);
	srv = serve(cfg, notify);
	started.push(srv);
	await ready(srv, notify, 'start-up');
	// Straight after READY=1, without retrying: systemd orders units
	// started After=blogd on this message.
	let r;
	try {
		r = await healthz(cfg.port);
	} catch (e) {
		assert.fail(`READY=1 came before the listener: GET /healthz ` +
		    `right after it failed: ${e.message}`);
	}
	assert.equal(r.status, 200, `GET /healthz right after READY=1: ` +
	    `${r.status} ${r.body}`);
	try {
		r = await httpsHealthz(tlsPort);
	} catch (e) {
		assert.fail(`READY=1 came before the HTTPS listener: ` +
		    `${e.message}`);
	}
	assert.equal(r.status, 200, 'HTTPS GET /healthz right after READY=1');
	const status = notify.msgs.slice(0, notify.cursor)
	    .some((x) => x.vars.some((v) => v.startsWith('STATUS=')));
	assert.ok(status, 'no STATUS= by READY=1 (systemctl status shows ' +
	    `it); received: ${JSON.stringify(notify.msgs.map((x) => x.vars))}`);
});

test('SIGHUP: RELOADING=1, then READY=1, and the server keeps serving',
    async () => {
	assert.ok(srv, 'the start-up test did not start blogd');
	srv.child.kill('SIGHUP');
	const reloading = await notify.next(has('RELOADING=1'), 10000,
	    'SIGHUP');
	assert.equal(reloading.pid, srv.child.pid, 'RELOADING=1 sender');
	await ready(srv, notify, 'after RELOADING=1');
	const r = await healthz(cfg.port);
	assert.equal(r.status, 200, `GET /healthz after the reload: ${r.status}`);
	assert.ok(srv.child.exitCode === null, 'blogd exited on SIGHUP');
});

test('SIGTERM: STOPPING=1, then exit status 0', async () => {
	assert.ok(srv, 'the start-up test did not start blogd');
	srv.child.kill('SIGTERM');
	const m = await notify.next(has('STOPPING=1'), 10000, 'SIGTERM');
	assert.equal(m.pid, srv.child.pid, 'STOPPING=1 sender');
	await expectCleanExit(srv, 10000, 'SIGTERM');
	await notify.stop();
});

test('WATCHDOG_USEC=2000000: WATCHDOG=1 at least twice in 3 s', async () => {
	const n = await Notify.start();
	started.push(n);
	// No WATCHDOG_PID: blogd's pid is unknown before the spawn, and
	// sd_watchdog_enabled() accepts its absence.
	const s = serve(cfg, n, { WATCHDOG_USEC: '2000000' });
	started.push(s);
	await ready(s, n, 'start-up with the watchdog');
	const t0 = Date.now();
	await sleep(3000);
	const pings = n.msgs.filter((m) => m.at >= t0 && m.at <= t0 + 3000 &&
	    has('WATCHDOG=1')(m));
	assert.ok(pings.length >= 2, `${pings.length} WATCHDOG=1 in 3 s; ` +
	    `received: ${JSON.stringify(n.msgs.map((m) => m.vars))}`);
	for (const p of pings)
		assert.equal(p.pid, s.child.pid, 'WATCHDOG=1 sender');
	s.child.kill('SIGTERM');
	await expectCleanExit(s, 10000, 'SIGTERM with the watchdog on');
	await n.stop();
});

/*
 * Sends a POST whose body trickles in: part before SIGTERM, the rest after
 * STOPPING=1. Resolves the raw response text once the server closes.
 */
function slowPost(port, secure) {
	const body = 'username=nobody&password=' + 'x'.repeat(64 * 1024);
	const head = 'POST /admin/login HTTP/1.1\r\nHost: 127.0.0.1\r\n' +
	    'Content-Type: application/x-www-form-urlencoded\r\n' +
	    `Content-Length: ${body.length}\r\nConnection: close\r\n\r\n`;
	const sock = secure ? tls.connect({ host: '127.0.0.1', port,
	    rejectUnauthorized: false }) : net.connect(port, '127.0.0.1');
	const chunks = [];
	const done = new Promise((resolve) => {
		const finish = () => resolve(Buffer.concat(chunks)
		    .toString('latin1'));
		sock.on('data', (c) => chunks.push(c));
		sock.on('close', finish);
		sock.on('error', finish);
	});
	const connected = new Promise((resolve, reject) => {
		sock.once(secure ? 'secureConnect' : 'connect', resolve);
		sock.once('error', reject);
	});
	return {
		done,
		async start() {
			await connected;
			sock.write(head + body.slice(0, 1024));
		},
		async finish() {
			for (let i = 1024; i < body.length && !sock.destroyed;
			    i += 16 * 1024) {
				sock.write(body.slice(i, i + 16 * 1024));
				await sleep(100);
			}
		},
		destroy: () => sock.destroy(),
	};
}

for (const secure of [false, true]) {
test(`SIGTERM with a request in flight over ${secure ? 'HTTPS' : 'HTTP'}: ` +
    'it gets its answer, then exit 0', async () => {
	const n = await Notify.start();
	started.push(n);
	const c = secure ? cfg : plainCfg;
	const s = serve(c, n);
	started.push(s);
	await ready(s, n, 'start-up');
	const post = slowPost(secure ? tlsPort : c.port, secure);
	await post.start();
	await sleep(300); // the server has the request line and headers
	s.child.kill('SIGTERM');
	await n.next(has('STOPPING=1'), 5000, 'SIGTERM');

	// Draining: no listener serves a new connection any more. They may
	// close just after STOPPING=1 is sent; give them 200 ms.
	await sleep(200);
	const listeners = [['HTTP', () => healthz(c.port, 1000)]];
	if (secure)
		listeners.push(['HTTPS', () => httpsHealthz(tlsPort, 1000)]);
	for (const [name, get] of listeners) {
		let late;
		try {
			late = (await get()).status;
		} catch (e) {
			late = e.code ?? e.message;
		}
		assert.notEqual(late, 200, `a new ${name} connection was ` +
		    'served after STOPPING=1 (stop accepting first)');
	}

	await post.finish();
	const answer = await Promise.race([post.done,
	    sleep(8000).then(() => null)]);
	post.destroy();
	assert.ok(answer !== null, 'the in-flight request got no answer ' +
	    'within 8 s');
	assert.ok(rawStatus(answer) !== null, 'the in-flight request was ' +
	    `cut off without an answer: ${JSON.stringify(answer.slice(0, 200))}` +
	    `\nstderr: ${s.stderr.slice(-2000)}`);
	// writeConfig sets shutdown_timeout = 5.
	await expectCleanExit(s, 10000, 'SIGTERM with a request in flight');
	await n.stop();
});
}
