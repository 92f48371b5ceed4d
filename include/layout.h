/*
 * Physical memory plan of the loader while it runs in real mode, and the disk
 * layout of an image.  This header is the one owner of these numbers: the
 * Makefile turns it into build/layout.inc for nasm (every line here must stay
 * a plain "#define NAME value" so that conversion works), stage2's link
 * script is run through cpp with it, and C includes it directly.
 *
 * Stage2 runs in flat real mode: CS = STAGE2_CODE_SEG, a 64 KiB segment of
 * its own for all of stage2's code; DS = ES = SS = 0 with 4 GiB limits, so
 * every data pointer is a linear address and C reaches all memory below
 * 4 GiB.  Interrupts stay masked outside BIOS calls, and the one BIOS-call
 * boundary restores the 4 GiB limits after each call (a BIOS may reload the
 * segment caches: SeaBIOS's call32 does).  gcc -m16 addresses statics with
 * 16-bit absolute displacements, so static data (.rodata, .data, .bss) and
 * the stack stay below 64 KiB; large buffers are reached through pointers.
 *
 *   0x00000 - 0x004FF  IVT and BDA: never written
 *   0x00500 - 0x0BFFF  stage2's static data: the head's, the body's, .bss
 *   0x0C000 - 0x0FFEF  stage2's stack (SS = 0), grows down from 0xFFF0
 *   0x07C00 - 0x0FBFF  during the hand-over only: the MBR, then the core as
 *                      the MBR loaded it at 0x8000 (the head's code and data,
 *                      the body's DEFLATE stream); the head moves its code
 *                      and data home and inflates the body from there
 *   0x10000 - 0x1FFFF  stage2's code: the head's, then the body's
 *   0x20000 - 0x4FFFF  the loader's heap: the boot information, the memory
 *                      map's work areas, the kernel file's first bytes, the
 *                      configuration, what else is too large for static
 *                      data (heap_alloc, stage2/physmem.h).  Before it, the
 *                      head unpacks the body here, code and data, and moves
 *                      each home (stage2/head.c says why not in place).
 *   0x50000 - 0x5FFFF  disk bounce buffer: 64 KiB aligned, so a transfer of up
 *                      to 127 sectors never crosses a 64 KiB boundary; the
 *                      stored stage2 body is read here first
 * Everything from LOADER_LOW_BASE to LOADER_LOW_END is typed "loader" in the
 * map handed to the kernel; stage2 stops with a message when conventional
 * memory ends below LOADER_LOW_END.
 */
#ifndef LAYOUT_H
#define LAYOUT_H

#define SECTOR_SIZE 512

#define MBR_LOAD_ADDR 0x7C00
/* The MBR loads the head here and jumps to STAGE2_LOAD_SEG:0 (the same
 * place; stage2/head.c asserts each segment matches its address). */
#define STAGE2_LOAD_ADDR 0x8000
#define STAGE2_LOAD_SEG 0x0800
#define STAGE2_CODE_BASE 0x10000
#define STAGE2_CODE_SEG 0x1000
#define STAGE2_CODE_MAX 0x10000
#define STAGE2_DATA_BASE 0x0500
#define STAGE2_DATA_LIMIT 0xC000
#define STAGE2_STACK_TOP 0xFFF0

/* The MBR loads stage2's core (head and compressed body), at most this many
 * sectors, to STAGE2_LOAD_ADDR: what the classic gap holds, ending below the
 * STAGE2_HEAD_STACK bytes of stack the head uses while it unpacks the body. */
#define STAGE2_CORE_MAX_SECTORS 62
#define STAGE2_HEAD_STACK 0x3F0

#define LOADER_HEAP_BASE 0x20000
#define LOADER_HEAP_END 0x50000

#define BOUNCE_BUF_ADDR 0x50000
#define BOUNCE_BUF_SIZE 0x10000

#define LOADER_LOW_BASE 0x0500
#define LOADER_LOW_END 0x60000

/* What the MBR hands stage2 besides DL = drive: DH = flags, CL = DL as the
 * BIOS gave it (DL != CL: the MBR fixed DL up), CH = disk retries. */
#define MBR_FLAG_CHS 0x02

/* Bytes 0x03..0x59 of a boot sector are where a FAT BPB lives (BPB proper
 * from 0x0B, the FAT32 extension up to 0x59); BIOSes that emulate a floppy
 * for a USB stick write fields into them (quirks.md), so the MBR keeps its
 * code and data out of MBR_BPB_START..MBR_BPB_END-1. */
#define MBR_BPB_START 0x04
#define MBR_BPB_END 0x5A
/* Code and data of the MBR end before the disk signature (0x1B8). */
#define MBR_CODE_LIMIT 0x1B8
#define MBR_DISK_SIG_OFF 0x1B8
#define MBR_PART_TABLE_OFF 0x1BE
#define MBR_BOOT_SIG_OFF 0x1FE

/* Real-mode IVT (0x000-0x3FF) and BIOS data area (0x400-0x4FF). */
#define IVT_BDA_END 0x500

/* Sanity window for INT 12h and 40:13, KiB (quirks.md: 447 KiB is real;
 * values outside the window are firmware garbage and are ignored). */
#define CONV_MEM_MIN_KIB 32
#define CONV_MEM_MAX_KIB 640

/* Disk layout.  Stage2 starts at STAGE2_LBA, in the gap before the first
 * partition.  The modern layout puts partition 1 at PART_LBA_MODERN (the
 * 1 MiB alignment partitioning tools have used since about 2009); the
 * classic one at PART_LBA_CLASSIC leaves a 62-sector gap, which the image
 * builder and the installer use only while stage2 still fits it. */
#define STAGE2_LBA 1
#define PART_LBA_MODERN 2048
#define PART_LBA_CLASSIC 63

/* Stack handed to the kernel, allocated from usable RAM and typed loader. */
#define KERNEL_STACK_SIZE 0x4000

#endif
