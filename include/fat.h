/*
 * FAT12/FAT16/FAT32 on-disk structures, as Microsoft's "FAT: General
 * Overview of On-Disk Format" (version 1.03, 2000) and its long-name
 * addendum define them.  All fields little-endian; offsets in comments.
 */
#ifndef FAT_H
#define FAT_H

#include "types.h"

/* The BIOS parameter block in a volume's first sector. */
struct fat_bpb {
	u8 jump[3];              /* 0x00 */
	char oem_name[8];        /* 0x03 */
	u16 bytes_per_sector;    /* 0x0B */
	u8 sectors_per_cluster;  /* 0x0D: 1, 2, 4 .. 128 */
	u16 reserved_sectors;    /* 0x0E: including this one */
	u8 num_fats;             /* 0x10 */
	u16 root_entries;        /* 0x11: FAT12/16 fixed root; 0 on FAT32 */
	u16 total_sectors16;     /* 0x13: 0 = use total_sectors32 */
	u8 media;                /* 0x15 */
	u16 fat_size16;          /* 0x16: sectors per FAT; 0 on FAT32 */
	u16 sectors_per_track;   /* 0x18 */
	u16 heads;               /* 0x1A */
	u32 hidden_sectors;      /* 0x1C */
	u32 total_sectors32;     /* 0x20 */
	union {
		struct {
			u8 drive;            /* 0x24 */
			u8 reserved;         /* 0x25 */
			u8 boot_sig;         /* 0x26: 0x29 = the next three fields exist */
			u32 volume_id;       /* 0x27 */
			char label[11];      /* 0x2B */
			char fs_type[8];     /* 0x36: informative only, never used */
		} __attribute__((packed)) f16;
		struct {
			u32 fat_size32;      /* 0x24 */
			u16 ext_flags;       /* 0x28: FAT32_MIRROR_OFF, FAT32_ACTIVE_FAT */
			u16 fs_version;      /* 0x2A */
			u32 root_cluster;    /* 0x2C */
			u16 fs_info;         /* 0x30 */
			u16 backup_boot;     /* 0x32 */
			u8 reserved[12];     /* 0x34 */
			u8 drive;            /* 0x40 */
			u8 reserved1;        /* 0x41 */
			u8 boot_sig;         /* 0x42 */
			u32 volume_id;       /* 0x43 */
			char label[11];      /* 0x47 */
			char fs_type[8];     /* 0x52 */
		} __attribute__((packed)) f32;
	};
} __attribute__((packed));

#define FAT_SECTOR_SIZE 512        /* the only sector size this loader reads */
#define FAT32_MIRROR_OFF 0x0080    /* ext_flags: only the active FAT is current */
#define FAT32_ACTIVE_FAT 0x000F

/* The type comes from the cluster count alone (the specification's rule;
 * fs_type and the label are not looked at): fewer than 4085 clusters is
 * FAT12, fewer than 65525 FAT16, else FAT32. */
#define FAT12_CLUSTERS_LIMIT 4085u
#define FAT16_CLUSTERS_LIMIT 65525u
#define FAT_FIRST_CLUSTER 2u       /* data clusters are 2 .. count + 1 */
#define FAT32_ENTRY_MASK 0x0FFFFFFFu /* the top 4 bits are reserved */

/* FAT entry values, as FAT32 values; FAT12/16 use the low 12/16 bits. */
#define FAT12_BAD 0xFF7u
#define FAT16_BAD 0xFFF7u
#define FAT32_BAD 0x0FFFFFF7u      /* end-of-chain markers are BAD + 1 and above */

/* A 32-byte directory entry with an 8.3 name. */
struct fat_dir_entry {
	u8 name[11];      /* 0x00: base (8) and extension (3), space padded */
	u8 attr;          /* 0x0B */
	u8 nt_case;       /* 0x0C: FAT_CASE_LOWER_* (Windows NT, mtools) */
	u8 ctime_tenth;   /* 0x0D */
	u16 ctime;        /* 0x0E */
	u16 cdate;        /* 0x10 */
	u16 adate;        /* 0x12 */
	u16 cluster_hi;   /* 0x14: FAT32 only */
	u16 mtime;        /* 0x16 */
	u16 mdate;        /* 0x18 */
	u16 cluster_lo;   /* 0x1A */
	u32 size;         /* 0x1C: bytes; 0 for directories */
} __attribute__((packed));

#define FAT_DIRENT_SIZE 32
#define FAT_DIR_MAX_ENTRIES 65536u /* the specification's limit for one directory */

#define FAT_NAME_END 0x00          /* name[0]: this and every later entry are free */
#define FAT_NAME_DELETED 0xE5      /* name[0]: a free entry */
#define FAT_NAME_KANJI_E5 0x05     /* name[0]: stands for a real first byte 0xE5 */

#define FAT_ATTR_READ_ONLY 0x01
#define FAT_ATTR_HIDDEN 0x02
#define FAT_ATTR_SYSTEM 0x04
#define FAT_ATTR_VOLUME_ID 0x08
#define FAT_ATTR_DIRECTORY 0x10
#define FAT_ATTR_ARCHIVE 0x20
#define FAT_ATTR_LONG_NAME 0x0F     /* read-only|hidden|system|volume: an LFN entry */
#define FAT_ATTR_LONG_NAME_MASK 0x3F

#define FAT_CASE_LOWER_BASE 0x08
#define FAT_CASE_LOWER_EXT 0x10

/* A VFAT long-name entry: 13 UCS-2 units of the name, stored in reverse
 * order before the 8.3 entry they belong to. */
struct fat_lfn_entry {
	u8 ord;           /* 0x00: sequence number 1..20, FAT_LFN_LAST on the first stored */
	u16 name1[5];     /* 0x01 */
	u8 attr;          /* 0x0B: FAT_ATTR_LONG_NAME */
	u8 type;          /* 0x0C: 0 */
	u8 checksum;      /* 0x0D: of the 8.3 name it belongs to */
	u16 name2[6];     /* 0x0E */
	u16 cluster;      /* 0x1A: 0 */
	u16 name3[2];     /* 0x1C */
} __attribute__((packed));

#define FAT_LFN_LAST 0x40
#define FAT_LFN_SEQ_MASK 0x1F
#define FAT_LFN_UNITS 13           /* name units per entry */
#define FAT_LFN_MAX_SEQ 20         /* 20 * 13 = 260 >= 255 */
#define FAT_LFN_MAX_UNITS 255

_Static_assert(sizeof(struct fat_bpb) == 90, "fat_bpb");
_Static_assert(__builtin_offsetof(struct fat_bpb, total_sectors32) == 0x20, "bpb tot32");
_Static_assert(__builtin_offsetof(struct fat_bpb, f16.fs_type) == 0x36, "bpb f16");
_Static_assert(__builtin_offsetof(struct fat_bpb, f32.root_cluster) == 0x2C, "bpb root");
_Static_assert(__builtin_offsetof(struct fat_bpb, f32.fs_type) == 0x52, "bpb f32");
_Static_assert(sizeof(struct fat_dir_entry) == FAT_DIRENT_SIZE, "fat_dir_entry");
_Static_assert(__builtin_offsetof(struct fat_dir_entry, cluster_hi) == 0x14, "dirent hi");
_Static_assert(__builtin_offsetof(struct fat_dir_entry, size) == 0x1C, "dirent size");
_Static_assert(sizeof(struct fat_lfn_entry) == FAT_DIRENT_SIZE, "fat_lfn_entry");
_Static_assert(__builtin_offsetof(struct fat_lfn_entry, checksum) == 0x0D, "lfn sum");
_Static_assert(__builtin_offsetof(struct fat_lfn_entry, name3) == 0x1C, "lfn name3");

#endif
