/* SHA-256 (include/sha256.h). */
#include "sha256.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <mbedtls/platform_util.h>
#include <mbedtls/sha256.h>

#if defined(__x86_64__) || defined(__i386__)
#include <immintrin.h>
#define SHA256_HAVE_NI 1
#endif

static const uint32_t sha256_iv[8] = {
    0x6a09e667, 0xbb67ae85, 0x3c6ef372, 0xa54ff53a,
    0x510e527f, 0x9b05688c, 0x1f83d9ab, 0x5be0cd19,
};

void
sha256_blocks_portable(uint32_t state[8], const unsigned char *p,
                       size_t nblocks)
{
	mbedtls_sha256_context c;

	mbedtls_sha256_init(&c);
	memcpy(c.state, state, sizeof(c.state));
	for (; nblocks > 0; nblocks--, p += 64) {
		/* Fails only on a bad context, never on input. */
		if (mbedtls_internal_sha256_process(&c, p) != 0) {
			fputs("blogd: sha256 block failed\n", stderr);
			abort();
		}
	}
	memcpy(state, c.state, sizeof(c.state));
	mbedtls_sha256_free(&c);
}

#ifdef SHA256_HAVE_NI
/* The round constants, four per vector of message words. */
static const uint32_t sha256_k[64] = {
    0x428a2f98, 0x71374491, 0xb5c0fbcf, 0xe9b5dba5, 0x3956c25b, 0x59f111f1,
    0x923f82a4, 0xab1c5ed5, 0xd807aa98, 0x12835b01, 0x243185be, 0x550c7dc3,
    0x72be5d74, 0x80deb1fe, 0x9bdc06a7, 0xc19bf174, 0xe49b69c1, 0xefbe4786,
    0x0fc19dc6, 0x240ca1cc, 0x2de92c6f, 0x4a7484aa, 0x5cb0a9dc, 0x76f988da,
    0x983e5152, 0xa831c66d, 0xb00327c8, 0xbf597fc7, 0xc6e00bf3, 0xd5a79147,
    0x06ca6351, 0x14292967, 0x27b70a85, 0x2e1b2138, 0x4d2c6dfc, 0x53380d13,
    0x650a7354, 0x766a0abb, 0x81c2c92e, 0x92722c85, 0xa2bfe8a1, 0xa81a664b,
    0xc24b8b70, 0xc76c51a3, 0xd192e819, 0xd6990624, 0xf40e3585, 0x106aa070,
    0x19a4c116, 0x1e376c08, 0x2748774c, 0x34b0bcb5, 0x391c0cb3, 0x4ed8aa4a,
    0x5b9cca4f, 0x682e6ff3, 0x748f82ee, 0x78a5636f, 0x84c87814, 0x8cc70208,
    0x90befffa, 0xa4506ceb, 0xbef9a3f7, 0xc67178f2,
};

/*
 * sha256rnds2 does two rounds on the state split as (A,B,E,F) and
 * (C,D,G,H); after the pair, the old ABEF is the new CDGH, so the two
 * registers swap roles every call. sha256msg1/msg2 extend the message
 * schedule four words at a time.
 */
__attribute__((target("sha,sse4.1,ssse3"))) static void
sha256_ni_run(uint32_t state[8], const unsigned char *p, size_t nblocks)
{
	const __m128i bswap =
	    _mm_set_epi64x(0x0c0d0e0f08090a0bULL, 0x0405060700010203ULL);
	__m128i abcd = _mm_loadu_si128((const __m128i *)&state[0]);
	__m128i efgh = _mm_loadu_si128((const __m128i *)&state[4]);
	__m128i abef, cdgh, w[16], k;

	abcd = _mm_shuffle_epi32(abcd, 0xb1); /* b a d c */
	efgh = _mm_shuffle_epi32(efgh, 0x1b); /* h g f e */
	abef = _mm_alignr_epi8(abcd, efgh, 8);
	cdgh = _mm_blend_epi16(efgh, abcd, 0xf0);

	for (; nblocks > 0; nblocks--, p += 64) {
		__m128i abef_in = abef, cdgh_in = cdgh;

		for (int i = 0; i < 16; i++) {
			if (i < 4)
				w[i] = _mm_shuffle_epi8(
				    _mm_loadu_si128(
				        (const __m128i *)(p + 16 * i)),
				    bswap);
			else
				w[i] = _mm_sha256msg2_epu32(
				    _mm_add_epi32(
				        _mm_sha256msg1_epu32(w[i - 4],
				                             w[i - 3]),
				        _mm_alignr_epi8(w[i - 1], w[i - 2], 4)),
				    w[i - 1]);
			k = _mm_add_epi32(
			    w[i],
			    _mm_loadu_si128((const __m128i *)&sha256_k[4 * i]));
			cdgh = _mm_sha256rnds2_epu32(cdgh, abef, k);
			abef = _mm_sha256rnds2_epu32(
			    abef, cdgh, _mm_shuffle_epi32(k, 0x0e));
		}
		abef = _mm_add_epi32(abef, abef_in);
		cdgh = _mm_add_epi32(cdgh, cdgh_in);
	}

	abef = _mm_shuffle_epi32(abef, 0x1b); /* a b e f */
	cdgh = _mm_shuffle_epi32(cdgh, 0xb1); /* g h c d */
	_mm_storeu_si128((__m128i *)&state[0],
	                 _mm_blend_epi16(abef, cdgh, 0xf0));
	_mm_storeu_si128((__m128i *)&state[4], _mm_alignr_epi8(cdgh, abef, 8));
}
#endif

bool
sha256_blocks_ni(uint32_t state[8], const unsigned char *p, size_t nblocks)
{
#ifdef SHA256_HAVE_NI
	/* libgcc reads CPUID once, before main; valgrind hides the bit. */
	if (__builtin_cpu_supports("sha") && __builtin_cpu_supports("sse4.1")) {
		sha256_ni_run(state, p, nblocks);
		return true;
	}
#else
	(void)state;
	(void)p;
	(void)nblocks;
#endif
	return false;
}

static void
sha256_blocks(uint32_t state[8], const unsigned char *p, size_t nblocks)
{
	if (!sha256_blocks_ni(state, p, nblocks))
		sha256_blocks_portable(state, p, nblocks);
}

void
sha256_init(struct sha256 *s)
{
	memcpy(s->state, sha256_iv, sizeof(s->state));
	s->used = 0;
	s->length = 0;
}

void
sha256_update(struct sha256 *s, const void *data, size_t len)
{
	const unsigned char *p = data;
	size_t take;

	s->length += len;
	if (s->used > 0) {
		take = sizeof(s->block) - s->used;
		if (take > len)
			take = len;
		memcpy(s->block + s->used, p, take);
		s->used += take;
		p += take;
		len -= take;
		if (s->used < sizeof(s->block))
			return;
		sha256_blocks(s->state, s->block, 1);
		s->used = 0;
	}
	if (len >= 64) {
		sha256_blocks(s->state, p, len / 64);
		p += len - len % 64;
		len %= 64;
	}
	memcpy(s->block, p, len);
	s->used = len;
}

void
sha256_finish(struct sha256 *s, unsigned char out[32])
{
	uint64_t bits = s->length * 8;

	/* 0x80, zeros to 56 mod 64, the bit length big-endian. */
	s->block[s->used++] = 0x80;
	if (s->used > 56) {
		memset(s->block + s->used, 0, sizeof(s->block) - s->used);
		sha256_blocks(s->state, s->block, 1);
		s->used = 0;
	}
	memset(s->block + s->used, 0, 56 - s->used);
	for (int i = 0; i < 8; i++)
		s->block[56 + i] = (unsigned char)(bits >> (56 - 8 * i));
	sha256_blocks(s->state, s->block, 1);
	for (int i = 0; i < 8; i++) {
		out[4 * i] = (unsigned char)(s->state[i] >> 24);
		out[4 * i + 1] = (unsigned char)(s->state[i] >> 16);
		out[4 * i + 2] = (unsigned char)(s->state[i] >> 8);
		out[4 * i + 3] = (unsigned char)s->state[i];
	}
	mbedtls_platform_zeroize(s, sizeof(*s));
}
