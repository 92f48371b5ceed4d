/*
 * Multiboot2 Specification version 2.0: the kernel's header, its tags, and
 * the boot information tags a boot loader hands over.  Names follow the
 * specification.
 */
#ifndef MULTIBOOT2_H
#define MULTIBOOT2_H

#define MULTIBOOT2_SEARCH 32768          /* the header lies in the first 32 KiB... */
#define MULTIBOOT2_ALIGN 8               /* ...64-bit aligned */
#define MULTIBOOT2_HEADER_MAGIC 0xE85250D6
#define MULTIBOOT2_BOOTLOADER_MAGIC 0x36D76289 /* EAX at the kernel's entry */
#define MULTIBOOT2_ARCHITECTURE_I386 0

#endif
