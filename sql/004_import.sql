-- blogd schema: what `blogd import django` needs to re-run without
-- duplicating anything, and the old URLs it keeps answering.
--
-- import_key names the source row a post or comment was copied from
-- ("blog_post:17"): a re-run updates that row instead of adding one. Users
-- are matched by name; users.import_hash is the hash last copied from the
-- source, so a re-run replaces password_hash only while it is still that
-- copy (never after the user signed in here and was rehashed, or changed
-- it). NULL for everything made in blogd itself.
--
-- body_format: 'html' for a post whose body was HTML in the source; it is
-- served as stored and edited as HTML, never run through Markdown.
--
-- redirects: old paths (as requested, percent-encoded) answered with 301 to
-- the post's current /posts/{slug}; a deleted post takes its paths along.

ALTER TABLE users
	ADD COLUMN import_hash VARCHAR(255) NULL;

ALTER TABLE posts
	ADD COLUMN import_key VARCHAR(100) NULL,
	ADD COLUMN body_format ENUM('markdown', 'html') NOT NULL
		DEFAULT 'markdown',
	ADD UNIQUE KEY posts_import_key (import_key);

ALTER TABLE comments
	ADD COLUMN import_key VARCHAR(100) NULL,
	ADD UNIQUE KEY comments_import_key (import_key);

CREATE TABLE IF NOT EXISTS redirects (
	path VARCHAR(500) CHARACTER SET ascii COLLATE ascii_bin NOT NULL
		PRIMARY KEY,
	post_id BIGINT UNSIGNED NOT NULL,
	KEY redirects_post (post_id),
	CONSTRAINT redirects_post_fk FOREIGN KEY (post_id) REFERENCES posts (id)
		ON DELETE CASCADE
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;
