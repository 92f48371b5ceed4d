/*
 * The Multiboot2 information structure (specification 2.0, section 3.6),
 * pure: built into a buffer as it will sit in memory; see mb.h.  total_size
 * and reserved, then 8-byte aligned tags: command line, boot loader name,
 * modules, basic memory information, boot device, memory map, the EGA text
 * console (framebuffer tag), ELF sections, ACPI RSDP (old, and new for
 * revision 2 and later), the image's load base, and the end tag.
 */
#include "mb.h"
#include "acpi.h"
#include "io.h"

/* A tag whose size is known only at its end. */
static u32 tag_begin(struct mb_writer *w, u32 type)
{
	struct multiboot2_tag t = { type, 0 };

	return mb_put(w, &t, sizeof(t), MULTIBOOT2_TAG_ALIGN) - w->phys;
}

static void tag_end(struct mb_writer *w, u32 at)
{
	if (w->buf)
		((struct multiboot2_tag *)(void *)(w->buf + at))->size = w->used - at;
}

static void string_tag(struct mb_writer *w, u32 type, const char *s)
{
	u32 at = tag_begin(w, type);

	mb_put_string(w, s);
	tag_end(w, at);
}

static void build(const struct mb_info_input *in, struct mb_writer *w)
{
	u32 at;

	mb_put(w, 0, sizeof(struct multiboot2_info_header), MULTIBOOT2_TAG_ALIGN);
	string_tag(w, MULTIBOOT2_TAG_TYPE_CMDLINE, in->cmdline);
	string_tag(w, MULTIBOOT2_TAG_TYPE_BOOT_LOADER_NAME, in->loader_name);
	for (u32 i = 0; i < in->nmods; i++) {
		const struct boot_module *m = &in->mods[i];
		u32 range[2] = { (u32)m->base, (u32)(m->base + m->length) };
		at = tag_begin(w, MULTIBOOT2_TAG_TYPE_MODULE);
		mb_put(w, range, sizeof(range), 4);
		mb_put_string(w, m->string);
		tag_end(w, at);
	}

	struct multiboot2_tag_basic_meminfo mem = { MULTIBOOT2_TAG_TYPE_BASIC_MEMINFO,
						    sizeof(mem), 0, 0 };
	mb_mem_bounds(in->map, in->map_count, &mem.mem_lower, &mem.mem_upper);
	mb_put(w, &mem, sizeof(mem), MULTIBOOT2_TAG_ALIGN);

	struct multiboot2_tag_bootdev dev = { MULTIBOOT2_TAG_TYPE_BOOTDEV, sizeof(dev),
					      in->boot_drive, in->boot_part, MB_NO_PART };
	mb_put(w, &dev, sizeof(dev), MULTIBOOT2_TAG_ALIGN);

	struct multiboot2_tag_mmap mm = { MULTIBOOT2_TAG_TYPE_MMAP, 0, MULTIBOOT2_MMAP_ENTRY_SIZE,
					  0 };
	at = mb_put(w, &mm, sizeof(mm), MULTIBOOT2_TAG_ALIGN) - w->phys;
	for (u32 i = 0; i < in->map_count; i++) {
		const struct bootinfo_map_entry *m = &in->map[i];
		struct multiboot2_mmap_entry e = { m->base, m->length, mb_map_type(m->type), 0 };
		mb_put(w, &e, sizeof(e), 1);
	}
	tag_end(w, at);

	mb2_put_video(in, w);

	/* Always there, empty for a kernel without sections, as GRUB does. */
	at = tag_begin(w, MULTIBOOT2_TAG_TYPE_ELF_SECTIONS);
	u32 sec[3] = { 0, 0, 0 };
	if (in->shdrs) {
		sec[0] = in->shnum;
		sec[1] = in->shentsize;
		sec[2] = in->shndx;
	}
	mb_put(w, sec, sizeof(sec), 4);
	if (in->shdrs)
		mb_put(w, in->shdrs, in->shnum * in->shentsize, 1);
	tag_end(w, at);

	if (in->rsdp) {
		at = tag_begin(w, MULTIBOOT2_TAG_TYPE_ACPI_OLD);
		mb_put(w, in->rsdp, ACPI_RSDP_V1_SIZE, 1);
		tag_end(w, at);
		if (in->rsdp[ACPI_RSDP_OFF_REVISION] >= 2) {
			u32 len;
			memcpy(&len, in->rsdp + ACPI_RSDP_OFF_LENGTH, sizeof(len));
			at = tag_begin(w, MULTIBOOT2_TAG_TYPE_ACPI_NEW);
			mb_put(w, in->rsdp, len, 1);
			tag_end(w, at);
		}
	}

	struct multiboot2_tag_load_base_addr base = { MULTIBOOT2_TAG_TYPE_LOAD_BASE_ADDR,
						      sizeof(base), in->load_base };
	mb_put(w, &base, sizeof(base), MULTIBOOT2_TAG_ALIGN);

	struct multiboot2_tag end = { MULTIBOOT2_TAG_TYPE_END, sizeof(end) };
	mb_put(w, &end, sizeof(end), MULTIBOOT2_TAG_ALIGN);
	if (w->buf)
		((struct multiboot2_info_header *)(void *)w->buf)->total_size = w->used;
}

u32 mb2_build_info(const struct mb_info_input *in, u8 *buf, u32 cap, u32 phys)
{
	return mb_build(build, in, buf, cap, phys);
}
