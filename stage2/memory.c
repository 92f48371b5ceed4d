/*
 * Memory detection: INT 15h E820, E801, 88h and INT 12h with the BDA.
 * Every rule below answers a real BIOS behaviour from ../shared/quirks.md.
 */
#include "memory.h"
#include "bios.h"
#include "e820.h"
#include "layout.h"

#define KIB 1024u
#define MIB_1 0x100000u
#define MIB_16 0x1000000u

static void add_raw(struct memdetect *md, u64 base, u64 length, u32 type, u32 attr, u32 size)
{
	struct bootinfo *bi = md->bi;

	if (bi->raw_count >= BOOTINFO_RAW_MAX) {
		bi->quirks.flags |= QUIRK_RAW_OVERFLOW;
		bi->quirks.raw_overflow++;
		return;
	}
	bi->raw[bi->raw_count++] = (struct bootinfo_raw_entry){
		.base = base, .length = length, .type = type, .attr = attr, .size = size };
}

/* Folds the ranges gathered so far into their exact resolved form, which
 * combines with later entries exactly as the originals would have.  Whether
 * entries with the ACPI 3.0 valid bit clear count is only known when the
 * walk ends, so they fold apart from the others and keep their mark. */
static void fold_ranges(struct memdetect *md)
{
	struct sanitize_result res;
	u32 nvalid = 0, nclear, coarsened;

	for (u32 i = 0; i < md->nranges; i++) {
		if (md->ranges[i].pad != RANGE_ATTR_CLEAR) {
			struct mem_range t = md->ranges[nvalid];
			md->ranges[nvalid++] = md->ranges[i];
			md->ranges[i] = t;
		}
	}
	memmap_sanitize(md->ranges + nvalid, md->nranges - nvalid, &md->scratch, md->fold,
			MEMDETECT_RANGES_MAX / 4, SANITIZE_RESOLVE_ONLY, &res);
	nclear = res.count;
	coarsened = res.coarsened;
	memmap_sanitize(md->ranges, nvalid, &md->scratch, md->fold + nclear,
			MEMDETECT_RANGES_MAX / 2 - nclear, SANITIZE_RESOLVE_ONLY, &res);
	coarsened += res.coarsened;
	md->nranges = nclear + res.count;
	for (u32 i = 0; i < md->nranges; i++)
		md->ranges[i] = (struct mem_range){ .base = md->fold[i].base,
						    .length = md->fold[i].length,
						    .rank = memtype_rank(md->fold[i].type),
						    .pad = i < nclear ? RANGE_ATTR_CLEAR : 0 };
	if (coarsened)
		md->bi->quirks.flags |= QUIRK_MAP_COARSENED;
}

static void add_range(struct memdetect *md, u64 base, u64 length, u32 rank, u32 mark)
{
	if (md->nranges == MEMDETECT_RANGES_MAX)
		fold_ranges(md);
	md->ranges[md->nranges++] = (struct mem_range){
		.base = base, .length = length, .rank = rank, .pad = mark };
}

static u32 sane_kib(u32 kib)
{
	return kib >= CONV_MEM_MIN_KIB && kib <= CONV_MEM_MAX_KIB ? kib * KIB : 0;
}

static u32 min_nonzero(u32 a, u32 b)
{
	return !a ? b : !b ? a : a < b ? a : b;
}

int detect_memory_int12(struct memdetect *md)
{
	struct bootinfo_quirks *q = &md->bi->quirks;
	struct biosregs r;
	u32 int12, bda, ebda, top;

	initregs(&r);
	intcall(0x12, &r, &r);
	/* INT 12h has no error convention: only the range says it worked.
	 * Never hard-code 640 KiB: an AMI BIOS reported 447 KiB for real. */
	q->int12_kib = r.ax;
	q->bda_kib = bda_read16(BDA_BASE_MEM_KIB);
	int12 = sane_kib(q->int12_kib);
	bda = sane_kib(q->bda_kib);
	if (!int12)
		q->flags |= QUIRK_INT12_BAD;
	/* The EBDA (at most 128 KiB, right below 640 KiB, used by SMM after
	 * boot) and everything above it stay untouched and reserved. */
	ebda = (u32)bda_read16(BDA_EBDA_SEG) << 4;
	if (ebda < CONV_MEM_MIN_KIB * KIB || ebda >= CONV_MEM_MAX_KIB * KIB)
		ebda = 0;
	md->bi->ebda_base = ebda;

	top = min_nonzero(min_nonzero(int12, bda), ebda);
	if ((int12 && int12 != top) || (bda && bda != top) || (ebda && ebda != top))
		q->flags |= QUIRK_CONV_MISMATCH;
	if (!top)
		return -1;
	md->conv_top = top;
	md->bi->conv_mem_kib = top / KIB;
	return 0;
}

/* One buffer for every call, both walks: some BIOSes only rewrite the
 * fields that changed and expect the same buffer back. */
static struct e820_entry e820_buf;

/* One E820 call.  Returns the E820_END_* reason the walk must stop for
 * (treating the call as a later one), or 0 with an entry in e820_buf. */
static u32 e820_call(u32 cont, struct biosregs *out)
{
	struct biosregs in;

	initregs(&in);
	in.eax = E820_FUNC;
	in.edx = E820_SMAP;
	in.ecx = sizeof(e820_buf);
	in.ebx = cont;
	set_es_di(&in, &e820_buf);
	e820_buf.attr = E820_ATTR_VALID; /* what a 20-byte answer leaves */
	intcall(0x15, &in, out);
	/* CF first: some BIOSes end the walk with CF set and no SMAP instead
	 * of EBX = 0; that answer holds no entry. */
	if (out->eflags & X86_EFLAGS_CF)
		return E820_END_CF;
	if (out->eax != E820_SMAP)
		return E820_END_NO_SMAP;
	if (out->ecx < E820_ENTRY_SIZE_ACPI1)
		return E820_END_BAD_SIZE;
	return 0;
}

int detect_memory_e820(struct memdetect *md)
{
	struct bootinfo *bi = md->bi;
	struct bootinfo_quirks *q = &bi->quirks;
	struct biosregs out;
	u32 cont = 0, clear_count = 0;

	q->e820_end = E820_END_NONE;
	for (u32 call = 0;; call++) {
		if (call == E820_MAX_CALLS) {
			q->e820_end = E820_END_BOUND;
			break;
		}
		u32 stop = e820_call(cont, &out);
		q->e820_calls++;
		if (stop) {
			q->e820_end = call ? stop : E820_END_NONE;
			break;
		}
		u32 size = out.ecx > E820_ENTRY_SIZE_ACPI3 ? E820_ENTRY_SIZE_ACPI3 : out.ecx;
		u32 attr = size >= E820_ENTRY_SIZE_ACPI3 ? e820_buf.attr : E820_ATTR_VALID;
		if (size < E820_ENTRY_SIZE_ACPI3)
			q->flags |= QUIRK_E820_SHORT_ENTRIES;
		q->e820_entries++;
		add_raw(md, e820_buf.base, e820_buf.length, e820_buf.type, attr, out.ecx);

		if (!e820_buf.length) {
			q->flags |= QUIRK_ZERO_LENGTH;
			q->dropped_zero++;
		} else {
			u32 clear = size >= E820_ENTRY_SIZE_ACPI3 && !(attr & E820_ATTR_VALID);
			if (clear)
				clear_count++;
			else if (size >= E820_ENTRY_SIZE_ACPI3)
				md->attr_valid_seen = 1;
			u32 rank = e820_type_rank(e820_buf.type);
			if (rank == RANK_RESERVED && e820_buf.type != E820_TYPE_RESERVED &&
			    e820_buf.type != E820_TYPE_DISABLED) {
				q->flags |= QUIRK_UNKNOWN_TYPE;
				q->unknown_types++;
			}
			add_range(md, e820_buf.base, e820_buf.length, rank, clear ? RANGE_ATTR_CLEAR : 0);
		}

		cont = out.ebx;
		if (!cont) {
			q->e820_end = E820_END_EBX_ZERO;
			break;
		}
	}
	if (q->e820_end == E820_END_NONE)
		return -1;
	/* A one-entry answer (EBX = 0 after the first call) is not a memory
	 * map; like Linux, fall back to E801 rather than trust it. */
	if (q->e820_entries < 2) {
		if (q->e820_entries == 1)
			q->flags |= QUIRK_E820_ONE_ENTRY;
		return -1;
	}

	/* The ACPI 3.0 valid bit: some BIOSes clear it on every entry, so it
	 * is honoured only when at least one entry sets it. */
	if (clear_count && !md->attr_valid_seen) {
		q->flags |= QUIRK_E820_ATTR_ALL_CLEAR;
	} else if (clear_count) {
		u32 kept = 0;
		for (u32 i = 0; i < md->nranges; i++)
			if (md->ranges[i].pad != RANGE_ATTR_CLEAR)
				md->ranges[kept++] = md->ranges[i];
		md->nranges = kept;
		q->dropped_attr = clear_count; /* entries, however folded */
		q->flags |= QUIRK_E820_ATTR_HONOURED;
	}
	return 0;
}

/* Walks E820 a second time and compares it with the raw table: a BIOS whose
 * answers change between walks (or depend on state the first walk left)
 * deserves a flag a kernel can see. */
static void recheck_e820(struct memdetect *md)
{
	struct bootinfo *bi = md->bi;
	struct bootinfo_quirks *q = &bi->quirks;
	struct biosregs out;
	u32 cont = 0, n = 0;

	for (u32 call = 0; call < E820_MAX_CALLS; call++) {
		q->e820_recheck_calls++;
		if (e820_call(cont, &out))
			break;
		if (n < bi->raw_count) {
			const struct bootinfo_raw_entry *r = &bi->raw[n];
			u32 size = out.ecx > E820_ENTRY_SIZE_ACPI3 ? E820_ENTRY_SIZE_ACPI3 : out.ecx;
			u32 attr = size >= E820_ENTRY_SIZE_ACPI3 ? e820_buf.attr : E820_ATTR_VALID;
			if (r->base != e820_buf.base || r->length != e820_buf.length ||
			    r->type != e820_buf.type || r->attr != attr || r->size != out.ecx)
				q->e820_recheck_diff++;
		}
		n++;
		cont = out.ebx;
		if (!cont)
			break;
	}
	if (n != q->e820_entries)
		q->e820_recheck_diff++;
	if (q->e820_recheck_diff)
		q->flags |= QUIRK_E820_UNSTABLE;
}

/* The classic PC layout below 1 MiB for the synthesized maps: conventional
 * memory usable, the rest up to 1 MiB reserved (EBDA, VGA, option ROMs,
 * BIOS). */
static void synthesize_low(struct memdetect *md)
{
	add_raw(md, 0, md->conv_top, E820_TYPE_USABLE, E820_ATTR_VALID, 0);
	add_range(md, 0, md->conv_top, RANK_USABLE, 0);
	add_raw(md, md->conv_top, MIB_1 - md->conv_top, E820_TYPE_RESERVED, E820_ATTR_VALID, 0);
	add_range(md, md->conv_top, MIB_1 - md->conv_top, RANK_RESERVED, 0);
}

static void synthesize_usable(struct memdetect *md, u64 base, u64 length)
{
	if (!length)
		return;
	add_raw(md, base, length, E820_TYPE_USABLE, E820_ATTR_VALID, 0);
	add_range(md, base, length, RANK_USABLE, 0);
}

/* Asks E801 and records the answer.  Returns 0 with the sizes, -1 when the
 * BIOS does not answer or answers nonsense. */
static int query_e801(struct memdetect *md, u32 *low, u32 *high)
{
	struct bootinfo_quirks *q = &md->bi->quirks;
	struct biosregs in, out;

	initregs(&in);
	in.ax = E801_FUNC;
	intcall(0x15, &in, &out);
	if (out.eflags & X86_EFLAGS_CF)
		return -1;
	/* Some BIOSes answer in CX/DX ("configured"), others in AX/BX
	 * ("extended"), leaving the other pair zero. */
	if (out.cx || out.dx) {
		*low = out.cx;
		*high = out.dx;
		q->flags |= QUIRK_E801_CXDX;
	} else {
		*low = out.ax;
		*high = out.bx;
	}
	q->e801_low_kib = *low;
	q->e801_high_64k = *high;
	/* 1..16 MiB cannot hold more than 15 MiB: a larger answer is junk. */
	if (*low > E801_LOW_MAX_KIB) {
		q->flags |= QUIRK_E801_BOGUS;
		return -1;
	}
	return 0;
}

int detect_memory_e801(struct memdetect *md)
{
	u32 low, high;

	if (query_e801(md, &low, &high) || (!low && !high))
		return -1;
	synthesize_low(md);
	synthesize_usable(md, MIB_1, (u64)low * KIB);
	/* Memory above 16 MiB is only contiguous with the low part when no
	 * ISA hole is left at 15-16 MiB; E801's split says which. */
	synthesize_usable(md, MIB_16, (u64)high * E801_HIGH_BLOCK);
	return 0;
}

int detect_memory_88(struct memdetect *md)
{
	struct bootinfo_quirks *q = &md->bi->quirks;
	struct biosregs in, out;

	initregs(&in);
	in.ah = INT15_88H;
	intcall(0x15, &in, &out);
	/* The size is in AX (SYSLINUX once read CX here by mistake). */
	if (out.eflags & X86_EFLAGS_CF)
		return -1;
	q->ext88_kib = out.ax;
	synthesize_low(md);
	synthesize_usable(md, MIB_1, (u64)out.ax * KIB);
	return 0;
}

/* Bytes of usable RAM running contiguously from `from`, up to `limit`, in
 * E820's own resolved view (no carve-outs, no page alignment). */
static u64 usable_run(const struct bootinfo_map_entry *m, u32 n, u64 from, u64 limit)
{
	u64 at = from;

	for (u32 i = 0; i < n && at < limit; i++)
		if (m[i].type == BOOTINFO_MEM_USABLE && m[i].base <= at &&
		    at - m[i].base < m[i].length)
			at = m[i].base + m[i].length;
	return (at < limit ? at : limit) - from;
}

/* E820 against the older interfaces: INT 12h for conventional memory, E801
 * for extended memory.  Disagreement is legal (Bochs' BIOS says 639 KiB in
 * INT 12h and 636 KiB in E820) but worth a flag. */
static void cross_check(struct memdetect *md)
{
	struct bootinfo_quirks *q = &md->bi->quirks;
	struct sanitize_result res;
	u32 low, high;

	memmap_sanitize(md->ranges, md->nranges, &md->scratch, md->fold, MEMDETECT_RANGES_MAX / 2,
			SANITIZE_RESOLVE_ONLY, &res);
	q->e820_conv_kib = (u32)(usable_run(md->fold, res.count, 0, CONV_MEM_MAX_KIB * KIB) / KIB);
	q->e820_ext_low_kib = (u32)(usable_run(md->fold, res.count, MIB_1, MIB_16) / KIB);
	q->e820_ext_high_64k =
		(u32)(usable_run(md->fold, res.count, MIB_16, 0x100000000ull) / E801_HIGH_BLOCK);
	if (!(q->flags & QUIRK_INT12_BAD) && q->int12_kib != q->e820_conv_kib)
		q->flags |= QUIRK_E820_INT12_MISMATCH;
	if (!query_e801(md, &low, &high) &&
	    (low != q->e820_ext_low_kib || high != q->e820_ext_high_64k))
		q->flags |= QUIRK_E820_E801_MISMATCH;
}

int detect_memory(struct memdetect *md)
{
	struct bootinfo *bi = md->bi;

	if (detect_memory_int12(md))
		return 0;
	if (!detect_memory_e820(md)) {
		bi->source = BOOTINFO_SOURCE_E820;
		recheck_e820(md);
		cross_check(md);
	} else {
		/* Forget whatever a failed walk stored. */
		bi->raw_count = 0;
		md->nranges = 0;
		md->attr_valid_seen = 0;
		if (!detect_memory_e801(md))
			bi->source = BOOTINFO_SOURCE_E801;
		else if (!detect_memory_88(md))
			bi->source = BOOTINFO_SOURCE_88;
		else
			return 0;
	}
	return (int)bi->source;
}
