// Database cost of the public pages, with the page cache off so every
// request reaches MariaDB: the statements blogd really executes (from the
// general log) are counted, at most two per page, and each is run again
// under ANALYZE to check that it reads through an index, never sorting all
// posts, and examines few rows (1,000 seeded posts, bench/seed.sh). A tag
// page sorts that tag's posts (post_tags has no date to read in order).

import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import path from 'node:path';
import { after, before, test } from 'node:test';

import {
	DB, SRC, expectStatus, setupSite, sql, sqlValue, startBlogd,
} from './lib.mjs';

const DBNAME = 'blogd_queries';
let srv, tag, tagPosts;

before(async () => {
	const cfg = await setupSite(DBNAME, { cache: { enabled: 'false' } });
	execFileSync(path.join(SRC, 'bench/seed.sh'), ['--no-defaults', '-S',
	    DB.socket, '-uroot', DBNAME], { stdio: ['ignore', 'pipe', 'pipe'] });
	tag = sqlValue('SELECT name FROM tags ORDER BY name LIMIT 1', DBNAME);
	tagPosts = Number(sqlValue('SELECT COUNT(*) FROM post_tags pt JOIN ' +
	    `tags t ON t.id = pt.tag_id WHERE t.name = '${tag}'`, DBNAME));
	srv = await startBlogd(cfg);
	expectStatus(await srv.get('/'), 200, 'warm-up');
});

after(async () => {
	sql('SET GLOBAL general_log = 0');
	if (srv)
		await srv.stop();
});

/* The statements blogd executed while fn ran. */
async function executed(fn) {
	sql("SET GLOBAL log_output = 'TABLE'; TRUNCATE mysql.general_log; " +
	    'SET GLOBAL general_log = 1');
	try {
		await fn();
	} finally {
		sql('SET GLOBAL general_log = 0');
	}
	return sql("SELECT REPLACE(REPLACE(CONVERT(argument USING utf8mb4), " +
	    "'\\n', ' '), '\\t', ' ') FROM mysql.general_log " +
	    "WHERE command_type = 'Execute' ORDER BY event_time")
	    .map((r) => r[0]);
}

/* Every table access of an ANALYZE FORMAT=JSON plan, and whether it sorts. */
function walk(node, out) {
	if (Array.isArray(node)) {
		node.forEach((n) => walk(n, out));
		return out;
	}
	if (node === null || typeof node !== 'object')
		return out;
	if (node.filesort)
		out.filesort.push(node.filesort);
	if (node.table?.table_name)
		out.tables.push(node.table);
	for (const v of Object.values(node))
		walk(v, out);
	return out;
}

/* The general log shows some prepared statements with their placeholders
 * (those with integer parameters): fills them with what the page passed. */
function bind(stmt, offset) {
	if (!stmt.includes('?'))
		return stmt;
	const postId = sqlValue("SELECT id FROM posts WHERE slug = 'bench-0500'",
	    DBNAME);
	const kinds = [
		[/FORCE INDEX \(posts_status_published\)/, [0, 11, offset]],
		[/FORCE INDEX \(posts_author_published\)/, [0, "'bench'", 11,
		    offset]],
		[/FROM tags t /, [0, `'${tag}'`, 'NULL', 'NULL', 11, offset]],
		[/WHERE p\.slug = \?/, ["'bench-0500'"]],
		[/FROM comments/, [postId]],
	];
	const k = kinds.find(([re]) => re.test(stmt));
	assert.ok(k, `a statement this test does not know:\n${stmt}`);
	const values = [...k[1]];
	const bound = stmt.replace(/\?/g, () => String(values.shift()));
	assert.equal(values.length, 0, `placeholders left over in ${stmt}`);
	return bound;
}

function analyze(stmt) {
	const json = sqlValue(`ANALYZE FORMAT=JSON ${stmt}`, DBNAME);
	return walk(JSON.parse(json.replace(/\\n/g, '\n')),
	    { tables: [], filesort: [] });
}

const pages = () => [
	['/', 20],
	['/?page=50', 520],
	['/posts/bench-0500', 20],
	[`/authors/bench`, 20],
	[`/tags/${encodeURIComponent(tag)}`, tagPosts + 20],
];

test('each page runs at most two statements, all through indexes',
    async () => {
	for (const [target, maxRows] of pages()) {
		const stmts = await executed(async () => expectStatus(
		    await srv.get(target), 200, target));
		assert.ok(stmts.length >= 1 && stmts.length <= 2,
		    `${target}: ${stmts.length} statements\n${stmts.join('\n')}`);
		const offset = target === '/?page=50' ? 490 : 0;
		for (const s of stmts.map((x) => bind(x, offset))) {
			const plan = analyze(s);
			for (const t of plan.tables) {
				assert.ok(t.access_type !== 'ALL' ||
				    (t.r_rows ?? 0) <= 20, `${target}: full scan ` +
				    `of ${t.table_name}\n${s}`);
				assert.ok((t.r_rows ?? 0) <= maxRows,
				    `${target}: ${t.r_rows} rows of ` +
				    `${t.table_name} read (max ${maxRows})\n${s}`);
			}
			// A sort is only allowed over the page's rows (ids
			// found through the index first) or one tag's posts
			// (their count is bounded by the table checks above).
			for (const f of plan.filesort)
				assert.ok((f.r_output_rows ?? 0) <= 11 ||
				    target.startsWith('/tags/'),
				    `${target}: filesort\n${s}\n` +
				    JSON.stringify(f).slice(0, 400));
		}
	}
});

/* Server-wide handler counters, by name. */
function handlerStatus() {
	return Object.fromEntries(sql("SHOW GLOBAL STATUS WHERE Variable_name " +
	    "IN ('Handler_read_next', 'Handler_read_prev', 'Sort_rows')")
	    .map(([k, v]) => [k, Number(v)]));
}

// The plan is chosen per execution on each pooled connection: one
// connection going over to "read every published post, then sort" (which
// MariaDB 10.11 did under concurrent first use with STRAIGHT_JOIN and an
// inner join) shows in the server's counters, not in a fresh ANALYZE.
test('under concurrent load the home page reads ~10 index entries a time',
    async () => {
	const rounds = 20, parallel = 32, n = rounds * parallel;
	const before = handlerStatus();
	for (let i = 0; i < rounds; i++) {
		const res = await Promise.all(Array.from({ length: parallel },
		    () => srv.get('/')));
		res.forEach((r) => expectStatus(r, 200, '/'));
	}
	const after = handlerStatus();
	const d = (k) => after[k] - before[k];
	assert.ok(d('Handler_read_prev') >= n * 10,
	    `${d('Handler_read_prev')} backward index reads for ${n} pages`);
	assert.ok(d('Handler_read_next') < n * 5,
	    `${d('Handler_read_next')} forward reads for ${n} pages ` +
	    '(a connection reads every post and sorts)');
	assert.ok(d('Sort_rows') < n,
	    `${d('Sort_rows')} rows sorted for ${n} home pages`);
});
