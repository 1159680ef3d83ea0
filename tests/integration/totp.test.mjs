// Two-factor sign-in (TOTP) through the binary: enrolment with its QR
// code, the code step of signing in, replays, the window, recovery codes,
// throttling shared with the password step, turning it off from the admin
// and from the command line. oathtool (oath-toolkit) makes the codes, so
// blogd's own TOTP is checked against an independent implementation, and
// zbarimg reads the QR code back.

import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { after, before, beforeEach, test } from 'node:test';

import {
	CookieJar, addUser, assertExit, cli, csrfFrom, expectBody,
	expectNoBody, expectStatus, runBlogd, setupSite, sleep, sql, sqlValue,
	startBlogd, tempDir, writeConfig,
} from './lib.mjs';

const DBNAME = 'blogd_totp';
const ADMIN = 'keeper';
const ADMIN_PW = 'two factors are better than one';
const READER = 'reader';
const READER_PW = 'reader password 42';
const ISSUER = 'Totp & Test Blog';

let cfg, srv;
const secrets = new Set([ADMIN_PW, READER_PW]);

before(async () => {
	cfg = await setupSite(DBNAME, { site: { title: ISSUER } });
	await addUser(cfg, ADMIN, ADMIN_PW, true);
	await addUser(cfg, READER, READER_PW, false);
	srv = await startBlogd(cfg);
});

after(async () => {
	if (srv) {
		await srv.stop();
		// No secret, code or recovery code reaches the log.
		const log = srv.stdout() + srv.stderr();
		for (const s of secrets)
			assert.ok(!log.includes(s), `the log holds a secret: ${s}`);
	}
});

// Each test starts with two-factor off and no failures on record, whatever
// the last one did.
beforeEach(() => {
	sql('DELETE FROM login_failures', DBNAME);
	sql('DELETE FROM totp_recovery_codes', DBNAME);
	sql('DELETE FROM login_pending', DBNAME);
	sql('UPDATE users SET totp_secret = NULL, totp_pending = NULL, ' +
	    'totp_last_step = NULL', DBNAME);
});

const unixNow = () => Math.floor(Date.now() / 1000);

/* oathtool's code for base32 secret at unix time t (default now). */
function oath(secret, t = unixNow()) {
	const code = execFileSync('oathtool',
	    ['--totp', '-b', secret, '--now', `@${t}`]).toString().trim();
	assert.match(code, /^\d{6}$/, 'oathtool printed a code');
	return code;
}

/* Waits until at least `margin` seconds remain in the current 30 s step,
 * so a code made here is still of the same step when blogd checks it. */
async function awayFromStepEnd(margin = 6) {
	const left = 30 - (Date.now() / 1000) % 30;
	if (left < margin)
		await sleep(left * 1000 + 200);
}

/* GETs target with jar (from instance `on`), expecting 200; returns
 * { res, token }. */
async function page(jar, target, on = srv) {
	const res = await on.get(target, { jar });
	expectStatus(res, 200, `GET ${target}`);
	assert.equal(res.headers['cache-control'], 'no-store', target);
	const token = csrfFrom(res.body);
	assert.ok(token, `no csrf_token on ${target}\n${res.body}`);
	return { res, token };
}

/* The password step; returns the response (303 either way on success). */
async function passwordStep(jar, user = ADMIN, password = ADMIN_PW,
    on = srv) {
	const { token } = await page(jar, '/admin/login', on);
	return on.request('POST', '/admin/login', { jar,
	    body: { username: user, password, csrf_token: token } });
}

/* The code step with a fresh form; returns the response. */
async function codeStep(jar, code, on = srv) {
	const { token } = await page(jar, '/admin/login/code', on);
	return on.request('POST', '/admin/login/code', { jar,
	    body: { code, csrf_token: token } });
}

/* Password and, when given, code: returns the jar holding a session. */
async function signIn(code) {
	const jar = new CookieJar();
	const r = await passwordStep(jar);
	expectStatus(r, 303, 'password step');
	if (code === undefined) {
		assert.equal(r.headers.location, '/admin');
	} else {
		assert.equal(r.headers.location, '/admin/login/code');
		assert.equal(jar.get('blogd_session'), undefined,
		    'a session before the code');
		const c = await codeStep(jar, code);
		expectStatus(c, 303, `code step with ${code}`);
		assert.equal(c.headers.location, '/admin');
		assert.equal(jar.get('blogd_2fa'), undefined,
		    'the pending cookie is cleared');
	}
	assert.match(jar.get('blogd_session') ?? '', /^[0-9a-f]{64}$/);
	secrets.add(jar.get('blogd_session'));
	return jar;
}

/* Draws the page's QR <svg> into a PGM and asks zbarimg what it says. */
function decodeQr(html) {
	const svg = /<svg[^>]*viewBox="0 0 (\d+) (\d+)"[^>]*>.*?<\/svg>/s
	    .exec(html);
	assert.ok(svg, 'an inline <svg> QR code');
	const size = Number(svg[1]);
	const d = /<path[^>]*\sd="([^"]*)"/.exec(svg[0]);
	assert.ok(d, 'the QR code has a path');
	const scale = 4;
	const px = Buffer.alloc(size * scale * size * scale, 255);
	// Exactly the shapes qr.c draws: "M x y h w v1 h-w z".
	let runs = 0;
	for (const m of d[1].matchAll(/M(\d+) (\d+)h(\d+)v1h-(\d+)z/g)) {
		const [x, y, w] = [Number(m[1]), Number(m[2]), Number(m[3])];
		assert.equal(Number(m[4]), w, 'a closed rectangle');
		for (let yy = y * scale; yy < (y + 1) * scale; yy++)
			px.fill(0, yy * size * scale + x * scale,
			    yy * size * scale + (x + w) * scale);
		runs++;
	}
	assert.equal(d[1].replace(/M\d+ \d+h\d+v1h-\d+z/g, ''), '',
	    'nothing but module runs in the path');
	assert.ok(runs > 20, 'the QR code has modules');
	const file = path.join(tempDir('qr'), 'qr.pgm');
	fs.writeFileSync(file, Buffer.concat([
	    Buffer.from(`P5 ${size * scale} ${size * scale} 255\n`), px]));
	return execFileSync('zbarimg', ['--raw', '-q', file]).toString()
	    .trim();
}

/* Enrols ADMIN from a fresh session; returns { secret, codes, jar }. */
async function enrol() {
	const jar = await signIn();
	let { res, token } = await page(jar, '/admin/totp');
	expectBody(res, /Two-factor sign-in is <strong>off<\/strong>/);
	const start = await srv.request('POST', '/admin/totp/start', { jar,
	    body: { csrf_token: token } });
	expectStatus(start, 303, 'start enrolment');
	({ res, token } = await page(jar, '/admin/totp'));
	const secret = /<code class="totp-secret"[^>]*>([A-Z2-7]{32})<\/code>/
	    .exec(res.body)?.[1];
	assert.ok(secret, `the secret in base32\n${res.body}`);
	secrets.add(secret);
	assert.match(res.body, /autocomplete="one-time-code"/);
	assert.match(res.body, /inputmode="numeric"/);
	// The page's CSP allows no data: or inline styles: the QR code is
	// inline SVG with attributes only.
	assert.doesNotMatch(res.body, /data:|style="/);
	const uri = decodeQr(res.body);
	const want = `otpauth://totp/${encodeURIComponent(ISSUER)}:${ADMIN}` +
	    `?secret=${secret}&issuer=${encodeURIComponent(ISSUER)}`;
	assert.equal(uri, want, 'the QR code carries the otpauth URI');

	// A wrong first code leaves it off.
	const bad = await srv.request('POST', '/admin/totp/confirm', { jar,
	    body: { code: '000000' === oath(secret) ? '111111' : '000000',
	        csrf_token: token } });
	expectStatus(bad, 400, 'wrong first code');
	expectBody(bad, /role="alert"/);
	assert.equal(sqlValue(`SELECT totp_secret IS NULL FROM users WHERE ` +
	    `name = '${ADMIN}'`, DBNAME), '1', 'still off');

	await awayFromStepEnd();
	const ok = await srv.request('POST', '/admin/totp/confirm', { jar,
	    body: { code: oath(secret), csrf_token: token } });
	expectStatus(ok, 200, 'right first code');
	const codes = [...ok.body.matchAll(
	    /<li><code>([a-z2-7]{4}(?:-[a-z2-7]{4}){3})<\/code><\/li>/g)]
	    .map((m) => m[1]);
	assert.equal(codes.length, 10, `ten recovery codes\n${ok.body}`);
	assert.equal(new Set(codes).size, 10, 'all different');
	codes.forEach((c) => secrets.add(c));
	// Stored hashed: no code appears in the table.
	const stored = sql('SELECT LOWER(HEX(code_hash)) FROM ' +
	    'totp_recovery_codes', DBNAME).map((r) => r[0]);
	assert.equal(stored.length, 10);
	const sha = (c) => crypto.createHash('sha256')
	    .update(c.replaceAll('-', '').toUpperCase()).digest('hex');
	assert.deepEqual(stored.sort(), codes.map(sha).sort(),
	    'each stored as the SHA-256 of its letters');
	// Shown once: the page now only says it is on.
	({ res } = await page(jar, '/admin/totp'));
	expectBody(res, /<span class="totp-left">10<\/span>/);
	expectNoBody(res, new RegExp(codes[0]));
	expectNoBody(res, new RegExp(secret));
	return { secret, codes, jar };
}

/* Forgets the last step used, so that a test need not wait up to 30 s
 * for a step that no earlier code used up. */
const forgetLastStep = () => sql('UPDATE users SET totp_last_step = NULL ' +
    `WHERE name = '${ADMIN}'`, DBNAME);

test('enrolment needs an admin session', async () => {
	for (const [m, t] of [['GET', '/admin/totp'],
	    ['POST', '/admin/totp/start'], ['POST', '/admin/totp/confirm'],
	    ['POST', '/admin/totp/disable']]) {
		const r = await srv.request(m, t, { body: m === 'POST' ? {} :
		    undefined });
		expectStatus(r, 303, `${m} ${t} without a session`);
		assert.equal(r.headers.location, '/admin/login');
	}
	// A non-admin's session (the sign-in refuses them, so made by hand)
	// reaches none of it either.
	const token = crypto.randomBytes(32).toString('hex');
	const hash = crypto.createHash('sha256').update(token).digest('hex');
	sql(`INSERT INTO sessions (token_hash, user_id, expires_at) SELECT ` +
	    `UNHEX('${hash}'), id, UTC_TIMESTAMP() + INTERVAL 1 HOUR FROM ` +
	    `users WHERE name = '${READER}'`, DBNAME);
	const jar = new CookieJar();
	jar.set('blogd_session', token);
	const r = await srv.get('/admin/totp', { jar });
	expectStatus(r, 303, 'a reader');
	assert.equal(r.headers.location, '/admin/login');
	// The code step without a password step first.
	const c = await srv.get('/admin/login/code');
	expectStatus(c, 303, 'code page without a pending sign-in');
	assert.equal(c.headers.location, '/admin/login?expired=1');
});

test('enrol, then signing in needs password and code; a code works once',
    async () => {
	const { secret } = await enrol();
	// The password alone makes no session.
	const jar = new CookieJar();
	const r = await passwordStep(jar);
	expectStatus(r, 303, 'password step');
	assert.equal(r.headers.location, '/admin/login/code');
	assert.equal(jar.get('blogd_session'), undefined);
	assert.match(jar.get('blogd_2fa') ?? '', /^[0-9a-f]{64}$/);
	secrets.add(jar.get('blogd_2fa'));
	const admin = await srv.get('/admin', { jar });
	expectStatus(admin, 303, '/admin between the steps');
	// Stored hashed, with a five-minute life.
	assert.equal(sqlValue('SELECT COUNT(*) FROM login_pending ' +
	    'WHERE expires_at BETWEEN UTC_TIMESTAMP() + INTERVAL 290 ' +
	    'SECOND AND UTC_TIMESTAMP() + INTERVAL 300 SECOND', DBNAME),
	    '1');

	// The code form wants its CSRF token.
	const noToken = await srv.request('POST', '/admin/login/code',
	    { jar, body: { code: '123456' } });
	expectStatus(noToken, 403, 'code without a token');

	// Enrolment used up this step's code; forget that, as if this
	// sign-in came a step later. A wrong code: 401, and no session.
	forgetLastStep();
	const wrong = await codeStep(jar, oath(secret, unixNow() - 300));
	expectStatus(wrong, 401, 'wrong code');
	expectBody(wrong, /role="alert"/);
	assert.equal(jar.get('blogd_session'), undefined);

	// The right one: a session, the pending sign-in gone.
	await awayFromStepEnd();
	const code = oath(secret);
	const ok = await codeStep(jar, code);
	expectStatus(ok, 303, 'right code');
	assert.equal(ok.headers.location, '/admin');
	assert.match(jar.get('blogd_session') ?? '', /^[0-9a-f]{64}$/);
	expectStatus(await srv.get('/admin', { jar }), 200, '/admin');
	assert.equal(sqlValue('SELECT COUNT(*) FROM login_pending',
	    DBNAME), '0');

	// The same code again, in a new sign-in: refused.
	const again = new CookieJar();
	expectStatus(await passwordStep(again), 303, 'password');
	expectStatus(await codeStep(again, code), 401, 'replayed code');
	assert.equal(again.get('blogd_session'), undefined);
});

test('a code works once across instances, even sent to both at once',
    async () => {
	const { secret } = await enrol();
	const other = await startBlogd(await writeConfig(
	    { database: { name: DBNAME }, site: { title: ISSUER } }));
	try {
		// A password step on one instance, its code on the other.
		const jar = new CookieJar();
		expectStatus(await passwordStep(jar), 303, 'password on one');
		const cross = await page(jar, '/admin/login/code', other);
		forgetLastStep();
		await awayFromStepEnd();
		const code = oath(secret);
		// A second pending sign-in, and the same code to both
		// instances at once: the database lets one through.
		const jar2 = new CookieJar();
		expectStatus(await passwordStep(jar2, ADMIN, ADMIN_PW, other),
		    303, 'password on the other');
		const { token } = await page(jar2, '/admin/login/code');
		const both = await Promise.all([
			other.request('POST', '/admin/login/code', { jar,
			    body: { code, csrf_token: cross.token } }),
			srv.request('POST', '/admin/login/code', { jar: jar2,
			    body: { code, csrf_token: token } }),
		]);
		assert.deepEqual(both.map((r) => r.status).sort(), [303, 401],
		    'one of two simultaneous uses of a code');
		// And later, on either instance: refused.
		for (const on of [srv, other]) {
			const j = new CookieJar();
			expectStatus(await passwordStep(j, ADMIN, ADMIN_PW, on),
			    303, 'password');
			expectStatus(await codeStep(j, code, on), 401, 'replay');
		}
	} finally {
		await other.stop();
	}
});

test('the window: the previous step is accepted, two steps back is not',
    async () => {
	const { secret } = await enrol();
	await awayFromStepEnd();
	forgetLastStep();
	const jar = new CookieJar();
	expectStatus(await passwordStep(jar), 303, 'password');
	const old = await codeStep(jar, oath(secret, unixNow() - 60));
	expectStatus(old, 401, 'a code two steps old');
	await awayFromStepEnd();
	await signIn(oath(secret, unixNow() - 30));
	// The next step's code too (a phone a little ahead)...
	await awayFromStepEnd();
	forgetLastStep();
	await signIn(oath(secret, unixNow() + 30));
	// ...after which the current step's code is a replay: a step
	// is never accepted after a later one.
	const late = new CookieJar();
	expectStatus(await passwordStep(late), 303, 'password');
	expectStatus(await codeStep(late, oath(secret)), 401,
	    'a step older than the last one used');
});

test('a recovery code works once, in any case and grouping', async () => {
	const { codes } = await enrol();
	await signIn(codes[0].toUpperCase().replaceAll('-', ''));
	const jar = new CookieJar();
	expectStatus(await passwordStep(jar), 303, 'password');
	expectStatus(await codeStep(jar, codes[0]), 401,
	    'a used recovery code');
	await signIn(codes[1]);
	const { res } = await page(await signIn(codes[2]),
	    '/admin/totp');
	expectBody(res, /<span class="totp-left">7<\/span>/);
});

test('wrong codes count toward the sign-in throttle: 429 with Retry-After',
    async () => {
	const { secret } = await enrol();
	const jar = new CookieJar();
	expectStatus(await passwordStep(jar), 303, 'password');
	// One wrong password and four wrong codes: five failures.
	const badPw = await passwordStep(new CookieJar(), ADMIN,
	    'not it');
	expectStatus(badPw, 401, 'wrong password');
	for (let i = 0; i < 4; i++)
		expectStatus(await codeStep(jar, 'zzzz-zzzz-zzzz-zzzz'),
		    401, `wrong code ${i + 1}`);
	assert.equal(sqlValue('SELECT COUNT(*) FROM login_failures ' +
	    `WHERE account = '${ADMIN}'`, DBNAME), '5');
	await awayFromStepEnd();
	const r = await codeStep(jar, oath(secret));
	expectStatus(r, 429, 'sixth attempt, right code');
	assert.match(r.headers['retry-after'] ?? '', /^\d+$/);
	assert.ok(Number(r.headers['retry-after']) > 800);
	assert.equal(jar.get('blogd_session'), undefined);
	// The password step is throttled as well.
	expectStatus(await passwordStep(new CookieJar()), 429,
	    'password step after wrong codes');
	// A right password does not clear the count while the code
	// is still to come.
	sql('DELETE FROM login_failures', DBNAME);
	for (let i = 0; i < 4; i++)
		expectStatus(await codeStep(jar, '000000'), 401,
		    `wrong code ${i + 1}`);
	expectStatus(await passwordStep(new CookieJar()), 303,
	    'password step with four failures');
	assert.equal(sqlValue('SELECT COUNT(*) FROM login_failures ' +
	    `WHERE account = '${ADMIN}'`, DBNAME), '4');
});

test('a pending sign-in lapses after five minutes', async () => {
	const { secret } = await enrol();
	const jar = new CookieJar();
	expectStatus(await passwordStep(jar), 303, 'password');
	const { token } = await page(jar, '/admin/login/code');
	sql('UPDATE login_pending SET expires_at = UTC_TIMESTAMP() - ' +
	    'INTERVAL 1 SECOND', DBNAME);
	await awayFromStepEnd();
	const r = await srv.request('POST', '/admin/login/code', { jar,
	    body: { code: oath(secret), csrf_token: token } });
	expectStatus(r, 303, 'code after the pending sign-in lapsed');
	assert.equal(r.headers.location, '/admin/login?expired=1');
	assert.equal(jar.get('blogd_session'), undefined);
	const login = await srv.get('/admin/login?expired=1', { jar });
	expectBody(login, /took too long/);
});

test('turning it off in the admin needs the password or a current code',
    async () => {
	let { secret, jar } = await enrol();
	let { token } = await page(jar, '/admin/totp');
	const disable = (body) => srv.request('POST', '/admin/totp/disable',
	    { jar, body: { csrf_token: token, ...body } });
	expectStatus(await disable({}), 401, 'nothing given');
	expectStatus(await disable({ password: 'wrong' }), 401,
	    'wrong password');
	expectStatus(await disable({ code: '12345' }), 401, 'bad code');
	assert.equal(sqlValue(`SELECT totp_secret IS NULL FROM users WHERE ` +
	    `name = '${ADMIN}'`, DBNAME), '0', 'still on');
	let r = await disable({ password: ADMIN_PW });
	expectStatus(r, 303, 'right password');
	assert.equal(r.headers.location, '/admin/totp?disabled=1');
	assert.equal(sqlValue('SELECT COUNT(*) FROM totp_recovery_codes',
	    DBNAME), '0', 'recovery codes gone');
	await signIn(); // the password alone again

	({ secret, jar } = await enrol());
	({ token } = await page(jar, '/admin/totp'));
	await awayFromStepEnd();
	forgetLastStep();
	r = await disable({ code: oath(secret) });
	expectStatus(r, 303, 'right code');
	await signIn();
});

test('new recovery codes need the password or a current code and ' +
    'replace the old ones', async () => {
	const { secret, codes, jar } = await enrol();
	let { token } = await page(jar, '/admin/totp');
	const renew = (body) => srv.request('POST', '/admin/totp/recovery',
	    { jar, body: { csrf_token: token, ...body } });
	const stored = () => sql('SELECT LOWER(HEX(code_hash)) FROM ' +
	    'totp_recovery_codes ORDER BY 1', DBNAME).map((r) => r[0]);
	const before = stored();
	expectStatus(await renew({}), 401, 'nothing given');
	expectStatus(await renew({ password: 'wrong' }), 401, 'wrong password');
	assert.deepEqual(stored(), before, 'the old codes stay');
	let r = await renew({ password: ADMIN_PW });
	expectStatus(r, 200, 'right password');
	const fresh = [...r.body.matchAll(
	    /<li><code>([a-z2-7]{4}(?:-[a-z2-7]{4}){3})<\/code><\/li>/g)]
	    .map((m) => m[1]);
	assert.equal(fresh.length, 10, `ten new codes\n${r.body}`);
	fresh.forEach((c) => secrets.add(c));
	assert.equal(fresh.filter((c) => codes.includes(c)).length, 0,
	    'none of the old codes');
	assert.equal(stored().length, 10);
	assert.notDeepEqual(stored(), before);
	// An old code no longer signs in; a new one does, once.
	const j = new CookieJar();
	expectStatus(await passwordStep(j), 303, 'password');
	expectStatus(await codeStep(j, codes[3]), 401, 'an old recovery code');
	await signIn(fresh[0]);
	// A current code proves it too.
	({ token } = await page(jar, '/admin/totp'));
	await awayFromStepEnd();
	forgetLastStep();
	r = await renew({ code: oath(secret) });
	expectStatus(r, 200, 'right code');
	assert.equal(sqlValue('SELECT COUNT(*) FROM totp_recovery_codes ' +
	    'WHERE used_at IS NULL', DBNAME), '10', 'a full set again');
	// With two-factor off there is nothing to renew.
	sql('UPDATE users SET totp_secret = NULL', DBNAME);
	({ token } = await page(jar, '/admin/totp'));
	r = await renew({ password: ADMIN_PW });
	expectStatus(r, 303, 'off');
	assert.equal(r.headers.location, '/admin/totp');
});

test('blogd user totp NAME --disable, for a lost phone', async () => {
	await enrol();
	const r = await cli(cfg, ['user', 'totp', ADMIN, '--disable']);
	assertExit(r, 0, 'user totp --disable');
	assert.match(r.stdout, new RegExp(`off for ${ADMIN}`));
	await signIn();
	const none = await cli(cfg, ['user', 'totp', 'nobody', '--disable']);
	assertExit(none, 1, 'an unknown user');
	assert.match(none.stderr, /no user nobody/);
	const bad = await cli(cfg, ['user', 'totp', ADMIN]);
	assertExit(bad, 1, 'without --disable');
	assert.match(bad.stderr, /usage: blogd user totp NAME --disable/);
	const help = await runBlogd(['--help']);
	assert.match(help.stdout + help.stderr, /user totp NAME --disable/);
});
