// Stopping without dropping a request: the drain grace after SIGTERM
// ([server] drain_seconds: /healthz 503, everything else served, then the
// usual shutdown), socket activation (LISTEN_FDS: tests/tools/socket_hold
// holds the sockets across blogd processes as systemd's socket unit does)
// with restarts under load, and a rolling restart of two instances behind
// haproxy. Every request of the load must be answered as it would be
// without a restart.

import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import http from 'node:http';
import https from 'node:https';
import path from 'node:path';
import readline from 'node:readline';
import { after, before, describe, test } from 'node:test';

import {
	BIN, CookieJar, addPost, addUser, assertNoCrash, csrfFrom, expectBody,
	expectStatus, freePort, hiddenFrom, makeCert, request, setupSite, sleep,
	tempDir, waitFor, writeConfig,
} from './lib.mjs';

const DBNAME = 'blogd_restart';
const BUILD = process.env.BLOGD_BUILD;
const tool = (name, env) => process.env[env] ||
    (BUILD && path.join(BUILD, 'tests', name));
const SOCKET_HOLD = tool('socket_hold', 'BLOGD_SOCKET_HOLD');
const NOTIFY_LISTEN = tool('notify_listen', 'BLOGD_NOTIFY_LISTEN');

// Every process this file starts, killed if a test leaves one behind.
const procs = new Set();
process.on('exit', () => {
	for (const p of procs)
		try { p.kill('SIGKILL'); } catch { /* already gone */ }
});

/* Spawns and tracks; resolves .exited with { code, signal }. */
function launch(cmd, args, opts = {}) {
	const child = spawn(cmd, args, { stdio: ['pipe', 'pipe', 'pipe'],
	    ...opts });
	procs.add(child);
	child.out = '';
	child.stdout.on('data', (d) => { child.out += d; });
	child.stderr.on('data', (d) => { child.out += d; });
	child.exited = new Promise((resolve) => child.on('exit',
	    (code, signal) => { procs.delete(child); resolve({ code, signal }); }));
	child.alive = () => child.exitCode === null && child.signalCode === null;
	return child;
}

/* Resolves with the result, or fails naming what did not end in ms. */
async function within(promise, ms, what) {
	const r = await Promise.race([promise, sleep(ms).then(() => null)]);
	assert.notEqual(r, null, `${what}: not within ${ms} ms`);
	return r;
}

let slug, cert;
/* GETs sent again after a kept-alive connection closed under them. */
let retried = 0;

before(async () => {
	const cfg = await setupSite(DBNAME);
	await addUser(cfg, 'ada', 'correct horse battery', true);
	slug = await addPost(cfg, { title: 'Still here', author: 'ada',
	    body: 'Served through every restart.' });
	cert = makeCert(tempDir('cert'));
});

/*
 * One request over http or https (mod), with lib.mjs's rule for a kept-
 * alive connection the server closed just as it was reused: a GET goes
 * again on a fresh one, as browsers do (RFC 9112, 9.3.1). Resolves
 * { status, body, headers }; jar (a CookieJar) is sent and updated.
 */
function call(mod, port, method, target, { agent = false, body, jar } = {}) {
	const headers = {};
	if (body !== undefined) {
		body = new URLSearchParams(body).toString();
		headers['Content-Type'] = 'application/x-www-form-urlencoded';
		headers['Content-Length'] = Buffer.byteLength(body);
	}
	if (jar?.cookies.size > 0)
		headers.Cookie = jar.header();
	return new Promise((resolve, reject) => {
		const req = mod.request({ host: '127.0.0.1', port, method,
		    path: target, headers, agent, timeout: 20000,
		    rejectUnauthorized: false }, (res) => {
			let text = '';
			res.setEncoding('utf8');
			res.on('data', (c) => { text += c; });
			res.on('error', reject);
			res.on('end', () => {
				jar?.store(res.headers['set-cookie']);
				resolve({ status: res.statusCode, body: text,
				    headers: res.headers });
			});
		});
		req.on('timeout', () => req.destroy(new Error(
		    `${method} ${target}: no answer within 20 s`)));
		req.on('error', (e) => {
			if (req.reusedSocket && method === 'GET' &&
			    (e.code === 'ECONNRESET' || e.code === 'EPIPE')) {
				retried++;
				resolve(call(mod, port, method, target,
				    { body, jar }));
			}
			else
				reject(e);
		});
		req.end(body);
	});
}

/* A visitor's comment form: its cookie jar and hidden fields (token and
 * form stamp). */
async function commentForm(mod, port) {
	const jar = new CookieJar();
	const page = await call(mod, port, 'GET', `/posts/${slug}`, { jar });
	expectStatus(page, 200, 'the post page');
	assert.ok(csrfFrom(page.body), 'no csrf_token on the post page');
	return { jar, fields: hiddenFrom(page.body) };
}

/*
 * Clients in a loop until stop(): each kind of request the way a browser
 * or a load balancer sends it, kept-alive and on new connections, reads
 * and comment posts. Counts answers as expected and failures (with the
 * first few reasons).
 */
function load(targets) {
	const stats = { ok: 0, failed: 0, reasons: [], byKind: {} };
	let running = true;
	const loops = [];
	for (const t of targets) {
		for (let i = 0; i < (t.clients ?? 1); i++) {
			const agent = t.keepAlive ? new t.mod.Agent({
			    keepAlive: true, maxSockets: 1 }) : false;
			loops.push((async () => {
				while (running) {
					let r;
					try {
						r = await t.send(agent);
					} catch (e) {
						r = { status: e.code ?? e.message };
					}
					stats.byKind[t.kind] ??= 0;
					if (r.status === t.expect) {
						stats.ok++;
						stats.byKind[t.kind]++;
					} else {
						stats.failed++;
						if (stats.reasons.length < 10)
							stats.reasons.push(`${t.kind}: ` +
							    `${r.status}`);
					}
				}
				if (agent)
					agent.destroy();
			})());
		}
	}
	return {
		stats,
		async stop() {
			running = false;
			await Promise.all(loops);
			return stats;
		},
	};
}

/*
 * The load of the restart tests: pages and comments through mod (http or
 * https) on port, kept-alive and on new connections; with plainPort, also
 * plain HTTP beside HTTPS, which redirects pages and keeps /healthz.
 */
async function steadyLoad(mod, port, plainPort) {
	const form = await commentForm(mod, port);
	// Each load's own texts: the same text twice is refused as a repeat.
	const run = `${process.pid}-${Date.now()}`;
	let n = 0;
	const comment = (agent) => call(mod, port, 'POST',
	    `/posts/${slug}/comments`, { agent, jar: form.jar, body: {
		name: 'Load', body: `comment ${run} ${++n}`, ...form.fields } });
	const targets = [
		{ kind: 'keep-alive /', mod, keepAlive: true, clients: 3,
		    expect: 200,
		    send: (a) => call(mod, port, 'GET', '/', { agent: a }) },
		{ kind: 'new connection, a post', mod, clients: 2, expect: 200,
		    send: () => call(mod, port, 'GET', `/posts/${slug}`) },
		{ kind: 'comment', mod, clients: 1, expect: 303, send: comment },
	];
	if (plainPort)
		targets.push(
		    { kind: 'plain keep-alive redirect', mod: http,
			keepAlive: true, clients: 1, expect: 301,
			send: (a) => call(http, plainPort, 'GET', '/',
			    { agent: a }) },
		    { kind: 'plain new connection /healthz', mod: http,
			clients: 1, expect: 200,
			send: () => call(http, plainPort, 'GET', '/healthz') });
	return load(targets);
}

/* Fails unless the load got every answer; returns its stats. */
async function expectNoFailure(l, what) {
	const s = await l.stop();
	assert.equal(s.failed, 0, `${what}: ${s.failed} of ` +
	    `${s.ok + s.failed} requests failed: ${s.reasons.join(', ')}`);
	for (const [kind, ok] of Object.entries(s.byKind))
		assert.ok(ok >= 5, `${what}: only ${ok} answers to ${kind}`);
	return s;
}

/* Waits until the load has n more answers than now. */
const progress = (l, n, what) => {
	const goal = l.stats.ok + n;
	return waitFor(() => l.stats.ok >= goal, 20000, what);
};

describe('drain grace', () => {
	let notify;

	before(async () => {
		assert.ok(fs.existsSync(NOTIFY_LISTEN), 'notify_listen not ' +
		    `built at ${NOTIFY_LISTEN}`);
		const sock = path.join(tempDir('notify'), 'notify.sock');
		notify = launch(NOTIFY_LISTEN, [sock]);
		notify.socket = sock;
		await waitFor(() => fs.existsSync(sock), 5000,
		    'notify_listen binds its socket');
	});
	after(() => notify.kill('SIGTERM'));

	/* blogd serve with drain_seconds, its notifications in notify. */
	async function serve(drain) {
		const cfg = await writeConfig({ server: { drain_seconds: drain },
		    database: { name: DBNAME } });
		const b = launch(BIN, ['serve', '-c', cfg.file],
		    { env: { ...process.env, NOTIFY_SOCKET: notify.socket } });
		const said = (kv) => notify.out.split('\n').some((l) =>
		    l.startsWith(`pid=${b.pid}\t`) && l.split('\t').includes(kv));
		await waitFor(() => said('READY=1') || !b.alive(), 15000,
		    'READY=1');
		assert.ok(b.alive(), `blogd exited at start:\n${b.out}`);
		return { b, cfg, said };
	}

	test('SIGTERM: /healthz 503 at once, pages and comments served ' +
	    'for drain_seconds, then exit 0', async () => {
		const drain = 4;
		const { b, cfg, said } = await serve(drain);
		const get = (t) => request(cfg.port, 'GET', t);
		expectStatus(await get('/healthz'), 200, '/healthz before');
		const form = await commentForm(http, cfg.port);
		const t0 = Date.now();
		b.kill('SIGTERM');
		const h = await waitFor(async () => {
			const r = await get('/healthz');
			return r.status === 503 ? r : null;
		}, 2000, '/healthz 503 after SIGTERM');
		expectBody(h, /draining/, '/healthz while draining');
		await waitFor(() => said('STOPPING=1'), 2000,
		    'STOPPING=1 when the drain starts');
		// The rest of the site as before, through the grace.
		for (let i = 0; Date.now() - t0 < (drain - 1.5) * 1000; i++) {
			expectStatus(await get('/'), 200, `/ while draining (${i})`);
			expectStatus(await get(`/posts/${slug}`), 200,
			    'a post while draining');
			expectStatus(await request(cfg.port, 'POST',
			    `/posts/${slug}/comments`, { jar: form.jar, body: {
				name: 'Drain', body: `during the grace ${i} ${t0}`,
				...form.fields } }), 303,
			    'a comment while draining');
			expectStatus(await get('/healthz'), 503,
			    '/healthz stays 503');
			await sleep(200);
		}
		assert.ok(b.alive(), 'blogd exited during the grace');
		const r = await within(b.exited, 15000, 'exit after the grace');
		const took = Date.now() - t0;
		assertNoCrash({ ...r, stdout: b.out, stderr: '' }, 'blogd');
		assert.equal(r.code, 0, `exit status\n${b.out.slice(-2000)}`);
		assert.ok(took >= drain * 1000 - 300, `exited after ${took} ms, ` +
		    `before the ${drain} s grace ended`);
		assert.match(b.out, /draining for 4 s/);
	});

	test('a second SIGTERM ends the grace early', async () => {
		const { b, cfg } = await serve(60);
		b.kill('SIGTERM');
		await waitFor(async () => (await request(cfg.port, 'GET',
		    '/healthz')).status === 503, 2000, '/healthz 503');
		const t0 = Date.now();
		b.kill('SIGTERM');
		const r = await within(b.exited, 10000,
		    'exit after the second SIGTERM (grace 60 s)');
		assert.equal(r.code, 0, b.out.slice(-2000));
		assert.ok(Date.now() - t0 < 10000);
		assert.match(b.out, /ending the drain early/);
	});
});

/*
 * socket_hold with the listening sockets named; run(cfgFile) starts
 * `blogd serve -c cfgFile` on them and returns { pid, log, exited }.
 */
async function holdSockets(names) {
	assert.ok(fs.existsSync(SOCKET_HOLD), `socket_hold not built at ` +
	    SOCKET_HOLD);
	const dir = tempDir('hold');
	const cfgFile = path.join(dir, 'blogd.conf');
	const h = launch(SOCKET_HOLD, [...names, '--', BIN, 'serve', '-c',
	    cfgFile]);
	const ports = {}, waiting = new Map(), ended = new Map();
	let starting = null;
	readline.createInterface({ input: h.stdout }).on('line', (line) => {
		const [what, a, b] = line.split(' ');
		if (what === 'listening')
			ports[a] = Number(b);
		else if (what === 'started')
			starting?.(Number(a));
		else if (what === 'exited' || what === 'killed') {
			const r = what === 'exited' ? { code: Number(b) } :
			    { signal: Number(b) };
			ended.set(Number(a), r);
			waiting.get(Number(a))?.(r);
		}
	});
	await waitFor(() => names.every((n) => ports[n]) || !h.alive(), 5000,
	    'socket_hold listening');
	assert.ok(h.alive(), `socket_hold: ${h.out}`);
	let count = 0;
	return {
		ports,
		cfgFile,
		async run() {
			const log = path.join(dir, `blogd-${++count}.log`);
			const pid = await within(new Promise((resolve) => {
				starting = resolve;
				h.stdin.write(`start ${log}\n`);
			}), 5000, 'socket_hold starts blogd');
			const exited = ended.has(pid) ? Promise.resolve(
			    ended.get(pid)) : new Promise((resolve) =>
				waiting.set(pid, resolve));
			const p = { pid, exited, log: () => fs.existsSync(log) ?
			    fs.readFileSync(log, 'utf8') : '' };
			p.alive = () => !ended.has(pid);
			p.stop = async () => {
				process.kill(pid, 'SIGTERM');
				const r = await within(exited, 30000,
				    `blogd ${pid} exits after SIGTERM`);
				assert.deepEqual(r, { code: 0 }, p.log().slice(-2000));
			};
			return p;
		},
		/* Until blogd says it serves (its listeners were passed). */
		async ready(p) {
			await waitFor(() => /serving http/.test(p.log()) ||
			    !p.alive(), 15000, `blogd ${p.pid} serving`);
			assert.ok(p.alive(), `blogd exited:\n${p.log()}`);
			assert.match(p.log(), /sockets from the service manager/);
		},
		close: () => { h.stdin.end(); return within(h.exited, 5000,
		    'socket_hold exits'); },
	};
}

/* The access lines of a blogd log (combined format, from 127.0.0.1). */
const accessLines = (log) => (log.match(/^127\.0\.0\.1 /gm) ?? []).length;

describe('socket activation', () => {
	test('a socket count that does not match the configuration is a ' +
	    'one-line error', async () => {
		const hold = await holdSockets(['http', 'https']);
		const cfg = await writeConfig({ server: {
		    http_listen: `127.0.0.1:${hold.ports.http}` },
		    database: { name: DBNAME } });
		fs.copyFileSync(cfg.file, hold.cfgFile);
		const p = await hold.run();
		assert.deepEqual(await within(p.exited, 15000, 'blogd exits'),
		    { code: 1 });
		assert.match(p.log(), /socket activation: a socket for server\.https_listen was passed, but server\.https_listen is empty/);
		await hold.close();
	});

	test('restarts under load, HTTP and HTTPS, stop-then-start and ' +
	    'overlapping: no request fails', async () => {
		const hold = await holdSockets(['https', 'http']);
		const { http: port, https: tlsPort } = hold.ports;
		const cfg = await writeConfig({
			server: { http_listen: `127.0.0.1:${port}`,
			    https_listen: `127.0.0.1:${tlsPort}`,
			    tls_threads: 2 },
			tls: { certificate: cert.crt, key: cert.key },
			database: { name: DBNAME },
		});
		fs.copyFileSync(cfg.file, hold.cfgFile);
		const first = await hold.run();
		await hold.ready(first);
		const l = await steadyLoad(https, tlsPort, port);
		await progress(l, 50, 'load on the first blogd');
		const served = [first];
		let cur = first;
		const retriedBefore = retried;
		for (let round = 1; round <= 2; round++) {
			// As `systemctl restart` does: stop, then start.
			await cur.stop();
			cur = await hold.run();
			await hold.ready(cur);
			served.push(cur);
			await progress(l, 100, `load after stop-then-start ${round}`);
			// Overlapping: the next one serves before this one
			// stops.
			const next = await hold.run();
			await hold.ready(next);
			await cur.stop();
			cur = next;
			served.push(cur);
			await progress(l, 100, `load after overlapping ${round}`);
		}
		const s = await expectNoFailure(l, 'restarts');
		for (const p of served)
			assert.ok(accessLines(p.log()) > 0, `blogd ${p.pid} ` +
			    'served nothing');
		await cur.stop();
		await hold.close();
		console.log(`# socket activation: ${s.ok} answers over 4 ` +
		    `restarts, ${retried - retriedBefore} GETs sent again on a ` +
		    `fresh connection, ${JSON.stringify(s.byKind)}`);
	});
});

/* A row of haproxy's CSV stats for backend be (server name, or BACKEND
 * for the whole), as { column: value }. */
async function haproxyRow(statsPort, name) {
	const r = await call(http, statsPort, 'GET', '/stats;csv');
	const lines = r.body.split('\n');
	const cols = lines[0].replace(/^# /, '').split(',');
	const line = lines.find((l) => l.startsWith(`be,${name},`));
	const vals = line ? line.split(',') : [];
	return Object.fromEntries(cols.map((c, i) => [c, vals[i]]));
}

describe('rolling restart behind haproxy', () => {
	test('two instances on one database restarted one after the ' +
	    'other under load: no request fails', async () => {
		const drain = 3; // above inter 300 ms x fall 2, with room
		const a = await writeConfig({ server: { drain_seconds: drain },
		    database: { name: DBNAME } });
		const b = await writeConfig({ server: { drain_seconds: drain },
		    database: { name: DBNAME } });
		const front = await freePort(), statsPort = await freePort();
		const dir = tempDir('haproxy');
		const conf = path.join(dir, 'haproxy.cfg');
		fs.writeFileSync(conf, [
			'global',
			'  maxconn 1000',
			'defaults',
			'  mode http',
			'  timeout connect 2s',
			'  timeout client 30s',
			'  timeout server 30s',
			'  retries 3',
			'  option redispatch',
			'listen stats',
			`  bind 127.0.0.1:${statsPort}`,
			'  stats enable',
			'  stats uri /stats',
			'frontend fe',
			`  bind 127.0.0.1:${front}`,
			'  default_backend be',
			'backend be',
			'  balance roundrobin',
			'  option httpchk GET /healthz',
			'  default-server check inter 300ms fall 2 rise 2',
			`  server a 127.0.0.1:${a.port}`,
			`  server b 127.0.0.1:${b.port}`,
			'',
		].join('\n'));
		const start = (cfg) => launch(BIN, ['serve', '-c', cfg.file]);
		const status = async (name) =>
			(await haproxyRow(statsPort, name)).status ?? 'missing';
		const up = (name) => waitFor(async () =>
		    (await status(name)) === 'UP', 20000,
		    `haproxy sees ${name} up`);
		const blogd = { a: start(a), b: start(b) };
		const hap = launch('haproxy', ['-f', conf, '-db']);
		await up('a');
		await up('b');
		const l = await steadyLoad(http, front);
		await progress(l, 100, 'load through haproxy');
		for (const name of ['a', 'b']) {
			const old = blogd[name];
			old.kill('SIGTERM');
			// Its /healthz says 503 while it still serves: haproxy
			// takes it out before the listener closes.
			await waitFor(async () => (await status(name))
			    .startsWith('DOWN'), drain * 1000,
			    `haproxy marks ${name} down within the grace`);
			assert.ok(old.alive(), `${name} exited before haproxy ` +
			    'marked it down');
			const r = await within(old.exited, drain * 1000 + 15000,
			    `${name} exits`);
			assert.equal(r.code, 0, old.out.slice(-2000));
			await progress(l, 50, `load while ${name} is away`);
			blogd[name] = start(name === 'a' ? a : b);
			await up(name);
			await progress(l, 100, `load with ${name} back`);
		}
		const s = await expectNoFailure(l, 'rolling restart');
		// So haproxy never met a closed listener or connection: no
		// connection error, retry or redispatch was needed.
		const be = await haproxyRow(statsPort, 'BACKEND');
		assert.deepEqual([be.econ, be.eresp, be.wretr, be.wredis],
		    ['0', '0', '0', '0'], 'haproxy backend errors, retries, ' +
		    'redispatches');
		for (const p of Object.values(blogd)) {
			p.kill('SIGTERM');
			assert.equal((await within(p.exited, drain * 1000 + 15000,
			    'blogd exits')).code, 0);
		}
		hap.kill('SIGTERM');
		await within(hap.exited, 5000, 'haproxy exits');
		console.log(`# haproxy: ${s.ok} answers, ${retried} GETs ` +
		    'sent again (all tests), ' +
		    `${JSON.stringify(s.byKind)}`);
	});
});
