-- blogd schema, version 1. Every table is InnoDB, utf8mb4 (full Unicode,
-- emoji included) with a case-insensitive collation, so user and tag names
-- that differ only in case collide on their unique keys.

CREATE TABLE IF NOT EXISTS users (
	id BIGINT UNSIGNED NOT NULL AUTO_INCREMENT PRIMARY KEY,
	name VARCHAR(64) NOT NULL,
	password_hash VARCHAR(255) NOT NULL,
	is_admin TINYINT(1) NOT NULL DEFAULT 0,
	created_at DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP,
	UNIQUE KEY users_name (name)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;

CREATE TABLE IF NOT EXISTS posts (
	id BIGINT UNSIGNED NOT NULL AUTO_INCREMENT PRIMARY KEY,
	slug VARCHAR(80) NOT NULL,
	title VARCHAR(200) NOT NULL,
	body_md MEDIUMTEXT NOT NULL,
	body_html MEDIUMTEXT NOT NULL,
	excerpt TEXT NOT NULL,
	author_id BIGINT UNSIGNED NOT NULL,
	status ENUM('draft', 'published') NOT NULL DEFAULT 'draft',
	published_at DATETIME NULL,
	created_at DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP,
	updated_at DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP,
	UNIQUE KEY posts_slug (slug),
	-- The home page reads this index backwards, 10 entries at a time.
	KEY posts_status_published (status, published_at),
	-- Author pages, in date order without a sort.
	KEY posts_author_published (author_id, status, published_at),
	FULLTEXT KEY posts_text (title, body_md),
	CONSTRAINT posts_author_fk FOREIGN KEY (author_id) REFERENCES users (id)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;

CREATE TABLE IF NOT EXISTS tags (
	id BIGINT UNSIGNED NOT NULL AUTO_INCREMENT PRIMARY KEY,
	name VARCHAR(64) NOT NULL,
	UNIQUE KEY tags_name (name)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;

CREATE TABLE IF NOT EXISTS post_tags (
	post_id BIGINT UNSIGNED NOT NULL,
	tag_id BIGINT UNSIGNED NOT NULL,
	PRIMARY KEY (post_id, tag_id),
	KEY post_tags_tag (tag_id),
	CONSTRAINT post_tags_post_fk FOREIGN KEY (post_id) REFERENCES posts (id)
		ON DELETE CASCADE,
	CONSTRAINT post_tags_tag_fk FOREIGN KEY (tag_id) REFERENCES tags (id)
		ON DELETE CASCADE
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;

CREATE TABLE IF NOT EXISTS comments (
	id BIGINT UNSIGNED NOT NULL AUTO_INCREMENT PRIMARY KEY,
	post_id BIGINT UNSIGNED NOT NULL,
	name VARCHAR(100) NOT NULL,
	body TEXT NOT NULL,
	status ENUM('pending', 'approved') NOT NULL DEFAULT 'pending',
	created_at DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP,
	client_ip VARCHAR(45) NOT NULL DEFAULT '',
	KEY comments_post (post_id, status, created_at),
	KEY comments_status (status),
	CONSTRAINT comments_post_fk FOREIGN KEY (post_id) REFERENCES posts (id)
		ON DELETE CASCADE
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;

CREATE TABLE IF NOT EXISTS sessions (
	token_hash BINARY(32) NOT NULL PRIMARY KEY,
	user_id BIGINT UNSIGNED NOT NULL,
	created_at DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP,
	last_seen DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP,
	expires_at DATETIME NOT NULL,
	KEY sessions_expires (expires_at),
	CONSTRAINT sessions_user_fk FOREIGN KEY (user_id) REFERENCES users (id)
		ON DELETE CASCADE
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;

CREATE TABLE IF NOT EXISTS login_failures (
	id BIGINT UNSIGNED NOT NULL AUTO_INCREMENT PRIMARY KEY,
	account VARCHAR(64) NOT NULL,
	client_ip VARCHAR(45) NOT NULL,
	at DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP,
	KEY login_failures_account (account, at),
	KEY login_failures_ip (client_ip, at)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;

-- One row (id 1), made by the first blogd that starts: the HMAC key every
-- instance shares.
CREATE TABLE IF NOT EXISTS site_secret (
	id TINYINT UNSIGNED NOT NULL PRIMARY KEY,
	secret BINARY(32) NOT NULL
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;

-- One row (id 1), bumped on every change a visitor can see, so page caches
-- in every instance can tell they are stale.
CREATE TABLE IF NOT EXISTS content_version (
	id TINYINT UNSIGNED NOT NULL PRIMARY KEY,
	version BIGINT UNSIGNED NOT NULL
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;

INSERT IGNORE INTO content_version (id, version) VALUES (1, 1);
