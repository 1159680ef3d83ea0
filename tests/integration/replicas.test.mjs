// Read replicas through the binary: a private primary and a GTID replica
// of it (two mariadbd under this file's temp dir, 127.0.0.1 only), blogd
// with [database] replicas naming the second. Anonymous reads go to the
// replica, admin pages and writes to the primary; a client reads its own
// write at once while the replica is behind (MASTER_DELAY); a replica that
// lags past replica_max_lag, stops replicating or stops altogether is left
// out and comes back. The server scripts/with-mariadb.sh started is not
// used: it has no binary log.

import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { after, before, test } from 'node:test';

import {
	CookieJar, SRC, addPost, addUser, assertExit, cli, csrfFrom, expectBody,
	expectNoBody, expectStatus, freePort, hiddenFrom, startBlogd, tempDir,
	waitFor, writeConfig,
} from './lib.mjs';

const CTL = path.join(SRC, 'scripts', 'mariadb-ctl.sh');
const DBNAME = 'blogd_replicas';
const ADMIN = 'editor';
const ADMIN_PW = 'replica admin password 7';
const PASSWORD = crypto.randomBytes(12).toString('hex');
const DELAY = 8; // seconds the replica applies changes late (MASTER_DELAY)
const WAIT_MS = 20000;

const primary = { dir: tempDir('primary') };
const replica = { dir: tempDir('replica') };
let cfg, srv, slug, replicaName;

const ctl = (...args) => execFileSync(CTL, args, { encoding: 'utf8',
    stdio: ['ignore', 'pipe', 'pipe'] });

/* SQL as root over the server's socket; rows as arrays of strings. */
function rootSql(server, query) {
	const out = ctl('sql', server.dir, '-N', '-B', '-e', query);
	return out.split('\n').filter((l) => l !== '').map((l) => l.split('\t'));
}

/* One global status counter (Com_select: statements that read). */
const counter = (server, name) => Number(rootSql(server,
    `SHOW GLOBAL STATUS LIKE '${name}'`)[0][1]);

/* Stops both servers, even when the test process exits on a failure. */
function stopServers() {
	for (const s of [replica, primary])
		if (s.started) {
			s.started = false;
			try { ctl('stop', s.dir); } catch { /* already gone */ }
		}
}
process.on('exit', stopServers);

async function metrics() {
	const r = await srv.get('/metrics');
	expectStatus(r, 200, 'GET /metrics');
	return r.body;
}

/* The value of one series of /metrics, or undefined. */
async function metric(series) {
	const body = await metrics();
	const line = body.split('\n').find((l) => l.startsWith(`${series} `));
	return line === undefined ? undefined : Number(line.split(' ')[1]);
}

const upSeries = () => `blogd_db_replica_up{replica="${replicaName}"}`;
const readsSeries = (server) => `blogd_db_reads_total{server="${server}"}`;

/* Waits until the replica is (up) or is not in service: the gauge and
 * the n-th log line saying so. */
async function waitReplica(up, n, what) {
	const re = up ? / replica \S+ in service/g : / replica \S+ left out/g;
	await waitFor(async () =>
		(srv.stderr().match(re) ?? []).length >= n &&
		    await metric(upSeries()) === (up ? 1 : 0),
	    WAIT_MS, what);
}

/* The post page for a visitor: its jar (with blogd_csrf) and the form's
 * hidden fields (token and stamp). */
async function visitor() {
	const jar = new CookieJar();
	const page = await srv.get(`/posts/${slug}`, { jar });
	expectStatus(page, 200, 'post page');
	return { jar, fields: hiddenFrom(page.body) };
}

async function login() {
	const jar = new CookieJar();
	const form = await srv.get('/admin/login', { jar });
	const r = await srv.request('POST', '/admin/login', { jar, body: {
	    username: ADMIN, password: ADMIN_PW,
	    csrf_token: csrfFrom(form.body) } });
	expectStatus(r, 303, 'sign-in');
	return jar;
}

before(async () => {
	ctl('start', primary.dir, 'auto', '--fast', '--server-id', '1');
	primary.started = true;
	ctl('start', replica.dir, 'auto', '--fast', '--server-id', '2');
	replica.started = true;
	for (const s of [primary, replica])
		s.port = Number(ctl('sql', s.dir, '-N', '-B', '-e',
		    'SELECT @@port').trim());
	ctl('replicate', replica.dir, primary.dir);
	// Made on the primary, so the replica gets them by replication.
	rootSql(primary, "CREATE USER 'blogd'@'127.0.0.1' IDENTIFIED BY " +
	    `'${PASSWORD}'; GRANT ALL ON \`blogd%\`.* TO 'blogd'@'127.0.0.1'; ` +
	    "GRANT REPLICA MONITOR ON *.* TO 'blogd'@'127.0.0.1'; " +
	    `CREATE DATABASE ${DBNAME}`);
	replicaName = `127.0.0.1:${replica.port}`;
	cfg = await writeConfig({
		database: { host: '127.0.0.1', port: primary.port, user: 'blogd',
		    password: PASSWORD, name: DBNAME, replicas: replicaName,
		    replica_max_lag: 30 },
		site: { moderate_comments: 'false' },
	});
	assertExit(await cli(cfg, ['migrate']), 0, 'blogd migrate');
	await addUser(cfg, ADMIN, ADMIN_PW, true);
	slug = await addPost(cfg, { title: 'Mirrored words', author: ADMIN,
	    body: 'Served by a replica.\n' });
	srv = await startBlogd(cfg);
	await waitReplica(true, 1, 'replica in service at start');
	// Replication has caught up with the setup.
	await waitFor(() => rootSql(replica, `SELECT COUNT(*) FROM ${DBNAME}.` +
	    'posts')[0][0] === '1', WAIT_MS, 'post on the replica');
});

after(async () => {
	try {
		if (srv)
			await srv.stop();
	} finally {
		stopServers();
	}
});

test('blogd check asks each replica whether it replicates', async () => {
	const withReplicas = (replicas) => writeConfig({
		database: { host: '127.0.0.1', port: primary.port, user: 'blogd',
		    password: PASSWORD, name: DBNAME, replicas },
	});
	const good = await cli(cfg, ['check']);
	assertExit(good, 0, 'check with a working replica');
	assert.equal(good.stdout.trim(), 'ok');
	// The primary named as a replica: it answers but replicates nothing.
	const self = `127.0.0.1:${primary.port}`;
	const notReplica = await cli(await withReplicas(self), ['check']);
	assertExit(notReplica, 1, 'check with the primary as a replica');
	assert.match(notReplica.stderr,
	    new RegExp(`replica ${self}: not a replica`));
	// Nothing listens there.
	const gone = `127.0.0.1:${await freePort()}`;
	const down = await cli(await withReplicas(`${replicaName}, ${gone}`),
	    ['check']);
	assertExit(down, 1, 'check with an unreachable replica');
	assert.match(down.stderr, new RegExp(`replica ${gone}: `));
	assert.doesNotMatch(down.stderr, new RegExp(`replica ${replicaName}`),
	    'the working replica named');
});

test('anonymous reads go to the replica, admin pages and writes to the primary',
    async () => {
	const n = 20;
	let r0 = counter(replica, 'Com_select');
	let p0 = counter(primary, 'Com_select');
	const m0 = await metric(readsSeries('replica'));
	// Search is never cached: each request reads.
	for (let i = 0; i < n; i++)
		expectBody(await srv.get('/search?q=mirrored'), /Mirrored words/,
		    'anonymous search');
	const onReplica = counter(replica, 'Com_select') - r0;
	const onPrimary = counter(primary, 'Com_select') - p0;
	assert.ok(onReplica >= n, `replica ran ${onReplica} SELECTs for ${n} ` +
	    'searches');
	// The primary only answers the page cache's version poll meanwhile.
	assert.ok(onPrimary < n / 2, `primary ran ${onPrimary} SELECTs`);
	assert.ok(await metric(readsSeries('replica')) - m0 >= n,
	    'blogd_db_reads_total{server="replica"}');
	for (const target of ['/', `/posts/${slug}`, '/feed.xml',
	    '/sitemap.xml', `/authors/${ADMIN}`])
		expectStatus(await srv.get(target), 200, target);

	// Signed in, every page reads the primary, public ones too.
	const jar = await login();
	r0 = counter(replica, 'Com_select');
	for (const target of ['/admin', '/admin/comments', `/posts/${slug}`,
	    '/search?q=mirrored', '/'])
		expectStatus(await srv.get(target, { jar }), 200, target);
	assert.equal(counter(replica, 'Com_select') - r0, 0,
	    'SELECTs on the replica for a signed-in client');

	// A comment is written on the primary (the replica's copy comes by
	// replication, which counts there too).
	const v = await visitor();
	p0 = counter(primary, 'Com_insert');
	expectStatus(await srv.request('POST', `/posts/${slug}/comments`, {
	    jar: v.jar, body: { name: 'Ann', body: 'first write',
	    ...v.fields } }), 303, 'comment');
	assert.ok(counter(primary, 'Com_insert') - p0 >= 1, 'INSERT on primary');
});

test('a client reads its own write at once while the replica is behind',
    async () => {
	rootSql(replica, 'STOP SLAVE; CHANGE MASTER TO MASTER_DELAY = ' +
	    `${DELAY}; START SLAVE`);
	await waitFor(async () => await metric(upSeries()) === 1, WAIT_MS,
	    'delayed replica in service');
	const word = `ryw${crypto.randomBytes(4).toString('hex')}`;

	// The writer lands on its comment, from the primary.
	const w = await visitor();
	const posted = await srv.request('POST', `/posts/${slug}/comments`, {
	    jar: w.jar, body: { name: 'Writer', body: `said ${word}`,
	    ...w.fields } });
	expectStatus(posted, 303, 'comment');
	const landing = posted.headers.location.replace(/#.*/, '');
	const fresh = Number(w.jar.get('blogd_fresh'));
	const now = Date.now() / 1000;
	assert.ok(fresh > now + 5 && fresh < now + 60, 'blogd_fresh is an ' +
	    `expiry a short while on: ${w.jar.get('blogd_fresh')}`);
	const landed = await srv.get(landing, { jar: w.jar });
	expectBody(landed, new RegExp(word), 'the writer\'s landing page');
	expectBody(await srv.get(`/posts/${slug}`, { jar: w.jar }),
	    new RegExp(word), 'the writer, page cache bypassed');

	// The replica has not applied it; another client reading it (an
	// uncached page) does not see it yet: within the lag, as allowed.
	assert.equal(rootSql(replica, `SELECT COUNT(*) FROM ${DBNAME}.comments ` +
	    `WHERE body LIKE '%${word}%'`)[0][0], '0', 'comment on the replica');
	expectNoBody(await srv.get(landing), new RegExp(word),
	    'another client, uncached page, from the replica');
	// The page cache keeps only pages rendered from data as new as the
	// version they are kept under: the cached post page shows it before
	// the replica has it, and keeps showing it.
	await waitFor(async () => new RegExp(word).test(
	    (await srv.get(`/posts/${slug}`)).body), (DELAY - 3) * 1000,
	    'cached post page with the comment before the replica has it');
	assert.equal(rootSql(replica, `SELECT COUNT(*) FROM ${DBNAME}.comments ` +
	    `WHERE body LIKE '%${word}%'`)[0][0], '0', 'comment on the replica');
	expectBody(await srv.get(`/posts/${slug}`), new RegExp(word),
	    'cached post page again');

	// An admin's edit: seen by its author at once, by others after the
	// replica applied it.
	const jar = await login();
	const id = rootSql(primary, `SELECT id FROM ${DBNAME}.posts WHERE ` +
	    `slug = '${slug}'`)[0][0];
	const form = await srv.get(`/admin/posts/${id}/edit`, { jar });
	expectStatus(await srv.request('POST', `/admin/posts/${id}/edit`, {
	    jar, body: { title: `Mirrored ${word}`, slug,
	    body: 'Served by a replica.\n', tags: '', published: '1',
	    csrf_token: csrfFrom(form.body) } }), 303, 'edit');
	assert.ok(jar.get('blogd_fresh'), 'blogd_fresh after the edit');
	expectBody(await srv.get(`/posts/${slug}`, { jar }),
	    new RegExp(`Mirrored ${word}`), 'the admin sees the new title');
	expectBody(await srv.get(`/search?q=${word}`, { jar }),
	    new RegExp(`Mirrored ${word}`), 'the admin finds the new title');
	expectNoBody(await srv.get(`/search?q=${word}`),
	    new RegExp(`Mirrored ${word}`), 'an anonymous search, replica');
	await waitFor(async () => new RegExp(`Mirrored ${word}`).test(
	    (await srv.get(`/search?q=${word}`)).body), WAIT_MS,
	    'the anonymous search once the replica applied the edit');
});

test('a replica that lags or stops is left out, and comes back', async () => {
	// Restart with a lag limit under the replica's delay.
	await srv.stop();
	cfg = await writeConfig({
		database: { host: '127.0.0.1', port: primary.port, user: 'blogd',
		    password: PASSWORD, name: DBNAME, replicas: replicaName,
		    replica_max_lag: 2 },
	});
	srv = await startBlogd(cfg);
	await waitReplica(true, 1, 'replica in service after the restart');

	// A change the replica applies DELAY seconds late: past the limit.
	rootSql(primary, `UPDATE ${DBNAME}.content_version SET version = ` +
	    'version + 1');
	await waitReplica(false, 1, 'lagging replica left out');
	assert.match(srv.stderr(), /replica \S+ left out, reads go elsewhere: \d+ s behind \(replica_max_lag 2\)/);
	assert.ok(await metric(`blogd_db_replica_lag_seconds{replica="${replicaName}"}`) > 2,
	    'lag gauge');
	const r0 = counter(replica, 'Com_select');
	const p0 = await metric(readsSeries('primary'));
	for (const target of ['/search?q=mirrored', '/'])
		expectStatus(await srv.get(target), 200, `${target}, left out`);
	assert.equal(counter(replica, 'Com_select') - r0, 0,
	    'SELECTs on a replica left out');
	assert.ok(await metric(readsSeries('primary')) > p0,
	    'reads counted on the primary');
	await waitReplica(true, 2, 'caught-up replica back in service');

	// Replication stopped: left out; started again: back.
	rootSql(replica, 'STOP SLAVE; CHANGE MASTER TO MASTER_DELAY = 0; ' +
	    'START SLAVE IO_THREAD');
	await waitReplica(false, 2, 'replica with its SQL thread stopped');
	assert.match(srv.stderr(), /left out, reads go elsewhere: replication SQL thread not running/);
	expectBody(await srv.get('/search?q=mirrored'), /Mirrored/,
	    'search with the replica left out');
	rootSql(replica, 'START SLAVE SQL_THREAD');
	await waitReplica(true, 3, 'replica back after START SLAVE');

	// The replica's server gone: left out; started again: back.
	ctl('stop', replica.dir);
	await waitReplica(false, 3, 'replica server stopped');
	expectStatus(await srv.get('/search?q=mirrored'), 200,
	    'search with the replica down');
	ctl('start', replica.dir);
	await waitReplica(true, 4, 'replica server started again');
	expectBody(await srv.get('/search?q=mirrored'), /Mirrored/,
	    'search on the replica again');

	// A replica that hangs: left out within read_timeout (the checker's
	// statement or a request's), then reads go to the primary at once.
	const pid = Number(fs.readFileSync(path.join(replica.dir,
	    'server.pid'), 'utf8'));
	process.kill(pid, 'SIGSTOP');
	try {
		// A read already on its way there when it hung: answered from
		// the primary once read_timeout passes, not a 503.
		const caught = srv.get('/search?q=mirrored', { timeout: 30000 });
		await waitReplica(false, 4, 'hung replica');
		expectBody(await caught, /Mirrored/,
		    'a search caught by the hang');
		for (let i = 0; i < 5; i++) {
			const t0 = Date.now();
			expectBody(await srv.get('/search?q=mirrored'),
			    /Mirrored/, 'search with the replica hung');
			assert.ok(Date.now() - t0 < 2000, 'search took ' +
			    `${Date.now() - t0} ms with the replica left out`);
		}
	} finally {
		process.kill(pid, 'SIGCONT');
	}
	await waitReplica(true, 5, 'replica back after it hung');
});
