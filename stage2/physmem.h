/*
 * Physical memory while stage2 loads a kernel: the firmware's map (sanitized,
 * with the IVT/BDA, the EBDA up to 1 MiB and the loader's low area carved
 * out), and every range the loader claims on top of it: kernel segments at
 * the addresses they ask for, and allocations for modules, boot information,
 * stacks and page tables.  Each protocol's memory map is built from these by
 * that protocol's rule (../shared/design.md), so a claim made anywhere shows
 * in every map that should show it.
 */
#ifndef PHYSMEM_H
#define PHYSMEM_H

#include "bootinfo.h"
#include "memory.h"
#include "types.h"

#define MIB_1 0x100000ull
#define FOUR_GIB 0x100000000ull

enum claim_kind {
	CLAIM_LOADER, /* boot information, stack, page tables: reclaimable */
	CLAIM_KERNEL, /* the kernel's loaded image */
	CLAIM_MODULE, /* a module or initrd */
	CLAIM_TEMP,   /* the loader's scratch, given back before the kernel runs */
	CLAIM_RESERVED, /* a device's memory (a framebuffer): reserved in every map */
};

#define PHYSMEM_CLAIMS_MAX 96

struct claim {
	u64 base, length;
	u32 kind;
	const char *what; /* for messages: "kernel segment", "module 2", ... */
};

/* After memory detection: md holds the firmware ranges and conv_top.  Dies
 * with a message when conventional memory is too small for the loader. */
void physmem_init(struct memdetect *md, struct bootinfo *bi);

/* Claims [base, base + length) where a kernel asks for it.  Returns NULL, or
 * the rest of a sentence about the range: "overlaps the loader", "overlaps
 * the EBDA and BIOS area below 1 MiB", "overlaps module 1", "is not in usable
 * RAM (...)". */
const char *physmem_claim(u64 base, u64 length, u32 kind, const char *what);
/* The same checks without claiming. */
const char *physmem_check(u64 base, u64 length);
/* Claims a device's range (a framebuffer), RAM or not, as CLAIM_RESERVED:
 * reserved in the maps of every protocol that takes a map from here (the
 * own protocol and Multiboot), and kept clear of allocations.  NULL, or why
 * not (it overlaps the loader or a claim). */
const char *physmem_reserve(u64 base, u64 length, const char *what);

/* Allocates length bytes, aligned to align (a power of two), in usable RAM
 * inside [min, max) and clear of every claim: the lowest fit, or the highest
 * with top_down.  Returns the address, or 0 when nothing fits. */
u64 physmem_alloc(u64 length, u64 align, u64 min, u64 max, int top_down, u32 kind,
		  const char *what);

/* The loader's heap (include/layout.h): size bytes, 16-byte aligned, kept
 * until the kernel runs; stops with a message when it is full. */
void *heap_alloc(u32 size);

/* Gives back every CLAIM_TEMP range. */
void physmem_release_temp(void);

/* The claims made so far. */
const struct claim *physmem_claims(u32 *count);

/* Highest end of usable RAM below limit (for "top of memory" questions). */
u64 physmem_usable_top(u64 limit);

/* Maps for the protocols, sorted and non-overlapping (sanitize.h rules):
 *   PHYSMEM_MAP_FIRMWARE  the firmware's view with the IVT/BDA, the EBDA
 *                         up to 1 MiB and reserved claims (a framebuffer)
 *                         typed reserved: what Multiboot kernels get
 *                         (the memory holding the kernel, modules and boot
 *                         information is theirs to reclaim, as the
 *                         specifications say, and described by their own
 *                         fields)
 *   PHYSMEM_MAP_CLAIMS    ...plus the loader's low area and every claim
 *                         typed loader or kernel (modules: loader): the own
 *                         protocol's map, where every byte the loader used
 *                         shows */
#define PHYSMEM_MAP_FIRMWARE 0
#define PHYSMEM_MAP_CLAIMS 1
u32 physmem_map(struct bootinfo_map_entry *out, u32 cap, int which, struct bootinfo *bi);

#endif
