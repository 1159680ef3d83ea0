/* Uploaded files' types, names and URLs (include/media.h). */
#include "media.h"

#include <stdio.h>
#include <string.h>

#include "buf.h"
#include "text.h"
#include "xalloc.h"

/* The file types blogd takes, each with the bytes it starts with at
 * offset at (WebP: "RIFF", a length, then "WEBP" at 8). */
static const struct media_sig {
	struct media_type type;
	const char *magic;
	size_t len, at;
	const char *magic2; /* also at 0, when not NULL (RIFF) */
} media_sigs[] = {
    {{"image/png", "png", true}, "\x89PNG\r\n\x1a\n", 8, 0, NULL},
    {{"image/jpeg", "jpg", true}, "\xff\xd8\xff", 3, 0, NULL},
    {{"image/gif", "gif", true}, "GIF87a", 6, 0, NULL},
    {{"image/gif", "gif", true}, "GIF89a", 6, 0, NULL},
    {{"image/webp", "webp", true}, "WEBP", 4, 8, "RIFF"},
    {{"application/pdf", "pdf", false}, "%PDF-", 5, 0, NULL},
};
#define MEDIA_NSIGS (sizeof(media_sigs) / sizeof(media_sigs[0]))

const struct media_type *
media_type_of(const char *mime)
{
	for (size_t i = 0; mime != NULL && i < MEDIA_NSIGS; i++)
		if (strcmp(media_sigs[i].type.mime, mime) == 0)
			return &media_sigs[i].type;
	return NULL;
}

const struct media_type *
media_sniff(const void *data, size_t len)
{
	const unsigned char *p = data;

	for (size_t i = 0; i < MEDIA_NSIGS; i++) {
		const struct media_sig *s = &media_sigs[i];

		if (len >= s->at + s->len &&
		    memcmp(p + s->at, s->magic, s->len) == 0 &&
		    (s->magic2 == NULL ||
		     memcmp(p, s->magic2, strlen(s->magic2)) == 0))
			/* The first entry of its type: one pointer per type. */
			return media_type_of(s->type.mime);
	}
	return NULL;
}

/* s without what Markdown link text would read as syntax. */
static void
media_put_label(struct buf *b, const char *s, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		if (s[i] == '\n' || s[i] == '\r') {
			buf_putc(b, ' ');
			continue;
		}
		if (strchr("[]()\\", s[i]) != NULL)
			continue;
		buf_putc(b, s[i]);
	}
}

char *
media_alt(const char *name)
{
	const char *dot = strrchr(name, '.');
	size_t n =
	    dot != NULL && dot != name ? (size_t)(dot - name) : strlen(name);
	struct buf b = BUF_INIT;

	media_put_label(&b, name, n);
	return buf_detach(&b);
}

char *
media_markdown(const struct media_type *t, const char *label, const char *path)
{
	struct buf b = BUF_INIT;
	size_t start;

	buf_puts(&b, t->image ? "![" : "[");
	start = b.len;
	media_put_label(&b, label, strlen(label));
	if (b.len == start) /* a link needs text to click on */
		buf_puts(&b, "file");
	buf_printf(&b, "](%s)", path);
	return buf_detach(&b);
}

char *
media_clean_name(const char *name)
{
	const char *base = name, *p;
	struct buf b = BUF_INIT;
	size_t cut;

	for (p = name; *p != '\0'; p++)
		if (*p == '/' || *p == '\\')
			base = p + 1;
	for (p = base; *p != '\0'; p++)
		if ((unsigned char)*p >= 0x20 && *p != 0x7f && *p != '"')
			buf_putc(&b, *p);
	/* Invalid UTF-8 would break the page and the header alike. */
	if (!text_utf8_valid(buf_cstr(&b), b.len))
		for (size_t i = 0; i < b.len; i++)
			if ((unsigned char)b.data[i] >= 0x80)
				b.data[i] = '_';
	for (cut = b.len;
	     cut > MEDIA_NAME_MAX ||
	     (cut < b.len && ((unsigned char)b.data[cut] & 0xc0) == 0x80);
	     cut--)
		;
	if (cut < b.len)
		b.data[b.len = cut] = '\0';
	if (b.len == 0)
		buf_puts(&b, "file");
	return buf_detach(&b);
}

void
media_size_text(unsigned long long bytes, char out[32])
{
	if (bytes < 1024)
		snprintf(out, 32, "%llu bytes", bytes);
	else if (bytes < 1024 * 1024)
		snprintf(out, 32, "%llu KiB", (bytes + 512) / 1024);
	else if (bytes % (1024 * 1024) == 0)
		snprintf(out, 32, "%llu MiB", bytes / (1024 * 1024));
	else
		snprintf(out, 32, "%.1f MiB", (double)bytes / (1024.0 * 1024));
}

void
media_path(const char *hash, const struct media_type *t, char *out)
{
	snprintf(out, MEDIA_PATH_MAX, "/media/%.*s.%s", MEDIA_HASH_HEX, hash,
	         t->ext);
}

bool
media_file_split(const char *file, char hash[MEDIA_HASH_HEX + 1],
                 const char **ext)
{
	for (size_t i = 0; i < MEDIA_HASH_HEX; i++)
		if (!((file[i] >= '0' && file[i] <= '9') ||
		      (file[i] >= 'a' && file[i] <= 'f')))
			return false;
	if (file[MEDIA_HASH_HEX] != '.')
		return false;
	memcpy(hash, file, MEDIA_HASH_HEX);
	hash[MEDIA_HASH_HEX] = '\0';
	*ext = file + MEDIA_HASH_HEX + 1;
	return true;
}
