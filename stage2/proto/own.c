/*
 * The own protocol: an ELF32 or ELF64 kernel written for include/bootinfo.h.
 * Its map is the sanitized firmware map with every byte the loader used
 * typed (loader, kernel, module), built after the last allocation.
 */
#include "acpi.h"
#include "boot.h"
#include "console.h"
#include "ext.h"
#include "head.h"
#include "handoff.h"
#include "io.h"
#include "layout.h"
#include "paging.h"
#include "physmem.h"
#include "video.h"

static u64 page_down(u64 a)
{
	return a & ~(u64)(PAGE_SIZE - 1);
}

static u64 page_up(u64 a)
{
	return page_down(a + PAGE_SIZE - 1);
}

/* The loader regions: its low area, then every loader claim. */
static void fill_regions(struct bootinfo *bi)
{
	u32 n;
	const struct claim *c = physmem_claims(&n);

	bi->loader_region_count = 0;
	bi->loader_regions[bi->loader_region_count++] =
		(struct bootinfo_region){ LOADER_LOW_BASE, LOADER_LOW_END - LOADER_LOW_BASE };
	for (u32 i = 0; i < n; i++) {
		if (c[i].kind != CLAIM_LOADER)
			continue;
		if (bi->loader_region_count == BOOTINFO_REGION_MAX)
			die("internal: more than %u loader regions", BOOTINFO_REGION_MAX);
		bi->loader_regions[bi->loader_region_count++] =
			(struct bootinfo_region){ c[i].base, c[i].length };
	}
}

/* Strings and the module table go after the fixed part (boot.h:
 * BOOTINFO_TAIL_MAX bytes were set aside for them). */
struct tail {
	struct bootinfo *bi;
	u32 used;
};

static u32 tail_put(struct tail *t, const void *p, u32 len, u32 align)
{
	u32 at = (sizeof(*t->bi) + t->used + align - 1) & ~(align - 1);

	if (at + len - sizeof(*t->bi) > BOOTINFO_TAIL_MAX)
		die("the command line and module strings take more than the %u bytes the boot "
		    "information has room for",
		    BOOTINFO_TAIL_MAX);
	memcpy((u8 *)t->bi + at, p, len);
	t->used = at + len - sizeof(*t->bi);
	return at;
}

static u32 tail_string(struct tail *t, const char *s, u32 *length)
{
	u32 n = 0;

	while (s[n])
		n++;
	*length = n;
	return tail_put(t, s, n + 1, 1);
}

static void fill_tail(struct boot_request *r)
{
	struct bootinfo *bi = r->bi;
	struct tail t = { bi, 0 };
	struct bootinfo_module m[BOOTINFO_MODULE_MAX];

	bi->cmdline_offset = tail_string(&t, r->entry->cmdline ? r->entry->cmdline : "",
					 &bi->cmdline_length);
	for (u32 i = 0; i < r->nmodules; i++)
		m[i] = (struct bootinfo_module){ .base = r->modules[i].base,
						 .length = r->modules[i].length,
						 .string_offset = tail_string(&t, r->modules[i].string,
									      &m[i].string_length) };
	bi->module_count = r->nmodules;
	bi->module_offset = tail_put(&t, m, r->nmodules * sizeof(m[0]), 8);
	bi->header = (struct bootinfo_header){ .signature = BOOTINFO_SIGNATURE,
					       .revision = BOOTINFO_REVISION,
					       .header_size = sizeof(bi->header),
					       .total_size = sizeof(*bi) + t.used };
	bi->header.crc32 = stage2_crc32(bi, bi->header.total_size);
}

/* The entry's video= request, met before anything is loaded so that the
 * framebuffer's range is claimed before any allocation. */
static void own_video(struct boot_request *r)
{
	static struct video_result res;

	if (!r->entry->video.given) {
		video_text(&r->bi->framebuffer, BOOTINFO_FB_NOT_ASKED);
		return;
	}
	ext_require("a video mode", EXT_COMMON);
	video_setup(&r->entry->video, &res);
	r->bi->framebuffer = res.fb;
}

_Noreturn void proto_own_boot(struct boot_request *r)
{
	static struct kernel_image k;
	static struct paging_extra extra[KERNEL_SEGMENTS_MAX];
	static struct handoff h;
	struct bootinfo *bi = r->bi;
	u32 nextra = 0;

	boot_parse_elf(r, &k);
	if (k.is64 && (!r->cpu->long_mode || !r->cpu->pae))
		die("this CPU has no %s: it cannot run the 64-bit (ELF64) kernel; "
		    "build the kernel as ELF32",
		    r->cpu->long_mode ? "PAE" : "long mode");
	own_video(r);
	boot_claim_kernel(&k);
	post(POST_KERNEL);
	print("stage2: loading %s kernel: %u segments at 0x%llx-0x%llx, entry 0x%llx\n",
	      k.is64 ? "64-bit" : "32-bit", k.nseg, k.lo, k.hi, k.entry);
	boot_load_segments(r, &k);
	boot_load_modules(r, k.hi);
	u32 stack_top = boot_alloc_stack();
	bi->map_count = physmem_map(bi->map, BOOTINFO_MAP_MAX, PHYSMEM_MAP_CLAIMS, bi);

	if (k.is64) {
		u32 bits = r->cpu->phys_bits < 47 ? r->cpu->phys_bits : 47;
		struct paging pg = { .gib_pages = r->cpu->gib_pages, .limit = 1ull << bits };

		for (u32 i = 0; i < k.nseg; i++) {
			const struct kernel_segment *s = &k.seg[i];
			if (s->vaddr == s->paddr)
				continue;
			extra[nextra] = (struct paging_extra){
				page_down(s->vaddr), page_down(s->paddr),
				page_up(s->vaddr + s->memsz) - page_down(s->vaddr) };
			const char *err = paging_check_extra(&pg, bi->map, bi->map_count,
							     &extra[nextra]);
			if (err)
				die("kernel segment %u (virtual 0x%llx) cannot be mapped: %s", i,
				    s->vaddr, err);
			nextra++;
		}
		u32 tables = paging_count(&pg, bi->map, bi->map_count, extra, nextra);
		u32 pool = (u32)physmem_alloc((u64)tables * PAGE_SIZE, PAGE_SIZE, LOADER_LOW_END,
					      FOUR_GIB, 0, CLAIM_LOADER, "the page tables");
		if (!pool)
			die("no room below 4 GiB for %u page tables", tables);
		/* The map is final: everything the loader took is in it. */
		bi->map_count = physmem_map(bi->map, BOOTINFO_MAP_MAX, PHYSMEM_MAP_CLAIMS, bi);
		h.cr3 = paging_build(&pg, bi->map, bi->map_count, extra, nextra, pool, tables);
		if (!h.cr3)
			die("internal: page tables outgrew the %u pages planned", tables);
		print("stage2: identity-mapped with %s pages, %u tables at 0x%x%s\n",
		      pg.gib_pages ? "1 GiB" : "2 MiB", tables, pool,
		      nextra ? ", kernel mapped at its virtual addresses" : "");
	}
	post(POST_PAGING);
	fill_regions(bi);
	bi->kernel = (struct bootinfo_region){ k.lo, k.hi - k.lo };
	bi->rsdp = acpi_find_rsdp(bi->ebda_base);
	boot_record_disk(bi);
	fill_tail(r);

	/* 32-bit: cdecl kmain(bi, magic) returning into a halt loop, ESP + 4
	 * 16-byte aligned at entry as the i386 psABI expects after a call;
	 * 64-bit: SysV, RSP + 8 aligned. */
	h.entry = k.entry;
	h.mode = k.is64 ? HANDOFF_LM64 : HANDOFF_PM32;
	if (k.is64) {
		h.esp = stack_top - 8;
		h.edi = (u32)(uintptr_t)bi;
		h.esi = BOOTINFO_MAGIC;
		*(u64 *)phys(h.esp) = kernel_return_address(1);
	} else {
		u32 *s = phys(stack_top - 20);
		h.esp = stack_top - 20;
		h.eax = BOOTINFO_MAGIC;
		h.ebx = (u32)(uintptr_t)bi;
		s[0] = kernel_return_address(0);
		s[1] = h.ebx;
		s[2] = BOOTINFO_MAGIC;
	}
	post(POST_JUMP);
	print("stage2: starting the kernel at 0x%llx in %s mode\n", k.entry,
	      k.is64 ? "long" : "protected");
	kernel_jump(&h);
}
