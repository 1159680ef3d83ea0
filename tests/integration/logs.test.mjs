// Logs: nothing secret, one access line per request, errors with a level.
// Runs the things that handle secrets (CLI user creation, a sign-in with
// CSRF, a wrong password, an anonymous comment, a config with the database
// password in it) at log level debug, then searches everything blogd wrote
// on stdout and stderr for the passwords, cookie values and form tokens.

import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';

import {
	CookieJar, DB, addPost, addUser, assertExit, cli, csrfFrom,
	expectStatus, hiddenFrom, rawExchange, rawStatus, setupSite,
	startBlogd, writeConfig,
} from './lib.mjs';

const DBNAME = 'blogd_logs';
const ADMIN = 'logadmin';
const ADMIN_PW = 'Secret-Admin-Pw-7f3a91';
const WRONG_PW = 'Wrong-Guess-Pw-c04e22';
const AUTHOR_PW = 'Author-Stdin-Pw-5b8d10';

// Combined log format + the duration in microseconds.
const ACCESS = new RegExp('^(\\S+) - (\\S+) \\[(\\d{2}/\\w{3}/\\d{4}:' +
    '\\d{2}:\\d{2}:\\d{2} [+-]\\d{4})\\] "(\\S+) (\\S+) HTTP/1\\.[01]" ' +
    '(\\d{3}) (\\d+|-) "((?:[^"\\\\]|\\\\.)*)" "((?:[^"\\\\]|\\\\.)*)" ' +
    '(\\d+)$');
// stderr outside journald: timestamp, "blogd:", level.
const DIAG = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z blogd: (error|warn|info|debug): \S/;

describe('logs', () => {
	const outputs = []; // { what, stdout, stderr } of every blogd run
	const secrets = new Map(); // value → what it is
	// { ua, method, target, status, version } of every request
	const sent = [];
	let cfg, srv, slug;

	const keep = (what, r) => { outputs.push({ what, ...r }); return r; };
	const secret = (what, value) => {
		assert.ok(value && value.length >= 16, `${what}: ${value}`);
		secrets.set(value, what);
	};
	/* A request with a User-Agent that identifies it in the access log. */
	const send = async (method, target, opts = {}) => {
		const ua = `logs-test/${sent.length + 1}`;
		const r = await srv.request(method, target, { ...opts,
		    headers: { 'User-Agent': ua, Referer: 'http://ref.example/',
			...(opts.headers ?? {}) } });
		sent.push({ ua, method, target, status: r.status,
		    version: 'HTTP/1.1' });
		for (const c of r.headers['set-cookie'] ?? []) {
			const m = /^([^=]+)=([^;]*)/.exec(c);
			// Short values (a deletion, a notice flag) hold nothing.
			if (m && m[2].length >= 16)
				secret(`cookie ${m[1]}`, m[2]);
		}
		const token = csrfFrom(r.body);
		if (token)
			secret('form csrf_token', token);
		return r;
	};

	before(async () => {
		cfg = await setupSite(DBNAME, { log: { level: 'debug' } });
		secret('database password', DB.password);
		secret('admin password', ADMIN_PW);
		secret('wrong password', WRONG_PW);
		secret('author password', AUTHOR_PW);
		keep('user add admin', await addUser(cfg, ADMIN, ADMIN_PW, true));
		keep('user add author', await addUser(cfg, 'writer', AUTHOR_PW));
		slug = await addPost(cfg, { title: 'Logged', author: 'writer',
		    body: 'Nothing secret here.' });
		assertExit(keep('check', await cli(cfg, ['check'])), 0, 'check');
		srv = await startBlogd(cfg);
	});

	after(async () => {
		if (srv?.alive())
			await srv.stop();
	});

	test('sign-in, wrong password, comment, sign-out', async () => {
		const admin = new CookieJar();
		let r = await send('GET', '/admin/login', { jar: admin });
		expectStatus(r, 200, 'login form');
		r = await send('POST', '/admin/login', { jar: admin, body: {
			username: ADMIN, password: ADMIN_PW,
			csrf_token: csrfFrom(r.body) } });
		expectStatus(r, 303, 'sign-in');
		assert.ok(admin.get('blogd_session'), 'session cookie');
		r = await send('GET', '/admin', { jar: admin });
		expectStatus(r, 200, '/admin with the session');
		// A POST with the session and no token.
		expectStatus(await send('POST', '/admin/logout', { jar: admin,
		    body: { csrf_token: 'x' } }), 403, 'logout without token');

		const guest = new CookieJar();
		r = await send('GET', '/admin/login', { jar: guest });
		r = await send('POST', '/admin/login', { jar: guest, body: {
			username: ADMIN, password: WRONG_PW,
			csrf_token: csrfFrom(r.body) } });
		expectStatus(r, 401, 'wrong password');

		const reader = new CookieJar();
		r = await send('GET', `/posts/${slug}`, { jar: reader });
		expectStatus(r, 200, 'post page');
		r = await send('POST', `/posts/${slug}/comments`, { jar: reader,
		    body: { name: 'Reader', body: 'A logged comment',
			...hiddenFrom(r.body) } });
		expectStatus(r, 303, 'comment');

		r = await send('GET', '/admin', { jar: admin });
		const token = csrfFrom(r.body);
		expectStatus(await send('POST', '/admin/logout', { jar: admin,
		    body: { csrf_token: token } }), 303, 'sign-out');
		expectStatus(await send('GET', '/no/such/page'), 404, '404');
		expectStatus(await send('HEAD', '/'), 200, 'HEAD /');

		// HTTP/1.0 (node's client only speaks 1.1): a raw socket.
		const ua = `logs-test/${sent.length + 1}`;
		const old = await rawExchange(srv.port, 'GET /healthz HTTP/1.0\r\n' +
		    `User-Agent: ${ua}\r\nReferer: http://ref.example/\r\n\r\n`);
		assert.equal(rawStatus(old.data), 200, old.data);
		sent.push({ ua, method: 'GET', target: '/healthz', status: 200,
		    version: 'HTTP/1.0' });

		await srv.stop();
		keep('serve', { stdout: srv.stdout(), stderr: srv.stderr() });
	});

	test('a wrong database password is an error line without it',
	    async () => {
		const bad = `Bad-Db-Pw-${Date.now()}-x1`;
		secret('wrong database password', bad);
		const badCfg = await writeConfig({ database: { name: DBNAME,
		    password: bad } });
		const r = keep('check with a wrong DB password',
		    await cli(badCfg, ['check']));
		assertExit(r, 1, 'check with a wrong DB password');
		assert.equal(r.stdout, '', 'nothing on stdout');
		assert.match(r.stderr.trim(), DIAG);
		assert.match(r.stderr, /blogd: error: database: .*Access denied/);
	});

	test('no password, cookie or token appears in any output', () => {
		assert.ok(outputs.some((o) => o.what === 'serve'),
		    'the serve run was recorded');
		assert.ok(secrets.size >= 8, `only ${secrets.size} secrets`);
		const names = [...secrets.values()];
		for (const what of ['cookie blogd_session', 'cookie blogd_csrf',
		    'form csrf_token'])
			assert.ok(names.includes(what), `no ${what} was seen`);
		for (const o of outputs)
			for (const [value, what] of secrets)
				for (const stream of ['stdout', 'stderr'])
					assert.ok(!o[stream].includes(value),
					    `${what} in the ${stream} of ${o.what}`);
	});

	test('one access line per request, combined format + duration', () => {
		const out = outputs.find((o) => o.what === 'serve');
		const lines = out.stdout.split('\n').filter((l) => l !== '');
		const mine = new Map();
		for (const l of lines) {
			const m = ACCESS.exec(l);
			assert.ok(m, `stdout line is not an access line: ${l}`);
			if (m[9].startsWith('logs-test/')) {
				assert.ok(!mine.has(m[9]), `two lines for ${m[9]}`);
				mine.set(m[9], m);
			}
		}
		assert.ok(sent.some((s) => s.version === 'HTTP/1.0'),
		    'no HTTP/1.0 request was sent');
		assert.equal(mine.size, sent.length,
		    `${sent.length} requests, ${mine.size} access lines`);
		for (const s of sent) {
			const m = mine.get(s.ua);
			assert.equal(m[1], '127.0.0.1');
			assert.equal(m[4], s.method, s.ua);
			assert.equal(m[5], s.target, s.ua);
			assert.equal(Number(m[6]), s.status, s.ua);
			assert.equal(m[8], 'http://ref.example/', s.ua);
			// The request line as the client sent it, version too.
			assert.ok(m[0].includes(`"${s.method} ${s.target} ` +
			    `${s.version}" `), `${s.ua}: ${m[0]}`);
			assert.ok(Number(m[10]) > 0, `${s.ua}: duration ${m[10]}`);
		}
	});

	test('stderr lines all carry a level', () => {
		for (const o of outputs)
			for (const l of o.stderr.split('\n').filter((x) => x))
				assert.match(l, DIAG, `${o.what}: ${l}`);
		// The sign-in attempts were worth a line each.
		const serve = outputs.find((o) => o.what === 'serve');
		assert.match(serve.stderr, /info: admin: logadmin signed in/);
		assert.match(serve.stderr, /info: admin: failed sign-in/);
	});
});
