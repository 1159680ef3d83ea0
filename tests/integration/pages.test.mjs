// Public pages: the home page and its paging, post pages (Markdown,
// escaping), 404/405, HEAD, security headers, UTF-8, the access log.

import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';

import {
	addPost, addUser, assertSecurityHeaders, datePosts, expectBody,
	expectHeadLikeGet, expectNoBody, expectStatus, numbered, numbersIn,
	rawExchange, setupSite, startBlogd,
} from './lib.mjs';

const DBNAME = 'blogd_pages';
const NPOSTS = 23;
let srv;
const slugs = []; // slugs[i] is "Post NN" with NN = i + 1
let draftSlug, mdSlug, evilSlug, utfSlug;

const title = (i) => numbered('Post', i);

before(async () => {
	const cfg = await setupSite(DBNAME);
	await addUser(cfg, 'pagewriter', 'page writer password 1');
	for (let i = 0; i < NPOSTS; i++)
		slugs.push(await addPost(cfg, { title: title(i),
		    author: 'pagewriter', body: `Body text number ${i + 1}.\n` }));
	draftSlug = await addPost(cfg, { title: 'Secret Draft Zebra',
	    author: 'pagewriter', body: 'not yet\n', draft: true });
	mdSlug = await addPost(cfg, { title: 'Markdown Sample',
	    author: 'pagewriter', body: '# Heading One\n\nSome **bold** ' +
	    'text and `code`.\n\n<script>alert(1)</script>\n\n' +
	    '<img src=x onerror=alert(2)>\n' });
	evilSlug = await addPost(cfg, { title: 'Tom <b>& Jerry',
	    author: 'pagewriter', body: 'cat and mouse\n' });
	utfSlug = await addPost(cfg, { title: 'Café ünïcødé ✓ 東京',
	    author: 'pagewriter', body: 'Grüße — “quoted” ✓\n' });
	// Dates decide the order: Post 23 is the newest of the numbered
	// ones; the three special posts are older than all of them.
	datePosts(DBNAME, slugs, '2024-01-01 12:00:00', 10);
	datePosts(DBNAME, [mdSlug, evilSlug, utfSlug], '2023-06-01 12:00:00');
	srv = await startBlogd(cfg);
});

after(async () => {
	if (srv)
		await srv.stop();
});

/* A page without its title and main content: the frame of layout.tpl that
 * every HTML page shares, error pages included. */
const frameOf = (html) => html
    .replace(/<title>[^<]*<\/title>/, '<title></title>')
    // The sharing head is the page's own (error pages have none).
    .replace(/<link rel="canonical"[\s\S]*(?=<\/head>)/, '')
    .replace(/<main>[\s\S]*<\/main>/, '<main></main>');

/* Titles of the numbered posts in the order they appear in html. */
const titlesIn = (html) => numbersIn(html, 'Post');

test('home page lists the 10 newest published posts, newest first',
    async () => {
	const r = await srv.get('/');
	expectStatus(r, 200, 'GET /');
	assert.deepEqual(titlesIn(r.body),
	    [23, 22, 21, 20, 19, 18, 17, 16, 15, 14], r.body.slice(0, 500));
	for (const n of [23, 14])
		expectBody(r, new RegExp(`href="[^"]*/posts/` +
		    `${slugs[n - 1]}"`), `link to post ${n}`);
	expectNoBody(r, /Secret Draft Zebra/, 'draft on the home page');
	expectBody(r, /pagewriter/, 'author shown');
});

test('pages 2 and 3 continue the list; newer/older links', async () => {
	const p1 = await srv.get('/');
	const p2 = await srv.get('/?page=2');
	expectStatus(p2, 200, 'page 2');
	assert.deepEqual(titlesIn(p2.body), [13, 12, 11, 10, 9, 8, 7, 6, 5, 4]);
	const p3 = await srv.get('/?page=3');
	expectStatus(p3, 200, 'page 3');
	assert.deepEqual(titlesIn(p3.body), [3, 2, 1]);
	expectBody(p3, /Markdown Sample/, 'older posts on the last page');
	expectNoBody(p3, /Secret Draft Zebra/, 'draft on page 3');

	const link = (n) => new RegExp(`href="[^"]*\\?page=${n}"`);
	expectBody(p1, link(2), 'page 1 links to page 2');
	expectNoBody(p1, link(0), 'page 1 links to page 0');
	expectBody(p2, link(3), 'page 2 links to page 3 (older)');
	assert.ok(link(1).test(p2.body) || /href="\/"/.test(p2.body),
	    'page 2 links back to page 1');
	expectBody(p3, link(2), 'page 3 links to page 2 (newer)');
	expectNoBody(p3, link(4), 'page 3 links to page 4');
});

test('page out of range or not a number is 404', async () => {
	// 100000 is the last page number parsed (HANDLERS_PAGE_MAX): past
	// the posts, so 404 from the query; 100001 is refused unparsed.
	for (const q of ['4', '0', '-1', 'abc', '1x', '', '99999999999999999999',
	    '2.5', '100000', '100001'])
		expectStatus(await srv.get(`/?page=${q}`), 404, `?page=${q}`);
});

test('a post renders its Markdown with raw HTML suppressed', async () => {
	const r = await srv.get(`/posts/${mdSlug}`);
	expectStatus(r, 200, 'GET post');
	expectBody(r, /<h[12][^>]*>Heading One<\/h[12]>/, 'heading');
	expectBody(r, /<strong>bold<\/strong>/, 'bold');
	expectBody(r, /<code>code<\/code>/, 'code span');
	expectNoBody(r, /<script>alert\(1\)/, 'raw script');
	expectNoBody(r, /<img[^>]*onerror/i, 'raw img');
	expectBody(r, /<title>[^<]*Markdown Sample/, 'title element');
});

test('a title with markup is escaped', async () => {
	const r = await srv.get(`/posts/${evilSlug}`);
	expectStatus(r, 200, 'GET post with <b> in the title');
	expectNoBody(r, /<b>& Jerry|<b>&amp; Jerry/, 'raw <b>');
	expectBody(r, /Tom &lt;b&gt;&amp; Jerry/, 'escaped title');
	const home = await srv.get('/?page=3');
	expectNoBody(home, /<b>& Jerry|<b>&amp; Jerry/, 'raw <b> in list');
	expectBody(home, /Tom &lt;b&gt;&amp; Jerry/, 'escaped in list');
});

test('pages are UTF-8 HTML5', async () => {
	for (const target of ['/', '/?page=3', `/posts/${utfSlug}`,
	    '/no/such/page']) {
		const r = await srv.get(target);
		assert.match(r.headers['content-type'] ?? '', /^text\/html/i,
		    `${target} content-type`);
		const decl = /charset=utf-8/i.test(r.headers['content-type']) ||
		    /<meta charset="?utf-8"?/i.test(r.body);
		assert.ok(decl, `${target}: no UTF-8 charset declared`);
		assert.doesNotThrow(() => new TextDecoder('utf-8',
		    { fatal: true }).decode(r.raw), `${target}: invalid UTF-8`);
		assert.match(r.body, /^\s*<!DOCTYPE html>/i,
		    `${target}: no doctype\n${r.body.slice(0, 200)}`);
	}
	const r = await srv.get(`/posts/${utfSlug}`);
	expectBody(r, /Café ünïcødé ✓ 東京/, 'UTF-8 title');
	expectBody(r, /Grüße — “quoted” ✓/, 'UTF-8 body');
});

test('drafts and unknown slugs are 404 HTML pages', async () => {
	for (const target of [`/posts/${draftSlug}`, '/posts/no-such-post',
	    '/posts/', '/nothing-here', '/posts/a/b',
	    "/posts/x'%20OR%20'1'%3D'1", `/posts/${slugs[0]}%27--`,
	    `/posts/${slugs[0]}%00`]) {
		const r = await srv.get(target);
		expectStatus(r, 404, target);
		assert.match(r.headers['content-type'] ?? '', /^text\/html/i);
		expectNoBody(r, /not yet/, 'draft body leaked');
		assertSecurityHeaders(r, `404 ${target}`);
	}
});

test('error pages are in the frame of the other pages', async () => {
	const home = await srv.get('/');
	expectStatus(home, 200, 'GET /');
	for (const [status, reason, r] of [
	    [404, 'Not Found', await srv.get('/nothing-here')],
	    [404, 'Not Found', await srv.get(`/posts/${draftSlug}`)],
	    [405, 'Method Not Allowed', await srv.request('DELETE', '/')]]) {
		expectStatus(r, status, reason);
		assert.equal(frameOf(r.body), frameOf(home.body),
		    `${status}: frame differs from the home page's`);
		expectBody(r, new RegExp(`<title>${reason} — QA Blog</title>`),
		    `${status} title`);
		expectBody(r, new RegExp(`<main>\\s*<section class="error">\\s*` +
		    `<h1>${status} ${reason}</h1>`), `${status} content`);
	}
});

test('dates: day month year, and RFC 3339 for machines', async () => {
	// mdSlug was published on 2023-06-01 12:00:00, slugs[0] ten days
	// after 2024-01-01 12:00:00, slugs[22] (Post 23) 22 days later.
	const md = await srv.get(`/posts/${mdSlug}`);
	expectBody(md, /<time datetime="2023-06-01T12:00:00Z">1 June 2023<\/time>/,
	    'one-digit day');
	expectBody(md, /<meta property="article:published_time" content="2023-06-01T12:00:00Z">/,
	    'published_time');
	expectBody(await srv.get(`/posts/${slugs[0]}`),
	    /<time datetime="2024-01-11T12:00:00Z">11 January 2024<\/time>/,
	    'two-digit day');
	expectBody(await srv.get('/'),
	    /<time datetime="2024-02-02T12:00:00Z">2 February 2024<\/time>/,
	    'date in the home page list');
});

test('HEAD is GET without a body', async () => {
	for (const target of ['/', `/posts/${mdSlug}`, '/healthz']) {
		const h = await expectHeadLikeGet(srv, target);
		assertSecurityHeaders(h, `HEAD ${target}`);
	}
	expectStatus(await srv.request('HEAD', '/posts/no-such'), 404,
	    'HEAD of a missing post');
	// Node's client drops a HEAD body silently: look at the raw bytes.
	for (const target of ['/', '/posts/no-such']) {
		const raw = await rawExchange(srv.port, `HEAD ${target} ` +
		    'HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n');
		const end = raw.data.indexOf('\r\n\r\n');
		assert.ok(end > 0, `HEAD ${target}: no header end\n${raw.data}`);
		assert.equal(raw.data.length, end + 4, `HEAD ${target} sent ` +
		    `a body: ${raw.data.slice(end, end + 200)}`);
	}
});

test('unsupported methods are 405 with Allow', async () => {
	for (const [m, target] of [['POST', '/'], ['DELETE', '/posts/x'],
	    ['PUT', `/posts/${mdSlug}`], ['PATCH', '/healthz']]) {
		const r = await srv.request(m, target, m === 'DELETE' ? {} :
		    { body: 'a=b' });
		expectStatus(r, 405, `${m} ${target}`);
		const allow = r.headers.allow ?? '';
		assert.match(allow, /\bGET\b/, `${m} ${target} Allow: ${allow}`);
		assert.match(allow, /\bHEAD\b/, `${m} ${target} Allow: ${allow}`);
		assert.doesNotMatch(allow, new RegExp(`\\b${m}\\b`));
		assertSecurityHeaders(r, `405 ${m} ${target}`);
	}
});

test('security headers on a 200', async () => {
	const r = await srv.get('/');
	expectStatus(r, 200, 'GET /');
	assertSecurityHeaders(r, 'GET /');
	assert.equal(r.headers['strict-transport-security'], undefined,
	    'HSTS over plain HTTP');
});

test('keep-alive: several requests share one connection', async () => {
	const ports = new Set();
	for (const target of ['/healthz', '/', `/posts/${mdSlug}`,
	    '/no-such-page', '/healthz']) {
		const r = await srv.get(target);
		assert.notEqual(r.headers.connection, 'close',
		    `server closed the keep-alive connection after ${target}`);
		ports.add(r.localPort);
	}
	assert.equal(ports.size, 1, 'requests used new connections');
});

test('healthz answers ok', async () => {
	const r = await srv.get('/healthz');
	expectStatus(r, 200, 'healthz');
	assert.match(r.body, /^ok\s*$/);
});

test('access log: one combined-format line per request with a duration',
    async () => {
	const marker = `/posts/log-marker-${Date.now()}?q=1`;
	const r = await srv.get(marker, { headers: {
	    'User-Agent': 'qa-agent/1.0', Referer: 'http://ref.example/x' } });
	expectStatus(r, 404, 'marker request');
	const re = /^(\S+) \S+ \S+ \[(\d{2}\/\w{3}\/\d{4}:\d{2}:\d{2}:\d{2} [+-]\d{4})\] "([^"]*)" (\d{3}) (\d+|-) "([^"]*)" "([^"]*)" (\d+(?:\.\d+)?)$/;
	let line;
	for (let i = 0; i < 20 && !line; i++) {
		line = srv.stdout().split('\n').find((l) => l.includes(marker));
		if (!line)
			await new Promise((res) => setTimeout(res, 100));
	}
	assert.ok(line, `no access line for ${marker} on stdout:\n` +
	    srv.stdout().slice(-1000));
	const m = re.exec(line);
	assert.ok(m, `not combined log format + duration: ${line}`);
	assert.equal(m[1], '127.0.0.1');
	assert.equal(m[3], `GET ${marker} HTTP/1.1`);
	assert.equal(m[4], '404');
	assert.equal(m[6], 'http://ref.example/x');
	assert.equal(m[7], 'qa-agent/1.0');
	const lines = srv.stdout().split('\n').filter((l) => l !== '');
	const bad = lines.filter((l) => !re.test(l));
	assert.deepEqual(bad, [], 'stdout lines that are not access lines');
	assert.ok(lines.length >= 10, `only ${lines.length} access lines`);
});

test('concurrent requests all succeed (pool of 2 connections)', async () => {
	const targets = [];
	for (let i = 0; i < 60; i++)
		targets.push(i % 3 === 0 ? '/' : i % 3 === 1 ?
		    `/posts/${slugs[i % NPOSTS]}` : `/?page=${1 + (i % 3)}`);
	const agent = new (await import('node:http')).Agent({ keepAlive: true,
	    maxSockets: 20 });
	try {
		const res = await Promise.all(targets.map((t) =>
			srv.request('GET', t, { agent })));
		res.forEach((r, i) => expectStatus(r, 200, targets[i]));
		// Each answer is the page asked for, not another request's.
		res.forEach((r, i) => {
			if (targets[i].startsWith('/posts/'))
				expectBody(r, new RegExp(title(slugs.indexOf(
				    targets[i].slice(7)))), targets[i]);
		});
	} finally {
		agent.destroy();
	}
});
