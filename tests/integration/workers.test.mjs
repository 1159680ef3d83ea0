// The handler workers (src/http/workers.c): a route that waits runs on a
// worker, so the MHD thread that received it goes on answering static files
// and cached pages meanwhile.

import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import net from 'node:net';
import path from 'node:path';
import { after, before, test } from 'node:test';
import tls from 'node:tls';

import {
	CookieJar, DB, addPost, addUser, csrfFrom, expectStatus, freePort,
	makeCert, setupSite, startBlogd, tempDir, waitFor, writeConfig,
} from './lib.mjs';

const DBNAME = 'blogd_workers';
let srv, slug;

before(async () => {
	// One MHD thread: before the workers, whatever it ran held up every
	// other connection.
	const cfg = await setupSite(DBNAME, { server: { threads: 1, workers: 2 } });
	await addUser(cfg, 'admin', 'correct horse battery', true);
	slug = await addPost(cfg, { title: 'Workers post', author: 'admin',
	    body: 'Hello from a worker.' });
	fs.writeFileSync(path.join(cfg.static, 'style.css'), 'p { margin: 0 }\n');
	srv = await startBlogd(cfg);
});

after(() => srv?.stop());

/*
 * Holds a write lock on one table from a client session of its own until
 * release() is called, so that a request which reads the table waits on
 * a worker for as long as the test needs: no race against a hash's tens
 * of milliseconds.
 */
async function lockTable(table) {
	const client = spawn('mariadb', ['--no-defaults', '-S', DB.socket,
	    '-uroot', '-N', '-B', '--unbuffered', DBNAME],
	{ stdio: ['pipe', 'pipe', 'inherit'] });
	let out = '';
	client.stdout.on('data', (d) => { out += d; });
	const exited = new Promise((r) => client.on('exit', r));
	client.stdin.write(`LOCK TABLES ${table} WRITE; SELECT 'locked';\n`);
	await waitFor(() => out.includes('locked'), 10000,
	    `a write lock on ${table}`);
	return async () => {
		client.stdin.end('UNLOCK TABLES;\n');
		await exited;
	};
}

test('a login waiting on the database does not hold up static files or ' +
    'cached pages on the same MHD thread', async () => {
	expectStatus(await srv.get('/'), 200, 'warming the page cache');
	const jar = new CookieJar();
	const form = await srv.get('/admin/login', { jar });
	expectStatus(form, 200, 'GET /admin/login');
	const token = csrfFrom(form.body);
	assert.ok(token, 'no csrf_token in the login form');

	// The login's throttling check reads login_failures first.
	const release = await lockTable('login_failures');
	let settled = false;
	const login = srv.request('POST', '/admin/login', { jar,
	    body: { username: 'admin', password: 'wrong password',
	        csrf_token: token } }).finally(() => { settled = true; });
	try {
		assert.ok(await busyWhile(login),
		    'the login never kept a worker busy');
		const [c, h] = await Promise.all([srv.get('/static/style.css'),
		    srv.get('/')]);
		expectStatus(c, 200, 'static file');
		expectStatus(h, 200, 'cached home page');
		assert.ok(h.body.includes('Workers post'),
		    'the home page lists the post');
		assert.equal(settled, false,
		    'the login answered while its table was locked');
	} finally {
		await release();
	}
	expectStatus(await login, 401, 'wrong password, once the lock is gone');
});

test('requests on workers and on the MHD thread all get their answers ' +
    'under concurrent load', async () => {
	const targets = [];
	for (let i = 0; i < 60; i++)
		targets.push(['/', '/static/style.css', '/healthz',
		    `/posts/${slug}`, '/search?q=worker'][i % 5]);
	const results = await Promise.all(targets.map((t) => srv.get(t)));
	results.forEach((r, i) => expectStatus(r, 200, targets[i]));
	assert.ok(results[4].body.includes('Workers post'),
	    'the search ran on a worker and found the post');
});

/* The value of an unlabelled series in a /metrics page. */
function gauge(text, name) {
	const m = new RegExp(`^${name} (\\d+)$`, 'm').exec(text);
	assert.ok(m, `${name} missing from /metrics`);
	return Number(m[1]);
}

/* Scrapes /metrics back to back until it shows one busy worker (true) or
 * the request `pending` settles (false). */
async function busyWhile(pending) {
	let settled = false;
	pending.then(() => { settled = true; }, () => { settled = true; });
	while (!settled) {
		const r = await srv.get('/metrics');
		if (gauge(r.body, 'blogd_workers_busy') === 1)
			return true;
	}
	return false;
}

test('/metrics counts the workers, and a login keeps one busy', async () => {
	const r = await srv.get('/metrics');
	expectStatus(r, 200, '/metrics');
	assert.equal(gauge(r.body, 'blogd_workers'), 2);
	// A worker counts itself idle before its client can have the answer
	// (workers.c), so every earlier request is off the count by now.
	assert.equal(gauge(r.body, 'blogd_workers_busy'), 0, 'idle');
	assert.equal(gauge(r.body, 'blogd_workers_queued'), 0, 'idle');

	const jar = new CookieJar();
	const form = await srv.get('/admin/login', { jar });
	const release = await lockTable('login_failures');
	const login = srv.request('POST', '/admin/login', { jar,
	    body: { username: 'admin', password: 'wrong again',
	        csrf_token: csrfFrom(form.body) } });
	// /metrics runs on the MHD thread, so it answers while the login
	// waits for the lock on its worker.
	let busy;
	try {
		busy = await busyWhile(login);
	} finally {
		await release();
	}
	expectStatus(await login, 401, 'wrong password');
	assert.ok(busy, 'the login was not counted while it ran');
});

/* One keep-alive connection on socket s (plain or TLS): GET /healthz (a
 * worker's route) once s emits ready and again as soon as each answer is
 * in, calling onAnswer for each, until the server closes it; resolves then.
 */
function keepAsking(s, ready, onAnswer) {
	return new Promise((resolve) => {
		let pending = '';
		const ask = () =>
			s.write('GET /healthz HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n');
		s.on(ready, ask);
		s.on('data', (d) => {
			pending += d;
			for (;;) {
				const end = pending.indexOf('\r\n\r\n');
				if (end < 0)
					return;
				const m = /^content-length: *(\d+)/im.exec(
				    pending.slice(0, end));
				const total = end + 4 + (m ? Number(m[1]) : 0);
				if (pending.length < total)
					return;
				pending = pending.slice(total);
				onAnswer();
				ask();
			}
		});
		s.on('error', () => {});
		s.on('close', resolve);
	});
}

/* Six SIGTERMs, each under 16 keep-alive connections made by open(). */
async function termUnderLoad(cfg, open) {
	for (let run = 0; run < 6; run++) {
		const s = await startBlogd(cfg);
		const conns = [];
		let answers = 0;
		for (let i = 0; i < 16; i++)
			conns.push(open(() => answers++));
		// The load is on before the signal, however slow the machine.
		await waitFor(() => answers > 16, 10000,
		    `run ${run}: more than 16 answers`);
		await s.stop(); // asserts exit status 0, no crash
		await Promise.all(conns); // the server closed every connection
	}
}

test('SIGTERM while keep-alive connections keep sending requests for ' +
    'workers: a clean exit (MHD must not stop with one suspended)',
async () => {
	// The MHD thread outlives the workers during shutdown; without the
	// fallback in workers.c about half of these runs abort in MHD.
	const cfg = await writeConfig({ server: { threads: 1, workers: 2,
	    shutdown_timeout: 1 }, database: { name: DBNAME } });
	await termUnderLoad(cfg, (onAnswer) => keepAsking(
	    net.connect(cfg.port, '127.0.0.1'), 'connect', onAnswer));
});

test('the same over HTTPS: the TLS threads run their HTTP daemons until ' +
    'the workers are done, and stop before those daemons do', async () => {
	const cert = makeCert(tempDir('workers-tls'));
	const sport = await freePort();
	const cfg = await writeConfig({ server: { threads: 1, workers: 2,
	    tls_threads: 2, https_listen: `127.0.0.1:${sport}`,
	    shutdown_timeout: 1 }, tls: { certificate: cert.crt, key: cert.key },
	database: { name: DBNAME } });
	await termUnderLoad(cfg, (onAnswer) => keepAsking(
	    tls.connect({ host: '127.0.0.1', port: sport,
	        rejectUnauthorized: false }), 'secureConnect', onAnswer));
});
