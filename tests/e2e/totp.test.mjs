// Two-factor sign-in in a real browser (Debian's Chromium through
// playwright-core): an admin turns it on, reading the key from the page and
// making codes with oathtool as an authenticator app would, signs out, and
// signs in again with password and code. Screenshots go to
// $BLOGD_BUILD/e2e-screenshots/.

import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { after, before, test } from 'node:test';

import { screenshot, startSite, stopSite, watchedPage } from './browser.mjs';

import { sleep } from '../integration/lib.mjs';

const ADMIN = 'e2e-totp';
const ADMIN_PW = 'a long two-factor password';

let site, srv, browser;

before(async () => {
	site = await startSite('blogd_e2e_totp', ADMIN, ADMIN_PW);
	({ srv, browser } = site);
});

after(() => stopSite(site));

const shot = screenshot;

const step = () => Math.floor(Date.now() / 30000);

/* The code an authenticator app shows now for base32 key. */
const appCode = (key) =>
	execFileSync('oathtool', ['--totp', '-b', key]).toString().trim();

test('an admin turns on two-factor sign-in, signs out and back in',
    async () => {
	const base = `http://127.0.0.1:${srv.port}`;
	const { context, page, problems } = await watchedPage(browser);

	await page.goto(`${base}/admin/login`);
	await page.fill('#login-username', ADMIN);
	await page.fill('#login-password', ADMIN_PW);
	await Promise.all([page.waitForURL(`${base}/admin`),
	    page.click('.admin-login button[type=submit]')]);

	// From the admin menu to the set-up page, then start.
	await Promise.all([page.waitForURL(`${base}/admin/totp`),
	    page.click('nav.admin-nav a[href="/admin/totp"]')]);
	await page.click('form[action="/admin/totp/start"] button');
	await page.waitForSelector('#totp-secret');
	const qr = await page.locator('svg.qr').boundingBox();
	assert.ok(qr && qr.width > 100 && qr.height === qr.width,
	    `the QR code is drawn: ${JSON.stringify(qr)}`);
	await shot(page, 'totp-01-enrol');
	const key = (await page.textContent('#totp-secret')).trim();
	assert.match(key, /^[A-Z2-7]{32}$/);

	await page.fill('#totp-code', appCode(key));
	const confirmed = step();
	await page.click('form[action="/admin/totp/confirm"] button');
	await page.waitForSelector('.totp-recovery');
	const codes = await page.locator('.totp-recovery code').allTextContents();
	assert.equal(codes.length, 10, 'ten recovery codes');
	await shot(page, 'totp-02-recovery-codes');

	await Promise.all([page.waitForURL(/\/admin\/login\?signed_out=1$/),
	    page.click('.admin-logout button')]);

	// The password alone leads to the code form, not to /admin.
	await page.fill('#login-username', ADMIN);
	await page.fill('#login-password', ADMIN_PW);
	await Promise.all([page.waitForURL(`${base}/admin/login/code`),
	    page.click('.admin-login button[type=submit]')]);
	const input = page.locator('#login-code');
	assert.equal(await input.getAttribute('autocomplete'), 'one-time-code');
	assert.equal(await input.getAttribute('inputmode'), 'numeric');
	await shot(page, 'totp-03-code');
	const direct = await page.request.get(`${base}/admin`,
	    { maxRedirects: 0 });
	assert.equal(direct.status(), 303, 'no session between the steps');

	// The confirming code is used up: the app's next code signs in.
	while (step() === confirmed)
		await sleep(250);
	await page.fill('#login-code', appCode(key));
	await Promise.all([page.waitForURL(`${base}/admin`),
	    page.click('.admin-login button[type=submit]')]);
	assert.ok(await page.isVisible('nav.admin-nav'), 'signed in');
	assert.deepEqual(problems, [], 'console errors and failed loads');
	await context.close();
});
