/*
 * The Multiboot1 protocol (specification 0.6.96): an ELF kernel, or any
 * image whose header carries the address fields (flag bit 16), entered in
 * 32-bit protected mode with EAX = 0x2BADB002 and EBX = the information
 * structure (mb1_info.c).  The header parser is mb1_header.c; the steps
 * shared with Multiboot2 are in mbload.c.
 */
#include "mb.h"
#include "console.h"

_Noreturn void proto_multiboot1_boot(struct boot_request *r)
{
	static struct mb1_header_info h;
	static struct mb_kernel k;
	static struct mb_info_input in;
	static struct video_result video;
	struct video_request vr;
	struct mb_error e;
	const char *err = mb1_parse_header(r->head, r->head_len, r->kernel.size, MB_LOADER_CAPS,
					   &h, &e);

	if (err)
		mb_die(r, "Multiboot1 header", err, &e);
	print("stage2: %s: Multiboot1 header at offset 0x%x, flags 0x%x\n", r->kernel.name,
	      h.offset, h.flags);
	/* The mode first: its framebuffer is claimed before anything is
	 * placed. */
	mb_video_request(&r->entry->video, &h.video, &vr);
	if (vr.given)
		video_setup(&vr, &video);
	/* Flag 16 wins over the ELF headers, as in GRUB: the address fields
	 * are what the kernel's author wrote for loaders. */
	mb_load_kernel(r, h.flags & MULTIBOOT_AOUT_KLUDGE ? &h.addr : 0, h.offset,
		       MULTIBOOT_HEADER_SIZE_AOUT, 0, &k);
	mb_gather(r, &k, &in);
	in.video = video.fb.type == BOOTINFO_VIDEO_RGB ? &video : 0;
	mb_boot(r, &k, &in, mb1_build_info, MULTIBOOT_BOOTLOADER_MAGIC, "Multiboot1");
}
