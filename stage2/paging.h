/*
 * Long-mode identity page tables: the first 4 GiB and every RAM-like range
 * of the final map (usable, ACPI, persistent, loader, kernel), in 1 GiB
 * pages when the CPU has them, else 2 MiB pages.  Whole GiBs are mapped,
 * so a range's neighbours within its GiB are mapped too.
 */
#ifndef PAGING_H
#define PAGING_H

#include "bootinfo.h"
#include "types.h"

#define PAGE_SIZE 4096u

struct paging {
	int gib_pages;
	u64 limit; /* mapping stops here: 2^phys_bits, at most 2^47 (canonical) */
};

/* Number of 4 KiB tables paging_build() will use for this map. */
u32 paging_count(const struct paging *p, const struct bootinfo_map_entry *map, u32 n);

/* Writes the tables into pool (pool_pages pages below 4 GiB, unreal mode);
 * returns the PML4 address, or 0 if the pool is too small. */
u32 paging_build(const struct paging *p, const struct bootinfo_map_entry *map, u32 n,
		 u32 pool, u32 pool_pages);

#endif
