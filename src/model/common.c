/* Row helpers shared by the model files (internal.h). */
#include "model.h"

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
