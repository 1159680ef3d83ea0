// The handler workers (src/http/workers.c): a route that waits runs on a
// worker, so the MHD thread that received it goes on answering static files
// and cached pages meanwhile.

import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { after, before, test } from 'node:test';

import {
	CookieJar, addPost, addUser, csrfFrom, expectStatus, setupSite, sleep,
	startBlogd,
} from './lib.mjs';

const DBNAME = 'blogd_workers';
let srv, slug;

before(async () => {
	// One MHD thread: before the workers, whatever it ran held up every
	// other connection.
	const cfg = await setupSite(DBNAME, { server: { threads: 1, workers: 2 } });
	await addUser(cfg, 'admin', 'correct horse battery', true);
	slug = await addPost(cfg, { title: 'Workers post', author: 'admin',
	    body: 'Hello from a worker.' });
	fs.writeFileSync(path.join(cfg.static, 'style.css'), 'p { margin: 0 }\n');
	srv = await startBlogd(cfg);
});

after(() => srv?.stop());

test('a login (argon2id, tens of ms) does not hold up static files or ' +
    'cached pages on the same MHD thread', async () => {
	expectStatus(await srv.get('/'), 200, 'warming the page cache');
	const jar = new CookieJar();
	const form = await srv.get('/admin/login', { jar });
	expectStatus(form, 200, 'GET /admin/login');
	const token = csrfFrom(form.body);
	assert.ok(token, 'no csrf_token in the login form');

	const order = [];
	const done = (name) => (res) => {
		order.push(name);
		return res;
	};
	const login = srv.request('POST', '/admin/login', { jar,
	    body: { username: 'admin', password: 'wrong password',
	        csrf_token: token } }).then(done('login'));
	await sleep(5); // the login is read and hashing
	const css = srv.get('/static/style.css').then(done('css'));
	const home = srv.get('/').then(done('home'));
	const [l, c, h] = await Promise.all([login, css, home]);
	expectStatus(l, 401, 'wrong password');
	expectStatus(c, 200, 'static file');
	expectStatus(h, 200, 'cached home page');
	assert.ok(h.body.includes('Workers post'), 'the home page lists the post');
	assert.deepEqual(order.slice(0, 2).sort(), ['css', 'home'],
	    `the static file and the cached page came after the login: ${order}`);
});

test('requests on workers and on the MHD thread all get their answers ' +
    'under concurrent load', async () => {
	const targets = [];
	for (let i = 0; i < 60; i++)
		targets.push(['/', '/static/style.css', '/healthz',
		    `/posts/${slug}`, '/search?q=worker'][i % 5]);
	const results = await Promise.all(targets.map((t) => srv.get(t)));
	results.forEach((r, i) => expectStatus(r, 200, targets[i]));
	assert.ok(results[4].body.includes('Workers post'),
	    'the search ran on a worker and found the post');
});
