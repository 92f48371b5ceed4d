/*
 * Entry of the Multiboot1 ELF test kernel (tests/kernels/mbkernel.c): the
 * header asks for page-aligned modules and memory information; the loader
 * reads the ELF headers for the rest.
 */
#include "multiboot.h"

#define FLAGS (MULTIBOOT_PAGE_ALIGN | MULTIBOOT_MEMORY_INFO)

	.section .multiboot, "a"
	.align 4
	.long MULTIBOOT_HEADER_MAGIC
	.long FLAGS
	.long 0x100000000 - (MULTIBOOT_HEADER_MAGIC + FLAGS)

#include "mbentry.S"
