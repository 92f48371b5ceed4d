/*
 * Host unit tests of the memory-map sanitizer (stage2/sanitize.c, linked
 * as is).  Every expected map below was worked out by hand from the rules in
 * sanitize.h and ../shared/design.md, never by running the code: when a case
 * fails, the sanitizer is wrong until the hand computation is shown to be.
 *
 * Part 1 is a table of exact cases; part 2 checks properties on a few
 * thousand pseudo-random inputs (fixed seed, so failures replay).
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "bootinfo.h"
#include "e820.h"
#include "sanitize.h"
#include "testlib.h"

#define MAX_IN 40
#define MAX_OUT 40
#define U64_MAX_ (~(u64)0)

struct in_range {
	u64 base, length;
	u32 rank;
	u32 typed; /* 1: rank = e820_type_rank(e820) */
	u32 e820;
};

struct out_entry {
	u64 base, length;
	u32 type;
};

struct scase {
	const char *name;
	u32 flags;
	u32 cap; /* 0: BOOTINFO_MAP_MAX */
	u32 wrapped, coarsened;
	u32 n_in;
	struct in_range in[MAX_IN];
	u32 n_out;
	struct out_entry out[MAX_OUT];
};

/* Inputs by rank. */
#define U(b, l) { (b), (l), RANK_USABLE, 0, 0 }
#define L(b, l) { (b), (l), RANK_LOADER, 0, 0 }
#define K(b, l) { (b), (l), RANK_KERNEL, 0, 0 }
#define A(b, l) { (b), (l), RANK_ACPI_RECLAIMABLE, 0, 0 }
#define P(b, l) { (b), (l), RANK_PERSISTENT, 0, 0 }
#define N(b, l) { (b), (l), RANK_ACPI_NVS, 0, 0 }
#define R(b, l) { (b), (l), RANK_RESERVED, 0, 0 }
#define B(b, l) { (b), (l), RANK_BAD, 0, 0 }
#define X(b, l, r) { (b), (l), (r), 0, 0 }
/* An input given by its raw E820 type, ranked by e820_type_rank(). */
#define E(b, l, t) { (b), (l), 0, 1, (t) }

/* Expected output entries by BOOTINFO_MEM_* type. */
#define OU(b, l) { (b), (l), BOOTINFO_MEM_USABLE }
#define OL(b, l) { (b), (l), BOOTINFO_MEM_LOADER }
#define OK(b, l) { (b), (l), BOOTINFO_MEM_KERNEL }
#define OA(b, l) { (b), (l), BOOTINFO_MEM_ACPI_RECLAIMABLE }
#define OP(b, l) { (b), (l), BOOTINFO_MEM_PERSISTENT }
#define ON(b, l) { (b), (l), BOOTINFO_MEM_ACPI_NVS }
#define OR(b, l) { (b), (l), BOOTINFO_MEM_RESERVED }
#define OB(b, l) { (b), (l), BOOTINFO_MEM_BAD }

#define IN(...)                                                   \
	.in = { __VA_ARGS__ },                                    \
	.n_in = sizeof((struct in_range[]){ __VA_ARGS__ }) / sizeof(struct in_range)
#define OUT(...)                                                  \
	.out = { __VA_ARGS__ },                                   \
	.n_out = sizeof((struct out_entry[]){ __VA_ARGS__ }) / sizeof(struct out_entry)

/* Most restrictive wins, for one pair of neighbouring ranks lo < hi:
 * hi inside lo, identical extents (hi listed first), partial overlap. */
#define PAIR_CASES(nm, LO, OLO, HI, OHI)                                                  \
	{ .name = "rank_" nm "_contained",                                                \
	  IN(LO(0x10000, 0x30000), HI(0x20000, 0x10000)),                                 \
	  OUT(OLO(0x10000, 0x10000), OHI(0x20000, 0x10000), OLO(0x30000, 0x10000)) },     \
	{ .name = "rank_" nm "_identical",                                                \
	  IN(HI(0x10000, 0x10000), LO(0x10000, 0x10000)),                                 \
	  OUT(OHI(0x10000, 0x10000)) },                                                   \
	{ .name = "rank_" nm "_partial",                                                  \
	  IN(HI(0x18000, 0x10000), LO(0x10000, 0x10000)),                                 \
	  OUT(OLO(0x10000, 0x8000), OHI(0x18000, 0x10000)) }

/* QEMU 7/8 pc machine with -m 256M (SeaBIOS), as the firmware reports it. */
#define QEMU_256M_SANITIZED                                                              \
	OUT(OU(0, 0x9f000), OR(0x9f000, 0x1000), OR(0xf0000, 0x10000),                   \
	    OU(0x100000, 0xfee0000), OR(0xffe0000, 0x20000), OR(0xfffc0000, 0x40000),    \
	    OR(0xfd00000000, 0x300000000))

/* Five entries, the last two separated by a hole: the coarsening cases. */
#define COARSEN_INPUT                                                                    \
	IN(U(0, 0x10000), R(0x10000, 0x1000), U(0x11000, 0xf000), A(0x20000, 0x1000),    \
	   R(0x30000, 0x1000))

static const struct scase cases[] = {
	/* --- trivial ------------------------------------------------------- */
	{ .name = "empty", .n_in = 0, .n_out = 0 },
	{ .name = "zero_length_only", IN(U(0x1000, 0), R(0x5000, 0)), .n_out = 0 },
	{ .name = "single_usable", IN(U(0x100000, 0x7ff00000)), OUT(OU(0x100000, 0x7ff00000)) },
	{ .name = "single_reserved_unaligned_kept_exact", IN(R(0x9fc00, 0x400)),
	  OUT(OR(0x9fc00, 0x400)) },

	/* --- 4 KiB trimming of usable ranges -------------------------------- */
	{ .name = "usable_unaligned_fragments_become_holes", IN(U(0x1800, 0x4000)),
	  OUT(OU(0x2000, 0x3000)) },
	{ .name = "usable_unaligned_fragments_join_reserved_neighbours",
	  IN(R(0, 0x1800), U(0x1800, 0x7c00), R(0x9400, 0xc00)),
	  OUT(OR(0, 0x2000), OU(0x2000, 0x7000), OR(0x9000, 0x1000)) },
	{ .name = "usable_unaligned_tail_joins_acpi_head_hole",
	  IN(U(0x10100, 0xfe00), A(0x1ff00, 0x10100)),
	  OUT(OU(0x11000, 0xe000), OA(0x1f000, 0x11000)) },
	{ .name = "usable_unaligned_qemu_low_640k",
	  IN(U(0, 0x9fc00), R(0x9fc00, 0x400), R(0xf0000, 0x10000)),
	  OUT(OU(0, 0x9f000), OR(0x9f000, 0x1000), OR(0xf0000, 0x10000)) },
	{ .name = "usable_sub_page_between_reserved_joins_prev",
	  IN(R(0x1000, 0x800), U(0x1800, 0x100), R(0x1900, 0x700)),
	  OUT(OR(0x1000, 0x1000)) },
	{ .name = "usable_sub_page_joins_next_neighbour",
	  IN(U(0x1800, 0x100), R(0x1900, 0x700)),
	  OUT(OR(0x1800, 0x800)) },
	{ .name = "usable_sub_page_joins_prev_neighbour",
	  IN(N(0x1000, 0x800), U(0x1800, 0x100)),
	  OUT(ON(0x1000, 0x900)) },
	{ .name = "usable_sub_page_alone_becomes_hole", IN(U(0x1800, 0x100)), .n_out = 0 },

	/* --- overlaps and containment -------------------------------------- */
	{ .name = "overlap_reserved_both_sides",
	  IN(U(0x1000, 0xf000), R(0, 0x3000), R(0xe000, 0x4000)),
	  OUT(OR(0, 0x3000), OU(0x3000, 0xb000), OR(0xe000, 0x4000)) },
	{ .name = "overlap_nvs_tail_unaligned", IN(U(0x100000, 0x100000), N(0x1ff800, 0x1800)),
	  OUT(OU(0x100000, 0xff000), ON(0x1ff000, 0x2000)) },
	{ .name = "overlap_reserved_head_unaligned", IN(R(0x80000, 0x800), U(0x80000, 0x20000)),
	  OUT(OR(0x80000, 0x1000), OU(0x81000, 0x1f000)) },
	{ .name = "contained_reserved_limine185",
	  IN(U(0x100000, 0x3ff00000), R(0x8000000, 0x100000)),
	  OUT(OU(0x100000, 0x7f00000), OR(0x8000000, 0x100000), OU(0x8100000, 0x37f00000)) },
	{ .name = "contained_reserved_unaligned", IN(U(0, 0x9f000), R(0x50100, 0x100)),
	  OUT(OU(0, 0x50000), OR(0x50000, 0x1000), OU(0x51000, 0x4e000)) },
	{ .name = "contained_same_start", IN(U(0x100000, 0x300000), R(0x100000, 0x100000)),
	  OUT(OR(0x100000, 0x100000), OU(0x200000, 0x200000)) },
	{ .name = "contained_same_end", IN(U(0x100000, 0x300000), B(0x300000, 0x100000)),
	  OUT(OU(0x100000, 0x200000), OB(0x300000, 0x100000)) },
	{ .name = "usable_inside_reserved", IN(R(0, 0x100000), U(0x10000, 0x1000)),
	  OUT(OR(0, 0x100000)) },

	/* --- most restrictive wins, every neighbouring pair of ranks -------- */
	PAIR_CASES("usable_lt_loader", U, OU, L, OL),
	PAIR_CASES("loader_lt_kernel", L, OL, K, OK),
	PAIR_CASES("kernel_lt_acpi_reclaimable", K, OK, A, OA),
	PAIR_CASES("acpi_reclaimable_lt_persistent", A, OA, P, OP),
	PAIR_CASES("persistent_lt_acpi_nvs", P, OP, N, ON),
	PAIR_CASES("acpi_nvs_lt_reserved", N, ON, R, OR),
	PAIR_CASES("reserved_lt_bad", R, OR, B, OB),
	{ .name = "rank_nested_all",
	  IN(U(0x0, 0x10000), L(0x1000, 0xe000), K(0x2000, 0xc000), A(0x3000, 0xa000),
	     P(0x4000, 0x8000), N(0x5000, 0x6000), R(0x6000, 0x4000), B(0x7000, 0x2000)),
	  OUT(OU(0x0, 0x1000), OL(0x1000, 0x1000), OK(0x2000, 0x1000), OA(0x3000, 0x1000),
	      OP(0x4000, 0x1000), ON(0x5000, 0x1000), OR(0x6000, 0x1000), OB(0x7000, 0x2000),
	      OR(0x9000, 0x1000), ON(0xa000, 0x1000), OP(0xb000, 0x1000), OA(0xc000, 0x1000),
	      OK(0xd000, 0x1000), OL(0xe000, 0x1000), OU(0xf000, 0x1000)) },
	{ .name = "rank_nested_all_reversed",
	  IN(B(0x7000, 0x2000), R(0x6000, 0x4000), N(0x5000, 0x6000), P(0x4000, 0x8000),
	     A(0x3000, 0xa000), K(0x2000, 0xc000), L(0x1000, 0xe000), U(0x0, 0x10000)),
	  OUT(OU(0x0, 0x1000), OL(0x1000, 0x1000), OK(0x2000, 0x1000), OA(0x3000, 0x1000),
	      OP(0x4000, 0x1000), ON(0x5000, 0x1000), OR(0x6000, 0x1000), OB(0x7000, 0x2000),
	      OR(0x9000, 0x1000), ON(0xa000, 0x1000), OP(0xb000, 0x1000), OA(0xc000, 0x1000),
	      OK(0xd000, 0x1000), OL(0xe000, 0x1000), OU(0xf000, 0x1000)) },

	/* --- E820 types through e820_type_rank ------------------------------ */
	{ .name = "e820_known_types",
	  IN(E(0, 0x1000, 1), E(0x1000, 0x1000, 2), E(0x2000, 0x1000, 3), E(0x3000, 0x1000, 4),
	     E(0x4000, 0x1000, 5), E(0x5000, 0x1000, 7)),
	  OUT(OU(0, 0x1000), OR(0x1000, 0x1000), OA(0x2000, 0x1000), ON(0x3000, 0x1000),
	      OB(0x4000, 0x1000), OP(0x5000, 0x1000)) },
	{ .name = "e820_unknown_types_reserved",
	  IN(E(0, 0x100000, 1), E(0x80000, 0x20000, 2954887168u), E(0xf0000, 0x10000, 12),
	     E(0x100000, 0x100000, 6), E(0x200000, 0x100000, 0)),
	  OUT(OU(0, 0x80000), OR(0x80000, 0x20000), OU(0xa0000, 0x50000),
	      OR(0xf0000, 0x210000)) },
	{ .name = "rank_out_of_range_is_reserved", IN(U(0, 0x10000), X(0x4000, 0x1000, 99)),
	  OUT(OU(0, 0x4000), OR(0x4000, 0x1000), OU(0x5000, 0xb000)) },

	/* --- merging ------------------------------------------------------ */
	{ .name = "adjacent_usable_merge",
	  IN(U(0, 0x1000), U(0x1000, 0x2000), U(0x3000, 0x5000)), OUT(OU(0, 0x8000)) },
	{ .name = "adjacent_usable_unaligned_junction", IN(U(0, 0x1800), U(0x1800, 0x2800)),
	  OUT(OU(0, 0x4000)) },
	{ .name = "adjacent_reserved_merge",
	  IN(R(0xf0000, 0x8000), R(0xf8000, 0x8000), E(0x100000, 0x1000, 2954887168u)),
	  OUT(OR(0xf0000, 0x11000)) },
	{ .name = "same_type_across_hole_not_merged", IN(A(0x1000, 0x1000), A(0x3000, 0x1000)),
	  OUT(OA(0x1000, 0x1000), OA(0x3000, 0x1000)) },
	{ .name = "different_types_adjacent_not_merged", IN(A(0x1000, 0x1000), N(0x2000, 0x1000)),
	  OUT(OA(0x1000, 0x1000), ON(0x2000, 0x1000)) },

	/* --- order, duplicates, zero lengths -------------------------------- */
	{ .name = "unsorted_qemu_reversed",
	  IN(R(0xfd00000000, 0x300000000), R(0xfffc0000, 0x40000), R(0xffe0000, 0x20000),
	     U(0x100000, 0xfee0000), R(0xf0000, 0x10000), R(0x9fc00, 0x400), U(0, 0x9fc00)),
	  QEMU_256M_SANITIZED },
	{ .name = "unsorted_qemu_shuffled",
	  IN(U(0x100000, 0xfee0000), R(0xfd00000000, 0x300000000), U(0, 0x9fc00),
	     R(0xfffc0000, 0x40000), R(0x9fc00, 0x400), R(0xffe0000, 0x20000),
	     R(0xf0000, 0x10000)),
	  QEMU_256M_SANITIZED },
	{ .name = "duplicate_usable", IN(U(0x100000, 0x100000), U(0x100000, 0x100000)),
	  OUT(OU(0x100000, 0x100000)) },
	{ .name = "duplicate_reserved_in_usable",
	  IN(U(0, 0x10000), R(0x4000, 0x1000), R(0x4000, 0x1000), U(0, 0x10000)),
	  OUT(OU(0, 0x4000), OR(0x4000, 0x1000), OU(0x5000, 0xb000)) },
	{ .name = "duplicate_mixed_types", IN(R(0x4000, 0x1000), U(0x4000, 0x1000)),
	  OUT(OR(0x4000, 0x1000)) },
	{ .name = "zero_length_inside_usable", IN(U(0, 0x10000), R(0x4000, 0), B(0x8000, 0)),
	  OUT(OU(0, 0x10000)) },
	{ .name = "zero_length_at_boundary", IN(U(0, 0x4000), R(0x4000, 0), U(0x4000, 0x4000)),
	  OUT(OU(0, 0x8000)) },

	/* --- wrap-around at 2^64 ------------------------------------------- */
	{ .name = "wrap_usable_clipped", IN(U(0xffffffff00000000, 0x200000000)), .wrapped = 1,
	  OUT(OU(0xffffffff00000000, 0xfffff000)) },
	{ .name = "wrap_end_exactly_2_64", IN(U(0xffffffff00000000, 0x100000000)), .wrapped = 1,
	  OUT(OU(0xffffffff00000000, 0xfffff000)) },
	{ .name = "wrap_reserved_clipped", IN(R(0xfffffffffffff000, 0x2000)), .wrapped = 1,
	  OUT(OR(0xfffffffffffff000, 0xfff)) },
	{ .name = "wrap_last_byte_only", IN(R(0xffffffffffffffff, 1)), .wrapped = 1, .n_out = 0 },
	{ .name = "wrap_huge_length", IN(U(0, 0x9fc00), R(0x100000, 0xffffffffffffffff)),
	  .wrapped = 1, OUT(OU(0, 0x9f000), OR(0x100000, 0xffffffffffefffff)) },
	{ .name = "wrap_overrides_usable",
	  IN(U(0x100000000, 0x100000000), R(0x180000000, 0xfffffffff0000000)), .wrapped = 1,
	  OUT(OU(0x100000000, 0x80000000), OR(0x180000000, 0xfffffffe7fffffff)) },
	{ .name = "no_wrap_end_at_max", IN(R(0xfffffffffffff000, 0xfff)), .wrapped = 0,
	  OUT(OR(0xfffffffffffff000, 0xfff)) },

	/* --- above 4 GiB and 2 GiB: no 32-bit or signed arithmetic ----------- */
	{ .name = "above_4g_contained", IN(U(0x100000000, 0x40000000), R(0x120000000, 0x1000)),
	  OUT(OU(0x100000000, 0x20000000), OR(0x120000000, 0x1000),
	      OU(0x120001000, 0x1ffff000)) },
	{ .name = "above_4g_no_truncation", IN(U(0, 0x80000000), R(0x110000000, 0x10000000)),
	  OUT(OU(0, 0x80000000), OR(0x110000000, 0x10000000)) },
	{ .name = "above_4g_long_length", IN(U(0x100000000, 0x300000000)),
	  OUT(OU(0x100000000, 0x300000000)) },
	{ .name = "above_4g_unaligned", IN(U(0x100000800, 0x1ffffe000)),
	  OUT(OU(0x100001000, 0x1ffffd000)) },
	{ .name = "across_2g_signed", IN(U(0x7ffff000, 0x20000), R(0x80000000, 0x1000)),
	  OUT(OU(0x7ffff000, 0x1000), OR(0x80000000, 0x1000), OU(0x80001000, 0x1e000)) },
	{ .name = "across_2_63_signed",
	  IN(U(0x7fffffffffff0000, 0x20000), R(0x8000000000000000, 0x1000)),
	  OUT(OU(0x7fffffffffff0000, 0x10000), OR(0x8000000000000000, 0x1000),
	      OU(0x8000000000001000, 0xf000)) },

	/* --- SANITIZE_RESOLVE_ONLY: exact, no alignment ---------------------- */
	{ .name = "resolve_only_no_alignment", .flags = SANITIZE_RESOLVE_ONLY,
	  IN(U(0x1800, 0x4000), R(0x5800, 0x800)), OUT(OU(0x1800, 0x4000), OR(0x5800, 0x800)) },
	{ .name = "resolve_only_overlap", .flags = SANITIZE_RESOLVE_ONLY,
	  IN(U(0x100, 0x800), R(0x500, 0x200)),
	  OUT(OU(0x100, 0x400), OR(0x500, 0x200), OU(0x700, 0x200)) },
	{ .name = "resolve_only_sub_page_kept", .flags = SANITIZE_RESOLVE_ONLY,
	  IN(U(0x1800, 0x100)), OUT(OU(0x1800, 0x100)) },

	/* --- output capacity overflow ---------------------------------------- */
	{ .name = "coarsen_exact_fit_cap5", .cap = 5, COARSEN_INPUT,
	  OUT(OU(0, 0x10000), OR(0x10000, 0x1000), OU(0x11000, 0xf000), OA(0x20000, 0x1000),
	      OR(0x30000, 0x1000)) },
	{ .name = "coarsen_cap4_merges_across_hole", .cap = 4, .coarsened = 1, COARSEN_INPUT,
	  OUT(OU(0, 0x10000), OR(0x10000, 0x1000), OU(0x11000, 0xf000), OR(0x20000, 0x11000)) },
	{ .name = "coarsen_cap3", .cap = 3, .coarsened = 2, COARSEN_INPUT,
	  OUT(OU(0, 0x10000), OR(0x10000, 0x21000)) },
	{ .name = "coarsen_cap1", .cap = 1, .coarsened = 3, COARSEN_INPUT,
	  OUT(OR(0, 0x31000)) },
	{ .name = "coarsen_hole_between_usable_never_usable", .cap = 1, .coarsened = 1,
	  IN(U(0, 0x1000), U(0x2000, 0x1000)), OUT(OR(0, 0x3000)) },
	{ .name = "coarsen_hole_between_usable_costs_usable_bytes", .cap = 3, .coarsened = 1,
	  IN(U(0, 0x1000), U(0x2000, 0x1000), R(0x10000, 0x1000), R(0x20000, 0x1000)),
	  OUT(OU(0, 0x1000), OU(0x2000, 0x1000), OR(0x10000, 0x11000)) },
	{ .name = "coarsen_hole_between_acpi_is_reserved", .cap = 1, .coarsened = 1,
	  IN(A(0, 0x1000), N(0x2000, 0x1000)), OUT(OR(0, 0x3000)) },
	{ .name = "coarsen_contiguous_keeps_higher_rank", .cap = 1, .coarsened = 1,
	  IN(A(0, 0x1000), N(0x1000, 0x1000)), OUT(ON(0, 0x2000)) },
	{ .name = "coarsen_bad_wins", .cap = 1, .coarsened = 2,
	  IN(B(0, 0x1000), U(0x1000, 0x1000), R(0x2000, 0x1000)), OUT(OB(0, 0x3000)) },
	{ .name = "coarsen_prefers_losing_nothing", .cap = 3, .coarsened = 1,
	  IN(U(0, 0x100000), R(0x100000, 0x1000), R(0x102000, 0x1000), U(0x200000, 0x100000)),
	  OUT(OU(0, 0x100000), OR(0x100000, 0x3000), OU(0x200000, 0x100000)) },
	{ .name = "coarsen_loses_smallest_usable", .cap = 3, .coarsened = 1,
	  IN(U(0, 0x10000), R(0x10000, 0x1000), U(0x11000, 0x1000), R(0x12000, 0x1000),
	     U(0x13000, 0x10000)),
	  OUT(OU(0, 0x10000), OR(0x10000, 0x3000), OU(0x13000, 0x10000)) },
};

/* ------------------------------------------------------------------------
 * Independent model of the rules, for the invariant checks: the test's own
 * rank table, never the sanitizer's.
 */
static const u32 model_rank_type[RANK_COUNT] = {
	BOOTINFO_MEM_USABLE,     BOOTINFO_MEM_LOADER,     BOOTINFO_MEM_KERNEL,
	BOOTINFO_MEM_MODULE,     BOOTINFO_MEM_ACPI_RECLAIMABLE, BOOTINFO_MEM_PERSISTENT, BOOTINFO_MEM_ACPI_NVS,
	BOOTINFO_MEM_RESERVED,   BOOTINFO_MEM_BAD,
};

static int model_type_rank(u32 type)
{
	for (int r = 0; r < RANK_COUNT; r++)
		if (model_rank_type[r] == type)
			return r;
	return -1;
}

static u32 model_in_rank(const struct mem_range *r)
{
	return r->rank < RANK_COUNT ? r->rank : RANK_RESERVED;
}

/* [base, end) of an input, clipped at 2^64 - 1; end == base when empty. */
static u64 model_end(const struct mem_range *r)
{
	u64 e = r->base + r->length;
	return e < r->base ? U64_MAX_ : e;
}

/* Rank the rules give byte x: the most restrictive input covering it, or -1. */
static int model_rank_at(const struct mem_range *in, u32 n, u64 x)
{
	int best = -1;
	for (u32 i = 0; i < n; i++)
		if (in[i].base <= x && x < model_end(&in[i]) && (int)model_in_rank(&in[i]) > best)
			best = (int)model_in_rank(&in[i]);
	return best;
}

/* True when every byte of [a, b) is usable by the rules. */
static int model_all_usable(const struct mem_range *in, u32 n, u64 a, u64 b)
{
	for (u32 i = 0; i < n; i++)
		if (model_in_rank(&in[i]) != RANK_USABLE && in[i].base < model_end(&in[i]) &&
		    in[i].base < b && a < model_end(&in[i]))
			return 0;
	u64 pos = a;
	while (pos < b) {
		u64 next = pos;
		for (u32 i = 0; i < n; i++)
			if (model_in_rank(&in[i]) == RANK_USABLE && in[i].base <= pos &&
			    pos < model_end(&in[i]) && model_end(&in[i]) > next)
				next = model_end(&in[i]);
		if (next == pos)
			return 0;
		pos = next;
	}
	return 1;
}

static u64 out_end(const struct bootinfo_map_entry *e)
{
	return e->base + e->length;
}

/* Type of the output at byte x, 0 for a hole. */
static u32 out_type_at(const struct bootinfo_map_entry *out, u32 n, u64 x)
{
	for (u32 i = 0; i < n; i++)
		if (out[i].base <= x && x < out_end(&out[i]))
			return out[i].type;
	return 0;
}

/* Structural invariants every output must meet. */
static void check_invariants(const struct mem_range *in, u32 n, const struct bootinfo_map_entry *out,
			     u32 count, u32 cap, u32 flags)
{
	CHECK(count <= cap, "count %u > cap %u", count, cap);
	for (u32 i = 0; i < count && i < cap; i++) {
		const struct bootinfo_map_entry *e = &out[i];
		int rank = model_type_rank(e->type);
		CHECK(rank >= 0, "entry %u: type %#x is not a BOOTINFO_MEM_* type", i, e->type);
		CHECK(e->length != 0, "entry %u at %#llx has zero length", i,
		      (unsigned long long)e->base);
		CHECK(e->base + e->length >= e->base, "entry %u wraps past 2^64", i);
		CHECK(e->pad == 0, "entry %u pad %#x", i, e->pad);
		if (i + 1 < count && i + 1 < cap) {
			CHECK(out_end(e) <= out[i + 1].base,
			      "entries %u and %u unsorted or overlapping (%#llx+%#llx, %#llx)", i,
			      i + 1, (unsigned long long)e->base, (unsigned long long)e->length,
			      (unsigned long long)out[i + 1].base);
			CHECK(!(e->type == out[i + 1].type && out_end(e) == out[i + 1].base),
			      "entries %u and %u adjacent with equal type %#x not merged", i, i + 1,
			      e->type);
		}
		if (rank == RANK_USABLE) {
			if (!(flags & SANITIZE_RESOLVE_ONLY))
				CHECK(!(e->base & 0xfff) && !(e->length & 0xfff),
				      "usable entry %u %#llx+%#llx not 4 KiB aligned", i,
				      (unsigned long long)e->base, (unsigned long long)e->length);
			/* Never usable where the input was not (nor in a hole). */
			CHECK(model_all_usable(in, n, e->base, out_end(e)),
			      "usable entry %u %#llx+%#llx covers bytes the input did not mark "
			      "usable",
			      i, (unsigned long long)e->base, (unsigned long long)e->length);
		}
	}
	/* Every non-usable input byte stays at least as restrictive. */
	for (u32 j = 0; j < n; j++) {
		u32 r = model_in_rank(&in[j]);
		if (r == RANK_USABLE)
			continue;
		u64 pos = in[j].base, end = model_end(&in[j]);
		while (pos < end) {
			u32 k;
			for (k = 0; k < count && k < cap; k++)
				if (out[k].base <= pos && pos < out_end(&out[k]))
					break;
			if (k == count || k == cap) {
				t_fail("input %u (rank %u) byte %#llx missing from the output", j, r,
				       (unsigned long long)pos);
				break;
			}
			if (model_type_rank(out[k].type) < (int)r) {
				t_fail("input %u (rank %u) byte %#llx became less restrictive type %#x",
				       j, r, (unsigned long long)pos, out[k].type);
				break;
			}
			pos = out_end(&out[k]);
		}
	}
}

struct run {
	struct mem_range *in;
	struct bootinfo_map_entry *out;
	struct change_point *points;
	struct bootinfo_map_entry *tmp;
	struct sanitize_result res;
};

/* Runs the sanitizer with every buffer exactly as large as the contract
 * says (2n scratch, cap outputs), so AddressSanitizer sees any overrun. */
static void run_sanitize(struct run *r, const struct mem_range *in, u32 n, u32 cap, u32 flags)
{
	u32 sn = n ? 2 * n : 1;

	r->in = malloc(sizeof(*r->in) * (n ? n : 1));
	r->points = malloc(sizeof(*r->points) * sn);
	r->tmp = malloc(sizeof(*r->tmp) * sn);
	r->out = malloc(sizeof(*r->out) * cap);
	if (!r->in || !r->points || !r->tmp || !r->out)
		abort();
	if (n)
		memcpy(r->in, in, sizeof(*in) * n);
	memset(r->out, 0xa5, sizeof(*r->out) * cap);
	memset(&r->res, 0xa5, sizeof(r->res));
	struct sanitize_scratch scratch = { r->points, r->tmp };
	memmap_sanitize(r->in, n, &scratch, r->out, cap, flags, &r->res);
	if (n)
		CHECK(!memcmp(r->in, in, sizeof(*in) * n), "the input was modified");
}

static void free_run(struct run *r)
{
	free(r->in);
	free(r->out);
	free(r->points);
	free(r->tmp);
}

static void run_case(const struct scase *c)
{
	struct mem_range in[MAX_IN];
	struct run r;
	u32 cap = c->cap ? c->cap : BOOTINFO_MAP_MAX;

	t_begin(c->name);
	for (u32 i = 0; i < c->n_in; i++)
		in[i] = (struct mem_range){ .base = c->in[i].base,
					    .length = c->in[i].length,
					    .rank = c->in[i].typed ? e820_type_rank(c->in[i].e820)
								   : c->in[i].rank };
	run_sanitize(&r, in, c->n_in, cap, c->flags);

	CHECK_EQ_U64("count", r.res.count, c->n_out);
	CHECK_EQ_U64("wrapped", r.res.wrapped, c->wrapped);
	CHECK_EQ_U64("coarsened", r.res.coarsened, c->coarsened);
	for (u32 i = 0; i < c->n_out && i < r.res.count && i < cap; i++) {
		const struct bootinfo_map_entry *g = &r.out[i];
		const struct out_entry *w = &c->out[i];
		if (g->base != w->base || g->length != w->length || g->type != w->type)
			t_fail("entry %u: got %#llx+%#llx %s, want %#llx+%#llx %s", i,
			       (unsigned long long)g->base, (unsigned long long)g->length,
			       memtype_name(g->type), (unsigned long long)w->base,
			       (unsigned long long)w->length, memtype_name(w->type));
	}
	check_invariants(in, c->n_in, r.out, r.res.count, cap, c->flags);
	free_run(&r);
	t_end();
}

/* ------------------------------------------------------------------------ */

static void test_type_tables(void)
{
	static const struct {
		u32 e820, rank;
	} ranks[] = {
		{ 1, RANK_USABLE },         { 2, RANK_RESERVED }, { 3, RANK_ACPI_RECLAIMABLE },
		{ 4, RANK_ACPI_NVS },       { 5, RANK_BAD },      { 6, RANK_RESERVED },
		{ 7, RANK_PERSISTENT },     { 0, RANK_RESERVED }, { 8, RANK_RESERVED },
		{ 12, RANK_RESERVED },      { 0xf0000001u, RANK_RESERVED },
		{ 2954887168u, RANK_RESERVED }, { 0xffffffffu, RANK_RESERVED },
	};

	t_begin("e820_type_rank_table");
	for (size_t i = 0; i < sizeof(ranks) / sizeof(ranks[0]); i++)
		CHECK(e820_type_rank(ranks[i].e820) == ranks[i].rank,
		      "e820_type_rank(%u) = %u, want %u", ranks[i].e820,
		      e820_type_rank(ranks[i].e820), ranks[i].rank);
	t_end();

	t_begin("rank_type_tables");
	for (u32 r = 0; r < RANK_COUNT; r++) {
		CHECK(rank_to_type(r) == model_rank_type[r], "rank_to_type(%u) = %#x, want %#x", r,
		      rank_to_type(r), model_rank_type[r]);
		CHECK(memtype_rank(model_rank_type[r]) == r, "memtype_rank(%#x) = %u, want %u",
		      model_rank_type[r], memtype_rank(model_rank_type[r]), r);
		CHECK(strcmp(memtype_name(model_rank_type[r]), "unknown") != 0,
		      "memtype_name(%#x) unknown", model_rank_type[r]);
	}
	CHECK(rank_to_type(RANK_COUNT) == BOOTINFO_MEM_RESERVED, "rank_to_type(RANK_COUNT)");
	CHECK(rank_to_type(0xffffffffu) == BOOTINFO_MEM_RESERVED, "rank_to_type(~0)");
	CHECK(memtype_rank(6) == RANK_RESERVED, "memtype_rank(6) = %u", memtype_rank(6));
	CHECK(!strcmp(memtype_name(6), "unknown"), "memtype_name(6) = %s", memtype_name(6));
	t_end();
}

/* ------------------------------------------------------------------------
 * Properties over pseudo-random inputs.
 */
static u64 rng_state;

static u64 xorshift64(void)
{
	u64 x = rng_state;
	x ^= x << 13;
	x ^= x >> 7;
	x ^= x << 17;
	return rng_state = x;
}

static u64 rnd(u64 n)
{
	return n ? xorshift64() % n : 0;
}

/* Addresses cluster so that ranges overlap, touch and straddle pages. */
static u64 random_address(int domain)
{
	u64 off = rnd(4) ? rnd(48) * 0x800 : rnd(0x30000);
	switch (domain) {
	case 0:
		return off;
	case 1: /* around 4 GiB */
		return 0xfffe0000ull + off;
	case 2: /* around 2^63 */
		return 0x7fffffffffff0000ull + off;
	default: /* just below 2^64 */
		return U64_MAX_ - 0x30000 + off;
	}
}

static u64 random_length(void)
{
	switch (rnd(16)) {
	case 0:
		return 0;
	case 1:
		return U64_MAX_ - rnd(0x40000); /* wraps from almost anywhere */
	case 2:
		return rnd(0x100) + 1;
	default:
		return rnd(4) ? (rnd(16) + 1) * 0x800 : rnd(0x18000) + 1;
	}
}

static u32 random_input(struct mem_range *in, u32 max)
{
	int domain = (int)rnd(4);
	u32 n = (u32)rnd(max + 1);

	for (u32 i = 0; i < n; i++) {
		in[i].base = random_address(rnd(8) ? domain : (int)rnd(4));
		in[i].length = random_length();
		in[i].rank = rnd(24) ? (u32)rnd(RANK_COUNT) : 99;
		in[i].pad = 0;
	}
	return n;
}

/* Positions where a mistake would show: every input and output boundary,
 * their neighbours and their pages. */
static u32 probe_points(const struct mem_range *in, u32 n, const struct bootinfo_map_entry *out,
			u32 count, u64 *pts)
{
	u32 np = 0;
	for (u32 i = 0; i < n + count; i++) {
		u64 a = i < n ? in[i].base : out[i - n].base;
		u64 b = i < n ? model_end(&in[i]) : out_end(&out[i - n]);
		u64 cand[] = { a, a - 1, b, b - 1, a & ~0xfffull, (a & ~0xfffull) - 1,
			       b & ~0xfffull, (b & ~0xfffull) - 1, a + (b - a) / 2 };
		for (size_t k = 0; k < sizeof(cand) / sizeof(cand[0]); k++)
			pts[np++] = cand[k];
	}
	return np;
}

/* Byte-level comparison against the model; exact for SANITIZE_RESOLVE_ONLY,
 * page-level for usable bytes otherwise. */
static int check_against_model(const struct mem_range *in, u32 n, const struct bootinfo_map_entry *out,
			       u32 count, u32 flags)
{
	static u64 pts[(MAX_IN + 2 * MAX_IN) * 9];
	u32 np = probe_points(in, n, out, count, pts);

	for (u32 i = 0; i < np; i++) {
		u64 x = pts[i];
		int want = model_rank_at(in, n, x);
		u32 got = out_type_at(out, count, x);
		if (want < 0) {
			/* Trimmed fragments come from usable bytes: a hole in
			 * the input stays a hole. */
			if (got) {
				t_fail("byte %#llx: hole in the input, %s in the output",
				       (unsigned long long)x, memtype_name(got));
				return 0;
			}
			continue;
		}
		if (flags & SANITIZE_RESOLVE_ONLY || want > RANK_USABLE) {
			if (got != model_rank_type[want]) {
				t_fail("byte %#llx: got %s, want %s", (unsigned long long)x,
				       got ? memtype_name(got) : "hole",
				       memtype_name(model_rank_type[want]));
				return 0;
			}
			continue;
		}
		/* Usable by the rules: kept exactly when its whole page is. */
		u64 page = x & ~0xfffull;
		/* The last page never is: its last byte is clipped off. */
		int whole = page != (U64_MAX_ & ~0xfffull) &&
			    model_all_usable(in, n, page, page + 0x1000);
		if (whole != (got == BOOTINFO_MEM_USABLE)) {
			t_fail("byte %#llx: usable input, output %s (page wholly usable: %d)",
			       (unsigned long long)x, got ? memtype_name(got) : "hole", whole);
			return 0;
		}
	}
	return 1;
}

static void property_run(const char *name, u32 iterations, u32 max_in, u32 flags, int small_cap)
{
	static struct mem_range in[MAX_IN];

	t_begin(name);
	rng_state = 0x9e3779b97f4a7c15ull ^ (u64)max_in ^ ((u64)flags << 32) ^ (u64)small_cap << 40;
	for (u32 it = 0; it < iterations; it++) {
		u32 n = random_input(in, max_in);
		u32 cap = small_cap ? (u32)rnd(6) + 1 : BOOTINFO_MAP_MAX;
		struct run r;
		int before = t_fails;

		run_sanitize(&r, in, n, cap, flags);
		check_invariants(in, n, r.out, r.res.count, cap, flags);
		u32 wraps = 0;
		for (u32 i = 0; i < n; i++)
			wraps += in[i].length && in[i].base + in[i].length < in[i].base;
		CHECK(r.res.wrapped == wraps, "wrapped %u, want %u", r.res.wrapped, wraps);
		if (!small_cap) {
			CHECK(r.res.coarsened == 0, "coarsened %u with room for %u entries",
			      r.res.coarsened, cap);
			if (t_fails == before)
				check_against_model(in, n, r.out, r.res.count, flags);
		}
		free_run(&r);
		if (t_fails != before) {
			t_fail("(iteration %u, %u inputs, cap %u)", it, n, cap);
			break;
		}
	}
	t_end();
}

/* Many alternating entries into a small output: the coarsening must keep
 * every invariant, and here it can always fit by merging. */
static void test_coarsen_large(void)
{
	static struct mem_range in[200];
	struct run r;

	t_begin("coarsen_200_entries_into_16");
	for (u32 i = 0; i < 200; i++)
		in[i] = (struct mem_range){ .base = 0x100000000ull + (u64)i * 0x3000,
					    .length = i % 3 ? 0x1800 : 0x3000,
					    .rank = i % 2 ? RANK_ACPI_NVS : RANK_USABLE };
	run_sanitize(&r, in, 200, 16, 0);
	CHECK(r.res.count <= 16 && r.res.count > 0, "count %u", r.res.count);
	CHECK(r.res.coarsened > 0, "coarsened %u", r.res.coarsened);
	CHECK(r.res.count && r.out[0].base == 0x100000000ull, "first base %#llx",
	      (unsigned long long)r.out[0].base);
	check_invariants(in, 200, r.out, r.res.count, 16, 0);
	free_run(&r);
	t_end();
}

int main(void)
{
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++)
		run_case(&cases[i]);
	test_type_tables();
	test_coarsen_large();
	property_run("property_random_aligned", 4000, 12, 0, 0);
	property_run("property_random_aligned_many", 1000, MAX_IN, 0, 0);
	property_run("property_random_resolve_only", 3000, 12, SANITIZE_RESOLVE_ONLY, 0);
	property_run("property_random_small_cap", 3000, 16, 0, 1);
	return t_exit_status();
}
