/*
 * The site's time zone, [site] time_zone (src/util/zone.c), as Django's
 * TIME_ZONE: the dates pages show and the times the admin types and reads
 * are the site's local time; the database, feeds, sitemaps, <time
 * datetime> values, logs and `blogd post add --at` stay in UTC.
 *
 * zone_set runs once at start-up, before any thread: it sets TZ for the
 * process, which libc's localtime_r and mktime then read (they are safe
 * from any thread afterwards).
 */
#ifndef BLOGD_ZONE_H
#define BLOGD_ZONE_H

#include <stdbool.h>

#include "text.h"

/* "UTC", or the name of a zone of the system's tz database (tzdata:
 * Europe/Berlin, America/New_York), whose file is there. */
bool zone_valid(const char *name);
/* Makes name (zone_valid) the process's zone. */
void zone_set(const char *name);
/* The zone is UTC: local and model dates are the same text (the pages'
 * dates skip the conversion). */
bool zone_is_utc(void);

/*
 * A model date (UTC, "YYYY-MM-DD HH:MM:SS") as the site's local time, and
 * back. False when in is not of that shape. A local time that a clock
 * change skips (02:30 on a spring-forward night) is read as the hour
 * after; one that happens twice, as the first.
 */
bool zone_to_local(const char *in, char out[TEXT_DATETIME_SIZE]);
bool zone_to_utc(const char *in, char out[TEXT_DATETIME_SIZE]);

#endif
