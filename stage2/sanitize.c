/*
 * Memory-map sanitizer; see sanitize.h for the rules.  All arithmetic is
 * unsigned 64-bit: signed compares of addresses broke GRUB legacy above
 * 2 GiB (savannah bug 3404).
 */
#include "sanitize.h"
#include "e820.h"

#define PAGE_MASK ((u64)SANITIZE_PAGE_SIZE - 1)
#define NO_RANK 0xffffffffu

u32 e820_type_rank(u32 t)
{
	switch (t) {
	case E820_TYPE_USABLE:
		return RANK_USABLE;
	case E820_TYPE_ACPI:
		return RANK_ACPI_RECLAIMABLE;
	case E820_TYPE_ACPI_NVS:
		return RANK_ACPI_NVS;
	case E820_TYPE_UNUSABLE:
		return RANK_BAD;
	case E820_TYPE_PERSISTENT:
		return RANK_PERSISTENT;
	default: /* 2, 6 and anything unknown (an AMI CSM returned 2954887168) */
		return RANK_RESERVED;
	}
}

static const u32 rank_types[RANK_COUNT] = {
	[RANK_USABLE] = BOOTINFO_MEM_USABLE,
	[RANK_LOADER] = BOOTINFO_MEM_LOADER,
	[RANK_KERNEL] = BOOTINFO_MEM_KERNEL,
	[RANK_MODULE] = BOOTINFO_MEM_MODULE,
	[RANK_ACPI_RECLAIMABLE] = BOOTINFO_MEM_ACPI_RECLAIMABLE,
	[RANK_PERSISTENT] = BOOTINFO_MEM_PERSISTENT,
	[RANK_ACPI_NVS] = BOOTINFO_MEM_ACPI_NVS,
	[RANK_RESERVED] = BOOTINFO_MEM_RESERVED,
	[RANK_BAD] = BOOTINFO_MEM_BAD,
};

u32 rank_to_type(u32 rank)
{
	return rank < RANK_COUNT ? rank_types[rank] : BOOTINFO_MEM_RESERVED;
}

u32 memtype_rank(u32 type)
{
	for (u32 r = 0; r < RANK_COUNT; r++)
		if (rank_types[r] == type)
			return r;
	return RANK_RESERVED;
}

const char *memtype_name(u32 type)
{
	switch (type) {
	case BOOTINFO_MEM_USABLE:
		return "usable";
	case BOOTINFO_MEM_RESERVED:
		return "reserved";
	case BOOTINFO_MEM_ACPI_RECLAIMABLE:
		return "acpi-reclaimable";
	case BOOTINFO_MEM_ACPI_NVS:
		return "acpi-nvs";
	case BOOTINFO_MEM_BAD:
		return "bad";
	case BOOTINFO_MEM_PERSISTENT:
		return "persistent";
	case BOOTINFO_MEM_LOADER:
		return "loader";
	case BOOTINFO_MEM_KERNEL:
		return "kernel";
	case BOOTINFO_MEM_MODULE:
		return "module";
	default:
		return "unknown";
	}
}

static int point_before(const struct change_point *a, const struct change_point *b)
{
	return a->pos < b->pos;
}

/* Heapsort: O(n log n) without recursion or extra memory (the real-mode
 * stack is 3 KiB). */
static void sift_down(struct change_point *p, u32 root, u32 n)
{
	for (;;) {
		u32 child = 2 * root + 1;
		if (child >= n)
			return;
		if (child + 1 < n && point_before(&p[child], &p[child + 1]))
			child++;
		if (!point_before(&p[root], &p[child]))
			return;
		struct change_point t = p[root];
		p[root] = p[child];
		p[child] = t;
		root = child;
	}
}

static void sort_points(struct change_point *p, u32 n)
{
	for (u32 i = n / 2; i-- > 0;)
		sift_down(p, i, n);
	for (u32 end = n; end-- > 1;) {
		struct change_point t = p[0];
		p[0] = p[end];
		p[end] = t;
		sift_down(p, 0, end);
	}
}

static u64 range_end(const struct bootinfo_map_entry *e)
{
	return e->base + e->length;
}

/* Drops empty entries and merges contiguous neighbours of equal rank. */
static u32 compact(struct bootinfo_map_entry *m, u32 n)
{
	u32 out = 0;

	for (u32 i = 0; i < n; i++) {
		if (!m[i].length)
			continue;
		if (out && m[out - 1].type == m[i].type && range_end(&m[out - 1]) == m[i].base) {
			m[out - 1].length += m[i].length;
			continue;
		}
		m[out++] = m[i];
	}
	return out;
}

/* Shrinks usable ranges to whole pages.  A trimmed fragment joins the
 * neighbour it touches (never usable after compact(), so always more
 * restrictive) or becomes a hole. */
static void align_usable(struct bootinfo_map_entry *m, u32 n)
{
	for (u32 i = 0; i < n; i++) {
		if (m[i].type != RANK_USABLE)
			continue;
		u64 start = m[i].base, end = range_end(&m[i]);
		u64 astart = (start + PAGE_MASK) & ~PAGE_MASK;
		u64 aend = end & ~PAGE_MASK;
		if (astart < start) /* rounding up wrapped: nothing whole is left */
			astart = end;
		if (aend <= astart) /* no whole page: all of it to one neighbour */
			aend = astart = i > 0 && range_end(&m[i - 1]) == start ? end : start;
		if (astart != start && i > 0 && range_end(&m[i - 1]) == start)
			m[i - 1].length += astart - start;
		if (aend != end && i + 1 < n && m[i + 1].base == end) {
			m[i + 1].base = aend;
			m[i + 1].length += end - aend;
		}
		m[i].base = astart;
		m[i].length = aend - astart;
	}
}

static u64 usable_bytes(const struct bootinfo_map_entry *e)
{
	return e->type == RANK_USABLE ? e->length : 0;
}

/* Merges neighbours until n <= cap.  Merging i and i+1 gives one range of
 * the more restrictive rank, reserved at least when a hole lies between
 * (a hole must never become usable); the pair that loses the fewest usable
 * bytes goes first, the shortest span breaking ties. */
static u32 coarsen(struct bootinfo_map_entry *m, u32 n, u32 cap, u32 *merges)
{
	while (n > cap && n > 1) {
		u32 best = 0;
		u64 best_loss = ~(u64)0, best_span = ~(u64)0;
		for (u32 i = 0; i + 1 < n; i++) {
			u32 rank = m[i].type > m[i + 1].type ? m[i].type : m[i + 1].type;
			if (range_end(&m[i]) != m[i + 1].base && rank < RANK_RESERVED)
				rank = RANK_RESERVED;
			u64 loss = rank == RANK_USABLE ? 0 : usable_bytes(&m[i]) + usable_bytes(&m[i + 1]);
			u64 span = range_end(&m[i + 1]) - m[i].base;
			if (loss < best_loss || (loss == best_loss && span < best_span)) {
				best = i;
				best_loss = loss;
				best_span = span;
			}
		}
		u32 rank = m[best].type > m[best + 1].type ? m[best].type : m[best + 1].type;
		if (range_end(&m[best]) != m[best + 1].base && rank < RANK_RESERVED)
			rank = RANK_RESERVED;
		m[best].type = rank;
		m[best].length = range_end(&m[best + 1]) - m[best].base;
		for (u32 i = best + 1; i + 1 < n; i++)
			m[i] = m[i + 1];
		n--;
		(*merges)++;
		n = compact(m, n);
	}
	return n;
}

void memmap_sanitize(const struct mem_range *in, u32 n, struct sanitize_scratch *scratch,
		     struct bootinfo_map_entry *out, u32 out_cap, u32 flags,
		     struct sanitize_result *res)
{
	struct change_point *pts = scratch->points;
	struct bootinfo_map_entry *tmp = scratch->tmp;
	u32 npts = 0, ntmp = 0;
	u32 active[RANK_COUNT] = { 0 };

	res->count = res->wrapped = res->coarsened = 0;

	for (u32 i = 0; i < n; i++) {
		u64 base = in[i].base, end = base + in[i].length;
		if (!in[i].length)
			continue;
		if (end < base) { /* wrapped past 2^64: the last byte is lost */
			end = ~(u64)0;
			res->wrapped++;
			if (end == base)
				continue;
		}
		u32 rank = in[i].rank < RANK_COUNT ? in[i].rank : RANK_RESERVED;
		pts[npts++] = (struct change_point){ .pos = base, .rank = rank, .delta = 1 };
		pts[npts++] = (struct change_point){ .pos = end, .rank = rank, .delta = -1 };
	}
	sort_points(pts, npts);

	u32 cur = NO_RANK;
	u64 cur_start = 0;
	for (u32 i = 0; i < npts;) {
		u64 pos = pts[i].pos;
		for (; i < npts && pts[i].pos == pos; i++)
			active[pts[i].rank] += (u32)pts[i].delta;
		u32 now = NO_RANK;
		for (u32 r = RANK_COUNT; r-- > 0;) {
			if (active[r]) {
				now = r;
				break;
			}
		}
		if (now == cur)
			continue;
		if (cur != NO_RANK)
			tmp[ntmp++] = (struct bootinfo_map_entry){
				.base = cur_start, .length = pos - cur_start, .type = cur };
		cur = now;
		cur_start = pos;
	}

	if (!(flags & SANITIZE_RESOLVE_ONLY)) {
		align_usable(tmp, ntmp);
		ntmp = compact(tmp, ntmp);
	}
	ntmp = coarsen(tmp, ntmp, out_cap, &res->coarsened);

	for (u32 i = 0; i < ntmp; i++) {
		out[i] = tmp[i];
		out[i].type = rank_to_type(tmp[i].type);
		out[i].pad = 0;
	}
	res->count = ntmp;
}
