/*
 * Stage2: from the MBR's jump to the kernel's entry.  The order matters:
 * the map handed to the kernel is built last, after every allocation, so it
 * shows each byte the loader used (nothing is allocated after it is final).
 */
#include "a20.h"
#include "bios.h"
#include "bootinfo.h"
#include "console.h"
#include "cpu.h"
#include "crc32.h"
#include "disk.h"
#include "elfload.h"
#include "head.h"
#include "io.h"
#include "layout.h"
#include "memory.h"
#include "paging.h"
#include "sanitize.h"

#define MIB_1 0x100000ull
#define FOUR_GIB 0x100000000ull
#define CARVE_MAX (4 + BOOTINFO_REGION_MAX + KERNEL_SEGMENTS_MAX)
#define RANGES_CAP (MEMDETECT_RANGES_MAX + CARVE_MAX)

/* From pm.asm. */
/* Where the image builder put the kernel (the stage2 header). */
static u64 kernel_lba, kernel_size;
extern u64 handoff_entry;
extern u32 handoff_bootinfo, handoff_stack, handoff_cr3, handoff_long;
_Noreturn void kernel_jump(void);
void stage2_main(u32 mbr_dx, u32 mbr_cx);

static struct bootinfo bootinfo __attribute__((aligned(16)));
static struct mem_range ranges[RANGES_CAP];
static struct change_point points[2 * RANGES_CAP];
static struct bootinfo_map_entry tmp[2 * RANGES_CAP];
static struct bootinfo_map_entry fold[MEMDETECT_RANGES_MAX / 2];

static struct memdetect md;
static struct kernel_image kernel;
static struct cpu_features cpu;

static u64 page_down(u64 a)
{
	return a & ~(u64)(PAGE_SIZE - 1);
}

static u64 page_up(u64 a)
{
	return page_down(a + PAGE_SIZE - 1);
}

static int overlaps(u64 a, u64 a_end, u64 b, u64 b_end)
{
	return a < b_end && b < a_end;
}

static void add_loader_region(u64 base, u64 length)
{
	struct bootinfo *bi = &bootinfo;

	if (bi->loader_region_count == BOOTINFO_REGION_MAX)
		die("internal: more than %u loader regions", BOOTINFO_REGION_MAX);
	bi->loader_regions[bi->loader_region_count++] =
		(struct bootinfo_region){ .base = base, .length = length };
}

/* Firmware ranges, then the regions the loader knows better than the
 * firmware: IVT/BDA, EBDA to 1 MiB, the loader's own memory and (once
 * loaded) the kernel. */
static void sanitize_map(int with_kernel)
{
	struct bootinfo *bi = &bootinfo;
	struct sanitize_scratch scratch = { points, tmp };
	struct sanitize_result res;
	u32 n = md.nranges;

	ranges[n++] = (struct mem_range){ 0, IVT_BDA_END, RANK_RESERVED, 0 };
	ranges[n++] = (struct mem_range){ md.conv_top, MIB_1 - md.conv_top, RANK_RESERVED, 0 };
	for (u32 i = 0; i < bi->loader_region_count; i++)
		ranges[n++] = (struct mem_range){ bi->loader_regions[i].base,
						  bi->loader_regions[i].length, RANK_LOADER, 0 };
	for (u32 i = 0; with_kernel && i < kernel.nseg; i++) {
		u64 b = page_down(kernel.seg[i].paddr);
		u64 e = page_up(kernel.seg[i].paddr + kernel.seg[i].memsz);
		ranges[n++] = (struct mem_range){ b, e - b, RANK_KERNEL, 0 };
	}
	memmap_sanitize(ranges, n, &scratch, bi->map, BOOTINFO_MAP_MAX, 0, &res);
	bi->map_count = res.count;
	if (res.wrapped)
		bi->quirks.flags |= QUIRK_WRAP_CLIPPED;
	if (res.coarsened)
		bi->quirks.flags |= QUIRK_MAP_COARSENED;
}

static void record_overlaps(void)
{
	struct bootinfo_quirks *q = &bootinfo.quirks;

	for (u32 i = 0; i < md.nranges; i++) {
		const struct mem_range *a = &ranges[i];
		if (i && a->base < ranges[i - 1].base)
			q->flags |= QUIRK_UNSORTED;
		for (u32 j = i + 1; j < md.nranges; j++) {
			const struct mem_range *b = &ranges[j];
			u64 ae = a->base + a->length, be = b->base + b->length;
			if (ae < a->base)
				ae = ~0ull;
			if (be < b->base)
				be = ~0ull;
			if (overlaps(a->base, ae, b->base, be)) {
				q->flags |= QUIRK_OVERLAP;
				q->overlaps++;
			}
		}
	}
}

static void detect_and_plan_memory(void)
{
	struct bootinfo *bi = &bootinfo;
	static const char *const source_names[] = { "none", "e820", "e801", "88" };

	md = (struct memdetect){ .bi = bi, .ranges = ranges, .scratch = { points, tmp },
				 .fold = fold };
	int source = detect_memory(&md);
	if (!md.conv_top)
		die("conventional memory size unknown: INT 12h (%u KiB) and 40:13 (%u KiB) "
		    "are out of range",
		    bi->quirks.int12_kib, bi->quirks.bda_kib);
	if (md.conv_top < LOADER_LOW_END)
		die("only %u KiB of conventional memory; the loader needs %u KiB",
		    md.conv_top / 1024, LOADER_LOW_END / 1024);
	if (!source)
		die("no memory map: INT 15h E820, E801 and 88h all failed");
	record_overlaps();
	add_loader_region(LOADER_LOW_BASE, LOADER_LOW_END - LOADER_LOW_BASE);
	sanitize_map(0);
	print("stage2: memory map from %s: %u firmware entries, conventional %u KiB\n",
	      source_names[source], bi->raw_count, bi->conv_mem_kib);
}

struct head_ctx {
	u32 len;
};

static int read_head(void *ctx, u64 off, void *dst, u32 len)
{
	const struct head_ctx *h = ctx;

	if (off > h->len || len > h->len - off)
		return -1;
	memcpy(dst, phys(BOUNCE_BUF_ADDR + off), len);
	return 0;
}

static void read_or_die(u64 lba, u32 count)
{
	u64 bad;

	if (disk_read(&boot_disk, lba, count, BOUNCE_BUF_ADDR, &bad))
		die("disk read error at LBA %llu (drive 0x%x)", bad, boot_disk.drive);
}

static void parse_kernel(void)
{
	struct head_ctx head;
	u64 detail;
	const char *err;

	if (!kernel_size)
		die("this image holds no kernel (size 0)");
	u64 sectors = (kernel_size + SECTOR_SIZE - 1) / SECTOR_SIZE;
	if (boot_disk.sectors && kernel_lba + sectors > boot_disk.sectors)
		die("the image is truncated: the kernel ends at sector %llu, the disk has %llu",
		    kernel_lba + sectors, boot_disk.sectors);
	u32 n = sectors < DISK_XFER_MAX ? (u32)sectors : DISK_XFER_MAX;
	read_or_die(kernel_lba, n);
	head.len = n * SECTOR_SIZE;
	err = elf_parse(read_head, &head, kernel_size, &kernel, &detail);
	if (err)
		die("kernel: %s (%llu)", err, detail);
	if (kernel.is64) {
		if (!cpu.long_mode || !cpu.pae)
			die("this CPU has no %s: it cannot run the 64-bit (ELF64) kernel; "
			    "build the kernel as ELF32",
			    cpu.long_mode ? "PAE" : "long mode");
	}
}

/* Each segment must lie in usable RAM of the map as it stands before the
 * kernel is loaded: not over the IVT/BDA, the loader or the EBDA. */
static void check_segments(void)
{
	const struct bootinfo *bi = &bootinfo;

	for (u32 i = 0; i < kernel.nseg; i++) {
		const struct kernel_segment *s = &kernel.seg[i];
		u64 b = s->paddr, e = s->paddr + s->memsz;
		const char *what = 0;

		if (overlaps(b, e, 0, IVT_BDA_END))
			what = "the IVT and BIOS data area";
		else if (overlaps(b, e, LOADER_LOW_BASE, LOADER_LOW_END))
			what = "the loader";
		else if (overlaps(b, e, md.conv_top, MIB_1))
			what = "the EBDA and BIOS area below 1 MiB";
		if (what)
			die("kernel segment %u (0x%llx-0x%llx) overlaps %s", i, b, e, what);
		int inside = 0;
		for (u32 j = 0; j < bi->map_count && !inside; j++)
			inside = bi->map[j].type == BOOTINFO_MEM_USABLE && bi->map[j].base <= b &&
				 e - bi->map[j].base <= bi->map[j].length;
		if (!inside)
			die("kernel segment %u (0x%llx-0x%llx) is not in usable RAM "
			    "(more than this machine has, or in a hole)",
			    i, b, e);
	}
}

static void load_segment(const struct kernel_segment *s)
{
	u64 off = s->offset, left = s->filesz;
	u32 dst = (u32)s->paddr;

	while (left) {
		u32 skip = (u32)off & (SECTOR_SIZE - 1);
		u64 want = (skip + left + SECTOR_SIZE - 1) / SECTOR_SIZE;
		u32 n = want < DISK_XFER_MAX ? (u32)want : DISK_XFER_MAX;
		u32 chunk = n * SECTOR_SIZE - skip;

		if (chunk > left)
			chunk = (u32)left;
		read_or_die(kernel_lba + off / SECTOR_SIZE, n);
		memcpy(phys(dst), phys(BOUNCE_BUF_ADDR + skip), chunk);
		off += chunk;
		dst += chunk;
		left -= chunk;
	}
	if (s->memsz > s->filesz)
		memset(phys(s->paddr + s->filesz), 0, (u32)(s->memsz - s->filesz));
}

static void load_kernel(void)
{
	post(POST_DISK);
	if (boot_disk.use_chs)
		bootinfo.quirks.flags |= QUIRK_DISK_CHS;
	parse_kernel();
	check_segments();
	post(POST_KERNEL);
	print("stage2: loading %s kernel: %u segments at 0x%llx-0x%llx, entry 0x%llx\n",
	      kernel.is64 ? "64-bit" : "32-bit", kernel.nseg, kernel.lo, kernel.hi, kernel.entry);
	for (u32 i = 0; i < kernel.nseg; i++)
		load_segment(&kernel.seg[i]);
	bootinfo.quirks.disk_retries += boot_disk.retries;
	bootinfo.quirks.disk_xfer_max = boot_disk.xfer_max;
	if (boot_disk.retries)
		bootinfo.quirks.flags |= QUIRK_DISK_RETRY;
}

/* First fit in usable memory below 4 GiB, above the low loader area, clear
 * of the kernel's pages. */
static u32 alloc_pages(u32 pages)
{
	const struct bootinfo *bi = &bootinfo;
	u64 size = (u64)pages * PAGE_SIZE;

	for (u32 i = 0; i < bi->map_count; i++) {
		if (bi->map[i].type != BOOTINFO_MEM_USABLE)
			continue;
		u64 end = bi->map[i].base + bi->map[i].length;
		u64 at = page_up(bi->map[i].base < LOADER_LOW_END ? LOADER_LOW_END : bi->map[i].base);
		for (u32 s = 0; s < kernel.nseg && at + size <= end; s++) {
			u64 kb = page_down(kernel.seg[s].paddr);
			u64 ke = page_up(kernel.seg[s].paddr + kernel.seg[s].memsz);
			if (overlaps(at, at + size, kb, ke)) {
				at = ke;
				s = (u32)-1; /* recheck every segment from the new spot */
			}
		}
		if (at + size <= end && at + size <= FOUR_GIB)
			return (u32)at;
	}
	return 0;
}

static void plan_handoff(void)
{
	struct bootinfo *bi = &bootinfo;
	struct paging pg = { .gib_pages = cpu.gib_pages };
	u32 tables = 0, pool = 0;

	u32 stack = alloc_pages(KERNEL_STACK_SIZE / PAGE_SIZE);
	if (!stack)
		die("no room below 4 GiB for the kernel's %u KiB stack", KERNEL_STACK_SIZE / 1024);
	add_loader_region(stack, KERNEL_STACK_SIZE);
	sanitize_map(1);

	if (kernel.is64) {
		u32 bits = cpu.phys_bits < 47 ? cpu.phys_bits : 47;
		pg.limit = 1ull << bits;
		tables = paging_count(&pg, bi->map, bi->map_count);
		pool = alloc_pages(tables);
		if (!pool)
			die("no room below 4 GiB for %u page tables", tables);
		add_loader_region(pool, (u64)tables * PAGE_SIZE);
		sanitize_map(1);
	}

	/* The map is final: everything the loader took is in it. */
	post(POST_PAGING);
	if (kernel.is64) {
		handoff_cr3 = paging_build(&pg, bi->map, bi->map_count, pool, tables);
		if (!handoff_cr3)
			die("internal: page tables outgrew the %u pages planned", tables);
		print("stage2: identity-mapped with %s pages, %u tables at 0x%x\n",
		      pg.gib_pages ? "1 GiB" : "2 MiB", tables, pool);
	}
	handoff_entry = kernel.entry;
	handoff_long = (u32)kernel.is64;
	handoff_stack = stack + KERNEL_STACK_SIZE;
	handoff_bootinfo = (u32)(uintptr_t)bi;

	bi->kernel = (struct bootinfo_region){ kernel.lo, kernel.hi - kernel.lo };
	bi->header = (struct bootinfo_header){ .signature = BOOTINFO_SIGNATURE,
					       .revision = BOOTINFO_REVISION,
					       .header_size = sizeof(bi->header),
					       .total_size = sizeof(*bi) };
	bi->header.crc32 = crc32(bi, sizeof(*bi));
}

void stage2_main(u32 mbr_dx, u32 mbr_cx)
{
	struct bootinfo *bi = &bootinfo;
	u8 mbr_flags = (u8)(mbr_dx >> 8);

	kernel_lba = STAGE2_HDR(u64, hdr_kernel_lba);
	kernel_size = STAGE2_HDR(u64, hdr_kernel_size);
	bi->boot_drive = mbr_dx & 0xff;
	bi->quirks.entry_dl = mbr_cx & 0xff;
	bi->quirks.disk_retries = (mbr_cx >> 8) & 0xff;
	if (bi->boot_drive != bi->quirks.entry_dl)
		bi->quirks.flags |= QUIRK_DL_FIXED;
	if (mbr_flags & MBR_FLAG_CHS)
		bi->quirks.flags |= QUIRK_DISK_CHS;
	print("stage2: started from drive 0x%x (BIOS gave DL=0x%x)\n", bi->boot_drive,
	      bi->quirks.entry_dl);

	post(POST_A20);
	bi->a20_method = (u32)enable_a20();
	if (!bi->a20_method)
		die("the A20 gate could not be enabled (INT 15h 2401h, 8042 and port 0x92 all "
		    "failed)");
	cpu_detect(&cpu);

	post(POST_MEMORY);
	detect_and_plan_memory();
	load_kernel();
	plan_handoff();

	post(POST_JUMP);
	print("stage2: starting the kernel at 0x%llx in %s mode\n", kernel.entry,
	      kernel.is64 ? "long" : "protected");
	kernel_jump();
}
