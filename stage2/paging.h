/*
 * Long-mode page tables: the identity map of the first 4 GiB and of every
 * RAM-like range of the final map (usable, ACPI, persistent, loader, kernel,
 * module), in 1 GiB pages when the CPU has them, else 2 MiB pages (whole GiBs
 * are mapped, so a range's neighbours within its GiB are mapped too); and,
 * besides it, 4 KiB mappings of the kernel's segments at their virtual
 * addresses when those differ (a kernel linked in the higher half).
 */
#ifndef PAGING_H
#define PAGING_H

#include "bootinfo.h"
#include "types.h"

#define PAGE_SIZE 4096u

struct paging {
	int gib_pages;
	u64 limit; /* the identity map stops here: 2^phys_bits, at most 2^47 */
};

/* A virtual range mapped to physical memory besides the identity map. */
struct paging_extra {
	u64 vaddr, paddr, size;
};

/* NULL when e can be mapped: canonical, 4 KiB congruent, and clear of the
 * identity map (which covers whole GiBs below p->limit); else the reason. */
const char *paging_check_extra(const struct paging *p, const struct bootinfo_map_entry *map,
			       u32 n, const struct paging_extra *e);

/* The number of 4 KiB tables paging_build() needs at most. */
u32 paging_count(const struct paging *p, const struct bootinfo_map_entry *map, u32 n,
		 const struct paging_extra *extra, u32 nextra);

/* Writes the tables into pool (pool_pages pages below 4 GiB); returns the
 * PML4's address, or 0 if the pool is too small. */
u32 paging_build(const struct paging *p, const struct bootinfo_map_entry *map, u32 n,
		 const struct paging_extra *extra, u32 nextra, u32 pool, u32 pool_pages);

#endif
