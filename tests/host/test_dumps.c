/*
 * Real firmware maps through the real sanitizer (stage2/sanitize.c, linked
 * as is).  Every tests/host/dumps/NAME.e820 holds one machine's E820
 * entries ("e820 <base hex> <length hex> <type decimal>", firmware order)
 * and the map memmap_sanitize() must make of them ("expect <base hex>
 * <length hex> <type name>"); the format and the sources are described in
 * tests/host/dumps/README.  The expected lines come from
 * tests/host/refmodel.py, an independent model, and hand checks, never from
 * this code: when a dump fails, the sanitizer is wrong until the dump's
 * expected map is shown to be.
 *
 * The sanitizer runs alone: flags 0, no loader carve-outs, ranks from
 * e820_type_rank(), room for every output range (nothing coarsened).
 * Besides the exact comparison each dump gets invariant checks: the output
 * is sorted and non-overlapping, no usable byte lies under a non-usable
 * input entry, usable ranges are whole pages and come from usable input.
 *
 * The dumps are read at run time: from $TEST_DUMPS_DIR when set, else from
 * tests/host/dumps relative to this binary (build/tests/test_dumps, found
 * through /proc/self/exe).  One line per dump: "PASS dump-NAME" or
 * "FAIL dump-NAME: <first difference>"; exit status 1 on any failure, and
 * a failure when the folder holds no dump at all.
 */
#include <dirent.h>
#include <errno.h>
#include <limits.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "bootinfo.h"
#include "sanitize.h"
#include "testlib.h"

#define DUMP_SUFFIX ".e820"
#define PAGE 0x1000ull

struct dump_entry {
	u64 base, length;
	u32 type; /* raw E820 type for inputs, BOOTINFO_MEM_* for expected */
};

struct dump {
	struct dump_entry *in, *want;
	u32 n_in, n_want, cap_in, cap_want;
};

/* The test's own names and restrictiveness order (least to most), kept
 * apart from the sanitizer's tables on purpose. */
static const struct {
	const char *name;
	u32 type;
} type_names[] = {
	{ "usable", BOOTINFO_MEM_USABLE },
	{ "loader", BOOTINFO_MEM_LOADER },
	{ "kernel", BOOTINFO_MEM_KERNEL },
	{ "acpi-reclaimable", BOOTINFO_MEM_ACPI_RECLAIMABLE },
	{ "persistent", BOOTINFO_MEM_PERSISTENT },
	{ "acpi-nvs", BOOTINFO_MEM_ACPI_NVS },
	{ "reserved", BOOTINFO_MEM_RESERVED },
	{ "bad", BOOTINFO_MEM_BAD },
};
#define N_TYPES (sizeof(type_names) / sizeof(type_names[0]))

static const char *type_name(u32 type)
{
	for (size_t i = 0; i < N_TYPES; i++)
		if (type_names[i].type == type)
			return type_names[i].name;
	return "unknown";
}

/* E820 type -> the BOOTINFO type the rules give it (unknown: reserved). */
static u32 e820_expected_type(u32 e820)
{
	switch (e820) {
	case 1:
		return BOOTINFO_MEM_USABLE;
	case 3:
		return BOOTINFO_MEM_ACPI_RECLAIMABLE;
	case 4:
		return BOOTINFO_MEM_ACPI_NVS;
	case 5:
		return BOOTINFO_MEM_BAD;
	case 7:
		return BOOTINFO_MEM_PERSISTENT;
	default:
		return BOOTINFO_MEM_RESERVED;
	}
}

/* End of an input, clipped at 2^64 - 1 as the rules say. */
static u64 in_end(const struct dump_entry *e)
{
	u64 end = e->base + e->length;
	return end < e->base ? ~(u64)0 : end;
}

/* ------------------------------------------------------------------------
 * Parsing.
 */

static int parse_u64_hex(const char *s, u64 *v)
{
	char *end;
	if (!s || !*s || *s == '-' || *s == '+')
		return -1;
	errno = 0;
	unsigned long long x = strtoull(s, &end, 16);
	if (errno || *end)
		return -1;
	*v = x;
	return 0;
}

static int parse_u32_dec(const char *s, u32 *v)
{
	char *end;
	if (!s || !*s || *s == '-' || *s == '+')
		return -1;
	errno = 0;
	unsigned long long x = strtoull(s, &end, 10);
	if (errno || *end || x > UINT32_MAX)
		return -1;
	*v = (u32)x;
	return 0;
}

static void push(struct dump_entry **v, u32 *n, u32 *cap, struct dump_entry e)
{
	if (*n == *cap) {
		*cap = *cap ? 2 * *cap : 16;
		*v = realloc(*v, sizeof(**v) * *cap);
		if (!*v)
			abort();
	}
	(*v)[(*n)++] = e;
}

/* Reads one dump; on a malformed line records a failure and returns -1. */
static int load_dump(const char *path, struct dump *d)
{
	FILE *f = fopen(path, "r");
	char *line = NULL;
	size_t size = 0;
	unsigned lineno = 0;
	int rc = 0;

	if (!f) {
		t_fail("cannot open %s: %s", path, strerror(errno));
		return -1;
	}
	while (getline(&line, &size, f) >= 0) {
		char *save, *words[5];
		int nw = 0;

		lineno++;
		char *hash = strchr(line, '#');
		if (hash)
			*hash = 0;
		for (char *w = strtok_r(line, " \t\r\n", &save); w && nw < 5;
		     w = strtok_r(NULL, " \t\r\n", &save))
			words[nw++] = w;
		if (!nw)
			continue;

		struct dump_entry e = { 0, 0, 0 };
		if (nw == 4 && !strcmp(words[0], "e820") && !parse_u64_hex(words[1], &e.base) &&
		    !parse_u64_hex(words[2], &e.length) && !parse_u32_dec(words[3], &e.type)) {
			push(&d->in, &d->n_in, &d->cap_in, e);
			continue;
		}
		if (nw == 4 && !strcmp(words[0], "expect") && !parse_u64_hex(words[1], &e.base) &&
		    !parse_u64_hex(words[2], &e.length)) {
			size_t k;
			for (k = 0; k < N_TYPES; k++)
				if (!strcmp(words[3], type_names[k].name))
					break;
			if (k < N_TYPES) {
				e.type = type_names[k].type;
				push(&d->want, &d->n_want, &d->cap_want, e);
				continue;
			}
		}
		t_fail("line %u: not \"e820 <hex> <hex> <decimal>\" nor \"expect <hex> <hex> <type>\"",
		       lineno);
		rc = -1;
		break;
	}
	if (!rc && !d->n_in) {
		t_fail("no e820 line");
		rc = -1;
	}
	free(line);
	fclose(f);
	return rc;
}

/* ------------------------------------------------------------------------
 * Checks.
 */

static void compare(const struct dump *d, const struct bootinfo_map_entry *out, u32 count)
{
	u32 n = count > d->n_want ? count : d->n_want;

	for (u32 i = 0; i < n; i++) {
		const struct bootinfo_map_entry *g = i < count ? &out[i] : NULL;
		const struct dump_entry *w = i < d->n_want ? &d->want[i] : NULL;
		if (g && w && g->base == w->base && g->length == w->length && g->type == w->type)
			continue;
		if (!g)
			t_fail("entry %u missing (got %u entries, want %u): want %#llx+%#llx %s", i,
			       count, d->n_want, (unsigned long long)w->base,
			       (unsigned long long)w->length, type_name(w->type));
		else if (!w)
			t_fail("extra entry %u (got %u entries, want %u): got %#llx+%#llx %s", i,
			       count, d->n_want, (unsigned long long)g->base,
			       (unsigned long long)g->length, type_name(g->type));
		else
			t_fail("entry %u: got %#llx+%#llx %s, want %#llx+%#llx %s", i,
			       (unsigned long long)g->base, (unsigned long long)g->length,
			       type_name(g->type), (unsigned long long)w->base,
			       (unsigned long long)w->length, type_name(w->type));
		return; /* the first difference is the useful one */
	}
}

/* True when every byte of [a, b) lies in some usable input entry. */
static int covered_by_usable_input(const struct dump *d, u64 a, u64 b)
{
	u64 pos = a;
	while (pos < b) {
		u64 next = pos;
		for (u32 j = 0; j < d->n_in; j++) {
			const struct dump_entry *e = &d->in[j];
			if (e->length && e820_expected_type(e->type) == BOOTINFO_MEM_USABLE &&
			    e->base <= pos && pos < in_end(e) && in_end(e) > next)
				next = in_end(e);
		}
		if (next == pos)
			return 0;
		pos = next;
	}
	return 1;
}

static void check_invariants(const struct dump *d, const struct bootinfo_map_entry *out,
			     u32 count)
{
	for (u32 i = 0; i < count; i++) {
		const struct bootinfo_map_entry *e = &out[i];
		u64 end = e->base + e->length;

		if (!e->length)
			t_fail("invariant: entry %u is empty", i);
		if (end < e->base)
			t_fail("invariant: entry %u wraps past 2^64", i);
		if (!strcmp(type_name(e->type), "unknown"))
			t_fail("invariant: entry %u has unknown type %#x", i, e->type);
		if (i + 1 < count && end > out[i + 1].base)
			t_fail("invariant: entries %u and %u not sorted or overlapping (%#llx+%#llx, "
			       "%#llx)",
			       i, i + 1, (unsigned long long)e->base, (unsigned long long)e->length,
			       (unsigned long long)out[i + 1].base);
		if (e->type != BOOTINFO_MEM_USABLE)
			continue;
		if ((e->base | e->length) & (PAGE - 1))
			t_fail("invariant: usable entry %u %#llx+%#llx not whole 4 KiB pages", i,
			       (unsigned long long)e->base, (unsigned long long)e->length);
		for (u32 j = 0; j < d->n_in; j++) {
			const struct dump_entry *r = &d->in[j];
			if (!r->length || e820_expected_type(r->type) == BOOTINFO_MEM_USABLE)
				continue;
			if (r->base < end && e->base < in_end(r))
				t_fail("invariant: usable entry %u %#llx+%#llx overlaps input %u "
				       "(%#llx+%#llx, E820 type %u)",
				       i, (unsigned long long)e->base, (unsigned long long)e->length, j,
				       (unsigned long long)r->base, (unsigned long long)r->length,
				       r->type);
		}
		if (!covered_by_usable_input(d, e->base, end))
			t_fail("invariant: usable entry %u %#llx+%#llx not all usable in the input", i,
			       (unsigned long long)e->base, (unsigned long long)e->length);
	}
}

static void run_dump(const char *dir, const char *file)
{
	char path[2 * PATH_MAX + 2], name[NAME_MAX + 8];
	struct dump d = { 0 };
	size_t len = strlen(file) - strlen(DUMP_SUFFIX);

	snprintf(name, sizeof(name), "dump-%.*s", (int)len, file);
	t_begin(name);
	if ((size_t)snprintf(path, sizeof(path), "%s/%s", dir, file) >= sizeof(path))
		t_fail("path too long");
	else if (!load_dump(path, &d)) {
		u32 n = d.n_in, cap = 2 * n + 1, wraps = 0;
		struct mem_range *in = malloc(sizeof(*in) * n);
		struct change_point *points = malloc(sizeof(*points) * 2 * n);
		struct bootinfo_map_entry *tmp = malloc(sizeof(*tmp) * 2 * n);
		struct bootinfo_map_entry *out = malloc(sizeof(*out) * cap);
		struct sanitize_result res;

		if (!in || !points || !tmp || !out)
			abort();
		for (u32 i = 0; i < n; i++) {
			in[i] = (struct mem_range){ .base = d.in[i].base,
						    .length = d.in[i].length,
						    .rank = e820_type_rank(d.in[i].type) };
			wraps += d.in[i].length && d.in[i].base + d.in[i].length < d.in[i].base;
		}
		memset(out, 0xa5, sizeof(*out) * cap);
		struct sanitize_scratch scratch = { points, tmp };
		memmap_sanitize(in, n, &scratch, out, cap, 0, &res);

		compare(&d, out, res.count);
		if (res.coarsened)
			t_fail("coarsened %u times with room for %u entries", res.coarsened, cap);
		if (res.wrapped != wraps)
			t_fail("wrapped %u, want %u", res.wrapped, wraps);
		check_invariants(&d, out, res.count <= cap ? res.count : cap);
		free(in);
		free(points);
		free(tmp);
		free(out);
	}
	free(d.in);
	free(d.want);
	t_end();
}

/* ------------------------------------------------------------------------ */

static int find_dumps_dir(char *buf, size_t size)
{
	const char *env = getenv("TEST_DUMPS_DIR");
	char exe[PATH_MAX];

	if (env && *env)
		return (size_t)snprintf(buf, size, "%s", env) >= size ? -1 : 0;
	ssize_t n = readlink("/proc/self/exe", exe, sizeof(exe) - 1);
	if (n <= 0)
		return -1;
	exe[n] = 0;
	char *slash = strrchr(exe, '/');
	if (!slash)
		return -1;
	*slash = 0; /* .../build/tests */
	return (size_t)snprintf(buf, size, "%s/../../tests/host/dumps", exe) >= size ? -1 : 0;
}

static int by_name(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

int main(void)
{
	char dir[PATH_MAX];
	char **files = NULL;
	size_t n = 0, cap = 0;

	if (find_dumps_dir(dir, sizeof(dir))) {
		printf("FAIL dumps: cannot find the dumps folder (set TEST_DUMPS_DIR)\n");
		return 1;
	}
	DIR *dp = opendir(dir);
	if (!dp) {
		printf("FAIL dumps: cannot open %s: %s (set TEST_DUMPS_DIR)\n", dir, strerror(errno));
		return 1;
	}
	for (struct dirent *de; (de = readdir(dp));) {
		size_t len = strlen(de->d_name);
		if (len <= strlen(DUMP_SUFFIX) ||
		    strcmp(de->d_name + len - strlen(DUMP_SUFFIX), DUMP_SUFFIX))
			continue;
		if (n == cap) {
			cap = cap ? 2 * cap : 32;
			files = realloc(files, sizeof(*files) * cap);
			if (!files)
				abort();
		}
		files[n] = strdup(de->d_name);
		if (!files[n++])
			abort();
	}
	closedir(dp);

	if (!n) {
		printf("FAIL dumps: no *%s file in %s\n", DUMP_SUFFIX, dir);
		return 1;
	}
	qsort(files, n, sizeof(*files), by_name);
	for (size_t i = 0; i < n; i++) {
		run_dump(dir, files[i]);
		free(files[i]);
	}
	free(files);
	return t_exit_status();
}
