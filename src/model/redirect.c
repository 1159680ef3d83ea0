/* Old URLs kept by an import (include/import.h). */
#include "import.h"

#include <string.h>

#include "db.h"
#include "internal.h"
#include "model.h"

int
model_redirect_find(struct db_conn *conn, const char *path, char **slug)
{
	*slug = NULL;
	/* Only printable ASCII up to 500 bytes can be in the table (ascii,
	 * VARCHAR(500)); anything else is not sent to a server that would
	 * have to convert it. */
	size_t n = 0;
	for (; path[n] != '\0'; n++)
		if ((unsigned char)path[n] <= ' ' ||
		    (unsigned char)path[n] >= 0x7f)
			return MODEL_NOT_FOUND;
	if (n > 500)
		return MODEL_NOT_FOUND;
	return model_query_text(conn, slug,
	                        "SELECT p.slug FROM redirects r JOIN posts p "
	                        "ON p.id = r.post_id WHERE r.path = ?",
	                        "s", path);
}

int
model_redirect_any(struct db_conn *conn)
{
	struct db_rows rows;
	int any;

	if (db_query(conn, &rows, "SELECT EXISTS (SELECT 1 FROM redirects)",
	             "") != 0)
		return -1;
	any = db_cell_int(&rows, 0, 0) != 0;
	db_rows_free(&rows);
	return any;
}
