/* Text helpers (include/text.h): slugs, UTF-8 validation, trimming, model
 * dates. */
#include "text.h"

#include <string.h>

#include "xalloc.h"

/*
 * Decodes one UTF-8 sequence at s (n bytes available). Returns its length
 * and stores the code point, or 0 for an invalid sequence: overlong forms,
 * surrogates, values above U+10FFFF and truncated sequences.
 */
static size_t
utf8_decode(const unsigned char *s, size_t n, unsigned *cp)
{
	unsigned c = s[0], v, min;
	size_t len;

	if (c < 0x80) {
		*cp = c;
		return 1;
	}
	if (c >= 0xc2 && c <= 0xdf) {
		len = 2;
		v = c & 0x1f;
		min = 0x80;
	} else if (c >= 0xe0 && c <= 0xef) {
		len = 3;
		v = c & 0x0f;
		min = 0x800;
	} else if (c >= 0xf0 && c <= 0xf4) {
		len = 4;
		v = c & 0x07;
		min = 0x10000;
	} else {
		return 0; /* continuation byte, 0xc0/0xc1 or 0xf5.. */
	}
	if (n < len)
		return 0;
	for (size_t i = 1; i < len; i++) {
		if ((s[i] & 0xc0) != 0x80)
			return 0;
		v = (v << 6) | (s[i] & 0x3f);
	}
	if (v < min || v > 0x10ffff || (v >= 0xd800 && v <= 0xdfff))
		return 0;
	*cp = v;
	return len;
}

bool
text_utf8_valid(const char *s, size_t len)
{
	const unsigned char *p = (const unsigned char *)s;
	unsigned cp;

	while (len > 0) {
		size_t n = utf8_decode(p, len, &cp);
		if (n == 0)
			return false;
		p += n;
		len -= n;
	}
	return true;
}

size_t
text_utf8_len(const char *s)
{
	size_t n = 0;

	for (; *s != '\0'; s++)
		if (((unsigned char)*s & 0xc0) != 0x80)
			n++;
	return n;
}

static bool
is_space(char c)
{
	return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\v' ||
	       c == '\f';
}

char *
text_trim(const char *s)
{
	while (is_space(*s))
		s++;
	size_t n = strlen(s);
	while (n > 0 && is_space(s[n - 1]))
		n--;
	return xstrndup(s, n);
}

void
text_crlf_to_lf(char *s)
{
	char *w = s;

	for (; *s != '\0'; s++)
		if (!(s[0] == '\r' && s[1] == '\n'))
			*w++ = *s;
	*w = '\0';
}

/* RFC 3986's unreserved characters: a path segment or a query value. */
static bool
text_unreserved(unsigned char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
	       (c >= '0' && c <= '9') || c == '-' || c == '.' || c == '_' ||
	       c == '~';
}

/* The bytes RFC 3986 allows somewhere in a URI: all visible ASCII but
 * "<>\"\\^`{|}". */
static bool
text_uri_allowed(unsigned char c)
{
	return c > 0x20 && c < 0x7f && strchr("<>\"\\^`{|}", c) == NULL;
}

/* Percent-encodes every byte of in that keep refuses (both encoders). */
static size_t
text_percent_encode(char *out, const char *in, size_t n,
                    bool (*keep)(unsigned char))
{
	static const char hex[] = "0123456789ABCDEF";
	size_t k = 0;

	for (size_t i = 0; i < n; i++) {
		unsigned char c = (unsigned char)in[i];

		if (keep(c)) {
			out[k++] = (char)c;
		} else {
			out[k++] = '%';
			out[k++] = hex[c >> 4];
			out[k++] = hex[c & 15];
		}
	}
	return k;
}

size_t
text_url_encode(char *out, const char *in, size_t n)
{
	return text_percent_encode(out, in, n, text_unreserved);
}

size_t
text_uri_escape(char *out, const char *in, size_t n)
{
	return text_percent_encode(out, in, n, text_uri_allowed);
}

size_t
text_base32_encode(char *out, const void *in, size_t n)
{
	static const char alphabet[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567";
	const unsigned char *p = in;
	unsigned bits = 0, nbits = 0;
	size_t len = 0;

	/* Five bits per character, most significant first; the last one is
	 * padded with zero bits. */
	for (size_t i = 0; i < n; i++) {
		bits = (bits << 8 | p[i]) & 0xfff;
		nbits += 8;
		while (nbits >= 5) {
			nbits -= 5;
			out[len++] = alphabet[(bits >> nbits) & 0x1f];
		}
	}
	if (nbits > 0)
		out[len++] = alphabet[(bits << (5 - nbits)) & 0x1f];
	out[len] = '\0';
	return len;
}

/* ASCII for U+00C0..U+00FF; NULL for × and ÷, which separate words. */
static const char *const latin1[64] = {
    "a", "a", "a", "a",  "a",  "a",  "ae", "c", "e", "e", "e",  "e", "i",
    "i", "i", "i", "d",  "n",  "o",  "o",  "o", "o", "o", NULL, "o", "u",
    "u", "u", "u", "y",  "th", "ss", "a",  "a", "a", "a", "a",  "a", "ae",
    "c", "e", "e", "e",  "e",  "i",  "i",  "i", "i", "d", "n",  "o", "o",
    "o", "o", "o", NULL, "o",  "u",  "u",  "u", "u", "y", "th", "y",
};

/* ASCII for U+0100..U+017F (Latin Extended-A), as runs of equal letters. */
static const struct {
	unsigned char count;
	char ascii[3];
} latin_ext_a[] = {
    {6, "a"},  {8, "c"},  {4, "d"}, {10, "e"}, {8, "g"},  {4, "h"},
    {10, "i"}, {2, "ij"}, {2, "j"}, {3, "k"},  {10, "l"}, {9, "n"},
    {6, "o"},  {2, "oe"}, {6, "r"}, {8, "s"},  {6, "t"},  {12, "u"},
    {2, "w"},  {3, "y"},  {6, "z"}, {1, "s"},
};

/*
 * The ASCII letters a code point folds to, "" for characters that vanish
 * inside a word (apostrophes: "don't" -> "dont"), NULL for separators.
 */
static const char *
fold(unsigned cp, char ascii[2])
{
	if (cp < 0x80) {
		if (cp >= 'A' && cp <= 'Z')
			cp += 'a' - 'A';
		if ((cp >= 'a' && cp <= 'z') || (cp >= '0' && cp <= '9')) {
			ascii[0] = (char)cp;
			ascii[1] = '\0';
			return ascii;
		}
		return cp == '\'' ? "" : NULL;
	}
	if (cp == 0x2019) /* right single quotation mark */
		return "";
	if (cp >= 0xc0 && cp <= 0xff)
		return latin1[cp - 0xc0];
	if (cp >= 0x100 && cp <= 0x17f) {
		unsigned i = cp - 0x100;
		for (size_t r = 0;
		     r < sizeof(latin_ext_a) / sizeof(latin_ext_a[0]); r++) {
			if (i < latin_ext_a[r].count)
				return latin_ext_a[r].ascii;
			i -= latin_ext_a[r].count;
		}
	}
	return NULL;
}

char *
text_slugify(const char *title)
{
	const unsigned char *p = (const unsigned char *)title;
	size_t left = strlen(title), len = 0;
	char out[SLUG_MAX + 1], ascii[2];
	bool dash = false; /* a separator is pending */

	while (left > 0) {
		unsigned cp;
		size_t n = utf8_decode(p, left, &cp);
		const char *a = n == 0 ? NULL : fold(cp, ascii);
		if (n == 0)
			n = 1; /* skip a stray byte like a separator */
		p += n;
		left -= n;
		if (a == NULL) {
			dash = len > 0;
			continue;
		}
		size_t alen = strlen(a);
		if (alen == 0)
			continue;
		if (len + dash + alen > SLUG_MAX) {
			/* Inside a word: drop its start rather than keep half
			 * of it, unless it is the only word. */
			char *last = dash ? NULL : memrchr(out, '-', len);
			if (last != NULL)
				len = (size_t)(last - out);
			break;
		}
		if (dash)
			out[len++] = '-';
		memcpy(out + len, a, alen);
		len += alen;
		dash = false;
	}
	if (len == 0)
		return xstrdup("post");
	return xstrndup(out, len);
}

bool
text_is_slug(const char *s)
{
	size_t n = strlen(s);

	if (n == 0 || n > SLUG_MAX || s[0] == '-' || s[n - 1] == '-')
		return false;
	for (size_t i = 0; i < n; i++) {
		char c = s[i];
		if (c == '-' && s[i + 1] == '-')
			return false;
		if (!((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') ||
		      c == '-'))
			return false;
	}
	return true;
}

/* One label of a domain: 1 to 63 bytes, no '-' at either end. */
static bool
email_label_ok(const char *s, size_t n)
{
	if (n == 0 || n > 63 || s[0] == '-' || s[n - 1] == '-')
		return false;
	for (size_t i = 0; i < n; i++) {
		unsigned char c = (unsigned char)s[i];
		if (!(c >= 0x80 || (c >= 'a' && c <= 'z') ||
		      (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
		      c == '-'))
			return false;
	}
	return true;
}

bool
text_is_email(const char *s)
{
	size_t n = strlen(s), labels = 0;
	const char *at = strrchr(s, '@'), *label, *dot;

	if (at == NULL || at == s || at[1] == '\0' || !text_utf8_valid(s, n) ||
	    text_utf8_len(s) > TEXT_EMAIL_MAX)
		return false;
	for (const char *p = s; p < at; p++)
		if ((unsigned char)*p <= ' ' || *p == 0x7f)
			return false;
	if (strcmp(at + 1, "localhost") == 0)
		return true;
	for (label = at + 1;; label = dot + 1) {
		dot = strchr(label, '.');
		if (!email_label_ok(label, dot != NULL ? (size_t)(dot - label)
		                                       : strlen(label)))
			return false;
		labels++;
		if (dot == NULL)
			return labels >= 2;
	}
}

/* Printable ASCII without space, at most TEXT_REDIRECT_MAX bytes. */
static bool
redirect_chars_ok(const char *s)
{
	size_t n = 0;

	for (; s[n] != '\0'; n++)
		if ((unsigned char)s[n] <= ' ' || (unsigned char)s[n] >= 0x7f)
			return false;
	return n <= TEXT_REDIRECT_MAX;
}

bool
text_is_redirect_path(const char *s)
{
	return s[0] == '/' && redirect_chars_ok(s);
}

bool
text_is_redirect_target(const char *s)
{
	if (s[0] == '\0')
		return true;
	if (!redirect_chars_ok(s))
		return false;
	if (s[0] == '/')
		return s[1] != '/' && s[1] != '\\';
	if (strncmp(s, "https://", 8) == 0)
		return s[8] != '\0' && s[8] != '/';
	return strncmp(s, "http://", 7) == 0 && s[7] != '\0' && s[7] != '/';
}

static bool
ascii_letter(char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
}

bool
text_is_language_tag(const char *s)
{
	size_t n = strlen(s), run = 0, i;

	if (n == 0 || n > 35)
		return false;
	for (i = 0; i < n && s[i] != '-'; i++)
		if (!ascii_letter(s[i]))
			return false;
	if (i < 2 || i > 8)
		return false;
	for (; i < n; i++) {
		if (s[i] == '-') {
			if (i + 1 == n || s[i + 1] == '-')
				return false;
			run = 0;
		} else if (!(ascii_letter(s[i]) ||
		             (s[i] >= '0' && s[i] <= '9')) ||
		           ++run > 8) {
			return false;
		}
	}
	return true;
}

const char *
text_redirect_problem(const char *path, const char *target)
{
	/* The values are not repeated: they may hold a line break. */
	if (!text_is_redirect_path(path))
		return "The old path must be '/' then printable ASCII "
		       "(percent-encode the rest), at most 500 bytes.";
	if (!text_is_redirect_target(target))
		return "The new address must be a path (/...) or an http:// or "
		       "https:// URL, in printable ASCII.";
	return NULL;
}

/*
 * By hand rather than with sscanf: with sscanf here and snprintf in
 * page_set_date, dates were a fifth of the instructions of a home page (two
 * for each of ten posts).
 */
bool
text_datetime_parse(const char *s, struct text_datetime *out)
{
	static const char shape[] = "0000-00-00 00:00:00";
	size_t i;

	if (s == NULL)
		return false;
	/* Stops at the first mismatch, so a short s is not read past its
	 * NUL. */
	for (i = 0; i < sizeof(shape) - 1; i++)
		if (shape[i] == '0' ? s[i] < '0' || s[i] > '9'
		                    : s[i] != shape[i])
			return false;
	out->month = (s[5] - '0') * 10 + (s[6] - '0');
	out->day = (s[8] - '0') * 10 + (s[9] - '0');
	if (out->month < 1 || out->month > 12)
		return false;
	memcpy(out->rfc3339, s, sizeof(shape) - 1);
	out->rfc3339[10] = 'T';
	out->rfc3339[19] = 'Z';
	out->rfc3339[20] = '\0';
	return true;
}

/* The value of the n digits at s. */
static int
digits(const char *s, size_t n)
{
	int v = 0;

	while (n-- > 0)
		v = v * 10 + (*s++ - '0');
	return v;
}

bool
text_datetime_normalize(const char *in, char out[TEXT_DATETIME_SIZE])
{
	static const char shape[] = "0000-00-00 00:00:00";
	static const int mdays[] = {31, 29, 31, 30, 31, 30,
	                            31, 31, 30, 31, 30, 31};
	size_t len = in != NULL ? strlen(in) : 0, i;
	int year, month, day;

	/* "YYYY-MM-DD HH:MM", "...:SS", or with 'T' (datetime-local). */
	if (len != 16 && len != 19)
		return false;
	memcpy(out, shape, sizeof(shape));
	for (i = 0; i < len; i++) {
		if (i == 10 && (in[i] == ' ' || in[i] == 'T'))
			continue;
		if (shape[i] == '0' ? in[i] < '0' || in[i] > '9'
		                    : in[i] != shape[i])
			return false;
		out[i] = in[i];
	}
	year = digits(out, 4);
	month = digits(out + 5, 2);
	day = digits(out + 8, 2);
	if (year < 1000 || month < 1 || month > 12 || day < 1 ||
	    day > mdays[month - 1] || digits(out + 11, 2) > 23 ||
	    digits(out + 14, 2) > 59 || digits(out + 17, 2) > 59)
		return false;
	/* February 29th only in leap years. */
	return !(month == 2 && day == 29 &&
	         (year % 4 != 0 || (year % 100 == 0 && year % 400 != 0)));
}
