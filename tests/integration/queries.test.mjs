// Database cost of the public pages, with the page cache off so every
// request reaches MariaDB: the statements blogd really executes (from the
// general log) are counted, at most two per page, and each is run again
// under ANALYZE to check that it reads through an index, never sorting more
// than a page's rows, and examines few rows (1,000 seeded posts,
// bench/seed.sh). Tag pages read post_tags_tag_published in date order, as
// the home page reads posts_status_published.

import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import path from 'node:path';
import { after, before, test } from 'node:test';

import {
	DB, SRC, expectStatus, setupSite, sql, sqlValue, startBlogd,
} from './lib.mjs';

const DBNAME = 'blogd_queries';
let srv, tag, tagLastPage;

before(async () => {
	const cfg = await setupSite(DBNAME, { cache: { enabled: 'false' } });
	execFileSync(path.join(SRC, 'bench/seed.sh'), ['--no-defaults', '-S',
	    DB.socket, '-uroot', DBNAME], { stdio: ['ignore', 'pipe', 'pipe'] });
	tag = sqlValue('SELECT name FROM tags ORDER BY name LIMIT 1', DBNAME);
	tagLastPage = Math.ceil(Number(sqlValue('SELECT COUNT(*) FROM ' +
	    'post_tags pt JOIN tags t ON t.id = pt.tag_id WHERE ' +
	    `t.name = '${tag}'`, DBNAME)) / 10);
	assert.ok(tagLastPage >= 5, `${tag} has ${tagLastPage} pages`);
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
	// The site navigation's read (its pages) is not the page's: it
	// runs at most once a second, whatever the traffic.
	return sql("SELECT REPLACE(REPLACE(CONVERT(argument USING utf8mb4), " +
	    "'\\n', ' '), '\\t', ' ') FROM mysql.general_log " +
	    "WHERE command_type = 'Execute' ORDER BY event_time")
	    .map((r) => r[0]).filter((s) => !s.includes("p.kind = 'page'"));
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

/* [target, rows skipped before the page] */
const pages = () => [
	['/', 0],
	['/?page=50', 490],
	['/posts/bench-0500', 0],
	[`/authors/bench`, 0],
	[`/tags/${encodeURIComponent(tag)}`, 0],
	[`/tags/${encodeURIComponent(tag)}?page=${tagLastPage}`,
	    (tagLastPage - 1) * 10],
];

test('each page runs at most two statements, all through indexes',
    async () => {
	for (const [target, offset] of pages()) {
		const stmts = await executed(async () => expectStatus(
		    await srv.get(target), 200, target));
		assert.ok(stmts.length >= 1 && stmts.length <= 2,
		    `${target}: ${stmts.length} statements\n${stmts.join('\n')}`);
		for (const s of stmts.map((x) => bind(x, offset))) {
			const plan = analyze(s);
			assert.ok(plan.tables.length > 0,
			    `${target}: no table in the plan\n${s}`);
			for (const t of plan.tables) {
				// r_rows is per loop (per row of the tables
				// before). Skipped rows cost index entries; the
				// posts read (alias p) are the page's, at any
				// depth.
				const read = (t.r_rows ?? 0) * (t.r_loops ?? 1);
				const max = t.table_name === 'p' ? 20 :
				    offset + 20;
				assert.ok(t.access_type !== 'ALL' || read <= 20,
				    `${target}: full scan of ${t.table_name}\n${s}`);
				assert.ok(read <= max, `${target}: ${read} rows ` +
				    `of ${t.table_name} read (max ${max})\n${s}`);
			}
			// A sort is only allowed over the page's rows (ids
			// found through the index first).
			for (const f of plan.filesort)
				assert.ok((f.r_output_rows ?? 0) <= 11,
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

/* The server's handler counters over 20 rounds of 32 concurrent GETs of
 * target: { n: pages, d: name -> increase }. */
async function underLoad(target) {
	const rounds = 20, parallel = 32;
	const before = handlerStatus();
	for (let i = 0; i < rounds; i++) {
		const res = await Promise.all(Array.from({ length: parallel },
		    () => srv.get(target)));
		res.forEach((r) => expectStatus(r, 200, target));
	}
	const after = handlerStatus();
	return { n: rounds * parallel, d: (k) => after[k] - before[k] };
}

// The plan is chosen per execution on each pooled connection: one
// connection going over to "read every published post, then sort" (which
// MariaDB 10.11 did under concurrent first use with STRAIGHT_JOIN and an
// inner join) shows in the server's counters, not in a fresh ANALYZE.
test('under concurrent load the home page reads ~10 index entries a time',
    async () => {
	const { n, d } = await underLoad('/');
	assert.ok(d('Handler_read_prev') >= n * 10,
	    `${d('Handler_read_prev')} backward index reads for ${n} pages`);
	assert.ok(d('Handler_read_next') < n * 5,
	    `${d('Handler_read_next')} forward reads for ${n} pages ` +
	    '(a connection reads every post and sorts)');
	assert.ok(d('Sort_rows') < n,
	    `${d('Sort_rows')} rows sorted for ${n} home pages`);
});

// A tag page reads its 11 ids backwards from post_tags_tag_published and
// sorts only those (the derived table's order is not kept by the join).
test('under concurrent load a tag page reads and sorts its page only',
    async () => {
	const { n, d } = await underLoad(`/tags/${encodeURIComponent(tag)}`);
	assert.ok(d('Handler_read_prev') >= n * 10,
	    `${d('Handler_read_prev')} backward index reads for ${n} pages`);
	assert.ok(d('Handler_read_next') < n * 5,
	    `${d('Handler_read_next')} forward reads for ${n} pages`);
	assert.ok(d('Sort_rows') <= n * 11,
	    `${d('Sort_rows')} rows sorted for ${n} tag pages`);
});
