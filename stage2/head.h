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
#include "paging.h" /* PAGE_SIZE */

/* A field of the header in stage2/entry.asm, which lives in the code segment
 * (linked at its offset there): read it through its flat linear address. */
#define STAGE2_HDR(type, sym) (*(const type *)phys(STAGE2_CODE_BASE + (u32)(uintptr_t)&(sym)))
extern char hdr_core_sectors, hdr_body_csize, hdr_body_crc32, hdr_stage2_lba, hdr_kernel_lba,
	hdr_kernel_size, hdr_boot_part, hdr_ext_sectors, hdr_ext_csize, hdr_ext_crc32;

/* CRC-32 of len bytes at data (include/crc32.h, sliced by 4): the head's,
 * with tables it builds to check the body and keeps for the body's own
 * checks (the head's .bss stays as it left it). */
u32 stage2_crc32(const void *data, u32 len);

/* Stores len bytes at addr back onto themselves, before stage2 fills the
 * rest of a page where code has run (the head's last page before the body's
 * code goes in behind it, the MBR's under the body's .bss, the body's last
 * page before the extension).  QEMU's TCG sends every store into a page that
 * holds translated code through a self-modifying-code check, about 3 us a
 * store in QEMU 7.2, until no translation is left there: storing the code
 * bytes retires them at one slow store per dword instead of one per dword
 * of the page (measured: the body's first 3.4 KiB took 2-4.6 ms, now 0.3).
 * On a real CPU it is a harmless copy. */
void retire_code(u32 addr, u32 len);

/* retire_code() for the part of addr's page below addr: before code is
 * copied in at addr behind code that has run. */
static inline void retire_code_below(u32 addr)
{
	retire_code(addr & ~(PAGE_SIZE - 1), addr & (PAGE_SIZE - 1));
}

/* The boot drive; the body reads the kernel and everything else with it. */
extern struct disk boot_disk;

#endif
