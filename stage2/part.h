/*
 * MBR and GPT partition tables, pure: read through struct blockdev, no BIOS,
 * no stage2-only code, so stage2 and the host installer share this file.
 *
 * What part_scan refuses (returns a message; the table is then unusable):
 *   - a read error (the LBA in t->detail);
 *   - no 55 AA signature at LBA 0, or a status byte other than 0x00/0x80 in
 *     a primary entry (then LBA 0 is no partition table: a bare FAT volume
 *     looks like this);
 *   - a protective 0xEE entry whose GPT fails its checks in both the primary
 *     header and the backup (the message is the primary's problem,
 *     t->gpt_backup_error the backup's).  A GPT header fails on: signature,
 *     revision (major 1), header size (92..512), header CRC32, MyLBA not
 *     where it was read, first/last usable LBA out of order or past the disk
 *     or overlapping the header or the entry array, entry size not a
 *     multiple of 128, an entry array over PART_GPT_ARRAY_MAX bytes or past
 *     the disk, the entry array's CRC32.
 * What it records as warnings and goes on with (PART_WARN_*, on the table
 * and on each partition concerned): see the flags below.
 */
#ifndef STAGE2_PART_H
#define STAGE2_PART_H

#include "blockdev.h"
#include "gpt.h"
#include "types.h"

#define PART_MAX 32                 /* partitions kept; more sets PART_WARN_TOO_MANY */
#define PART_EBR_MAX 64             /* links followed in a logical-partition chain */
#define PART_GPT_ARRAY_MAX (1u << 20) /* bytes; the usual array is 16 KiB */
#define PART_GPT_HEADER_MAX 512     /* header size field: at most the sector */

enum part_scheme { PART_SCHEME_MBR = 1, PART_SCHEME_GPT };

/* Warnings on a partition (struct part.warn) and, or-ed together, on the
 * table (struct part_table.warn). */
#define PART_WARN_PAST_END 0x0001   /* ends past the disk's last sector */
#define PART_WARN_OVERLAP 0x0002    /* shares sectors with another partition or
				     * with the table itself (LBA 0, GPT areas) */
#define PART_WARN_OUTSIDE_USABLE 0x0004 /* GPT: not inside first..last usable LBA */
/* Table-only warnings. */
#define PART_WARN_BAD_ENTRY 0x0010  /* an entry was skipped: 0 sectors, last < first,
				     * a GPT entry ending at LBA 2^64 - 1, a logical
				     * entry pointing outside its container */
#define PART_WARN_EBR_LOOP 0x0020   /* the EBR chain came back to an earlier EBR */
#define PART_WARN_EBR_LONG 0x0040   /* the EBR chain had more than PART_EBR_MAX links */
#define PART_WARN_TOO_MANY 0x0080   /* more than PART_MAX partitions: the rest dropped */
#define PART_WARN_GPT_BACKUP 0x0100 /* the primary GPT failed; the backup was used */
#define PART_WARN_HYBRID 0x0200     /* protective MBR also lists other partitions */
#define PART_WARN_MULTI_ACTIVE 0x0400 /* more than one MBR entry marked active */
#define PART_WARN_EXTENDED_TWICE 0x0800 /* a second extended partition (ignored) */
#define PART_WARN_EBR_BAD 0x1000    /* an EBR without 55 AA, or past the disk: chain cut */

struct part {
	u64 start;            /* LBA */
	u64 sectors;
	struct gpt_guid type_guid; /* GPT; zero on MBR */
	struct gpt_guid unique_guid;
	u16 index;            /* 1-based: MBR 1..4 by slot, logical from 5; GPT entry + 1 */
	u16 warn;             /* PART_WARN_* that concern this partition */
	u8 mbr_type;          /* MBR; 0 on GPT */
	u8 active;            /* MBR status 0x80 */
};

struct part_table {
	u32 scheme;           /* enum part_scheme */
	u32 count;
	u32 warn;             /* PART_WARN_*, all partitions' and the table's */
	u32 disk_signature;   /* MBR 0x1B8 (also on a protective MBR) */
	struct gpt_guid disk_guid;
	u64 gpt_header_lba;   /* the header used: 1, or the backup's LBA */
	const char *gpt_primary_error; /* why the primary failed, if it did */
	const char *gpt_backup_error;  /* why the backup failed, if it was tried */
	u64 detail;           /* the number that goes with an error (LBA, entry) */
	struct part part[PART_MAX];
	u8 sector[512];       /* scratch */
	u32 bad_entry;        /* with PART_WARN_BAD_ENTRY: the last entry skipped,
			       * numbered as its partition would have been */
};

/* Reads LBA 0 (and the GPT or the EBR chain it leads to) into *t. */
const char *part_scan(struct blockdev *bd, struct part_table *t);

/* The partition numbered index (1-based, as struct part.index), or NULL. */
const struct part *part_find(const struct part_table *t, u32 index);

#endif
