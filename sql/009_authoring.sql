-- blogd schema: scheduled publishing, pages and excerpts that keep their
-- blocks.
--
-- posts.kind: 'post' (the blog: lists, tags, feed) or 'page' (About,
-- Contact: its own URL /pages/{slug} and a link in the site navigation,
-- never in a list or the feed). The list indexes gain kind after status,
-- so a list of posts still reads its page's entries in date order from the
-- index alone.
--
-- Scheduled posts: a published post whose published_at is still ahead of
-- the database's clock (UTC_TIMESTAMP()) is invisible until then. Nothing
-- is written when that time comes, so content_version.next_publish keeps
-- the earliest such time: every write that bumps the version sets it, and
-- the first instance that reads the version after it has passed bumps the
-- version once more (docs/RUNTIME.md, "Scheduled posts").
--
-- posts.excerpt_html: the excerpt as HTML, blocks kept (lists, quotes,
-- code), for the post lists; excerpt stays its plain text (meta
-- description, feed summary). NULL for rows written before this version:
-- `blogd migrate` renders them again from body_md after applying this.

ALTER TABLE posts
	ADD COLUMN kind ENUM('post', 'page') NOT NULL DEFAULT 'post',
	ADD COLUMN excerpt_html TEXT NULL,
	DROP KEY posts_status_published,
	ADD KEY posts_status_published (status, kind, published_at),
	DROP KEY posts_author_published,
	ADD KEY posts_author_published (author_id, status, kind, published_at);

ALTER TABLE content_version
	ADD COLUMN next_publish DATETIME NULL;

UPDATE content_version SET version = version + 1, next_publish = (
	SELECT MIN(published_at) FROM posts
	WHERE status = 'published' AND published_at > UTC_TIMESTAMP())
WHERE id = 1;
