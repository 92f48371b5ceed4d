/*
 * The Linux/x86 boot protocol (Documentation/arch/x86/boot.rst): the setup
 * header in a bzImage's first sectors and the "zero page" (struct
 * boot_params, Documentation/arch/x86/zero-page.rst) a boot loader fills.
 * Offsets are from the file's (and the zero page's) start, as the protocol
 * document gives them; the setup header sits at the same offset in both.
 * Only the fields this loader reads or writes are named; the rest of the
 * zero page is padding that stays zero.
 */
#ifndef LINUX_BOOT_H
#define LINUX_BOOT_H

#define LINUX_SETUP_HEADER_OFF 0x1F1
#define LINUX_BOOT_FLAG_OFF 0x1FE   /* 0xAA55 */
#define LINUX_BOOT_FLAG 0xAA55
#define LINUX_JUMP_OFF 0x200        /* 0xEB, then the header's length - 0x202 */
#define LINUX_HEADER_OFF 0x202      /* "HdrS" */
#define LINUX_HEADER_MAGIC 0x53726448
#define LINUX_SETUP_HEADER_END 0x206 /* enough of the file to recognise one */
/* The setup header is copied into the zero page, where the hole it fills
 * ends at edd_mbr_sig_buffer (0x290). */
#define LINUX_SETUP_HEADER_MAX_END 0x290

#define LINUX_SECTOR_SIZE 512
#define LINUX_SETUP_SECTS_DEFAULT 4 /* setup_sects 0 means 4 */
#define LINUX_SYSSIZE_UNIT 16       /* syssize counts paragraphs */

/* Protocol versions: (major << 8) | minor. */
#define LINUX_PROTOCOL_MIN 0x0206   /* cmdline_size; the oldest booted here */
#define LINUX_PROTOCOL_2_10 0x020A  /* pref_address, init_size, min_alignment */
#define LINUX_PROTOCOL_2_12 0x020C  /* xloadflags */

/* loadflags */
#define LINUX_LOADED_HIGH 0x01  /* read: protected-mode code at 0x100000 */
#define LINUX_CAN_USE_HEAP 0x80 /* write: heap_end_ptr is valid */

/* xloadflags */
#define LINUX_XLF_KERNEL_64 0x0001 /* a 64-bit entry at load address + 0x200 */
#define LINUX_XLF_CAN_BE_LOADED_ABOVE_4G 0x0002

#define LINUX_ENTRY64_OFF 0x200
/* type_of_loader: "0xFF: undefined", for a loader without an assigned ID. */
#define LINUX_LOADER_UNDEFINED 0xFF
/* bzImages load high, at 1 MiB: where non-relocatable ones are put. */
#define LINUX_LOAD_HIGH_ADDR 0x100000
/* The document's sample configuration for a protocol 2.02+ bzImage: the
 * setup heap ends at 0xE000 in the real-mode segment; heap_end_ptr holds
 * that minus 0x200.  The real-mode setup code does not run here, but the
 * field is obligatory and some kernels check CAN_USE_HEAP. */
#define LINUX_HEAP_END 0xE000
#define LINUX_HEAP_END_PTR_BIAS 0x200

#define LINUX_ZERO_PAGE_SIZE 4096
#define LINUX_E820_MAX 128 /* E820_MAX_ENTRIES_ZEROPAGE */

/* Video types for screen_info.orig_video_isVGA. */
#define LINUX_VIDEO_TYPE_VGAC 0x22 /* VGA+ in colour mode */
#define LINUX_VIDEO_TYPE_VLFB 0x23 /* a VESA linear framebuffer */
/* vid_mode values of VESA modes: 0x200 plus the VBE mode number (Linux's
 * arch/x86/boot/video.h VIDEO_FIRST_VESA; "vga=0x317" is VBE mode 0x117). */
#define LINUX_VID_MODE_VESA 0x200
#define LINUX_VID_MODE_VESA_FIRST 0x300 /* VBE 0x100, the first VESA-defined mode */
#define LINUX_VID_MODE_VESA_LAST 0x3FF
/* vga=normal, ext and ask (arch/x86/include/uapi/asm/boot.h). */
#define LINUX_VID_MODE_NORMAL 0xFFFF
#define LINUX_VID_MODE_EXT 0xFFFE
#define LINUX_VID_MODE_ASK 0xFFFD

#define LINUX_ZP_SCREEN_INFO 0x000
#define LINUX_ZP_ALT_MEM_K 0x1E0
#define LINUX_ZP_E820_ENTRIES 0x1E8
#define LINUX_ZP_SENTINEL 0x1EF
#define LINUX_ZP_E820_TABLE 0x2D0

#ifndef __ASSEMBLER__
#include <stddef.h>

#include "types.h"

/* The setup header, at LINUX_SETUP_HEADER_OFF in the file and in the zero
 * page (offsets in the comments are from the file's start). */
struct linux_setup_header {
	u8 setup_sects;          /* 0x1F1: 0 means 4 */
	u16 root_flags;          /* 0x1F2 */
	u32 syssize;             /* 0x1F4: protected-mode code, 16-byte units */
	u16 ram_size;            /* 0x1F8 */
	u16 vid_mode;            /* 0x1FA */
	u16 root_dev;            /* 0x1FC */
	u16 boot_flag;           /* 0x1FE: 0xAA55 */
	u8 jump[2];              /* 0x200: 0xEB, header length - 0x202 */
	u32 header;              /* 0x202: "HdrS" */
	u16 version;             /* 0x206 */
	u32 realmode_swtch;      /* 0x208 */
	u16 start_sys_seg;       /* 0x20C */
	u16 kernel_version;      /* 0x20E */
	u8 type_of_loader;       /* 0x210: write */
	u8 loadflags;            /* 0x211: modify */
	u16 setup_move_size;     /* 0x212 */
	u32 code32_start;        /* 0x214: modify (reloc) */
	u32 ramdisk_image;       /* 0x218: write */
	u32 ramdisk_size;        /* 0x21C: write */
	u32 bootsect_kludge;     /* 0x220 */
	u16 heap_end_ptr;        /* 0x224: write */
	u8 ext_loader_ver;       /* 0x226 */
	u8 ext_loader_type;      /* 0x227 */
	u32 cmd_line_ptr;        /* 0x228: write */
	u32 initrd_addr_max;     /* 0x22C: highest byte an initrd may occupy */
	u32 kernel_alignment;    /* 0x230: 2.05+, modify from 2.10 */
	u8 relocatable_kernel;   /* 0x234: 2.05+ */
	u8 min_alignment;        /* 0x235: 2.10+, a power of two */
	u16 xloadflags;          /* 0x236: 2.12+ */
	u32 cmdline_size;        /* 0x238: 2.06+, without the NUL */
	u32 hardware_subarch;    /* 0x23C: 2.07+ */
	u64 hardware_subarch_data; /* 0x240 */
	u32 payload_offset;      /* 0x248: 2.08+ */
	u32 payload_length;      /* 0x24C */
	u64 setup_data;          /* 0x250: 2.09+ */
	u64 pref_address;        /* 0x258: 2.10+ */
	u32 init_size;           /* 0x260: 2.10+ */
	u32 handover_offset;     /* 0x264: 2.11+ */
	u32 kernel_info_offset;  /* 0x268: 2.15+ */
} __attribute__((packed));

#define LINUX_HDR_AT(field) (LINUX_SETUP_HEADER_OFF + offsetof(struct linux_setup_header, field))
#define LINUX_HDR_END(field) \
	(LINUX_HDR_AT(field) + sizeof(((struct linux_setup_header *)0)->field))

/* struct screen_info: what Linux's real-mode setup records about the
 * console (and ext_mem_k, from INT 15h 88h): the text console, or a VESA
 * linear framebuffer (orig_video_isVGA = LINUX_VIDEO_TYPE_VLFB) described
 * by the lfb_* fields as arch/x86/boot/video-vesa.c fills them from the
 * VBE blocks. */
struct linux_screen_info {
	u8 orig_x;               /* 0x00 */
	u8 orig_y;               /* 0x01 */
	u16 ext_mem_k;           /* 0x02: INT 15h 88h */
	u16 orig_video_page;     /* 0x04 */
	u8 orig_video_mode;      /* 0x06 */
	u8 orig_video_cols;      /* 0x07 */
	u8 flags;                /* 0x08 */
	u8 unused2;              /* 0x09 */
	u16 orig_video_ega_bx;   /* 0x0A */
	u16 unused3;             /* 0x0C */
	u8 orig_video_lines;     /* 0x0E */
	u8 orig_video_isVGA;     /* 0x0F */
	u16 orig_video_points;   /* 0x10 */
	u16 lfb_width;           /* 0x12 */
	u16 lfb_height;          /* 0x14 */
	u16 lfb_depth;           /* 0x16: BitsPerPixel */
	u32 lfb_base;            /* 0x18 */
	u32 lfb_size;            /* 0x1C: VLFB: TotalMemory, 64 KiB units */
	u16 cl_magic;            /* 0x20 */
	u16 cl_offset;           /* 0x22 */
	u16 lfb_linelength;      /* 0x24 */
	u8 red_size;             /* 0x26 */
	u8 red_pos;              /* 0x27 */
	u8 green_size;           /* 0x28 */
	u8 green_pos;            /* 0x29 */
	u8 blue_size;            /* 0x2A */
	u8 blue_pos;             /* 0x2B */
	u8 rsvd_size;            /* 0x2C */
	u8 rsvd_pos;             /* 0x2D */
	u16 vesapm_seg;          /* 0x2E */
	u16 vesapm_off;          /* 0x30 */
	u16 pages;               /* 0x32 */
	u16 vesa_attributes;     /* 0x34: ModeAttributes */
	u32 capabilities;        /* 0x36: VbeInfoBlock.Capabilities */
	u32 ext_lfb_base;        /* 0x3A */
	u8 reserved[2];          /* 0x3E */
} __attribute__((packed));

/* One entry of e820_table: the 20-byte ACPI 1.0 form. */
struct linux_e820_entry {
	u64 addr; /* 0 */
	u64 size; /* 8 */
	u32 type; /* 16 */
} __attribute__((packed));

struct linux_boot_params {
	struct linux_screen_info screen_info;      /* 0x000 */
	u8 pad1[LINUX_ZP_ALT_MEM_K - 0x40];         /* 0x040: APM, IST, RSDP, ... */
	u32 alt_mem_k;                             /* 0x1E0: INT 15h E801 */
	u32 scratch;                               /* 0x1E4 */
	u8 e820_entries;                           /* 0x1E8 */
	u8 pad2[LINUX_ZP_SENTINEL - 0x1E9];        /* 0x1E9 */
	u8 sentinel;                               /* 0x1EF: 0, or the kernel
						      assumes a broken loader */
	u8 pad3;                                   /* 0x1F0 */
	struct linux_setup_header hdr;             /* 0x1F1 */
	u8 pad4[LINUX_ZP_E820_TABLE - LINUX_HDR_END(kernel_info_offset)];
	struct linux_e820_entry e820_table[LINUX_E820_MAX]; /* 0x2D0 */
	u8 pad5[LINUX_ZERO_PAGE_SIZE - LINUX_ZP_E820_TABLE - LINUX_E820_MAX * 20];
} __attribute__((packed));

_Static_assert(sizeof(struct linux_setup_header) == 0x26C - LINUX_SETUP_HEADER_OFF, "hdr");
_Static_assert(LINUX_HDR_AT(boot_flag) == LINUX_BOOT_FLAG_OFF, "boot_flag");
_Static_assert(LINUX_HDR_AT(jump) == LINUX_JUMP_OFF, "jump");
_Static_assert(LINUX_HDR_AT(header) == LINUX_HEADER_OFF, "header");
_Static_assert(LINUX_HDR_AT(version) == 0x206, "version");
_Static_assert(LINUX_HDR_AT(type_of_loader) == 0x210, "type_of_loader");
_Static_assert(LINUX_HDR_AT(code32_start) == 0x214, "code32_start");
_Static_assert(LINUX_HDR_AT(heap_end_ptr) == 0x224, "heap_end_ptr");
_Static_assert(LINUX_HDR_AT(cmd_line_ptr) == 0x228, "cmd_line_ptr");
_Static_assert(LINUX_HDR_AT(kernel_alignment) == 0x230, "kernel_alignment");
_Static_assert(LINUX_HDR_AT(xloadflags) == 0x236, "xloadflags");
_Static_assert(LINUX_HDR_AT(cmdline_size) == 0x238, "cmdline_size");
_Static_assert(LINUX_HDR_AT(setup_data) == 0x250, "setup_data");
_Static_assert(LINUX_HDR_AT(pref_address) == 0x258, "pref_address");
_Static_assert(LINUX_HDR_AT(init_size) == 0x260, "init_size");
_Static_assert(sizeof(struct linux_screen_info) == 0x40, "screen_info");
_Static_assert(offsetof(struct linux_screen_info, orig_video_lines) == 0x0E, "lines");
_Static_assert(offsetof(struct linux_screen_info, lfb_base) == 0x18, "lfb_base");
_Static_assert(offsetof(struct linux_screen_info, lfb_linelength) == 0x24, "lfb_linelength");
_Static_assert(offsetof(struct linux_screen_info, rsvd_pos) == 0x2D, "rsvd_pos");
_Static_assert(offsetof(struct linux_screen_info, capabilities) == 0x36, "capabilities");
_Static_assert(offsetof(struct linux_screen_info, ext_lfb_base) == 0x3A, "ext_lfb_base");
_Static_assert(sizeof(struct linux_e820_entry) == 20, "e820 entry");
_Static_assert(offsetof(struct linux_boot_params, alt_mem_k) == LINUX_ZP_ALT_MEM_K, "alt_mem_k");
_Static_assert(offsetof(struct linux_boot_params, e820_entries) == LINUX_ZP_E820_ENTRIES,
	       "e820_entries");
_Static_assert(offsetof(struct linux_boot_params, sentinel) == LINUX_ZP_SENTINEL, "sentinel");
_Static_assert(offsetof(struct linux_boot_params, hdr) == LINUX_SETUP_HEADER_OFF, "hdr at");
_Static_assert(offsetof(struct linux_boot_params, e820_table) == LINUX_ZP_E820_TABLE, "e820");
_Static_assert(sizeof(struct linux_boot_params) == LINUX_ZERO_PAGE_SIZE, "zero page");

#endif /* !__ASSEMBLER__ */
#endif
