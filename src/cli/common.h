/* Private to src/cli: opening the database for one command. */
#ifndef BLOGD_CLI_COMMON_H
#define BLOGD_CLI_COMMON_H

struct config;
struct db_conn;
struct db_pool;

/* Opens a pool and borrows its connection; prints the error and returns -1
 * when the database cannot be reached. */
int cli_db_open(const struct config *cfg, struct db_pool **pool,
                struct db_conn **conn);
void cli_db_close(struct db_pool *pool, struct db_conn *conn);

#endif
