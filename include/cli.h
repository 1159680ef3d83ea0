/*
 * Administrative subcommands that main.c dispatches to. Each gets argv
 * after the subcommand word (argv[0] is e.g. "add"), prints its result or a
 * one-line error, and returns the process exit status.
 */
#ifndef BLOGD_CLI_H
#define BLOGD_CLI_H

struct config;

/* blogd user add|passwd|list|del|totp ... */
int cli_user(const struct config *cfg, int argc, char **argv);
/* blogd post add --title T --author NAME [--slug S] [--tags a,b] [--draft] */
int cli_post(const struct config *cfg, int argc, char **argv);

/* blogd media add FILE [--name NAME]: prints the file's /media/ path */
int cli_media(const struct config *cfg, int argc, char **argv);

/* blogd redirect add OLD_PATH TARGET|--gone, delete OLD_PATH, list */
int cli_redirect(const struct config *cfg, int argc, char **argv);

/* blogd import django URL [--map FILE] [--old-urls PATTERN] [--dry-run]
 * [--prune] [--password-stdin] (argv[0] is "django") */
int cli_import_django(const struct config *cfg, int argc, char **argv);

/* blogd import markdown DIR [--dry-run] (argv[0] is "markdown"): reads
 * back what blogd export wrote. */
int cli_import_markdown(const struct config *cfg, int argc, char **argv);
/* blogd export DIR (argv[0] is DIR) */
int cli_export(const struct config *cfg, int argc, char **argv);

#endif
