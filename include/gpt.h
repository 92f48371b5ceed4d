/*
 * GUID Partition Table, UEFI Specification 2.10 section 5.3: the header at
 * LBA 1 (backup at the disk's last LBA) and the partition entry array.
 * All fields little-endian.  GUIDs are stored in their on-disk byte order
 * (the first three groups little-endian, the last two as written).
 */
#ifndef GPT_H
#define GPT_H

#include "types.h"

#define GPT_SIGNATURE "EFI PART"      /* 8 bytes, no NUL on disk */
#define GPT_REVISION_1_0 0x00010000u
#define GPT_HEADER_SIZE_MIN 92        /* the defined fields; the rest of the sector is 0 */
#define GPT_PRIMARY_LBA 1
#define GPT_ENTRY_SIZE_MIN 128        /* entry sizes are 128 * 2^n */
#define GPT_NAME_UNITS 36             /* UTF-16LE code units in an entry's name */

/* Entry attribute bits (UEFI 5.3.3, table 5-8). */
#define GPT_ATTR_REQUIRED (1ull << 0)
#define GPT_ATTR_NO_BLOCK_IO (1ull << 1)
#define GPT_ATTR_LEGACY_BIOS_BOOTABLE (1ull << 2)

struct gpt_guid {
	u8 b[16];
};

struct gpt_header {
	char signature[8];       /* 0x00: GPT_SIGNATURE */
	u32 revision;            /* 0x08 */
	u32 header_size;         /* 0x0C: GPT_HEADER_SIZE_MIN .. sector size */
	u32 header_crc32;        /* 0x10: over header_size bytes, this field taken as 0 */
	u32 reserved;            /* 0x14: 0 */
	u64 my_lba;              /* 0x18: where this header is */
	u64 alternate_lba;       /* 0x20: where the other one is */
	u64 first_usable_lba;    /* 0x28 */
	u64 last_usable_lba;     /* 0x30: inclusive */
	struct gpt_guid disk_guid; /* 0x38 */
	u64 entries_lba;         /* 0x48 */
	u32 num_entries;         /* 0x50 */
	u32 entry_size;          /* 0x54 */
	u32 entries_crc32;       /* 0x58: over num_entries * entry_size bytes */
} __attribute__((packed));

struct gpt_entry {
	struct gpt_guid type;    /* 0x00: all zero = unused entry */
	struct gpt_guid unique;  /* 0x10 */
	u64 first_lba;           /* 0x20 */
	u64 last_lba;            /* 0x28: inclusive */
	u64 attributes;          /* 0x30 */
	u16 name[GPT_NAME_UNITS]; /* 0x38: UTF-16LE */
} __attribute__((packed));

_Static_assert(sizeof(struct gpt_guid) == 16, "gpt_guid");
_Static_assert(sizeof(struct gpt_header) == GPT_HEADER_SIZE_MIN, "gpt_header");
_Static_assert(__builtin_offsetof(struct gpt_header, entries_lba) == 0x48, "gpt entries_lba");
_Static_assert(__builtin_offsetof(struct gpt_header, entries_crc32) == 0x58, "gpt crc");
_Static_assert(sizeof(struct gpt_entry) == GPT_ENTRY_SIZE_MIN, "gpt_entry");
_Static_assert(__builtin_offsetof(struct gpt_entry, first_lba) == 0x20, "gpt first_lba");
_Static_assert(__builtin_offsetof(struct gpt_entry, name) == 0x38, "gpt name");

/* A GUID initializer from its canonical text form aaaaaaaa-bbbb-cccc-dddd-eeeeeeeeeeee,
 * written as GPT_GUID(0xaaaaaaaa, 0xbbbb, 0xcccc, 0xdddd, 0xeeeeeeeeeeee), so each
 * constant below reads exactly as the specifications print it. */
#define GPT_GUID(a, b, c, d, e)                                                           \
	{ { (u8)(a), (u8)((a) >> 8), (u8)((a) >> 16), (u8)((a) >> 24),                    \
	    (u8)(b), (u8)((b) >> 8), (u8)(c), (u8)((c) >> 8),                             \
	    (u8)((d) >> 8), (u8)(d),                                                      \
	    (u8)((e) >> 40), (u8)((e) >> 32), (u8)((e) >> 24), (u8)((e) >> 16),           \
	    (u8)((e) >> 8), (u8)(e) } }

/* 21686148-6449-6E6F-744E-656564454649 ("Hah!IdontNeedEFI"): GRUB's and this
 * loader's stage2 on GPT disks booted by a BIOS. */
#define GPT_TYPE_BIOS_BOOT GPT_GUID(0x21686148, 0x6449, 0x6E6F, 0x744E, 0x656564454649ull)
#define GPT_TYPE_EFI_SYSTEM GPT_GUID(0xC12A7328, 0xF81F, 0x11D2, 0xBA4B, 0x00A0C93EC93Bull)
#define GPT_TYPE_MS_BASIC_DATA GPT_GUID(0xEBD0A0A2, 0xB9E5, 0x4433, 0x87C0, 0x68B6B72699C7ull)
#define GPT_TYPE_LINUX_FS GPT_GUID(0x0FC63DAF, 0x8483, 0x4772, 0x8E79, 0x3D69D8477DE4ull)

#endif
