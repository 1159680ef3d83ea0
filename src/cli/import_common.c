/* What blogd export and both importers share (common.h). */
#include <stdio.h>
#include <string.h>

#include "buf.h"
#include "common.h"
#include "db.h"

void
cli_escape(struct buf *b, const char *s)
{
	for (; *s != '\0'; s++) {
		switch (*s) {
		case '\\':
			buf_puts(b, "\\\\");
			break;
		case '\n':
			buf_puts(b, "\\n");
			break;
		case '\r':
			buf_puts(b, "\\r");
			break;
		case '\t':
			buf_puts(b, "\\t");
			break;
		default:
			buf_putc(b, *s);
		}
	}
}

int
cli_unescape(char *s)
{
	static const char from[] = "\\nrt", to[] = "\\\n\r\t";
	char *o = s;

	for (; *s != '\0'; s++) {
		if (*s != '\\') {
			*o++ = *s;
			continue;
		}
		const char *k = s[1] != '\0' ? strchr(from, s[1]) : NULL;
		if (k == NULL)
			return -1;
		*o++ = to[k - from];
		s++;
	}
	*o = '\0';
	return 0;
}

int
cli_import_batch_begin(struct db_conn *conn, bool *in_txn)
{
	if (*in_txn)
		return 0;
	if (db_begin(conn) != 0)
		return -1;
	*in_txn = true;
	return 0;
}

int
cli_import_batch_end(struct db_conn *conn, bool dry_run, bool *in_txn)
{
	if (dry_run)
		return 0;
	*in_txn = false;
	if (model_import_done(conn) != 0 || db_commit(conn) != 0) {
		db_rollback(conn);
		return -1;
	}
	return 0;
}

void
cli_import_count(struct cli_import_counts *c, enum import_outcome o)
{
	if (o == IMPORT_ADDED)
		c->added++;
	else if (o == IMPORT_UPDATED)
		c->updated++;
	else if (o == IMPORT_UNCHANGED)
		c->unchanged++;
	else
		c->kept++;
}

void
cli_import_summary(const struct cli_import_counts *c, size_t n, bool dry_run)
{
	if (dry_run)
		printf(
		    "dry run: nothing was written; a real run would give:\n");
	for (size_t i = 0; i < n; i++) {
		printf("%-9s %lu added, %lu updated, %lu unchanged, ",
		       c[i].kind, c[i].added, c[i].updated, c[i].unchanged);
		if (c[i].has_kept)
			printf("%lu kept (made in blogd), ", c[i].kept);
		printf("%lu skipped", c[i].skipped);
		if (c[i].has_removed)
			printf(", %lu removed", c[i].removed);
		putchar('\n');
	}
}
