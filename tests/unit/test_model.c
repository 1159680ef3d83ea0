/*
 * The model (src/model/) against a migrated private MariaDB (testdb.h):
 * users, posts (slugs, tags, drafts, the post page in one statement),
 * comments and moderation, tags, and the content version that every
 * visible change moves.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "db.h"
#include "internal.h" /* src/model/: the one-row reads */
#include "model.h"
#include "testdb.h"

static struct testdb db;
static struct db_conn *conn;
static long long author;

static int
setup(void **state)
{
	*state = &db;
	conn = testdb_connect(&db);
	assert_int_equal(model_user_create(conn, "ann", "x", true, &author),
	                 MODEL_OK);
	return 0;
}

/* Whether the session whose hash is byte b repeated exists. */
static bool
has_session(unsigned char b)
{
	unsigned char hash[MODEL_SESSION_HASH_LEN];
	struct model_session out;
	int rc;

	memset(hash, b, sizeof(hash));
	rc = model_session_get(conn, hash, 3600, &out);
	if (rc == MODEL_OK)
		model_session_free(&out);
	return rc == MODEL_OK;
}

/* A new password ends every session of the user but the one kept; a
 * rehash of the same password ends none. */
static void
sessions_after_password_change(long long id)
{
	unsigned char h1[MODEL_SESSION_HASH_LEN], h2[MODEL_SESSION_HASH_LEN];
	char keep[2 * MODEL_SESSION_HASH_LEN + 1];

	memset(h1, 0x11, sizeof(h1));
	memset(h2, 0x22, sizeof(h2));
	for (size_t i = 0; i < sizeof(h1); i++)
		snprintf(keep + 2 * i, 3, "%02x", h1[i]);
	assert_int_equal(model_session_create(conn, h1, id, 3600), MODEL_OK);
	assert_int_equal(model_session_create(conn, h2, id, 3600), MODEL_OK);
	assert_int_equal(model_user_rehash(conn, id, "y"), MODEL_OK);
	assert_true(has_session(0x11) && has_session(0x22));
	assert_int_equal(model_user_set_password(conn, id, "z", keep),
	                 MODEL_OK);
	assert_true(has_session(0x11));
	assert_false(has_session(0x22));
	assert_int_equal(model_user_set_password(conn, id, "z", NULL),
	                 MODEL_OK);
	assert_false(has_session(0x11));
}

static void
test_users(void **state)
{
	struct model_user u;
	long long id;

	(void)state;
	assert_true(model_user_name_valid("a.b-c_9"));
	assert_false(model_user_name_valid("a b"));
	assert_false(model_user_name_valid(""));
	assert_int_equal(model_user_create(conn, "ann", "y", false, &id),
	                 MODEL_DUPLICATE);
	assert_int_equal(model_user_find(conn, "ann", &u), MODEL_OK);
	assert_int_equal(u.id, author);
	assert_string_equal(u.password_hash, "x");
	assert_true(u.is_admin);
	model_user_free(&u);
	assert_int_equal(model_user_set_password(conn, author, "z", NULL),
	                 MODEL_OK);
	assert_int_equal(model_user_find(conn, "ann", &u), MODEL_OK);
	assert_string_equal(u.password_hash, "z");
	model_user_free(&u);
	assert_int_equal(model_user_set_password(conn, 999999, "z", NULL),
	                 MODEL_NOT_FOUND);
	sessions_after_password_change(author);
	assert_int_equal(model_user_find(conn, "nobody", &u), MODEL_NOT_FOUND);
}

static long long
create(const char *title, const char *tags, bool published, char **slug)
{
	struct model_post_input in = {.title = title,
	                              .body_md = "Some *text* <b>raw</b>.\n",
	                              .tags = tags,
	                              .published = published};
	long long id = 0;

	assert_int_equal(model_post_create(conn, author, &in, &id, slug),
	                 MODEL_OK);
	return id;
}

static void
test_posts(void **state)
{
	struct model_post_input bad = {.title = "  ", .body_md = ""}, in;
	struct model_comment_list none;
	struct model_post p;
	char *s1, *s2, *s3, *s4;
	long long v0 = model_content_version(conn), id, tagged;

	(void)state;
	assert_true(v0 >= 0);
	id = create("Hello World", " Zeta, alpha ,ZETA,", true, &s1);
	create("Hello World", NULL, true, &s2);
	create("Hello World", NULL, false, &s3);
	/* Taken slugs get a suffix. */
	assert_string_equal(s1, "hello-world");
	assert_string_equal(s2, "hello-world-2");
	assert_string_equal(s3, "hello-world-3");
	assert_true(model_content_version(conn) > v0);

	assert_int_equal(model_post_get_published(conn, s1, false, &p),
	                 MODEL_OK);
	assert_int_equal(p.id, id);
	assert_string_equal(p.author_name, "ann");
	/* Markdown rendered at save time, raw HTML escaped. */
	assert_non_null(strstr(p.body_html, "<em>text</em>"));
	assert_null(strstr(p.body_html, "<b>"));
	/* Tags trimmed, lower-cased, deduplicated, sorted. */
	assert_int_equal(p.ntags, 2);
	assert_string_equal(p.tags[0], "alpha");
	assert_string_equal(p.tags[1], "zeta");
	model_post_free(&p);
	/* An edit's tags replace the old ones (posts.tag_names follows); a
	 * post of its own, gone afterwards, as the next tests count posts. */
	tagged = create("Retagged", "one, two", true, &s4);
	in = (struct model_post_input){.title = "Retagged",
	                               .body_md = "x\n",
	                               .slug = s4,
	                               .tags = "beta, Alpha",
	                               .published = true};
	assert_int_equal(model_post_update(conn, tagged, &in, NULL), MODEL_OK);
	assert_int_equal(model_post_page(conn, s4, &p, &none), MODEL_OK);
	assert_int_equal(p.ntags, 2);
	assert_string_equal(p.tags[0], "alpha");
	assert_string_equal(p.tags[1], "beta");
	assert_string_equal(p.tags_csv, "alpha, beta");
	model_post_free(&p);
	model_comment_list_free(&none);
	in.tags = "";
	assert_int_equal(model_post_update(conn, tagged, &in, NULL), MODEL_OK);
	assert_int_equal(model_post_get(conn, tagged, &p), MODEL_OK);
	assert_int_equal(p.ntags, 0);
	model_post_free(&p);
	assert_int_equal(model_post_delete(conn, tagged), MODEL_OK);
	free(s4);
	/* A draft is not found by its public slug. */
	assert_int_equal(model_post_get_published(conn, s3, false, &p),
	                 MODEL_NOT_FOUND);
	model_post_free(&p);

	assert_int_equal(model_post_create(conn, author, &bad, NULL, NULL),
	                 MODEL_INVALID);
	bad.title = "ok";
	bad.slug = "Not A Slug";
	assert_int_equal(model_post_create(conn, author, &bad, NULL, NULL),
	                 MODEL_INVALID);
	free(s1);
	free(s2);
	free(s3);
}

static void
test_list_published(void **state)
{
	struct model_post_query q = {.page = 1, .per_page = 1};
	struct model_post_list l;

	(void)state;
	/* Two published so far: a page of one has more. */
	assert_int_equal(model_post_list_published(conn, &q, &l), MODEL_OK);
	assert_int_equal(l.n, 1);
	assert_true(l.has_more);
	model_post_list_free(&l);
	q.page = 3;
	assert_int_equal(model_post_list_published(conn, &q, &l), MODEL_OK);
	assert_int_equal(l.n, 0);
	model_post_list_free(&l);
	q = (struct model_post_query){.tag = "zeta", .page = 1, .per_page = 10};
	assert_int_equal(model_post_list_published(conn, &q, &l), MODEL_OK);
	assert_int_equal(l.n, 1);
	assert_string_equal(l.items[0].slug, "hello-world");
	model_post_list_free(&l);
}

/* A comment from 10.0.0.1; email NULL: none given. */
static int
comment(long long post_id, const char *name, const char *email,
        const char *body, bool approved, long long *id)
{
	struct model_comment_new c = {.post_id = post_id,
	                              .name = name,
	                              .email = email,
	                              .body = body,
	                              .client_ip = "10.0.0.1",
	                              .approved = approved};

	return model_comment_create(conn, &c, id);
}

static void
test_comments_and_post_page(void **state)
{
	struct model_post p;
	struct model_comment_list cl;
	long long id, c1, c2, c3, v;

	(void)state;
	id = create("Commented", "t", true, NULL);
	assert_int_equal(comment(id, "", NULL, "b", true, NULL), MODEL_INVALID);
	assert_int_equal(comment(id, "n", "not-an-address", "b", true, NULL),
	                 MODEL_INVALID);
	assert_int_equal(comment(id, "first", NULL, "one", true, &c1),
	                 MODEL_OK);
	assert_int_equal(
	    comment(id, "held", "held@example.org", "two", false, &c2),
	    MODEL_OK);
	assert_int_equal(comment(id, "third", "", "three", true, &c3),
	                 MODEL_OK);
	/* The queue shows the address; no public list reads it. */
	assert_int_equal(model_comment_list_pending(conn, &cl), MODEL_OK);
	assert_int_equal(cl.n, 1);
	assert_string_equal(cl.items[0].email, "held@example.org");
	model_comment_list_free(&cl);
	assert_int_equal(model_comment_count_pending(conn), 1);

	/* The page: the post and its approved comments, oldest first. */
	assert_int_equal(model_post_page(conn, "commented", &p, &cl), MODEL_OK);
	assert_int_equal(p.id, id);
	assert_string_equal(p.title, "Commented");
	assert_int_equal(p.ntags, 1);
	assert_non_null(p.body_html);
	assert_int_equal(cl.n, 2);
	assert_int_equal(cl.items[0].id, c1);
	assert_string_equal(cl.items[0].name, "first");
	assert_string_equal(cl.items[1].body, "three");
	model_post_free(&p);
	model_comment_list_free(&cl);

	/* Approving shows it, and moves the version. */
	v = model_content_version(conn);
	assert_int_equal(model_comment_approve(conn, c2), MODEL_OK);
	assert_true(model_content_version(conn) > v);
	assert_int_equal(model_post_page(conn, "commented", &p, &cl), MODEL_OK);
	assert_int_equal(cl.n, 3);
	assert_int_equal(cl.items[1].id, c2);
	model_post_free(&p);
	model_comment_list_free(&cl);
	assert_int_equal(model_comment_approve(conn, 999999), MODEL_NOT_FOUND);

	/* No such post, or a draft: not found, nothing to free. */
	assert_int_equal(model_post_page(conn, "no-such-post", &p, &cl),
	                 MODEL_NOT_FOUND);
	assert_int_equal(cl.n, 0);
	assert_int_equal(model_post_page(conn, "hello-world-3", &p, &cl),
	                 MODEL_NOT_FOUND);
	model_post_free(&p);
	model_comment_list_free(&cl);
}

static void
test_tags_and_delete(void **state)
{
	struct model_tag_list tl;
	struct model_post p;
	long long id;

	(void)state;
	assert_int_equal(model_tag_list_published(conn, &tl), MODEL_OK);
	assert_int_equal(tl.n, 3);
	assert_string_equal(tl.names[0], "alpha");
	model_tag_list_free(&tl);
	assert_int_equal(model_post_get_published(conn, "commented", false, &p),
	                 MODEL_OK);
	id = p.id;
	model_post_free(&p);
	assert_int_equal(model_post_delete(conn, id), MODEL_OK);
	assert_int_equal(model_post_delete(conn, id), MODEL_NOT_FOUND);
	/* Its comments went with it; its tag is no longer listed. */
	assert_int_equal(model_comment_count_pending(conn), 0);
	assert_int_equal(model_tag_list_published(conn, &tl), MODEL_OK);
	assert_int_equal(tl.n, 2);
	model_tag_list_free(&tl);
}

/* A scheduled post is invisible until its time; the version moves once
 * when that time comes. A page is found as a page only. */
static void
test_scheduled_and_pages(void **state)
{
	struct model_post_input later = {.title = "Later",
	                                 .body_md = "x\n",
	                                 .published = true,
	                                 .publish_at = "2099-01-01T00:00"};
	struct model_post_input about = {.title = "About",
	                                 .body_md = "y\n",
	                                 .published = true,
	                                 .page = true};
	struct model_post_list nav;
	struct model_post p;
	long long id, v;
	char *slug;

	(void)state;
	assert_int_equal(model_post_create(conn, author, &later, &id, &slug),
	                 MODEL_OK);
	assert_int_equal(model_post_get_published(conn, slug, false, &p),
	                 MODEL_NOT_FOUND);
	free(slug);
	v = model_content_version(conn);
	assert_int_equal(model_content_version_due(conn), v);
	/* Its time comes (as if the clock had moved on). */
	assert_int_equal(db_exec(conn, NULL, NULL,
	                         "UPDATE posts SET published_at = "
	                         "UTC_TIMESTAMP() - INTERVAL 1 SECOND "
	                         "WHERE id = ?",
	                         "i", id),
	                 0);
	assert_int_equal(db_exec(conn, NULL, NULL,
	                         "UPDATE content_version SET next_publish = "
	                         "UTC_TIMESTAMP() - INTERVAL 1 SECOND",
	                         ""),
	                 0);
	assert_int_equal(model_content_version_due(conn), v + 1);
	assert_int_equal(model_content_version_due(conn), v + 1);
	assert_int_equal(model_post_get_published(conn, "later", false, &p),
	                 MODEL_OK);
	model_post_free(&p);

	assert_int_equal(model_post_create(conn, author, &about, NULL, &slug),
	                 MODEL_OK);
	assert_int_equal(model_post_get_published(conn, slug, false, &p),
	                 MODEL_NOT_FOUND);
	assert_int_equal(model_post_get_published(conn, slug, true, &p),
	                 MODEL_OK);
	assert_true(p.page);
	model_post_free(&p);
	assert_int_equal(model_page_list(conn, &nav), MODEL_OK);
	assert_int_equal(nav.n, 1);
	assert_string_equal(nav.items[0].slug, slug);
	model_post_list_free(&nav);
	free(slug);
}

static void
test_one_row_reads(void **state)
{
	struct db_rows rows;
	long long n = -1;
	char *text = NULL;

	(void)state;
	assert_int_equal(model_query_int(conn, &n,
	                                 "SELECT id FROM users WHERE name = ?",
	                                 "s", "ann"),
	                 MODEL_OK);
	assert_int_equal(n, author);
	assert_int_equal(model_query_int(conn, &n,
	                                 "SELECT id FROM users WHERE name = ?",
	                                 "s", "nobody"),
	                 MODEL_NOT_FOUND);
	assert_int_equal(n, author); /* left as it was */
	assert_int_equal(model_query_text(conn, &text,
	                                  "SELECT name FROM users WHERE id = ?",
	                                  "i", author),
	                 MODEL_OK);
	assert_string_equal(text, "ann");
	free(text);
	assert_int_equal(model_query_text(conn, &text, "SELECT NULL", ""),
	                 MODEL_OK);
	assert_null(text);
	assert_int_equal(
	    model_query_row(conn, &rows,
	                    "SELECT name, is_admin FROM users WHERE id = ?",
	                    "i", author),
	    MODEL_OK);
	assert_string_equal(db_cell(&rows, 0, 0), "ann");
	assert_int_equal(db_cell_int(&rows, 0, 1), 1);
	db_rows_free(&rows);
	assert_int_equal(
	    model_query_row(conn, &rows, "SELECT 1 UNION ALL SELECT 2", ""),
	    MODEL_NOT_FOUND);
	assert_int_equal(model_query_int(conn, &n, "SELECT x FROM nowhere", ""),
	                 MODEL_ERR);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_users),
	    cmocka_unit_test(test_posts),
	    cmocka_unit_test(test_list_published),
	    cmocka_unit_test(test_comments_and_post_page),
	    cmocka_unit_test(test_tags_and_delete),
	    cmocka_unit_test(test_scheduled_and_pages),
	    cmocka_unit_test(test_one_row_reads),
	};

	return cmocka_run_group_tests(tests, setup, testdb_disconnect);
}
