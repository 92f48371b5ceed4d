/* The parts of the ELF specification (System V gABI, i386 and x86-64 psABI)
 * the loader reads. */
#ifndef ELF_H
#define ELF_H

#include "types.h"

#define EI_NIDENT 16
#define ELFMAG0 0x7f
#define ELFCLASS32 1
#define ELFCLASS64 2
#define ELFDATA2LSB 1
#define EV_CURRENT 1
#define ET_EXEC 2
#define EM_386 3
#define EM_X86_64 62
#define PT_LOAD 1
#define PF_X 1

struct elf32_ehdr {
	u8 e_ident[EI_NIDENT];
	u16 e_type, e_machine;
	u32 e_version, e_entry, e_phoff, e_shoff, e_flags;
	u16 e_ehsize, e_phentsize, e_phnum, e_shentsize, e_shnum, e_shstrndx;
};
struct elf64_ehdr {
	u8 e_ident[EI_NIDENT];
	u16 e_type, e_machine;
	u32 e_version;
	u64 e_entry, e_phoff, e_shoff;
	u32 e_flags;
	u16 e_ehsize, e_phentsize, e_phnum, e_shentsize, e_shnum, e_shstrndx;
};
struct elf32_phdr {
	u32 p_type, p_offset, p_vaddr, p_paddr, p_filesz, p_memsz, p_flags, p_align;
};
struct elf64_phdr {
	u32 p_type, p_flags;
	u64 p_offset, p_vaddr, p_paddr, p_filesz, p_memsz, p_align;
};
/* Section headers: Multiboot kernels get their table (and the symbol and
 * string tables it points to). */
struct elf32_shdr {
	u32 sh_name, sh_type, sh_flags, sh_addr, sh_offset, sh_size, sh_link, sh_info;
	u32 sh_addralign, sh_entsize;
};
struct elf64_shdr {
	u32 sh_name, sh_type;
	u64 sh_flags, sh_addr, sh_offset, sh_size;
	u32 sh_link, sh_info;
	u64 sh_addralign, sh_entsize;
};
_Static_assert(sizeof(struct elf32_ehdr) == 52, "elf32_ehdr");
_Static_assert(sizeof(struct elf64_ehdr) == 64, "elf64_ehdr");
_Static_assert(sizeof(struct elf32_phdr) == 32, "elf32_phdr");
_Static_assert(sizeof(struct elf64_phdr) == 56, "elf64_phdr");
_Static_assert(sizeof(struct elf32_shdr) == 40, "elf32_shdr");
_Static_assert(sizeof(struct elf64_shdr) == 64, "elf64_shdr");

#endif
