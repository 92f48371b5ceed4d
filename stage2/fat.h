/*
 * FAT12/16/32 reader, pure: the disk is reached through struct blockdev,
 * all state lives in the caller's fat_volume / fat_file (about 19 KiB of
 * buffers in fat_volume), no heap, no u64 division, every loop bounded.
 *
 * Paths are absolute, '/'-separated; empty components and "." are skipped,
 * ".." goes up (and stays at the root).  Each component matches an entry's
 * long name or its 8.3 name, ignoring ASCII case only: a-z and A-Z fold,
 * every other character must match exactly.  Long names (UCS-2) are compared
 * as UTF-8; 8.3 names byte for byte (their OEM code page is not translated,
 * so a non-ASCII 8.3 name matches only the same raw bytes).
 *
 * Every function returns NULL on success or a message naming what is wrong;
 * vol->detail then holds the number that goes with it (the LBA that failed,
 * the cluster, the BPB value), as the message says.
 */
#ifndef STAGE2_FAT_H
#define STAGE2_FAT_H

#include "blockdev.h"
#include "../include/fat.h" /* the on-disk structures; a bare "fat.h" would be this file */
#include "types.h"

#ifndef FAT_CACHE_SECTORS
/* The most FAT sectors read at once: 4096 FAT32 entries, 8192 FAT16.  A
 * 32 MiB kernel's chain on FAT16 spans 64 FAT sectors: 16 INT 13h calls of
 * about 0.4 ms each under QEMU (any transport) at 4 sectors a read, 6 at 32
 * (the window grows from one sector, fat_next). */
#define FAT_CACHE_SECTORS 32
#endif
#ifndef FAT_SECTOR_SLOTS
/* Single sectors kept (directory sectors, the partial sectors at a file's
 * ends): a boot walks /boot three times (the volume probe, loader.cfg, the
 * kernel), and each walk then costs no BIOS call after the first. */
#define FAT_SECTOR_SLOTS 4
#endif
/* A long name as UTF-8 (255 UCS-2 units, at most 3 bytes each) and a NUL. */
#define FAT_NAME_MAX (FAT_LFN_MAX_UNITS * 3 + 1)

struct fat_volume {
	struct blockdev *bd;
	u64 lba;            /* the volume's first sector on the disk */
	u64 detail;         /* the number that goes with the last error */
	u64 sector_lba[FAT_SECTOR_SLOTS];  /* disk LBA held in each sector[]; ~0 = none */
	u32 sector_used[FAT_SECTOR_SLOTS]; /* when each was last used: the oldest goes */
	u32 sector_clock;
	u32 fat_start;      /* the FAT in use, in sectors from lba */
	u32 fat_sectors;
	u32 root_start;     /* FAT12/16 fixed root directory, sectors from lba */
	u32 root_entries;
	u32 data_start;     /* cluster 2, sectors from lba */
	u32 clusters;       /* data clusters: valid numbers are 2 .. clusters + 1 */
	u32 root_cluster;   /* FAT32 */
	u32 cache_first;    /* FAT sector (from fat_start) held at cache[0] */
	u32 cache_count;    /* sectors held; 0 = empty */
	u32 fat_window;     /* sectors the next FAT read takes (fat_next) */
	u8 type;            /* 12, 16 or 32 */
	u8 cluster_shift;   /* log2(bytes per cluster): 9 .. 16 */
	u16 lfn[FAT_LFN_MAX_SEQ * FAT_LFN_UNITS]; /* the long name being assembled */
	u8 cache[FAT_CACHE_SECTORS * FAT_SECTOR_SIZE];
	u8 sector[FAT_SECTOR_SLOTS][FAT_SECTOR_SIZE]; /* partial sectors, directory entries */
};

struct fat_file {
	struct fat_volume *vol;
	u32 size;          /* bytes; a directory: FAT_DIR_MAX_ENTRIES entries */
	u32 first_cluster; /* 0 for a directory: the FAT12/16 fixed root */
	/* The run mapped last: clusters run_index .. cur_index of the file are
	 * run_cluster .. cur_cluster on the disk.  Reads resume there instead of
	 * rewalking the chain from its start. */
	u32 run_cluster, run_index;
	u32 cur_cluster, cur_index;
	u32 dir_pos;       /* fat_readdir's next entry, bytes */
	u8 attr;           /* FAT_ATTR_*; the root directory has FAT_ATTR_DIRECTORY */
	u8 chain_checked;  /* the chain was seen to end right after the file's end */
};

struct fat_dirent {
	char name[FAT_NAME_MAX]; /* the long name if one is valid, else the 8.3 name */
	char short_name[13];     /* "NAME.EXT", lower case where byte 12 says so */
	u8 attr;
	u32 size;
	u32 first_cluster;
};

/* Mounts the FAT volume whose first sector is at lba; sectors is the
 * partition's size (0 if unknown).  Refuses sector sizes other than 512,
 * cluster sizes that are not 1..128 sectors (a power of two), a BPB whose
 * layout contradicts the type its cluster count gives, a FAT too small for
 * the clusters, a volume larger than its partition. */
const char *fat_mount(struct fat_volume *v, struct blockdev *bd, u64 lba, u64 sectors);

/* Forgets every sector held (the FAT window, the single sectors): the next
 * reads go to the disk. */
void fat_drop_caches(struct fat_volume *v);

/* Opens a file or a directory by absolute path. */
const char *fat_open(struct fat_volume *v, const char *path, struct fat_file *f);

/* Copies len bytes from offset of a file to dst, one blockdev read per run
 * of contiguous clusters (partial first and last sectors go through
 * vol->sector).  Reading up to the file's last byte also checks that its
 * chain ends there (a chain that goes on is a loop or a corrupt size). */
const char *fat_read(struct fat_file *f, u32 offset, u32 len, void *dst);

/* The directory's next entry, skipping free and deleted entries, volume
 * labels, "." and "..".  At the end, returns NULL with e->name[0] == 0. */
const char *fat_readdir(struct fat_file *dir, struct fat_dirent *e);

#endif
