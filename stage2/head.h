/*
 * Stage2 as stored on the disk: the head (loaded by the MBR as it is), then
 * the body in one of these formats (the header in stage2/entry.asm says
 * which; tools/pack-stage2 chooses).
 */
#ifndef HEAD_H
#define HEAD_H

#include "disk.h"
#include "io.h"
#include "layout.h"

#define STAGE2_BODY_STORED 0  /* the body's bytes as linked */
#define STAGE2_BODY_DEFLATE 1 /* a raw DEFLATE stream (RFC 1951) of them */

/* A field of the header in stage2/entry.asm, which lives in the code segment
 * (linked at its offset there): read it through its flat linear address. */
#define STAGE2_HDR(type, sym) (*(const type *)phys(STAGE2_CODE_BASE + (u32)(uintptr_t)&(sym)))
extern char hdr_head_sectors, hdr_body_format, hdr_body_sectors, hdr_body_csize, hdr_crc32,
	hdr_stage2_lba, hdr_kernel_lba, hdr_kernel_size, hdr_boot_part;

/* The boot drive as the head set it up; the body reads the kernel with it. */
extern struct disk boot_disk;

#endif
