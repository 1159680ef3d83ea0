// Upgrading a database that blogd 1.x (schema version 1) filled: `blogd
// migrate` applies sql/002_post_tags_published.sql, which copies each
// published post's date into its tag links, and tag pages then list the
// old posts in date order, without drafts, next to posts written after;
// after sql/009 it renders the old posts' list excerpts from their bodies;
// sql/006_comment_spam.sql hashes the old comments' bodies, so a comment
// made before the upgrade counts when the same text comes again.

import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { after, before, test } from 'node:test';

import {
	CookieJar, SRC, addPost, addUser, assertExit, cli, createDatabase,
	expectBody, expectNoBody, expectStatus, hiddenFrom, numbered, numbersIn,
	sql, sqlValue, startBlogd, tempDir, writeConfig,
} from './lib.mjs';

const DBNAME = 'blogd_upgrade';
const V2 = '002_post_tags_published.sql';
let srv, cfg;

const upgrade = (i) => numbered('Upgrade', i);

/* Posts as version 1 stored them: [status, published_at, tags]. Inserted
 * in this order, so their ids are not in date order; the last was
 * published once, then made a draft again (it keeps its date). */
const OLD = [
	['published', "'2024-01-03 12:00:00'", ['upgrade']],
	['published', "'2024-01-01 12:00:00'", ['upgrade']],
	['published', "'2024-01-02 12:00:00'", ['upgrade', 'other']],
	['draft', 'NULL', ['upgrade', 'draftonly']],
	['draft', "'2024-01-05 12:00:00'", ['upgrade', 'draftonly']],
];

/* Links whose date is not their post's (its date while published). */
const staleLinks = () => Number(sqlValue('SELECT COUNT(*) FROM post_tags ' +
    'pt JOIN posts p ON p.id = pt.post_id WHERE NOT (pt.published_at <=> ' +
    "IF(p.status = 'published', p.published_at, NULL))", DBNAME));

before(async () => {
	createDatabase(DBNAME);
	const v1 = tempDir('sql-v1');
	fs.copyFileSync(path.join(SRC, 'sql/001_init.sql'),
	    path.join(v1, '001_init.sql'));
	const cfgV1 = await writeConfig({ database: { name: DBNAME },
	    paths: { migrations: v1 } });
	assertExit(await cli(cfgV1, ['migrate']), 0, 'migrate to version 1');
	await addUser(cfgV1, 'olduser', 'old user password 1');
	sql("INSERT INTO tags (name) VALUES ('upgrade'), ('other'), " +
	    "('draftonly')", DBNAME);
	OLD.forEach(([status, at, tags], i) => {
		const slug = `upgrade-${i + 1}`;
		sql('INSERT INTO posts (slug, title, body_md, body_html, ' +
		    'excerpt, author_id, status, published_at) SELECT ' +
		    `'${slug}', '${upgrade(i)}', 'x', '<p>x</p>', 'x', id, ` +
		    `'${status}', ${at} FROM users WHERE name = 'olduser'`,
		    DBNAME);
		sql('INSERT INTO post_tags (post_id, tag_id) SELECT p.id, t.id ' +
		    `FROM posts p JOIN tags t WHERE p.slug = '${slug}' AND ` +
		    `t.name IN (${tags.map((t) => `'${t}'`).join(', ')})`,
		    DBNAME);
	});
	sql('INSERT INTO comments (post_id, name, body, status, created_at, ' +
	    "client_ip) SELECT id, 'Early', 'Said before the upgrade', " +
	    "'approved', UTC_TIMESTAMP(), '192.0.2.1' FROM posts WHERE " +
	    "slug = 'upgrade-1'", DBNAME);
	// No page cache: a post added from the CLI shows at once.
	cfg = await writeConfig({ database: { name: DBNAME },
	    cache: { enabled: 'false' } });
});

after(async () => {
	if (srv)
		await srv.stop();
});

test('migrate applies 002 alone and dates the links of published posts',
    async () => {
	const r = await cli(cfg, ['migrate']);
	assertExit(r, 0, 'migrate to version 2');
	assert.ok(r.stdout.includes(V2), `002 not applied:\n${r.stdout}`);
	assert.ok(!r.stdout.includes('001_'), `001 applied again:\n${r.stdout}`);
	assert.equal(staleLinks(), 0, 'links without their post\'s date');
	// 009: the old posts' excerpts rendered again, with their blocks.
	assert.match(r.stdout, /rendered the excerpts of 5 posts again/);
	assert.equal(sqlValue('SELECT COUNT(*) FROM posts WHERE ' +
	    "excerpt_html <> '<p>x</p>\n' OR kind <> 'post'", DBNAME), '0');
	// 010: each post's tag names copied next to it, in name order.
	assert.deepEqual(sql('SELECT slug, tag_names FROM posts ORDER BY slug',
	    DBNAME), OLD.map(([, , tags], i) => [`upgrade-${i + 1}`,
	    [...tags].sort().join(',')]));
	// upgrade: posts 1-3; other: post 3. Drafts' links stay NULL.
	assert.equal(sqlValue('SELECT COUNT(*) FROM post_tags WHERE ' +
	    'published_at IS NOT NULL', DBNAME), '4');
	assert.deepEqual(sql("SELECT index_name FROM information_schema." +
	    `statistics WHERE table_schema = '${DBNAME}' AND table_name = ` +
	    "'post_tags' AND index_name <> 'PRIMARY' GROUP BY index_name",
	    DBNAME).flat(), ['post_tags_tag_published']);
});

test('tag pages list the upgraded posts by date, drafts never', async () => {
	srv = await startBlogd(cfg);
	const tag = await srv.get('/tags/upgrade');
	expectStatus(tag, 200, '/tags/upgrade');
	assert.deepEqual(numbersIn(tag.body, 'Upgrade'), [1, 3, 2]);
	const other = await srv.get('/tags/other');
	expectStatus(other, 200, '/tags/other');
	assert.deepEqual(numbersIn(other.body, 'Upgrade'), [3]);
	expectStatus(await srv.get('/tags/draftonly'), 404, 'draft-only tag');
	const map = await srv.get('/sitemap.xml');
	expectBody(map, /\/tags\/upgrade</, 'sitemap');
	expectBody(map, /\/tags\/other</, 'sitemap');
	expectNoBody(map, /\/tags\/draftonly</, 'sitemap: draft-only tag');

	// A post written after the upgrade, dated now, comes first.
	await addPost(cfg, { title: upgrade(OLD.length), author: 'olduser',
	    body: 'new\n', tags: 'upgrade' });
	assert.equal(staleLinks(), 0, 'links without their post\'s date');
	const again = await srv.get('/tags/upgrade');
	assert.deepEqual(numbersIn(again.body, 'Upgrade'), [6, 1, 3, 2]);
});

test('comments made before the upgrade count as the same text again',
    async () => {
	assert.equal(sqlValue("SELECT HEX(body_hash) = UPPER(SHA2(body, 256)) " +
	    "FROM comments WHERE name = 'Early'", DBNAME), '1',
	    'the old comment has no body hash');
	const jar = new CookieJar();
	const page = await srv.get('/posts/upgrade-1', { jar });
	expectStatus(page, 200, 'the old post');
	const r = await srv.request('POST', '/posts/upgrade-1/comments',
	    { jar, body: { name: 'Late', body: 'Said before the upgrade',
	    ...hiddenFrom(page.body) } });
	expectStatus(r, 400, 'the old text again');
	expectBody(r, /already been posted/);
});
