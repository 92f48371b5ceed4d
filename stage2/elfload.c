/*
 * Kernel ELF checks; see elfload.h.
 */
#include "elfload.h"
#include "elf.h"

#define FOUR_GIB 0x100000000ull

static const char *add_segment(struct kernel_image *k, u64 file_size, u64 offset, u64 filesz,
			       u64 vaddr, u64 paddr, u64 memsz, u64 *detail)
{
	*detail = k->nseg;
	if (filesz > memsz)
		return "segment has p_filesz > p_memsz";
	if (offset > file_size || filesz > file_size - offset)
		return "segment data lies past the end of the file";
	if (paddr + memsz < paddr || vaddr + memsz < vaddr)
		return "segment wraps around the address space";
	/* Segments are copied in unreal mode (32-bit addressing). */
	if (paddr + memsz > FOUR_GIB)
		return "segment lies above 4 GiB; the loader places segments below 4 GiB";
	if (k->nseg == KERNEL_SEGMENTS_MAX)
		return "too many loadable segments (the loader takes 16)";
	k->seg[k->nseg++] = (struct kernel_segment){
		.paddr = paddr, .vaddr = vaddr, .memsz = memsz, .offset = offset, .filesz = filesz };
	if (paddr < k->lo)
		k->lo = paddr;
	if (paddr + memsz > k->hi)
		k->hi = paddr + memsz;
	return 0;
}

/* A program header of either class, widened. */
struct phdr {
	u32 type;
	u64 offset, vaddr, paddr, filesz, memsz;
};

static int read_phdr(elf_read_fn read, void *ctx, int is64, u64 off, struct phdr *p)
{
	if (is64) {
		struct elf64_phdr ph;
		if (read(ctx, off, &ph, sizeof(ph)))
			return -1;
		*p = (struct phdr){ ph.p_type, ph.p_offset, ph.p_vaddr, ph.p_paddr, ph.p_filesz,
				    ph.p_memsz };
	} else {
		struct elf32_phdr ph;
		if (read(ctx, off, &ph, sizeof(ph)))
			return -1;
		*p = (struct phdr){ ph.p_type, ph.p_offset, ph.p_vaddr, ph.p_paddr, ph.p_filesz,
				    ph.p_memsz };
	}
	return 0;
}

const char *elf_parse(elf_read_fn read, void *ctx, u64 file_size, struct kernel_image *k,
		      u64 *detail)
{
	union {
		struct elf32_ehdr e32;
		struct elf64_ehdr e64;
	} eh;
	u64 scratch, phoff, entry, entry_phys = 0;
	u32 phnum, phentsize;
	int entry_found = 0;

	if (!detail)
		detail = &scratch;
	*detail = 0;
	*k = (struct kernel_image){ .lo = ~(u64)0 };
	if (file_size < sizeof(eh.e32) || read(ctx, 0, &eh, sizeof(eh.e32)))
		return "kernel file is too short to be ELF";
	if (eh.e32.e_ident[0] != ELFMAG0 || eh.e32.e_ident[1] != 'E' ||
	    eh.e32.e_ident[2] != 'L' || eh.e32.e_ident[3] != 'F')
		return "kernel is not an ELF file (bad magic)";
	if (eh.e32.e_ident[5] != ELFDATA2LSB)
		return "kernel ELF is not little-endian";
	if (eh.e32.e_ident[4] == ELFCLASS64) {
		if (file_size < sizeof(eh.e64) || read(ctx, 0, &eh, sizeof(eh.e64)))
			return "kernel file is too short to be ELF64";
		k->is64 = 1;
		if (eh.e64.e_machine != EM_X86_64)
			return "ELF64 kernel is not for x86-64 (e_machine)";
		phoff = eh.e64.e_phoff;
		phnum = eh.e64.e_phnum;
		phentsize = eh.e64.e_phentsize;
		entry = eh.e64.e_entry;
		if (phentsize < sizeof(struct elf64_phdr))
			return "ELF64 program header entries are too small";
	} else if (eh.e32.e_ident[4] == ELFCLASS32) {
		if (eh.e32.e_machine != EM_386)
			return "ELF32 kernel is not for i386 (e_machine)";
		phoff = eh.e32.e_phoff;
		phnum = eh.e32.e_phnum;
		phentsize = eh.e32.e_phentsize;
		entry = eh.e32.e_entry;
		if (phentsize < sizeof(struct elf32_phdr))
			return "ELF32 program header entries are too small";
	} else {
		return "kernel ELF class is neither 32 nor 64 bit";
	}
	if (eh.e32.e_type != ET_EXEC)
		return "kernel ELF is not an executable (e_type is not ET_EXEC)";
	if (eh.e32.e_version != EV_CURRENT)
		return "kernel ELF has an unknown version";
	if (!phnum)
		return "kernel ELF has no program headers";
	if (phoff > file_size || (u64)phnum * phentsize > file_size - phoff)
		return "kernel program headers lie past the end of the file";

	for (u32 i = 0; i < phnum; i++) {
		struct phdr ph;
		const char *err;

		*detail = i;
		if (read_phdr(read, ctx, k->is64, phoff + (u64)i * phentsize, &ph))
			return "kernel program headers are out of reach (too far into the file)";
		if (ph.type != PT_LOAD || !ph.memsz)
			continue;
		err = add_segment(k, file_size, ph.offset, ph.filesz, ph.vaddr, ph.paddr, ph.memsz,
				  detail);
		if (err)
			return err;
		/* The entry is a virtual address, in the segment that holds it. */
		if (!entry_found && entry >= ph.vaddr && entry - ph.vaddr < ph.memsz) {
			entry_phys = ph.paddr + (entry - ph.vaddr);
			entry_found = 1;
		}
	}
	if (!k->nseg)
		return "kernel ELF has no loadable segments";
	*detail = entry;
	if (!entry_found)
		return "kernel entry point lies in no loadable segment";
	k->entry = k->is64 ? entry : entry_phys;
	*detail = 0;
	return 0;
}
