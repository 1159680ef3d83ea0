-- blogd schema, version 5: ACME ([acme] domains): blogd gets its own
-- certificates, and every instance on this database serves the same one.
--
-- acme_account: one account per ACME directory URL (production, staging
-- and a test CA each have their own); key_pem is its ES256 private key,
-- url the account URL ("kid") the server gave it.
--
-- acme_certificate: the certificate in service (id 1): the chain as the
-- CA sent it (leaf first), its private key, the domains it was ordered
-- for and its validity. version goes up by one with every new certificate;
-- instances poll it and load the row when it moved.
--
-- acme_challenges: HTTP-01 answers: GET
-- /.well-known/acme-challenge/{token} on any instance answers
-- key_authorization. Rows are deleted when their order ends.
--
-- acme_state (id 1): the renewal lease (one instance orders at a time:
-- lease_owner until lease_until, taken with one conditional UPDATE), the
-- order in progress, the outcome of the last attempt and when the next
-- one may start (shared, so that the backoff holds for every instance).
--
-- Times are seconds since the epoch (BIGINT): no time-zone conversion
-- between the server and C; the lease compares with the server's clock.
--
-- Private keys are stored unencrypted: see docs/DEPLOY.md ("Automatic
-- HTTPS") for why and what protects them.

CREATE TABLE IF NOT EXISTS acme_account (
	directory VARCHAR(255) NOT NULL,
	key_pem TEXT NOT NULL,
	url VARCHAR(512) NULL,
	created_at DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP,
	PRIMARY KEY (directory)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_bin;

CREATE TABLE IF NOT EXISTS acme_certificate (
	id TINYINT UNSIGNED NOT NULL,
	version BIGINT UNSIGNED NOT NULL,
	domains VARCHAR(1024) NOT NULL,
	chain_pem MEDIUMTEXT NOT NULL,
	key_pem TEXT NOT NULL,
	not_before BIGINT NOT NULL,
	not_after BIGINT NOT NULL,
	issued_at BIGINT NOT NULL,
	PRIMARY KEY (id)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_bin;

CREATE TABLE IF NOT EXISTS acme_challenges (
	token VARCHAR(255) NOT NULL,
	key_authorization VARCHAR(512) NOT NULL,
	created_at BIGINT NOT NULL,
	PRIMARY KEY (token)
) ENGINE=InnoDB DEFAULT CHARSET=ascii COLLATE=ascii_bin;

CREATE TABLE IF NOT EXISTS acme_state (
	id TINYINT UNSIGNED NOT NULL,
	lease_owner VARCHAR(64) NULL,
	lease_until BIGINT NULL,
	order_url VARCHAR(512) NULL,
	order_status VARCHAR(32) NULL,
	orders BIGINT UNSIGNED NOT NULL DEFAULT 0,
	failures INT UNSIGNED NOT NULL DEFAULT 0,
	last_attempt BIGINT NULL,
	last_result VARCHAR(1024) NULL,
	next_attempt BIGINT NULL,
	PRIMARY KEY (id)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_bin;

INSERT IGNORE INTO acme_state (id) VALUES (1);
