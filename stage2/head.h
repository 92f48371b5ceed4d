/*
 * Stage2 as stored on the disk: the core, which the MBR loads (the head as it
 * is, then the body as a raw DEFLATE stream, RFC 1951, that the head
 * inflates), and the header in stage2/entry.asm that describes it.
 */
#ifndef HEAD_H
#define HEAD_H

#include "crc32.h"
#include "disk.h"
#include "io.h"
#include "layout.h"

/* A field of the header in stage2/entry.asm, which lives in the code segment
 * (linked at its offset there): read it through its flat linear address. */
#define STAGE2_HDR(type, sym) (*(const type *)phys(STAGE2_CODE_BASE + (u32)(uintptr_t)&(sym)))
extern char hdr_core_sectors, hdr_body_csize, hdr_body_crc32, hdr_stage2_lba, hdr_kernel_lba,
	hdr_kernel_size, hdr_boot_part, hdr_ext_sectors, hdr_ext_csize, hdr_ext_crc32;

/* CRC-32 of len bytes at data (include/crc32.h, sliced by 4): the head's,
 * with tables it builds to check the body and keeps for the body's own
 * checks (the head's .bss stays as it left it). */
u32 stage2_crc32(const void *data, u32 len);

/* The boot drive; the body reads the kernel and everything else with it. */
extern struct disk boot_disk;

#endif
