-- blogd schema: the address a commenter may leave.
--
-- comments.email: '' when none was given. Django's comment forms ask for
-- one and its database keeps it, so an import keeps it too; the comment
-- form takes one optionally. Only the admin's moderation queue and
-- `blogd export` show it, never a public page.

ALTER TABLE comments
	ADD COLUMN IF NOT EXISTS email VARCHAR(254) NOT NULL DEFAULT '';
