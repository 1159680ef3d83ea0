-- blogd schema: what the comment spam defence asks of the comments table.
--
-- body_hash is the SHA-256 of the body, computed by the server for every
-- row (old ones, imported ones and new ones alike), so "the same text again"
-- is an index lookup, not a scan of the post's comments. client_ip with
-- created_at counts the comments of one address in the last minutes (the
-- rate limit, which every instance reads from here).

ALTER TABLE comments
	ADD COLUMN body_hash BINARY(32) AS (UNHEX(SHA2(body, 256))) STORED,
	ADD KEY comments_body (body_hash, created_at),
	ADD KEY comments_client (client_ip, created_at);
