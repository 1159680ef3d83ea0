// [site] time_zone through the binary, as Django's TIME_ZONE: pages show
// the day in the site's zone while <time datetime>, the feed and the
// database keep UTC; the editor reads and writes its times in the site's
// zone; a name that is no zone stops blogd with one clear line.

import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';

import {
	addPost, addUser, adminSignIn, assertExit, assertOneLine, cli,
	csrfFrom, expectBody, expectStatus, setupSite, sqlValue, startBlogd,
	writeConfig,
} from './lib.mjs';

const DBNAME = 'blogd_timezone';
const ADMIN = 'zoned';
const ADMIN_PW = 'zoned admin password';
let cfg, srv;

before(async () => {
	cfg = await setupSite(DBNAME,
	    { site: { time_zone: 'America/Los_Angeles' } });
	await addUser(cfg, ADMIN, ADMIN_PW, true);
	srv = await startBlogd(cfg);
});

after(async () => {
	if (srv)
		await srv.stop();
});

const login = () => adminSignIn(srv, ADMIN, ADMIN_PW);

test('pages show the day in the site\'s zone, machines get UTC', async () => {
	// 03:00 UTC on the 5th is 19:00 on the 4th in Los Angeles (UTC-8).
	const slug = await addPost(cfg, { title: 'Evening post', author: ADMIN,
	    body: 'Written in the evening.\n', at: '2026-12-05 03:00:00' });
	const when = /<time datetime="2026-12-05T03:00:00Z">4 December 2026<\/time>/;
	expectBody(await srv.get(`/posts/${slug}`), when, 'the post');
	expectBody(await srv.get('/'), when, 'the home page');
	const feed = await srv.get('/feed.xml');
	expectStatus(feed, 200, 'feed');
	expectBody(feed, /2026-12-05T03:00:00Z/, 'the feed keeps UTC');
	// Summer: UTC-7, and a day that does not move.
	const summer = await addPost(cfg, { title: 'Noon post', author: ADMIN,
	    body: 'Noon.\n', at: '2026-07-01 19:00:00' });
	expectBody(await srv.get(`/posts/${summer}`),
	    /<time datetime="2026-07-01T19:00:00Z">1 July 2026<\/time>/);
});

test('the editor takes and shows times in the site\'s zone', async () => {
	const jar = await login();
	const form = await srv.get('/admin/posts/new', { jar });
	expectBody(form, /America\/Los_Angeles time/, 'the hint names the zone');
	// 09:00 in Los Angeles in January is 17:00 UTC.
	const r = await srv.request('POST', '/admin/posts/new', { jar,
	    body: { title: 'Morning schedule', body: 'later\n', tags: '',
	        slug: '', published: '1', publish_at: '2030-01-10T09:00',
	        kind: 'post', csrf_token: csrfFrom(form.body) } });
	expectStatus(r, 303, 'save');
	assert.equal(sqlValue("SELECT DATE_FORMAT(published_at, " +
	    "'%Y-%m-%d %H:%i:%s') FROM posts WHERE slug = 'morning-schedule'",
	    DBNAME), '2030-01-10 17:00:00', 'stored in UTC');
	const id = sqlValue("SELECT id FROM posts WHERE slug = " +
	    "'morning-schedule'", DBNAME);
	const edit = await srv.get(`/admin/posts/${id}/edit`, { jar });
	expectStatus(edit, 200, 'edit form');
	expectBody(edit, /name="publish_at"[^>]*value="2030-01-10T09:00:00"/,
	    'shown in the site\'s time');
});

test('a time zone that does not exist stops blogd with one line',
    async () => {
	const bad = await writeConfig({ site: { time_zone: 'Mars/Olympus' } });
	const r = await cli(bad, ['check']);
	assertExit(r, 1, 'check with a bad zone');
	assertOneLine(r, 'check with a bad zone');
	assert.match(r.stderr, /site\.time_zone: 'Mars\/Olympus' is not UTC or a zone of the tz database/);
});
