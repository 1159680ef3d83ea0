/* libFuzzer: any config file is loaded or refused with a message, never a
 * crash, a leak or a read past the input. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "config.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static int fd = -1;
	static char path[64];
	struct config cfg;
	char err[512];

	/* One in-memory file, rewritten per input: no disk, no temp names. */
	if (fd == -1) {
		fd = memfd_create("fuzz.conf", 0);
		if (fd == -1)
			abort();
		snprintf(path, sizeof(path), "/proc/self/fd/%d", fd);
	}
	if (ftruncate(fd, 0) == -1 ||
	    pwrite(fd, data, size, 0) != (ssize_t)size)
		abort();
	err[0] = '\0';
	if (config_load(&cfg, path, err, sizeof(err)) == 0)
		config_free(&cfg);
	/* A refusal always says why, on one line. */
	else if (err[0] == '\0' || strchr(err, '\n') != NULL)
		abort();
	return 0;
}
