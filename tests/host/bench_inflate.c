/*
 * The decoder's speed, for `make inflate-bench`: decodes one raw DEFLATE
 * file into ROOM bytes and prints the sizes.  Under callgrind with
 * --toggle-collect=inflate_raw, the instructions counted over the output
 * size are the figure.  Built without sanitizers: the decoder's own
 * instructions only.
 */
#include <stdio.h>
#include <stdlib.h>

#include "inflate.h"

int main(int argc, char **argv)
{
	struct inflate_result r;
	FILE *f;
	u8 *in, *out;
	long n;
	u32 room;

	if (argc != 3 || !(f = fopen(argv[1], "rb"))) {
		fprintf(stderr, "usage: bench_inflate FILE.deflate ROOM\n");
		return 2;
	}
	fseek(f, 0, SEEK_END);
	n = ftell(f);
	fseek(f, 0, SEEK_SET);
	room = (u32)strtoul(argv[2], NULL, 0);
	in = malloc(n ? n : 1);
	out = malloc(room ? room : 1);
	if (!in || !out || fread(in, 1, n, f) != (size_t)n)
		return 2;
	fclose(f);
	const char *m = inflate_raw(in, (u32)n, out, room, &r);
	printf("%s: %ld bytes in, %u out%s%s\n", argv[1], n, r.out_len, m ? ": " : "", m ? m : "");
	return m ? 1 : 0;
}
