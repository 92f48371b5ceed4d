/*
 * Host side of the boot-sector and stage2 formats: checking the build's
 * mbr.bin and stage2.bin, and patching them for the place they go on a disk.
 * The image builder (tools/mkimage.c) and the installer share it, so the
 * offsets (generated from the linked binaries' symbols: build/mbr_syms.h,
 * build/stage2_syms.h) and the checksums have one owner.
 */
#ifndef BOOTPATCH_H
#define BOOTPATCH_H

#include <stddef.h>
#include <stdint.h>

/* NULL when mbr.bin is a 512-byte boot sector of this project: 55 AA at the
 * end, nothing in the BPB hole, the disk signature or the partition table. */
const char *bootpatch_check_mbr(const uint8_t *mbr, size_t len);
/* NULL when stage2.bin is this project's packed stage2 and its sizes agree
 * with its header; *sectors gets its length in sectors: the core, which the
 * MBR loads, then the extension (stage2/ext.h). */
const char *bootpatch_check_stage2(const uint8_t *s2, size_t len, uint32_t *sectors);
uint32_t bootpatch_core_sectors(const uint8_t *s2);
/* For a gap too small for the extension: stage2 without it (the core alone,
 * bootpatch_core_sectors() of it, is what then goes on the disk). */
void bootpatch_drop_ext(uint8_t *s2);

/* An earlier install of this loader: when sector (the first sector of the
 * area stage2 goes to) starts a stage2 of this project (the STG2 magic, a
 * core within its limit), the sectors that stage2 takes, core and
 * extension; else 0. */
uint32_t bootpatch_installed_sectors(const uint8_t *sector);

/* Fills in where stage2 sits and what it boots: a raw kernel (its LBA and
 * size), or with kernel_size 0 a FAT volume (boot_part: its partition
 * number, 0 to let stage2 find it).  (The CRC-32 of the body is the
 * packer's; the MBR's sum, bootpatch_mbr, covers what is patched here.) */
void bootpatch_stage2(uint8_t *s2, size_t len, uint64_t stage2_lba, uint64_t kernel_lba,
		      uint64_t kernel_size, uint32_t boot_part);
/* Points the MBR's code at a patched stage2: its LBA (below 2^32: the MBR
 * reads 32-bit LBAs), the core's sector count and the sum of the core's
 * dwords. */
void bootpatch_mbr(uint8_t *mbr, const uint8_t *s2, uint64_t stage2_lba);

/* Bytes of the MBR sector that are this loader's code and data (the rest,
 * the BPB hole, the disk signature and the partition table, belong to the
 * disk): [0, MBR_BPB_START) and [MBR_BPB_END, MBR_CODE_LIMIT). */
int bootpatch_mbr_byte_is_code(unsigned offset);

#endif
