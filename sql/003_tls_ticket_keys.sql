-- blogd schema, version 3: session-ticket keys shared by every instance.
--
-- A TLS session ticket is the client's copy of its session, encrypted with
-- a key only servers know; a client that shows it back resumes without a
-- full handshake. For a client to resume on any instance behind a load
-- balancer, and after a reload, all of them use the same keys: these.
--
-- One row per rotation period: period is UNIX_TIMESTAMP() DIV the period
-- length (12 hours), by the database's clock, so instances agree on it.
-- Every instance offers a fresh random key for the current period with
-- INSERT IGNORE; the first one wins and all read the newest two back (the
-- same pattern as site_secret). Each instance encrypts tickets with the
-- newest key and accepts both. Keys older than the previous period are
-- deleted: an old ticket key in a backup must not decrypt old sessions.
-- name is the key's label inside each ticket (random, not secret).

CREATE TABLE IF NOT EXISTS tls_ticket_keys (
	period INT UNSIGNED NOT NULL PRIMARY KEY,
	name BINARY(4) NOT NULL,
	secret BINARY(32) NOT NULL
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;
