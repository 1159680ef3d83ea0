/* Private to src/model: helpers shared by the model files. */
#ifndef BLOGD_MODEL_INTERNAL_H
#define BLOGD_MODEL_INTERNAL_H

#include <stddef.h>

struct db_conn;
struct db_rows;

/* Copy of a cell, NULL for SQL NULL. Caller frees. */
char *model_cell_dup(const struct db_rows *rows, size_t row, size_t col);
/* Marks visible content as changed (content_version). 0 or -1. */
int model_bump_version(struct db_conn *conn);

#endif
