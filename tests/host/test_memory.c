/*
 * Host unit tests of firmware memory detection: the real stage2/memory.c
 * (and sanitize.c) run against the scripted BIOS of fake_bios.c.  Each case
 * replays one behaviour from ../shared/quirks.md and states, worked out by
 * hand, the exact raw table, the exact sanitized map, the source and the
 * whole quirk record.
 */
#include <stdlib.h>
#include <string.h>

#include "bootinfo.h"
#include "e820.h"
#include "fake_bios.h"
#include "layout.h"
#include "memory.h"
#include "sanitize.h"
#include "testlib.h"

#define COUNT(T, ...) (sizeof((T[]){ __VA_ARGS__ }) / sizeof(T))

struct raw_want {
	u64 base, length;
	u32 type, attr, size;
};

struct map_want {
	u64 base, length;
	u32 type;
};

struct mcase {
	const char *name;
	void (*setup)(struct mcase *c); /* fills generated scripts and tables */
	struct fake_bios_script bios;
	int ret;       /* detect_memory(): BOOTINFO_SOURCE_* or 0 */
	u32 conv_top;  /* md.conv_top, bytes */
	u32 conv_kib;  /* bi->conv_mem_kib */
	u32 ebda_base; /* bi->ebda_base */
	struct bootinfo_quirks q;
	const struct raw_want *raw;
	u32 n_raw;
	const struct map_want *map; /* memmap_sanitize(md.ranges) */
	u32 n_map;
	const struct map_want *carved; /* with stage2's fixed carve-outs; NULL: skip */
	u32 n_carved;
	/* Cross-checks (recheck walk, E820 vs INT 12h / E801): when 0, an E820
	 * source implies a second walk of the same length that agrees, and the
	 * e820_* view fields are not checked. */
	int check_cross;
};

/* E820 answers: entry, continuation handed out. */
#define E20(b, l, t, next) \
	{ .eax = E820_SMAP, .ebx = (next), .ecx = 20, .base = (b), .length = (l), .type = (t) }
#define E24(b, l, t, a, next)                                                            \
	{ .eax = E820_SMAP, .ebx = (next), .ecx = 24, .base = (b), .length = (l), .type = (t), \
	  .attr = (a) }
#define E820(...)                                                                        \
	.e820 = (const struct fake_e820_answer[]){ __VA_ARGS__ },                        \
	.e820_count = COUNT(struct fake_e820_answer, __VA_ARGS__)
#define NO_E820 .e820 = NULL, .e820_count = 0

/* Raw entries: as the BIOS answered (ECX 20 or 24), or synthesized (size 0). */
#define RW20(b, l, t) { (b), (l), (t), 1, 20 }
#define RW24(b, l, t, a) { (b), (l), (t), (a), 24 }
#define RSYN(b, l, t) { (b), (l), (t), 1, 0 }
#define RAW(...) .raw = (const struct raw_want[]){ __VA_ARGS__ }, .n_raw = COUNT(struct raw_want, __VA_ARGS__)
#define NO_RAW .raw = NULL, .n_raw = 0

#define OU(b, l) { (b), (l), BOOTINFO_MEM_USABLE }
#define OL(b, l) { (b), (l), BOOTINFO_MEM_LOADER }
#define OA(b, l) { (b), (l), BOOTINFO_MEM_ACPI_RECLAIMABLE }
#define OR(b, l) { (b), (l), BOOTINFO_MEM_RESERVED }
#define MAP(...) .map = (const struct map_want[]){ __VA_ARGS__ }, .n_map = COUNT(struct map_want, __VA_ARGS__)
#define NO_MAP .map = NULL, .n_map = 0
#define CARVED(...)                                          \
	.carved = (const struct map_want[]){ __VA_ARGS__ },  \
	.n_carved = COUNT(struct map_want, __VA_ARGS__)

/* A PC with 639 KiB of conventional memory and a 1 KiB EBDA at 0x9FC00,
 * the way SeaBIOS sets it up. */
#define LOWMEM_639 .int12_present = 1, .int12_ax = 639, .bda_base_kib = 639, .bda_ebda_seg = 0x9fc0
#define CONV_639 .conv_top = 0x9fc00, .conv_kib = 639, .ebda_base = 0x9fc00
#define Q639 .int12_kib = 639, .bda_kib = 639

/* QEMU's pc machine with -m 256M: what SeaBIOS answers, ECX = 20. */
#define QEMU_256M_ANSWERS                                                                \
	E820(E20(0, 0x9fc00, 1, 1), E20(0x9fc00, 0x400, 2, 2), E20(0xf0000, 0x10000, 2, 3), \
	     E20(0x100000, 0xfee0000, 1, 4), E20(0xffe0000, 0x20000, 2, 5),                \
	     E20(0xfffc0000, 0x40000, 2, 6), E20(0xfd00000000, 0x300000000, 2, 0))
#define QEMU_256M_RAW                                                                    \
	RAW(RW20(0, 0x9fc00, 1), RW20(0x9fc00, 0x400, 2), RW20(0xf0000, 0x10000, 2),       \
	    RW20(0x100000, 0xfee0000, 1), RW20(0xffe0000, 0x20000, 2),                      \
	    RW20(0xfffc0000, 0x40000, 2), RW20(0xfd00000000, 0x300000000, 2))
#define QEMU_256M_MAP                                                                    \
	MAP(OU(0, 0x9f000), OR(0x9f000, 0x1000), OR(0xf0000, 0x10000),                   \
	    OU(0x100000, 0xfee0000), OR(0xffe0000, 0x20000), OR(0xfffc0000, 0x40000),    \
	    OR(0xfd00000000, 0x300000000))

/* Synthesized below 1 MiB with conventional memory at 639 KiB. */
#define RAW_LOW_639 RSYN(0, 0x9fc00, 1), RSYN(0x9fc00, 0x60400, 2)
#define MAP_LOW_639 OU(0, 0x9f000), OR(0x9f000, 0x61000)

static void setup_ebx_never_zero(struct mcase *c);
static void setup_raw_overflow(struct mcase *c);
static void setup_fold_clear_first(struct mcase *c);
static void setup_fold_clear_after_valid(struct mcase *c);
static void setup_fold_clear_everywhere(struct mcase *c);

static struct mcase cases[] = {
	/* --- E820 walks ---------------------------------------------------- */
	{ .name = "e820_qemu_256m_ebx_zero",
	  .bios = { QEMU_256M_ANSWERS, LOWMEM_639 },
	  .ret = BOOTINFO_SOURCE_E820, CONV_639,
	  .q = { Q639, .flags = QUIRK_E820_SHORT_ENTRIES, .e820_end = E820_END_EBX_ZERO,
		 .e820_calls = 7, .e820_entries = 7 },
	  QEMU_256M_RAW, QEMU_256M_MAP,
	  CARVED(OR(0, 0x500), OL(0x500, 0x5fb00), OU(0x60000, 0x3f000), OR(0x9f000, 0x61000),
		 OU(0x100000, 0xfee0000), OR(0xffe0000, 0x20000), OR(0xfffc0000, 0x40000),
		 OR(0xfd00000000, 0x300000000)) },
	{ .name = "e820_cf_terminated_last_entry_dropped",
	  .bios = { E820(E24(0, 0x9fc00, 1, 1, 1), E24(0x9fc00, 0x400, 2, 1, 2),
			 E24(0x100000, 0x7f00000, 1, 1, 3),
			 /* CF set, no SMAP, and junk in the buffer */
			 { .cf = 1, .eax = 0x8600, .ebx = 0, .ecx = 24,
			   .write = FAKE_W_BASE | FAKE_W_LENGTH | FAKE_W_TYPE,
			   .base = 0x8000000, .length = 0x1000000, .type = 1 }),
		    LOWMEM_639 },
	  .ret = BOOTINFO_SOURCE_E820, CONV_639,
	  .q = { Q639, .e820_end = E820_END_CF, .e820_calls = 4, .e820_entries = 3 },
	  RAW(RW24(0, 0x9fc00, 1, 1), RW24(0x9fc00, 0x400, 2, 1), RW24(0x100000, 0x7f00000, 1, 1)),
	  MAP(OU(0, 0x9f000), OR(0x9f000, 0x1000), OU(0x100000, 0x7f00000)) },
	{ .name = "e820_no_smap_on_later_call_entry_dropped",
	  .bios = { E820(E20(0, 0x9fc00, 1, 1), E20(0x100000, 0x1f00000, 1, 2),
			 { .cf = 0, .eax = 0, .ebx = 0, .ecx = 20,
			   .write = FAKE_W_BASE | FAKE_W_LENGTH | FAKE_W_TYPE,
			   .base = 0x2000000, .length = 0x1000000, .type = 1 }),
		    LOWMEM_639 },
	  .ret = BOOTINFO_SOURCE_E820, CONV_639,
	  .q = { Q639, .flags = QUIRK_E820_SHORT_ENTRIES, .e820_end = E820_END_NO_SMAP,
		 .e820_calls = 3, .e820_entries = 2 },
	  RAW(RW20(0, 0x9fc00, 1), RW20(0x100000, 0x1f00000, 1)),
	  MAP(OU(0, 0x9f000), OU(0x100000, 0x1f00000)) },
	{ .name = "e820_ecx_below_20_on_later_call",
	  .bios = { E820(E20(0, 0x9fc00, 1, 1), E20(0x100000, 0x1f00000, 1, 2),
			 { .eax = E820_SMAP, .ebx = 3, .ecx = 16, .write = FAKE_W_BASE,
			   .base = 0x4000000 }),
		    LOWMEM_639 },
	  .ret = BOOTINFO_SOURCE_E820, CONV_639,
	  .q = { Q639, .flags = QUIRK_E820_SHORT_ENTRIES, .e820_end = E820_END_BAD_SIZE,
		 .e820_calls = 3, .e820_entries = 2 },
	  RAW(RW20(0, 0x9fc00, 1), RW20(0x100000, 0x1f00000, 1)),
	  MAP(OU(0, 0x9f000), OU(0x100000, 0x1f00000)) },
	{ .name = "e820_one_entry_falls_back_to_e801",
	  .bios = { E820(E20(0, 0x9fc00, 1, 0)),
		    .e801 = { .present = 1, .cx = 0x3c00, .dx = 0xf00 }, LOWMEM_639 },
	  .ret = BOOTINFO_SOURCE_E801, CONV_639,
	  .q = { Q639,
		 .flags = QUIRK_E820_SHORT_ENTRIES | QUIRK_E820_ONE_ENTRY | QUIRK_E801_CXDX,
		 .e820_end = E820_END_EBX_ZERO, .e820_calls = 1, .e820_entries = 1,
		 .e801_low_kib = 0x3c00, .e801_high_64k = 0xf00 },
	  RAW(RAW_LOW_639, RSYN(0x100000, 0xf00000, 1), RSYN(0x1000000, 0xf000000, 1)),
	  MAP(MAP_LOW_639, OU(0x100000, 0xff00000)) },
	{ .name = "e820_24_byte_attr_clear_everywhere_ignored",
	  .bios = { E820(E24(0, 0x9fc00, 1, 0, 1), E24(0x9fc00, 0x400, 2, 0, 2),
			 E24(0xe8000, 0x18000, 2, 0, 3), E24(0x100000, 0x7ef0000, 1, 0, 4),
			 E24(0x7ff0000, 0x10000, 3, 0, 0)),
		    LOWMEM_639 },
	  .ret = BOOTINFO_SOURCE_E820, CONV_639,
	  .q = { Q639, .flags = QUIRK_E820_ATTR_ALL_CLEAR, .e820_end = E820_END_EBX_ZERO,
		 .e820_calls = 5, .e820_entries = 5 },
	  RAW(RW24(0, 0x9fc00, 1, 0), RW24(0x9fc00, 0x400, 2, 0), RW24(0xe8000, 0x18000, 2, 0),
	      RW24(0x100000, 0x7ef0000, 1, 0), RW24(0x7ff0000, 0x10000, 3, 0)),
	  MAP(OU(0, 0x9f000), OR(0x9f000, 0x1000), OR(0xe8000, 0x18000),
	      OU(0x100000, 0x7ef0000), OA(0x7ff0000, 0x10000)) },
	{ .name = "e820_24_byte_attr_clear_on_some_dropped",
	  .bios = { E820(E24(0, 0x9fc00, 1, 1, 1), E24(0x9fc00, 0x400, 2, 1, 2),
			 E24(0x100000, 0x7f00000, 1, 1, 3), E24(0x200000, 0x100000, 2, 0, 4),
			 E24(0x8000000, 0x8000000, 1, 0, 5), E24(0xfffc0000, 0x40000, 2, 3, 0)),
		    LOWMEM_639 },
	  .ret = BOOTINFO_SOURCE_E820, CONV_639,
	  .q = { Q639, .flags = QUIRK_E820_ATTR_HONOURED, .e820_end = E820_END_EBX_ZERO,
		 .e820_calls = 6, .e820_entries = 6, .dropped_attr = 2 },
	  RAW(RW24(0, 0x9fc00, 1, 1), RW24(0x9fc00, 0x400, 2, 1), RW24(0x100000, 0x7f00000, 1, 1),
	      RW24(0x200000, 0x100000, 2, 0), RW24(0x8000000, 0x8000000, 1, 0),
	      RW24(0xfffc0000, 0x40000, 2, 3)),
	  MAP(OU(0, 0x9f000), OR(0x9f000, 0x1000), OU(0x100000, 0x7f00000),
	      OR(0xfffc0000, 0x40000)) },
	{ .name = "e820_attr_clear_before_first_valid_still_dropped",
	  .bios = { E820(E24(0x8000000, 0x1000000, 1, 0, 1), E24(0, 0x9fc00, 1, 1, 2),
			 E24(0x100000, 0x7f00000, 1, 1, 0)),
		    LOWMEM_639 },
	  .ret = BOOTINFO_SOURCE_E820, CONV_639,
	  .q = { Q639, .flags = QUIRK_E820_ATTR_HONOURED, .e820_end = E820_END_EBX_ZERO,
		 .e820_calls = 3, .e820_entries = 3, .dropped_attr = 1 },
	  RAW(RW24(0x8000000, 0x1000000, 1, 0), RW24(0, 0x9fc00, 1, 1),
	      RW24(0x100000, 0x7f00000, 1, 1)),
	  MAP(OU(0, 0x9f000), OU(0x100000, 0x7f00000)) },
	{ .name = "e820_ecx_20_attr_dword_not_trusted",
	  /* ECX = 20 while the BIOS scribbled 0 over the attribute dword. */
	  .bios = { E820({ .eax = E820_SMAP, .ebx = 1, .ecx = 20,
			   .write = FAKE_W_BASE | FAKE_W_LENGTH | FAKE_W_TYPE | FAKE_W_ATTR,
			   .base = 0, .length = 0x9fc00, .type = 1, .attr = 0 },
			 { .eax = E820_SMAP, .ebx = 0, .ecx = 20,
			   .write = FAKE_W_BASE | FAKE_W_LENGTH | FAKE_W_TYPE | FAKE_W_ATTR,
			   .base = 0x100000, .length = 0x1f00000, .type = 1, .attr = 0 }),
		    LOWMEM_639 },
	  .ret = BOOTINFO_SOURCE_E820, CONV_639,
	  .q = { Q639, .flags = QUIRK_E820_SHORT_ENTRIES, .e820_end = E820_END_EBX_ZERO,
		 .e820_calls = 2, .e820_entries = 2 },
	  RAW(RW20(0, 0x9fc00, 1), RW20(0x100000, 0x1f00000, 1)),
	  MAP(OU(0, 0x9f000), OU(0x100000, 0x1f00000)) },
	{ .name = "e820_bios_rewrites_only_changed_fields",
	  .bios = { E820(E24(0, 0x9fc00, 1, 1, 1),
			 { .eax = E820_SMAP, .ebx = 2, .ecx = 24,
			   .write = FAKE_W_BASE | FAKE_W_LENGTH, .base = 0x100000,
			   .length = 0x7f00000 },
			 { .eax = E820_SMAP, .ebx = 3, .ecx = 24, .write = FAKE_W_BASE | FAKE_W_TYPE,
			   .base = 0x8000000, .type = 2 },
			 { .eax = E820_SMAP, .ebx = 0, .ecx = 24, .write = FAKE_W_BASE,
			   .base = 0x10000000 }),
		    LOWMEM_639 },
	  .ret = BOOTINFO_SOURCE_E820, CONV_639,
	  .q = { Q639, .e820_end = E820_END_EBX_ZERO, .e820_calls = 4, .e820_entries = 4 },
	  RAW(RW24(0, 0x9fc00, 1, 1), RW24(0x100000, 0x7f00000, 1, 1),
	      RW24(0x8000000, 0x7f00000, 2, 1), RW24(0x10000000, 0x7f00000, 2, 1)),
	  MAP(OU(0, 0x9f000), OU(0x100000, 0x7f00000), OR(0x8000000, 0x7f00000),
	      OR(0x10000000, 0x7f00000)) },
	{ .name = "e820_zero_length_entry_kept_raw_skipped",
	  .bios = { E820(E20(0, 0x9fc00, 1, 1), E20(0x9fc00, 0x400, 2, 2),
			 E20(0xf0000, 0x10000, 2, 3), E20(0x100000, 0xfee0000, 1, 4),
			 E20(0x200000, 0, 2, 5), E20(0xffe0000, 0x20000, 2, 6),
			 E20(0xfffc0000, 0x40000, 2, 7), E20(0xfd00000000, 0x300000000, 2, 0)),
		    LOWMEM_639 },
	  .ret = BOOTINFO_SOURCE_E820, CONV_639,
	  .q = { Q639, .flags = QUIRK_E820_SHORT_ENTRIES | QUIRK_ZERO_LENGTH,
		 .e820_end = E820_END_EBX_ZERO, .e820_calls = 8, .e820_entries = 8,
		 .dropped_zero = 1 },
	  RAW(RW20(0, 0x9fc00, 1), RW20(0x9fc00, 0x400, 2), RW20(0xf0000, 0x10000, 2),
	      RW20(0x100000, 0xfee0000, 1), RW20(0x200000, 0, 2), RW20(0xffe0000, 0x20000, 2),
	      RW20(0xfffc0000, 0x40000, 2), RW20(0xfd00000000, 0x300000000, 2)),
	  QEMU_256M_MAP },
	{ .name = "e820_unknown_types_reserved",
	  .bios = { E820(E24(0, 0x9fc00, 1, 1, 1), E24(0x9fc00, 0x400, 2954887168u, 1, 2),
			 E24(0xf0000, 0x10000, 12, 1, 3), E24(0x100000, 0x7f00000, 1, 1, 4),
			 E24(0x8000000, 0x100000, 6, 1, 5), E24(0x8100000, 0x100000, 0, 1, 0)),
		    LOWMEM_639 },
	  .ret = BOOTINFO_SOURCE_E820, CONV_639,
	  .q = { Q639, .flags = QUIRK_UNKNOWN_TYPE, .e820_end = E820_END_EBX_ZERO,
		 .e820_calls = 6, .e820_entries = 6, .unknown_types = 3 },
	  RAW(RW24(0, 0x9fc00, 1, 1), RW24(0x9fc00, 0x400, 2954887168u, 1),
	      RW24(0xf0000, 0x10000, 12, 1), RW24(0x100000, 0x7f00000, 1, 1),
	      RW24(0x8000000, 0x100000, 6, 1), RW24(0x8100000, 0x100000, 0, 1)),
	  MAP(OU(0, 0x9f000), OR(0x9f000, 0x1000), OR(0xf0000, 0x10000), OU(0x100000, 0x7f00000),
	      OR(0x8000000, 0x200000)) },
	{ .name = "e820_unsorted_reserved_inside_usable_limine185",
	  .bios = { E820(E20(0, 0x9fc00, 1, 1), E20(0x100000, 0x3ff00000, 1, 2),
			 E20(0x8000000, 0x100000, 2, 3), E20(0x9fc00, 0x400, 2, 0)),
		    LOWMEM_639 },
	  .ret = BOOTINFO_SOURCE_E820, CONV_639,
	  .q = { Q639, .flags = QUIRK_E820_SHORT_ENTRIES, .e820_end = E820_END_EBX_ZERO,
		 .e820_calls = 4, .e820_entries = 4 },
	  RAW(RW20(0, 0x9fc00, 1), RW20(0x100000, 0x3ff00000, 1), RW20(0x8000000, 0x100000, 2),
	      RW20(0x9fc00, 0x400, 2)),
	  MAP(OU(0, 0x9f000), OR(0x9f000, 0x1000), OU(0x100000, 0x7f00000),
	      OR(0x8000000, 0x100000), OU(0x8100000, 0x37f00000)) },
	{ .name = "e820_ebx_never_zero_loop_bound", .setup = setup_ebx_never_zero,
	  .bios = { LOWMEM_639 },
	  .ret = BOOTINFO_SOURCE_E820, CONV_639,
	  .q = { Q639, .flags = QUIRK_E820_SHORT_ENTRIES | QUIRK_RAW_OVERFLOW,
		 .e820_end = E820_END_BOUND, .e820_calls = E820_MAX_CALLS,
		 .e820_entries = E820_MAX_CALLS, .raw_overflow = E820_MAX_CALLS - BOOTINFO_RAW_MAX },
	  MAP(OU(0, 0x9f000), OU(0x100000, 0xf00000)) },
	{ .name = "e820_more_entries_than_raw_max", .setup = setup_raw_overflow,
	  .bios = { LOWMEM_639 },
	  .ret = BOOTINFO_SOURCE_E820, CONV_639,
	  /* No E820 entry covers address 0 while INT 12h says 639 KiB. */
	  .q = { Q639, .flags = QUIRK_RAW_OVERFLOW | QUIRK_E820_INT12_MISMATCH,
		 .e820_end = E820_END_EBX_ZERO,
		 .e820_calls = 200, .e820_entries = 200, .raw_overflow = 200 - BOOTINFO_RAW_MAX } },
	{ .name = "e820_fold_attr_clear_entries_before_valid", .setup = setup_fold_clear_first,
	  .bios = { LOWMEM_639 },
	  .ret = BOOTINFO_SOURCE_E820, CONV_639,
	  .q = { Q639, .flags = QUIRK_E820_ATTR_HONOURED, .e820_end = E820_END_EBX_ZERO,
		 .e820_calls = 100, .e820_entries = 100, .dropped_attr = 97 },
	  MAP(OU(0, 0x9f000), OR(0x9f000, 0x1000), OR(0xfffc0000, 0x40000)) },
	{ .name = "e820_fold_attr_clear_entries_after_valid", .setup = setup_fold_clear_after_valid,
	  .bios = { LOWMEM_639 },
	  .ret = BOOTINFO_SOURCE_E820, CONV_639,
	  .q = { Q639, .flags = QUIRK_E820_ATTR_HONOURED, .e820_end = E820_END_EBX_ZERO,
		 .e820_calls = 103, .e820_entries = 103, .dropped_attr = 100 },
	  MAP(OU(0, 0x9f000), OR(0x9f000, 0x1000), OR(0xfffc0000, 0x40000)) },
	{ .name = "e820_fold_attr_clear_everywhere_ignored", .setup = setup_fold_clear_everywhere,
	  .bios = { LOWMEM_639 },
	  .ret = BOOTINFO_SOURCE_E820, CONV_639,
	  .q = { Q639, .flags = QUIRK_E820_ATTR_ALL_CLEAR, .e820_end = E820_END_EBX_ZERO,
		 .e820_calls = 111, .e820_entries = 111 },
	  MAP(OU(0, 0x9f000), OU(0x100000, 0x6e0000)) },

	/* --- cross-checks: a second walk, INT 12h, E801 ------------------- */
	{ .name = "e820_agrees_with_int12_and_e801_qemu",
	  /* SeaBIOS's own E801 answer for 256 MiB: 15 MiB in CX, and
	   * (0xffe0000 - 16 MiB) / 64 KiB = 0xefe blocks in DX. */
	  .bios = { QEMU_256M_ANSWERS, .e801 = { .present = 1, .cx = 0x3c00, .dx = 0xefe },
		    LOWMEM_639 },
	  .ret = BOOTINFO_SOURCE_E820, CONV_639, .check_cross = 1,
	  .q = { Q639, .flags = QUIRK_E820_SHORT_ENTRIES | QUIRK_E801_CXDX,
		 .e820_end = E820_END_EBX_ZERO, .e820_calls = 7, .e820_entries = 7,
		 .e820_recheck_calls = 7, .e801_low_kib = 0x3c00, .e801_high_64k = 0xefe,
		 .e820_conv_kib = 639, .e820_ext_low_kib = 0x3c00, .e820_ext_high_64k = 0xefe },
	  QEMU_256M_RAW, QEMU_256M_MAP },
	{ .name = "e820_disagrees_with_e801",
	  .bios = { QEMU_256M_ANSWERS, .e801 = { .present = 1, .ax = 0x3c00, .bx = 0x100 },
		    LOWMEM_639 },
	  .ret = BOOTINFO_SOURCE_E820, CONV_639, .check_cross = 1,
	  .q = { Q639, .flags = QUIRK_E820_SHORT_ENTRIES | QUIRK_E820_E801_MISMATCH,
		 .e820_end = E820_END_EBX_ZERO, .e820_calls = 7, .e820_entries = 7,
		 .e820_recheck_calls = 7, .e801_low_kib = 0x3c00, .e801_high_64k = 0x100,
		 .e820_conv_kib = 639, .e820_ext_low_kib = 0x3c00, .e820_ext_high_64k = 0xefe },
	  QEMU_256M_RAW, QEMU_256M_MAP },
	{ .name = "e820_low_ram_636_int12_639_bochs_like",
	  /* Bochs' BIOS: E820 ends low RAM at 0x9f000, INT 12h says 639 KiB.
	   * 1..16 MiB: 15 MiB; from 16 MiB up to 0x1ff0000: 0xff blocks. */
	  .bios = { E820(E20(0, 0x9f000, 1, 1), E20(0x9f000, 0x1000, 2, 2),
			 E20(0xe8000, 0x18000, 2, 3), E20(0x100000, 0x1ef0000, 1, 4),
			 E20(0x1ff0000, 0x10000, 3, 0)),
		    LOWMEM_639 },
	  .ret = BOOTINFO_SOURCE_E820, CONV_639, .check_cross = 1,
	  .q = { Q639, .flags = QUIRK_E820_SHORT_ENTRIES | QUIRK_E820_INT12_MISMATCH,
		 .e820_end = E820_END_EBX_ZERO, .e820_calls = 5, .e820_entries = 5,
		 .e820_recheck_calls = 5, .e820_conv_kib = 636, .e820_ext_low_kib = 0x3c00,
		 .e820_ext_high_64k = 0xff },
	  RAW(RW20(0, 0x9f000, 1), RW20(0x9f000, 0x1000, 2), RW20(0xe8000, 0x18000, 2),
	      RW20(0x100000, 0x1ef0000, 1), RW20(0x1ff0000, 0x10000, 3)),
	  MAP(OU(0, 0x9f000), OR(0x9f000, 0x1000), OR(0xe8000, 0x18000),
	      OU(0x100000, 0x1ef0000), OA(0x1ff0000, 0x10000)) },
	{ .name = "e820_second_walk_answers_otherwise",
	  /* The second walk returns the high block 64 KiB shorter and one entry
	   * fewer: two differences (one entry, and the count). */
	  .bios = { E820(E20(0, 0x9fc00, 1, 1), E20(0x100000, 0x1f00000, 1, 2),
			 E20(0xfffc0000, 0x40000, 2, 0)),
		    .e820_rewalk = (const struct fake_e820_answer[]){
			    E20(0, 0x9fc00, 1, 1), E20(0x100000, 0x1ef0000, 1, 0) },
		    .e820_rewalk_count = 2, LOWMEM_639 },
	  .ret = BOOTINFO_SOURCE_E820, CONV_639, .check_cross = 1,
	  .q = { Q639, .flags = QUIRK_E820_SHORT_ENTRIES | QUIRK_E820_UNSTABLE,
		 .e820_end = E820_END_EBX_ZERO, .e820_calls = 3, .e820_entries = 3,
		 .e820_recheck_calls = 2, .e820_recheck_diff = 2, .e820_conv_kib = 639,
		 /* usable runs to 0x2000000: 16 MiB above 16 MiB = 0x100 blocks */
		 .e820_ext_low_kib = 0x3c00, .e820_ext_high_64k = 0x100 },
	  RAW(RW20(0, 0x9fc00, 1), RW20(0x100000, 0x1f00000, 1), RW20(0xfffc0000, 0x40000, 2)),
	  MAP(OU(0, 0x9f000), OU(0x100000, 0x1f00000), OR(0xfffc0000, 0x40000)) },

	/* --- fallbacks ----------------------------------------------------- */
	{ .name = "no_e820_no_smap_then_e801_ax_bx",
	  .bios = { E820({ .cf = 0, .eax = 0, .ebx = 0, .ecx = 0 }),
		    .e801 = { .present = 1, .ax = 0x3c00, .bx = 0x300 }, LOWMEM_639 },
	  .ret = BOOTINFO_SOURCE_E801, CONV_639,
	  .q = { Q639, .e820_end = E820_END_NONE, .e820_calls = 1, .e801_low_kib = 0x3c00,
		 .e801_high_64k = 0x300 },
	  RAW(RAW_LOW_639, RSYN(0x100000, 0xf00000, 1), RSYN(0x1000000, 0x3000000, 1)),
	  MAP(MAP_LOW_639, OU(0x100000, 0x3f00000)) },
	{ .name = "no_e820_cf_then_e801_cx_dx_isa_hole",
	  .bios = { E820({ .cf = 1, .eax = 0x8600 }),
		    .e801 = { .present = 1, .cx = 0x3800, .dx = 0x100 }, LOWMEM_639,
		    .upper_garbage = 1 },
	  .ret = BOOTINFO_SOURCE_E801, CONV_639,
	  .q = { Q639, .flags = QUIRK_E801_CXDX, .e820_end = E820_END_NONE, .e820_calls = 1,
		 .e801_low_kib = 0x3800, .e801_high_64k = 0x100 },
	  RAW(RAW_LOW_639, RSYN(0x100000, 0xe00000, 1), RSYN(0x1000000, 0x1000000, 1)),
	  MAP(MAP_LOW_639, OU(0x100000, 0xe00000), OU(0x1000000, 0x1000000)) },
	{ .name = "e801_bogus_ax_falls_back_to_88h",
	  .bios = { NO_E820, .e801 = { .present = 1, .ax = 0x3c01, .bx = 0x100 },
		    .e88 = { .present = 1, .ax = 0xfc00 }, LOWMEM_639 },
	  .ret = BOOTINFO_SOURCE_88, CONV_639,
	  .q = { Q639, .flags = QUIRK_E801_BOGUS, .e820_end = E820_END_NONE, .e820_calls = 1,
		 .e801_low_kib = 0x3c01, .e801_high_64k = 0x100, .ext88_kib = 0xfc00 },
	  RAW(RAW_LOW_639, RSYN(0x100000, 0x3f00000, 1)),
	  MAP(MAP_LOW_639, OU(0x100000, 0x3f00000)) },
	{ .name = "no_e801_then_88h",
	  .bios = { NO_E820, .e88 = { .present = 1, .ax = 0x3c00 }, LOWMEM_639,
		    .upper_garbage = 1 },
	  .ret = BOOTINFO_SOURCE_88, CONV_639,
	  .q = { Q639, .e820_end = E820_END_NONE, .e820_calls = 1, .ext88_kib = 0x3c00 },
	  RAW(RAW_LOW_639, RSYN(0x100000, 0xf00000, 1)),
	  MAP(MAP_LOW_639, OU(0x100000, 0xf00000)) },
	{ .name = "e801_cf_set_then_88h",
	  .bios = { NO_E820, .e801 = { .present = 1, .cf = 1, .ax = 0x3c00, .bx = 0x100 },
		    .e88 = { .present = 1, .ax = 0x7c00 }, LOWMEM_639 },
	  .ret = BOOTINFO_SOURCE_88, CONV_639,
	  .q = { Q639, .e820_end = E820_END_NONE, .e820_calls = 1, .ext88_kib = 0x7c00 },
	  RAW(RAW_LOW_639, RSYN(0x100000, 0x1f00000, 1)),
	  MAP(MAP_LOW_639, OU(0x100000, 0x1f00000)) },
	{ .name = "nothing_at_all_returns_0",
	  .bios = { NO_E820, LOWMEM_639 },
	  .ret = 0, CONV_639,
	  .q = { Q639, .e820_end = E820_END_NONE, .e820_calls = 1 },
	  NO_RAW, NO_MAP },
	{ .name = "int12_and_bda_insane_returns_0_before_any_probe",
	  .bios = { QEMU_256M_ANSWERS, .int12_present = 1, .int12_ax = 0xffff,
		    .bda_base_kib = 16, .bda_ebda_seg = 0 },
	  .ret = 0, .conv_top = 0, .conv_kib = 0, .ebda_base = 0,
	  .q = { .int12_kib = 0xffff, .bda_kib = 16, .flags = QUIRK_INT12_BAD },
	  NO_RAW, NO_MAP },

	/* --- conventional memory ------------------------------------------- */
	{ .name = "int12_447_bda_639_conv_mismatch",
	  .bios = { NO_E820, .e801 = { .present = 1, .ax = 0x3c00, .bx = 0 },
		    .int12_present = 1, .int12_ax = 447, .bda_base_kib = 639,
		    .bda_ebda_seg = 0x9fc0 },
	  .ret = BOOTINFO_SOURCE_E801, .conv_top = 0x6fc00, .conv_kib = 447,
	  .ebda_base = 0x9fc00,
	  .q = { .int12_kib = 447, .bda_kib = 639, .flags = QUIRK_CONV_MISMATCH,
		 .e820_end = E820_END_NONE, .e820_calls = 1, .e801_low_kib = 0x3c00 },
	  RAW(RSYN(0, 0x6fc00, 1), RSYN(0x6fc00, 0x90400, 2), RSYN(0x100000, 0xf00000, 1)),
	  MAP(OU(0, 0x6f000), OR(0x6f000, 0x91000), OU(0x100000, 0xf00000)),
	  CARVED(OR(0, 0x500), OL(0x500, 0x5fb00), OU(0x60000, 0xf000), OR(0x6f000, 0x91000),
		 OU(0x100000, 0xf00000)) },
	{ .name = "int12_out_of_range_bda_used",
	  .bios = { QEMU_256M_ANSWERS, .int12_present = 1, .int12_ax = 0xffff,
		    .bda_base_kib = 639, .bda_ebda_seg = 0, .upper_garbage = 1 },
	  .ret = BOOTINFO_SOURCE_E820, .conv_top = 0x9fc00, .conv_kib = 639, .ebda_base = 0,
	  .q = { .int12_kib = 0xffff, .bda_kib = 639,
		 .flags = QUIRK_INT12_BAD | QUIRK_E820_SHORT_ENTRIES,
		 .e820_end = E820_END_EBX_ZERO, .e820_calls = 7, .e820_entries = 7 },
	  QEMU_256M_RAW, QEMU_256M_MAP },
	{ .name = "ebda_below_int12_wins",
	  .bios = { NO_E820, .e88 = { .present = 1, .ax = 0x7c00 }, .int12_present = 1,
		    .int12_ax = 639, .bda_base_kib = 639, .bda_ebda_seg = 0x9000 },
	  .ret = BOOTINFO_SOURCE_88, .conv_top = 0x90000, .conv_kib = 576, .ebda_base = 0x90000,
	  .q = { Q639, .flags = QUIRK_CONV_MISMATCH, .e820_end = E820_END_NONE,
		 .e820_calls = 1, .ext88_kib = 0x7c00 },
	  RAW(RSYN(0, 0x90000, 1), RSYN(0x90000, 0x70000, 2), RSYN(0x100000, 0x1f00000, 1)),
	  MAP(OU(0, 0x90000), OR(0x90000, 0x70000), OU(0x100000, 0x1f00000)) },
};

/* ------------------------------------------------------------------------
 * Generated scripts: the inputs are generated, the expectations are the
 * hand-derived formulas next to them.
 */
static struct fake_e820_answer gen_answers[600];
static struct raw_want gen_raw[BOOTINFO_RAW_MAX];
static struct map_want gen_map[64];

/* A BIOS whose EBX never returns to 0: the first answer is low memory,
 * every later one the same 1..16 MiB entry.  The walk stops after
 * E820_MAX_CALLS calls; raw keeps the first BOOTINFO_RAW_MAX answers. */
static void setup_ebx_never_zero(struct mcase *c)
{
	for (u32 i = 0; i < 600; i++)
		gen_answers[i] = (struct fake_e820_answer)E20(i ? 0x100000 : 0, i ? 0xf00000 : 0x9fc00,
							      1, i + 1);
	c->bios.e820 = gen_answers;
	c->bios.e820_count = 600;
	gen_raw[0] = (struct raw_want)RW20(0, 0x9fc00, 1);
	for (u32 i = 1; i < BOOTINFO_RAW_MAX; i++)
		gen_raw[i] = (struct raw_want)RW20(0x100000, 0xf00000, 1);
	c->raw = gen_raw;
	c->n_raw = BOOTINFO_RAW_MAX;
}

/* 200 entries of 64 KiB from 1 MiB up, answered from the top down
 * (unsorted); answer i covers block j = 199 - i, reserved when i % 10 == 9,
 * i.e. when j % 10 == 0.  So the map alternates: block 10k reserved, blocks
 * 10k+1..10k+9 usable, for k = 0..19.  The walk folds its ranges twice
 * (MEMDETECT_RANGES_MAX = 96) and keeps 128 raw entries. */
static void setup_raw_overflow(struct mcase *c)
{
	for (u32 i = 0; i < 200; i++)
		gen_answers[i] = (struct fake_e820_answer)E24(0x100000 + (u64)(199 - i) * 0x10000,
							      0x10000, i % 10 == 9 ? 2 : 1, 1,
							      i == 199 ? 0 : i + 1);
	c->bios.e820 = gen_answers;
	c->bios.e820_count = 200;
	for (u32 i = 0; i < BOOTINFO_RAW_MAX; i++)
		gen_raw[i] = (struct raw_want)RW24(0x100000 + (u64)(199 - i) * 0x10000, 0x10000,
						   i % 10 == 9 ? 2 : 1, 1);
	c->raw = gen_raw;
	c->n_raw = BOOTINFO_RAW_MAX;
	for (u32 k = 0; k < 20; k++) {
		gen_map[2 * k] = (struct map_want)OR(0x100000 + (u64)k * 0xa0000, 0x10000);
		gen_map[2 * k + 1] = (struct map_want)OU(0x110000 + (u64)k * 0xa0000, 0x90000);
	}
	c->map = gen_map;
	c->n_map = 40;
}

/* More than MEMDETECT_RANGES_MAX entries with the ACPI 3.0 valid bit clear,
 * then three valid ones: the walk folds while it has seen no valid entry,
 * yet the bit must be honoured for all 97 clear entries in the end. */
static void setup_fold_clear_first(struct mcase *c)
{
	u32 n = 0;
	for (; n < 97; n++)
		gen_answers[n] = (struct fake_e820_answer)E24(0x100000 + (u64)n * 0x10000, 0x10000, 1,
							      0, n + 1);
	gen_answers[97] = (struct fake_e820_answer)E24(0, 0x9fc00, 1, 1, 98);
	gen_answers[98] = (struct fake_e820_answer)E24(0x9fc00, 0x400, 2, 1, 99);
	gen_answers[99] = (struct fake_e820_answer)E24(0xfffc0000, 0x40000, 2, 3, 0);
	n = 100;
	c->bios.e820 = gen_answers;
	c->bios.e820_count = n;
	for (u32 i = 0; i < 97; i++)
		gen_raw[i] = (struct raw_want)RW24(0x100000 + (u64)i * 0x10000, 0x10000, 1, 0);
	gen_raw[97] = (struct raw_want)RW24(0, 0x9fc00, 1, 1);
	gen_raw[98] = (struct raw_want)RW24(0x9fc00, 0x400, 2, 1);
	gen_raw[99] = (struct raw_want)RW24(0xfffc0000, 0x40000, 2, 3);
	c->raw = gen_raw;
	c->n_raw = 100;
}

/* Three valid entries, then 100 with the valid bit clear: each one dropped
 * must be counted, folded or not. */
static void setup_fold_clear_after_valid(struct mcase *c)
{
	u32 n = 3;
	gen_answers[0] = (struct fake_e820_answer)E24(0, 0x9fc00, 1, 1, 1);
	gen_answers[1] = (struct fake_e820_answer)E24(0x9fc00, 0x400, 2, 1, 2);
	gen_answers[2] = (struct fake_e820_answer)E24(0xfffc0000, 0x40000, 2, 3, 3);
	for (u32 i = 0; i < 100; i++, n++)
		gen_answers[n] = (struct fake_e820_answer)E24(0x100000 + (u64)i * 0x10000, 0x10000, 1,
							      0, i == 99 ? 0 : n + 1);
	c->bios.e820 = gen_answers;
	c->bios.e820_count = n;
	gen_raw[0] = (struct raw_want)RW24(0, 0x9fc00, 1, 1);
	gen_raw[1] = (struct raw_want)RW24(0x9fc00, 0x400, 2, 1);
	gen_raw[2] = (struct raw_want)RW24(0xfffc0000, 0x40000, 2, 3);
	for (u32 i = 0; i < 100; i++)
		gen_raw[3 + i] = (struct raw_want)RW24(0x100000 + (u64)i * 0x10000, 0x10000, 1, 0);
	c->raw = gen_raw;
	c->n_raw = 103;
}

/* Low memory and 110 blocks of 64 KiB from 1 MiB, every one with the valid
 * bit clear: the bit is ignored, folded or not, and all of it is usable
 * (110 * 64 KiB = 0x6e0000). */
static void setup_fold_clear_everywhere(struct mcase *c)
{
	gen_answers[0] = (struct fake_e820_answer)E24(0, 0x9fc00, 1, 0, 1);
	gen_raw[0] = (struct raw_want)RW24(0, 0x9fc00, 1, 0);
	for (u32 i = 1; i <= 110; i++) {
		gen_answers[i] = (struct fake_e820_answer)E24(0x100000 + (u64)(i - 1) * 0x10000,
							      0x10000, 1, 0, i == 110 ? 0 : i + 1);
		gen_raw[i] = (struct raw_want)RW24(0x100000 + (u64)(i - 1) * 0x10000, 0x10000, 1, 0);
	}
	c->bios.e820 = gen_answers;
	c->bios.e820_count = 111;
	c->raw = gen_raw;
	c->n_raw = 111;
}

/* ------------------------------------------------------------------------ */

static void check_map(const char *what, const struct bootinfo_map_entry *got, u32 n_got,
		      const struct map_want *want, u32 n_want)
{
	if (n_got != n_want)
		t_fail("%s: %u entries, want %u", what, n_got, n_want);
	for (u32 i = 0; i < n_got && i < n_want; i++)
		if (got[i].base != want[i].base || got[i].length != want[i].length ||
		    got[i].type != want[i].type)
			t_fail("%s[%u]: got %#llx+%#llx %s, want %#llx+%#llx %s", what, i,
			       (unsigned long long)got[i].base, (unsigned long long)got[i].length,
			       memtype_name(got[i].type), (unsigned long long)want[i].base,
			       (unsigned long long)want[i].length, memtype_name(want[i].type));
}

#define QCHECK(field) CHECK_EQ_U64("quirks." #field, bi->quirks.field, c->q.field)

/* The firmware ranges plus, with carve, the regions stage2's sanitize_map()
 * adds before any loader region or kernel exists: IVT/BDA, conventional
 * top to 1 MiB, and the low loader area. */
static u32 sanitize_ranges(const struct memdetect *md, int carve, struct bootinfo_map_entry *out)
{
	u32 n = md->nranges;
	struct mem_range *in = malloc(sizeof(*in) * (n + 3));
	struct change_point *pts = malloc(sizeof(*pts) * 2 * (n + 3));
	struct bootinfo_map_entry *tmp = malloc(sizeof(*tmp) * 2 * (n + 3));
	struct sanitize_scratch scratch = { pts, tmp };
	struct sanitize_result res;

	if (!in || !pts || !tmp)
		abort();
	memcpy(in, md->ranges, sizeof(*in) * n);
	if (carve) {
		in[n++] = (struct mem_range){ 0, IVT_BDA_END, RANK_RESERVED, 0 };
		in[n++] = (struct mem_range){ md->conv_top, 0x100000 - md->conv_top, RANK_RESERVED,
					      0 };
		in[n++] = (struct mem_range){ LOADER_LOW_BASE, LOADER_LOW_END - LOADER_LOW_BASE,
					      RANK_LOADER, 0 };
	}
	memmap_sanitize(in, n, &scratch, out, BOOTINFO_MAP_MAX, 0, &res);
	CHECK(res.coarsened == 0 && res.wrapped == 0, "sanitize: coarsened %u wrapped %u",
	      res.coarsened, res.wrapped);
	free(in);
	free(pts);
	free(tmp);
	return res.count;
}

static void run_case(const struct mcase *tc)
{
	struct mcase c_ = *tc, *c = &c_;
	/* Every buffer exactly as large as memory.h asks, so that
	 * AddressSanitizer catches an overrun. */
	struct bootinfo *bi = calloc(1, sizeof(*bi));
	struct mem_range *ranges = calloc(MEMDETECT_RANGES_MAX, sizeof(*ranges));
	struct change_point *pts = calloc(2 * MEMDETECT_RANGES_MAX, sizeof(*pts));
	struct bootinfo_map_entry *tmp = calloc(2 * MEMDETECT_RANGES_MAX, sizeof(*tmp));
	struct bootinfo_map_entry *fold = calloc(MEMDETECT_RANGES_MAX / 2, sizeof(*fold));
	static struct bootinfo_map_entry map[BOOTINFO_MAP_MAX];

	if (!bi || !ranges || !pts || !tmp || !fold)
		abort();
	t_begin(c->name);
	if (c->setup)
		c->setup(c);
	fake_bios_set(&c->bios);
	struct memdetect md = { .bi = bi, .ranges = ranges, .scratch = { pts, tmp }, .fold = fold };

	int ret = detect_memory(&md);

	CHECK_EQ_U64("detect_memory()", ret, c->ret);
	CHECK_EQ_U64("bi->source", bi->source, c->ret);
	CHECK_EQ_U64("md.conv_top", md.conv_top, c->conv_top);
	CHECK_EQ_U64("bi->conv_mem_kib", bi->conv_mem_kib, c->conv_kib);
	CHECK_EQ_U64("bi->ebda_base", bi->ebda_base, c->ebda_base);

	QCHECK(flags);
	QCHECK(e820_end);
	QCHECK(e820_calls);
	QCHECK(e820_entries);
	QCHECK(dropped_zero);
	QCHECK(dropped_attr);
	QCHECK(raw_overflow);
	QCHECK(overlaps);
	QCHECK(unknown_types);
	QCHECK(int12_kib);
	QCHECK(bda_kib);
	QCHECK(e801_low_kib);
	QCHECK(e801_high_64k);
	QCHECK(ext88_kib);
	QCHECK(disk_retries);
	QCHECK(disk_xfer_max);
	QCHECK(entry_dl);
	QCHECK(pad);
	QCHECK(pad2);
	u32 recheck = c->q.e820_recheck_calls;
	if (!c->check_cross && c->ret == BOOTINFO_SOURCE_E820)
		recheck = c->q.e820_calls; /* a deterministic script answers the same */
	CHECK_EQ_U64("quirks.e820_recheck_calls", bi->quirks.e820_recheck_calls, recheck);
	QCHECK(e820_recheck_diff);
	if (c->check_cross) {
		QCHECK(e820_conv_kib);
		QCHECK(e820_ext_low_kib);
		QCHECK(e820_ext_high_64k);
	}

	CHECK_EQ_U64("bi->raw_count", bi->raw_count, c->n_raw);
	for (u32 i = 0; i < bi->raw_count && i < c->n_raw && i < BOOTINFO_RAW_MAX; i++) {
		const struct bootinfo_raw_entry *g = &bi->raw[i];
		const struct raw_want *w = &c->raw[i];
		if (g->base != w->base || g->length != w->length || g->type != w->type ||
		    g->attr != w->attr || g->size != w->size || g->pad)
			t_fail("raw[%u]: got %#llx+%#llx type %u attr %#x size %u, want %#llx+%#llx "
			       "type %u attr %#x size %u",
			       i, (unsigned long long)g->base, (unsigned long long)g->length, g->type,
			       g->attr, g->size, (unsigned long long)w->base,
			       (unsigned long long)w->length, w->type, w->attr, w->size);
	}
	CHECK(md.nranges <= MEMDETECT_RANGES_MAX, "md.nranges %u", md.nranges);
	if (!c->ret) {
		CHECK(md.nranges == 0, "no source, yet %u ranges", md.nranges);
	} else {
		u32 n = sanitize_ranges(&md, 0, map);
		check_map("map", map, n, c->map, c->n_map);
		if (c->carved) {
			n = sanitize_ranges(&md, 1, map);
			check_map("carved map", map, n, c->carved, c->n_carved);
		}
	}

	/* The probes ran in order and stopped at the first that worked. */
	const struct fake_bios_log *log = &fake_bios_log;
	/* E801 runs as a fallback, and after E820 as its cross-check. */
	int want_e801 = c->ret != 0 || c->conv_top;
	int want_88 = c->ret == BOOTINFO_SOURCE_88 || (!c->ret && c->conv_top);
	CHECK_EQ_U64("INT 12h calls", log->int12_calls, 1);
	CHECK_EQ_U64("E820 calls seen by the BIOS", log->e820_calls, c->q.e820_calls + recheck);
	CHECK_EQ_U64("E801 calls", log->e801_calls, want_e801);
	CHECK_EQ_U64("88h calls", log->e88_calls, want_88);
	CHECK_EQ_U64("unknown BIOS calls", log->unknown_calls, 0);
	if (log->violations)
		t_fail("BIOS calling convention broken %u times, first: %s", log->violations,
		       log->violation);

	free(bi);
	free(ranges);
	free(pts);
	free(tmp);
	free(fold);
	t_end();
}

int main(void)
{
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++)
		run_case(&cases[i]);
	return t_exit_status();
}
