/*
 * blogd media add FILE [--name NAME] (include/cli.h): stores an image or
 * file as an admin upload would and prints its URL path, so that a script
 * can upload and then reference it in blogd post add.
 */
#include "cli.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "buf.h"
#include "common.h"
#include "config.h"
#include "db.h"
#include "media.h"
#include "model_media.h"
#include "xalloc.h"

int
cli_read_media(const char *path, size_t max, struct buf *out)
{
	char chunk[65536];
	size_t n;
	FILE *f = fopen(path, "rb");

	if (f == NULL) {
		fprintf(stderr, "blogd: %s: %s\n", path, strerror(errno));
		buf_free(out);
		return -1;
	}
	while ((n = fread(chunk, 1, sizeof(chunk), f)) > 0 && out->len <= max)
		buf_append(out, chunk, n);
	bool bad = ferror(f) != 0;
	fclose(f);
	if (bad || out->len > max) {
		char limit[32];

		media_size_text(max, limit);
		if (bad)
			fprintf(stderr, "blogd: %s: read error\n", path);
		else
			fprintf(stderr,
			        "blogd: %s: larger than [server] max_upload "
			        "(%s)\n",
			        path, limit);
		buf_free(out);
		return -1;
	}
	return 0;
}

static int
media_add(const struct config *cfg, const char *path, const char *name)
{
	struct buf data = BUF_INIT;
	const struct media_type *t;
	struct db_pool *pool;
	struct db_conn *conn;
	char hash[MEDIA_HASH_HEX + 1], url[MEDIA_PATH_MAX], *clean;
	bool added;
	int rc = 1;

	if (cli_read_media(path, cfg->server.max_upload, &data) != 0)
		return 1;
	if ((t = media_sniff(data.data, data.len)) == NULL) {
		fprintf(stderr,
		        "blogd: %s: not a PNG, JPEG, GIF, WebP or PDF file\n",
		        path);
		buf_free(&data);
		return 1;
	}
	clean = media_clean_name(name != NULL ? name : path);
	if (cli_db_open(cfg, &pool, &conn) == 0) {
		struct model_media_input in = {.type = t->mime,
		                               .name = clean,
		                               .data = data.data,
		                               .len = data.len};
		int mrc = model_media_add(conn, &in, hash, &added);

		if (mrc == MODEL_OK) {
			media_path(hash, t, url);
			puts(url);
			rc = 0;
		} else {
			fprintf(stderr, "blogd: media add: %s: %s\n", path,
			        mrc == MODEL_INVALID
			            ? "larger than the database's "
			              "max_allowed_packet allows"
			            : "the database refused it (see above)");
		}
		cli_db_close(pool, conn);
	}
	free(clean);
	buf_free(&data);
	return rc;
}

int
cli_media(const struct config *cfg, int argc, char **argv)
{
	const char *path = NULL, *name = NULL;

	if (strcmp(argv[0], "add") != 0) {
		fprintf(stderr, "blogd: media needs 'add'\n");
		return 1;
	}
	for (int i = 1; i < argc; i++) {
		if (strcmp(argv[i], "--name") == 0 && i + 1 < argc)
			name = argv[++i];
		else if (strncmp(argv[i], "--name=", 7) == 0)
			name = argv[i] + 7;
		else if (argv[i][0] != '-' && path == NULL)
			path = argv[i];
		else {
			fprintf(stderr, "blogd: media add: unexpected '%s'\n",
			        argv[i]);
			return 1;
		}
	}
	if (path == NULL) {
		fprintf(stderr,
		        "blogd: usage: blogd media add FILE [--name NAME]\n");
		return 1;
	}
	return media_add(cfg, path, name);
}
