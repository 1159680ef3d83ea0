/*
 * Growable byte buffer. The struct owns data; buf_free() releases it,
 * buf_detach() hands it to the caller. Allocation failure aborts the process
 * (xalloc.h): a server that cannot allocate a few KB cannot serve anyway.
 */
#ifndef BLOGD_BUF_H
#define BLOGD_BUF_H

#include <stdarg.h>
#include <stddef.h>

struct buf {
	char *data; /* always NUL-terminated once anything was appended */
	size_t len;
	size_t cap;
};

/* One line, which clang-format would spread over four. */
/* clang-format off */
#define BUF_INIT {NULL, 0, 0}
/* clang-format on */

void buf_init(struct buf *b);
void buf_free(struct buf *b);
void buf_reset(struct buf *b); /* len = 0, keeps the memory */
void buf_reserve(struct buf *b, size_t extra);
void buf_append(struct buf *b, const void *data, size_t len);
void buf_puts(struct buf *b, const char *s);
void buf_putc(struct buf *b, char c);
void buf_printf(struct buf *b, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));
void buf_vprintf(struct buf *b, const char *fmt, va_list ap);
/* Returns the data (never NULL, "" when empty) and leaves b empty. */
char *buf_detach(struct buf *b);
const char *buf_cstr(const struct buf *b); /* "" when empty */

#endif
