/*
 * SHA-256 (FIPS 180-4) for the HMAC that every page with a form pays for
 * (crypto.h). Blocks go through the x86 SHA extensions when the CPU has
 * them (about ten times fewer cycles than mbedtls 2.28's C code, which
 * has no such path), through mbedtls's compression function otherwise.
 * A struct sha256 is a plain value: copy it to fork a hash, no cleanup.
 */
#ifndef BLOGD_SHA256_H
#define BLOGD_SHA256_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct sha256 {
	uint32_t state[8];
	unsigned char block[64]; /* the unprocessed tail of the input */
	size_t used;             /* bytes in block */
	uint64_t length;         /* bytes hashed so far */
};

void sha256_init(struct sha256 *s);
void sha256_update(struct sha256 *s, const void *data, size_t len);
/* Writes the digest and wipes s. */
void sha256_finish(struct sha256 *s, unsigned char out[32]);

/* The two compression paths, for the tests that hold them against each
 * other. sha256_blocks_ni returns false, touching nothing, on a CPU (or
 * emulator) without the SHA extensions. */
void sha256_blocks_portable(uint32_t state[8], const unsigned char *p,
                            size_t nblocks);
bool sha256_blocks_ni(uint32_t state[8], const unsigned char *p,
                      size_t nblocks);

#endif
