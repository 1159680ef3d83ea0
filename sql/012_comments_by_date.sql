-- blogd schema: approved comments in date order.
--
-- The admin's list of published comments reads them newest first, a page
-- at a time; the moderation queue reads the pending ones oldest first.
-- Both walk this index instead of sorting every comment of that status.
-- It starts with status, so it also serves what comments_status did.

ALTER TABLE comments
	ADD INDEX IF NOT EXISTS comments_status_created (status, created_at),
	DROP INDEX IF EXISTS comments_status;
