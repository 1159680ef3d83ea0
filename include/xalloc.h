/* Allocation wrappers that abort on failure (see buf.h for why). */
#ifndef BLOGD_XALLOC_H
#define BLOGD_XALLOC_H

#include <stddef.h>
#include <stdlib.h>

void *xmalloc(size_t n);
void *xcalloc(size_t n, size_t size);
void *xrealloc(void *p, size_t n);
char *xstrdup(const char *s);
char *xstrndup(const char *s, size_t n);
/* Zeroes the string s, then frees it; NULL is fine. For strings that held
 * a secret (a private key, a password hash): freed memory is reused. */
void xfree_secret(char *s);

#endif
