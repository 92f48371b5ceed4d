/*
 * What Multiboot1 and Multiboot2 share, pure (see mb.h): the address
 * fields' arithmetic, the ELF section table a kernel gets, and the memory
 * numbers both information structures carry.
 */
#include "mb.h"
#include "elf.h"
#include "io.h"
#include "multiboot.h"

#define PAGE 4096u
#define FOUR_GIB 0x100000000ull
#define MIB_1 0x100000u
#define LOW_MEM_END 0xA0000u /* 640 KiB: lower memory ends there at the latest */
/* The section table is copied into the information structure. */
#define SHDR_TABLE_MAX 0x100000u

/* Sizes and offsets below 4 GiB: stage2 addresses no more (and 64-bit
 * arithmetic is costly in real-mode code). */
static u32 clamp32(u64 v)
{
	return v > 0xFFFFFFFFu ? 0xFFFFFFFFu : (u32)v;
}

const char *mb_address_layout(const struct mb_address *a, u32 header_off, u32 header_size,
			      u64 file_size, int mb2, struct mb_layout *l, struct mb_error *e)
{
	u32 fsize = clamp32(file_size), load = a->load_addr, size, mem;

	e->name = "";
	e->value = load;
	if (mb2 && load == 0xFFFFFFFFu) {
		/* "Load from the file's first byte." */
		e->value = a->header_addr;
		if (a->header_addr < header_off)
			return "header_addr 0x%x is less than the header's offset in the file, "
			       "so the file's first byte (load_addr 0xFFFFFFFF) would go below 0";
		load = a->header_addr - header_off;
	}
	if (load > a->header_addr)
		return "load_addr 0x%x lies above header_addr";
	u32 before = a->header_addr - load;
	e->value = before;
	if (before > header_off)
		return "header_addr - load_addr is 0x%x, more than the header's offset in the file: "
		       "loading would start before the file's first byte";
	l->file_offset = header_off - before;
	size = fsize - l->file_offset;
	if (a->load_end_addr) {
		e->value = a->load_end_addr;
		if (a->load_end_addr < load)
			return "load_end_addr 0x%x lies below load_addr";
		if (a->load_end_addr - load > size)
			return "load_end_addr 0x%x reaches past the end of the file";
		size = a->load_end_addr - load;
	}
	e->value = load + size;
	if (before + header_size > size)
		return "the loaded part ends at 0x%x, before the header does";
	e->value = size;
	if (load && size > 0u - load)
		return "the image (0x%x bytes from the file) reaches past 4 GiB";
	mem = size;
	if (a->bss_end_addr) {
		e->value = a->bss_end_addr;
		if (a->bss_end_addr < load || a->bss_end_addr - load < size)
			return "bss_end_addr 0x%x lies below the end of the loaded part";
		mem = a->bss_end_addr - load;
	}
	e->value = a->entry_addr;
	if (a->entry_addr < load || a->entry_addr - load >= size)
		return "entry_addr 0x%x lies outside the part loaded from the file";
	l->load_addr = load;
	l->load_size = size;
	l->mem_size = mem;
	return 0;
}

/* A section header's fields, for both classes; addr only as "is it 0". */
struct shdr {
	u32 type, addr, offset, size, align;
};

#define SHT_NULL 0
#define SHT_NOBITS 8

/* Entries may sit at any offset (e_shentsize is the file's word): copied
 * out and in whole. */
static void read_shdr(const u8 *p, int is64, struct shdr *s)
{
	union {
		struct elf32_shdr h32;
		struct elf64_shdr h64;
	} u;

	memcpy(&u, p, is64 ? sizeof(u.h64) : sizeof(u.h32));
	if (is64)
		*s = (struct shdr){ u.h64.sh_type, u.h64.sh_addr != 0, clamp32(u.h64.sh_offset),
				    clamp32(u.h64.sh_size), clamp32(u.h64.sh_addralign) };
	else
		*s = (struct shdr){ u.h32.sh_type, u.h32.sh_addr, u.h32.sh_offset, u.h32.sh_size,
				    u.h32.sh_addralign };
}

const char *mb_elf_sections(elf_read_fn read, void *ctx, u64 file_size,
			    struct mb_elf_sections *s, struct mb_error *e)
{
	union {
		struct elf32_ehdr e32;
		struct elf64_ehdr e64;
	} eh;
	u32 min;

	*s = (struct mb_elf_sections){ 0 };
	*e = (struct mb_error){ 0, "" };
	if (read(ctx, 0, &eh, sizeof(eh.e32)))
		return "the ELF header is out of reach";
	s->is64 = eh.e32.e_ident[4] == ELFCLASS64;
	if (s->is64) {
		if (read(ctx, 0, &eh, sizeof(eh.e64)))
			return "the ELF header is out of reach";
		s->offset = clamp32(eh.e64.e_shoff);
		s->num = eh.e64.e_shnum;
		s->entsize = eh.e64.e_shentsize;
		s->shndx = eh.e64.e_shstrndx;
		min = sizeof(struct elf64_shdr);
	} else {
		s->offset = eh.e32.e_shoff;
		s->num = eh.e32.e_shnum;
		s->entsize = eh.e32.e_shentsize;
		s->shndx = eh.e32.e_shstrndx;
		min = sizeof(struct elf32_shdr);
	}
	if (!s->num || !s->offset) {
		s->num = 0;
		return 0;
	}
	e->value = s->entsize;
	if (s->entsize < min)
		return "e_shentsize %u is smaller than a section header";
	e->value = s->num * s->entsize;
	if (e->value > SHDR_TABLE_MAX)
		return "the section header table takes %u bytes; the loader hands over at most "
		       "1 MiB of it";
	if (s->offset > clamp32(file_size) || e->value > clamp32(file_size) - s->offset)
		return "the section header table (%u bytes) lies past the end of the file";
	e->value = s->shndx;
	if (s->shndx >= s->num)
		return "e_shstrndx %u names no section";
	return 0;
}

const char *mb_elf_place(u8 *table, const struct mb_elf_sections *s, u64 file_size, u32 base,
			 mb_load_fn load, void *ctx, u32 *size, struct mb_error *e)
{
	u32 fsize = clamp32(file_size), pos = 0, room = 0u - PAGE - base;

	*e = (struct mb_error){ 0, "" };
	for (u32 i = 0; i < s->num; i++) {
		u8 *p = table + i * s->entsize;
		struct shdr sh;
		read_shdr(p, s->is64, &sh);
		if (sh.addr || !sh.size || sh.type == SHT_NULL || sh.type == SHT_NOBITS)
			continue;
		e->value = i;
		if (sh.offset > fsize || sh.size > fsize - sh.offset)
			return "section %u's data lies past the end of the file";
		/* Power-of-two alignments up to a page, as the ELF file asks;
		 * anything else (not valid ELF) gets a page. */
		u32 align = sh.align ? sh.align : 1;
		if (align > PAGE || (align & (align - 1)))
			align = PAGE;
		pos = (pos + align - 1) & ~(align - 1);
		if (pos > room || sh.size > room - pos)
			return "the sections to load (up to section %u) do not fit below 4 GiB";
		u32 at = base + pos;
		pos += sh.size;
		if (!load)
			continue;
		u64 a = at; /* little-endian: the low half first, for both classes */
		memcpy(p + (s->is64 ? offsetof(struct elf64_shdr, sh_addr)
				    : offsetof(struct elf32_shdr, sh_addr)),
		       &a, s->is64 ? 8 : 4);
		load(ctx, sh.offset, sh.size, at);
	}
	*size = pos;
	return 0;
}

u32 mb_map_type(u32 type)
{
	/* The sanitized types keep E820's numbers, which are Multiboot's: 1
	 * available, 2 reserved, 3 ACPI reclaimable, 4 NVS, 5 bad, and
	 * persistent memory keeps E820's 7, which Multiboot kernels read as
	 * reserved ("any other value"). */
	return type <= BOOTINFO_MEM_PERSISTENT ? type : MULTIBOOT_MEMORY_RESERVED;
}

void mb_mem_bounds(const struct bootinfo_map_entry *map, u32 count, u32 *lower, u32 *upper)
{
	*lower = *upper = 0;
	for (u32 i = 0; i < count; i++) {
		const struct bootinfo_map_entry *m = &map[i];
		u64 end = m->base + m->length;
		if (m->type != BOOTINFO_MEM_USABLE)
			continue;
		if (m->base <= PAGE)
			*lower = (u32)((end < LOW_MEM_END ? end : LOW_MEM_END) >> 10);
		if (m->base <= MIB_1 && end > MIB_1) {
			u64 kib = (end - MIB_1) >> 10;
			*upper = kib > 0xFFFFFFFFu ? 0xFFFFFFFFu : (u32)kib;
		}
	}
}

u32 mb_put(struct mb_writer *w, const void *p, u32 len, u32 align)
{
	u32 at = (w->used + align - 1) & ~(align - 1);

	if (w->buf && p)
		memcpy(w->buf + at, p, len);
	w->used = at + len;
	return w->phys + at;
}

u32 mb_put_string(struct mb_writer *w, const char *s)
{
	u32 n = 0;

	if (!s)
		s = "";
	while (s[n])
		n++;
	return mb_put(w, s, n + 1, 1);
}

u32 mb_build(void (*build)(const struct mb_info_input *, struct mb_writer *),
	     const struct mb_info_input *in, u8 *buf, u32 cap, u32 phys)
{
	struct mb_writer w = { 0, 0, phys };

	build(in, &w);
	if (!buf || w.used > cap)
		return w.used;
	memset(buf, 0, w.used);
	w = (struct mb_writer){ buf, 0, phys };
	build(in, &w);
	return w.used;
}
