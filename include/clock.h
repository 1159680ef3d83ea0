/* The one monotonic clock of blogd, for durations, deadlines and ages. */
#ifndef BLOGD_CLOCK_H
#define BLOGD_CLOCK_H

/* CLOCK_MONOTONIC in microseconds (also what systemd's MONOTONIC_USEC is). */
unsigned long long clock_now_us(void);

#endif
