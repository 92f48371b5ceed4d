/*
 * The classic PC master boot record and the extended boot records (EBRs) of
 * logical partitions, as IBM's PC DOS 2.0 laid them out and every
 * partitioning tool since writes them.  Offsets inside the sector are owned
 * by include/layout.h; the structure below is checked against them.
 */
#ifndef MBR_H
#define MBR_H

#include "layout.h"
#include "types.h"

#define MBR_SIGNATURE 0xAA55   /* little-endian u16 at MBR_BOOT_SIG_OFF: bytes 55 AA */
#define MBR_PARTITIONS 4

#define MBR_STATUS_ACTIVE 0x80 /* the only other legal status byte is 0 */

#define MBR_TYPE_EMPTY 0x00
#define MBR_TYPE_EXTENDED_CHS 0x05 /* DOS extended partition (CHS era) */
#define MBR_TYPE_EXTENDED_LBA 0x0F /* Windows 95 extended partition (LBA) */
#define MBR_TYPE_EXTENDED_LINUX 0x85
#define MBR_TYPE_GPT_PROTECTIVE 0xEE
#define MBR_TYPE_FAT12 0x01
#define MBR_TYPE_FAT16_SMALL 0x04 /* FAT16 below 32 MiB */
#define MBR_TYPE_FAT16 0x06
#define MBR_TYPE_FAT32_CHS 0x0B
#define MBR_TYPE_FAT32_LBA 0x0C
#define MBR_TYPE_FAT16_LBA 0x0E
#define MBR_TYPE_LINUX 0x83

struct mbr_partition {
	u8 status;       /* 0x00: MBR_STATUS_ACTIVE or 0 */
	u8 chs_first[3]; /* 0x01: CHS of the first sector (ignored: LBA rules) */
	u8 type;         /* 0x04 */
	u8 chs_last[3];  /* 0x05 */
	u32 lba_first;   /* 0x08: MBR: from LBA 0; EBR: see part.c */
	u32 sectors;     /* 0x0C */
} __attribute__((packed));

struct mbr {
	u8 code[440];                                 /* 0x000 */
	u32 disk_signature;                           /* 0x1B8: Windows' disk id */
	u16 reserved;                                 /* 0x1BC: 0x5A5A = "copy protected" */
	struct mbr_partition part[MBR_PARTITIONS];    /* 0x1BE */
	u16 signature;                                /* 0x1FE: MBR_SIGNATURE */
} __attribute__((packed));

_Static_assert(sizeof(struct mbr_partition) == 16, "mbr_partition");
_Static_assert(sizeof(struct mbr) == SECTOR_SIZE, "mbr");
_Static_assert(__builtin_offsetof(struct mbr, disk_signature) == MBR_DISK_SIG_OFF, "mbr sig");
_Static_assert(__builtin_offsetof(struct mbr, part) == MBR_PART_TABLE_OFF, "mbr table");
_Static_assert(__builtin_offsetof(struct mbr, signature) == MBR_BOOT_SIG_OFF, "mbr 55aa");

#endif
