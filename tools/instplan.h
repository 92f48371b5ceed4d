/*
 * The installer's pure part: what to write where, and every check before
 * it, computed from the disk's own sectors (read through struct blockdev)
 * and the build's mbr.bin and stage2.bin.  No file, no device, no output:
 * tools/install.c does the I/O, the host tests (tests/host/test_install.c)
 * call this directly on images in memory and on files.
 *
 * An install is at most two writes, in this order:
 *   1. stage2, patched for where it lies: from LBA STAGE2_LBA on an MBR
 *      disk (the gap before the first partition), or from the first sector
 *      of the BIOS boot partition on a GPT disk; its core and extension,
 *      or the core alone where only that fits (stage2/ext.h).  When an earlier install of
 *      this loader was longer, the sectors of its tail are zeroed too, so
 *      the area holds this install and zeros again.
 *   2. LBA 0: the disk's own sector with the loader's code bytes in it
 *      (bootpatch_mbr_byte_is_code) and, when no partition is active, the
 *      boot partition's status byte set to MBR_STATUS_ACTIVE; on GPT the
 *      protective entry's status only when the user asks (gpt_active).
 * Stage2 goes first: until LBA 0 is written the disk boots as it did.
 *
 * The backup file ("BACKUP=file") holds every sector the install
 * overwrites, as it was, with a header naming the disk (struct
 * backup_header).  An uninstall puts those sectors back, LBA 0 first.
 */
#ifndef INSTPLAN_H
#define INSTPLAN_H

#include <stddef.h>

#include "../stage2/fat.h"
#include "blockdev.h"
#include "gpt.h"
#include "part.h"
#include "types.h"

#define PLAN_WRITES_MAX 2
#define PLAN_NOTES_MAX 8
#define PLAN_MSG_MAX 600

enum plan_kind { PLAN_STAGE2 = 1, PLAN_MBR, PLAN_RESTORE };

struct plan_write {
	u64 lba;
	u32 sectors;
	u32 kind;          /* enum plan_kind */
	u8 *data;          /* sectors * 512: what is written */
	u8 *old;           /* sectors * 512: what the disk holds now */
	u32 installed_crc; /* uninstall: CRC-32 of what the install wrote there */
};

struct plan_input {
	const u8 *mbr;          /* build/mbr.bin */
	size_t mbr_len;
	const u8 *stage2;       /* build/stage2.bin */
	size_t stage2_len;
	u32 partition;          /* the FAT partition stage2 boots; 0: stage2 finds it */
	int gpt_active;         /* GPT: mark the protective 0xEE entry active */
};

struct plan {
	/* The disk as found. */
	u32 scheme;             /* enum part_scheme */
	u64 disk_sectors;
	u32 disk_signature;     /* LBA 0, offset MBR_DISK_SIG_OFF */
	struct gpt_guid disk_guid;
	/* The install. */
	u64 stage2_lba;
	u32 stage2_sectors;     /* what goes on the disk: the core and the extension, */
	u32 core_sectors;       /* or the core alone (what the MBR loads) */
	int ext_dropped;        /* ...because only the core fits the area */
	u32 earlier_sectors;    /* an earlier install found there (0: none) */
	u32 area_sectors;       /* what stage2 may take: the gap or the BIOS boot partition */
	u32 bios_boot_part;     /* GPT: the BIOS boot partition's number */
	u32 pinned;             /* the partition written into stage2's header, or 0 */
	u32 boot_part;          /* the FAT partition stage2 will boot (0: none yet) */
	u32 activated;          /* the MBR slot (1..4) this install marks active, or 0 */
	int activated_protective; /* ...and it is the GPT protective entry */
	u32 nwrites;
	struct plan_write w[PLAN_WRITES_MAX];
	u32 nnotes;             /* things the user should know; none stops the install */
	char notes[PLAN_NOTES_MAX][PLAN_MSG_MAX];
	char err[PLAN_MSG_MAX]; /* the refusal, when a plan_* call returns it */
	/* Work areas. */
	struct part_table table;
	struct fat_volume vol;
	struct fat_file file;
};

/* Plans an install onto the disk behind bd (bd->sectors must be its size).
 * NULL, or why not (p->err).  Reads the disk, writes nothing. */
const char *plan_install(struct blockdev *bd, const struct plan_input *in, struct plan *p);

/* Plans putting a backup back: checks the file (format, checksum), that it
 * names this disk (size, and the MBR signature or the GPT disk GUID the
 * partition table has now) and, unless force, that each sector it restores
 * still holds what the install wrote.  NULL, or why not (p->err). */
const char *plan_uninstall(struct blockdev *bd, const u8 *backup, size_t len, int force,
			   struct plan *p);

/* Frees the plan's buffers. */
void plan_free(struct plan *p);

/*
 * The backup file, little-endian:
 *   struct backup_header
 *   struct backup_extent [extents]
 *   the extents' sectors as they were before the install, in that order
 * crc32 is CRC-32 (include/crc32.h) over the whole file with the field as 0.
 * An extent's installed_crc is CRC-32 of its sectors as the install wrote
 * them: an uninstall restores only sectors that still hold that.
 */
#define BACKUP_MAGIC "BLDRBKUP"
#define BACKUP_VERSION 1
#define BACKUP_EXTENTS_MAX 16
#define BACKUP_EXTENT_SECTORS_MAX 65536

struct backup_header {
	char magic[8];             /* 0x00: BACKUP_MAGIC, no NUL */
	u32 version;               /* 0x08: BACKUP_VERSION */
	u32 header_size;           /* 0x0C: sizeof(struct backup_header) */
	u64 disk_bytes;            /* 0x10: the disk's size */
	u32 scheme;                /* 0x18: enum part_scheme */
	u32 disk_signature;        /* 0x1C: LBA 0 offset 0x1B8 (MBR and protective MBR) */
	struct gpt_guid disk_guid; /* 0x20: GPT disk GUID; zero on MBR */
	u32 extents;               /* 0x30: 1..BACKUP_EXTENTS_MAX */
	u32 crc32;                 /* 0x34 */
	u64 reserved;              /* 0x38: 0 */
} __attribute__((packed));

struct backup_extent {
	u64 lba;                   /* 0x00 */
	u32 sectors;               /* 0x08: 1..BACKUP_EXTENT_SECTORS_MAX */
	u32 installed_crc;         /* 0x0C */
	u8 reserved[16];           /* 0x10: 0 */
} __attribute__((packed));

_Static_assert(sizeof(struct backup_header) == 64, "backup_header");
_Static_assert(__builtin_offsetof(struct backup_header, disk_guid) == 0x20, "backup guid");
_Static_assert(__builtin_offsetof(struct backup_header, crc32) == 0x34, "backup crc32");
_Static_assert(sizeof(struct backup_extent) == 32, "backup_extent");

/* The backup of a planned install (malloc'd; *len its size). */
u8 *backup_encode(const struct plan *p, size_t *len);

#endif
