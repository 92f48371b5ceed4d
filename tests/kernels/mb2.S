/*
 * Entry of the Multiboot2 test kernels (tests/kernels/mbkernel.c).  The
 * header: an information request the loader must honour (command line,
 * loader name, memory information, memory map, ELF sections), one it may
 * ignore (the optional flag: modules, boot device, framebuffer, ACPI, load
 * base), page-aligned modules, EGA text supported.  With MB2_AOUT the
 * address and entry address tags place the flat binary of the same link
 * (objcopy -O binary), as the a.out kludge does for Multiboot1.
 */
#include "multiboot2.h"

#define TAG(type, flags, size) .short type, flags; .long size

	.section .multiboot, "a"
	.align 8
mb2_header:
	.long MULTIBOOT2_HEADER_MAGIC
	.long MULTIBOOT2_ARCHITECTURE_I386
	.long mb2_header_end - mb2_header
	.long 0x100000000 - (MULTIBOOT2_HEADER_MAGIC + MULTIBOOT2_ARCHITECTURE_I386 + \
			     (mb2_header_end - mb2_header))

	.align 8
	TAG(MULTIBOOT2_HEADER_TAG_INFORMATION_REQUEST, 0, 8 + 4 * 5)
	.long MULTIBOOT2_TAG_TYPE_CMDLINE, MULTIBOOT2_TAG_TYPE_BOOT_LOADER_NAME
	.long MULTIBOOT2_TAG_TYPE_BASIC_MEMINFO, MULTIBOOT2_TAG_TYPE_MMAP
	.long MULTIBOOT2_TAG_TYPE_ELF_SECTIONS
	.align 8
	TAG(MULTIBOOT2_HEADER_TAG_INFORMATION_REQUEST, MULTIBOOT2_HEADER_TAG_OPTIONAL, 8 + 4 * 7)
	.long MULTIBOOT2_TAG_TYPE_MODULE, MULTIBOOT2_TAG_TYPE_BOOTDEV
	.long MULTIBOOT2_TAG_TYPE_FRAMEBUFFER, MULTIBOOT2_TAG_TYPE_ACPI_OLD
	.long MULTIBOOT2_TAG_TYPE_ACPI_NEW, MULTIBOOT2_TAG_TYPE_LOAD_BASE_ADDR
	.long MULTIBOOT2_TAG_TYPE_SMBIOS
	.align 8
	TAG(MULTIBOOT2_HEADER_TAG_MODULE_ALIGN, 0, 8)
	.align 8
	TAG(MULTIBOOT2_HEADER_TAG_CONSOLE_FLAGS, 0, 12)
	.long MULTIBOOT2_CONSOLE_FLAGS_EGA_TEXT_SUPPORTED
#ifdef MB2_AOUT
	.align 8
	TAG(MULTIBOOT2_HEADER_TAG_ADDRESS, 0, MULTIBOOT2_HEADER_TAG_ADDRESS_SIZE)
	.long mb2_header	/* header_addr */
	.long kernel_start	/* load_addr */
	.long kernel_edata	/* load_end_addr */
	.long kernel_end	/* bss_end_addr */
	.align 8
	TAG(MULTIBOOT2_HEADER_TAG_ENTRY_ADDRESS, 0, MULTIBOOT2_HEADER_TAG_ENTRY_ADDRESS_SIZE)
	.long _start
#endif
	.align 8
	TAG(MULTIBOOT2_HEADER_TAG_END, 0, 8)
mb2_header_end:

#include "mbentry.S"
