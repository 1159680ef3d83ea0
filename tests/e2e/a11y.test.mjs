// Accessibility in a real browser: axe-core (npm) runs in Debian's Chromium
// on every page type, public and admin, and any violation fails the test.
// The same pages must load without a console error or a failed request
// (the favicon included) and the inline stylesheet must apply, which only
// happens when the CSP's hash matches it.

import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { after, before, test } from 'node:test';

import { launchChromium } from './browser.mjs';

import {
	SRC, addPost, addUser, cli, png, setupSite, sql, sqlValue, startBlogd,
	tempDir,
} from '../integration/lib.mjs';

const DBNAME = 'blogd_e2e_a11y';
const ADMIN = 'a11y-admin';
const ADMIN_PW = 'an accessible password';
const require = createRequire(import.meta.url);
const AXE = fs.readFileSync(require.resolve('axe-core/axe.min.js'), 'utf8');

let srv, browser, slug, postId;

before(async () => {
	const cfg = await setupSite(DBNAME,
	    { paths: { static: path.join(SRC, 'static') },
	        site: { description: 'A blog that axe reads.' } });
	await addUser(cfg, ADMIN, ADMIN_PW, true);
	slug = await addPost(cfg, { title: 'Readable Things', author: ADMIN,
	    tags: 'a11y', body: 'Words with a [link](/posts/x) and `code`.\n\n' +
	    '## A section\n\n- one\n- two\n' });
	await addPost(cfg, { title: 'Another Readable Post', author: ADMIN,
	    body: 'More words.\n' });
	await addPost(cfg, { title: 'About', author: ADMIN, slug: 'about',
	    page: true, body: 'Who writes here.\n' });
	postId = sqlValue(`SELECT id FROM posts WHERE slug = '${slug}'`,
	    DBNAME);
	sql("INSERT INTO comments (post_id, name, body, status) VALUES " +
	    `(${postId}, 'Ann', 'Approved words.', 'approved'), ` +
	    `(${postId}, 'Bob', 'Pending words.', 'pending')`, DBNAME);
	const image = path.join(tempDir('a11y-media'), 'red.png');
	fs.writeFileSync(image, png());
	assert.equal((await cli(cfg, ['media', 'add', image])).code, 0);
	srv = await startBlogd(cfg);
	browser = await launchChromium();
});

after(async () => {
	if (browser)
		await browser.close();
	if (srv)
		await srv.stop();
});

/* Loads target in page and returns axe's violations, one line each. */
async function audit(page, problems, target) {
	problems.length = 0;
	const r = await page.goto(`http://127.0.0.1:${srv.port}${target}`);
	assert.equal(r.status(), 200, target);
	return auditLoaded(page, problems, target);
}

/* audit for the page as it is (a form's answer); name says which. */
async function auditLoaded(page, problems, target) {
	// Through the DevTools protocol, which the page's CSP does not
	// govern (an injected <script> would be refused, rightly).
	await page.evaluate(AXE);
	const res = await page.evaluate(() => window.axe.run(document,
	    { resultTypes: ['violations'] }));
	// The inline stylesheet applied: the page background is the site's.
	const bg = await page.evaluate(() =>
	    getComputedStyle(document.body).backgroundColor);
	assert.equal(bg, 'rgb(253, 253, 251)', `${target}: inline style`);
	assert.deepEqual(problems, [], `${target}: console or network`);
	return res.violations.map((v) => `${target}: ${v.id} (${v.impact}): ` +
	    `${v.help}: ${v.nodes.map((n) => n.target.join(' ')).join(', ')}`);
}

async function newPage(context) {
	const page = await context.newPage();
	page.setDefaultTimeout(10000);
	const problems = [];
	page.on('console', (m) => {
		if (m.type() === 'error')
			problems.push(m.text());
	});
	page.on('response', (r) => {
		if (r.status() >= 400)
			problems.push(`${r.status()} ${r.url()}`);
	});
	page.on('pageerror', (e) => problems.push(e.message));
	return { page, problems };
}

test('axe finds no violation on public pages, phone and desktop',
    async () => {
	const found = [];
	for (const viewport of [{ width: 390, height: 844 },
	    { width: 1100, height: 800 }]) {
		const context = await browser.newContext({ viewport });
		const { page, problems } = await newPage(context);
		for (const target of ['/', `/posts/${slug}`, '/tags/a11y',
		    `/authors/${ADMIN}`, '/search', '/search?q=readable',
		    '/pages/about', '/admin/login'])
			found.push(...await audit(page, problems, target));
		await context.close();
	}
	assert.deepEqual(found, [], 'axe violations');
});

test('axe does report what main had: two unnamed search landmarks, no h1',
    async () => {
	const page = await browser.newPage();
	await page.setContent('<!DOCTYPE html><html lang="en"><head><title>' +
	    't</title></head><body><header><form role="search"><input ' +
	    'aria-label="q"></form></header><main><form role="search">' +
	    '<input aria-label="r"></form></main></body></html>');
	await page.evaluate(AXE);
	const res = await page.evaluate(() => window.axe.run(document,
	    { resultTypes: ['violations'] }));
	const ids = res.violations.map((v) => v.id).sort();
	assert.ok(ids.includes('landmark-unique'), ids.join(' '));
	assert.ok(ids.includes('page-has-heading-one'), ids.join(' '));
	await page.close();
});

test('axe finds no violation on the admin pages', async () => {
	const context = await browser.newContext(
	    { viewport: { width: 1100, height: 800 } });
	const { page, problems } = await newPage(context);
	const base = `http://127.0.0.1:${srv.port}`;
	await page.goto(`${base}/admin/login`);
	await page.fill('#login-username', ADMIN);
	await page.fill('#login-password', ADMIN_PW);
	await Promise.all([page.waitForURL(`${base}/admin`),
	    page.click('.admin-login button[type=submit]')]);
	const found = [];
	for (const target of ['/admin', '/admin/posts/new',
	    `/admin/posts/${postId}/edit`, '/admin/comments', '/admin/media',
	    '/admin/password', '/admin/users', '/admin/redirects'])
		found.push(...await audit(page, problems, target));
	// A form shown again with its errors.
	await page.goto(`${base}/admin/posts/new`);
	await page.fill('#post-title', 'Fine title');
	await page.fill('#post-slug', 'not a slug!');
	await Promise.all([page.waitForLoadState('load'),
	    page.click('form.post-form button[type=submit]:not([formaction])')]);
	assert.ok(await page.isVisible('.form-error'), 'the form has errors');
	problems.length = 0; // the page's own 400, logged by Chromium
	found.push(...await auditLoaded(page, problems, 'new post with errors'));
	// The preview, in the tab it opens.
	await page.fill('#post-slug', '');
	await page.fill('#post-body', 'Previewed *words*.\n');
	const [preview] = await Promise.all([context.waitForEvent('page'),
	    page.click('button[formaction="/admin/preview"]')]);
	await preview.waitForLoadState('load');
	assert.match(await preview.textContent('.notice'),
	    /Preview — not published/);
	found.push(...await auditLoaded(preview, [], 'preview'));
	await preview.close();
	found.push(...await twoFactorAudit(page, problems, base));
	assert.deepEqual(found, [], 'axe violations');
	await context.close();
});

/* Two-factor sign-in's pages: off, enrolling (the QR code), a wrong first
 * code, the recovery codes, on, and the code step of signing in. */
async function twoFactorAudit(page, problems, base) {
	const found = await audit(page, problems, '/admin/totp');
	await page.click('form[action="/admin/totp/start"] button');
	await page.waitForSelector('#totp-secret');
	found.push(...await auditLoaded(page, problems, 'enrolling'));
	const secret = await page.textContent('#totp-secret');
	await page.fill('#totp-code', '12345');
	await page.click('form[action="/admin/totp/confirm"] button');
	await page.waitForSelector('.form-error');
	problems.length = 0; // the page's own 400, logged by Chromium
	found.push(...await auditLoaded(page, problems, 'wrong first code'));
	await page.fill('#totp-code', execFileSync('oathtool',
	    ['--totp', '-b', secret]).toString().trim());
	await page.click('form[action="/admin/totp/confirm"] button');
	await page.waitForSelector('.totp-recovery');
	found.push(...await auditLoaded(page, problems, 'recovery codes'));
	found.push(...await audit(page, problems, '/admin/totp'));
	const context = await browser.newContext();
	const other = await newPage(context);
	await other.page.goto(`${base}/admin/login`);
	await other.page.fill('#login-username', ADMIN);
	await other.page.fill('#login-password', ADMIN_PW);
	await Promise.all([other.page.waitForURL(`${base}/admin/login/code`),
	    other.page.click('.admin-login button[type=submit]')]);
	found.push(...await auditLoaded(other.page, other.problems,
	    '/admin/login/code'));
	await context.close();
	return found;
}
