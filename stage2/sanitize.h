/*
 * The memory-map sanitizer: a pure function from any set of typed ranges
 * (firmware entries plus the loader's carve-outs) to a sorted,
 * non-overlapping map.  No BIOS, no globals: the same object file is linked
 * into stage2, the host unit tests and the fuzz harnesses.
 *
 * Rules (../shared/design.md): overlaps resolve by a change-point sweep in
 * which the most restrictive rank wins; adjacent equal ranks merge; usable
 * ranges shrink to 4 KiB boundaries and the trimmed fragments go to the
 * neighbouring range (always more restrictive) or become a hole; a base +
 * length that wraps past 2^64 is clipped; when the result has more ranges
 * than the caller can hold, neighbours merge where it costs the fewest
 * usable bytes (never making a byte usable that was not).
 */
#ifndef SANITIZE_H
#define SANITIZE_H

#include "bootinfo.h"
#include "types.h"

/* Least to most restrictive. */
enum mem_rank {
	RANK_USABLE,
	RANK_LOADER,
	RANK_KERNEL,
	RANK_MODULE,
	RANK_ACPI_RECLAIMABLE,
	RANK_PERSISTENT,
	RANK_ACPI_NVS,
	RANK_RESERVED,
	RANK_BAD,
	RANK_COUNT
};

struct mem_range {
	u64 base;
	u64 length;
	u32 rank; /* enum mem_rank */
	u32 pad;
};

struct change_point {
	u64 pos;
	u32 rank;
	s32 delta; /* +1 start, -1 end */
};

#define SANITIZE_PAGE_SIZE 0x1000u

struct sanitize_result {
	u32 count;        /* entries written to out */
	u32 wrapped;      /* inputs whose end was clipped at 2^64 */
	u32 coarsened;    /* merges done to fit the output capacity */
};

/* Scratch the caller provides: points[2 * n] and tmp[2 * n].  Returns the
 * number of entries in out (at most out_cap; out_cap must be >= 1). */
struct sanitize_scratch {
	struct change_point *points;
	struct bootinfo_map_entry *tmp;
};

/* SANITIZE_RESOLVE_ONLY skips the page alignment: for folding a partial
 * input set, which must stay exact to combine with later entries. */
#define SANITIZE_RESOLVE_ONLY 0x1u

void memmap_sanitize(const struct mem_range *in, u32 n, struct sanitize_scratch *scratch,
		     struct bootinfo_map_entry *out, u32 out_cap, u32 flags,
		     struct sanitize_result *res);

/* E820 type -> rank (unknown types are reserved); rank -> BOOTINFO_MEM_*. */
u32 e820_type_rank(u32 e820_type);
u32 rank_to_type(u32 rank);
const char *memtype_name(u32 bootinfo_type);
u32 memtype_rank(u32 bootinfo_type);

#endif
