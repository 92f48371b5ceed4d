/*
 * The contract between the loader and a kernel: one table, found through
 *   64-bit kernel: RDI (SysV first argument), long mode, identity paging
 *   32-bit kernel: EBX, with EAX = BOOTINFO_MAGIC, protected mode, paging off;
 *                  the stack also holds (ret, bootinfo, magic) for a cdecl
 *                  entry  void kmain(struct bootinfo *bi, uint32_t magic)
 *
 * Validate before use: signature, revision, header_size and the CRC32
 * (IEEE 802.3, reflected, init and final xor 0xFFFFFFFF) computed over
 * total_size bytes with the crc32 field taken as zero.  Later revisions only
 * append fields, so a kernel checks revision >= the one it was written for.
 *
 * Revision 2 appends the ACPI RSDP's address, the command line and the
 * modules.  Strings and the module table follow the fixed part, inside
 * total_size (so the CRC covers them); fields give their offsets from the
 * table's start.  A 64-bit kernel linked in the higher half runs at its
 * virtual addresses; the table and every address in it are physical, and
 * the first 4 GiB stay identity-mapped.
 *
 * Revision 2 also describes the display the kernel starts with (struct
 * bootinfo_framebuffer): a linear framebuffer when the boot entry asked for
 * a video mode (loader.cfg video=WxHxD) and the video BIOS could set one,
 * else VGA text, or nothing when no video BIOS answered.  A framebuffer's
 * range is typed reserved in the map.
 *
 * Usable from C (any of -m16/-m32/-m64) and from GNU as (.S files include it
 * with __ASSEMBLER__ defined: only the #defines are visible there).
 * Offsets are in comments and pinned by _Static_assert.
 */
#ifndef BOOTINFO_H
#define BOOTINFO_H

#define BOOTINFO_SIGNATURE 0x4f464e49544f4f42ULL /* "BOOTINFO", little endian */
#define BOOTINFO_REVISION 2
#define BOOTINFO_MAGIC 0x2badb0e8 /* EAX at a 32-bit kernel's entry */

#define BOOTINFO_RAW_MAX 128 /* raw firmware entries kept (more are counted) */
#define BOOTINFO_MAP_MAX 128 /* sanitized entries; never overflows, see flags */
#define BOOTINFO_REGION_MAX 16
#define BOOTINFO_MODULE_MAX 32 /* as many as a configuration entry names */

/* Sanitized map types.  1..7 keep their E820 meaning; the loader adds two. */
#define BOOTINFO_MEM_USABLE 1
#define BOOTINFO_MEM_RESERVED 2
#define BOOTINFO_MEM_ACPI_RECLAIMABLE 3
#define BOOTINFO_MEM_ACPI_NVS 4
#define BOOTINFO_MEM_BAD 5
#define BOOTINFO_MEM_PERSISTENT 7
#define BOOTINFO_MEM_LOADER 0x1000 /* reclaimable once the kernel is done with
				      the boot info and the boot stack */
#define BOOTINFO_MEM_KERNEL 0x1001 /* the kernel's loaded segments */
#define BOOTINFO_MEM_MODULE 0x1002 /* a module (revision 2): the kernel's to keep
				      or free once it has used the module */

/* What the display shows when the kernel starts (framebuffer.type). */
#define BOOTINFO_VIDEO_NONE 0 /* no video BIOS answered (no VGA at all?) */
#define BOOTINFO_VIDEO_TEXT 1 /* VGA text: address 0xB8000, width x height
				 characters, pitch bytes per row, bpp 16
				 (character byte, attribute byte) */
#define BOOTINFO_VIDEO_RGB 2  /* a linear framebuffer, direct colour */

/* Why the display is not a framebuffer (framebuffer.fallback). */
#define BOOTINFO_FB_NOT_ASKED 0   /* the entry asked for no video mode */
#define BOOTINFO_FB_NO_VBE 1      /* INT 10h 4F00h failed: no VBE 2.0+ */
#define BOOTINFO_FB_NO_MODE 2     /* no linear 15/16/24/32 bpp mode fits */
#define BOOTINFO_FB_SET_FAILED 3  /* 4F02h refused every mode that fits */

/* Where the firmware map came from. */
#define BOOTINFO_SOURCE_E820 1
#define BOOTINFO_SOURCE_E801 2
#define BOOTINFO_SOURCE_88 3

/* How A20 was found or made enabled. */
#define BOOTINFO_A20_ALREADY 1
#define BOOTINFO_A20_BIOS 2
#define BOOTINFO_A20_KBC 3
#define BOOTINFO_A20_FAST 4 /* port 0x92 */

/* How the E820 walk ended (quirks.e820_end). */
#define E820_END_NONE 0      /* E820 not supported (no SMAP on the first call) */
#define E820_END_EBX_ZERO 1  /* the documented way */
#define E820_END_CF 2        /* CF set on a later call, that entry dropped */
#define E820_END_NO_SMAP 3   /* EAX != SMAP on a later call */
#define E820_END_BOUND 4     /* the loop bound was hit: EBX never reached 0 */
#define E820_END_BAD_SIZE 5  /* ECX < 20 on a later call */

/* quirks.flags */
#define QUIRK_E820_SHORT_ENTRIES (1u << 0) /* ECX=20 answers to a 24-byte call */
#define QUIRK_E820_ATTR_ALL_CLEAR (1u << 1) /* valid bit clear everywhere: ignored */
#define QUIRK_E820_ATTR_HONOURED (1u << 2) /* entries with valid bit clear dropped */
#define QUIRK_RAW_OVERFLOW (1u << 3)       /* more raw entries than BOOTINFO_RAW_MAX */
#define QUIRK_MAP_COARSENED (1u << 4)      /* sanitized map merged to fit */
#define QUIRK_OVERLAP (1u << 5)            /* firmware entries overlapped */
#define QUIRK_UNSORTED (1u << 6)           /* firmware entries out of order */
#define QUIRK_UNKNOWN_TYPE (1u << 7)       /* a type outside 1..7: reserved */
#define QUIRK_WRAP_CLIPPED (1u << 8)       /* base+length wrapped past 2^64 */
#define QUIRK_ZERO_LENGTH (1u << 9)        /* zero-length entries skipped */
#define QUIRK_E801_CXDX (1u << 10)         /* E801 answered in CX/DX */
#define QUIRK_E801_BOGUS (1u << 11)        /* E801 low part over 15 MiB: capped */
#define QUIRK_CONV_MISMATCH (1u << 12)     /* INT 12h, 40:13, EBDA disagreed */
#define QUIRK_E820_ONE_ENTRY (1u << 13)    /* EBX=0 after the first entry */
#define QUIRK_DL_FIXED (1u << 14)          /* boot drive in DL was 0 or invalid */
#define QUIRK_DISK_CHS (1u << 15)          /* no INT 13h extensions: CHS reads */
#define QUIRK_DISK_RETRY (1u << 16)        /* a disk read needed a retry */
#define QUIRK_INT12_BAD (1u << 17)         /* INT 12h out of range or failed */
#define QUIRK_E820_UNSTABLE (1u << 18)     /* a second E820 walk answered otherwise */
#define QUIRK_E820_INT12_MISMATCH (1u << 19) /* E820's low RAM != INT 12h */
#define QUIRK_E820_E801_MISMATCH (1u << 20) /* E820's extended RAM != E801 */

#ifndef __ASSEMBLER__

#include <stdint.h>

struct bootinfo_header {
	uint64_t signature;   /* 0 */
	uint32_t revision;    /* 8 */
	uint32_t header_size; /* 12 */
	uint32_t total_size;  /* 16 */
	uint32_t crc32;       /* 20: over total_size bytes, this field as 0 */
};

/* One entry exactly as the firmware answered, in call order. */
struct bootinfo_raw_entry {
	uint64_t base;   /* 0 */
	uint64_t length; /* 8 */
	uint32_t type;   /* 16 */
	uint32_t attr;   /* 20: ACPI 3.0 attributes; 1 when ECX was 20 */
	uint32_t size;   /* 24: ECX the BIOS returned (20 or 24); 0 if synthesized */
	uint32_t pad;    /* 28 */
};

struct bootinfo_map_entry {
	uint64_t base;   /* 0 */
	uint64_t length; /* 8 */
	uint32_t type;   /* 16: BOOTINFO_MEM_* */
	uint32_t pad;    /* 20 */
};

struct bootinfo_region {
	uint64_t base;   /* 0 */
	uint64_t length; /* 8 */
};

/* What the firmware did that a careful kernel may want to know. */
struct bootinfo_quirks {
	uint32_t flags;            /* 0: QUIRK_* */
	uint32_t e820_end;         /* 4: E820_END_* */
	uint32_t e820_calls;       /* 8 */
	uint32_t e820_entries;     /* 12: entries the BIOS returned, kept or not */
	uint32_t dropped_zero;     /* 16: zero-length entries */
	uint32_t dropped_attr;     /* 20: dropped by the ACPI 3.0 valid bit */
	uint32_t raw_overflow;     /* 24: entries beyond BOOTINFO_RAW_MAX */
	uint32_t overlaps;         /* 28: pairs of kept firmware entries that overlap */
	uint32_t unknown_types;    /* 32 */
	uint32_t int12_kib;        /* 36: INT 12h answer (0 if none) */
	uint32_t bda_kib;          /* 40: word at 40:13 */
	uint32_t e801_low_kib;     /* 44: E801 1..16 MiB in KiB (0 if none) */
	uint32_t e801_high_64k;    /* 48: E801 above 16 MiB in 64 KiB blocks */
	uint32_t ext88_kib;        /* 52: 88h answer (0 if none) */
	uint32_t disk_retries;     /* 56 */
	uint32_t disk_xfer_max;    /* 60: sectors per read the BIOS accepted */
	uint32_t entry_dl;         /* 64: DL as the BIOS gave it to the MBR */
	uint32_t e820_recheck_calls; /* 68: calls of the second, comparing walk */
	uint32_t e820_recheck_diff;  /* 72: entries it answered differently */
	uint32_t e820_conv_kib;    /* 76: E820's usable RAM from 0, for INT 12h */
	uint32_t e820_ext_low_kib; /* 80: ...from 1 MiB up to 16 MiB, for E801 */
	uint32_t e820_ext_high_64k; /* 84: ...from 16 MiB below 4 GiB, for E801 */
	uint32_t pad;              /* 88 */
	uint32_t pad2;             /* 92 */
};

/* The display (revision 2).  For BOOTINFO_VIDEO_RGB a pixel is bpp / 8
 * bytes at address + y * pitch + x * bpp / 8 (little endian), each colour a
 * bit field of it; the other bits are to be left alone. */
struct bootinfo_framebuffer {
	uint64_t address;       /* 0: physical; 0 for BOOTINFO_VIDEO_NONE */
	uint32_t pitch;         /* 8: bytes per row */
	uint32_t width;         /* 12: pixels (text: columns) */
	uint32_t height;        /* 16: pixels (text: rows) */
	uint8_t type;           /* 20: BOOTINFO_VIDEO_* */
	uint8_t bpp;            /* 21: bits per pixel in memory: 16 (also 15-bit
				       colour), 24 or 32; text: 16 */
	uint8_t red_position;   /* 22: lowest bit of red */
	uint8_t red_size;       /* 23: bits of red */
	uint8_t green_position; /* 24 */
	uint8_t green_size;     /* 25 */
	uint8_t blue_position;  /* 26 */
	uint8_t blue_size;      /* 27 */
	uint16_t mode;          /* 28: the VBE mode number; text: the BIOS mode */
	uint8_t fallback;       /* 30: BOOTINFO_FB_*: why it is not RGB */
	uint8_t pad;            /* 31 */
};

/* A module (revision 2): where it was loaded, and its string (the path it
 * was loaded from, then anything the configuration put after it). */
struct bootinfo_module {
	uint64_t base;          /* 0: physical, 4 KiB aligned */
	uint64_t length;        /* 8: bytes (after gunzip, for a gzip file) */
	uint32_t string_offset; /* 16: from the table's start, NUL-terminated */
	uint32_t string_length; /* 20: without the NUL */
};

struct bootinfo {
	struct bootinfo_header header;    /* 0 */
	uint32_t source;                  /* 24: BOOTINFO_SOURCE_* */
	uint32_t a20_method;              /* 28: BOOTINFO_A20_* */
	uint32_t boot_drive;              /* 32: INT 13h drive number used */
	uint32_t conv_mem_kib;            /* 36: usable conventional memory */
	uint32_t ebda_base;               /* 40: physical; 0 if none */
	uint32_t raw_count;               /* 44 */
	uint32_t map_count;               /* 48 */
	uint32_t loader_region_count;     /* 52 */
	struct bootinfo_region kernel;    /* 56: lowest to highest loaded byte */
	struct bootinfo_quirks quirks;    /* 72 */
	struct bootinfo_region loader_regions[BOOTINFO_REGION_MAX]; /* 168 */
	struct bootinfo_raw_entry raw[BOOTINFO_RAW_MAX];             /* 424 */
	struct bootinfo_map_entry map[BOOTINFO_MAP_MAX];             /* 4520 */
	/* revision 2 */
	uint64_t rsdp;                    /* 7592: ACPI RSDP (checksum checked); 0 if none */
	uint32_t cmdline_offset;          /* 7600: from the table's start, NUL-terminated */
	uint32_t cmdline_length;          /* 7604: without the NUL; 0 if none */
	uint32_t module_count;            /* 7608 */
	uint32_t module_offset;           /* 7612: struct bootinfo_module[module_count] */
	struct bootinfo_framebuffer framebuffer; /* 7616 */
};                                                                  /* 7648 */

#endif /* !__ASSEMBLER__ */

#define BOOTINFO_OFF_SOURCE 24
#define BOOTINFO_OFF_KERNEL 56
#define BOOTINFO_OFF_QUIRKS 72
#define BOOTINFO_OFF_LOADER_REGIONS 168
#define BOOTINFO_OFF_RAW 424
#define BOOTINFO_OFF_MAP 4520
#define BOOTINFO_OFF_RSDP 7592
#define BOOTINFO_OFF_FRAMEBUFFER 7616
#define BOOTINFO_SIZE 7648

#ifndef __ASSEMBLER__
#include <stddef.h>
_Static_assert(sizeof(struct bootinfo_header) == 24, "bootinfo_header");
_Static_assert(sizeof(struct bootinfo_raw_entry) == 32, "bootinfo_raw_entry");
_Static_assert(sizeof(struct bootinfo_map_entry) == 24, "bootinfo_map_entry");
_Static_assert(sizeof(struct bootinfo_region) == 16, "bootinfo_region");
_Static_assert(sizeof(struct bootinfo_quirks) == 96, "bootinfo_quirks");
_Static_assert(offsetof(struct bootinfo_header, crc32) == 20, "crc32");
_Static_assert(offsetof(struct bootinfo, source) == BOOTINFO_OFF_SOURCE, "source");
_Static_assert(offsetof(struct bootinfo, kernel) == BOOTINFO_OFF_KERNEL, "kernel");
_Static_assert(offsetof(struct bootinfo, quirks) == BOOTINFO_OFF_QUIRKS, "quirks");
_Static_assert(offsetof(struct bootinfo, loader_regions) == BOOTINFO_OFF_LOADER_REGIONS,
	       "loader_regions");
_Static_assert(offsetof(struct bootinfo, raw) == BOOTINFO_OFF_RAW, "raw");
_Static_assert(offsetof(struct bootinfo, map) == BOOTINFO_OFF_MAP, "map");
_Static_assert(offsetof(struct bootinfo, rsdp) == BOOTINFO_OFF_RSDP, "rsdp");
_Static_assert(offsetof(struct bootinfo, module_offset) == 7612, "module_offset");
_Static_assert(sizeof(struct bootinfo_module) == 24, "bootinfo_module");
_Static_assert(sizeof(struct bootinfo_framebuffer) == 32, "bootinfo_framebuffer");
_Static_assert(offsetof(struct bootinfo_framebuffer, type) == 20, "framebuffer.type");
_Static_assert(offsetof(struct bootinfo_framebuffer, mode) == 28, "framebuffer.mode");
_Static_assert(offsetof(struct bootinfo, framebuffer) == BOOTINFO_OFF_FRAMEBUFFER, "framebuffer");
_Static_assert(sizeof(struct bootinfo) == BOOTINFO_SIZE, "bootinfo size");
#endif

#endif
