/*
 * Multiboot Specification version 0.6.96 (Multiboot1): the kernel's header
 * and the information structure a boot loader hands over.  Names follow the
 * specification; each field's offset is in its comment and pinned by a
 * _Static_assert.  Usable from C (-m16/-m32/-m64 and the host) and, for the
 * #defines only, from assembler (.S files define __ASSEMBLER__).
 */
#ifndef MULTIBOOT_H
#define MULTIBOOT_H

#define MULTIBOOT_SEARCH 8192            /* the header lies in the first 8 KiB... */
#define MULTIBOOT_HEADER_ALIGN 4         /* ...32-bit aligned */
#define MULTIBOOT_HEADER_MAGIC 0x1BADB002
#define MULTIBOOT_BOOTLOADER_MAGIC 0x2BADB002 /* EAX at the kernel's entry */

/* Header flags.  Bits 0-15 are requirements: a loader that does not know one
 * must refuse the kernel; bits 16-31 are optional features. */
#define MULTIBOOT_PAGE_ALIGN 0x00000001   /* modules on 4 KiB boundaries */
#define MULTIBOOT_MEMORY_INFO 0x00000002  /* mem_* (and mmap_*) must be given */
#define MULTIBOOT_VIDEO_MODE 0x00000004   /* a video mode, fields at 32..47 */
#define MULTIBOOT_AOUT_KLUDGE 0x00010000  /* the address fields at 12..31 are valid */
#define MULTIBOOT_REQUIRED_MASK 0x0000FFFF
#define MULTIBOOT_MOD_ALIGN 0x1000

/* Header sizes: the three mandatory fields; with the address fields; with
 * the video fields too. */
#define MULTIBOOT_HEADER_SIZE 12
#define MULTIBOOT_HEADER_SIZE_AOUT 32
#define MULTIBOOT_HEADER_SIZE_VIDEO 48

/* Information structure flags: which fields are valid. */
#define MULTIBOOT_INFO_MEMORY 0x00000001           /* mem_lower, mem_upper */
#define MULTIBOOT_INFO_BOOTDEV 0x00000002          /* boot_device */
#define MULTIBOOT_INFO_CMDLINE 0x00000004          /* cmdline */
#define MULTIBOOT_INFO_MODS 0x00000008             /* mods_count, mods_addr */
#define MULTIBOOT_INFO_AOUT_SYMS 0x00000010        /* u.aout_sym */
#define MULTIBOOT_INFO_ELF_SHDR 0x00000020         /* u.elf_sec */
#define MULTIBOOT_INFO_MEM_MAP 0x00000040          /* mmap_length, mmap_addr */
#define MULTIBOOT_INFO_DRIVE_INFO 0x00000080       /* drives_* */
#define MULTIBOOT_INFO_CONFIG_TABLE 0x00000100     /* config_table */
#define MULTIBOOT_INFO_BOOT_LOADER_NAME 0x00000200 /* boot_loader_name */
#define MULTIBOOT_INFO_APM_TABLE 0x00000400        /* apm_table */
#define MULTIBOOT_INFO_VBE_INFO 0x00000800         /* vbe_* */
#define MULTIBOOT_INFO_FRAMEBUFFER_INFO 0x00001000 /* framebuffer_* */

/* mmap entry types (other values: reserved). */
#define MULTIBOOT_MEMORY_AVAILABLE 1
#define MULTIBOOT_MEMORY_RESERVED 2
#define MULTIBOOT_MEMORY_ACPI_RECLAIMABLE 3
#define MULTIBOOT_MEMORY_NVS 4
#define MULTIBOOT_MEMORY_BADRAM 5

#define MULTIBOOT_FRAMEBUFFER_TYPE_INDEXED 0
#define MULTIBOOT_FRAMEBUFFER_TYPE_RGB 1
#define MULTIBOOT_FRAMEBUFFER_TYPE_EGA_TEXT 2

/* boot_device: drive in the top byte, then the partition, the sub-partition
 * and a fourth byte; 0xFF where unused. */
#define MULTIBOOT_BOOTDEV_UNUSED 0xFF

#define MULTIBOOT_INFO_SIZE 120
#define MULTIBOOT_MMAP_ENTRY_SIZE 24   /* with its size field */
#define MULTIBOOT_MMAP_ENTRY_SIZE_FIELD 20 /* what the size field says */
#define MULTIBOOT_MOD_LIST_SIZE 16

#ifndef __ASSEMBLER__
#include <stddef.h>
#include <stdint.h>

struct multiboot_header {
	uint32_t magic;         /* 0 */
	uint32_t flags;         /* 4 */
	uint32_t checksum;      /* 8: magic + flags + checksum = 0 */
	/* MULTIBOOT_AOUT_KLUDGE */
	uint32_t header_addr;   /* 12: where the header's first byte lands */
	uint32_t load_addr;     /* 16: where the loaded part starts */
	uint32_t load_end_addr; /* 20: its end; 0: the rest of the file */
	uint32_t bss_end_addr;  /* 24: end of the zeroed part; 0: none */
	uint32_t entry_addr;    /* 28 */
	/* MULTIBOOT_VIDEO_MODE */
	uint32_t mode_type;     /* 32: 0 linear graphics, 1 EGA text */
	uint32_t width;         /* 36 */
	uint32_t height;        /* 40 */
	uint32_t depth;         /* 44 */
};

struct multiboot_elf_section_header_table {
	uint32_t num;   /* 0 */
	uint32_t size;  /* 4: bytes per entry */
	uint32_t addr;  /* 8 */
	uint32_t shndx; /* 12: the section name string table's index */
};

struct multiboot_aout_symbol_table {
	uint32_t tabsize;  /* 0 */
	uint32_t strsize;  /* 4 */
	uint32_t addr;     /* 8 */
	uint32_t reserved; /* 12 */
};

struct multiboot_info {
	uint32_t flags;             /* 0: MULTIBOOT_INFO_* */
	uint32_t mem_lower;         /* 4: KiB from 0 */
	uint32_t mem_upper;         /* 8: KiB from 1 MiB up to the first hole */
	uint32_t boot_device;       /* 12 */
	uint32_t cmdline;           /* 16: physical address of a C string */
	uint32_t mods_count;        /* 20 */
	uint32_t mods_addr;         /* 24: struct multiboot_mod_list[mods_count] */
	union {
		struct multiboot_aout_symbol_table aout_sym;
		struct multiboot_elf_section_header_table elf_sec;
	} u;                        /* 28 */
	uint32_t mmap_length;       /* 44: bytes */
	uint32_t mmap_addr;         /* 48 */
	uint32_t drives_length;     /* 52 */
	uint32_t drives_addr;       /* 56 */
	uint32_t config_table;      /* 60 */
	uint32_t boot_loader_name;  /* 64 */
	uint32_t apm_table;         /* 68 */
	uint32_t vbe_control_info;  /* 72 */
	uint32_t vbe_mode_info;     /* 76 */
	uint16_t vbe_mode;          /* 80 */
	uint16_t vbe_interface_seg; /* 82 */
	uint16_t vbe_interface_off; /* 84 */
	uint16_t vbe_interface_len; /* 86 */
	uint64_t framebuffer_addr;  /* 88 */
	uint32_t framebuffer_pitch; /* 96 */
	uint32_t framebuffer_width; /* 100 */
	uint32_t framebuffer_height; /* 104 */
	uint8_t framebuffer_bpp;    /* 108 */
	uint8_t framebuffer_type;   /* 109 */
	/* The specification's table puts the colour information at 110; its
	 * own example header (GRUB's multiboot.h, which kernels compile
	 * against) holds it in a union with a 32-bit member, so at 112, and
	 * GRUB writes it there: so does this loader. */
	uint16_t color_info_pad;    /* 110 */
	uint8_t color_info[6];      /* 112: RGB: red position, size, green..., blue... */
	uint16_t color_info_end;    /* 118: the rest of that union */
} __attribute__((packed));      /* 120 */

struct multiboot_mod_list {
	uint32_t mod_start; /* 0 */
	uint32_t mod_end;   /* 4: one past the last byte */
	uint32_t cmdline;   /* 8: the module's string */
	uint32_t pad;       /* 12: 0 */
};

/* An mmap entry: `size` counts the bytes after itself (20 here); the next
 * entry starts size + 4 bytes further on. */
struct multiboot_mmap_entry {
	uint32_t size; /* 0 */
	uint64_t addr; /* 4 */
	uint64_t len;  /* 12 */
	uint32_t type; /* 20: MULTIBOOT_MEMORY_* */
} __attribute__((packed));

_Static_assert(sizeof(struct multiboot_header) == MULTIBOOT_HEADER_SIZE_VIDEO, "mb1 header");
_Static_assert(offsetof(struct multiboot_header, header_addr) == MULTIBOOT_HEADER_SIZE,
	       "mb1 header_addr");
_Static_assert(offsetof(struct multiboot_header, mode_type) == MULTIBOOT_HEADER_SIZE_AOUT,
	       "mb1 mode_type");
_Static_assert(offsetof(struct multiboot_info, u) == 28, "mb1 info u");
_Static_assert(offsetof(struct multiboot_info, mmap_length) == 44, "mb1 mmap_length");
_Static_assert(offsetof(struct multiboot_info, boot_loader_name) == 64, "mb1 loader name");
_Static_assert(offsetof(struct multiboot_info, vbe_mode) == 80, "mb1 vbe_mode");
_Static_assert(offsetof(struct multiboot_info, framebuffer_addr) == 88, "mb1 framebuffer");
_Static_assert(offsetof(struct multiboot_info, framebuffer_bpp) == 108, "mb1 fb bpp");
_Static_assert(sizeof(struct multiboot_info) == MULTIBOOT_INFO_SIZE, "mb1 info");
_Static_assert(offsetof(struct multiboot_info, color_info) == 112, "mb1 colour information");
_Static_assert(sizeof(struct multiboot_mod_list) == MULTIBOOT_MOD_LIST_SIZE, "mb1 mod_list");
_Static_assert(sizeof(struct multiboot_mmap_entry) == MULTIBOOT_MMAP_ENTRY_SIZE, "mb1 mmap");
_Static_assert(offsetof(struct multiboot_mmap_entry, type) == 20, "mb1 mmap type");
#endif /* !__ASSEMBLER__ */

#endif
