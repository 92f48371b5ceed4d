/*
 * The Linux/x86 boot protocol for bzImages, 2.06 and later, as a loader
 * that does not run the kernel's real-mode setup code (the document's
 * "32-bit boot protocol" and, where xloadflags offer it, the 64-bit one).
 * The setup header is checked by the pure half (linux_header.c); here the
 * kernel, the zero page, the command line and the initrd find their memory
 * and the kernel is entered.
 *
 * Memory: the protected-mode code goes where the kernel will run, with
 * init_size bytes claimed from there; the zero page and the command line
 * are loader memory (Linux copies both before it touches free RAM); the
 * initrd is a module-like claim, as high as initrd_addr_max and RAM allow.
 * The memory map Linux gets is the firmware's own E820 answer, untrimmed
 * (../shared/design.md): Linux sanitizes it itself and keeps what it uses
 * (kernel, initrd) out of its allocator on its own.  A framebuffer set up
 * for it is not RAM, so that map has no need to show it: Linux learns of
 * it from screen_info and reserves it itself.
 */
#include "bios.h"
#include "boot.h"
#include "console.h"
#include "handoff.h"
#include "io.h"
#include "layout.h"
#include "paging.h"
#include "physmem.h"
#include "proto/linux_header.h"
#include "proto/linux_video.h"
#include "volume.h"

static u64 page_up(u64 a)
{
	return (a + PAGE_SIZE - 1) & ~(u64)(PAGE_SIZE - 1);
}

/* The largest stretch of free usable RAM inside [min, max), for messages.
 * The Linux protocol hands no boot information over, so its map array is
 * free to hold the map with every claim made so far. */
static u64 largest_free(struct bootinfo *bi, u64 min, u64 max)
{
	u32 n = physmem_map(bi->map, BOOTINFO_MAP_MAX, PHYSMEM_MAP_CLAIMS, bi);
	u64 best = 0;

	for (u32 i = 0; i < n; i++) {
		const struct bootinfo_map_entry *m = &bi->map[i];
		u64 b = m->base > min ? m->base : min;
		u64 e = m->base + m->length < max ? m->base + m->length : max;
		if (m->type == BOOTINFO_MEM_USABLE && e > b && e - b > best)
			best = e - b;
	}
	return best;
}

/* Where the protected-mode code goes.  A relocatable kernel runs at its
 * load address aligned up, but never below pref_address (its head code
 * moves itself up there first), and needs init_size bytes from where it
 * runs: so the lowest aligned address at or above pref_address with that
 * much room, trying each alignment from kernel_alignment down to the
 * minimum the kernel accepts.  A fixed one is loaded at 1 MiB and runs at
 * pref_address. */
static u32 place_kernel(struct boot_request *r, const struct linux_kernel *k, u32 *align)
{
	u64 need = page_up(k->init_size);

	*align = k->align;
	if (!k->relocatable) {
		u64 end = (u64)k->pref_address + k->init_size;
		if (end < LINUX_LOAD_HIGH_ADDR + (u64)k->pm_size)
			end = LINUX_LOAD_HIGH_ADDR + (u64)k->pm_size;
		end = page_up(end);
		const char *err = physmem_claim(LINUX_LOAD_HIGH_ADDR, end - LINUX_LOAD_HIGH_ADDR,
						CLAIM_KERNEL, "the kernel");
		if (err)
			die("%s is not relocatable and needs 0x%x-0x%llx (init_size), which %s",
			    r->kernel.name, LINUX_LOAD_HIGH_ADDR, end, err);
		return LINUX_LOAD_HIGH_ADDR;
	}
	for (u32 a = k->align; a >= k->min_align; a >>= 1) {
		u64 at = physmem_alloc(need, a, k->pref_address, FOUR_GIB, 0, CLAIM_KERNEL,
				       "the kernel");
		if (at) {
			*align = a;
			return (u32)at;
		}
	}
	die("%s does not fit in memory: it needs %llu KiB (init_size) from a %u KiB-aligned "
	    "address at or above 0x%x, and the largest free range of usable RAM there is "
	    "%llu KiB",
	    r->kernel.name, need >> 10, k->min_align >> 10, k->pref_address,
	    largest_free(r->bi, k->pref_address, FOUR_GIB) >> 10);
}

/* The initrd as high as it may go (as GRUB does): below initrd_addr_max
 * and 4 GiB, in usable RAM clear of the kernel.  Loaded as it is, even
 * when compressed: Linux unpacks its initramfs itself. */
static void load_initrd(struct boot_request *r, const struct linux_kernel *k,
			struct linux_placement *p)
{
	static struct file f;
	const char *path = r->entry->initrd;
	u64 max = (u64)k->initrd_addr_max + 1;

	if (!path)
		return;
	const char *err = volume_open(path, &f);
	if (err)
		die("initrd %s: %s", path, err);
	if (max > FOUR_GIB)
		max = FOUR_GIB;
	u64 at = physmem_alloc(f.size, PAGE_SIZE, MIB_1, max, 1, CLAIM_MODULE, path);
	if (!at)
		die("initrd %s (%llu KiB) does not fit below initrd_addr_max 0x%x: the largest "
		    "free range of usable RAM there is %llu KiB",
		    path, f.size >> 10, k->initrd_addr_max, largest_free(r->bi, MIB_1, max) >> 10);
	print("stage2: initrd %s: %llu bytes at 0x%llx\n", path, f.size, at);
	file_read(&f, 0, (u32)f.size, phys(at));
	p->ramdisk_image = (u32)at;
	p->ramdisk_size = (u32)f.size;
}

/* What Linux's real-mode setup records about the text console, from the
 * video BIOS's own record in the BDA, so the kernel's VGA console goes on
 * where the loader's messages stopped.  Without a video BIOS (no mode set
 * up, 0 columns) it stays zero and Linux leaves the VGA console off. */
static void fill_screen_info(struct linux_screen_info *s)
{
	u8 cols = (u8)bda_read16(BDA_VIDEO_COLS);

	if (!cols)
		return;
	s->orig_video_page = (u8)bda_read16(BDA_VIDEO_PAGE);
	u16 cursor = bda_read16(BDA_CURSOR_POS + 2 * (s->orig_video_page & 7));
	s->orig_x = (u8)cursor;
	s->orig_y = (u8)(cursor >> 8);
	s->orig_video_mode = (u8)bda_read16(BDA_VIDEO_MODE) & 0x7f;
	s->orig_video_cols = cols;
	s->orig_video_lines = (u8)(bda_read16(BDA_VIDEO_ROWS) + 1);
	s->orig_video_points = bda_read16(BDA_CHAR_HEIGHT);
	s->orig_video_isVGA = LINUX_VIDEO_TYPE_VGAC;
}

_Noreturn void proto_linux_boot(struct boot_request *r)
{
	static struct linux_kernel k;
	static struct linux_placement p;
	static struct handoff h;
	static struct video_result video;
	struct video_request vr;
	const char *cmdline = r->entry->cmdline ? r->entry->cmdline : "";
	u32 detail[2];
	u32 len = 0;

	const char *err = linux_parse(r->head, r->head_len, r->kernel.size, &k, detail);
	if (err) {
		static char msg[160];
		format_string(msg, sizeof(msg), err, detail[0], detail[1]);
		die("%s: %s", r->kernel.name, msg);
	}
	while (cmdline[len])
		len++;
	if (len > k.cmdline_size)
		die("%s: the command line is %u bytes long; this kernel takes at most %u "
		    "(cmdline_size)",
		    r->kernel.name, len, k.cmdline_size);
	/* A kernel with a 64-bit entry is a 64-bit kernel: without long mode
	 * its 32-bit entry would only halt. */
	int lm = (k.xloadflags & LINUX_XLF_KERNEL_64) != 0;
	if (lm && (!r->cpu->long_mode || !r->cpu->pae))
		die("%s is a 64-bit kernel (XLF_KERNEL_64) and this CPU has no %s",
		    r->kernel.name, r->cpu->long_mode ? "PAE" : "long mode");

	/* vga= on the command line overrides the kernel's built-in vid_mode,
	 * as its setup code would have let it. */
	u16 vid_mode =
		((const struct linux_setup_header *)(r->head + LINUX_SETUP_HEADER_OFF))->vid_mode;
	const char *vga;
	u32 vga_len;
	int vga_given = linux_cmdline_vga(cmdline, &vid_mode, &vga, &vga_len);
	if (vga_given) {
		static char word[24];
		u32 n = vga_len < sizeof(word) - 1 ? vga_len : sizeof(word) - 1;
		memcpy(word, vga, n);
		word[n] = 0;
		if (vga_given < 0)
			die("%s: vga=%s%s on the command line is not a video mode: give a VESA mode "
			    "as Linux numbers it (791 or 0x317: VBE mode 0x117), or normal, ext "
			    "or ask",
			    r->kernel.name, word, n < vga_len ? "..." : "");
		/* Only VESA modes are set here; 80x25 text is what the kernel
		 * gets otherwise. */
		if (!r->entry->video.given && vid_mode != LINUX_VID_MODE_NORMAL &&
		    (vid_mode < LINUX_VID_MODE_VESA_FIRST || vid_mode > LINUX_VID_MODE_VESA_LAST))
			print("stage2: vga=%s (vid_mode 0x%x) is not a VESA mode (0x300-0x3ff); "
			      "this loader has no mode menu and leaves the screen in 80x25 text\n",
			      word, vid_mode);
	}

	/* Before any memory is placed: the framebuffer is claimed. */
	linux_video_request(&r->entry->video, vid_mode, &vr);
	if (vr.given)
		video_setup(&vr, &video);
	p.load = place_kernel(r, &k, &p.align);
	post(POST_KERNEL);
	print("stage2: loading Linux (boot protocol %u.%02u): %u bytes at 0x%x, %llu KiB "
	      "claimed (init_size)\n",
	      k.version >> 8, k.version & 0xff, k.pm_size, p.load, page_up(k.init_size) >> 10);
	file_read(&r->kernel, k.pm_offset, (u32)k.pm_size, phys(p.load));
	load_initrd(r, &k, &p);

	/* The zero page and the command line after it: loader memory, low. */
	u32 zp = (u32)physmem_alloc(LINUX_ZERO_PAGE_SIZE + len + 1, PAGE_SIZE, LOADER_LOW_END,
				    FOUR_GIB, 0, CLAIM_LOADER, "the zero page");
	if (!zp)
		die("no room below 4 GiB for the zero page and a %u-byte command line", len);
	p.cmdline = zp + LINUX_ZERO_PAGE_SIZE;
	memcpy(phys(p.cmdline), cmdline, len + 1);
	h.esp = boot_alloc_stack();
	if (lm) {
		/* The 64-bit entry wants the kernel's init_size range, the
		 * zero page and the command line identity-mapped: all of
		 * them lie below 4 GiB, which is mapped whole. */
		struct paging pg = { .gib_pages = r->cpu->gib_pages, .limit = FOUR_GIB };
		u32 tables = paging_count(&pg, 0, 0, 0, 0);
		u32 pool = (u32)physmem_alloc((u64)tables * PAGE_SIZE, PAGE_SIZE, LOADER_LOW_END,
					      FOUR_GIB, 0, CLAIM_LOADER, "the page tables");
		if (!pool || !(h.cr3 = paging_build(&pg, 0, 0, 0, 0, pool, tables)))
			die("no room below 4 GiB for %u page tables", tables);
	}
	post(POST_PAGING);
	boot_record_disk(r->bi);
	struct linux_boot_params *bp = phys(zp);
	linux_zero_page(bp, r->head, &k, &p, r->bi);
	bp->hdr.vid_mode = vid_mode; /* boot protocol: "vga=" goes here */

	/* ESI/RSI = the zero page; EBP, EDI, EBX = 0 (kernel_jump clears EBP). */
	h.mode = lm ? HANDOFF_LM64 : HANDOFF_PM32;
	h.entry = p.load + (lm ? LINUX_ENTRY64_OFF : 0);
	h.esi = zp;
	post(POST_JUMP);
	print("stage2: starting Linux at 0x%llx (%s entry), zero page at 0x%x, %u e820 "
	      "entries\n",
	      h.entry, lm ? "64-bit" : "32-bit", zp, bp->e820_entries);
	if (video.fb.type == BOOTINFO_VIDEO_RGB)
		linux_screen_info_vlfb(&bp->screen_info, &video);
	else
		fill_screen_info(&bp->screen_info); /* after the last message: the cursor */
	kernel_jump(&h);
}
