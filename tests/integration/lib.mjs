// Helpers for the integration tests: they drive the real blogd binary over
// real sockets against the private MariaDB that scripts/with-mariadb.sh
// started (BLOGD_TEST_DB_* in the environment). Node built-ins only.

import assert from 'node:assert/strict';
import { spawn, execFileSync } from 'node:child_process';
import crypto from 'node:crypto';
import fs from 'node:fs';
import http from 'node:http';
import https from 'node:https';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import zlib from 'node:zlib';

function need(name) {
	const v = process.env[name];
	if (!v)
		throw new Error(`${name} is not set: run the suite through ` +
		    'ctest (or scripts/with-mariadb.sh with BLOGD_BIN and ' +
		    'BLOGD_SRC exported)');
	return v;
}

export const BIN = need('BLOGD_BIN');
export const SRC = need('BLOGD_SRC');
export const DB = {
	host: need('BLOGD_TEST_DB_HOST'),
	port: need('BLOGD_TEST_DB_PORT'),
	user: need('BLOGD_TEST_DB_USER'),
	password: process.env.BLOGD_TEST_DB_PASSWORD ?? '',
	socket: need('BLOGD_TEST_DB_SOCKET'),
	stop: process.env.BLOGD_TEST_DB_STOP,
	start: process.env.BLOGD_TEST_DB_START,
};

export const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

// Everything a test spawns is killed when the test process exits, so a
// failed test never leaves a server behind for the next file.
const children = new Set();
process.on('exit', () => {
	for (const c of children)
		try { c.kill('SIGKILL'); } catch { /* already gone */ }
});

// A signal (Ctrl-C, ctest's timeout) must run the exit handlers too.
for (const [sig, code] of [['SIGINT', 130], ['SIGTERM', 143]])
	process.once(sig, () => process.exit(code));

const tmpRoot = fs.mkdtempSync(path.join(os.tmpdir(), 'blogd-it-'));
process.on('exit', () => {
	if (!process.env.BLOGD_TEST_KEEP)
		fs.rmSync(tmpRoot, { recursive: true, force: true });
});

/* A fresh directory under this test file's temp root. */
export function tempDir(name) {
	return fs.mkdtempSync(path.join(tmpRoot, `${name}-`));
}

/*
 * A port free now for a server to listen on, from 10000-19999: below the
 * kernel's ephemeral range (32768-60999), where every outgoing connection
 * of the test files running side by side takes its local port and could
 * take this one before the server binds it; and below the private
 * MariaDBs' range (scripts/mariadb-ctl.sh).
 */
function portFree(port) {
	return new Promise((resolve) => {
		const srv = net.createServer();
		srv.unref();
		srv.on('error', () => resolve(false));
		srv.listen(port, '127.0.0.1', () => srv.close(() => resolve(true)));
	});
}

/*
 * A port is free until something binds it, and a test picks several
 * before starting what binds them: so a port is never handed out twice,
 * in this process (haproxy, which binds with SO_REUSEPORT, once got the
 * same port for two frontends and split their connections between them)
 * nor in the test files running beside it (a file under the temp dir,
 * created exclusively, names the process that holds each port; a dead
 * holder's file is taken over).
 */
const portsDir = path.join(os.tmpdir(), 'blogd-test-ports');
const portsHeld = new Set();

function reservePort(port) {
	const file = path.join(portsDir, String(port));
	fs.mkdirSync(portsDir, { recursive: true });
	for (let i = 0; i < 2; i++) {
		try {
			fs.writeFileSync(file, String(process.pid), { flag: 'wx' });
			return true;
		} catch (e) {
			if (e.code !== 'EEXIST')
				throw e;
		}
		const holder = Number(fs.readFileSync(file, 'utf8'));
		try {
			process.kill(holder, 0);
			return false; // a live process holds it
		} catch {
			fs.rmSync(file, { force: true });
		}
	}
	return false;
}

export async function freePort() {
	for (let i = 0; i < 200; i++) {
		const port = 10000 + Math.floor(Math.random() * 10000);
		if (portsHeld.has(port) || !reservePort(port))
			continue;
		portsHeld.add(port);
		if (await portFree(port))
			return port;
	}
	throw new Error('no free port in 10000-19999');
}

/* Runs SQL as root over the socket; returns rows as arrays of strings. */
export function sql(query, db = '') {
	const args = ['--no-defaults', '-S', DB.socket, '-uroot', '-N', '-B',
	    '-e', query];
	if (db)
		args.push(db);
	let out;
	try {
		out = execFileSync('mariadb', args, { encoding: 'utf8',
		    stdio: ['ignore', 'pipe', 'pipe'] });
	} catch (e) {
		throw new Error(`SQL failed: ${query}\n${e.stderr || e.message}`);
	}
	return out.split('\n').filter((l) => l !== '').map((l) => l.split('\t'));
}

/* One value from a one-row, one-column query. */
export function sqlValue(query, db) {
	const rows = sql(query, db);
	assert.ok(rows.length === 1, `expected one row from ${query}, got ` +
	    JSON.stringify(rows));
	return rows[0][0];
}

export function createDatabase(name) {
	assert.match(name, /^blogd_[a-z0-9_]+$/, 'test databases are blogd_*');
	sql(`DROP DATABASE IF EXISTS \`${name}\`; ` +
	    `CREATE DATABASE \`${name}\` CHARACTER SET utf8mb4 ` +
	    'COLLATE utf8mb4_unicode_ci');
	return name;
}

/*
 * Writes a config file. overrides: { section: { key: value } }; a value of
 * null drops a default key. `raw` text is appended verbatim (for bad
 * configs). Returns { file, port, dir, static, webroot, db, base }.
 */
export async function writeConfig(overrides = {}, raw = '') {
	const dir = tempDir('site');
	const port = await freePort();
	const staticDir = path.join(dir, 'static');
	const webroot = path.join(dir, 'webroot');
	fs.mkdirSync(staticDir);
	fs.mkdirSync(webroot);
	const sections = {
		server: {
			http_listen: `127.0.0.1:${port}`,
			https_listen: '',
			threads: 2,
			idle_timeout: 10,
			shutdown_timeout: 5,
		},
		database: {
			host: DB.host,
			port: DB.port,
			user: DB.user,
			password: DB.password,
			name: 'blogd_test',
			pool_size: 2,
			connect_timeout: 2,
			read_timeout: 5,
		},
		paths: {
			templates: path.join(SRC, 'templates'),
			static: staticDir,
			webroot,
			migrations: path.join(SRC, 'sql'),
		},
		// Tests post comments as soon as they load the form, and
		// many from one address: the spam checks of those two are
		// off here, and spam.test.mjs turns them on.
		site: { title: 'QA Blog', base_url: `http://127.0.0.1:${port}`,
		    comment_min_seconds: 0, comment_rate_limit: 0 },
		log: { level: 'info' },
	};
	for (const [sec, kv] of Object.entries(overrides)) {
		sections[sec] ??= {};
		for (const [k, v] of Object.entries(kv)) {
			if (v === null)
				delete sections[sec][k];
			else
				sections[sec][k] = v;
		}
	}
	let text = '# written by tests/integration/lib.mjs\n';
	for (const [sec, kv] of Object.entries(sections)) {
		text += `\n[${sec}]\n`;
		for (const [k, v] of Object.entries(kv))
			text += `${k} = ${v}\n`;
	}
	text += raw;
	const file = path.join(dir, 'blogd.conf');
	fs.writeFileSync(file, text);
	return { file, port, dir, static: staticDir, webroot,
	    db: sections.database.name, base: `http://127.0.0.1:${port}` };
}

/*
 * Runs `blogd args...`; resolves { code, signal, stdout, stderr }. Bounded:
 * a command that hangs is killed after `timeout` ms and reported.
 */
export function runBlogd(args, { stdin = '', env = {}, timeout = 30000 } = {}) {
	return new Promise((resolve, reject) => {
		const child = spawn(BIN, args, {
			env: { ...process.env, ...env },
			stdio: ['pipe', 'pipe', 'pipe'],
		});
		children.add(child);
		let stdout = '', stderr = '', timedOut = false;
		child.stdout.on('data', (d) => { stdout += d; });
		child.stderr.on('data', (d) => { stderr += d; });
		const timer = setTimeout(() => {
			timedOut = true;
			child.kill('SIGKILL');
		}, timeout);
		child.on('error', reject);
		child.on('close', (code, signal) => {
			clearTimeout(timer);
			children.delete(child);
			if (timedOut) {
				reject(new Error(`blogd ${args.join(' ')} hung ` +
				    `for ${timeout} ms\nstdout: ${stdout}\n` +
				    `stderr: ${stderr}`));
				return;
			}
			resolve({ code, signal, stdout, stderr });
		});
		child.stdin.on('error', () => { /* exited before reading */ });
		child.stdin.end(stdin);
	});
}

/* `blogd <cmd...> -c file`: every subcommand takes -c. */
export function cli(cfg, args, opts) {
	return runBlogd([...args, '-c', cfg.file], opts);
}

/* Fails unless r exited with `code`; shows what the binary said. */
export function assertExit(r, code, what) {
	assert.equal(r.code, code, `${what}: exit ${r.code} (signal ` +
	    `${r.signal}), want ${code}\nstdout: ${r.stdout.slice(0, 800)}\n` +
	    `stderr: ${r.stderr.slice(0, 800)}`);
	assertNoCrash(r, what);
}

/* No signal death, no sanitizer report, no abort message. */
export function assertNoCrash(r, what) {
	const all = `${r.stdout}\n${r.stderr}`;
	assert.equal(r.signal ?? null, null, `${what}: killed by ${r.signal}`);
	assert.doesNotMatch(all, /Segmentation|AddressSanitizer|LeakSanitizer|runtime error:|Aborted|core dumped/,
	    `${what}: crash report\n${all.slice(0, 2000)}`);
}

/* A one-line message (ignoring trailing newline) on stdout+stderr. */
export function assertOneLine(r, what) {
	const lines = `${r.stdout}${r.stderr}`.split('\n')
	    .filter((l) => l.trim() !== '');
	assert.equal(lines.length, 1, `${what}: expected a one-line error, ` +
	    `got:\n${lines.join('\n')}`);
	return lines[0];
}

/* Creates the database, writes the config and migrates. */
export async function setupSite(name, overrides = {}) {
	createDatabase(name);
	const cfg = await writeConfig({ ...overrides,
	    database: { name, ...(overrides.database ?? {}) } });
	const r = await cli(cfg, ['migrate']);
	assertExit(r, 0, 'blogd migrate');
	return cfg;
}

export async function addUser(cfg, name, password, admin = false) {
	const args = ['user', 'add', name];
	if (admin)
		args.push('--admin');
	args.push('--password-stdin');
	const r = await cli(cfg, args, { stdin: `${password}\n` });
	assertExit(r, 0, `user add ${name}`);
	return r;
}

/* Adds a post; returns its slug (the one line blogd prints). */
export async function addPost(cfg, { title, author, body = '', slug, tags,
    draft = false, at, page = false }) {
	const args = ['post', 'add', '--title', title, '--author', author];
	if (slug)
		args.push('--slug', slug);
	if (tags)
		args.push('--tags', tags);
	if (at)
		args.push('--at', at);
	if (page)
		args.push('--page');
	if (draft)
		args.push('--draft');
	const r = await cli(cfg, args, { stdin: body });
	assertExit(r, 0, `post add ${title}`);
	const s = r.stdout.trim();
	assert.match(s, /^[A-Za-z0-9._~-]+$/, `post add printed no slug: ` +
	    JSON.stringify(r.stdout));
	return s;
}

/*
 * Numbered posts for list pages: numbered('Post', i) is the title
 * "Post NN" with NN = i + 1, and numbersIn(text, 'Post') the NNs of such
 * titles in text in the order they first appear.
 */
export const numbered = (word, i) =>
	`${word} ${String(i + 1).padStart(2, '0')}`;

export function numbersIn(text, word) {
	return [...text.matchAll(new RegExp(`${word} (\\d\\d)`, 'g'))]
	    .map((m) => Number(m[1])).filter((n, i, a) => a.indexOf(n) === i);
}

/* Publishes slugs[k] on base ('YYYY-MM-DD HH:MM:SS') + firstDay + k days,
 * so the order of every list is known. */
export function datePosts(db, slugs, base, firstDay = 0) {
	slugs.forEach((s, k) =>
		sql(`UPDATE posts SET published_at = '${base}' + ` +
		    `INTERVAL ${firstDay + k} DAY WHERE slug = '${s}'`, db));
	// Tag pages read the date copied to the tag links (sql/002): a date
	// set by hand is copied by hand, as docs/DEPLOY.md tells operators.
	sql('UPDATE post_tags pt JOIN posts p ON p.id = pt.post_id SET ' +
	    "pt.published_at = IF(p.status = 'published', p.published_at, " +
	    'NULL)', db);
}

/* A real PNG of w x h red pixels, with a private chunk of pad random bytes
 * when asked (to choose its size). */
export function png(w = 4, h = 3, pad = 0) {
	const chunk = (type, data) => {
		const len = Buffer.alloc(4);
		len.writeUInt32BE(data.length);
		const td = Buffer.concat([Buffer.from(type), data]);
		const crc = Buffer.alloc(4);
		crc.writeUInt32BE(zlib.crc32(td));
		return Buffer.concat([len, td, crc]);
	};
	const ihdr = Buffer.alloc(13);
	ihdr.writeUInt32BE(w, 0);
	ihdr.writeUInt32BE(h, 4);
	ihdr[8] = 8; // bit depth
	ihdr[9] = 2; // RGB
	const rows = Buffer.alloc(h * (1 + 3 * w));
	for (let y = 0; y < h; y++)
		for (let x = 0; x < w; x++)
			rows.set([0xc0, 0x30, 0x30], y * (1 + 3 * w) + 1 + 3 * x);
	const parts = [Buffer.from('89504e470d0a1a0a', 'hex'),
	    chunk('IHDR', ihdr), chunk('IDAT', zlib.deflateSync(rows))];
	if (pad > 0)
		parts.push(chunk('blOb', crypto.randomBytes(pad)));
	parts.push(chunk('IEND', Buffer.alloc(0)));
	return Buffer.concat(parts);
}

/* Minimal cookie jar: name → value; honours deletion (Max-Age=0). */
export class CookieJar {
	constructor() { this.cookies = new Map(); }

	store(setCookie) {
		for (const line of setCookie ?? []) {
			const [pair, ...attrs] = line.split(';');
			const eq = pair.indexOf('=');
			if (eq < 0)
				continue;
			const name = pair.slice(0, eq).trim();
			const value = pair.slice(eq + 1).trim();
			const expired = attrs.some((a) =>
			    /^\s*max-age\s*=\s*0\s*$/i.test(a));
			if (expired || value === '')
				this.cookies.delete(name);
			else
				this.cookies.set(name, value);
		}
	}

	get(name) { return this.cookies.get(name); }
	set(name, value) { this.cookies.set(name, value); }

	header() {
		return [...this.cookies].map(([k, v]) => `${k}=${v}`).join('; ');
	}
}

/*
 * One HTTP request. No redirects are followed. opts: headers, body (string,
 * Buffer, or an object sent as a urlencoded form), jar (a CookieJar: sent
 * and updated), agent, localAddress (the client's), tls (HTTPS, any
 * certificate). Resolves { status, headers, body, raw }.
 */
export function request(port, method, target, opts = {}) {
	const headers = { ...(opts.headers ?? {}) };
	let body = opts.body;
	if (body !== undefined && typeof body === 'object' &&
	    !Buffer.isBuffer(body)) {
		body = new URLSearchParams(body).toString();
		headers['Content-Type'] ??= 'application/x-www-form-urlencoded';
	}
	if (body !== undefined)
		headers['Content-Length'] = Buffer.byteLength(body);
	if (opts.jar && opts.jar.cookies.size > 0)
		headers.Cookie = opts.jar.header();
	return new Promise((resolve, reject) => {
		const req = (opts.tls ? https : http).request({
			host: '127.0.0.1', port, method, path: target, headers,
			agent: opts.agent ?? false, timeout: opts.timeout ?? 15000,
			localAddress: opts.localAddress,
			...(opts.tls ? { servername: 'localhost',
			    rejectUnauthorized: false } : {}),
		}, (res) => {
			const chunks = [];
			res.on('data', (c) => chunks.push(c));
			res.on('error', reject);
			res.on('end', () => {
				const raw = Buffer.concat(chunks);
				if (opts.jar)
					opts.jar.store(res.headers['set-cookie']);
				resolve({ status: res.statusCode, headers: res.headers,
				    body: raw.toString('utf8'), raw,
				    localPort: res.socket?.localPort });
			});
		});
		req.on('timeout', () => req.destroy(new Error(
		    `${method} ${target}: no answer within ` +
		    `${opts.timeout ?? 15000} ms`)));
		req.on('error', (e) => {
			// A kept-alive socket the server closed (idle_timeout)
			// just as we reused it: retry once on a fresh one, as
			// browsers do. Only for requests without side effects.
			if (req.reusedSocket && e.code === 'ECONNRESET' &&
			    (method === 'GET' || method === 'HEAD'))
				resolve(request(port, method, target,
				    { ...opts, agent: false }));
			else
				reject(e);
		});
		req.end(body);
	});
}

/* Fails unless res.status is status; shows the start of the body. */
export function expectStatus(res, status, what = '') {
	assert.equal(res.status, status, `${what}: got ${res.status}, want ` +
	    `${status}\nheaders: ${JSON.stringify(res.headers)}\nbody: ` +
	    `${res.body.slice(0, 500)}`);
}

/* Shows the start of the body when a regex does (not) match it. */
export function expectBody(res, re, what = '') {
	assert.match(res.body, re, `${what}: body (status ${res.status}) ` +
	    `does not match ${re}\n${res.body.slice(0, 500)}`);
}

export function expectNoBody(res, re, what = '') {
	assert.doesNotMatch(res.body, re, `${what}: body (status ` +
	    `${res.status}) matches ${re}\n${res.body.slice(0, 500)}`);
}

/* HEAD target answers like GET target, without a body; returns the HEAD
 * response. srv is what startBlogd returned. */
export async function expectHeadLikeGet(srv, target) {
	const g = await srv.get(target);
	const h = await srv.request('HEAD', target);
	expectStatus(h, g.status, `HEAD ${target}`);
	assert.equal(h.raw.length, 0, `HEAD ${target} sent a body`);
	assert.equal(h.headers['content-type'], g.headers['content-type'],
	    `HEAD ${target} content-type`);
	return h;
}

/* The hidden csrf_token input's value, whatever the attribute order. */
export function csrfFrom(html) {
	for (const m of html.matchAll(/<input\b[^>]*>/gi)) {
		if (!/\bname\s*=\s*["']?csrf_token["'\s>/]/i.test(m[0]))
			continue;
		const v = /\bvalue\s*=\s*(?:"([^"]*)"|'([^']*)'|([^\s>]+))/i
		    .exec(m[0]);
		if (v)
			return v[1] ?? v[2] ?? v[3];
	}
	return null;
}


/* Signs user in with a password (an account without two-factor) at srv's
 * /admin/login; returns the jar that holds the session. */
export async function adminSignIn(srv, user, password) {
	const jar = new CookieJar();
	const form = await srv.get('/admin/login', { jar });
	const r = await srv.request('POST', '/admin/login', { jar,
	    body: { username: user, password,
	        csrf_token: csrfFrom(form.body) } });
	expectStatus(r, 303, `sign-in as ${user}`);
	return jar;
}
/* The secret behind a masked CSRF token (hex of mask || mask XOR secret),
 * in hex: the same for every page one visitor gets. */
export function csrfSecret(token) {
	assert.match(token ?? '', /^[0-9a-f]{128}$/, 'not a masked token');
	const b = Buffer.from(token, 'hex');
	const out = Buffer.alloc(32);
	for (let i = 0; i < 32; i++)
		out[i] = b[i] ^ b[32 + i];
	return out.toString('hex');
}

/* Every hidden input of the page as { name: value } (the first of each
 * name): the comment form's csrf_token and form_stamp, to post back as a
 * browser would. */
export function hiddenFrom(html) {
	const fields = {};
	for (const m of html.matchAll(/<input\b[^>]*>/gi)) {
		if (!/\btype\s*=\s*["']?hidden\b/i.test(m[0]))
			continue;
		const n = /\bname\s*=\s*"([^"]*)"/i.exec(m[0]);
		const v = /\bvalue\s*=\s*"([^"]*)"/i.exec(m[0]);
		if (n && v && !(n[1] in fields))
			fields[n[1]] = v[1];
	}
	return fields;
}

/* GET /metrics: { 'series{labels}': value } for every sample line. */
export async function metricSamples(srv) {
	const res = await srv.get('/metrics');
	expectStatus(res, 200, '/metrics');
	const out = {};
	for (const line of res.body.split('\n')) {
		const m = /^(blogd_\S+) (-?[\d.e+]+)$/.exec(line);
		if (m)
			out[m[1]] = Number(m[2]);
	}
	return out;
}

export function assertSecurityHeaders(res, what) {
	const h = res.headers;
	const show = `${what} (status ${res.status}) headers: ` +
	    JSON.stringify(h);
	assert.equal(h['x-content-type-options'], 'nosniff', show);
	assert.equal(h['x-frame-options'], 'DENY', show);
	assert.equal(h['referrer-policy'], 'same-origin', show);
	assert.match(h['content-security-policy'] ?? '',
	    /default-src 'self'/, show);
}

/*
 * Starts `blogd serve -c cfg.file`; waits until GET /healthz answers at all
 * (any status: the DB may be down on purpose), or until `probe` resolves
 * where that cannot answer (a listener that expects PROXY headers). Returns
 * a handle with request(), stdout(), stderr(), alive() and stop().
 */
export async function startBlogd(cfg, { env = {}, timeout = 15000,
    probe } = {}) {
	const child = spawn(BIN, ['serve', '-c', cfg.file], {
		env: { ...process.env, ...env },
		stdio: ['ignore', 'pipe', 'pipe'],
	});
	children.add(child);
	let stdout = '', stderr = '';
	child.stdout.on('data', (d) => { stdout += d; });
	child.stderr.on('data', (d) => { stderr += d; });
	const exited = new Promise((resolve) => {
		child.on('exit', (code, signal) => {
			children.delete(child);
			resolve({ code, signal });
		});
	});
	const agent = new http.Agent({ keepAlive: true, maxSockets: 4 });
	const srv = {
		port: cfg.port,
		cfg,
		child,
		agent,
		stdout: () => stdout,
		stderr: () => stderr,
		alive: () => child.exitCode === null && child.signalCode === null,
		request: (method, target, opts = {}) =>
			request(cfg.port, method, target, { agent, ...opts }),
		get: (target, opts) => srv.request('GET', target, opts),
		async stop() {
			agent.destroy();
			if (!srv.alive()) {
				const r = await exited;
				assert.fail(`blogd had already exited (${r.code}, ` +
				    `${r.signal})\nstderr: ${stderr.slice(-2000)}`);
			}
			child.kill('SIGTERM');
			const r = await Promise.race([exited,
			    sleep(10000).then(() => null)]);
			if (r === null) {
				child.kill('SIGKILL');
				assert.fail('blogd did not exit within 10 s of ' +
				    `SIGTERM\nstderr: ${stderr.slice(-2000)}`);
			}
			assertNoCrash({ ...r, stdout, stderr }, 'blogd serve');
			assert.equal(r.code, 0, 'blogd serve exit status after ' +
			    `SIGTERM\nstderr: ${stderr.slice(-2000)}`);
		},
	};
	const deadline = Date.now() + timeout;
	for (;;) {
		if (!srv.alive()) {
			const r = await exited;
			throw new Error(`blogd serve exited (${r.code}, ` +
			    `${r.signal}) before answering /healthz\n` +
			    `stderr: ${stderr.slice(-2000)}`);
		}
		try {
			if (probe)
				await probe();
			else
				await request(cfg.port, 'GET', '/healthz',
				    { timeout: 2000,
				    headers: { Connection: 'close' } });
			return srv;
		} catch {
			if (Date.now() > deadline) {
				child.kill('SIGKILL');
				throw new Error('blogd serve did not answer ' +
				    `/healthz within ${timeout} ms\nstderr: ` +
				    stderr.slice(-2000));
			}
			await sleep(100);
		}
	}
}

/*
 * Writes raw bytes (one string or Buffer, or an array of them, written in
 * turn) on a new TCP connection, from localAddress when given, and
 * collects what comes back until the server closes or `timeout` ms pass.
 * Resolves { data, closed, ms } (ms: time until the close).
 */
export function rawExchange(port, bytes, { localAddress, timeout = 5000 } = {}) {
	return new Promise((resolve) => {
		const t0 = Date.now();
		const sock = net.connect({ port, host: '127.0.0.1',
		    localAddress });
		const chunks = [];
		let done = false;
		const finish = (closed) => {
			if (done)
				return;
			done = true;
			clearTimeout(timer);
			sock.destroy();
			resolve({ data: Buffer.concat(chunks).toString('latin1'),
			    closed, ms: Date.now() - t0 });
		};
		const timer = setTimeout(() => finish(false), timeout);
		sock.on('connect', () => {
			for (const b of [].concat(bytes))
				if (b)
					sock.write(b);
		});
		sock.on('data', (c) => chunks.push(c));
		sock.on('end', () => finish(true));
		sock.on('close', () => finish(true));
		sock.on('error', () => finish(true));
	});
}

/* The status code of the first response in raw HTTP text, or null. */
export function rawStatus(text) {
	const m = /^HTTP\/1\.[01] (\d{3})/.exec(text);
	return m ? Number(m[1]) : null;
}

/* A self-signed certificate for localhost and 127.0.0.1 in dir: name.crt
 * and name.key, ECDSA P-256 or (kind 'rsa') RSA 2048. */
export function makeCert(dir, name = 'localhost', kind = 'ec') {
	const key = path.join(dir, `${name}.key`);
	const crt = path.join(dir, `${name}.crt`);
	const alg = kind === 'rsa' ? ['-newkey', 'rsa:2048'] :
	    ['-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:P-256'];
	execFileSync('openssl', ['req', '-x509', ...alg, '-nodes', '-keyout',
	    key, '-out', crt, '-days', '2', '-subj', `/CN=${name}`,
	    '-addext', 'subjectAltName=DNS:localhost,IP:127.0.0.1'],
	{ stdio: 'ignore' });
	const pem = fs.readFileSync(crt, 'utf8');
	return { key, crt, pem,
	    fingerprint: new crypto.X509Certificate(pem).fingerprint256 };
}

/* Polls fn until it returns a truthy value or ms pass; returns the value. */
export async function waitFor(fn, ms, what) {
	const deadline = Date.now() + ms;
	let last;
	for (;;) {
		try {
			last = await fn();
			if (last)
				return last;
		} catch (e) {
			last = e;
		}
		if (Date.now() > deadline)
			assert.fail(`${what}: not within ${ms} ms (last: ` +
			    `${last instanceof Error ? last.message : last})`);
		await sleep(200);
	}
}
