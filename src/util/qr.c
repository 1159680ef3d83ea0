/*
 * QR codes as SVG (include/qr.h). libqrencode makes the modules; this file
 * only draws them: one <path> of unit squares, row by row, dark runs
 * merged, in presentation attributes (an inline style="" would need the
 * CSP's 'unsafe-inline').
 */
#include "qr.h"

#include <errno.h>
#include <string.h>

#include <qrencode.h>

#include "buf.h"
#include "log.h"

#define QR_QUIET 4 /* modules of white border the standard asks for */

/* The dark runs of row y as "M x y h n v1 h -n z" pieces. */
static void
qr_row(struct buf *out, const QRcode *qr, int y)
{
	const unsigned char *row = qr->data + (size_t)y * (size_t)qr->width;
	int x = 0, start;

	while (x < qr->width) {
		/* Bit 0 of each byte is the module's colour (1: dark). */
		if (!(row[x] & 1)) {
			x++;
			continue;
		}
		start = x;
		while (x < qr->width && (row[x] & 1))
			x++;
		buf_printf(out, "M%d %dh%dv1h-%dz", start + QR_QUIET,
		           y + QR_QUIET, x - start, x - start);
	}
}

bool
qr_svg(struct buf *out, const char *text, const char *label)
{
	QRcode *qr;
	int size, y;

	if ((qr = QRcode_encodeString(text, 0, QR_ECLEVEL_M, QR_MODE_8, 1)) ==
	    NULL) {
		log_err("qr: cannot encode %zu bytes: %s", strlen(text),
		        strerror(errno));
		return false;
	}
	size = qr->width + 2 * QR_QUIET;
	buf_printf(out,
	           "<svg xmlns=\"http://www.w3.org/2000/svg\" class=\"qr\" "
	           "viewBox=\"0 0 %d %d\" width=\"%d\" height=\"%d\" "
	           "role=\"img\" aria-label=\"%s\" "
	           "shape-rendering=\"crispEdges\">"
	           "<rect width=\"%d\" height=\"%d\" fill=\"#fff\"/>"
	           "<path fill=\"#000\" d=\"",
	           size, size, size * 5, size * 5, label, size, size);
	for (y = 0; y < qr->width; y++)
		qr_row(out, qr, y);
	buf_puts(out, "\"/></svg>");
	QRcode_free(qr);
	return true;
}
