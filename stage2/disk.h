#ifndef DISK_H
#define DISK_H

#include "types.h"

/* Phoenix EDD limit: some BIOSes fail transfers over 127 sectors. */
#define DISK_XFER_MAX 127u
#define DISK_TRIES 3u

struct disk {
	u8 drive;
	u8 use_chs;
	u32 spt, heads;   /* CHS geometry from AH=08h */
	u32 xfer_max;     /* largest transfer the BIOS has accepted so far */
	u32 retries;
	u64 sectors;      /* disk size as the BIOS reports it; 0 if unknown */
};

/* LBA unless the MBR found no extensions with fixed-disk access (AH=41h)
 * and read the core by CHS (MBR_FLAG_CHS): then CHS too.  Learns the disk's
 * size (AH=48h, or the AH=08h geometry). */
int disk_init(struct disk *d, u8 drive, int mbr_used_chs);

/* Reads count sectors at lba to buf, a real-mode-reachable address;
 * [buf, buf + count * 512) must not cross a 64 KiB boundary.  Retries after
 * an AH=00h reset, halves the transfer on repeated failure.  Returns 0, or
 * -1 with *bad_lba set. */
int disk_read(struct disk *d, u64 lba, u32 count, u32 buf, u64 *bad_lba);

/* The same for any count into any flat address: through the bounce buffer
 * (BOUNCE_BUF_ADDR) in the largest transfers the BIOS takes, each copied
 * where it belongs. */
int disk_read_to(struct disk *d, u64 lba, u32 count, void *dst, u64 *bad_lba);

#endif
