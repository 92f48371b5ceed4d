/*
 * The Multiboot2 header (specification 2.0, section 3.1), pure: found,
 * checked and read from the kernel file's first bytes; see mb.h.
 *
 * The header is the first 8-byte aligned magic in the first 32768 bytes
 * whose four fields sum to 0 (as GRUB searches); header_length must cover
 * the fixed part and an end tag, and the whole header must lie in the file
 * and in those 32768 bytes.  Tags follow the fixed part, each 8-byte
 * aligned, at least 8 bytes and inside header_length, with the size its
 * type fixes; the walk must meet an end tag (type 0, size 8) inside
 * header_length.  A tag this loader cannot honour is refused unless its
 * flags mark it optional.
 */
#include "mb.h"

static const char *const header_tag_names[MULTIBOOT2_HEADER_TAG_COUNT] = {
	[MULTIBOOT2_HEADER_TAG_END] = "end",
	[MULTIBOOT2_HEADER_TAG_INFORMATION_REQUEST] = "information request",
	[MULTIBOOT2_HEADER_TAG_ADDRESS] = "address",
	[MULTIBOOT2_HEADER_TAG_ENTRY_ADDRESS] = "entry address",
	[MULTIBOOT2_HEADER_TAG_CONSOLE_FLAGS] = "console flags",
	[MULTIBOOT2_HEADER_TAG_FRAMEBUFFER] = "framebuffer",
	[MULTIBOOT2_HEADER_TAG_MODULE_ALIGN] = "module alignment",
	[MULTIBOOT2_HEADER_TAG_EFI_BS] = "EFI boot services",
	[MULTIBOOT2_HEADER_TAG_ENTRY_ADDRESS_EFI32] = "EFI i386 entry address",
	[MULTIBOOT2_HEADER_TAG_ENTRY_ADDRESS_EFI64] = "EFI amd64 entry address",
	[MULTIBOOT2_HEADER_TAG_RELOCATABLE] = "relocatable",
};

/* The information tags a kernel may ask for that this loader does not give
 * (see MB2_INFO_GIVEN). */
static const char *const info_tag_names[MULTIBOOT2_TAG_TYPE_COUNT] = {
	[MULTIBOOT2_TAG_TYPE_VBE] = "VBE information",
	[MULTIBOOT2_TAG_TYPE_APM] = "APM table",
	[MULTIBOOT2_TAG_TYPE_EFI32] = "EFI 32-bit system table",
	[MULTIBOOT2_TAG_TYPE_EFI64] = "EFI 64-bit system table",
	[MULTIBOOT2_TAG_TYPE_SMBIOS] = "SMBIOS tables",
	[MULTIBOOT2_TAG_TYPE_NETWORK] = "network information",
	[MULTIBOOT2_TAG_TYPE_EFI_MMAP] = "EFI memory map",
	[MULTIBOOT2_TAG_TYPE_EFI_BS] = "EFI boot services not terminated",
	[MULTIBOOT2_TAG_TYPE_EFI32_IH] = "EFI 32-bit image handle",
	[MULTIBOOT2_TAG_TYPE_EFI64_IH] = "EFI 64-bit image handle",
};

/* The size each header tag type has (0: variable, checked by its case). */
static const u8 header_tag_sizes[MULTIBOOT2_HEADER_TAG_COUNT] = {
	[MULTIBOOT2_HEADER_TAG_END] = MULTIBOOT2_HEADER_TAG_SIZE,
	[MULTIBOOT2_HEADER_TAG_ADDRESS] = MULTIBOOT2_HEADER_TAG_ADDRESS_SIZE,
	[MULTIBOOT2_HEADER_TAG_ENTRY_ADDRESS] = MULTIBOOT2_HEADER_TAG_ENTRY_ADDRESS_SIZE,
	[MULTIBOOT2_HEADER_TAG_CONSOLE_FLAGS] = MULTIBOOT2_HEADER_TAG_CONSOLE_FLAGS_SIZE,
	[MULTIBOOT2_HEADER_TAG_FRAMEBUFFER] = MULTIBOOT2_HEADER_TAG_FRAMEBUFFER_SIZE,
	[MULTIBOOT2_HEADER_TAG_MODULE_ALIGN] = MULTIBOOT2_HEADER_TAG_SIZE,
	[MULTIBOOT2_HEADER_TAG_EFI_BS] = MULTIBOOT2_HEADER_TAG_SIZE,
	[MULTIBOOT2_HEADER_TAG_ENTRY_ADDRESS_EFI32] = MULTIBOOT2_HEADER_TAG_ENTRY_ADDRESS_SIZE,
	[MULTIBOOT2_HEADER_TAG_ENTRY_ADDRESS_EFI64] = MULTIBOOT2_HEADER_TAG_ENTRY_ADDRESS_SIZE,
	[MULTIBOOT2_HEADER_TAG_RELOCATABLE] = MULTIBOOT2_HEADER_TAG_RELOCATABLE_SIZE,
};

static const char *tag_name(u32 type)
{
	return type < MULTIBOOT2_HEADER_TAG_COUNT ? header_tag_names[type] : "unknown";
}

/* The tags' walk: each known tag's fields into h. */
static const char *read_tags(const u8 *hdr, u32 length, u32 caps, struct mb2_header_info *h,
			     struct mb_error *e)
{
	for (u32 t = MULTIBOOT2_HEADER_SIZE;; ) {
		const struct multiboot2_header_tag *tag = (const void *)(hdr + t);
		e->value = t;
		if (t > length || length - t < MULTIBOOT2_HEADER_TAG_SIZE)
			return "the header's tags reach header_length (at offset %u) without an end "
			       "tag";
		u32 type = tag->type, size = tag->size, optional;
		optional = tag->flags & MULTIBOOT2_HEADER_TAG_OPTIONAL;
		e->value = type;
		e->name = tag_name(type);
		if (size < MULTIBOOT2_HEADER_TAG_SIZE)
			return "header tag type %u (%s) has a size below 8";
		if (size > length - t)
			return "header tag type %u (%s) runs past header_length";
		if (type < MULTIBOOT2_HEADER_TAG_COUNT && header_tag_sizes[type] &&
		    size != header_tag_sizes[type])
			return "header tag type %u (%s) has the wrong size for its type";
		if (type < 32)
			h->tags |= 1u << type;
		switch (type) {
		case MULTIBOOT2_HEADER_TAG_END:
			return 0;
		case MULTIBOOT2_HEADER_TAG_INFORMATION_REQUEST: {
			const struct multiboot2_header_tag_information_request *rq = (const void *)tag;
			if ((size - MULTIBOOT2_HEADER_TAG_SIZE) % 4)
				return "header tag type %u (%s) has a size that is not 8 plus a "
				       "multiple of 4";
			for (u32 i = 0; i < (size - MULTIBOOT2_HEADER_TAG_SIZE) / 4; i++) {
				u32 want = rq->requests[i];
				if (optional)
					continue;
				if (want < 32)
					h->requests |= 1u << want;
				if (want < 32 && (MB2_INFO_GIVEN >> want & 1))
					continue;
				e->value = want;
				e->name = want < MULTIBOOT2_TAG_TYPE_COUNT && info_tag_names[want]
						  ? info_tag_names[want]
						  : "unknown";
				return "the information request tag requires information tag type "
				       "%u (%s), which this loader does not give";
			}
			break;
		}
		case MULTIBOOT2_HEADER_TAG_ADDRESS: {
			const struct multiboot2_header_tag_address *a = (const void *)tag;
			h->addr.header_addr = a->header_addr;
			h->addr.load_addr = a->load_addr;
			h->addr.load_end_addr = a->load_end_addr;
			h->addr.bss_end_addr = a->bss_end_addr;
			break;
		}
		case MULTIBOOT2_HEADER_TAG_ENTRY_ADDRESS:
			h->addr.entry_addr =
				((const struct multiboot2_header_tag_entry_address *)(const void *)tag)
					->entry_addr;
			break;
		case MULTIBOOT2_HEADER_TAG_CONSOLE_FLAGS:
			h->console_flags =
				((const struct multiboot2_header_tag_console_flags *)(const void *)tag)
					->console_flags;
			break;
		case MULTIBOOT2_HEADER_TAG_FRAMEBUFFER: {
			const struct multiboot2_header_tag_framebuffer *f = (const void *)tag;
			h->video = (struct mb_video){ 0, f->width, f->height, f->depth, 1, !optional };
			if (!optional && !(caps & MB_CAP_VIDEO))
				return "header tag type %u (%s) is required (not marked optional): "
				       "this loader does not set video modes yet";
			break;
		}
		case MULTIBOOT2_HEADER_TAG_RELOCATABLE: {
			const struct multiboot2_header_tag_relocatable *rl = (const void *)tag;
			h->reloc_min = rl->min_addr;
			h->reloc_max = rl->max_addr;
			h->reloc_align = rl->align;
			h->reloc_preference = rl->preference;
			break;
		}
		case MULTIBOOT2_HEADER_TAG_MODULE_ALIGN: /* modules are always page-aligned */
		case MULTIBOOT2_HEADER_TAG_EFI_BS:       /* EFI only: a BIOS has none */
		case MULTIBOOT2_HEADER_TAG_ENTRY_ADDRESS_EFI32:
		case MULTIBOOT2_HEADER_TAG_ENTRY_ADDRESS_EFI64:
			break;
		default:
			if (!optional)
				return "header tag type %u (%s) is not known to this loader and not "
				       "marked optional";
		}
		t += (size + MULTIBOOT2_TAG_ALIGN - 1) & ~(u32)(MULTIBOOT2_TAG_ALIGN - 1);
	}
}

const char *mb2_parse_header(const u8 *head, u32 len, u64 file_size, u32 caps,
			     struct mb2_header_info *h, struct mb_error *e)
{
	const struct multiboot2_header *p = 0;
	u32 off, bad = ~0u;
	const char *err;

	*h = (struct mb2_header_info){ 0 };
	*e = (struct mb_error){ 0, "" };
	for (off = 0; off + MULTIBOOT2_HEADER_SIZE <= len &&
		      off + MULTIBOOT2_HEADER_SIZE <= MULTIBOOT2_SEARCH;
	     off += MULTIBOOT2_ALIGN) {
		const struct multiboot2_header *c = (const void *)(head + off);
		if (c->magic != MULTIBOOT2_HEADER_MAGIC)
			continue;
		if (c->magic + c->architecture + c->header_length + c->checksum == 0) {
			p = c;
			break;
		}
		if (bad == ~0u)
			bad = off;
	}
	if (!p) {
		e->value = bad;
		return bad != ~0u ? "the Multiboot2 header at offset 0x%x has a bad checksum "
				    "(magic + architecture + header_length + checksum is not 0)"
				  : "no Multiboot2 header (magic 0xE85250D6 with its checksum, 8-byte "
				    "aligned) in the file's first 32768 bytes";
	}
	h->offset = off;
	h->length = p->header_length;
	e->value = p->architecture;
	if (p->architecture != MULTIBOOT2_ARCHITECTURE_I386)
		return "the Multiboot2 header is for architecture %u, not i386 (0)";
	e->value = p->header_length;
	if (p->header_length < MULTIBOOT2_HEADER_SIZE + MULTIBOOT2_HEADER_TAG_SIZE)
		return "header_length %u is too short for the header and an end tag (24 bytes)";
	if (p->header_length > file_size - off || p->header_length > len - off)
		return "header_length %u reaches past the end of the file";
	if (p->header_length > MULTIBOOT2_SEARCH - off)
		return "header_length %u: the header runs past the file's first 32768 bytes";
	err = read_tags(head + off, p->header_length, caps, h, e);
	if (err)
		return err;
	*e = (struct mb_error){ MULTIBOOT2_HEADER_TAG_ADDRESS, "address" };
	if ((h->tags & 1u << MULTIBOOT2_HEADER_TAG_ADDRESS) &&
	    !(h->tags & 1u << MULTIBOOT2_HEADER_TAG_ENTRY_ADDRESS))
		return "header tag type %u (%s) needs an entry address tag (type 3) beside it";
	if (h->console_flags & MULTIBOOT2_CONSOLE_FLAGS_CONSOLE_REQUIRED &&
	    !(h->console_flags & MULTIBOOT2_CONSOLE_FLAGS_EGA_TEXT_SUPPORTED) &&
	    !(h->video.present && (caps & MB_CAP_VIDEO))) {
		*e = (struct mb_error){ h->console_flags, "console flags" };
		return "the console flags tag (console_flags 0x%x) requires a console, and the "
		       "kernel supports none this loader offers (EGA text; framebuffers come with "
		       "video modes)";
	}
	return 0;
}
