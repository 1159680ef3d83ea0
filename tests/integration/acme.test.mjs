// Automatic HTTPS ([acme]): the real binary against a real ACME CA, pebble,
// with pebble-challtestsrv as its DNS (the test names resolve to 127.0.0.1,
// or to 127.0.0.2, where nothing listens, to make a challenge fail). Pebble
// really validates HTTP-01: it connects to blogd's plain HTTP port. Its own
// HTTPS uses a CA made here with openssl, given to blogd as ca_bundle.

import assert from 'node:assert/strict';
import { execFileSync, spawn, spawnSync } from 'node:child_process';
import crypto from 'node:crypto';
import fs from 'node:fs';
import http from 'node:http';
import path from 'node:path';
import tls from 'node:tls';
import { after, before, describe, test } from 'node:test';

import {
	cli, expectStatus, freePort, request, setupSite, sql, sqlValue,
	startBlogd, tempDir, waitFor, writeConfig,
} from './lib.mjs';

const DOMAIN = 'blog.test';
const DOMAINS = `${DOMAIN},www.${DOMAIN}`;
const ISSUED = /acme: serving certificate serial (\S+) for (\S+) from "([^"]*)", valid until ([^;]+); renewal due at (.+)/g;

// Servers this file starts; killed by pid when it ends, whatever happens.
const mine = new Set();
process.on('exit', () => {
	for (const c of mine)
		try { c.kill('SIGKILL'); } catch { /* gone */ }
});

function spawnServer(cmd, args, env = {}) {
	const child = spawn(cmd, args, { env: { ...process.env, ...env },
	    stdio: ['ignore', 'pipe', 'pipe'] });
	let out = '';
	child.stdout.on('data', (d) => { out += d; });
	child.stderr.on('data', (d) => { out += d; });
	mine.add(child);
	child.on('exit', () => mine.delete(child));
	return { child, out: () => out,
	    stop() { if (mine.has(child)) child.kill('SIGTERM'); } };
}

/* A CA and a certificate it signs for 127.0.0.1, for pebble's HTTPS. */
function makeCa(dir) {
	const f = (n) => path.join(dir, n);
	const run = (args) => execFileSync('openssl', args, { stdio: 'ignore' });
	run(['req', '-x509', '-newkey', 'ec', '-pkeyopt',
	    'ec_paramgen_curve:P-256', '-nodes', '-keyout', f('ca.key'), '-out',
	    f('ca.crt'), '-days', '2', '-subj', '/CN=blogd test ACME CA',
	    '-addext', 'basicConstraints=critical,CA:TRUE',
	    '-addext', 'keyUsage=critical,keyCertSign,cRLSign']);
	run(['req', '-new', '-newkey', 'ec', '-pkeyopt',
	    'ec_paramgen_curve:P-256', '-nodes', '-keyout', f('pebble.key'),
	    '-out', f('pebble.csr'), '-subj', '/CN=127.0.0.1']);
	fs.writeFileSync(f('ext.cnf'),
	    'subjectAltName=IP:127.0.0.1,DNS:localhost\n' +
	    'extendedKeyUsage=serverAuth\n');
	run(['x509', '-req', '-in', f('pebble.csr'), '-CA', f('ca.crt'),
	    '-CAkey', f('ca.key'), '-CAcreateserial', '-days', '2', '-out',
	    f('pebble.crt'), '-extfile', f('ext.cnf')]);
	return { ca: f('ca.crt'), cert: f('pebble.crt'), key: f('pebble.key') };
}

/* GET over HTTPS trusting ca; resolves { status, body } or throws. */
function httpsGet(url, ca) {
	return new Promise((resolve, reject) => {
		const u = new URL(url);
		const req = tls.connect({ host: u.hostname, port: u.port, ca:
		    fs.readFileSync(ca), servername: 'localhost' }, () => {
			req.write(`GET ${u.pathname} HTTP/1.1\r\nHost: ` +
			    `${u.host}\r\nConnection: close\r\n\r\n`);
		});
		let data = '';
		req.on('data', (d) => { data += d; });
		req.on('end', () => resolve({ status: Number(data.split(' ')[1]),
		    body: data }));
		req.on('error', reject);
		req.setTimeout(5000, () => req.destroy(new Error('timeout')));
	});
}

/* challtestsrv as DNS (A records default to ipv4) and pebble on free
 * ports; pebble validates HTTP-01 on httpPort. */
async function startCa({ httpPort, ipv4 = '127.0.0.1', validity,
    listenPort, nonceReject = '10' }) {
	const dir = tempDir('pebble');
	const certs = makeCa(dir);
	const dns = await freePort();
	const mgmt = await freePort();
	const chall = spawnServer('pebble-challtestsrv', ['-dns01',
	    `127.0.0.1:${dns}`, '-management', `127.0.0.1:${mgmt}`, '-http01',
	    '', '-https01', '', '-tlsalpn01', '', '-defaultIPv4', ipv4,
	    '-defaultIPv6', '']);
	const port = listenPort ?? await freePort();
	const conf = { pebble: {
		listenAddress: `127.0.0.1:${port}`,
		managementListenAddress: `127.0.0.1:${await freePort()}`,
		certificate: certs.cert,
		privateKey: certs.key,
		httpPort,
		tlsPort: await freePort(),
		ocspResponderURL: '',
		externalAccountBindingRequired: false,
		retryAfter: { authz: 1, order: 1 },
	} };
	if (validity)
		conf.pebble.certificateValidityPeriod = validity;
	fs.writeFileSync(path.join(dir, 'pebble.json'), JSON.stringify(conf));
	const ca = {
		dir, certs, port, chall, mgmt,
		directory: `https://127.0.0.1:${port}/dir`,
		pebble: null,
		start() {
			this.pebble = spawnServer('pebble', ['-config',
			    path.join(dir, 'pebble.json'), '-dnsserver',
			    `127.0.0.1:${dns}`], {
				PEBBLE_VA_NOSLEEP: '1',
				// Some nonces are refused: blogd must retry.
				PEBBLE_WFE_NONCEREJECT: nonceReject,
				// Every order needs its challenge answered.
				PEBBLE_AUTHZREUSE: '0',
			});
			return waitFor(async () => (await httpsGet(this.directory,
			    certs.ca)).status === 200, 30000, 'pebble answers');
		},
		/* Where the test names resolve from now on. */
		async resolveTo(ip) {
			await new Promise((resolve, reject) => {
				const body = JSON.stringify({ ip });
				const req = http.request({ host: '127.0.0.1',
				    port: mgmt, method: 'POST',
				    path: '/set-default-ipv4' }, (res) => {
					res.resume();
					res.on('end', () => res.statusCode === 200
					    ? resolve() : reject(new Error(
					        `set-default-ipv4: ${res.statusCode}`)));
				});
				req.on('error', reject);
				req.end(body);
			});
		},
		stop() {
			this.pebble?.stop();
			chall.stop();
		},
	};
	// challtestsrv's management port answers once it runs.
	await waitFor(() => new Promise((resolve) => {
		const r = http.get({ host: '127.0.0.1', port: mgmt, path: '/' },
		    (res) => { res.resume(); resolve(true); });
		r.on('error', () => resolve(false));
	}), 15000, 'challtestsrv answers');
	return ca;
}

/* A migrated database and an [acme] config for ca; http/https ports are
 * chosen here so that pebble can be told the HTTP one first. */
async function acmeSite(name, { httpPort, extra = {}, db } = {}) {
	const httpsPort = await freePort();
	const overrides = {
		// Long enough for a kept-alive connection to see a renewal.
		server: { http_listen: `127.0.0.1:${httpPort}`,
		    https_listen: `127.0.0.1:${httpsPort}`, idle_timeout: 300 },
		acme: { domains: DOMAINS, email: 'admin@blog.test',
		    renew_before: 30, retry_min: 2, ...extra },
		log: { level: 'debug' },
	};
	let cfg;
	if (db) {
		cfg = await writeConfig({ ...overrides, database: { name: db } });
	} else {
		cfg = await setupSite(name, overrides);
	}
	// writeConfig picked its own port for base_url; serve on ours.
	cfg.port = httpPort;
	cfg.httpsPort = httpsPort;
	return cfg;
}

/* blogd's log next to its config (kept with BLOGD_TEST_KEEP=1). */
function keepLog(srv) {
	if (srv)
		fs.writeFileSync(path.join(srv.cfg.dir, 'blogd.log'),
		    srv.stderr() + srv.stdout());
}

/*
 * The start of a describe block with one pebble and one blogd ordering
 * from it: pebble for caOptions (left down with up: false), then a site
 * named name and its blogd. Resolves { ca, cfg, srv }; when a step fails,
 * pebble is stopped before the error goes on.
 */
async function caAndBlogd(name, caOptions = {}, { up = true } = {}) {
	const httpPort = await freePort();
	const ca = await startCa({ httpPort, ...caOptions });
	try {
		if (up)
			await ca.start();
		const cfg = await acmeSite(name, { httpPort,
		    extra: { directory: ca.directory, ca_bundle: ca.certs.ca } });
		return { ca, cfg, srv: await startBlogd(cfg) };
	} catch (e) {
		ca.stop();
		throw e;
	}
}

/* The end of such a block: keeps blogd's log, stops both. */
async function stopCaAndBlogd(ca, srv) {
	keepLog(srv);
	await srv?.stop();
	ca?.stop();
}

function issued(srv) {
	return [...srv.stderr().matchAll(ISSUED)].map((m) => ({
		serial: m[1], domains: m[2], issuer: m[3], until: m[4] }));
}

/* The certificate and ACME samples of /metrics text. */
function acmeSamples(text) {
	const out = {};
	for (const line of text.split('\n')) {
		const m = /^(blogd_(?:tls_certificate|acme)_\S+) (-?[\d.]+)$/.exec(line);
		if (m)
			out[m[1]] = Number(m[2]);
	}
	return out;
}

/* /metrics over plain HTTP: only while HTTPS has no certificate (then
 * plain HTTP redirects). */
async function metrics(srv) {
	const res = await srv.get('/metrics');
	expectStatus(res, 200, '/metrics');
	return acmeSamples(res.body);
}

/* /metrics over HTTPS. */
function metricsTls(port) {
	return new Promise((resolve, reject) => {
		const sock = tls.connect({ host: '127.0.0.1', port,
		    servername: DOMAIN, rejectUnauthorized: false }, () => {
			sock.write('GET /metrics HTTP/1.1\r\nHost: ' +
			    `${DOMAIN}\r\nConnection: close\r\n\r\n`);
		});
		let data = '';
		sock.on('data', (d) => { data += d; });
		sock.on('end', () => {
			fs.writeFileSync(path.join(tempDir('metrics'), 'metrics'),
			    data);
			resolve(acmeSamples(data));
		});
		sock.on('error', reject);
		sock.setTimeout(10000, () => sock.destroy(new Error('timeout')));
	});
}

const SUCCESS = 'blogd_acme_renewals_total{result="success"}';
const FAILURE = 'blogd_acme_renewals_total{result="failure"}';

/* The leaf certificate HTTPS offers, with the issuer of each in the chain,
 * as openssl s_client -showcerts sees them. */
function servedChain(port) {
	const r = spawnSync('openssl', ['s_client', '-connect',
	    `127.0.0.1:${port}`, '-servername', DOMAIN, '-showcerts'],
	{ input: '', encoding: 'utf8', timeout: 15000 });
	const pems = (r.stdout ?? '').match(
	    /-----BEGIN CERTIFICATE-----[\s\S]+?-----END CERTIFICATE-----/g) ?? [];
	return pems.map((p) => new crypto.X509Certificate(p));
}

function dbCert(db) {
	const [version, domains, chain] = sql('SELECT version, domains, ' +
	    'REPLACE(chain_pem, "\\n", "|") FROM acme_certificate WHERE id = 1',
	db)[0];
	const pem = chain.replaceAll('|', '\n');
	const leaf = new crypto.X509Certificate(pem.match(
	    /-----BEGIN CERTIFICATE-----[\s\S]+?-----END CERTIFICATE-----/)[0]);
	return { version: Number(version), domains, leaf };
}

describe('configuration', () => {
	test('[acme] with [tls] files or without https_listen is refused',
	    async () => {
		const cfg = await writeConfig({
			server: { https_listen: '127.0.0.1:1' },
			tls: { certificate: '/x.pem', key: '/y.pem' },
			acme: { domains: DOMAIN },
		});
		let r = await cli(cfg, ['check']);
		assert.equal(r.code, 1);
		assert.match(r.stderr, /acme\.domains.*tls\.certificate and tls\.key must be empty/);
		const cfg2 = await writeConfig({ acme: { domains: DOMAIN } });
		r = await cli(cfg2, ['check']);
		assert.equal(r.code, 1);
		assert.match(r.stderr, /acme\.domains.*server\.https_listen is required/);
		const cfg3 = await writeConfig({
			server: { https_listen: '127.0.0.1:1' },
			acme: { domains: '*.blog.test' },
		});
		r = await cli(cfg3, ['check']);
		assert.equal(r.code, 1);
		assert.match(r.stderr, /acme\.domains: '\*\.blog\.test' is not a DNS name/);
	});
});

describe('first issuance', () => {
	let ca, srv, cfg;
	before(async () => {
		({ ca, cfg, srv } = await caAndBlogd('blogd_acme_first'));
	});
	after(() => stopCaAndBlogd(ca, srv));

	test('orders once, stores the certificate, serves it', async () => {
		await waitFor(() => issued(srv).length >= 1, 60000,
		    'a certificate in service');
		const [first] = issued(srv);
		assert.equal(first.domains, DOMAINS);
		assert.match(first.issuer, /Pebble Intermediate CA/);
		const c = dbCert(cfg.db);
		assert.equal(c.version, 1);
		assert.equal(c.domains, DOMAINS);
		assert.match(c.leaf.subjectAltName, /DNS:blog\.test/);
		assert.match(c.leaf.subjectAltName, /DNS:www\.blog\.test/);
		assert.equal(c.leaf.serialNumber.replace(/^0+/, '').toLowerCase(),
		    first.serial.replaceAll(':', '').replace(/^0+/, '')
		        .toLowerCase());
		assert.equal(sqlValue('SELECT orders FROM acme_state', cfg.db),
		    '1');
		assert.equal(sqlValue('SELECT COUNT(*) FROM acme_challenges',
		    cfg.db), '0', 'answers are removed after the order');
		assert.match(sqlValue('SELECT url FROM acme_account', cfg.db),
		    /^https:\/\/127\.0\.0\.1:\d+\//);
		// The account and certificate keys never reach the log.
		assert.doesNotMatch(srv.stderr() + srv.stdout(), /PRIVATE KEY/);
	});

	test('blogd check reads the certificate from the database', async () => {
		const r = await cli(cfg, ['check']);
		assert.equal(r.code, 0, r.stderr);
		assert.match(r.stderr, /acme: the database's certificate for blog\.test,www\.blog\.test is valid until \d{4}-/);
		assert.match(r.stdout, /^ok$/m);
	});

	test('plain HTTP redirects once HTTPS has a certificate', async () => {
		const res = await request(cfg.port, 'GET', '/metrics',
		    { headers: { Connection: 'close' } });
		expectStatus(res, 301, 'plain HTTP once HTTPS has a certificate');
		assert.equal(res.headers.location,
		    `https://127.0.0.1:${cfg.httpsPort}/metrics`);
	});

	test('/metrics over HTTPS: expiry and the last renewal', async () => {
		const m = await metricsTls(cfg.httpsPort);
		const expiry = Number(sqlValue('SELECT not_after FROM ' +
		    'acme_certificate', cfg.db));
		assert.equal(m.blogd_tls_certificate_expiry_seconds, expiry);
		assert.equal(Date.parse(dbCert(cfg.db).leaf.validTo) / 1000,
		    expiry);
		assert.equal(m[SUCCESS], 1);
		assert.equal(m[FAILURE], 0);
		assert.equal(m.blogd_acme_last_renewal_success, 1);
		const days = (expiry - Date.now() / 1000) / 86400;
		assert.ok(Math.abs(m.blogd_tls_certificate_days_left - days) < 0.01,
		    `days left ${m.blogd_tls_certificate_days_left} vs ${days}`);
	});

	test('the challenge URL answers from the database, else webroot',
	    async () => {
		sql('INSERT INTO acme_challenges VALUES ' +
		    `('tok_123-abc', 'tok_123-abc.thumb', 0)`, cfg.db);
		let res = await request(cfg.port, 'GET',
		    '/.well-known/acme-challenge/tok_123-abc');
		expectStatus(res, 200, 'own challenge');
		assert.equal(res.body, 'tok_123-abc.thumb');
		fs.mkdirSync(path.join(cfg.webroot, '.well-known',
		    'acme-challenge'), { recursive: true });
		fs.writeFileSync(path.join(cfg.webroot, '.well-known',
		    'acme-challenge', 'certbot1'), 'from-webroot');
		res = await request(cfg.port, 'GET',
		    '/.well-known/acme-challenge/certbot1');
		expectStatus(res, 200, 'webroot challenge');
		assert.equal(res.body, 'from-webroot');
		res = await request(cfg.port, 'GET',
		    '/.well-known/acme-challenge/nothing');
		expectStatus(res, 404, 'unknown token');
		sql('DELETE FROM acme_challenges', cfg.db);
	});

	test('HTTPS serves the pebble-issued chain', async () => {
		const chain = servedChain(cfg.httpsPort);
		assert.ok(chain.length >= 2, 'leaf and intermediate');
		assert.equal(chain[0].serialNumber, dbCert(cfg.db).leaf.serialNumber);
		assert.match(chain[0].issuer, /Pebble Intermediate CA/);
		assert.ok(chain[0].checkIssued(chain[1]));
	});
});

describe('ACME server down at start', () => {
	let ca, srv, cfg;
	before(async () => {
		// Half the nonces are refused: blogd retries them. pebble is
		// not started yet: nothing listens on its port.
		({ ca, cfg, srv } = await caAndBlogd('blogd_acme_down',
		    { nonceReject: '50' }, { up: false }));
	});
	after(() => stopCaAndBlogd(ca, srv));

	test('plain HTTP serves, the failure is logged, then it issues',
	    async () => {
		await waitFor(() => /acme: ordering a certificate for \S+ failed: .*127\.0\.0\.1.*HTTPS has no certificate yet and plain HTTP keeps serving; next try at \d{4}-\d\d-\d\d [\d:]+ UTC \(in \d+ s\)/
		    .test(srv.stderr()), 30000, 'the failure logged');
		const home = await request(cfg.port, 'GET', '/');
		expectStatus(home, 200, 'plain HTTP serves pages meanwhile');
		const m = await metrics(srv);
		assert.ok(m[FAILURE] >= 1, JSON.stringify(m));
		assert.equal(m[SUCCESS], 0);
		assert.equal(m.blogd_acme_last_renewal_success, 0);
		assert.ok(m.blogd_acme_next_renewal_timestamp_seconds >
		    Date.now() / 1000 - 5);
		assert.equal(m.blogd_tls_certificate_expiry_seconds, undefined,
		    'no certificate yet');
		// HTTPS has nothing to offer: the handshake fails.
		const r = spawnSync('openssl', ['s_client', '-connect',
		    `127.0.0.1:${cfg.httpsPort}`], { input: '',
		    encoding: 'utf8', timeout: 15000 });
		assert.doesNotMatch(r.stdout, /BEGIN CERTIFICATE/);
		await ca.start();
		await waitFor(() => issued(srv).length >= 1, 90000,
		    'issued once the CA is up');
		assert.ok(Number(sqlValue('SELECT orders FROM acme_state',
		    cfg.db)) >= 1);
		assert.equal(sqlValue('SELECT failures FROM acme_state', cfg.db),
		    '0');
		assert.equal(sqlValue('SELECT last_result FROM acme_state',
		    cfg.db), 'ok');
		assert.match(srv.stderr(), /refused the nonce; retrying/,
		    'badNonce answers were retried');
	});
});

describe('a failing challenge', () => {
	let ca, srv, cfg;
	before(async () => {
		// The names resolve to 127.0.0.2, where blogd does not listen.
		({ ca, cfg, srv } = await caAndBlogd('blogd_acme_fail',
		    { ipv4: '127.0.0.2' }));
	});
	after(() => stopCaAndBlogd(ca, srv));

	test('is logged, blogd keeps serving, a later retry succeeds',
	    async () => {
		await waitFor(() => /acme: ordering a certificate for \S+ failed: HTTP-01 challenge for (www\.)?blog\.test failed: connection: .*; HTTPS has no certificate yet and plain HTTP keeps serving; next try at .* \(in \d+ s\)/
		    .test(srv.stderr()), 60000, 'the failed challenge logged');
		const m = await metrics(srv);
		assert.ok(m[FAILURE] >= 1, JSON.stringify(m));
		assert.equal(m.blogd_acme_last_renewal_success, 0);
		assert.ok(Number(sqlValue('SELECT failures FROM acme_state',
		    cfg.db)) >= 1);
		assert.match(sqlValue('SELECT last_result FROM acme_state',
		    cfg.db), /HTTP-01 challenge/);
		expectStatus(await request(cfg.port, 'GET', '/'), 200,
		    'pages still served');
		await ca.resolveTo('127.0.0.1');
		await waitFor(() => issued(srv).length >= 1, 90000,
		    'issued on a later retry');
		assert.equal(sqlValue('SELECT failures FROM acme_state', cfg.db),
		    '0');
	});
});

describe('renewal', () => {
	let ca, srv, cfg;
	before(async () => {
		// 40 s certificates: renewed half way, every ~20 s.
		({ ca, cfg, srv } = await caAndBlogd('blogd_acme_renew',
		    { validity: 40 }));
	});
	after(() => stopCaAndBlogd(ca, srv));

	test('a due certificate is replaced without a restart', async () => {
		await waitFor(() => issued(srv).length >= 2, 120000,
		    'a second certificate in service');
		const [a, b] = issued(srv);
		assert.notEqual(a.serial, b.serial);
		assert.ok(dbCert(cfg.db).version >= 2);
		assert.match(srv.stderr(), /acme: ordering a certificate for \S+ from \S+: it is due for renewal/);
		assert.ok(srv.alive());
	});

	test('an open HTTPS keep-alive connection survives the renewal',
	    async () => {
		const before = dbCert(cfg.db).version;
		const sock = tls.connect({ host: '127.0.0.1',
		    port: cfg.httpsPort, servername: DOMAIN,
		    rejectUnauthorized: false });
		await new Promise((resolve, reject) => {
			sock.once('secureConnect', resolve);
			sock.once('error', reject);
		});
		const oldSerial = sock.getPeerCertificate().serialNumber;
		const ask = () => new Promise((resolve, reject) => {
			let data = '';
			const onData = (d) => {
				data += d;
				if (/\r\n\r\n/.test(data) &&
				    /Content-Length: (\d+)/i.test(data)) {
					const len = Number(/Content-Length: (\d+)/i
					    .exec(data)[1]);
					const body = data.split('\r\n\r\n')[1];
					if (Buffer.byteLength(body) >= len) {
						sock.off('data', onData);
						resolve(data);
					}
				}
			};
			sock.on('data', onData);
			sock.once('error', reject);
			sock.write('GET /healthz HTTP/1.1\r\nHost: ' +
			    `${DOMAIN}\r\n\r\n`);
		});
		assert.match(await ask(), /^HTTP\/1\.1 200/);
		await waitFor(() => dbCert(cfg.db).version > before &&
		    issued(srv).length > before, 120000, 'renewed');
		assert.match(await ask(), /^HTTP\/1\.1 200/,
		    'the same connection still answers');
		sock.end();
		const chain = servedChain(cfg.httpsPort);
		assert.notEqual(chain[0].serialNumber, oldSerial,
		    'new connections get the new certificate');
	});

	test('a failed renewal keeps the certificate in service; a retry ' +
	    'succeeds', async () => {
		const failed = /acme: ordering a certificate for \S+ failed: HTTP-01 challenge for (www\.)?blog\.test failed: .*; the certificate in service \(valid until [^)]+\) stays; next try at .* \(in \d+ s\)/;
		assert.doesNotMatch(srv.stderr(), failed);
		await ca.resolveTo('127.0.0.2');
		await waitFor(() => failed.test(srv.stderr()), 90000,
		    'a failed renewal logged');
		const version = dbCert(cfg.db).version;
		assert.match(sqlValue('SELECT last_result FROM acme_state',
		    cfg.db), /HTTP-01 challenge/);
		expectStatus(await request(cfg.port, 'GET', '/healthz'), 200,
		    'still serving');
		await ca.resolveTo('127.0.0.1');
		await waitFor(() => dbCert(cfg.db).version > version, 90000,
		    'renewed on a later try');
		await waitFor(() => sqlValue('SELECT failures FROM acme_state',
		    cfg.db) === '0', 10000, 'the failure count reset');
	});
});

describe('two instances on one database', () => {
	let ca, a, b, cfgA, cfgB;
	before(async () => {
		const httpPort = await freePort();
		// pebble validates on A's port; A answers B's challenges
		// from the database if B is the one that orders.
		ca = await startCa({ httpPort });
		await ca.start();
		const extra = { directory: ca.directory, ca_bundle: ca.certs.ca };
		cfgA = await acmeSite('blogd_acme_two', { httpPort, extra });
		cfgB = await acmeSite('blogd_acme_two', { httpPort:
		    await freePort(), extra, db: 'blogd_acme_two' });
		[a, b] = await Promise.all([startBlogd(cfgA), startBlogd(cfgB)]);
	});
	after(async () => {
		keepLog(a);
		keepLog(b);
		await a?.stop();
		await b?.stop();
		ca?.stop();
	});

	test('one order, both serve the same certificate', async () => {
		await waitFor(() => issued(a).length >= 1 &&
		    issued(b).length >= 1, 90000, 'both serve a certificate');
		assert.equal(issued(a)[0].serial, issued(b)[0].serial);
		assert.equal(sqlValue('SELECT orders FROM acme_state',
		    'blogd_acme_two'), '1');
		const orderers = [a, b].filter((s) =>
		    /acme: ordering a certificate/.test(s.stderr()));
		assert.equal(orderers.length, 1, 'exactly one instance ordered');
		assert.equal(dbCert('blogd_acme_two').version, 1);
	});

	test('both serve it over HTTPS', async () => {
		const serial = dbCert('blogd_acme_two').leaf.serialNumber;
		assert.equal(servedChain(cfgA.httpsPort)[0]?.serialNumber, serial);
		assert.equal(servedChain(cfgB.httpsPort)[0]?.serialNumber, serial);
	});
});
