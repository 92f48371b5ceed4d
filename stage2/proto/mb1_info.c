/*
 * The Multiboot1 information structure (specification 0.6.96, section 3.3),
 * pure: built into a buffer as it will sit in memory; see mb.h.  Layout:
 * the 120-byte structure, then the strings, the memory map, the module list
 * and the ELF section table; every pointer in it is physical.
 */
#include "mb.h"
#include "io.h"

static void build(const struct mb_info_input *in, struct mb_writer *w)
{
	struct multiboot_info mi = { 0 };
	u32 lower, upper, strings[BOOT_MODULES_MAX];

	mb_put(w, 0, sizeof(mi), 8);
	mi.flags = MULTIBOOT_INFO_MEMORY | MULTIBOOT_INFO_BOOTDEV | MULTIBOOT_INFO_CMDLINE |
		   MULTIBOOT_INFO_MEM_MAP | MULTIBOOT_INFO_BOOT_LOADER_NAME;
	mb_mem_bounds(in->map, in->map_count, &lower, &upper);
	mi.mem_lower = lower;
	mi.mem_upper = upper;
	/* Drive, partition, sub-partition, and a fourth byte: 0xFF unused. */
	mi.boot_device = in->boot_drive << 24 | (in->boot_part & 0xFF) << 16 |
			 MULTIBOOT_BOOTDEV_UNUSED << 8 | MULTIBOOT_BOOTDEV_UNUSED;
	mi.cmdline = mb_put_string(w, in->cmdline);
	mi.boot_loader_name = mb_put_string(w, in->loader_name);

	mi.mmap_addr = mb_put(w, 0, 0, 8);
	for (u32 i = 0; i < in->map_count; i++) {
		const struct bootinfo_map_entry *m = &in->map[i];
		struct multiboot_mmap_entry e = { MULTIBOOT_MMAP_ENTRY_SIZE_FIELD, m->base,
						  m->length, mb_map_type(m->type) };
		mb_put(w, &e, sizeof(e), 4);
	}
	mi.mmap_length = in->map_count * MULTIBOOT_MMAP_ENTRY_SIZE;

	if (in->nmods) {
		mi.flags |= MULTIBOOT_INFO_MODS;
		mi.mods_count = in->nmods;
		for (u32 i = 0; i < in->nmods; i++)
			strings[i] = mb_put_string(w, in->mods[i].string);
		mi.mods_addr = mb_put(w, 0, 0, 4);
		for (u32 i = 0; i < in->nmods; i++) {
			const struct boot_module *m = &in->mods[i];
			struct multiboot_mod_list ml = { (u32)m->base, (u32)(m->base + m->length),
							 strings[i], 0 };
			mb_put(w, &ml, sizeof(ml), 4);
		}
	}
	if (in->shdrs) {
		mi.flags |= MULTIBOOT_INFO_ELF_SHDR;
		mi.u.elf_sec = (struct multiboot_elf_section_header_table){
			in->shnum, in->shentsize,
			mb_put(w, in->shdrs, in->shnum * in->shentsize, 8), in->shndx };
	}
	mb1_put_video(&mi, in, w);
	if (w->buf)
		memcpy(w->buf, &mi, sizeof(mi));
}

u32 mb1_build_info(const struct mb_info_input *in, u8 *buf, u32 cap, u32 phys)
{
	return mb_build(build, in, buf, cap, phys);
}
