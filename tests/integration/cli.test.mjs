// The command line: version/help, migrate, check, config errors, user and
// post administration. Each blogd run is a separate process.

import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { before, test } from 'node:test';

import {
	SRC, addUser, assertExit, assertNoCrash, assertOneLine, cli,
	createDatabase, freePort, runBlogd, sql, sqlValue, startBlogd, tempDir,
	writeConfig,
} from './lib.mjs';

const DBNAME = 'blogd_cli';
let cfg;

const migrations = () => fs.readdirSync(path.join(SRC, 'sql'))
    .filter((f) => /^\d+_.*\.sql$/.test(f)).sort();

/* All cells of the users table, one array per row. */
const userRows = () => sql('SELECT * FROM users', DBNAME);
const userRow = (name) => userRows().find((r) => r.includes(name));

before(async () => {
	createDatabase(DBNAME);
	cfg = await writeConfig({ database: { name: DBNAME } });
});

test('version prints the project version', async () => {
	const want = /project\(blogd\s+VERSION\s+([0-9.]+)/.exec(
	    fs.readFileSync(path.join(SRC, 'CMakeLists.txt'), 'utf8'))[1];
	const r = await runBlogd(['version']);
	assertExit(r, 0, 'blogd version');
	assert.ok(r.stdout.includes(want), `version output ${r.stdout} ` +
	    `lacks ${want}`);
});

test('--help names every command and exits 0', async () => {
	const r = await runBlogd(['--help']);
	assertExit(r, 0, 'blogd --help');
	const text = r.stdout + r.stderr;
	for (const word of ['serve', 'migrate', 'check', 'user', 'post', 'media',
	    'redirect', 'import', 'export'])
		assert.match(text, new RegExp(`\\b${word}\\b`),
		    `--help does not mention ${word}:\n${text}`);
});

test('an unknown command is an error', async () => {
	const r = await runBlogd(['frobnicate']);
	assert.notEqual(r.code, 0, 'unknown command exit status');
	assertNoCrash(r, 'blogd frobnicate');
	assert.match(r.stdout + r.stderr, /frobnicate|usage/i);
});

test('migrate applies every file once, then has nothing to apply',
    async () => {
	const files = migrations();
	assert.ok(files.length > 0, 'no migrations under sql/');
	const r1 = await cli(cfg, ['migrate']);
	assertExit(r1, 0, 'first migrate');
	for (const f of files)
		assert.ok(r1.stdout.includes(f.replace(/\.sql$/, '')),
		    `first migrate did not report ${f}:\n${r1.stdout}`);
	const applied = Number(sqlValue('SELECT COUNT(*) FROM ' +
	    'schema_migrations', DBNAME));
	assert.equal(applied, files.length, 'rows in schema_migrations');

	const r2 = await cli(cfg, ['migrate']);
	assertExit(r2, 0, 'second migrate');
	assert.match(r2.stdout + r2.stderr, /nothing to apply/i);
	for (const f of files)
		assert.ok(!r2.stdout.includes(f),
		    `second migrate re-applied ${f}:\n${r2.stdout}`);
	assert.equal(Number(sqlValue('SELECT COUNT(*) FROM ' +
	    'schema_migrations', DBNAME)), files.length);
	for (const t of ['users', 'posts', 'comments', 'tags', 'post_tags',
	    'sessions'])
		sqlValue(`SELECT COUNT(*) FROM \`${t}\``, DBNAME);
});

test('check accepts a good config', async () => {
	const r = await cli(cfg, ['check']);
	assertExit(r, 0, 'blogd check');
});

test('check names an unknown key and an unknown section', async () => {
	const bad = await writeConfig({ database: { name: DBNAME } },
	    '\n[server]\nfrobnicate_level = 3\n');
	let r = await cli(bad, ['check']);
	assertExit(r, 1, 'check with unknown key');
	assert.match(assertOneLine(r, 'unknown key'), /frobnicate_level/);

	const bad2 = await writeConfig({ database: { name: DBNAME } },
	    '\n[gizmo]\nx = 1\n');
	r = await cli(bad2, ['check']);
	assertExit(r, 1, 'check with unknown section');
	assert.match(assertOneLine(r, 'unknown section'), /gizmo/);
});

test('check names the key of a bad value', async () => {
	const bad = await writeConfig({ database: { name: DBNAME },
	    server: { threads: 'abc' } });
	const r = await cli(bad, ['check']);
	assertExit(r, 1, 'check with threads = abc');
	const line = assertOneLine(r, 'bad value');
	assert.match(line, /threads/);
	assert.match(line, /abc/);
});

test('a missing config file is named', async () => {
	const r = await runBlogd(['check', '-c', '/nonexistent/qa-blogd.conf']);
	assertExit(r, 1, 'check with a missing file');
	assert.match(assertOneLine(r, 'missing file'),
	    /\/nonexistent\/qa-blogd\.conf/);
});

test('a missing templates dir fails check naming it', async () => {
	const bad = await writeConfig({ database: { name: DBNAME },
	    paths: { templates: '/nonexistent/qa-templates' } });
	const r = await cli(bad, ['check']);
	assertExit(r, 1, 'check with missing templates');
	assert.match(assertOneLine(r, 'missing templates'),
	    /qa-templates/);
});

test('[paths] templates: own templates first, the packaged ones for the rest',
    async () => {
	const own = tempDir('own-templates');
	const packaged = path.join(SRC, 'templates');
	const layout = fs.readFileSync(path.join(packaged, 'layout.tpl'), 'utf8');
	fs.writeFileSync(path.join(own, 'layout.tpl'), layout.replace('<head>',
	    '<head><meta name="qa-own-layout" content="1">'));
	const site = await writeConfig({ database: { name: DBNAME },
	    paths: { templates: `${own}:${packaged}` } });
	assertExit(await cli(site, ['check']), 0, 'check with a search path');
	const srv = await startBlogd(site);
	try {
		// The own layout wraps every page, the packaged ones fill it.
		for (const target of ['/', '/admin/login']) {
			const r = await srv.get(target);
			assert.equal(r.status, 200, target);
			assert.match(r.body, /<meta name="qa-own-layout" content="1">/,
			    target);
		}
		assert.match((await srv.get('/admin/login')).body,
		    /name="password"/, 'the packaged sign-in form');
	} finally {
		await srv.stop();
	}
	// Alone, the own directory lacks what blogd needs: named.
	const alone = await writeConfig({ database: { name: DBNAME },
	    paths: { templates: own } });
	const r = await cli(alone, ['check']);
	assertExit(r, 1, 'check with an incomplete directory');
	assert.match(assertOneLine(r, 'incomplete templates'),
	    /own-templates[^/]*\/error\.tpl: No such file/);
	const gap = await writeConfig({ database: { name: DBNAME },
	    paths: { templates: `${own}:/nonexistent/qa-more` } });
	assert.match(assertOneLine(await cli(gap, ['check']), 'a missing dir'),
	    /\/nonexistent\/qa-more: No such file/);
});

test('environment overrides the file (database port)', async () => {
	const dead = await freePort();
	const r = await cli(cfg, ['check'], { env: {
	    BLOGD_DATABASE_PORT: String(dead) } });
	assertExit(r, 1, 'check with BLOGD_DATABASE_PORT pointing nowhere');
	const line = assertOneLine(r, 'unreachable DB');
	assert.match(line, /database|mariadb|mysql/i);
	assert.match(line, new RegExp(`${dead}|127\\.0\\.0\\.1|connect`, 'i'));

	// The same override with the right port passes: it is the
	// environment that broke it, not the file.
	const ok = await cli(cfg, ['check'], { env: {
	    BLOGD_DATABASE_PORT: String(process.env.BLOGD_TEST_DB_PORT) } });
	assertExit(ok, 0, 'check with the right port in the environment');
});

test('an unknown BLOGD_ variable is named', async () => {
	const r = await cli(cfg, ['check'], { env: {
	    BLOGD_SERVER_FROBNICATE: '1' } });
	assertExit(r, 1, 'check with BLOGD_SERVER_FROBNICATE');
	assert.match(assertOneLine(r, 'unknown env'), /FROBNICATE/i);
});

test('an unreachable DB is one line and exit 1 for every command',
    async () => {
	const dead = await freePort();
	const env = { BLOGD_DATABASE_PORT: String(dead),
	    BLOGD_DATABASE_CONNECT_TIMEOUT: '2' };
	// Every command is tried before failing, so the report names all.
	const problems = [];
	for (const args of [['check'], ['migrate'], ['user', 'list'],
	    ['user', 'add', 'x', '--password-stdin'],
	    ['post', 'add', '--title', 'X', '--author', 'nobody']]) {
		const what = `${args.join(' ')} with the DB down`;
		const t0 = Date.now();
		const r = await cli(cfg, args, { env, stdin: 'body body body\n' });
		try {
			assertExit(r, 1, what);
			assertOneLine(r, what);
			assert.ok(Date.now() - t0 < 15000, `${what} took ` +
			    `${Date.now() - t0} ms`);
		} catch (e) {
			problems.push(e.message);
		}
	}
	assert.deepEqual(problems, []);
});

test('user add, list, passwd, del', async () => {
	const pw = 'correct horse battery staple 42';
	const r = await addUser(cfg, 'alice', pw);
	assert.ok(!(r.stdout + r.stderr).includes(pw), 'password echoed');
	await addUser(cfg, 'root-admin', 'another secret pw 99', true);

	const row = userRow('alice');
	assert.ok(row, `alice not in users: ${JSON.stringify(userRows())}`);
	const hash = row.find((c) => c.startsWith('$argon2'));
	assert.match(hash ?? '', /^\$argon2id\$/, 'argon2id hash stored');
	assert.ok(!row.includes(pw), 'plain password stored');

	const dup = await cli(cfg, ['user', 'add', 'alice',
	    '--password-stdin'], { stdin: 'whatever pass 1\n' });
	assertExit(dup, 1, 'duplicate user add');
	assertOneLine(dup, 'duplicate user add');

	const list = await cli(cfg, ['user', 'list']);
	assertExit(list, 0, 'user list');
	assert.match(list.stdout, /\balice\b/);
	assert.match(list.stdout, /\broot-admin\b/);
	assert.ok(!list.stdout.includes('$argon2'), 'list shows hashes');

	// A session of alice's, as a sign-in (or a thief) would have made.
	const sessions = () => sqlValue('SELECT COUNT(*) FROM sessions s ' +
	    "JOIN users u ON u.id = s.user_id WHERE u.name = 'alice'", DBNAME);
	sql('INSERT INTO sessions (token_hash, user_id, expires_at) ' +
	    "SELECT UNHEX(SHA2('cli test', 256)), id, UTC_TIMESTAMP() + " +
	    "INTERVAL 1 HOUR FROM users WHERE name = 'alice'", DBNAME);
	assert.equal(sessions(), '1');
	const pw2 = await cli(cfg, ['user', 'passwd', 'alice',
	    '--password-stdin'], { stdin: 'a brand new password 7\n' });
	assertExit(pw2, 0, 'user passwd');
	assert.equal(sessions(), '0', 'a new password left a session open');
	const hash2 = userRow('alice').find((c) => c.startsWith('$argon2'));
	assert.match(hash2 ?? '', /^\$argon2id\$/);
	assert.notEqual(hash2, hash, 'passwd did not change the hash');

	const nobody = await cli(cfg, ['user', 'passwd', 'nobody-here',
	    '--password-stdin'], { stdin: 'some password 123\n' });
	assertExit(nobody, 1, 'passwd of an unknown user');

	const del = await cli(cfg, ['user', 'del', 'alice']);
	assertExit(del, 0, 'user del');
	assert.equal(userRow('alice'), undefined, 'alice still stored');
	const list2 = await cli(cfg, ['user', 'list']);
	assertExit(list2, 0, 'user list after del');
	assert.doesNotMatch(list2.stdout, /\balice\b/);
	assert.match(list2.stdout, /\broot-admin\b/);

	const del2 = await cli(cfg, ['user', 'del', 'alice']);
	assertExit(del2, 1, 'deleting a user twice');
});

test('post add prints unique slugs, saves drafts and tags', async () => {
	await addUser(cfg, 'writer', 'writer password 123');
	const add = (args, stdin = '# Hi\n\nText.\n') =>
		cli(cfg, ['post', 'add', ...args], { stdin });

	const r1 = await add(['--title', 'Hello, World!', '--author',
	    'writer', '--tags', 'c,web']);
	assertExit(r1, 0, 'post add');
	const s1 = r1.stdout.trim();
	assert.match(s1, /^[a-z0-9]+(-[a-z0-9]+)*$/, 'slug shape');
	assert.match(s1, /hello-world/);

	const r2 = await add(['--title', 'Hello, World!', '--author',
	    'writer']);
	assertExit(r2, 0, 'second post add, same title');
	const s2 = r2.stdout.trim();
	assert.match(s2, /^[a-z0-9]+(-[a-z0-9]+)*$/);
	assert.notEqual(s2, s1, 'same slug twice');

	const r3 = await add(['--title', 'Custom', '--author', 'writer',
	    '--slug', 'my-own-slug', '--draft']);
	assertExit(r3, 0, 'post add --slug --draft');
	assert.equal(r3.stdout.trim(), 'my-own-slug');

	assert.equal(sqlValue("SELECT status FROM posts WHERE slug = '" +
	    s1 + "'", DBNAME), 'published');
	assert.equal(sqlValue("SELECT status FROM posts WHERE slug = " +
	    "'my-own-slug'", DBNAME), 'draft');
	const html = sqlValue(`SELECT body_html FROM posts WHERE slug = ` +
	    `'${s1}'`, DBNAME);
	assert.match(html, /<h1>Hi<\/h1>/, 'body_html rendered');
	assert.equal(Number(sqlValue('SELECT COUNT(*) FROM post_tags pt ' +
	    'JOIN posts p ON p.id = pt.post_id WHERE p.slug = ' +
	    `'${s1}'`, DBNAME)), 2, 'tags attached');

	const nposts = sqlValue('SELECT COUNT(*) FROM posts', DBNAME);
	const r4 = await add(['--title', 'Orphan', '--author', 'ghost']);
	assertExit(r4, 1, 'post add with an unknown author');
	assert.match(assertOneLine(r4, 'unknown author'), /ghost/);
	assert.equal(sqlValue('SELECT COUNT(*) FROM posts', DBNAME), nposts,
	    'a post was stored for an unknown author');

	// A slug in use is refused or replaced, never stored twice.
	const r5 = await add(['--title', 'Taken', '--author', 'writer',
	    '--slug', 'my-own-slug']);
	assertNoCrash(r5, 'post add with a slug in use');
	if (r5.code === 0)
		assert.notEqual(r5.stdout.trim(), 'my-own-slug');
	else
		assertExit(r5, 1, 'post add with a slug in use');
	assert.equal(sqlValue("SELECT COUNT(*) FROM posts WHERE slug = " +
	    "'my-own-slug'", DBNAME), '1');

	// The title limit counts characters, as the admin form does: 200
	// accented letters (400 bytes) fit, 201 do not.
	const r6 = await add(['--title', 'é'.repeat(200), '--author',
	    'writer']);
	assertExit(r6, 0, 'post add with a 200-character, 400-byte title');
	const r7 = await add(['--title', 'é'.repeat(201), '--author',
	    'writer']);
	assertExit(r7, 1, 'post add with a 201-character title');
	assert.match(assertOneLine(r7, 'long title'), /title/);
});
