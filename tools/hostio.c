/* See hostio.h. */
#include "hostio.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

const char *host_prog = "tool";

void die(const char *fmt, ...)
{
	va_list ap;

	fprintf(stderr, "%s: ", host_prog);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
	exit(1);
}

uint8_t *read_file(const char *path, size_t *len, const char *what)
{
	FILE *f = fopen(path, "rb");
	uint8_t *buf = NULL;
	size_t cap = 0, n = 0;

	if (!f)
		die("cannot open %s %s: %s", what, path, strerror(errno));
	for (;;) {
		if (n == cap) {
			cap = cap ? cap * 2 : 65536;
			buf = realloc(buf, cap);
			if (!buf)
				die("out of memory reading %s %s", what, path);
		}
		size_t got = fread(buf + n, 1, cap - n, f);
		n += got;
		if (got == 0)
			break;
	}
	if (ferror(f))
		die("cannot read %s %s: %s", what, path, strerror(errno));
	fclose(f);
	*len = n;
	return buf;
}
