-- blogd schema, version 2: tag pages read an index in date order.
--
-- post_tags.published_at copies the post's posts.published_at while the post
-- is published and is NULL while it is a draft, so one tag's published posts
-- are a range of post_tags_tag_published, newest first when read backwards:
-- a tag page reads its page's entries instead of sorting every post of the
-- tag (post_tags had no date; an index cannot span tables). blogd writes the
-- copy with the tag links each time a post is saved (store_tags in
-- src/model/post.c), in the same transaction. Not a trigger: with binary
-- logging on (RDS) creating one needs SUPER or
-- log_bin_trust_function_creators, which the account of docs/DEPLOY.md
-- lacks. A post date changed by hand in SQL must be copied by hand too, with
-- the UPDATE below.
--
-- The new index starts with tag_id, so it serves the foreign key and the
-- lookups that post_tags_tag served. One ALTER, which either happens or
-- not; no IF [NOT] EXISTS, which MySQL 8.0 lacks. Should the UPDATE fail
-- (the migration stays unrecorded and the ALTER would fail if run again),
-- run the UPDATE by hand and then
--   INSERT INTO schema_migrations (name, applied_at)
--   VALUES ('002_post_tags_published.sql', UTC_TIMESTAMP());

ALTER TABLE post_tags
	ADD COLUMN published_at DATETIME NULL,
	ADD KEY post_tags_tag_published (tag_id, published_at, post_id),
	DROP KEY post_tags_tag;

UPDATE post_tags pt JOIN posts p ON p.id = pt.post_id
SET pt.published_at = IF(p.status = 'published', p.published_at, NULL);
