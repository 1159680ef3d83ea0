// Authoring through the binary: scheduled posts stay invisible everywhere
// until the database's clock reaches their time and then appear by
// themselves, with the page cache on too; pages live at /pages/{slug} and
// in the site navigation, never in the lists or the feed; the editor's
// preview shows a draft to its admin only and saves nothing; excerpts keep
// their blocks; every public page carries an escaped sharing head.

import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { after, before, test } from 'node:test';

import {
	addPost, addUser, adminSignIn, assertExit, cli, csrfFrom, expectBody,
	expectNoBody, expectStatus, setupSite, sqlValue, startBlogd, tempDir,
	waitFor,
} from './lib.mjs';

const DBNAME = 'blogd_authoring';
const ADMIN = 'author';
const ADMIN_PW = 'authoring password 1';
let cfg, srv;

before(async () => {
	// The page cache on (the default), so visibility goes through it.
	cfg = await setupSite(DBNAME);
	await addUser(cfg, ADMIN, ADMIN_PW, true);
	srv = await startBlogd(cfg);
});

after(async () => {
	if (srv)
		await srv.stop();
});

/* The database's clock plus s seconds, as --at takes it. */
const dbTimePlus = (s) => sqlValue('SELECT DATE_FORMAT(UTC_TIMESTAMP() + ' +
    `INTERVAL ${s} SECOND, '%Y-%m-%d %H:%i:%s')`, DBNAME);

/* Every public place a post could show, and whether its title is there. */
async function whereShown(slug, title) {
	const words = title.split(' ')[0];
	const pages = {
		post: `/posts/${slug}`,
		home: '/',
		tag: '/tags/sched',
		author: `/authors/${ADMIN}`,
		feed: '/feed.xml',
		sitemap: '/sitemap.xml',
		search: `/search?q=${encodeURIComponent(words)}`,
	};
	const out = {};
	for (const [k, target] of Object.entries(pages)) {
		const r = await srv.get(target);
		out[k] = r.status === 200 && (r.body.includes(title) ||
		    r.body.includes(`/posts/${slug}<`));
	}
	return out;
}

const login = () => adminSignIn(srv, ADMIN, ADMIN_PW);

test('a scheduled post is invisible everywhere, then appears by itself',
    async () => {
	// Pages cached before the time: they must not outlive it.
	await addPost(cfg, { title: 'Anchor post', author: ADMIN,
	    body: 'anchor\n', tags: 'sched' });
	for (const t of ['/', '/tags/sched', '/feed.xml', '/sitemap.xml'])
		expectStatus(await srv.get(t), 200, t);
	const title = 'Zeppelinschedule arrives';
	const slug = await addPost(cfg, { title, author: ADMIN,
	    body: 'Zeppelinschedule body\n', tags: 'sched',
	    at: dbTimePlus(6) });
	// Twice: the second answer of each comes from the cache.
	for (let i = 0; i < 2; i++) {
		const shown = await whereShown(slug, title);
		assert.deepEqual(Object.values(shown).filter(Boolean), [],
		    `shown before its time: ${JSON.stringify(shown)}`);
	}
	assert.ok(sqlValue('SELECT next_publish FROM content_version',
	    DBNAME) !== 'NULL', 'next_publish not set');
	await waitFor(async () => {
		const shown = await whereShown(slug, title);
		return Object.values(shown).every(Boolean);
	}, 30000, 'the scheduled post on every page');
	assert.equal(sqlValue('SELECT next_publish IS NULL FROM ' +
	    'content_version', DBNAME), '1');
});

test('post add --at refuses a time that is not one', async () => {
	const r = await cli(cfg, ['post', 'add', '--title', 'Bad time',
	    '--author', ADMIN, '--at', '2026-02-30 10:00'], { stdin: 'x\n' });
	assertExit(r, 1, '--at 2026-02-30');
	assert.match(r.stderr, /--at '2026-02-30 10:00' is not a time/);
});

test('pages: own URL, in the navigation, not in lists or the feed',
    async () => {
	const slug = await addPost(cfg, { title: 'About this blog',
	    author: ADMIN, body: 'Who writes here.\n', page: true,
	    slug: 'about' });
	assert.equal(slug, 'about');
	const page = await waitFor(async () => {
		const r = await srv.get('/pages/about');
		return r.status === 200 ? r : null;
	}, 5000, '/pages/about');
	expectBody(page, /<h1>About this blog<\/h1>/);
	expectNoBody(page, /id="comments"/, 'a page has no comments');
	expectStatus(await srv.get('/posts/about'), 404, 'a page is no post');
	const home = await waitFor(async () => {
		const r = await srv.get('/');
		return r.body.includes('href="/pages/about"') ? r : null;
	}, 5000, 'the navigation link on /');
	expectBody(home, /<nav class="site-nav" aria-label="Site">/);
	expectNoBody(home, /<h2><a href="\/pages\/about"/, 'page in the list');
	expectNoBody(home, /About this blog<\/a><\/h2>/, 'page in the list');
	expectNoBody(await srv.get('/feed.xml'), /About this blog/, 'feed');
	expectBody(await srv.get('/sitemap.xml'), /\/pages\/about</, 'sitemap');
	// On error pages too, from what was last read.
	expectBody(await srv.get('/no-such-page'), /href="\/pages\/about"/);
});

test('preview: the admin sees the draft, nothing is saved, anonymous 303',
    async () => {
	const before = sqlValue('SELECT COUNT(*) FROM posts', DBNAME);
	const anon = await srv.request('POST', '/admin/preview',
	    { body: { title: 'x', body: 'y' } });
	expectStatus(anon, 303, 'anonymous preview');
	assert.equal(anon.headers.location, '/admin/login');
	const jar = await login();
	const form = await srv.get('/admin/posts/new', { jar });
	expectBody(form, /formaction="\/admin\/preview"/);
	expectBody(form, /type="datetime-local"/);
	const token = csrfFrom(form.body);
	expectStatus(await srv.request('POST', '/admin/preview', { jar,
	    body: { title: 'x', body: 'y', csrf_token: '0'.repeat(64) } }),
	    403, 'preview with a wrong token');
	const r = await srv.request('POST', '/admin/preview', { jar,
	    body: { title: 'Previewed <draft>', body: 'Some *draft* text\n',
	        tags: '', slug: '', csrf_token: token } });
	expectStatus(r, 200, 'preview');
	assert.equal(r.headers['cache-control'], 'no-store');
	expectBody(r, /Preview — not published/);
	expectBody(r, /<h1>Previewed &lt;draft&gt;<\/h1>/);
	expectBody(r, /<em>draft<\/em>/);
	expectNoBody(r, /comment-form/, 'no comment form in a preview');
	assert.equal(sqlValue('SELECT COUNT(*) FROM posts', DBNAME), before,
	    'the preview saved a post');
});

test('the editor schedules a post and shows it as scheduled', async () => {
	const jar = await login();
	const form = await srv.get('/admin/posts/new', { jar });
	const at = dbTimePlus(3600).replace(' ', 'T');
	const r = await srv.request('POST', '/admin/posts/new', { jar,
	    body: { title: 'Editor scheduled', body: 'later\n', tags: '',
	        slug: '', published: '1', publish_at: at, kind: 'post',
	        csrf_token: csrfFrom(form.body) } });
	expectStatus(r, 303, 'save');
	assert.equal(sqlValue("SELECT DATE_FORMAT(published_at, " +
	    "'%Y-%m-%dT%H:%i:%s') FROM posts WHERE slug = 'editor-scheduled'",
	    DBNAME), at);
	expectBody(await srv.get('/admin', { jar }), /Scheduled/);
	expectStatus(await srv.get('/posts/editor-scheduled'), 404, 'early');
	const bad = await srv.request('POST', '/admin/posts/new', { jar,
	    body: { title: 'Bad time', body: 'x\n', publish_at: '2026-13-01T00:00',
	        csrf_token: csrfFrom(form.body) } });
	expectStatus(bad, 400, 'a bad publish time');
	expectBody(bad, /Use a date and time such as/);
});

test('excerpts keep code blocks, lists and quotes apart', async () => {
	await addPost(cfg, { title: 'Excerpt shapes', author: ADMIN,
	    tags: 'shapes', body: 'You can publish from the editor or from ' +
	    'a shell:\n\n```\nblogd post add\n```\n\nComments wait.\n\n' +
	    '- one\n- two\n\n> quoted\n' });
	const r = await waitFor(async () => {
		const x = await srv.get('/tags/shapes');
		return x.status === 200 ? x : null;
	}, 5000, '/tags/shapes');
	expectBody(r, /from a shell:<\/p>\n<pre><code>blogd post add\n<\/code><\/pre>\n<p>Comments wait.<\/p>/);
	expectBody(r, /<ul>\n<li>one<\/li>\n<li>two<\/li>\n<\/ul>/);
	expectBody(r, /<blockquote>\n<p>quoted<\/p>\n<\/blockquote>/);
	expectBody(r, /Continue reading<span class="visually-hidden"> “Excerpt shapes”<\/span>/);
	const post = await srv.get('/posts/excerpt-shapes');
	expectBody(post, /<meta name="description" content="You can publish from the editor or from a shell…">/);
});

test('the sharing head is there and escaped', async () => {
	const title = 'Quotes "double" & <angle>';
	const slug = await addPost(cfg, { title, author: ADMIN,
	    body: 'Text with ![a chart](/media/chart.png) in it.\n' });
	const r = await waitFor(async () => {
		const x = await srv.get(`/posts/${slug}`);
		return x.status === 200 ? x : null;
	}, 5000, 'the post');
	const esc = 'Quotes &quot;double&quot; &amp; &lt;angle&gt;';
	expectBody(r, new RegExp(`<meta property="og:title" content="${esc}">`));
	expectBody(r, new RegExp(`<meta name="twitter:title" content="${esc}">`));
	expectBody(r, /<meta property="og:type" content="article">/);
	expectBody(r, new RegExp(`<link rel="canonical" href="${cfg.base}/posts/${slug}">`));
	expectBody(r, new RegExp(`<meta property="og:image" content="${cfg.base}/media/chart.png">`));
	expectBody(r, /<meta name="twitter:card" content="summary_large_image">/);
	expectBody(r, /<link rel="alternate" type="application\/atom\+xml"/);
	const home = await srv.get('/?page=1');
	expectBody(home, /<meta property="og:type" content="website">/);
	expectBody(home, /<meta name="twitter:card" content="summary">/);
	expectBody(home, new RegExp(`<link rel="canonical" href="${cfg.base}/">`));
	// The feed carries the whole post, escaped once for XML.
	const feed = await srv.get('/feed.xml');
	expectBody(feed, /<content type="html"[^>]*>&lt;p&gt;Text with &lt;img src=&quot;\/media\/chart.png&quot;/);
});

test('export and import markdown keep kind and publication time', async () => {
	await addPost(cfg, { title: 'Far future', author: ADMIN, body: 'x\n',
	    at: '2099-01-02 03:04:05' });
	const dir = path.join(tempDir('authoring-export'), 'out');
	assertExit(await cli(cfg, ['export', dir]), 0, 'export');
	const about = fs.readFileSync(path.join(dir, 'posts/about.md'), 'utf8');
	assert.match(about, /\nkind: page\n/);
	const far = fs.readFileSync(path.join(dir, 'posts/far-future.md'),
	    'utf8');
	assert.match(far, /\npublished: 2099-01-02 03:04:05\n/);
	assert.match(far, /\nkind: post\n/);
	const copy = await setupSite('blogd_authoring_copy');
	assertExit(await cli(copy, ['import', 'markdown', dir]), 0, 'import');
	const row = (slug) => sqlValue('SELECT CONCAT(kind, \' \', status, ' +
	    "' ', published_at, ' ', excerpt_html IS NOT NULL) FROM posts " +
	    `WHERE slug = '${slug}'`, 'blogd_authoring_copy');
	assert.match(row('about'), /^page published .* 1$/);
	assert.equal(row('far-future'), 'post published 2099-01-02 03:04:05 1');
	// A kind blogd does not know is refused, naming the file.
	fs.writeFileSync(path.join(dir, 'posts/far-future.md'),
	    far.replace('kind: post', 'kind: poster'));
	const bad = await cli(copy, ['import', 'markdown', dir]);
	assertExit(bad, 1, 'import with a bad kind');
	assert.match(bad.stderr, /far-future\.md: kind must be 'post' or 'page'/);
	// A directory without posts imports nothing and says so.
	const empty = path.join(tempDir('authoring-empty'), 'out');
	fs.mkdirSync(path.join(empty, 'posts'), { recursive: true });
	const none = await cli(copy, ['import', 'markdown', empty]);
	assertExit(none, 0, 'import of an empty directory');
	assert.match(none.stdout, /^posts +0 added, 0 updated, 0 unchanged, 0 skipped$/m);
});
