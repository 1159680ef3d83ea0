// blogd import django against a real Django 3.2 blog (tests/django/):
// migrated into a second database on the private MariaDB and filled
// through Django's ORM, so hashes, dates and time zones are Django's own;
// then imported through the binary (as a SELECT-only account) and checked
// through SQL and HTTP.

import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { after, before, test } from 'node:test';

import {
	CookieJar, DB, SRC, addPost, assertExit, assertOneLine, cli, createDatabase,
	csrfFrom, expectBody, expectNoBody, expectStatus, setupSite, sql,
	sqlValue, startBlogd, tempDir, waitFor,
} from './lib.mjs';

const DJ = 'blogd_django';
const SITE = 'blogd_import';
const READER = 'djread';
const READER_PW = 'read-only pw 7';
const URL = `mysql://${READER}@127.0.0.1:${DB.port}/${DJ}`;
const OLD_URLS = '/blog/{yyyy}/{m}/{d}/{slug}/';
const DATE = "'%Y-%m-%d %H:%i:%s'";

let cfg;
let srv;
const dir = tempDir('django');

/* Runs tests/django/<script> with Debian's python (where Django is). */
function django(...args) {
	execFileSync('/usr/bin/python3', [path.join(SRC, 'tests/django',
	    args[0]), ...args.slice(1)], {
		env: { ...process.env, DJ_DB_NAME: DJ, DJ_DB_USER: DB.user,
		    DJ_DB_PASSWORD: DB.password, DJ_DB_HOST: DB.host,
		    DJ_DB_PORT: DB.port },
		stdio: ['ignore', 'pipe', 'pipe'],
	});
}

function importDjango(args = [], { password = READER_PW, url = URL } = {}) {
	return cli(cfg, ['import', 'django', url, '--password-stdin', ...args],
	    { stdin: `${password}\n`, timeout: 120000 });
}

function mapFile(name, text) {
	const file = path.join(dir, name);
	fs.writeFileSync(file, text);
	return file;
}

const count = (table) => Number(sqlValue(`SELECT COUNT(*) FROM ${table}`,
    SITE));
const hashOf = (name) => sqlValue('SELECT password_hash FROM users ' +
    `WHERE name = '${name}'`, SITE);
const djangoHash = (name) => sqlValue('SELECT password FROM auth_user ' +
    `WHERE username = '${name}'`, DJ);

async function signIn(username, password, jar = new CookieJar()) {
	const form = await srv.get('/admin/login', { jar });
	expectStatus(form, 200, 'GET /admin/login');
	return srv.request('POST', '/admin/login', { jar,
	    body: { username, password, csrf_token: csrfFrom(form.body) } });
}

before(async () => {
	createDatabase(DJ);
	// The import reads with an account that can do nothing else.
	for (const host of ['127.0.0.1', 'localhost'])
		sql(`CREATE USER IF NOT EXISTS '${READER}'@'${host}' ` +
		    `IDENTIFIED BY '${READER_PW}'; ` +
		    `GRANT SELECT ON \`${DJ}\`.* TO '${READER}'@'${host}'`);
	django('manage.py', 'migrate', '-v0');
	django('fill.py', 'initial');
	cfg = await setupSite(SITE);
});

after(async () => {
	if (srv)
		await srv.stop();
});

test('bad input is one line naming the cause, and nothing is written',
    async () => {
	const cases = [
		[{ password: 'wrong' }, [], /djread.*Access denied/],
		[{ url: 'http://example.org/blog' }, [],
			/bad URL: it must start with mysql:\/\//],
		[{ url: `mysql://${READER}:pw@127.0.0.1/${DJ}` }, [],
			/password in the URL/],
		[{}, ['--map', mapFile('table.ini', '[posts]\ntable = blog_entries\n')],
			/database 'blogd_django' has no table 'blog_entries' \(\[posts\] table\)/],
		[{}, ['--map', mapFile('column.ini', '[comments]\nactive = approved\n')],
			/table 'blog_comment' has no column 'approved' \(\[comments\] active\)/],
		// A column the map names must exist, the default 'email' need not.
		[{}, ['--map', mapFile('email.ini', '[comments]\nemail = mail\n')],
			/table 'blog_comment' has no column 'mail' \(\[comments\] email\)/],
		// So must a redirects table the map names (the default need not).
		[{}, ['--map', mapFile('redir.ini', '[redirects]\ntable = moved\n')],
			/has no table 'moved' \(\[redirects\] table\)/],
		[{}, ['--map', mapFile('redirid.ini', '[redirects]\nid = rid\n')],
			/table 'django_redirect' has no column 'rid' \(\[redirects\] id\)/],
		[{}, ['--map', mapFile('key.ini', '[posts]\ntitel = title\n')],
			/key\.ini:2: unknown key 'titel' in \[posts\]/],
		[{}, ['--old-urls', '/blog/{year}/{slug}/'],
			/unknown placeholder '\{year\}'/],
	];
	for (const [opts, args, re] of cases) {
		const r = await importDjango(args, opts);
		assertExit(r, 1, `import ${JSON.stringify([opts, args])}`);
		assert.match(assertOneLine(r, `${re}`), re);
	}
	for (const t of ['users', 'posts', 'comments', 'redirects'])
		assert.equal(count(t), 0, `${t} after failed imports`);
});

test('--dry-run prints the summary and writes nothing', async () => {
	const r = await importDjango(['--dry-run', '--old-urls', OLD_URLS]);
	assertExit(r, 0, 'import --dry-run');
	assert.match(r.stdout, /^dry run: nothing was written/);
	assert.match(r.stdout, /^users +4 added,/m);
	assert.match(r.stdout, /^posts +4 added,/m);
	assert.match(r.stdout, /^comments +3 added,/m);
	// The same over the server's socket.
	const sock = await importDjango(['--dry-run'], { url:
	    `mysql://${READER}@/${DJ}?socket=${encodeURIComponent(DB.socket)}` });
	assertExit(sock, 0, 'import --dry-run over the socket');
	assert.match(sock.stdout, /^posts +4 added,/m);
	// Without --old-urls all 5 of contrib.redirects' rows.
	assert.match(sock.stdout, /^redirects +5 added,/m, 'contrib.redirects');
	// A Django without the redirects app: nothing to say about it.
	sql('RENAME TABLE django_redirect TO django_redirect_away', DJ);
	try {
		const bare = await importDjango(['--dry-run']);
		assertExit(bare, 0, 'import --dry-run without django_redirect');
		assert.match(bare.stdout, /^redirects +0 added,/m);
	} finally {
		sql('RENAME TABLE django_redirect_away TO django_redirect', DJ);
	}
	for (const t of ['users', 'posts', 'comments', 'redirects', 'tags'])
		assert.equal(count(t), 0, `${t} after a dry run`);
});

test('import copies users with their hashes, posts, comments, tags',
    async () => {
	const r = await importDjango(['--old-urls', OLD_URLS]);
	assertExit(r, 0, 'import');
	assert.match(r.stdout, /^users +4 added, 0 updated, 0 unchanged/m);
	assert.match(r.stdout, /^posts +4 added, 0 updated, 0 unchanged, 0 skipped/m);
	assert.match(r.stdout, /^comments +3 added, 0 updated, 0 unchanged, 0 skipped/m);
	// The posts' 4 old URLs, and 4 of contrib.redirects' 5 rows: the
	// fifth is a post's old URL, which stays the post's.
	assert.match(r.stdout,
	    /^redirects +8 added, 0 updated, 1 unchanged, 0 skipped$/m);
	// Progress and notes go to stderr.
	assert.match(r.stderr, /4\/4 posts/);
	assert.match(r.stderr, /user 'dan@home' is 'dan_home' in blogd/);

	assert.match(hashOf('alice'), /^pbkdf2_sha256\$/);
	assert.equal(hashOf('alice'), djangoHash('alice'));
	const admin = (n) => sqlValue(`SELECT is_admin FROM users WHERE name = '${n}'`, SITE);
	assert.equal(admin('alice'), '1', 'superuser');
	assert.equal(admin('dan_home'), '1', 'staff');
	assert.equal(admin('bob'), '0', 'neither');
	assert.equal(hashOf('carol'), `!${djangoHash('carol')}`, 'inactive');

	// Dates as Django stored them (UTC), not shifted by its TIME_ZONE.
	const post = (slug, col) => sqlValue(`SELECT ${col} FROM posts ` +
	    `WHERE slug = '${slug}'`, SITE);
	assert.equal(post('hello-django', 'published_at'), '2023-03-05 23:30:00');
	assert.equal(post('hello-django', 'created_at'), sqlValue(
	    `SELECT DATE_FORMAT(created, ${DATE}) FROM blog_post ` +
	    "WHERE slug = 'hello-django'", DJ));
	assert.equal(post('hello-django', 'status'), 'published');
	assert.equal(post('secret-draft', 'status'), 'draft');
	assert.equal(post('html-post', 'body_format'), 'html');
	assert.equal(post('hello-django', 'body_format'), 'markdown');
	assert.equal(post('old-style-slug', 'title'), 'Old style slug');
	assert.equal(sqlValue("SELECT u.name FROM posts p JOIN users u ON " +
	    "u.id = p.author_id WHERE p.slug = 'html-post'", SITE), 'bob');
	// The spammer's address is 150 'ü' (x'C3BC') and a domain: compared in
	// the server, whatever the client's character set.
	assert.deepEqual(sql("SELECT name, status, IF(name = 'Spammer', " +
	    "CONCAT(CHAR_LENGTH(email), ' ', LENGTH(email), ' ', email = " +
	    "CONCAT(REPEAT(_utf8mb4 x'C3BC', 150), '@example.org')), email) " +
	    'FROM comments ORDER BY id', SITE),
	    [['Reader One', 'approved', 'one@example.org'],
	    ['Reader Two', 'approved', 'two@example.org'],
	    ['Spammer', 'pending', '162 312 1']]);
	assert.deepEqual(sql('SELECT created_at FROM comments ORDER BY id',
	    SITE), sql(`SELECT DATE_FORMAT(created, ${DATE}) FROM ` +
	    'blog_comment ORDER BY id', DJ), 'comment dates');
	assert.deepEqual(sql("SELECT t.name FROM tags t JOIN post_tags pt ON " +
	    "pt.tag_id = t.id JOIN posts p ON p.id = pt.post_id WHERE " +
	    "p.slug = 'hello-django' ORDER BY t.name", SITE),
	    [['django'], ['python']]);
	srv = await startBlogd(cfg);
});

test('pages: posts, drafts hidden, dates, comments, tags, HTML bodies',
    async () => {
	const hello = await srv.get('/posts/hello-django');
	expectStatus(hello, 200, 'imported post');
	expectBody(hello, /Hello from Django/);
	expectBody(hello, /<em>Markdown<\/em>/, 'Markdown rendered');
	expectBody(hello, /datetime="2023-03-05T23:30:00Z">5 March 2023</);
	expectBody(hello, /Reader One/);
	expectBody(hello, /Nice post\.\s+Two lines\./);
	expectNoBody(hello, /Buy pills/, 'an inactive comment is pending');
	expectStatus(await srv.get('/posts/secret-draft'), 404, 'draft');
	const html = await srv.get('/posts/html-post');
	expectStatus(html, 200, 'HTML post');
	expectBody(html, /<p>Rich <strong>text<\/strong> from an editor\.<\/p>/);
	const home = await srv.get('/');
	for (const slug of ['hello-django', 'html-post', 'old-style-slug'])
		expectBody(home, new RegExp(`/posts/${slug}"`), `home: ${slug}`);
	expectNoBody(home, /secret-draft/, 'home: draft');
	expectBody(home, /Second paragraph &amp; more\./, 'HTML excerpt');
	const python = await srv.get('/tags/python');
	expectBody(python, /\/posts\/hello-django"/);
	expectBody(python, /\/posts\/html-post"/);
	expectNoBody(await srv.get('/tags/django'), /html-post/);
});

test('old URLs answer 301 to the post; other unknown paths 404', async () => {
	const cases = [
		['/blog/2023/3/5/hello-django/', '/posts/hello-django'],
		['/blog/2022/12/31/Old_Style_Slug/', '/posts/old-style-slug'],
		// contrib.redirects: a path, a URL, a path sent encoded.
		['/rss/', '/feed.xml'],
		['/about-me/', 'https://example.org/about'],
		['/caf%C3%A9/', '/pages/cafe/'],
	];
	for (const [from, to] of cases) {
		for (const method of ['GET', 'HEAD']) {
			const r = await srv.request(method, from);
			expectStatus(r, 301, `${method} ${from}`);
			assert.equal(r.headers.location, to);
		}
	}
	expectStatus(await srv.get('/old-page/'), 410, 'a redirect to nothing');
	expectStatus(await srv.get('/blog/2023/3/6/hello-django/'), 404,
	    'another date');
	expectStatus(await srv.get('/no/such/page'), 404, 'unknown');
	expectStatus(await srv.request('POST', '/blog/2023/3/5/hello-django/',
	    { body: 'x=1' }), 404, 'POST to an old URL');
});

test('the old Django password signs in once and becomes argon2id', async () => {
	const r = await signIn('alice', 'alice old password');
	expectStatus(r, 303, 'alice with her Django password');
	assert.match(hashOf('alice'), /^\$argon2id\$/);
	expectStatus(await signIn('alice', 'alice old password'), 303,
	    'alice again, against the argon2id hash');
	expectStatus(await signIn('alice', 'wrong'), 401, 'a wrong password');
	expectStatus(await signIn('dan_home', 'dan old password'), 303,
	    'a renamed staff user');
	expectStatus(await signIn('carol', 'carol old password'), 401,
	    'an inactive user');
	sql('DELETE FROM login_failures', SITE);
});

test('re-import after a change in Django updates, duplicates nothing',
    async () => {
	django('fill.py', 'change');
	const r = await importDjango(['--old-urls', OLD_URLS]);
	assertExit(r, 0, 'second import');
	assert.match(r.stdout, /^users +0 added, 1 updated, 3 unchanged/m);
	assert.match(r.stdout, /^posts +0 added, 2 updated, 2 unchanged, 0 skipped/m);
	assert.match(r.stdout, /^comments +1 added, 0 updated, 3 unchanged/m);
	assert.match(r.stdout, /^redirects +0 added, 0 updated, 9 unchanged/m);
	assert.equal(count('posts'), 4);
	assert.equal(count('comments'), 4);
	assert.equal(count('users'), 4);
	// bob never signed in here: his hash follows Django's. alice did:
	// hers stays the argon2id one blogd made.
	assert.equal(hashOf('bob'), djangoHash('bob'));
	assert.match(hashOf('alice'), /^\$argon2id\$/);

	// Each instance's page cache notices within a second or so.
	await waitFor(async () => {
		const p = await srv.get('/posts/hello-django');
		return /Hello from Django, edited/.test(p.body) ? p : null;
	}, 5000, 'the edited title');
	const hello = await srv.get('/posts/hello-django');
	expectBody(hello, /Reader Three/);
	expectStatus(await srv.get('/posts/secret-draft'), 200, 'now published');
	expectBody(await srv.get('/tags/news'), /\/posts\/hello-django"/);
});

test('--map imports a second schema', async () => {
	const map = mapFile('journal.ini', `# The journal app of tests/django
[posts]
table = journal_entries
title = headline
slug = permalink
author = writer_id
body = content
publish = pub_date
created =
updated =
status = is_public
published = 1          # is_public is a boolean

[comments]
table = journal_remark
post = entry_id
name = author_name
body = text
created = posted
active = visible

[tags]
table =
`);
	const r = await importDjango(['--map', map, '--old-urls',
	    '/journal/{id}/']);
	assertExit(r, 0, 'import --map');
	assert.match(r.stdout, /^posts +2 added, 0 updated, 0 unchanged/m);
	assert.match(r.stdout, /^comments +1 added/m);
	// journal_remark has no email column: the default finds none.
	assert.equal(sqlValue("SELECT CONCAT('[', email, ']') FROM comments " +
	    "WHERE name = 'Journal Reader'", SITE), '[]');
	assert.equal(sqlValue("SELECT published_at FROM posts WHERE slug = " +
	    "'journal-one'", SITE), '2021-07-14 06:00:00');
	await waitFor(async () => {
		const p = await srv.get('/posts/journal-one');
		return p.status === 200 ? p : null;
	}, 5000, 'the journal post');
	const one = await srv.get('/posts/journal-one');
	expectBody(one, /<em>journal<\/em>/);
	expectBody(one, /Journal Reader/);
	expectStatus(await srv.get('/posts/journal-hidden'), 404, 'not public');
	const id = sqlValue("SELECT id FROM journal_entries WHERE permalink = " +
	    "'journal-one'", DJ);
	const old = await srv.get(`/journal/${id}/`);
	expectStatus(old, 301, 'journal old URL');
	assert.equal(old.headers.location, '/posts/journal-one');

	const again = await importDjango(['--map', map]);
	assertExit(again, 0, 'import --map again');
	assert.match(again.stdout, /^posts +0 added, 0 updated, 2 unchanged/m);
	assert.equal(count('posts'), 6);
});

test('--prune deletes what Django no longer has, and nothing else',
    async () => {
	django('fill.py', 'remove');
	// Made in blogd: a post, and a comment on an imported post.
	await addPost(cfg, { title: 'Written in blogd', author: 'alice',
	    body: 'Local.' });
	sql("INSERT INTO comments (post_id, name, body, status, created_at) " +
	    "SELECT id, 'Local Reader', 'Made here.', 'approved', " +
	    "UTC_TIMESTAMP() FROM posts WHERE slug = 'hello-django'", SITE);
	const before = { posts: count('posts'), comments: count('comments'),
	    redirects: count('redirects') };
	const same = () => assert.deepEqual({ posts: count('posts'),
	    comments: count('comments'), redirects: count('redirects') },
	    before);

	// Without --prune nothing is deleted, and the summary says nothing
	// of removals.
	const plain = await importDjango();
	assertExit(plain, 0, 'import without --prune');
	assert.doesNotMatch(plain.stdout, /removed/);
	same();

	const removed = /^posts +0 added, 0 updated, 3 unchanged, 0 skipped, 1 removed$/m;
	const removedComment = /^comments +0 added, 0 updated, 3 unchanged, 0 skipped, 1 removed$/m;
	const dry = await importDjango(['--dry-run', '--prune']);
	assertExit(dry, 0, '--dry-run --prune');
	assert.match(dry.stdout, removed);
	assert.match(dry.stdout, removedComment);
	same();

	const pruned = await importDjango(['--prune']);
	assertExit(pruned, 0, '--prune');
	assert.match(pruned.stdout, removed);
	assert.match(pruned.stdout, removedComment);
	assert.equal(count('posts'), before.posts - 1);
	assert.equal(count('comments'), before.comments - 1);
	// The deleted post's old URL went with it.
	assert.equal(count('redirects'), before.redirects - 1);
	assert.equal(sqlValue("SELECT COUNT(*) FROM posts WHERE slug IN " +
	    "('old-style-slug')", SITE), '0');
	assert.equal(sqlValue("SELECT COUNT(*) FROM comments WHERE name = " +
	    "'Spammer'", SITE), '0');
	// What blogd made, and what the journal app's import copied (another
	// table), stay.
	for (const slug of ['written-in-blogd', 'journal-one', 'hello-django'])
		assert.equal(sqlValue('SELECT COUNT(*) FROM posts WHERE slug = ' +
		    `'${slug}'`, SITE), '1', slug);
	assert.equal(sqlValue("SELECT COUNT(*) FROM comments WHERE name IN " +
	    "('Local Reader', 'Journal Reader')", SITE), '2');

	const again = await importDjango(['--prune']);
	assertExit(again, 0, '--prune again');
	assert.match(again.stdout, /^posts +.* 0 removed$/m);
	assert.match(again.stdout, /^comments +.* 0 removed$/m);
});

test('the admin edits an imported HTML post as HTML', async () => {
	const jar = new CookieJar();
	expectStatus(await signIn('alice', 'alice old password', jar), 303,
	    'sign-in');
	const id = sqlValue("SELECT id FROM posts WHERE slug = 'html-post'",
	    SITE);
	const form = await srv.get(`/admin/posts/${id}/edit`, { jar });
	expectStatus(form, 200, 'edit form');
	expectBody(form, /&lt;p&gt;Rich &lt;strong&gt;text&lt;\/strong&gt;/,
	    'the HTML in the body box');
	const r = await srv.request('POST', `/admin/posts/${id}/edit`, { jar,
	    body: { title: 'An HTML post', slug: 'html-post', tags: 'python',
		body: '<p>Edited <em>in</em> the admin.</p>', published: '1',
		csrf_token: csrfFrom(form.body) } });
	expectStatus(r, 303, 'save');
	assert.equal(sqlValue("SELECT body_format FROM posts WHERE id = " +
	    `${id}`, SITE), 'html');
	// As Markdown with raw HTML off, the tags would have been dropped.
	const page = await waitFor(async () => {
		const p = await srv.get('/posts/html-post');
		return /Edited/.test(p.body) ? p : null;
	}, 5000, 'the edited post');
	expectBody(page, /<p>Edited <em>in<\/em> the admin\.<\/p>/);
});

/* Every file under root, relative path -> contents. */
function readTree(root) {
	const out = {};
	for (const entry of fs.readdirSync(root, { recursive: true })) {
		const file = path.join(root, entry);
		if (fs.statSync(file).isFile())
			out[entry] = fs.readFileSync(file, 'utf8');
	}
	return out;
}

test('export, import markdown into an empty database, export: same files',
    async () => {
	// Redirects set by hand travel too: to a path, and gone.
	assertExit(await cli(cfg, ['redirect', 'add', '/feed/', '/feed.xml']),
	    0, 'redirect add');
	assertExit(await cli(cfg, ['redirect', 'add', '/withdrawn/',
	    '--gone']), 0, 'redirect add --gone');
	const first = path.join(dir, 'export-1');
	const r = await cli(cfg, ['export', first]);
	assertExit(r, 0, 'export');
	const files = readTree(first);
	// Password hashes and drafts: for the owner only.
	assert.equal(fs.statSync(first).mode & 0o777, 0o700);
	assert.equal(fs.statSync(path.join(first, 'users.tsv')).mode & 0o777,
	    0o600);
	assert.deepEqual(Object.keys(files).sort(), ['comments.tsv',
	    'media.tsv', 'posts/hello-django.md', 'posts/html-post.md',
	    'posts/journal-hidden.md', 'posts/journal-one.md',
	    'posts/secret-draft.md', 'posts/written-in-blogd.md',
	    'redirects.tsv', 'users.tsv']);
	const hello = files['posts/hello-django.md'];
	assert.match(hello, /^---\nslug: hello-django\ntitle: Hello from Django, edited\nauthor: alice\nstatus: published\nformat: markdown\npublished: 2023-03-05 23:30:00\ncreated: [-0-9: ]+\nupdated: [-0-9: ]+\nkind: post\ntags: django, news, python\n---\n# Hello\n\nSome \*Markdown\* from Django\.\n$/);
	assert.match(files['posts/html-post.md'], /\nformat: html\n/);
	assert.match(files['users.tsv'], /^alice\t1\t[-0-9: ]+\t\$argon2id\$/m);
	assert.match(files['comments.tsv'],
	    /^hello-django\tapproved\t[-0-9: ]+\tReader Two\tNice post\.\\nTwo lines\.\ttwo@example\.org$/m);
	assert.match(files['redirects.tsv'],
	    /^\/blog\/2023\/3\/5\/hello-django\/\thello-django$/m);
	assert.match(files['redirects.tsv'], /^\/feed\/\t\/feed\.xml$/m);
	assert.match(files['redirects.tsv'], /^\/withdrawn\/\t$/m);
	const again = await cli(cfg, ['export', first]);
	assertExit(again, 1, 'export into a directory that is not empty');
	assert.match(assertOneLine(again, 'export again'), /not empty/);

	const copy = await setupSite('blogd_roundtrip');
	const dry = await cli(copy, ['import', 'markdown', first, '--dry-run']);
	assertExit(dry, 0, 'import markdown --dry-run');
	assert.match(dry.stdout, /^posts +6 added/m);
	assert.equal(sqlValue('SELECT COUNT(*) FROM posts', 'blogd_roundtrip'),
	    '0');
	const imp = await cli(copy, ['import', 'markdown', first]);
	assertExit(imp, 0, 'import markdown');
	assert.match(imp.stdout, /^users +4 added/m);
	assert.match(imp.stdout, /^posts +6 added/m);
	assert.match(imp.stdout, /^comments +5 added/m);
	// 4 of the blog's old URLs and 2 of the journal's, less the pruned
	// post's; 4 of Django's redirects app; the two set by hand.
	assert.match(imp.stdout, /^redirects +11 added/m);
	const second = path.join(dir, 'export-2');
	assertExit(await cli(copy, ['export', second]), 0, 'second export');
	assert.deepEqual(readTree(second), files);
	// Importing the same files again changes nothing.
	const rerun = await cli(copy, ['import', 'markdown', first]);
	assertExit(rerun, 0, 'import markdown again');
	assert.match(rerun.stdout, /^posts +0 added, 0 updated, 6 unchanged/m);
	assert.match(rerun.stdout, /^comments +0 added, 0 updated, 5 unchanged/m);
	// An export from before comments had an address (five fields) still
	// imports, the comments without one.
	const older = path.join(dir, 'export-older');
	fs.cpSync(first, older, { recursive: true });
	fs.writeFileSync(path.join(older, 'comments.tsv'),
	    files['comments.tsv'].replace(/\t[^\t\n]*$/gm, ''));
	const five = await setupSite('blogd_roundtrip_old');
	const old = await cli(five, ['import', 'markdown', older]);
	assertExit(old, 0, 'import markdown of a five-field comments.tsv');
	assert.match(old.stdout, /^comments +5 added/m);
	assert.equal(sqlValue("SELECT COUNT(*) FROM comments WHERE email = ''",
	    'blogd_roundtrip_old'), '5');
});
