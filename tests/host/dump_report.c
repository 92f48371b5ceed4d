/*
 * A firmware map dump (a tests/host/dumps file, format in its README) as
 * the report lines a boot prints (README.md): "raw" for each e820 line in
 * its order, "map" for what the real sanitizer (stage2/sanitize.c, linked
 * as is, the way test_dumps runs it: flags 0, no carve-outs) makes of them.
 * For tools/mapview's test (tests/host/test_mapview.py); not a test itself.
 *
 *   build/tests/dump_report DUMP.e820
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "sanitize.h"

int main(int argc, char **argv)
{
	FILE *f = argc == 2 ? fopen(argv[1], "r") : NULL;
	struct mem_range *in = NULL;
	u32 n = 0, cap = 0;
	char line[512];

	if (!f) {
		fprintf(stderr, "usage: dump_report DUMP.e820 (a readable file)\n");
		return 2;
	}
	while (fgets(line, sizeof(line), f)) {
		unsigned long long base, length;
		unsigned type;
		char word[16];
		if (sscanf(line, "%15s %llx %llx %u", word, &base, &length, &type) != 4 ||
		    strcmp(word, "e820"))
			continue;
		if (n == cap) {
			cap = cap ? 2 * cap : 16;
			in = realloc(in, sizeof(*in) * cap);
			if (!in)
				abort();
		}
		in[n++] = (struct mem_range){ .base = base, .length = length, .pad = type };
		/* Firmware order, the way the example kernel prints raw entries
		 * (attributes 1: a dump has none). */
		printf("raw 0x%016llx 0x%016llx %u 0x%08x\n", base, length, type, 1);
	}
	fclose(f);
	if (!n) {
		fprintf(stderr, "dump_report: %s has no e820 line\n", argv[1]);
		return 1;
	}
	for (u32 i = 0; i < n; i++)
		in[i].rank = e820_type_rank(in[i].pad), in[i].pad = 0;
	struct change_point *points = malloc(sizeof(*points) * 2 * n);
	struct bootinfo_map_entry *tmp = malloc(sizeof(*tmp) * 2 * n);
	struct bootinfo_map_entry *out = malloc(sizeof(*out) * (2 * n + 1));
	struct sanitize_scratch scratch = { points, tmp };
	struct sanitize_result res;
	if (!points || !tmp || !out)
		abort();
	memmap_sanitize(in, n, &scratch, out, 2 * n + 1, 0, &res);
	for (u32 i = 0; i < res.count; i++)
		printf("map 0x%016llx 0x%016llx %s\n", (unsigned long long)out[i].base,
		       (unsigned long long)out[i].length, memtype_name(out[i].type));
	free(in);
	free(points);
	free(tmp);
	free(out);
	return 0;
}
