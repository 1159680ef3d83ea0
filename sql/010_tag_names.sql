-- blogd schema: a post's tag names next to it.
--
-- posts.tag_names: the names of the post's tags in name order, joined by
-- ',' (no tag name holds one), NULL for none: a copy of what post_tags and
-- tags say, written in the same transaction as the links on every save of
-- the post. A post page reads it with the post instead of running a
-- subquery over post_tags and tags, which cost MariaDB a third of the
-- page's statement (docs/DEPENDENCIES.md).

ALTER TABLE posts
	ADD COLUMN IF NOT EXISTS tag_names TEXT NULL;

-- updated_at = updated_at: a post's date of change stays what it was.
UPDATE posts p SET p.tag_names = (
	SELECT GROUP_CONCAT(t.name ORDER BY t.name SEPARATOR ',')
	FROM post_tags pt JOIN tags t ON t.id = pt.tag_id
	WHERE pt.post_id = p.id), p.updated_at = p.updated_at;
