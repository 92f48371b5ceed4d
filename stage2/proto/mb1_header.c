/*
 * The Multiboot1 header (specification 0.6.96, section 3.1), pure: found,
 * checked and read from the kernel file's first bytes; see mb.h.
 *
 * The header is the first 4-byte aligned magic in the first 8192 bytes whose
 * checksum adds up (as GRUB searches); the whole header, as long as its
 * flags make it, must lie in those 8192 bytes and in the file.  Flag bits
 * 0-15 are requirements: bits 0 (page-aligned modules) and 1 (memory
 * information) are always honoured, bit 2 (a video mode) only with
 * MB_CAP_VIDEO, and the others are defined by no version of the
 * specification, so no loader can honour them.
 */
#include "mb.h"

const char *mb1_parse_header(const u8 *head, u32 len, u64 file_size, u32 caps,
			     struct mb1_header_info *h, struct mb_error *e)
{
	const struct multiboot_header *p = 0;
	u32 off, need = MULTIBOOT_HEADER_SIZE, bad = ~0u;

	*h = (struct mb1_header_info){ 0 };
	*e = (struct mb_error){ 0, "" };
	for (off = 0; off + MULTIBOOT_HEADER_SIZE <= len &&
		      off + MULTIBOOT_HEADER_SIZE <= MULTIBOOT_SEARCH;
	     off += MULTIBOOT_HEADER_ALIGN) {
		const struct multiboot_header *c = (const void *)(head + off);
		if (c->magic != MULTIBOOT_HEADER_MAGIC)
			continue;
		if (c->magic + c->flags + c->checksum == 0) {
			p = c;
			break;
		}
		if (bad == ~0u)
			bad = off;
	}
	if (!p) {
		e->value = bad;
		return bad != ~0u ? "the Multiboot1 header at offset 0x%x has a bad checksum "
				    "(magic + flags + checksum is not 0)"
				  : "no Multiboot1 header (magic 0x1BADB002 with its checksum, 4-byte "
				    "aligned) in the file's first 8192 bytes";
	}
	h->offset = off;
	h->flags = p->flags;
	if (p->flags & MULTIBOOT_AOUT_KLUDGE)
		need = MULTIBOOT_HEADER_SIZE_AOUT;
	if (p->flags & MULTIBOOT_VIDEO_MODE)
		need = MULTIBOOT_HEADER_SIZE_VIDEO;
	e->value = need;
	if (off + need > file_size || off + need > len)
		return "the Multiboot1 header is cut short by the end of the file (its flags make "
		       "it %u bytes)";
	if (off + need > MULTIBOOT_SEARCH)
		return "the Multiboot1 header (%u bytes, as its flags make it) runs past the "
		       "file's first 8192 bytes";

	u32 unknown = p->flags & MULTIBOOT_REQUIRED_MASK &
		      ~(u32)(MULTIBOOT_PAGE_ALIGN | MULTIBOOT_MEMORY_INFO | MULTIBOOT_VIDEO_MODE);
	if (unknown) {
		e->value = (u32)__builtin_ctz(unknown);
		return "the Multiboot1 header requires flag bit %u, which Multiboot 0.6.96 does "
		       "not define: no loader can honour it";
	}
	if (p->flags & MULTIBOOT_VIDEO_MODE) {
		h->video = (struct mb_video){ p->mode_type, p->width, p->height, p->depth, 1, 1 };
		e->value = p->mode_type;
		if (!(caps & MB_CAP_VIDEO))
			return "the Multiboot1 header requires a video mode (flag bit 2, mode_type "
			       "%u): this loader does not set video modes yet";
	}
	if (p->flags & MULTIBOOT_AOUT_KLUDGE)
		h->addr = (struct mb_address){ p->header_addr, p->load_addr, p->load_end_addr,
					       p->bss_end_addr, p->entry_addr };
	return 0;
}
