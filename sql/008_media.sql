-- blogd schema, version 8: images and files in posts (GET /media/...).
--
-- media: one row per distinct content. hash is the SHA-256 of bytes in
-- lower-case hex and names the file's URL (/media/HASH.EXT), so a URL
-- never changes meaning and can be cached for good; uploading the same
-- bytes again finds the same row. type is the Content-Type blogd found in
-- the bytes themselves (src/util/media.c), name the file name the uploader
-- gave (for the admin list and Content-Disposition). The bytes live here,
-- not on one instance's disk, so every instance serves them.
--
-- LONGBLOB: MEDIUMBLOB stops at 16 MiB, under what [server] max_upload
-- allows. A row travels in one packet: the server's max_allowed_packet
-- must exceed max_upload (docs/RUNTIME.md).

CREATE TABLE IF NOT EXISTS media (
	id BIGINT UNSIGNED NOT NULL AUTO_INCREMENT PRIMARY KEY,
	hash CHAR(64) CHARACTER SET ascii NOT NULL,
	type VARCHAR(64) CHARACTER SET ascii NOT NULL,
	size BIGINT UNSIGNED NOT NULL,
	name VARCHAR(255) NOT NULL,
	created_at DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP,
	bytes LONGBLOB NOT NULL,
	UNIQUE KEY media_hash (hash),
	KEY media_created (created_at)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;
