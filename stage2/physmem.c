/*
 * Physical memory while stage2 loads a kernel; see physmem.h.
 */
#include "physmem.h"
#include "console.h"
#include "io.h"
#include "layout.h"
#include "sanitize.h"

#define CARVE_MAX 3 /* the IVT/BDA, the EBDA to 1 MiB, the loader's low area */
#define RANGES_CAP (MEMDETECT_RANGES_MAX + CARVE_MAX + PHYSMEM_CLAIMS_MAX)

/* The work areas live in the loader's heap (static data is scarce below
 * 64 KiB): the firmware's ranges followed by room for the carve-outs and
 * claims, the sanitizer's scratch, the base map and the claims. */
static struct memdetect *md;
static struct mem_range *ranges;
static struct change_point *points;
static struct bootinfo_map_entry *tmp;
/* The firmware's map with the fixed carve-outs: where claims may go. */
static struct bootinfo_map_entry *base_map;
static u32 base_count;
static struct claim *claims;
static u32 nclaims;

static int overlaps(u64 a, u64 a_end, u64 b, u64 b_end)
{
	return a < b_end && b < a_end;
}

/* Sanitizes the firmware ranges (md->ranges[0..nranges)) with the fixed
 * carve-outs and, for the own protocol's map, the loader's low area and the
 * claims.  The firmware ranges stay untouched after them. */
static u32 build(struct bootinfo_map_entry *out, u32 cap, int claims_too, struct bootinfo *bi)
{
	struct sanitize_scratch scratch = { points, tmp };
	struct sanitize_result res;
	u32 n = md->nranges;

	ranges[n++] = (struct mem_range){ 0, IVT_BDA_END, RANK_RESERVED, 0 };
	ranges[n++] = (struct mem_range){ md->conv_top, MIB_1 - md->conv_top, RANK_RESERVED, 0 };
	if (claims_too)
		ranges[n++] = (struct mem_range){ LOADER_LOW_BASE, LOADER_LOW_END - LOADER_LOW_BASE,
						  RANK_LOADER, 0 };
	for (u32 i = 0; i < nclaims; i++) {
		static const u8 kind_rank[] = { [CLAIM_LOADER] = RANK_LOADER,
						[CLAIM_KERNEL] = RANK_KERNEL,
						[CLAIM_MODULE] = RANK_MODULE,
						[CLAIM_RESERVED] = RANK_RESERVED };
		u32 kind = claims[i].kind;
		if (kind == CLAIM_RESERVED || (claims_too && kind != CLAIM_TEMP))
			ranges[n++] = (struct mem_range){ claims[i].base, claims[i].length,
							  kind_rank[kind], 0 };
	}
	memmap_sanitize(ranges, n, &scratch, out, cap, 0, &res);
	if (res.wrapped)
		bi->quirks.flags |= QUIRK_WRAP_CLIPPED;
	if (res.coarsened)
		bi->quirks.flags |= QUIRK_MAP_COARSENED;
	return res.count;
}

static void record_overlaps(struct bootinfo *bi)
{
	struct bootinfo_quirks *q = &bi->quirks;

	for (u32 i = 0; i < md->nranges; i++) {
		const struct mem_range *a = &ranges[i];
		if (i && a->base < ranges[i - 1].base)
			q->flags |= QUIRK_UNSORTED;
		for (u32 j = i + 1; j < md->nranges; j++) {
			const struct mem_range *b = &ranges[j];
			u64 ae = a->base + a->length, be = b->base + b->length;
			if (ae < a->base)
				ae = ~0ull;
			if (be < b->base)
				be = ~0ull;
			if (overlaps(a->base, ae, b->base, be)) {
				q->flags |= QUIRK_OVERLAP;
				q->overlaps++;
			}
		}
	}
}

void physmem_init(struct memdetect *m, struct bootinfo *bi)
{
	static const char *const source_names[] = { "none", "e820", "e801", "88" };
	struct bootinfo_map_entry *fold = heap_alloc(sizeof(*fold) * (MEMDETECT_RANGES_MAX / 2));

	ranges = heap_alloc(sizeof(*ranges) * RANGES_CAP);
	points = heap_alloc(sizeof(*points) * 2 * RANGES_CAP);
	tmp = heap_alloc(sizeof(*tmp) * 2 * RANGES_CAP);
	base_map = heap_alloc(sizeof(*base_map) * BOOTINFO_MAP_MAX);
	claims = heap_alloc(sizeof(*claims) * PHYSMEM_CLAIMS_MAX);
	md = m;
	*md = (struct memdetect){ .bi = bi, .ranges = ranges, .scratch = { points, tmp },
				  .fold = fold };
	int source = detect_memory(md);
	if (!md->conv_top)
		die("conventional memory size unknown: INT 12h (%u KiB) and 40:13 (%u KiB) "
		    "are out of range",
		    bi->quirks.int12_kib, bi->quirks.bda_kib);
	if (md->conv_top < LOADER_LOW_END)
		die("only %u KiB of conventional memory; the loader needs %u KiB",
		    md->conv_top / 1024, LOADER_LOW_END / 1024);
	if (!source)
		die("no memory map: INT 15h E820, E801 and 88h all failed");
	record_overlaps(bi);
	/* With no claims yet: the firmware's map and the fixed carve-outs,
	 * the loader's low area included (no place for claims either). */
	nclaims = 0;
	base_count = build(base_map, BOOTINFO_MAP_MAX, 1, bi);
	print("stage2: memory map from %s: %u firmware entries, conventional %u KiB\n",
	      source_names[source], bi->raw_count, bi->conv_mem_kib);
}

/* The usable base-map entry holding all of [b, e), or NULL. */
static const struct bootinfo_map_entry *usable_entry(u64 b, u64 e)
{
	for (u32 i = 0; i < base_count; i++) {
		const struct bootinfo_map_entry *m = &base_map[i];
		if (m->type == BOOTINFO_MEM_USABLE && m->base <= b && e - m->base <= m->length)
			return m;
	}
	return 0;
}

static const struct claim *claim_overlapping(u64 b, u64 e)
{
	for (u32 i = 0; i < nclaims; i++)
		if (overlaps(b, e, claims[i].base, claims[i].base + claims[i].length))
			return &claims[i];
	return 0;
}

static void add_claim(u64 base, u64 length, u32 kind, const char *what)
{
	if (nclaims == PHYSMEM_CLAIMS_MAX)
		die("internal: more than %u memory claims", PHYSMEM_CLAIMS_MAX);
	claims[nclaims++] = (struct claim){ base, length, kind, what };
}

/* need_ram: the range must lie in usable RAM (not so for a device). */
static const char *check(u64 base, u64 length, int need_ram)
{
	u64 end = base + length;
	const struct claim *c;

	static char msg[64];

	if (end < base)
		return "wraps around the end of the address space";
	if (overlaps(base, end, 0, IVT_BDA_END))
		return "overlaps the IVT and BIOS data area";
	if (overlaps(base, end, LOADER_LOW_BASE, LOADER_LOW_END))
		return "overlaps the loader";
	if (overlaps(base, end, md->conv_top, MIB_1))
		return "overlaps the EBDA and BIOS area below 1 MiB";
	if ((c = claim_overlapping(base, end))) {
		format_string(msg, sizeof(msg), "overlaps %s", c->what);
		return msg;
	}
	if (need_ram && !usable_entry(base, end))
		return "is not in usable RAM (more than this machine has, or in a hole)";
	return 0;
}

const char *physmem_check(u64 base, u64 length)
{
	return check(base, length, 1);
}

const char *physmem_reserve(u64 base, u64 length, const char *what)
{
	const char *err = check(base, length, 0);

	if (!err)
		add_claim(base, length, CLAIM_RESERVED, what);
	return err;
}

const char *physmem_claim(u64 base, u64 length, u32 kind, const char *what)
{
	const char *err = physmem_check(base, length);

	if (!err)
		add_claim(base, length, kind, what);
	return err;
}

u64 physmem_alloc(u64 length, u64 align, u64 min, u64 max, int top_down, u32 kind,
		  const char *what)
{
	u64 mask = align - 1;

	if (!length)
		length = 1;
	for (u32 k = 0; k < base_count; k++) {
		/* Bottom-up walks the map forwards, top-down backwards. */
		const struct bootinfo_map_entry *m = &base_map[top_down ? base_count - 1 - k : k];
		if (m->type != BOOTINFO_MEM_USABLE)
			continue;
		u64 lo = m->base > min ? m->base : min;
		u64 hi = m->base + m->length < max ? m->base + m->length : max;
		if (lo >= hi || hi - lo < length)
			continue;
		u64 at = top_down ? (hi - length) & ~mask : (lo + mask) & ~mask;
		const struct claim *c;
		while (at >= lo && at + length <= hi && at + length > at) {
			if (!(c = claim_overlapping(at, at + length))) {
				add_claim(at, length, kind, what);
				return at;
			}
			if (top_down) {
				if (c->base < length)
					break;
				at = (c->base - length) & ~mask;
			} else {
				at = (c->base + c->length + mask) & ~mask;
			}
		}
	}
	return 0;
}

void physmem_release_temp(void)
{
	u32 n = 0;

	for (u32 i = 0; i < nclaims; i++)
		if (claims[i].kind != CLAIM_TEMP)
			claims[n++] = claims[i];
	nclaims = n;
}

const struct claim *physmem_claims(u32 *count)
{
	*count = nclaims;
	return claims;
}

u64 physmem_usable_top(u64 limit)
{
	u64 top = 0;

	for (u32 i = 0; i < base_count; i++) {
		const struct bootinfo_map_entry *m = &base_map[i];
		u64 end = m->base + m->length;
		if (m->type != BOOTINFO_MEM_USABLE || m->base >= limit)
			continue;
		top = end < limit ? end : limit;
	}
	return top;
}

void *heap_alloc(u32 size)
{
	static u32 next = LOADER_HEAP_BASE;
	u32 at = next;

	if (size > LOADER_HEAP_END - at)
		die("internal: the loader's heap is full (%u bytes asked, %u left)", size,
		    LOADER_HEAP_END - at);
	next = (at + size + 15) & ~15u;
	return phys(at);
}

u32 physmem_map(struct bootinfo_map_entry *out, u32 cap, int which, struct bootinfo *bi)
{
	return build(out, cap, which == PHYSMEM_MAP_CLAIMS, bi);
}
