/*
 * libFuzzer harness for the sanitizer (stage2/sanitize.c).  Each input is a
 * list of ranges (base, length, rank) plus an output capacity; every run
 * checks the invariants a kernel relies on:
 *   - output sorted, non-overlapping, no empty entries, count <= capacity,
 *     adjacent equal types merged, usable entries whole 4 KiB pages;
 *   - no byte is usable in the output that any input marked non-usable;
 *   - unless the output had to be coarsened to fit, every byte that only
 *     usable inputs cover stays usable, except in partial 4 KiB pages.
 * ASan and UBSan catch the rest.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "sanitize.h"

#define MAX_IN 64
#define PAGE 4096ull

struct iv {
	uint64_t s, e; /* [s, e), e == 0 never used: clipped ends are UINT64_MAX */
};

static uint64_t rd64(const uint8_t *p)
{
	uint64_t v;
	memcpy(&v, p, 8);
	return v;
}

/* Pulls a value toward interesting places: page edges, 4 GiB, 2^64. */
static uint64_t shape(uint64_t v, uint8_t how)
{
	switch (how & 7) {
	case 0: return v & 0xfffff;              /* low memory, byte granular */
	case 1: return (v & 0xffff) << 12;       /* page aligned, < 256 MiB */
	case 2: return 0x100000000ull + (v & 0xffffffff);
	case 3: return ~0ull - (v & 0xffff);     /* near the top: wraps */
	case 4: return (v & 0xff) * 0x40000000ull;
	default: return v;
	}
}

static void die(const char *what)
{
	(void)what;
	__builtin_trap();
}

static uint64_t end_of(uint64_t b, uint64_t l)
{
	uint64_t e = b + l;
	return e < b ? ~0ull : e;
}

/* Does [s, e) lie inside the union of the given intervals? */
static int covered(uint64_t s, uint64_t e, const struct iv *v, size_t n)
{
	while (s < e) {
		size_t i;
		for (i = 0; i < n; i++)
			if (v[i].s <= s && s < v[i].e)
				break;
		if (i == n)
			return 0;
		s = v[i].e;
	}
	return 1;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct mem_range in[MAX_IN];
	static struct change_point pts[2 * MAX_IN];
	static struct bootinfo_map_entry tmp[2 * MAX_IN], out[2 * MAX_IN];
	struct sanitize_scratch scratch = { pts, tmp };
	struct sanitize_result res;
	uint32_t n = 0, cap, flags;

	if (size < 2)
		return 0;
	cap = 1 + data[0] % (2 * MAX_IN);
	flags = data[1] & 1 ? SANITIZE_RESOLVE_ONLY : 0;
	data += 2;
	size -= 2;
	while (size >= 17 && n < MAX_IN) {
		in[n].base = shape(rd64(data), data[16] >> 3);
		in[n].length = shape(rd64(data + 8), data[16] >> 5) & (data[16] & 0x80 ? ~0ull : 0xffffffffffull);
		in[n].rank = data[16] % (RANK_COUNT + 1); /* one out-of-range rank */
		in[n].pad = 0;
		n++;
		data += 17;
		size -= 17;
	}

	memmap_sanitize(in, n, &scratch, out, cap, flags, &res);

	if (res.count > cap)
		die("over capacity");
	for (uint32_t i = 0; i < res.count; i++) {
		const struct bootinfo_map_entry *o = &out[i];
		if (!o->length)
			die("empty entry");
		if (o->base + o->length < o->base && o->base + o->length != 0)
			die("entry wraps");
		if (i) {
			const struct bootinfo_map_entry *p = &out[i - 1];
			uint64_t pe = p->base + p->length;
			if (pe > o->base || pe < p->base)
				die("unsorted or overlapping");
			if (pe == o->base && p->type == o->type)
				die("not merged");
		}
		if (o->type == BOOTINFO_MEM_USABLE && !flags && (o->base % PAGE || o->length % PAGE))
			die("usable not page aligned");
	}

	/* No usable byte where an input says otherwise. */
	for (uint32_t i = 0; i < res.count; i++) {
		if (out[i].type != BOOTINFO_MEM_USABLE)
			continue;
		uint64_t s = out[i].base, e = end_of(out[i].base, out[i].length);
		for (uint32_t j = 0; j < n; j++) {
			if (!in[j].length || in[j].rank == RANK_USABLE)
				continue;
			uint64_t js = in[j].base, je = end_of(in[j].base, in[j].length);
			if (s < je && js < e)
				die("usable over a non-usable input");
		}
	}

	/* Bytes only usable inputs cover stay usable (page edges aside). */
	if (!res.coarsened) {
		static struct iv usable_out[2 * MAX_IN];
		size_t nu = 0;
		for (uint32_t i = 0; i < res.count; i++)
			if (out[i].type == BOOTINFO_MEM_USABLE)
				usable_out[nu++] = (struct iv){ out[i].base, end_of(out[i].base, out[i].length) };
		for (uint32_t j = 0; j < n; j++) {
			if (!in[j].length || in[j].rank != RANK_USABLE)
				continue;
			/* Walk the input's pages; check those no non-usable input touches. */
			uint64_t s = in[j].base, e = end_of(in[j].base, in[j].length);
			uint64_t ps = (s + PAGE - 1) & ~(PAGE - 1);
			if (ps < s)
				continue;
			int steps = 0;
			for (uint64_t p = ps; p < e && e - p >= PAGE && steps < 4096; p += PAGE, steps++) {
				int clean = 1;
				for (uint32_t k = 0; k < n && clean; k++) {
					if (!in[k].length || in[k].rank == RANK_USABLE)
						continue;
					uint64_t ks = in[k].base, ke = end_of(in[k].base, in[k].length);
					clean = !(p < ke && ks < p + PAGE);
				}
				if (clean && p + PAGE != 0 && !covered(p, p + PAGE, usable_out, nu))
					die("usable page lost");
				if (p + PAGE < p)
					break;
			}
		}
	}
	return 0;
}
