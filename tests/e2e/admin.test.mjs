// The admin area in a real browser (Debian's Chromium through
// playwright-core): an admin writes a post, a visitor finds it and
// comments, the admin approves the comment, the visitor sees it. Screenshots
// of each step go to $BLOGD_BUILD/e2e-screenshots/.

import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';

import {
	screenshot, startSite, stopSite, watchedPage,
} from './browser.mjs';

import { sqlValue, waitFor } from '../integration/lib.mjs';

const ADMIN = 'e2e-admin';
const ADMIN_PW = 'a long e2e password';
const TITLE = 'Browsers Welcome';
const COMMENT = 'Lovely post, said the browser.';

let site, srv, browser;

before(async () => {
	site = await startSite('blogd_e2e_admin', ADMIN, ADMIN_PW);
	({ srv, browser } = site);
});

after(() => stopSite(site));

/* A fresh browser context (its own cookies) and a page in it. */
const newPage = (viewport) =>
	watchedPage(browser, viewport ? { viewport } : {});

const shot = screenshot;

test('admin writes, visitor comments, admin approves', async () => {
	const base = `http://127.0.0.1:${srv.port}`;
	const admin = await newPage();
	const a = admin.page;

	// Signing in: /admin sends us to the login page first.
	await a.goto(`${base}/admin`);
	assert.equal(new URL(a.url()).pathname, '/admin/login');
	await shot(a, '01-login');
	await a.fill('#login-username', ADMIN);
	await a.fill('#login-password', ADMIN_PW);
	await Promise.all([a.waitForURL(`${base}/admin`),
	    a.click('.admin-login button[type=submit]')]);
	const cookies = await admin.context.cookies();
	const session = cookies.find((c) => c.name === 'blogd_session');
	assert.ok(session, 'session cookie');
	assert.equal(session.httpOnly, true);
	assert.equal(session.sameSite, 'Lax');

	// A Markdown post with a tag.
	await a.click('.admin-heading >> text=New post');
	await a.waitForURL(`${base}/admin/posts/new`);
	await a.fill('#post-title', TITLE);
	await a.fill('#post-body', 'Hello from a **real** browser.\n\n' +
	    '- one\n- two\n\n## A section\n\nWith `code` in it.\n');
	await a.fill('#post-tags', 'e2e, browsers');
	await a.check('#post-published');
	await shot(a, '02-new-post');
	await Promise.all([a.waitForURL(/\/admin\?saved=1$/),
	    a.click('form.post-form button[type=submit]:not([formaction])')]);
	assert.match(await a.textContent('.notice'), /Post saved/);
	assert.ok(await a.isVisible(`.admin-posts >> text=${TITLE}`));
	await shot(a, '03-admin-posts');

	// A visitor finds it on the front page and opens it.
	const visitor = await newPage({ width: 390, height: 844 });
	const v = visitor.page;
	await v.goto(`${base}/`);
	await Promise.all([v.waitForURL(/\/posts\/browsers-welcome$/),
	    v.click(`text=${TITLE}`)]);
	assert.equal(await v.textContent('article.post h1'), TITLE);
	assert.equal(await v.textContent('article.post strong'), 'real');
	assert.ok(await v.isVisible('a[href="/tags/e2e"]'));

	// ... and comments; it waits for moderation.
	await v.fill('#comment-name', 'Visitor');
	await v.fill('#comment-body', COMMENT);
	await Promise.all([v.waitForURL(/commented=1/),
	    v.click('form.comment-form button[type=submit]')]);
	assert.match(await v.textContent('.notice'), /awaiting moderation/);
	assert.equal(await v.isVisible(`text=${COMMENT}`), false);
	await shot(v, '04-visitor-commented');

	// The admin sees one pending comment and approves it.
	await a.goto(`${base}/admin`);
	assert.equal((await a.textContent('.admin-pending .count')).trim(),
	    '1');
	await a.click('.admin-pending a');
	await a.waitForURL(`${base}/admin/comments`);
	assert.ok(await a.isVisible(`.admin-comment >> text=${COMMENT}`));
	await shot(a, '05-moderation');
	await Promise.all([a.waitForURL(/approved=1$/),
	    a.click('.admin-comment button:has-text("Approve")')]);
	assert.match(await a.textContent('.notice'), /Comment approved/);
	assert.ok(await a.isVisible('text=Nothing to moderate'));

	// The visitor reloads and sees it.
	await v.reload();
	assert.ok(await v.isVisible(`.comment-list >> text=${COMMENT}`));
	await shot(v, '06-visitor-sees-comment');

	// The admin list on a phone, then sign out.
	const phone = await admin.context.newPage();
	await phone.setViewportSize({ width: 390, height: 844 });
	await phone.goto(`${base}/admin`);
	await shot(phone, '07-admin-phone');
	await Promise.all([phone.waitForURL(/\/admin\/login/),
	    phone.click('.admin-logout button')]);
	await phone.goto(`${base}/admin`);
	assert.equal(new URL(phone.url()).pathname, '/admin/login');

	assert.deepEqual(admin.problems, [], 'console errors (admin)');
	assert.deepEqual(visitor.problems, [], 'console errors (visitor)');
	await admin.context.close();
	await visitor.context.close();
});

test('admin previews and schedules a post; it appears by itself', async () => {
	const base = `http://127.0.0.1:${srv.port}`;
	const { context, page: a, problems } = await newPage();
	await a.goto(`${base}/admin/login`);
	await a.fill('#login-username', ADMIN);
	await a.fill('#login-password', ADMIN_PW);
	await Promise.all([a.waitForURL(`${base}/admin`),
	    a.click('.admin-login button[type=submit]')]);
	await a.goto(`${base}/admin/posts/new`);
	await a.fill('#post-title', 'Scheduled in a browser');
	await a.fill('#post-body', 'Written *ahead* of time.\n');
	// Eight seconds ahead by the database's clock (never ":00", which
	// the browser would write without its seconds).
	const at = sqlValue("SELECT DATE_FORMAT(UTC_TIMESTAMP() + INTERVAL " +
	    "IF(SECOND(UTC_TIMESTAMP() + INTERVAL 8 SECOND) = 0, 9, 8) " +
	    "SECOND, '%Y-%m-%dT%H:%i:%s')", 'blogd_e2e_admin');
	await a.fill('#post-publish-at', at);
	await a.check('#post-published');

	// The preview opens in a tab of its own and saves nothing.
	const [preview] = await Promise.all([context.waitForEvent('page'),
	    a.click('button[formaction="/admin/preview"]')]);
	await preview.waitForLoadState('load');
	assert.match(await preview.textContent('.notice'),
	    /Preview — not published/);
	assert.equal(await preview.textContent('article.post h1'),
	    'Scheduled in a browser');
	assert.equal(await preview.textContent('article.post em'), 'ahead');
	await shot(preview, '08-preview');
	await preview.close();
	assert.equal((await srv.get('/posts/scheduled-in-a-browser')).status,
	    404, 'the preview saved the post');

	await Promise.all([a.waitForURL(/\/admin\?saved=1$/),
	    a.click('form.post-form button[type=submit]:not([formaction])')]);
	assert.ok(await a.isVisible('.admin-posts >> text=Scheduled'));
	assert.equal((await srv.get('/posts/scheduled-in-a-browser')).status,
	    404, 'shown before its time');
	await waitFor(async () =>
	    (await srv.get('/')).body.includes('Scheduled in a browser'),
	30000, 'the scheduled post on the home page');
	await a.goto(`${base}/posts/scheduled-in-a-browser`);
	assert.equal(await a.textContent('article.post h1'),
	    'Scheduled in a browser');
	assert.deepEqual(problems, [], 'console errors');
	await context.close();
});
