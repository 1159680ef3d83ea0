// Discovery: tag and author lists, search, the Atom feed, the sitemap,
// robots.txt, the OpenGraph head of post pages, and the old URLs that
// answer 301 or 410. Drafts never show.

import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';

import {
	addPost, addUser, assertExit, assertOneLine, cli, datePosts, expectBody, expectHeadLikeGet, expectNoBody,
	expectStatus, numbered, numbersIn, setupSite, sql, startBlogd, waitFor,
	writeConfig,
} from './lib.mjs';

const DBNAME = 'blogd_discovery';
const NBULK = 25;
let srv, cfg;
const bulk = []; // bulk[i] is "Entry NN" with NN = i + 1, by alice
let draftSlug, xyloSlug, breakfastSlug, evilSlug;
const UNITAG = 'café au lait';
const UNITAG_PATH = '/tags/caf%C3%A9%20au%20lait';

const entry = (i) => numbered('Entry', i);

before(async () => {
	// A French Canadian blog: pages and feed say so ([site] language).
	cfg = await setupSite(DBNAME, { site: { language: 'fr-CA' } });
	await addUser(cfg, 'alice', 'alice password 1');
	await addUser(cfg, 'bob.b', 'bob password 1');
	await addUser(cfg, 'carol', 'carol password 1');
	for (let i = 0; i < NBULK; i++)
		bulk.push(await addPost(cfg, { title: entry(i), author: 'alice',
		    body: `Numbered paragraph of entry ${i + 1}.\n`,
		    tags: i % 2 ? 'bulk' : 'bulk, even' }));
	xyloSlug = await addPost(cfg, { title: 'Xylophone Harmonics',
	    author: 'bob.b', body: 'About music and **tuning**.\n',
	    tags: UNITAG });
	breakfastSlug = await addPost(cfg, { title: 'Breakfast notes',
	    author: 'bob.b', body: 'Toast with quokka marmalade.\n',
	    tags: UNITAG });
	evilSlug = await addPost(cfg, { title: 'Say "hi" <script>x</script>',
	    author: 'bob.b', body: 'Tom & Jerry "quoted" <b>bold</b>\n' });
	draftSlug = await addPost(cfg, { title: 'Hidden Zeppelin',
	    author: 'alice', body: 'Secret quokka zeppelin plans.\n',
	    tags: 'bulk, drafttag', draft: true });
	// The numbered posts are the newest (Entry 25 first); bob's older.
	datePosts(DBNAME, bulk, '2024-01-01 12:00:00', 10);
	datePosts(DBNAME, [xyloSlug, breakfastSlug, evilSlug],
	    '2023-06-01 12:00:00');
	srv = await startBlogd(cfg);
});

after(async () => {
	if (srv)
		await srv.stop();
});

/* The dates of the post with slug in RFC 3339, as MariaDB formats them:
 * { published, updated } (updated: the later of publication and edit). */
const postDates = (slug) => {
	const iso = (col) => `DATE_FORMAT(${col}, '%Y-%m-%dT%H:%i:%sZ')`;
	const [published, updated] = sql(`SELECT ${iso('published_at')}, ` +
	    `${iso('GREATEST(published_at, updated_at)')} FROM posts ` +
	    `WHERE slug = '${slug}'`, DBNAME)[0];
	return { published, updated };
};

/* Numbers of the "Entry NN" posts in the order they appear. */
const entriesIn = (text) => numbersIn(text, 'Entry');

const range = (from, to) => {
	const out = [];
	for (let n = from; from >= to ? n >= to : n <= to;
	    n += from >= to ? -1 : 1)
		out.push(n);
	return out;
};

/*
 * A minimal XML well-formedness check: one root, balanced and properly
 * nested tags, quoted attributes without '<', only the five predefined
 * entities or character references, no stray '<' or '&' in text.
 * Returns the root element's name.
 */
function checkXml(text) {
	assert.ok(text.startsWith('<?xml version="1.0" encoding="utf-8"?>'),
	    `XML declaration first: ${JSON.stringify(text.slice(0, 60))}`);
	const body = text.slice(text.indexOf('?>') + 2);
	const entity = /&(?:amp|lt|gt|quot|apos|#[0-9]+|#x[0-9a-fA-F]+);/y;
	const stack = [];
	let root = null, i = 0;
	const checkText = (s, at) => {
		for (let k = s.indexOf('&'); k >= 0; k = s.indexOf('&', k + 1)) {
			entity.lastIndex = k;
			assert.ok(entity.test(s), `bad entity at ${at + k}: ` +
			    JSON.stringify(s.slice(k, k + 20)));
		}
		// eslint-disable-next-line no-control-regex
		assert.doesNotMatch(s, /[\x00-\x08\x0b\x0c\x0e-\x1f]/,
		    'control character in XML');
	};
	while (i < body.length) {
		const lt = body.indexOf('<', i);
		const textEnd = lt < 0 ? body.length : lt;
		const chunk = body.slice(i, textEnd);
		checkText(chunk, i);
		if (stack.length === 0)
			assert.match(chunk, /^\s*$/, 'text outside the root');
		if (lt < 0)
			break;
		const gt = body.indexOf('>', lt);
		assert.ok(gt > 0, 'unterminated tag');
		const tag = body.slice(lt + 1, gt);
		const m = /^(\/?)([A-Za-z_][\w.:-]*)((?:\s+[\w.:-]+="[^"<]*")*)\s*(\/?)$/
		    .exec(tag);
		assert.ok(m, `malformed tag <${tag}>`);
		const [, close, name, attrs, selfClose] = m;
		checkText(attrs, lt);
		if (close) {
			assert.equal(stack.pop(), name, `</${name}> closes ` +
			    'the wrong element');
		} else {
			assert.ok(root === null || stack.length > 0,
			    `second root element <${name}>`);
			root ??= name;
			if (!selfClose)
				stack.push(name);
		}
		i = gt + 1;
	}
	assert.deepEqual(stack, [], 'unclosed elements');
	assert.ok(root, 'no root element');
	return root;
}

/* Decodes the XML text of an element (the five entities only). */
const xmlText = (s) => s.replace(/&lt;/g, '<').replace(/&gt;/g, '>')
    .replace(/&quot;/g, '"').replace(/&apos;/g, "'")
    .replace(/&#39;/g, "'").replace(/&#34;/g, '"').replace(/&amp;/g, '&');

function feedEntries(xml) {
	return [...xml.matchAll(/<entry>([\s\S]*?)<\/entry>/g)].map((m) => {
		const e = m[1];
		const one = (re) => (re.exec(e) ?? [])[1];
		return {
			id: one(/<id>([^<]*)<\/id>/),
			title: xmlText(one(/<title[^>]*>([^<]*)<\/title>/) ?? ''),
			updated: one(/<updated>([^<]*)<\/updated>/),
			published: one(/<published>([^<]*)<\/published>/),
			author: one(/<author><name>([^<]*)<\/name><\/author>/),
			link: one(/<link rel="alternate" type="text\/html" href="([^"]*)"/),
			summary: one(/<summary type="text">([^<]*)<\/summary>/),
			content: one(
			    /<content type="html" xml:base="[^"]*">([^<]*)<\/content>/),
		};
	});
}

test('tag page lists its published posts, 10 a page, newest first',
    async () => {
	const p1 = await srv.get('/tags/bulk');
	expectStatus(p1, 200, 'GET /tags/bulk');
	assert.deepEqual(entriesIn(p1.body), range(25, 16));
	expectBody(p1, /<h1[^>]*>Posts tagged “bulk”<\/h1>/, 'heading');
	expectNoBody(p1, /Hidden Zeppelin/, 'draft in tag list');
	expectNoBody(p1, /href="\/tags\/bulk\?page=1"/, 'link to page 1');
	expectBody(p1, /href="\/tags\/bulk\?page=2"/, 'older link');

	const p2 = await srv.get('/tags/bulk?page=2');
	expectStatus(p2, 200, 'page 2');
	assert.deepEqual(entriesIn(p2.body), range(15, 6));
	expectBody(p2, /href="\/tags\/bulk"/, 'newer link to page 1');
	expectBody(p2, /href="\/tags\/bulk\?page=3"/, 'older link');

	const p3 = await srv.get('/tags/bulk?page=3');
	expectStatus(p3, 200, 'page 3');
	assert.deepEqual(entriesIn(p3.body), range(5, 1));
	expectBody(p3, /href="\/tags\/bulk\?page=2"/, 'newer link');
	expectNoBody(p3, /page=4/, 'link past the end');
	expectNoBody(p3, /Hidden Zeppelin/, 'draft on the last page');

	const even = await srv.get('/tags/even');
	expectStatus(even, 200, 'GET /tags/even');
	assert.deepEqual(entriesIn(even.body),
	    [25, 23, 21, 19, 17, 15, 13, 11, 9, 7]);
});

test('tag names are decoded, case-folded and encoded in links', async () => {
	const r = await srv.get(UNITAG_PATH);
	expectStatus(r, 200, `GET ${UNITAG_PATH}`);
	expectBody(r, /Posts tagged “café au lait”/, 'heading');
	expectBody(r, /Xylophone Harmonics/);
	expectBody(r, /Breakfast notes/);
	assert.deepEqual(entriesIn(r.body), []);
	expectStatus(await srv.get('/tags/BULK'), 200, 'upper-case tag');
	// The post page links its tag to the same URL.
	const post = await srv.get(`/posts/${xyloSlug}`);
	expectBody(post, new RegExp(`href="${UNITAG_PATH}"`), 'tag link');
});

test('unknown tags, draft-only tags and bad pages are 404', async () => {
	for (const target of ['/tags/nosuchtag', '/tags/drafttag',
	    '/tags/bulk?page=4', '/tags/bulk?page=0', '/tags/bulk?page=abc',
	    '/tags/bulk?page=', `/tags/${'x'.repeat(65)}`, '/tags/%FF',
	    '/tags/']) {
		const r = await srv.get(target);
		expectStatus(r, 404, target);
		assert.match(r.headers['content-type'] ?? '', /^text\/html/i);
	}
});

test('a slash added at the end answers 301 to the path without it',
    async () => {
	for (const [target, want] of [['/tags/bulk/', '/tags/bulk'],
	    ['/tags/bulk/?page=2', '/tags/bulk?page=2'],
	    ['/search/?q=kernel', '/search?q=kernel'],
	    ['/feed.xml/', '/feed.xml']]) {
		const r = await srv.get(target);
		expectStatus(r, 301, target);
		assert.equal(r.headers.location, want, target);
	}
	// One slash only, never toward another host, and only where a
	// route takes the path.
	for (const target of ['/tags/bulk//', '//tags/bulk/', '/nothing-here/',
	    '/tags/'])
		expectStatus(await srv.get(target), 404, target);
	// An old URL an import kept goes first, ending in '/' or not. The
	// version moves as an import's would, so a 404 cached as "no old
	// URLs" is not trusted past it.
	sql(`INSERT INTO redirects (path, post_id) SELECT '/tags/even/', id ` +
	    `FROM posts WHERE slug = '${xyloSlug}'`, DBNAME);
	sql('UPDATE content_version SET version = version + 1', DBNAME);
	const r = await waitFor(async () => {
		const x = await srv.get('/tags/even/');
		return x.headers.location === `/posts/${xyloSlug}` ? x : null;
	}, 5000, 'the old URL before the slash');
	expectStatus(r, 301, 'old URL');
	sql("DELETE FROM redirects WHERE path = '/tags/even/'", DBNAME);
});

test('blogd redirect: 301 to a path or a URL, 410 for gone, list, delete',
    async () => {
	const redirect = async (...args) => cli(cfg, ['redirect', ...args]);
	/* Waits for target to answer status (the CLI moved the content
	 * version; the page cache reads it once a second). */
	const answers = (target, status, location) => waitFor(async () => {
		const r = await srv.get(target);
		return r.status === status &&
		    r.headers.location === location ? r : null;
	}, 5000, `${target}: ${status} ${location ?? ''}`);

	assertExit(await redirect('add', '/feed/', '/feed.xml'), 0, 'add feed');
	assertExit(await redirect('add', '/old/section/',
	    'https://archive.example.org/section/?a=1'), 0, 'add URL');
	assertExit(await redirect('add', '/withdrawn/', '--gone'), 0,
	    'add gone');
	await answers('/feed/', 301, '/feed.xml');
	await answers('/old/section/', 301,
	    'https://archive.example.org/section/?a=1');
	const gone = await answers('/withdrawn/', 410, undefined);
	expectBody(gone, /Gone/);

	// What a Location header could abuse, or no path at all, is refused.
	for (const [path, target, why] of [
	    ['/x', 'javascript:alert(1)', /new address must be/],
	    ['/x', '//evil.example/', /new address must be/],
	    ['/x', '/a b', /new address must be/],
	    ['/x', '/a\r\nSet-Cookie: x=1', /new address must be/],
	    ['x', '/y', /old path must be/],
	    ['/caf\u00e9', '/y', /old path must be/]]) {
		const r = await redirect('add', path, target);
		assertExit(r, 1, `add ${path} ${target}`);
		assert.match(assertOneLine(r, `add ${path}`), why);
	}
	const usage = await redirect('add', '/only-a-path');
	assertExit(usage, 1, 'add without a target');
	assert.match(usage.stderr, /usage/);

	const list = await redirect('list');
	assertExit(list, 0, 'list');
	assert.equal(list.stdout, '/feed/\t301 /feed.xml\n' +
	    '/old/section/\t301 https://archive.example.org/section/?a=1\n' +
	    '/withdrawn/\t410\n');

	// Replacing a target, then deleting: the path is a 404 again.
	assertExit(await redirect('add', '/feed/', '/tags/bulk'), 0, 'replace');
	await answers('/feed/', 301, '/tags/bulk');
	for (const path of ['/feed/', '/old/section/', '/withdrawn/'])
		assertExit(await redirect('delete', path), 0, `delete ${path}`);
	await answers('/withdrawn/', 404, undefined);
	const again = await redirect('delete', '/withdrawn/');
	assertExit(again, 1, 'delete again');
	assert.match(assertOneLine(again, 'delete again'), /no redirect/);
	assert.equal((await redirect('list')).stdout, '');
});

test('author pages list their posts and paginate', async () => {
	const p1 = await srv.get('/authors/alice');
	expectStatus(p1, 200, 'GET /authors/alice');
	expectBody(p1, /<h1[^>]*>Posts by alice<\/h1>/, 'heading');
	assert.deepEqual(entriesIn(p1.body), range(25, 16));
	expectBody(p1, /href="\/authors\/alice\?page=2"/, 'older link');
	expectNoBody(p1, /Hidden Zeppelin/, 'draft on the author page');
	const p3 = await srv.get('/authors/alice?page=3');
	expectStatus(p3, 200, 'page 3');
	assert.deepEqual(entriesIn(p3.body), range(5, 1));
	expectBody(p3, /href="\/authors\/alice\?page=2"/, 'newer link');

	const bob = await srv.get('/authors/bob.b');
	expectStatus(bob, 200, 'GET /authors/bob.b');
	assert.deepEqual(entriesIn(bob.body), []);
	expectBody(bob, /Say &quot;hi[\s\S]*Breakfast notes[\s\S]*Xylophone/,
	    'newest first');
	expectNoBody(bob, /class="pager"/, 'pager for one page');

	for (const target of ['/authors/nobody', '/authors/carol',
	    '/authors/alice?page=4', '/authors/alice?page=x',
	    '/authors/bad%20name', `/authors/${'a'.repeat(65)}`])
		expectStatus(await srv.get(target), 404, target);
});

test('search without words shows the form and no results', async () => {
	for (const target of ['/search', '/search?q=', '/search?q=+++']) {
		const r = await srv.get(target);
		expectStatus(r, 200, target);
		expectBody(r, /<form[^>]*action="\/search"[^>]*>[\s\S]*name="q"/,
		    'search form');
		expectNoBody(r, /class="summary"/, 'results without a query');
		expectNoBody(r, /No posts match/, 'empty-result text');
	}
	// Every page has the small form in its header.
	const home = await srv.get('/');
	expectBody(home, /<header[\s\S]*<form[^>]*action="\/search"[\s\S]*name="q"[\s\S]*<\/header>/,
	    'header search form');
});

test('search finds words in titles and bodies, never in drafts',
    async () => {
	const t = await srv.get('/search?q=xylophone');
	expectStatus(t, 200, 'title word');
	expectBody(t, new RegExp(`href="/posts/${xyloSlug}"`), 'title hit');
	expectNoBody(t, /Breakfast notes/, 'unrelated post');
	expectBody(t, /Results for “xylophone”/, 'query echoed');
	expectBody(t, /name="q"[^>]*value="xylophone"|value="xylophone"[^>]*name="q"/,
	    'query kept in the field');

	const b = await srv.get('/search?q=marmalade');
	expectStatus(b, 200, 'body word');
	expectBody(b, new RegExp(`href="/posts/${breakfastSlug}"`), 'body hit');

	const q = await srv.get('/search?q=quokka');
	expectBody(q, /Breakfast notes/, 'published post with the word');
	expectNoBody(q, /Hidden Zeppelin/, 'draft with the same word');

	const d = await srv.get('/search?q=zeppelin');
	expectStatus(d, 200, 'word only in a draft');
	expectNoBody(d, /Hidden Zeppelin|class="summary"/, 'draft found');
	expectBody(d, /No posts match/, 'empty result text');
});

test('search results paginate with the query kept', async () => {
	const p1 = await srv.get('/search?q=numbered+paragraph');
	expectStatus(p1, 200, 'page 1');
	assert.equal(entriesIn(p1.body).length, 10);
	expectBody(p1, /href="\/search\?q=numbered%20paragraph&amp;page=2"/,
	    'older link keeps q');
	const p3 = await srv.get('/search?q=numbered%20paragraph&page=3');
	expectStatus(p3, 200, 'page 3');
	assert.equal(entriesIn(p3.body).length, 5);
	expectBody(p3, /href="\/search\?q=numbered%20paragraph&amp;page=2"/,
	    'newer link keeps q');
	const all = new Set([...entriesIn(p1.body), ...entriesIn(p3.body),
	    ...entriesIn((await srv.get(
	        '/search?q=numbered+paragraph&page=2')).body)]);
	assert.equal(all.size, 25, 'every numbered post exactly once');
	expectStatus(await srv.get('/search?q=numbered&page=4'), 404,
	    'page past the end');
	expectStatus(await srv.get('/search?q=numbered&page=zz'), 404,
	    'bad page');
});

test('search limits q to 200 characters and escapes it', async () => {
	expectStatus(await srv.get(`/search?q=${'a'.repeat(200)}`), 200,
	    '200 chars');
	expectStatus(await srv.get(`/search?q=${encodeURIComponent(
	    'é'.repeat(200))}`), 200,
	    '200 two-byte chars');
	expectStatus(await srv.get(`/search?q=${'a'.repeat(201)}`), 400,
	    '201 chars');
	expectStatus(await srv.get('/search?q=%FF%FE'), 400, 'not UTF-8');

	const evil = '<script>alert(1)</script>"\'&x';
	const r = await srv.get(`/search?q=${encodeURIComponent(evil)}`);
	expectStatus(r, 200, 'markup in q');
	expectNoBody(r, /<script>alert/, 'raw script');
	expectNoBody(r, /value="[^"]*"'&x/, 'attribute broken out of');
	expectBody(r, /&lt;script&gt;alert\(1\)&lt;\/script&gt;/, 'escaped');
});

test('Atom feed: well-formed, 20 newest published entries', async () => {
	const r = await srv.get('/feed.xml');
	expectStatus(r, 200, 'GET /feed.xml');
	assert.equal(r.headers['content-type'],
	    'application/atom+xml; charset=utf-8');
	assert.equal(checkXml(r.body), 'feed');
	assert.doesNotThrow(() => new TextDecoder('utf-8', { fatal: true })
	    .decode(r.raw), 'invalid UTF-8');
	const base = cfg.base;
	expectBody(r, /<feed xmlns="http:\/\/www\.w3\.org\/2005\/Atom" xml:lang="fr-CA">/);
	expectBody(r, new RegExp(`<link rel="self" type="application/atom\\+xml" href="${base}/feed.xml"/>`),
	    'self link');
	expectBody(r, new RegExp(`<link rel="alternate" type="text/html" href="${base}/"/>`),
	    'alternate link');
	expectBody(r, /<title>QA Blog<\/title>/, 'feed title');
	const head = r.body.slice(0, r.body.indexOf('<entry>'));
	assert.match(head, /<id>[^<]+<\/id>/, 'feed id');
	const updated = /<updated>([^<]*)<\/updated>/.exec(head)?.[1];
	assert.match(updated ?? '', /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/,
	    'feed updated is RFC 3339');

	const entries = feedEntries(r.body);
	assert.equal(entries.length, 20);
	assert.deepEqual(entries.map((e) => Number(/\d+/.exec(e.title)[0])),
	    range(25, 6), 'the 20 newest, newest first');
	expectNoBody(r, /Zeppelin|Xylophone/, 'draft or older post in feed');
	const ids = new Set();
	for (const [k, e] of entries.entries()) {
		const slug = bulk[24 - k];
		assert.match(e.id ?? '', /^(tag:[^,]+,\d{4}-\d\d-\d\d:\S+|https?:\/\/\S+)$/,
		    `entry id ${e.id}`);
		ids.add(e.id);
		assert.match(e.published ?? '', /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/);
		assert.match(e.updated ?? '', /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/);
		assert.deepEqual({ published: e.published, updated: e.updated },
		    postDates(slug), `dates of ${slug}`);
		assert.equal(e.author, 'alice');
		assert.equal(e.link, `${base}/posts/${slug}`);
		assert.match(e.summary ?? '', /Numbered paragraph of entry/);
		assert.equal(xmlText(e.content ?? ''),
		    `<p>Numbered paragraph of entry ${25 - k}.</p>\n`);
	}
	assert.equal(ids.size, 20, 'entry ids are unique');
	assert.equal(entries[0].published, '2024-02-04T12:00:00Z');
	assert.equal(updated, entries.map((e) => e.updated).sort().at(-1),
	    'feed updated is its newest entry\'s');
});

test('feed escapes markup and derives links from Host without base_url',
    async () => {
	// A second server on the same database, without site.base_url.
	const cfg2 = await writeConfig({ database: { name: DBNAME },
	    site: { base_url: '' } });
	const srv2 = await startBlogd(cfg2);
	try {
		// The newest post, still in the past (a later date would
		// schedule it: invisible until then).
		sql(`UPDATE posts SET published_at = '2025-01-01 00:00:00' ` +
		    `WHERE slug = '${evilSlug}'`, DBNAME);
		const r = await srv2.get('/feed.xml',
		    { headers: { Host: 'blog.example.org:8080' } });
		expectStatus(r, 200, 'feed without base_url');
		checkXml(r.body);
		expectBody(r, /href="http:\/\/blog\.example\.org:8080\/feed\.xml"/,
		    'self link from Host');
		const e = feedEntries(r.body)[0];
		assert.equal(e.title, 'Say "hi" <script>x</script>');
		assert.match(e.id, /^tag:blog\.example\.org,2025-01-01:/);
		expectNoBody(r, /<script>|<b>bold/, 'unescaped markup');
		assert.match(xmlText(e.content), /&amp; Jerry|&quot;quoted&quot;|<p>Tom/);

		const bad = await srv2.get('/feed.xml',
		    { headers: { Host: 'evil.example"><x' } });
		expectStatus(bad, 400, 'feed with a bad Host');
		const robots = await srv2.get('/robots.txt',
		    { headers: { Host: 'blog.example.org' } });
		expectBody(robots, /^Sitemap: http:\/\/blog\.example\.org\/sitemap\.xml$/m);
	} finally {
		sql(`UPDATE posts SET published_at = '2023-06-03 12:00:00' ` +
		    `WHERE slug = '${evilSlug}'`, DBNAME);
		await srv2.stop();
	}
});

test('sitemap lists home, published posts and tags only', async () => {
	const r = await srv.get('/sitemap.xml');
	expectStatus(r, 200, 'GET /sitemap.xml');
	assert.match(r.headers['content-type'] ?? '', /^application\/xml/);
	assert.equal(checkXml(r.body), 'urlset');
	expectBody(r, /<urlset xmlns="http:\/\/www\.sitemaps\.org\/schemas\/sitemap\/0\.9">/);
	const locs = [...r.body.matchAll(/<loc>([^<]*)<\/loc>/g)]
	    .map((m) => m[1]);
	const base = cfg.base;
	assert.ok(locs.includes(`${base}/`), 'home page');
	const posts = locs.filter((l) => l.startsWith(`${base}/posts/`))
	    .map((l) => l.slice(`${base}/posts/`.length)).sort();
	assert.deepEqual(posts, [...bulk, xyloSlug, breakfastSlug, evilSlug]
	    .sort(), 'every published post once');
	assert.ok(!posts.includes(draftSlug), 'draft in the sitemap');
	const tags = locs.filter((l) => l.startsWith(`${base}/tags/`)).sort();
	assert.deepEqual(tags, [`${base}/tags/bulk`, `${base}${UNITAG_PATH}`,
	    `${base}/tags/even`].sort(), 'tags with published posts');
	for (const m of r.body.matchAll(/<url><loc>[^<]*\/posts\/[^<]*<\/loc>(<lastmod>[^<]*<\/lastmod>)?/g))
		assert.match(m[1] ?? '', /<lastmod>\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ<\/lastmod>/,
		    `post lastmod: ${m[0]}`);
	for (const slug of [bulk[0], evilSlug]) {
		const want = `<url><loc>${base}/posts/${slug}</loc><lastmod>` +
		    `${postDates(slug).updated}</lastmod></url>`;
		assert.ok(r.body.includes(want), `sitemap lacks ${want}`);
	}
});

test('robots.txt', async () => {
	const r = await srv.get('/robots.txt');
	expectStatus(r, 200, 'GET /robots.txt');
	assert.match(r.headers['content-type'] ?? '', /^text\/plain/);
	assert.equal(r.body, 'User-agent: *\nDisallow: /admin\n\n' +
	    `Sitemap: ${cfg.base}/sitemap.xml\n`);
});

test('post pages carry canonical, description and OpenGraph tags',
    async () => {
	const r = await srv.get(`/posts/${evilSlug}`);
	expectStatus(r, 200, 'GET evil post');
	const head = r.body.slice(0, r.body.indexOf('</head>'));
	assert.match(head, /^<!DOCTYPE html>\s*<html lang="fr-CA">/, 'language');
	const url = `${cfg.base}/posts/${evilSlug}`;
	const meta = (attr, name) => new RegExp(`<meta ${attr}="${name}" ` +
	    'content="([^"]*)">').exec(head)?.[1];
	assert.equal(meta('property', 'og:type'), 'article');
	assert.equal(meta('property', 'og:url'), url);
	assert.equal(meta('property', 'og:site_name'), 'QA Blog');
	assert.equal(meta('property', 'og:title'),
	    'Say &quot;hi&quot; &lt;script&gt;x&lt;/script&gt;');
	const desc = meta('name', 'description');
	assert.equal(meta('property', 'og:description'), desc);
	assert.match(desc ?? '', /^Tom &amp; Jerry &quot;quoted&quot;/);
	assert.match(head, new RegExp(`<link rel="canonical" href="${url}">`));
	assert.equal(meta('property', 'article:published_time'),
	    '2023-06-03T12:00:00Z');
	assert.doesNotMatch(head, /<script>/, 'raw markup in the head');
	// Lists are websites, with their own canonical URL.
	const home = await srv.get('/');
	assert.match(home.body, /<meta property="og:type" content="website">/);
	assert.match(home.body,
	    new RegExp(`<link rel="canonical" href="${cfg.base}/">`));
	assert.doesNotMatch(home.body, /article:published_time/);
});

test('HEAD works on every discovery URL', async () => {
	for (const target of ['/tags/bulk', '/authors/alice',
	    '/search?q=quokka', '/search', '/feed.xml', '/sitemap.xml',
	    '/robots.txt', '/tags/nosuchtag']) {
		await expectHeadLikeGet(srv, target);
	}
	const r = await srv.request('POST', '/feed.xml', { body: 'a=b' });
	expectStatus(r, 405, 'POST /feed.xml');
});
