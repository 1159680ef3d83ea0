/* Private to src/cli: opening the database for one command. */
#ifndef BLOGD_CLI_COMMON_H
#define BLOGD_CLI_COMMON_H

#include <stdbool.h>
#include <stdio.h>

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

#endif
