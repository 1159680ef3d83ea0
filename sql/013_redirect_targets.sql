-- blogd schema: redirects to any address, not only to a post.
--
-- An old path may now go where nginx's `return 301` rules or Django's
-- contrib.redirects (table django_redirect) sent it: redirects.target is
-- the new location, a path ("/feed.xml") or an absolute http(s) URL, or
-- '' for 410 Gone (Django's empty new_path). Such a row has no post_id; a
-- row with a post_id (an imported post's old URL) follows the post's slug
-- as before. Exactly one of the two is set.

ALTER TABLE redirects
	MODIFY post_id BIGINT UNSIGNED NULL,
	ADD COLUMN IF NOT EXISTS target VARCHAR(500) CHARACTER SET ascii
		COLLATE ascii_bin NULL,
	ADD CONSTRAINT redirects_one_target
		CHECK ((post_id IS NULL) <> (target IS NULL));
