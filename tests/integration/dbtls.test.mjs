// The database over TLS, the way RDS is used in production (docs/DEPLOY.md
// step 6): a second private MariaDB of this file's own, started with a
// server certificate from a CA made here, and an account created with
// REQUIRE SSL. blogd must verify the server against [database] ssl_ca when
// ssl_verify is on, refuse a wrong CA and a server without TLS with one
// clear line, and cannot use the REQUIRE SSL account in plain text.

import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';

import {
	DB, SRC, addPost, addUser, assertExit, assertOneLine, cli,
	expectBody, expectStatus, startBlogd, writeConfig,
} from './lib.mjs';

const CTL = path.join(SRC, 'scripts', 'mariadb-ctl.sh');
const DBNAME = 'blogd_dbtls';

function openssl(args) {
	execFileSync('openssl', args, { stdio: ['ignore', 'ignore', 'pipe'] });
}

/* A CA (key + self-signed certificate) in dir/name.{key,crt}. */
function makeCA(dir, name) {
	const key = path.join(dir, `${name}.key`);
	const crt = path.join(dir, `${name}.crt`);
	openssl(['req', '-x509', '-newkey', 'ec', '-pkeyopt',
	    'ec_paramgen_curve:P-256', '-nodes', '-keyout', key, '-out', crt,
	    '-days', '2', '-subj', `/CN=${name}`, '-addext',
	    'basicConstraints=critical,CA:TRUE', '-addext',
	    'keyUsage=critical,keyCertSign,cRLSign']);
	return { key, crt };
}

/* A server certificate for the names in san, signed by ca, in
 * dir/name.{key,crt}. */
function makeServerCert(dir, ca, name, san) {
	const key = path.join(dir, `${name}.key`);
	const csr = path.join(dir, `${name}.csr`);
	const crt = path.join(dir, `${name}.crt`);
	const ext = path.join(dir, `${name}.ext`);
	fs.writeFileSync(ext, `subjectAltName = ${san}\n` +
	    'extendedKeyUsage = serverAuth\n');
	openssl(['req', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:P-256',
	    '-nodes', '-keyout', key, '-out', csr, '-subj', `/CN=${name}`]);
	openssl(['x509', '-req', '-in', csr, '-CA', ca.crt, '-CAkey', ca.key,
	    '-CAcreateserial', '-out', crt, '-days', '2', '-extfile', ext]);
	return { key, crt };
}

/*
 * A private MariaDB with TLS, started through scripts/mariadb-ctl.sh (the
 * same as scripts/with-mariadb.sh): the first start creates the data
 * directory and my.cnf, then the TLS options go into a [mariadbd] group
 * (read by the server only, not by the clients) and it starts again on
 * the same port. Its directory lives outside lib.mjs's temp root, which is
 * removed on exit before this file could stop the server from it.
 */
class TlsMariadb {
	constructor() {
		this.base = fs.mkdtempSync(path.join(os.tmpdir(),
		    'blogd-dbtls-'));
		this.running = false;
		this.onExit = () => this.stop();
		process.on('exit', this.onExit);
	}

	ctl(...args) {
		return execFileSync(CTL, args, { encoding: 'utf8',
		    stdio: ['pipe', 'pipe', 'pipe'] });
	}

	sql(query) {
		return execFileSync(CTL, ['sql', this.base, '-N', '-B', '-e',
		    query], { encoding: 'utf8' }).trim();
	}

	start(ca, cert) {
		this.running = true;
		this.ctl('start', this.base, 'auto', '--fast');
		this.ctl('stop', this.base);
		fs.appendFileSync(path.join(this.base, 'my.cnf'),
		    `\n[mariadbd]\nssl-ca = ${ca.crt}\n` +
		    `ssl-cert = ${cert.crt}\nssl-key = ${cert.key}\n`);
		this.ctl('start', this.base);
		this.port = fs.readFileSync(path.join(this.base, 'port'),
		    'utf8').trim();
	}

	/* Stops the server by the pid mariadb-ctl recorded; idempotent. */
	stop() {
		if (this.running) {
			this.running = false;
			try {
				this.ctl('stop', this.base);
			} catch (e) {
				process.stderr.write(`dbtls: stop: ${e.stderr ?? e}\n`);
			}
		}
		fs.rmSync(this.base, { recursive: true, force: true });
		process.removeListener('exit', this.onExit);
	}
}

describe('database over TLS', () => {
	const password = `tls-${Math.random().toString(36).slice(2)}-pw`;
	let server, ca, otherCA, certDir, serverCert;

	before(() => {
		server = new TlsMariadb();
		certDir = fs.mkdtempSync(path.join(server.base, 'certs-'));
		ca = makeCA(certDir, 'blogd-test-ca');
		otherCA = makeCA(certDir, 'some-other-ca');
		serverCert = makeServerCert(certDir, ca, 'server',
		    'IP:127.0.0.1, DNS:localhost');
		server.start(ca, serverCert);
		server.sql(`CREATE DATABASE ${DBNAME};
		    CREATE USER 'tlsuser'@'127.0.0.1' IDENTIFIED BY '${password}'
		    REQUIRE SSL;
		    GRANT ALL ON \`${DBNAME}\`.* TO 'tlsuser'@'127.0.0.1'`);
		assert.match(server.sql("SHOW VARIABLES LIKE 'have_ssl'"),
		    /YES/, 'the private server has TLS on');
	});

	after(() => {
		server?.stop();
	});

	const config = (database) => writeConfig({ database: {
		host: '127.0.0.1', port: server.port, user: 'tlsuser',
		password, name: DBNAME, ...database,
	} });

	const sslAccepts = () => Number(server.sql("SELECT VARIABLE_VALUE " +
	    "FROM information_schema.GLOBAL_STATUS " +
	    "WHERE VARIABLE_NAME = 'SSL_ACCEPTS'"));

	test('check, migrate and serve over a verified connection', async () => {
		const cfg = await config({ ssl_ca: ca.crt, ssl_verify: 'true' });
		const accepts = sslAccepts();
		assertExit(await cli(cfg, ['check']), 0, 'blogd check');
		assertExit(await cli(cfg, ['migrate']), 0, 'blogd migrate');
		await addUser(cfg, 'tina', 'tls-user-password');
		const slug = await addPost(cfg, { title: 'Over TLS',
		    author: 'tina', body: 'Sent *encrypted*.' });
		const srv = await startBlogd(cfg);
		try {
			expectStatus(await srv.get('/healthz'), 200, '/healthz');
			const home = await srv.get('/');
			expectStatus(home, 200, '/');
			expectBody(home, /Over TLS/, '/');
			const post = await srv.get(`/posts/${slug}`);
			expectStatus(post, 200, 'post page');
			expectBody(post, /<em>encrypted<\/em>/, 'post page');
		} finally {
			await srv.stop();
		}
		assert.ok(sslAccepts() > accepts, 'the server saw TLS clients');
	});

	test('a certificate from another CA is refused', async (t) => {
		const cfg = await config({ ssl_ca: otherCA.crt,
		    ssl_verify: 'true' });
		const r = await cli(cfg, ['check']);
		assertExit(r, 1, 'check with the wrong CA');
		const line = assertOneLine(r, 'check with the wrong CA');
		t.diagnostic(line);
		assert.match(line, /database/i);
		assert.match(line, /127\.0\.0\.1:\d+/);
		assert.match(line, /certificate|verif|TLS|SSL/i);
		assert.ok(!line.includes(password), 'no password in the message');
	});

	// What an RDS user gets with the right CA bundle when the endpoint is
	// not the name in the certificate (an IP, a CNAME of their own): the
	// host name is checked, not just the chain. FLUSH SSL makes the server
	// reload the files it was started with.
	test('a certificate for another host name is refused', async (t) => {
		const other = makeServerCert(certDir, ca, 'other',
		    'DNS:db.example.com');
		const keep = makeServerCert(certDir, ca, 'keep', 'IP:127.0.0.1');
		fs.copyFileSync(serverCert.crt, keep.crt);
		fs.copyFileSync(serverCert.key, keep.key);
		const cfg = await config({ ssl_ca: ca.crt, ssl_verify: 'true' });
		try {
			fs.copyFileSync(other.crt, serverCert.crt);
			fs.copyFileSync(other.key, serverCert.key);
			server.sql('FLUSH SSL');
			const r = await cli(cfg, ['check']);
			assertExit(r, 1, 'check against the wrong name');
			const line = assertOneLine(r, 'check against the wrong name');
			t.diagnostic(line);
			assert.match(line, /certificate|verif|TLS|SSL/i);
			// Without ssl_verify the chain is still checked against
			// ssl_ca, but not the name: encrypted, as configured.
			const loose = await config({ ssl_ca: ca.crt,
			    ssl_verify: 'false' });
			assertExit(await cli(loose, ['check']), 0,
			    'check without ssl_verify');
		} finally {
			fs.copyFileSync(keep.crt, serverCert.crt);
			fs.copyFileSync(keep.key, serverCert.key);
			server.sql('FLUSH SSL');
		}
		assertExit(await cli(cfg, ['check']), 0, 'check after restoring');
	});

	test('ssl_verify against a server without TLS is refused', async (t) => {
		const cfg = await writeConfig({ database: {
			ssl_verify: 'true', name: 'blogd' } });
		const r = await cli(cfg, ['check']);
		assertExit(r, 1, 'check against a plain server');
		const line = assertOneLine(r, 'check against a plain server');
		t.diagnostic(line);
		assert.match(line, new RegExp(`${DB.host}:${DB.port}`));
		assert.match(line, /TLS|SSL/i);
	});

	test('a REQUIRE SSL account cannot log in in plain text', async (t) => {
		const cfg = await config({ ssl_ca: '', ssl_verify: 'false' });
		const r = await cli(cfg, ['check']);
		assertExit(r, 1, 'check in plain text');
		const line = assertOneLine(r, 'check in plain text');
		t.diagnostic(line);
		assert.match(line, /Access denied for user 'tlsuser'/);
		assert.ok(!line.includes(password), 'no password in the message');
	});
});
