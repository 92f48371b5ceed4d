/*
 * The Multiboot2 protocol (specification 2.0): an ELF kernel, or an image
 * placed by its address tag, entered in 32-bit protected mode with
 * EAX = 0x36D76289 and EBX = the information structure (mb2_info.c).  The
 * header parser is mb2_header.c; the steps shared with Multiboot1 are in
 * mbload.c.
 */
#include "mb.h"
#include "acpi.h"
#include "console.h"

#define HAS(h, tag) ((h).tags & 1u << MULTIBOOT2_HEADER_TAG_##tag)

_Noreturn void proto_multiboot2_boot(struct boot_request *r)
{
	static struct mb2_header_info h;
	static struct mb_kernel k;
	static struct mb_info_input in;
	static struct video_result video;
	struct video_request vr;
	struct mb_error e;
	const char *err = mb2_parse_header(r->head, r->head_len, r->kernel.size, MB_LOADER_CAPS,
					   &h, &e);

	if (err)
		mb_die(r, "Multiboot2 header", err, &e);
	print("stage2: %s: Multiboot2 header at offset 0x%x, %u bytes, tags 0x%x, information "
	      "asked for 0x%x\n",
	      r->kernel.name, h.offset, h.length, h.tags, h.requests);
	/* The mode first: its framebuffer is claimed before anything is
	 * placed. */
	mb_video_request(&r->entry->video, &h.video, &vr);
	if (vr.given)
		video_setup(&vr, &video);
	mb_load_kernel(r, HAS(h, ADDRESS) ? &h.addr : 0, h.offset, h.length, 1, &k);
	if (HAS(h, ENTRY_ADDRESS)) {
		if (h.addr.entry_addr < k.lo || h.addr.entry_addr >= k.hi)
			die("%s: Multiboot2 entry address tag: entry_addr 0x%x lies outside the "
			    "kernel image (0x%x-0x%x)",
			    r->kernel.name, h.addr.entry_addr, k.lo, k.hi);
		k.entry = h.addr.entry_addr;
	}
	/* Loading the image where it was linked honours a relocatable tag when
	 * that place is inside the range the tag allows. */
	if (HAS(h, RELOCATABLE) &&
	    (k.lo < h.reloc_min || k.hi - 1 > h.reloc_max ||
	     (h.reloc_align && (k.lo & (h.reloc_align - 1)))))
		die("%s: Multiboot2 relocatable tag: the image at 0x%x-0x%x is outside "
		    "min_addr 0x%x..max_addr 0x%x or not aligned to 0x%x, and this loader loads "
		    "it only where it was linked",
		    r->kernel.name, k.lo, k.hi, h.reloc_min, h.reloc_max, h.reloc_align);
	mb_gather(r, &k, &in);
	in.video = video.fb.type == BOOTINFO_VIDEO_RGB ? &video : 0;
	if ((h.console_flags & MULTIBOOT2_CONSOLE_FLAGS_CONSOLE_REQUIRED) && !in.text_cols &&
	    !in.video)
		die("%s: Multiboot2 console flags tag: the kernel requires a console, and there is "
		    "no EGA text console (the video BIOS reports none)",
		    r->kernel.name);
	/* Information the kernel requires that this machine turned out not to
	 * have. */
	if ((h.requests & 1u << MULTIBOOT2_TAG_TYPE_ACPI_OLD) && !in.rsdp)
		die("%s: the Multiboot2 information request requires the ACPI RSDP (tag type "
		    "14), and the firmware has none",
		    r->kernel.name);
	if ((h.requests & 1u << MULTIBOOT2_TAG_TYPE_ACPI_NEW) &&
	    (!in.rsdp || in.rsdp[ACPI_RSDP_OFF_REVISION] < 2))
		die("%s: the Multiboot2 information request requires an ACPI 2.0 RSDP (tag type "
		    "15), and the firmware has %s",
		    r->kernel.name, in.rsdp ? "only an ACPI 1.0 one" : "none");
	if ((h.requests & 1u << MULTIBOOT2_TAG_TYPE_VBE) && !in.video)
		die("%s: the Multiboot2 information request requires VBE information (tag type "
		    "7), and no video mode was set",
		    r->kernel.name);
	if ((h.requests & 1u << MULTIBOOT2_TAG_TYPE_FRAMEBUFFER) && !in.text_cols && !in.video)
		die("%s: the Multiboot2 information request requires framebuffer information "
		    "(tag type 8), and there is no EGA text console (the video BIOS reports none) "
		    "nor a video mode",
		    r->kernel.name);
	mb_boot(r, &k, &in, mb2_build_info, MULTIBOOT2_BOOTLOADER_MAGIC, "Multiboot2");
}
