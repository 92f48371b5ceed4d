/*
 * Multiboot Specification version 0.6.96 (Multiboot1): the kernel's header
 * and the information structure a boot loader hands over.  Names follow the
 * specification.
 */
#ifndef MULTIBOOT_H
#define MULTIBOOT_H

#define MULTIBOOT_SEARCH 8192            /* the header lies in the first 8 KiB... */
#define MULTIBOOT_HEADER_ALIGN 4         /* ...32-bit aligned */
#define MULTIBOOT_HEADER_MAGIC 0x1BADB002
#define MULTIBOOT_BOOTLOADER_MAGIC 0x2BADB002 /* EAX at the kernel's entry */

#endif
