-- blogd schema, version 7: TOTP two-factor sign-in for admins (RFC 6238).
--
-- users.totp_secret: the 20-byte secret of an account with two-factor on
-- (NULL: off). It must be readable to compute codes, so it is stored as
-- is, like the password of the database itself: whoever reads this table
-- can make codes, but still needs the password.
-- users.totp_pending: a secret shown during enrolment, not yet confirmed
-- with a code.
-- users.totp_last_step: the time step (unix time / 30) of the last code
-- accepted; a code of that step or an earlier one is refused, so a code
-- works once, on whichever instance sees it first.
--
-- totp_recovery_codes: SHA-256 of each one-time recovery code (random, so
-- a plain hash suffices), used_at set when it is spent.
--
-- login_pending: a sign-in whose password was right and whose code is
-- still to come: SHA-256 of the random value in the browser's cookie, the
-- account, and when it lapses.

ALTER TABLE users
	ADD COLUMN IF NOT EXISTS totp_secret VARBINARY(20) NULL,
	ADD COLUMN IF NOT EXISTS totp_pending VARBINARY(20) NULL,
	ADD COLUMN IF NOT EXISTS totp_last_step BIGINT NULL;

CREATE TABLE IF NOT EXISTS totp_recovery_codes (
	user_id BIGINT UNSIGNED NOT NULL,
	code_hash BINARY(32) NOT NULL,
	used_at DATETIME NULL,
	PRIMARY KEY (user_id, code_hash),
	CONSTRAINT totp_recovery_user_fk FOREIGN KEY (user_id)
		REFERENCES users (id) ON DELETE CASCADE
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;

CREATE TABLE IF NOT EXISTS login_pending (
	token_hash BINARY(32) NOT NULL PRIMARY KEY,
	user_id BIGINT UNSIGNED NOT NULL,
	expires_at DATETIME NOT NULL,
	KEY login_pending_expires (expires_at),
	CONSTRAINT login_pending_user_fk FOREIGN KEY (user_id)
		REFERENCES users (id) ON DELETE CASCADE
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;
