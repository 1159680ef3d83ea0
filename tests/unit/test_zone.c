/*
 * The site's time zone (src/util/zone.c): which names are zones, and model
 * dates to local time and back, across both clock changes of a zone with
 * daylight saving time. Reads Debian's tz database (tzdata).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include "zone.h"

static void
test_names(void **state)
{
	(void)state;
	assert_true(zone_valid("UTC"));
	assert_true(zone_valid("Europe/Berlin"));
	assert_true(zone_valid("America/Argentina/Buenos_Aires"));
	assert_true(zone_valid("Etc/GMT+5"));
	assert_false(zone_valid(""));
	assert_false(zone_valid("Mars/Olympus_Mons"));
	assert_false(zone_valid("Europe"));   /* a folder */
	assert_false(zone_valid("zone.tab")); /* a file, not a zone */
	assert_false(zone_valid("../../etc/passwd"));
	assert_false(zone_valid("Europe/../Europe/Berlin"));
	assert_false(zone_valid("/usr/share/zoneinfo/Europe/Berlin"));
	assert_false(zone_valid("Europe/Berlin/"));
	assert_false(zone_valid("Europe//Berlin"));
	assert_false(zone_valid("Europe/Berlin\n"));
}

/* in through f gives want. */
static void
converts(bool (*f)(const char *, char *), const char *in, const char *want)
{
	char out[TEXT_DATETIME_SIZE];

	assert_true(f(in, out));
	assert_string_equal(out, want);
}

static void
test_utc(void **state)
{
	char out[TEXT_DATETIME_SIZE];

	(void)state;
	zone_set("UTC");
	assert_true(zone_is_utc());
	converts(zone_to_local, "2026-12-05 03:00:00", "2026-12-05 03:00:00");
	converts(zone_to_utc, "2026-12-05 03:00:00", "2026-12-05 03:00:00");
	assert_false(zone_to_local("2026-12-05", out));
	assert_false(zone_to_local("yesterday", out));
	assert_false(zone_to_local(NULL, out));
}

static void
test_los_angeles(void **state)
{
	char out[TEXT_DATETIME_SIZE];

	(void)state;
	zone_set("America/Los_Angeles");
	assert_false(zone_is_utc());
	/* Winter, UTC-8: the evening before in the site's time. */
	converts(zone_to_local, "2026-12-05 03:00:00", "2026-12-04 19:00:00");
	converts(zone_to_utc, "2026-12-04 19:00:00", "2026-12-05 03:00:00");
	/* Summer, UTC-7. */
	converts(zone_to_local, "2026-07-01 12:00:00", "2026-07-01 05:00:00");
	converts(zone_to_utc, "2026-07-01 05:00:00", "2026-07-01 12:00:00");
	/* New Year's Eve in the site's time is already the new year in
	 * UTC. */
	converts(zone_to_utc, "2026-12-31 23:30:00", "2027-01-01 07:30:00");
	/* 2026-03-08 02:30 does not happen there (02:00 -> 03:00): the hour
	 * after, 03:30 PDT. */
	converts(zone_to_utc, "2026-03-08 02:30:00", "2026-03-08 10:30:00");
	/* 2026-11-01 01:30 happens twice (02:00 PDT -> 01:00 PST): the
	 * first, 01:30 PDT. */
	converts(zone_to_utc, "2026-11-01 01:30:00", "2026-11-01 08:30:00");
	/* The same again, after a call that read daylight time: mktime
	 * guesses from its last call, zone_to_utc does not. */
	converts(zone_to_utc, "2026-07-01 05:00:00", "2026-07-01 12:00:00");
	converts(zone_to_utc, "2026-03-08 02:30:00", "2026-03-08 10:30:00");
	converts(zone_to_utc, "2026-11-01 01:30:00", "2026-11-01 08:30:00");
	converts(zone_to_utc, "2026-12-04 19:00:00", "2026-12-05 03:00:00");
	converts(zone_to_utc, "2026-11-01 01:30:00", "2026-11-01 08:30:00");
	converts(zone_to_utc, "2026-03-08 02:30:00", "2026-03-08 10:30:00");
	assert_false(zone_to_utc("2026-12-05T03:00", out));
	zone_set("UTC");
}

/* A zone without daylight saving time, east of UTC. */
static void
test_tokyo(void **state)
{
	(void)state;
	zone_set("Asia/Tokyo");
	converts(zone_to_local, "2026-12-31 15:30:00", "2027-01-01 00:30:00");
	converts(zone_to_utc, "2027-01-01 00:30:00", "2026-12-31 15:30:00");
	converts(zone_to_utc, "2026-07-01 09:00:00", "2026-07-01 00:00:00");
	zone_set("UTC");
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_names),
	    cmocka_unit_test(test_utc),
	    cmocka_unit_test(test_los_angeles),
	    cmocka_unit_test(test_tokyo),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
