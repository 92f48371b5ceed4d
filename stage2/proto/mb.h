/*
 * Multiboot1 and Multiboot2: the pure halves (header parsers, the address
 * fields' arithmetic, the ELF section table, the information builders) that
 * build the same way into stage2, the host tests and the fuzzers, and the
 * loading steps both protocols share in stage2 (mbload.c).
 *
 * Errors from the pure halves are printf formats taking, in this order, a
 * u32 and a string (struct mb_error); a format uses the number, both, or
 * neither.  Stage2 prints them after the kernel's name; the host tests
 * compare the formatted text.
 */
#ifndef MB_H
#define MB_H

#include "boot.h"
#include "bootinfo.h"
#include "elfload.h"
#include "multiboot.h"
#include "multiboot2.h"
#include "types.h"
#include "video.h"

struct mb_error {
	u32 value;
	const char *name;
};

/* What the loader can honour beyond the base protocols: the place where
 * video modes (VBE) plug in.  Without MB_CAP_VIDEO a kernel that requires a
 * video mode (Multiboot1 flag bit 2, a Multiboot2 framebuffer tag without
 * the optional flag) is refused with a message saying so. */
#define MB_CAP_VIDEO 1

/* The video mode a kernel asks for (Multiboot1 flag 2, Multiboot2 tag 5). */
struct mb_video {
	u32 mode_type; /* Multiboot1: 0 linear graphics, 1 EGA text; Multiboot2: 0 */
	u32 width, height, depth; /* 0: no preference */
	u8 present, required;
};

/* The a.out-kludge address fields: Multiboot1 flag 16, and Multiboot2's
 * address tag with its entry address tag, share their meaning. */
struct mb_address {
	u32 header_addr, load_addr, load_end_addr, bss_end_addr, entry_addr;
};

/* Where an image described by address fields goes: load_size bytes from
 * file_offset to load_addr, then zeroes up to load_addr + mem_size. */
struct mb_layout {
	u32 file_offset, load_addr, load_size, mem_size;
};

/* Checks the address fields of a header found at header_off in a file of
 * file_size bytes (header_size: the bytes of it the fields describe) and
 * computes the layout.  mb2: load_addr 0xFFFFFFFF means "from the file's
 * start" (Multiboot2 only). */
const char *mb_address_layout(const struct mb_address *a, u32 header_off, u32 header_size,
			      u64 file_size, int mb2, struct mb_layout *l, struct mb_error *e);

struct mb1_header_info {
	u32 offset; /* of the header in the file */
	u32 flags;
	struct mb_address addr; /* flags & MULTIBOOT_AOUT_KLUDGE */
	struct mb_video video;  /* flags & MULTIBOOT_VIDEO_MODE */
};

/* Finds and checks the Multiboot1 header in head[0..len) (the file's first
 * bytes; file_size is the whole file's), refusing required flags the loader
 * cannot honour given caps (MB_CAP_*).  head must be 4-byte aligned. */
const char *mb1_parse_header(const u8 *head, u32 len, u64 file_size, u32 caps,
			     struct mb1_header_info *h, struct mb_error *e);

struct mb2_header_info {
	u32 offset, length; /* of the header in the file */
	u32 tags;           /* 1 << MULTIBOOT2_HEADER_TAG_* for each tag seen */
	u32 requests;       /* 1 << type for each information tag required */
	struct mb_address addr; /* tags & address tag; entry_addr: & entry tag */
	u32 console_flags;      /* tags & console flags tag */
	struct mb_video video;  /* tags & framebuffer tag */
	u32 reloc_min, reloc_max, reloc_align, reloc_preference; /* relocatable tag */
};

/* The information tags this loader gives (1 << type); a kernel that
 * requires others (an information request without the optional flag) is
 * refused.  The framebuffer and VBE tags come with a video mode (the
 * framebuffer tag describes the EGA text console without one). */
#define MB2_INFO_GIVEN                                                                          \
	((1u << MULTIBOOT2_TAG_TYPE_END) | (1u << MULTIBOOT2_TAG_TYPE_CMDLINE) |                \
	 (1u << MULTIBOOT2_TAG_TYPE_BOOT_LOADER_NAME) | (1u << MULTIBOOT2_TAG_TYPE_MODULE) |    \
	 (1u << MULTIBOOT2_TAG_TYPE_BASIC_MEMINFO) | (1u << MULTIBOOT2_TAG_TYPE_BOOTDEV) |      \
	 (1u << MULTIBOOT2_TAG_TYPE_MMAP) | (1u << MULTIBOOT2_TAG_TYPE_FRAMEBUFFER) |           \
	 (1u << MULTIBOOT2_TAG_TYPE_VBE) |                                                      \
	 (1u << MULTIBOOT2_TAG_TYPE_ELF_SECTIONS) | (1u << MULTIBOOT2_TAG_TYPE_ACPI_OLD) |      \
	 (1u << MULTIBOOT2_TAG_TYPE_ACPI_NEW) | (1u << MULTIBOOT2_TAG_TYPE_LOAD_BASE_ADDR))

/* Finds and checks the Multiboot2 header and its tags in head[0..len) (the
 * file's first bytes, file_size the whole file's); head must be 8-byte
 * aligned. */
const char *mb2_parse_header(const u8 *head, u32 len, u64 file_size, u32 caps,
			     struct mb2_header_info *h, struct mb_error *e);

/* An ELF kernel's section header table, as both protocols hand it over. */
struct mb_elf_sections {
	u32 offset;           /* of the table in the file (4 GiB and beyond: 0xFFFFFFFF) */
	u32 num, entsize, shndx;
	int is64;
};

/* Reads and checks the ELF header's section table fields (num 0: none). */
const char *mb_elf_sections(elf_read_fn read, void *ctx, u64 file_size,
			    struct mb_elf_sections *s, struct mb_error *e);

/* Called for each section mb_elf_place loads: len bytes at file offset off
 * go to physical address addr. */
typedef void (*mb_load_fn)(void *ctx, u64 off, u32 len, u32 addr);

/* Over table, a copy of the section table: each section the kernel image
 * does not hold (sh_addr 0, not empty, not NOBITS: symbol and string
 * tables, as GRUB loads them) gets an address from base up, at its
 * alignment (at most 4 KiB); *size gets the bytes they take.  With load
 * set, sh_addr is written into table and load called for each. */
const char *mb_elf_place(u8 *table, const struct mb_elf_sections *s, u64 file_size, u32 base,
			 mb_load_fn load, void *ctx, u32 *size, struct mb_error *e);

/* What the information builders put into the structure they build. */
struct mb_info_input {
	const struct bootinfo_map_entry *map; /* the sanitized firmware view */
	u32 map_count;
	const char *cmdline;      /* NUL-terminated */
	const char *loader_name;
	u32 boot_drive;           /* BIOS drive number */
	u32 boot_part;            /* 0-based partition, MB_NO_PART without one */
	const struct boot_module *mods;
	u32 nmods;
	const u8 *shdrs;          /* section table (sh_addr filled in), NULL if none */
	u32 shnum, shentsize, shndx;
	const u8 *rsdp;           /* a checked ACPI RSDP, NULL if none */
	u32 text_cols, text_rows; /* the EGA text console, 0 if none */
	const struct video_result *video; /* a video mode set, NULL if none */
	u32 load_base;            /* Multiboot2 tag 21 */
};
#define MB_NO_PART 0xFFFFFFFFu
#define MB_EGA_TEXT_BASE 0xB8000

/* A sanitized map type as Multiboot (both versions) numbers it. */
u32 mb_map_type(u32 bootinfo_type);
/* mem_lower and mem_upper in KiB from the map: the usable range that
 * begins in the first page (the IVT and BDA there, reserved in the map,
 * counted as lower memory), capped at 640 KiB; and the one holding 1 MiB,
 * from 1 MiB up. */
void mb_mem_bounds(const struct bootinfo_map_entry *map, u32 count, u32 *lower, u32 *upper);

/* The builders' output: an append-only buffer.  Without buf it only
 * counts (the sizing pass); buf is zeroed beforehand, so padding is 0. */
struct mb_writer {
	u8 *buf;
	u32 used, phys;
};
/* Appends len bytes (p NULL: leaves them zero) at the next multiple of
 * align; returns their physical address. */
u32 mb_put(struct mb_writer *w, const void *p, u32 len, u32 align);
/* Appends a NUL-terminated string (NULL: an empty one), 1-aligned. */
u32 mb_put_string(struct mb_writer *w, const char *s);

/* The sizing pass, then (when it fits) the writing pass of build. */
u32 mb_build(void (*build)(const struct mb_info_input *, struct mb_writer *),
	     const struct mb_info_input *in, u8 *buf, u32 cap, u32 phys);

/* Build the information structure into buf[0..cap) as it will sit at
 * physical address phys (pointers inside it are physical).  Returns its
 * size; nothing is written when that is more than cap (so cap 0 asks for
 * the size). */
u32 mb1_build_info(const struct mb_info_input *in, u8 *buf, u32 cap, u32 phys);
u32 mb2_build_info(const struct mb_info_input *in, u8 *buf, u32 cap, u32 phys);

/* What this loader honours (MB_CAP_*). */
#define MB_LOADER_CAPS MB_CAP_VIDEO

/* Video modes (mb_video.c): the request (the entry's video= first, else the
 * header's linear-graphics request), and the builders' framebuffer part: a
 * mode set (in->video) as RGB with the VBE blocks, else the EGA text
 * console, else nothing. */
void mb_video_request(const struct video_request *entry, const struct mb_video *v,
		      struct video_request *out);
void mb1_put_video(struct multiboot_info *mi, const struct mb_info_input *in,
		   struct mb_writer *w);
void mb2_put_video(const struct mb_info_input *in, struct mb_writer *w);

/* Stage2 only (mbload.c): the steps both protocols share. */
struct mb_kernel {
	u32 entry;       /* physical */
	u32 lo, hi;      /* the image: lowest byte, one past the highest */
	u32 load_base;   /* lowest address the file asked for */
	u32 end;         /* one past everything loaded with the kernel */
	u8 *shdrs;       /* the section table with sh_addr filled in, or NULL */
	struct mb_elf_sections sec;
};
/* Loads the kernel: by the address fields when addr is given (the header at
 * header_off, header_size bytes), else as ELF, with its section table. */
void mb_load_kernel(struct boot_request *r, const struct mb_address *addr, u32 header_off,
		    u32 header_size, int mb2, struct mb_kernel *k);
/* The fields every information structure shares; then the map into
 * r->bi->map (the firmware view).  name: the protocol, for messages. */
void mb_gather(struct boot_request *r, struct mb_kernel *k, struct mb_info_input *in);
/* Builds with build() into loader memory and jumps with magic in EAX and
 * the structure's address in EBX. */
_Noreturn void mb_boot(struct boot_request *r, const struct mb_kernel *k,
		       const struct mb_info_input *in,
		       u32 (*build)(const struct mb_info_input *, u8 *, u32, u32), u32 magic,
		       const char *what);
/* Prints "<kernel>: <what>: <message>" and stops. */
_Noreturn void mb_die(struct boot_request *r, const char *what, const char *fmt,
		      const struct mb_error *e);

_Noreturn void proto_multiboot1_boot(struct boot_request *r);
_Noreturn void proto_multiboot2_boot(struct boot_request *r);

#endif
