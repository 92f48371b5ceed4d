/*
 * Firmware memory detection.  Each probe is self-contained and named for the
 * interface it asks; detect_memory() chains them the way ../shared/design.md
 * says.  Everything here talks to the BIOS only through intcall() and
 * bda_read16(), so the host tests run this exact code against a scripted
 * fake BIOS.
 */
#ifndef MEMORY_H
#define MEMORY_H

#include "bootinfo.h"
#include "sanitize.h"
#include "types.h"

/* Firmware ranges kept for the sanitizer.  More than this never aborts: the
 * set is folded in place (sanitized without alignment) and the walk goes on. */
#define MEMDETECT_RANGES_MAX 96
/* The walk stops after this many calls even if EBX never returns to 0. */
#define E820_MAX_CALLS 512

/* mem_range.pad marks an E820 entry whose ACPI 3.0 valid bit was clear. */
#define RANGE_ATTR_CLEAR 1u

struct memdetect {
	struct bootinfo *bi; /* raw[], raw_count, quirks, source, conv fields */
	struct mem_range *ranges;
	u32 nranges;
	struct sanitize_scratch scratch; /* for folding, 2 * MEMDETECT_RANGES_MAX */
	struct bootinfo_map_entry *fold; /* MEMDETECT_RANGES_MAX entries */
	u32 conv_top;   /* end of usable conventional memory, bytes */
	int attr_valid_seen;
};

/* INT 12h, 40:13 and the EBDA segment at 40:0E: sets conv_top to the
 * smallest sane answer.  Returns 0, or -1 when nothing sane was found. */
int detect_memory_int12(struct memdetect *md);
int detect_memory_e820(struct memdetect *md);
int detect_memory_e801(struct memdetect *md);
int detect_memory_88(struct memdetect *md);
/* All of the above in order; returns the BOOTINFO_SOURCE_* used, or 0. */
int detect_memory(struct memdetect *md);

#endif
