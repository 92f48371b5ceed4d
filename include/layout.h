/*
 * Physical memory plan of the loader while it runs in real mode, and the disk
 * layout of an image.  This header is the one owner of these numbers: the
 * Makefile turns it into build/layout.inc for nasm (every line here must stay
 * a plain "#define NAME value" so that conversion works), stage2's link
 * script is run through cpp with it, and C includes it directly.
 *
 * Real mode, segment 0 (CS = DS = ES = SS = 0 while C runs):
 *   0x00000 - 0x004FF  IVT and BDA: never written
 *   0x00500 - 0x06FFF  stage2 .bss (boot info, map tables, scratch)
 *   0x07000 - 0x07BFF  stage2 stack, grows down from 0x7C00
 *   0x07C00 - 0x07DFF  the MBR (stage2 reads its hand-off block first thing)
 *   0x08000 - 0x0FBFF  stage2 image, at most 62 sectors
 * Outside segment 0, reached only through the BIOS or the unreal-mode copy:
 *   0x10000 - 0x1FFFF  disk bounce buffer: 64 KiB aligned, so a transfer of up
 *                      to 127 sectors never crosses a 64 KiB boundary
 * Everything from LOADER_LOW_BASE to LOADER_LOW_END is typed "loader" in the
 * map handed to the kernel; stage2 stops with a message when conventional
 * memory ends below LOADER_LOW_END.
 */
#ifndef LAYOUT_H
#define LAYOUT_H

#define SECTOR_SIZE 512

#define MBR_LOAD_ADDR 0x7C00
#define STAGE2_LOAD_ADDR 0x8000
#define STAGE2_LBA 1
#define STAGE2_MAX_SECTORS 62
#define STAGE2_STACK_TOP 0x7C00
#define STAGE2_BSS_BASE 0x0500
#define STAGE2_BSS_LIMIT 0x7000

#define BOUNCE_BUF_ADDR 0x10000
#define BOUNCE_BUF_SIZE 0x10000

#define LOADER_LOW_BASE 0x0500
#define LOADER_LOW_END 0x20000

/* What the MBR hands stage2 besides DL = drive: DH = flags, CL = DL as the
 * BIOS gave it (DL != CL: the MBR fixed DL up), CH = disk retries. */
#define MBR_FLAG_CHS 0x02

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

/* The first partition starts after the classic 62-sector MBR gap. */
#define KERNEL_PART_LBA 63

/* Stack handed to the kernel, allocated from usable RAM and typed loader. */
#define KERNEL_STACK_SIZE 0x4000

#endif
