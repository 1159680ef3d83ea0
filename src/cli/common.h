/* Private to src/cli: opening the database for one command. */
#ifndef BLOGD_CLI_COMMON_H
#define BLOGD_CLI_COMMON_H

#include <stdbool.h>
#include <stdio.h>

#include "import.h"

struct config;
struct db_conn;
struct db_pool;

/* Opens a pool and borrows its connection; prints the error and returns -1
 * when the database cannot be reached. */
int cli_db_open(const struct config *cfg, struct db_pool **pool,
                struct db_conn **conn);
void cli_db_close(struct db_pool *pool, struct db_conn *conn);

/* Reads one line (at most size - 2 bytes, line break dropped) from f into
 * buf; what names f in the error printed. 0 or -1. */
int cli_read_password(FILE *f, char *buf, size_t size, const char *what,
                      bool allow_empty);
/* Prints text on tty and reads a line with echo off. 0 or -1. */
int cli_prompt_password(FILE *tty, const char *text, char *buf, size_t size,
                        bool allow_empty);

/* The whole of the file at path into out, refused (printed, -1, out
 * freed) when it is larger than max bytes ([server] max_upload). */
struct buf;
int cli_read_media(const char *path, size_t max, struct buf *out);

/* ---- blogd export and the importers (src/cli/import_common.c) ---- */

struct buf;

/* Appends s with '\\', newline, CR and tab written as \\ \n \r \t:
 * one line, one TSV field. */
void cli_escape(struct buf *b, const char *s);
/* Undoes cli_escape in place; -1 for a stray backslash. */
int cli_unescape(char *s);

/* Counts of an import for its summary, one row per kind. */
struct cli_import_counts {
	const char *kind;
	unsigned long added, updated, unchanged, kept, skipped, removed;
	bool has_kept;    /* users: rows made in blogd, left alone */
	bool has_removed; /* --prune: rows gone from the source, deleted */
};
/* An import writes in batches, one transaction each; a dry run keeps one
 * transaction open to the end, which its caller rolls back. *in_txn says
 * whether one is open. Begin starts one unless one is open; end marks
 * visible content as changed and commits (rolls back when that fails).
 * 0 or -1. */
int cli_import_batch_begin(struct db_conn *conn, bool *in_txn);
int cli_import_batch_end(struct db_conn *conn, bool dry_run, bool *in_txn);
/* Adds one row's outcome (include/import.h) to c. */
void cli_import_count(struct cli_import_counts *c, enum import_outcome o);
/* Prints the summary on stdout, prefixed by a note for a dry run. */
void cli_import_summary(const struct cli_import_counts *c, size_t n,
                        bool dry_run);

#endif
