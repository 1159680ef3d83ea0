// The password gate (src/auth/password.c): a burst of sign-ins never runs
// more hashes at once than the gate allows (one per core, whatever
// [server] workers is), static files and cached pages keep answering
// meanwhile, and a sign-in that cannot get a slot in time is 503 with
// Retry-After, never a 500 or a hang. /metrics shows the gate.

import assert from 'node:assert/strict';
import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { after, before, test } from 'node:test';

import {
	CookieJar, addUser, csrfFrom, expectBody, expectStatus, metricSamples,
	setupSite, sql, startBlogd,
} from './lib.mjs';

const DBNAME = 'blogd_gate';
const ADMIN = 'gateadmin';
const ADMIN_PW = 'gate admin password 1';
const SLOW = 'slowhash';
const SLOW_MAX = 60; // slow sign-ins the second test may send at most
let srv, slots;

before(async () => {
	// Far more workers than cores: without the gate, every one of them
	// would hash at once.
	const cfg = await setupSite(DBNAME, { server: { workers: 64 } });
	await addUser(cfg, ADMIN, ADMIN_PW, true);
	fs.writeFileSync(path.join(cfg.static, 'gate.css'), 'p { margin: 0 }\n');
	// Imported (Django) accounts whose hash takes PBKDF2's largest
	// accepted iteration count, 10,000,000: a second or more of one core
	// each. One account per slow sign-in, so that login throttling (five
	// failures per account or address) never answers in the gate's place.
	const rows = [];
	for (let i = 0; i < SLOW_MAX; i++) {
		const salt = crypto.randomBytes(9).toString('hex');
		rows.push(`('${SLOW}${i}', 'pbkdf2_sha256$10000000$${salt}$` +
		    `${crypto.randomBytes(32).toString('base64')}', 1)`);
	}
	sql('INSERT INTO users (name, password_hash, is_admin) VALUES ' +
	    rows.join(', '), DBNAME);
	srv = await startBlogd(cfg);
	slots = (await metricSamples(srv)).blogd_password_hashes_max;
	assert.ok(slots >= 1, `blogd_password_hashes_max ${slots}`);
});

after(async () => {
	if (srv)
		await srv.stop();
});

/* A sign-in form for a fresh visitor (from localAddress when given). */
async function signInForm(localAddress) {
	const jar = new CookieJar();
	const form = await srv.request('GET', '/admin/login',
	    { jar, localAddress });
	expectStatus(form, 200, 'GET /admin/login');
	return { jar, token: csrfFrom(form.body), localAddress };
}

const signIn = (f, username, password) => srv.request('POST',
    '/admin/login', { jar: f.jar, localAddress: f.localAddress,
    timeout: 60000, body: { username, password, csrf_token: f.token } });

/* 303, 401, or 503 with Retry-After and the message: nothing else. */
function assertGateAnswer(r, what) {
	assert.ok([303, 401, 503].includes(r.status),
	    `${what}: status ${r.status}\n${r.body.slice(0, 300)}`);
	if (r.status === 503) {
		assert.ok(Number(r.headers['retry-after']) > 0,
		    `${what}: 503 without Retry-After`);
		expectBody(r, /Too many sign-ins at once/, what);
	}
}

/* Static files and a cached page, asked over and over until done(). */
async function keepAsking(done) {
	let answered = 0;
	await srv.get('/'); // cached from now on
	while (!done()) {
		for (const target of ['/static/gate.css', '/']) {
			const r = await srv.get(target, { timeout: 30000 });
			expectStatus(r, 200, `${target} during the burst`);
			answered++;
		}
	}
	return answered;
}

test('a burst of 20 sign-ins runs at most one hash per slot', async () => {
	const forms = await Promise.all(Array.from({ length: 20 },
	    () => signInForm()));
	let finished = false;
	const burst = Promise.all(forms.map((f) => signIn(f, ADMIN, ADMIN_PW)))
	    .finally(() => { finished = true; });
	const answered = await keepAsking(() => finished).finally(() => burst);
	const results = await burst;
	results.forEach((r, i) => assertGateAnswer(r, `sign-in ${i}`));
	assert.ok(results.some((r) => r.status === 303), 'nobody signed in');
	assert.ok(answered >= 2, 'static pages were not asked during it');
	const m = await metricSamples(srv);
	assert.ok(m.blogd_password_hashes_peak >= 1, 'no hash counted');
	assert.ok(m.blogd_password_hashes_peak <= slots,
	    `${m.blogd_password_hashes_peak} hashes ran at once, the gate ` +
	    `allows ${slots}`);
	assert.equal(m.blogd_password_hashes_running, 0, 'a slot leaked');
	assert.equal(m.blogd_password_gate_refusals_total,
	    results.filter((r) => r.status === 503).length,
	    'refusals counted');
});

/*
 * Slow sign-ins, each from an account and a loopback address of its own,
 * kept `outstanding` at a time until one is refused or SLOW_MAX were
 * sent. Whether a given sign-in waits past the gate's 2 s depends on how
 * the two cores are shared at that moment; a queue kept several hashes
 * deep makes some sign-in wait that long, however fast each hash is.
 */
async function slowSignIns(outstanding) {
	const results = [];
	let sent = 0;
	const refused = () => results.some((r) => r.status === 503);
	async function lane() {
		while (sent < SLOW_MAX && !refused()) {
			const i = sent++;
			const f = await signInForm(`127.0.1.${i + 1}`);
			results.push(await signIn(f, `${SLOW}${i}`, 'guess'));
		}
	}
	await Promise.all(Array.from({ length: outstanding }, lane));
	return results;
}

test('sign-ins that wait too long for a slot are 503 with Retry-After',
    async () => {
	const before = await metricSamples(srv);
	let finished = false;
	const burst = slowSignIns(4 * slots).finally(() => { finished = true; });
	await keepAsking(() => finished).finally(() => burst);
	const results = await burst;
	results.forEach((r, i) => assertGateAnswer(r, `slow sign-in ${i}`));
	const busy = results.filter((r) => r.status === 503).length;
	assert.ok(busy >= 1, `no sign-in of ${results.length} was refused: ` +
	    JSON.stringify(results.map((r) => r.status)));
	assert.ok(results.some((r) => r.status === 401), 'none got through');
	const m = await metricSamples(srv);
	assert.equal(m.blogd_password_gate_refusals_total -
	    before.blogd_password_gate_refusals_total, busy, 'refusals');
	assert.ok(m.blogd_password_gate_waits_total >
	    before.blogd_password_gate_waits_total, 'no wait counted');
	assert.ok(m.blogd_password_hashes_peak <= slots, 'peak over the gate');
	assert.equal(m.blogd_password_hashes_running, 0, 'a slot leaked');
	// The gate opens again afterwards.
	const f = await signInForm();
	expectStatus(await signIn(f, ADMIN, ADMIN_PW), 303, 'sign-in after');
});
