// Images in posts in a real browser: the admin picks a file with the
// editor's file input, the page's script uploads it and puts its Markdown
// into the body, the post is published and a visitor's browser shows the
// image (decoded: naturalWidth > 0). The same form without the script
// lands on /admin/media. Screenshots go to $BLOGD_BUILD/e2e-screenshots/.

import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { after, before, test } from 'node:test';

import {
	screenshot, startSite, stopSite, watchedPage,
} from './browser.mjs';

import { png, tempDir } from '../integration/lib.mjs';

const ADMIN = 'e2e-media';
const ADMIN_PW = 'a long e2e media password';
const TITLE = 'A Red Picture';

let site, srv, browser, base, dir;

before(async () => {
	site = await startSite('blogd_e2e_media', ADMIN, ADMIN_PW);
	({ srv, browser, base } = site);
	dir = tempDir('e2e-media');
});

after(() => stopSite(site));

/* A signed-in admin's page; problems collects script errors, CSP
 * violations and failed requests. */
async function adminPage(options = {}) {
	const { context, page, problems } = await watchedPage(browser,
	    { viewport: { width: 1100, height: 900 }, ...options });
	await page.goto(`${base}/admin/login`);
	await page.fill('#login-username', ADMIN);
	await page.fill('#login-password', ADMIN_PW);
	await Promise.all([page.waitForURL(`${base}/admin`),
	    page.click('.admin-login button[type=submit]')]);
	return { context, page, problems };
}

const shot = screenshot;

test('the editor uploads an image into the body; the post shows it',
    async () => {
	const file = path.join(dir, 'red-square.png');
	fs.writeFileSync(file, png(320, 180));
	const { context, page: a, problems } = await adminPage();
	await a.goto(`${base}/admin/posts/new`);
	await a.fill('#post-title', TITLE);
	await a.fill('#post-body', 'Here is the picture:');
	await a.setInputFiles('#media-file', file);
	await a.click('form.media-upload button[type=submit]');
	// The script inserts the Markdown; the page stays the editor.
	await a.waitForFunction(() => document.querySelector('#post-body')
	    .value.includes('/media/'));
	assert.equal(new URL(a.url()).pathname, '/admin/posts/new');
	const body = await a.inputValue('#post-body');
	assert.match(body, /^Here is the picture:\n\n!\[red-square\]\(\/media\/[0-9a-f]{64}\.png\)\n$/);
	assert.match(await a.textContent('.media-status'),
	    /Added red-square\.png/);
	await a.fill('#post-body', body.replace('![red-square]',
	    '![A red square]'));
	await a.check('#post-published');
	await shot(a, 'media-01-editor-image-inserted');
	await Promise.all([a.waitForURL(/\/admin\?saved=1$/),
	    a.click('form.post-form button[type=submit]')]);

	// A visitor sees the image, decoded.
	const visitor = await browser.newContext();
	const v = await visitor.newPage();
	const failed = [];
	v.on('response', (r) => {
		if (r.status() >= 400)
			failed.push(`${r.status()} ${r.url()}`);
	});
	await v.goto(`${base}/posts/a-red-picture`);
	const img = v.locator('article.post img[alt="A red square"]');
	await img.waitFor();
	await v.waitForFunction(() => {
		const i = document.querySelector('article.post img');
		return i.complete && i.naturalWidth > 0;
	});
	assert.equal(await img.evaluate((i) => i.naturalWidth), 320);
	assert.equal(await img.evaluate((i) => i.naturalHeight), 180);
	await shot(v, 'media-02-published-post');
	assert.deepEqual(failed, [], 'failed requests (visitor)');

	// Too large for max_upload: the script says so without sending it.
	const big = path.join(dir, 'big.png');
	fs.writeFileSync(big, png(4, 3, 11 * 1024 * 1024));
	await a.goto(`${base}/admin/posts/new`);
	await a.setInputFiles('#media-file', big);
	await a.click('form.media-upload button[type=submit]');
	await a.waitForFunction(() => /big\.png is 11\.0 MiB; files may be at most 10 MiB\./.test(
	    document.querySelector('.media-status').textContent));
	assert.equal(await a.inputValue('#post-body'), '');
	// Refused by the server (not an image): its message is shown.
	const text = path.join(dir, 'notes.png');
	fs.writeFileSync(text, '<html>not a picture</html>');
	await a.setInputFiles('#media-file', text);
	await a.click('form.media-upload button[type=submit]');
	await a.waitForFunction(() => /is not a PNG, JPEG, GIF, WebP or PDF/
	    .test(document.querySelector('.media-status').textContent));
	// The refusal itself (415) is the one failed request expected.
	assert.deepEqual(problems.filter((p) => !/^415 |status of 415/.test(p)),
	    [], 'console errors (admin)');
	await context.close();
	await visitor.close();
});

test('without JavaScript the upload lands on the media list', async () => {
	const file = path.join(dir, 'no-script.png');
	fs.writeFileSync(file, png(12, 12));
	const { context, page: a, problems } =
	    await adminPage({ javaScriptEnabled: false });
	await a.goto(`${base}/admin/posts/new`);
	await a.setInputFiles('#media-file', file);
	await Promise.all([a.waitForURL(/\/admin\/media\?added=[0-9a-f]{64}$/),
	    a.click('form.media-upload button[type=submit]')]);
	assert.match(await a.textContent('.media-added code'),
	    /^!\[no-script\]\(\/media\/[0-9a-f]{64}\.png\)$/);
	const thumb = a.locator('.admin-media img').first();
	await thumb.waitFor();
	await a.waitForFunction(() => {
		const i = document.querySelector('.admin-media img');
		return i.complete && i.naturalWidth > 0;
	});
	await shot(a, 'media-03-media-list');
	assert.deepEqual(problems, [], 'problems (no script)');
	await context.close();
});
