/* Row helpers shared by the model files (internal.h). */
#include "model.h"

#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#include "db.h"
#include "internal.h"
#include "xalloc.h"

char *
model_cell_dup(const struct db_rows *rows, size_t row, size_t col)
{
	const char *s = db_cell(rows, row, col);

	return s != NULL ? xstrdup(s) : NULL;
}

void
model_rows_free_secret(struct db_rows *rows)
{
	for (size_t i = 0; i < rows->nrows * rows->ncols; i++)
		if (rows->cells[i] != NULL)
			explicit_bzero(rows->cells[i], rows->lengths[i]);
	db_rows_free(rows);
}

void
model_strv_free(char **v, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		free(v[i]);
	free(v);
}

static int
vquery_row(struct db_conn *conn, struct db_rows *rows, const char *sql,
           const char *types, va_list ap)
{
	if (db_vquery(conn, rows, sql, types, ap) != 0)
		return MODEL_ERR;
	if (rows->nrows == 1)
		return MODEL_OK;
	db_rows_free(rows);
	return MODEL_NOT_FOUND;
}

int
model_query_row(struct db_conn *conn, struct db_rows *rows, const char *sql,
                const char *types, ...)
{
	va_list ap;
	int rc;

	va_start(ap, types);
	rc = vquery_row(conn, rows, sql, types, ap);
	va_end(ap);
	return rc;
}

/* The first cell of the one row into *num, or a copy into *text. */
static int
vquery_cell(struct db_conn *conn, long long *num, char **text, const char *sql,
            const char *types, va_list ap)
{
	struct db_rows rows;
	int rc = vquery_row(conn, &rows, sql, types, ap);

	if (rc != MODEL_OK)
		return rc;
	if (text != NULL)
		*text = model_cell_dup(&rows, 0, 0);
	else
		*num = db_cell_int(&rows, 0, 0);
	db_rows_free(&rows);
	return MODEL_OK;
}

int
model_query_int(struct db_conn *conn, long long *out, const char *sql,
                const char *types, ...)
{
	va_list ap;
	int rc;

	va_start(ap, types);
	rc = vquery_cell(conn, out, NULL, sql, types, ap);
	va_end(ap);
	return rc;
}

int
model_query_text(struct db_conn *conn, char **out, const char *sql,
                 const char *types, ...)
{
	va_list ap;
	int rc;

	va_start(ap, types);
	rc = vquery_cell(conn, NULL, out, sql, types, ap);
	va_end(ap);
	return rc;
}

int
model_row_exists(struct db_conn *conn, const char *sql, long long id)
{
	struct db_rows rows;
	bool found;

	if (db_query(conn, &rows, sql, "i", id) != 0)
		return MODEL_ERR;
	found = rows.nrows > 0;
	db_rows_free(&rows);
	return found ? MODEL_OK : MODEL_NOT_FOUND;
}
