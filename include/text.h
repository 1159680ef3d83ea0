/* Pure text helpers: slugs, UTF-8 validation, trimming, model dates.
 * Unit-tested. */
#ifndef BLOGD_TEXT_H
#define BLOGD_TEXT_H

#include <stdbool.h>
#include <stddef.h>

#define SLUG_MAX 80

/* ASCII slug of title: lower-case a-z, 0-9 and single '-', at most
 * SLUG_MAX bytes, common Latin accents folded (é -> e); "post" when nothing
 * is left. Caller frees. */
char *text_slugify(const char *title);
/* True when s is a valid slug as text_slugify makes them. */
bool text_is_slug(const char *s);
/* An e-mail address as a form takes it: at most TEXT_EMAIL_MAX characters
 * (code points, as Django's EmailField and the VARCHAR column count), a
 * local part and a domain around the last '@', no space or control
 * character, and a domain of dot-separated labels (letters, digits, '-'
 * and non-ASCII, as internationalised names are typed), at least two or
 * "localhost". Not whether mail reaches it: only sending can tell. */
#define TEXT_EMAIL_MAX 254
bool text_is_email(const char *s);
/* A redirect's old path: '/' then printable ASCII (percent-encoded as
 * requested), at most TEXT_REDIRECT_MAX bytes. */
#define TEXT_REDIRECT_MAX 500
bool text_is_redirect_path(const char *s);
/* A BCP 47 language tag's shape: a primary subtag of 2 to 8 letters, then
 * subtags of 1 to 8 letters or digits after '-', 35 bytes at most ("en",
 * "pt-BR", "zh-Hant-TW"). */
bool text_is_language_tag(const char *s);
/* Where a redirect sends it: a path as above (not "//", which a browser
 * reads as another host), an absolute http:// or https:// URL in printable
 * ASCII, or "" (gone: 410). */
bool text_is_redirect_target(const char *s);
/* Why path and target cannot make a redirect, in a sentence; NULL when
 * they can. */
const char *text_redirect_problem(const char *path, const char *target);
bool text_utf8_valid(const char *s, size_t len);
/* Number of UTF-8 code points in s (s must be valid). */
size_t text_utf8_len(const char *s);
/* Copy of s without leading and trailing ASCII white space. Caller frees. */
char *text_trim(const char *s);
/* In place, CRLF line breaks to LF: browsers send CRLF from a textarea,
 * stored text has LF. */
void text_crlf_to_lf(char *s);
/* Percent-encodes the n bytes of in, all but RFC 3986's unreserved
 * characters, into out (room for 3 * n bytes; no NUL written): a path
 * segment or a query value. Returns the length written. */
size_t text_url_encode(char *out, const char *in, size_t n);
/* Percent-encodes the n bytes of a URI (reference) in, only where RFC 3986
 * allows no byte as is: controls, space, non-ASCII and "<>\"\\^`{|}";
 * '/', '?', '%' and the rest stay. For a Location made from a request
 * target. out as for text_url_encode. */
size_t text_uri_escape(char *out, const char *in, size_t n);
/* RFC 4648 base32 (A-Z 2-7) of the n bytes of in, without padding, into
 * out, NUL-terminated: room for TEXT_BASE32_LEN(n) + 1 bytes. Returns the
 * length written. The form authenticator apps take a TOTP secret in. */
#define TEXT_BASE32_LEN(n) (((n)*8 + 4) / 5)
size_t text_base32_encode(char *out, const void *in, size_t n);

/* Size of a model date in RFC 3339 with its NUL: "2026-11-25T22:17:01Z". */
#define TEXT_RFC3339_SIZE 21

/* A model date: a DATETIME as the database writes it, in UTC. */
struct text_datetime {
	int month; /* 1..12 */
	int day;   /* two digits as written; the calendar is not checked */
	char rfc3339[TEXT_RFC3339_SIZE];
};
/* Parses s, "YYYY-MM-DD HH:MM:SS" (anything after the seconds is ignored).
 * False when s is NULL, of another shape or its month is not 1..12. */
bool text_datetime_parse(const char *s, struct text_datetime *out);

/* Size of a model date with its NUL: "YYYY-MM-DD HH:MM:SS". */
#define TEXT_DATETIME_SIZE 20
/* A date and time as people type it, "YYYY-MM-DD HH:MM[:SS]" or with a 'T'
 * (an HTML datetime-local value), as a model date in out; false when it
 * is of another shape or no such moment (2026-02-30, 24:00). */
bool text_datetime_normalize(const char *in, char out[TEXT_DATETIME_SIZE]);

#endif
