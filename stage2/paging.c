#include "paging.h"
#include "io.h"

#define GIB_SHIFT 30
#define SLOT_SHIFT 9 /* 512 entries a table */
#define PTE_PRESENT 0x1ull
#define PTE_WRITE 0x2ull
#define PTE_LARGE 0x80ull /* PS: 1 GiB in a PDPT, 2 MiB in a PD */
#define MIB2_SHIFT 21
#define FOUR_GIB 0x100000000ull

static int ram_like(u32 type)
{
	return type == BOOTINFO_MEM_USABLE || type == BOOTINFO_MEM_ACPI_RECLAIMABLE ||
	       type == BOOTINFO_MEM_ACPI_NVS || type == BOOTINFO_MEM_PERSISTENT ||
	       type == BOOTINFO_MEM_LOADER || type == BOOTINFO_MEM_KERNEL;
}

/* Calls fn for each GiB to map, in increasing order, each once: [0, 4 GiB)
 * first, then the RAM-like ranges, which the sanitized map has sorted. */
struct walk {
	const struct paging *p;
	u64 next; /* first GiB not yet visited */
	u32 tables;
	u64 last_slot;
	/* build state */
	u32 pool, pool_pages, used, pml4, pdpt;
	int failed;
};

typedef void (*gib_fn)(struct walk *w, u64 gib);

static void visit(struct walk *w, u64 first, u64 end, gib_fn fn)
{
	if (first < w->next)
		first = w->next;
	for (u64 g = first; g < end; g++)
		fn(w, g);
	if (end > w->next)
		w->next = end;
}

static void walk_map(struct walk *w, const struct bootinfo_map_entry *map, u32 n, gib_fn fn)
{
	u64 limit_gib = w->p->limit >> GIB_SHIFT;

	visit(w, 0, FOUR_GIB >> GIB_SHIFT, fn);
	for (u32 i = 0; i < n; i++) {
		if (!ram_like(map[i].type) || map[i].base >= w->p->limit)
			continue;
		u64 end = map[i].base + map[i].length;
		if (end > w->p->limit || end < map[i].base)
			end = w->p->limit;
		u64 last = (end + (1ull << GIB_SHIFT) - 1) >> GIB_SHIFT;
		visit(w, map[i].base >> GIB_SHIFT, last < limit_gib ? last : limit_gib, fn);
	}
}

static void count_gib(struct walk *w, u64 gib)
{
	u64 slot = gib >> SLOT_SHIFT;

	if (slot != w->last_slot) {
		w->tables++; /* a PDPT */
		w->last_slot = slot;
	}
	if (!w->p->gib_pages)
		w->tables++; /* a PD */
}

u32 paging_count(const struct paging *p, const struct bootinfo_map_entry *map, u32 n)
{
	struct walk w = { .p = p, .tables = 1, .last_slot = ~0ull };

	walk_map(&w, map, n, count_gib);
	return w.tables;
}

static u32 take_table(struct walk *w)
{
	if (w->used == w->pool_pages) {
		w->failed = 1;
		return 0;
	}
	return w->pool + PAGE_SIZE * w->used++;
}

static void write_entry(u32 table, u32 index, u64 value)
{
	((u64 *)phys(table))[index] = value;
}

static void build_gib(struct walk *w, u64 gib)
{
	u64 slot = gib >> SLOT_SHIFT;
	u64 base = gib << GIB_SHIFT;

	if (w->failed)
		return;
	if (slot != w->last_slot) {
		w->pdpt = take_table(w);
		if (w->failed)
			return;
		write_entry(w->pml4, (u32)slot, w->pdpt | PTE_PRESENT | PTE_WRITE);
		w->last_slot = slot;
	}
	if (w->p->gib_pages) {
		write_entry(w->pdpt, (u32)(gib & 511), base | PTE_PRESENT | PTE_WRITE | PTE_LARGE);
		return;
	}
	u32 pd = take_table(w);
	if (w->failed)
		return;
	for (u32 k = 0; k < 512; k++)
		write_entry(pd, k, (base + ((u64)k << MIB2_SHIFT)) | PTE_PRESENT | PTE_WRITE | PTE_LARGE);
	write_entry(w->pdpt, (u32)(gib & 511), pd | PTE_PRESENT | PTE_WRITE);
}

u32 paging_build(const struct paging *p, const struct bootinfo_map_entry *map, u32 n,
		 u32 pool, u32 pool_pages)
{
	struct walk w = { .p = p, .last_slot = ~0ull, .pool = pool, .pool_pages = pool_pages };

	memset(phys(pool), 0, pool_pages * PAGE_SIZE);
	w.pml4 = take_table(&w);
	if (w.failed)
		return 0;
	walk_map(&w, map, n, build_gib);
	return w.failed ? 0 : w.pml4;
}
