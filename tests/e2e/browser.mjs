// Debian's Chromium, headless, driven by playwright-core: the one browser
// every e2e test uses.

import fs from 'node:fs';
import path from 'node:path';

import { chromium } from 'playwright-core';

import {
	SRC, addUser, setupSite, startBlogd, tempDir,
} from '../integration/lib.mjs';

export function launchChromium() {
	return chromium.launch({
		executablePath: '/usr/bin/chromium',
		args: ['--headless', '--no-sandbox', '--disable-gpu',
		    '--disable-background-networking',
		    '--disable-component-update', '--no-first-run'],
	});
}

// Where screenshots go: $BLOGD_BUILD/e2e-screenshots/ (a temp dir without
// a build dir).
const shots = process.env.BLOGD_BUILD
	? path.join(process.env.BLOGD_BUILD, 'e2e-screenshots')
	: tempDir('e2e-screenshots');
fs.mkdirSync(shots, { recursive: true });

export const screenshot = (page, name, fullPage = true) =>
	page.screenshot({ path: path.join(shots, `${name}.png`), fullPage });

// A site with the real stylesheets (so screenshots show the real pages),
// one admin, blogd started and Chromium launched: { cfg, srv, base,
// browser }. stopSite ends what it started.
export async function startSite(dbName, admin, password) {
	const cfg = await setupSite(dbName,
	    { paths: { static: path.join(SRC, 'static') } });
	await addUser(cfg, admin, password, true);
	const srv = await startBlogd(cfg);
	const site = { cfg, srv, base: `http://127.0.0.1:${srv.port}` };
	site.browser = await launchChromium();
	return site;
}

export async function stopSite(site) {
	if (site?.browser)
		await site.browser.close();
	if (site?.srv)
		await site.srv.stop();
}

// A page in a fresh context (its own cookies); problems collects script
// errors, CSP violations and every subresource that failed (the favicon
// included).
export async function watchedPage(browser, options = {}) {
	const context = await browser.newContext(
	    { viewport: { width: 1100, height: 800 }, ...options });
	const page = await context.newPage();
	page.setDefaultTimeout(10000);
	const problems = [];
	page.on('console', (m) => {
		if (m.type() === 'error' &&
		    !m.text().startsWith('Failed to load resource'))
			problems.push(m.text());
	});
	page.on('response', (r) => {
		if (r.status() >= 400)
			problems.push(`${r.status()} ${r.url()}`);
	});
	page.on('pageerror', (e) => problems.push(e.message));
	return { context, page, problems };
}
