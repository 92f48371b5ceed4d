/*
 * How the pure disk readers (part.c, fat.c) reach a disk: one callback.
 * Stage2 backs it with disk.c (bounce buffer, 64 KiB boundaries, the BIOS's
 * transfer limit); the host tests and the fuzzers back it with a file or a
 * byte array.  Sectors are 512 bytes everywhere this loader reads.
 */
#ifndef BLOCKDEV_H
#define BLOCKDEV_H

#include "types.h"

struct blockdev {
	/* Reads count 512-byte sectors at lba into dst (a flat pointer anywhere
	 * below 4 GiB in stage2; any buffer on the host).  Returns 0, or -1 with
	 * bad_lba set (the caller names the LBA).  Any count: stage2's disk layer
	 * splits it into the largest transfers the BIOS takes, so callers ask for
	 * whole contiguous runs at once. */
	int (*read)(struct blockdev *bd, u64 lba, u32 count, void *dst);
	u64 sectors; /* 0 if unknown */
	u64 bad_lba; /* set by read() on failure */
};

#endif
