// Debian's Chromium, headless, driven by playwright-core: the one browser
// every e2e test uses.

import { chromium } from 'playwright-core';

export function launchChromium() {
	return chromium.launch({
		executablePath: '/usr/bin/chromium',
		args: ['--headless', '--no-sandbox', '--disable-gpu',
		    '--disable-background-networking',
		    '--disable-component-update', '--no-first-run'],
	});
}
