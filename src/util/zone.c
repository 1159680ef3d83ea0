/* The site's time zone (include/zone.h). */
#include "zone.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>

#define ZONE_NAME_MAX 64

/* Written by zone_set before any thread starts, only read afterwards. */
static bool site_is_utc = true;

/* Where the tz database lives: $TZDIR, as libc reads it, or Debian's. */
static const char *
zone_dir(void)
{
	const char *dir = getenv("TZDIR");

	return dir != NULL && *dir != '\0' ? dir : "/usr/share/zoneinfo";
}

/* Letters, digits, '_', '-', '+' in non-empty '/'-separated parts; no
 * '.', so no ".." either: a name inside the database's folder, never a
 * path out of it. */
static bool
zone_name_ok(const char *name)
{
	size_t i, len = strlen(name);

	if (len == 0 || len > ZONE_NAME_MAX || name[0] == '/' ||
	    name[len - 1] == '/' || strstr(name, "//") != NULL)
		return false;
	for (i = 0; i < len; i++) {
		char c = name[i];

		if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
		      (c >= '0' && c <= '9') || c == '_' || c == '-' ||
		      c == '+' || c == '/'))
			return false;
	}
	return true;
}

bool
zone_valid(const char *name)
{
	char path[512], magic[4];
	struct stat st;
	FILE *fp;
	bool ok;

	if (strcmp(name, "UTC") == 0)
		return true;
	if (!zone_name_ok(name))
		return false;
	snprintf(path, sizeof(path), "%s/%s", zone_dir(), name);
	if (stat(path, &st) != 0 || !S_ISREG(st.st_mode) ||
	    (fp = fopen(path, "rbe")) == NULL)
		return false;
	/* A compiled zone (tzfile(5)), not some other file there. */
	ok = fread(magic, 1, sizeof(magic), fp) == sizeof(magic) &&
	     memcmp(magic, "TZif", sizeof(magic)) == 0;
	fclose(fp);
	return ok;
}

void
zone_set(const char *name)
{
	site_is_utc = strcmp(name, "UTC") == 0;
	setenv("TZ", name, 1);
	tzset();
}

/* in, a model date, as broken-down time (no zone); false when it is not
 * one. */
static bool
zone_parse(const char *in, struct tm *tm)
{
	const char *end;

	memset(tm, 0, sizeof(*tm));
	end = in != NULL ? strptime(in, "%Y-%m-%d %H:%M:%S", tm) : NULL;
	return end != NULL && end - in == TEXT_DATETIME_SIZE - 1;
}

static bool
zone_format(const struct tm *tm, char out[TEXT_DATETIME_SIZE])
{
	return strftime(out, TEXT_DATETIME_SIZE, "%Y-%m-%d %H:%M:%S", tm) ==
	       TEXT_DATETIME_SIZE - 1;
}

bool
zone_is_utc(void)
{
	return site_is_utc;
}

static bool
zone_same_wall(const struct tm *a, const struct tm *b)
{
	return a->tm_year == b->tm_year && a->tm_mon == b->tm_mon &&
	       a->tm_mday == b->tm_mday && a->tm_hour == b->tm_hour &&
	       a->tm_min == b->tm_min && a->tm_sec == b->tm_sec;
}

/*
 * The moment of local wall time in, tried as standard and as daylight
 * time: the earliest reading whose moment shows in again, else (a time
 * the clock skips) the latest reading, the hour after. mktime's own
 * choice (tm_isdst = -1) for those two cases depends on its last call.
 */
static bool
zone_mktime(const struct tm *in, time_t *out)
{
	bool shown = false, any = false;
	time_t t, first = 0, latest = 0;
	struct tm tm, back;
	int dst;

	for (dst = 0; dst <= 1; dst++) {
		tm = *in;
		tm.tm_isdst = dst;
		if ((t = mktime(&tm)) == (time_t)-1)
			continue;
		if (!any || t > latest)
			latest = t;
		any = true;
		if (localtime_r(&t, &back) != NULL &&
		    zone_same_wall(&back, in) && (!shown || t < first)) {
			first = t;
			shown = true;
		}
	}
	*out = shown ? first : latest;
	return any;
}

/* A UTC wall time made the site's (struct tm in place). */
static bool
zone_shift_to_local(struct tm *tm)
{
	time_t t = timegm(tm);

	return localtime_r(&t, tm) != NULL;
}

/* A wall time of the site's made UTC (struct tm in place). */
static bool
zone_shift_to_utc(struct tm *tm)
{
	time_t t;

	return zone_mktime(tm, &t) && gmtime_r(&t, tm) != NULL;
}

/* Parses in, shifts it unless the site is in UTC, formats it into out. */
static bool
zone_convert(const char *in, char out[TEXT_DATETIME_SIZE],
             bool (*shift)(struct tm *))
{
	struct tm tm;

	return zone_parse(in, &tm) && (site_is_utc || shift(&tm)) &&
	       zone_format(&tm, out);
}

bool
zone_to_local(const char *in, char out[TEXT_DATETIME_SIZE])
{
	return zone_convert(in, out, zone_shift_to_local);
}

bool
zone_to_utc(const char *in, char out[TEXT_DATETIME_SIZE])
{
	return zone_convert(in, out, zone_shift_to_utc);
}
