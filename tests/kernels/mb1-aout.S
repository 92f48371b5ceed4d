/*
 * Entry of the Multiboot1 a.out-kludge test kernel: a flat binary (objcopy
 * -O binary of the same link) whose header's address fields (flag bit 16)
 * say where it goes: the file from its first byte at load_addr, up to
 * load_end_addr; zeroes up to bss_end_addr; entry at entry_addr.
 */
#include "multiboot.h"

#define FLAGS (MULTIBOOT_PAGE_ALIGN | MULTIBOOT_MEMORY_INFO | MULTIBOOT_AOUT_KLUDGE)

	.section .multiboot, "a"
	.align 4
mb_header:
	.long MULTIBOOT_HEADER_MAGIC
	.long FLAGS
	.long 0x100000000 - (MULTIBOOT_HEADER_MAGIC + FLAGS)
	.long mb_header		/* header_addr */
	.long kernel_start	/* load_addr */
	.long kernel_edata	/* load_end_addr */
	.long kernel_end	/* bss_end_addr */
	.long _start		/* entry_addr */

#include "mbentry.S"
