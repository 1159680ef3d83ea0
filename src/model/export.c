/* What blogd export writes out (include/import.h). */
#include "import.h"

#include "db.h"
#include "internal.h"
#include "model.h"

int
model_export_users(struct db_conn *conn, struct db_rows *rows)
{
	return model_rc(db_query(conn, rows,
	                         "SELECT name, is_admin, created_at, "
	                         "password_hash FROM users ORDER BY name",
	                         ""));
}

int
model_export_posts(struct db_conn *conn, struct db_rows *rows)
{
	return model_rc(db_query(
	    conn, rows,
	    "SELECT p.id, p.slug, p.title, u.name, p.status, p.body_format, "
	    "p.published_at, p.created_at, p.updated_at, p.body_md, p.kind "
	    "FROM posts p JOIN users u ON u.id = p.author_id ORDER BY p.slug",
	    ""));
}

int
model_export_tags(struct db_conn *conn, struct db_rows *rows)
{
	return model_rc(db_query(conn, rows,
	                         "SELECT pt.post_id, t.name FROM post_tags pt "
	                         "JOIN tags t ON t.id = pt.tag_id "
	                         "JOIN posts p ON p.id = pt.post_id "
	                         "ORDER BY p.slug, t.name",
	                         ""));
}

int
model_export_comments(struct db_conn *conn, struct db_rows *rows)
{
	return model_rc(
	    db_query(conn, rows,
	             "SELECT p.slug, c.status, c.created_at, c.name, c.body, "
	             "c.email "
	             "FROM comments c JOIN posts p ON p.id = c.post_id "
	             "ORDER BY p.slug, c.created_at, c.id",
	             ""));
}

int
model_export_redirects(struct db_conn *conn, struct db_rows *rows)
{
	return model_rc(db_query(conn, rows,
	                         "SELECT r.path, IF(r.post_id IS NULL, "
	                         "r.target, p.slug) FROM redirects r "
	                         "LEFT JOIN posts p ON p.id = r.post_id "
	                         "ORDER BY r.path",
	                         ""));
}
