/* Long-mode page tables; see paging.h. */
#include "paging.h"
#include "io.h"

#define GIB_SHIFT 30
#define MIB2_SHIFT 21
#define SLOT_SHIFT 39 /* a PML4 entry covers 512 GiB */
#define ENTRIES 512
#define PTE_PRESENT 0x1ull
#define PTE_WRITE 0x2ull
#define PTE_LARGE 0x80ull /* PS: 1 GiB in a PDPT, 2 MiB in a PD */
#define PTE_ADDR 0x000ffffffffff000ull
#define FOUR_GIB 0x100000000ull
#define CANONICAL_LOW_END 0x0000800000000000ull
#define CANONICAL_HIGH 0xffff800000000000ull

static int ram_like(u32 type)
{
	return type == BOOTINFO_MEM_USABLE || type == BOOTINFO_MEM_ACPI_RECLAIMABLE ||
	       type == BOOTINFO_MEM_ACPI_NVS || type == BOOTINFO_MEM_PERSISTENT ||
	       type == BOOTINFO_MEM_LOADER || type == BOOTINFO_MEM_KERNEL ||
	       type == BOOTINFO_MEM_MODULE;
}

/* Calls fn for each GiB of the identity map, in increasing order, each
 * once: [0, 4 GiB) first, then the RAM-like ranges, which the sanitized map
 * has sorted. */
struct walk {
	const struct paging *p;
	u64 next; /* first GiB not yet visited */
	/* counting */
	u32 tables;
	u64 last_slot;
	/* building */
	u32 pool, pool_pages, used, pml4;
	int failed;
	/* checking */
	u64 lo_gib, hi_gib;
	int hit;
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
	u64 slot = gib >> (SLOT_SHIFT - GIB_SHIFT);

	if (slot != w->last_slot) {
		w->tables++; /* a PDPT */
		w->last_slot = slot;
	}
	if (!w->p->gib_pages)
		w->tables++; /* a PD */
}

static void check_gib(struct walk *w, u64 gib)
{
	if (gib >= w->lo_gib && gib <= w->hi_gib)
		w->hit = 1;
}

/* How many aligned blocks of 1 << shift bytes [v, v + size) touches. */
static u64 blocks(u64 v, u64 size, u32 shift)
{
	return ((v + size - 1) >> shift) - (v >> shift) + 1;
}

const char *paging_check_extra(const struct paging *p, const struct bootinfo_map_entry *map,
			       u32 n, const struct paging_extra *e)
{
	struct walk w = { .p = p };
	u64 end = e->vaddr + e->size - 1;

	if ((e->vaddr ^ e->paddr) & (PAGE_SIZE - 1))
		return "its virtual and physical addresses differ within a 4 KiB page";
	if (end < e->vaddr || (e->vaddr < CANONICAL_LOW_END) != (end < CANONICAL_LOW_END) ||
	    (e->vaddr >= CANONICAL_LOW_END && e->vaddr < CANONICAL_HIGH))
		return "its virtual address range is not canonical";
	w.lo_gib = (e->vaddr & ~(CANONICAL_HIGH)) >> GIB_SHIFT;
	w.hi_gib = (end & ~(CANONICAL_HIGH)) >> GIB_SHIFT;
	if (e->vaddr < CANONICAL_LOW_END) {
		walk_map(&w, map, n, check_gib);
		if (w.hit)
			return "its virtual address lies in the identity-mapped memory but differs "
			       "from its physical address";
	}
	return 0;
}

u32 paging_count(const struct paging *p, const struct bootinfo_map_entry *map, u32 n,
		 const struct paging_extra *extra, u32 nextra)
{
	struct walk w = { .p = p, .tables = 1, .last_slot = ~0ull };

	walk_map(&w, map, n, count_gib);
	for (u32 i = 0; i < nextra; i++) {
		u64 v = extra[i].vaddr, s = extra[i].size;
		w.tables += (u32)(blocks(v, s, SLOT_SHIFT) + blocks(v, s, GIB_SHIFT) +
				  blocks(v, s, MIB2_SHIFT));
	}
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

static u64 *table(u32 addr)
{
	return phys(addr);
}

/* The table entry index of `table` points to, made when absent. */
static u32 child(struct walk *w, u32 parent, u32 index)
{
	u64 *e = &table(parent)[index];

	if (!(*e & PTE_PRESENT)) {
		u32 t = take_table(w);
		if (w->failed)
			return 0;
		*e = t | PTE_PRESENT | PTE_WRITE;
	}
	return (u32)(*e & PTE_ADDR);
}

static void build_gib(struct walk *w, u64 gib)
{
	u64 base = gib << GIB_SHIFT;

	if (w->failed)
		return;
	u32 pdpt = child(w, w->pml4, (u32)(gib >> (SLOT_SHIFT - GIB_SHIFT)) & (ENTRIES - 1));
	if (w->failed)
		return;
	if (w->p->gib_pages) {
		table(pdpt)[gib & (ENTRIES - 1)] = base | PTE_PRESENT | PTE_WRITE | PTE_LARGE;
		return;
	}
	u32 pd = child(w, pdpt, (u32)gib & (ENTRIES - 1));
	if (w->failed)
		return;
	for (u32 k = 0; k < ENTRIES; k++)
		table(pd)[k] = (base + ((u64)k << MIB2_SHIFT)) | PTE_PRESENT | PTE_WRITE | PTE_LARGE;
}

static void map_4k(struct walk *w, u64 v, u64 pa)
{
	u32 t = w->pml4;

	for (u32 shift = SLOT_SHIFT; shift > 12 && !w->failed; shift -= 9)
		t = child(w, t, (u32)(v >> shift) & (ENTRIES - 1));
	if (!w->failed)
		table(t)[(v >> 12) & (ENTRIES - 1)] = pa | PTE_PRESENT | PTE_WRITE;
}

u32 paging_build(const struct paging *p, const struct bootinfo_map_entry *map, u32 n,
		 const struct paging_extra *extra, u32 nextra, u32 pool, u32 pool_pages)
{
	struct walk w = { .p = p, .pool = pool, .pool_pages = pool_pages };

	memset(phys(pool), 0, pool_pages * PAGE_SIZE);
	w.pml4 = take_table(&w);
	if (w.failed)
		return 0;
	walk_map(&w, map, n, build_gib);
	for (u32 i = 0; i < nextra && !w.failed; i++)
		for (u64 off = 0; off < extra[i].size && !w.failed; off += PAGE_SIZE)
			map_4k(&w, extra[i].vaddr + off, extra[i].paddr + off);
	return w.failed ? 0 : w.pml4;
}
