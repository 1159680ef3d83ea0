/* QR codes (libqrencode) as inline SVG, for the TOTP enrolment page: the
 * page shows the code itself, so no image URL or data: URL is needed and
 * the Content-Security-Policy stays "self" only. */
#ifndef BLOGD_QR_H
#define BLOGD_QR_H

#include <stdbool.h>

struct buf;

/* Appends an <svg> element drawing text as a QR code (error correction
 * level M, 8-bit mode, a quiet zone of four modules) with label as its
 * accessible name; label must be plain text without markup characters.
 * False (nothing appended) when libqrencode cannot encode text. */
bool qr_svg(struct buf *out, const char *text, const char *label);

#endif
