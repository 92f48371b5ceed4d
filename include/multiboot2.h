/*
 * Multiboot2 Specification version 2.0: the kernel's header, its tags, and
 * the boot information tags a boot loader hands over.  Field names follow
 * the specification; the structures are prefixed multiboot2_ (the
 * specification's own header calls them multiboot_, as Multiboot1 does) so
 * that both headers can be included together.  Offsets are in comments and
 * pinned by _Static_asserts.  The #defines also serve assembler (.S files
 * define __ASSEMBLER__).
 */
#ifndef MULTIBOOT2_H
#define MULTIBOOT2_H

#define MULTIBOOT2_SEARCH 32768          /* the whole header lies in the first 32 KiB... */
#define MULTIBOOT2_ALIGN 8               /* ...64-bit aligned */
#define MULTIBOOT2_HEADER_MAGIC 0xE85250D6
#define MULTIBOOT2_BOOTLOADER_MAGIC 0x36D76289 /* EAX at the kernel's entry */
#define MULTIBOOT2_ARCHITECTURE_I386 0
#define MULTIBOOT2_HEADER_SIZE 16        /* magic, architecture, header_length, checksum */
#define MULTIBOOT2_TAG_ALIGN 8           /* header tags and information tags alike */

/* Header tags (struct multiboot2_header_tag.type). */
#define MULTIBOOT2_HEADER_TAG_END 0
#define MULTIBOOT2_HEADER_TAG_INFORMATION_REQUEST 1
#define MULTIBOOT2_HEADER_TAG_ADDRESS 2
#define MULTIBOOT2_HEADER_TAG_ENTRY_ADDRESS 3
#define MULTIBOOT2_HEADER_TAG_CONSOLE_FLAGS 4
#define MULTIBOOT2_HEADER_TAG_FRAMEBUFFER 5
#define MULTIBOOT2_HEADER_TAG_MODULE_ALIGN 6
#define MULTIBOOT2_HEADER_TAG_EFI_BS 7
#define MULTIBOOT2_HEADER_TAG_ENTRY_ADDRESS_EFI32 8
#define MULTIBOOT2_HEADER_TAG_ENTRY_ADDRESS_EFI64 9
#define MULTIBOOT2_HEADER_TAG_RELOCATABLE 10
#define MULTIBOOT2_HEADER_TAG_COUNT 11
#define MULTIBOOT2_HEADER_TAG_OPTIONAL 1 /* flags bit 0: may be ignored */

/* console_flags */
#define MULTIBOOT2_CONSOLE_FLAGS_CONSOLE_REQUIRED 1
#define MULTIBOOT2_CONSOLE_FLAGS_EGA_TEXT_SUPPORTED 2

/* Relocatable tag: preference */
#define MULTIBOOT2_LOAD_PREFERENCE_NONE 0
#define MULTIBOOT2_LOAD_PREFERENCE_LOW 1
#define MULTIBOOT2_LOAD_PREFERENCE_HIGH 2

/* Boot information tags (struct multiboot2_tag.type). */
#define MULTIBOOT2_TAG_TYPE_END 0
#define MULTIBOOT2_TAG_TYPE_CMDLINE 1
#define MULTIBOOT2_TAG_TYPE_BOOT_LOADER_NAME 2
#define MULTIBOOT2_TAG_TYPE_MODULE 3
#define MULTIBOOT2_TAG_TYPE_BASIC_MEMINFO 4
#define MULTIBOOT2_TAG_TYPE_BOOTDEV 5
#define MULTIBOOT2_TAG_TYPE_MMAP 6
#define MULTIBOOT2_TAG_TYPE_VBE 7
#define MULTIBOOT2_TAG_TYPE_FRAMEBUFFER 8
#define MULTIBOOT2_TAG_TYPE_ELF_SECTIONS 9
#define MULTIBOOT2_TAG_TYPE_APM 10
#define MULTIBOOT2_TAG_TYPE_EFI32 11
#define MULTIBOOT2_TAG_TYPE_EFI64 12
#define MULTIBOOT2_TAG_TYPE_SMBIOS 13
#define MULTIBOOT2_TAG_TYPE_ACPI_OLD 14
#define MULTIBOOT2_TAG_TYPE_ACPI_NEW 15
#define MULTIBOOT2_TAG_TYPE_NETWORK 16
#define MULTIBOOT2_TAG_TYPE_EFI_MMAP 17
#define MULTIBOOT2_TAG_TYPE_EFI_BS 18
#define MULTIBOOT2_TAG_TYPE_EFI32_IH 19
#define MULTIBOOT2_TAG_TYPE_EFI64_IH 20
#define MULTIBOOT2_TAG_TYPE_LOAD_BASE_ADDR 21
#define MULTIBOOT2_TAG_TYPE_COUNT 22

/* mmap entry types (other values: reserved). */
#define MULTIBOOT2_MEMORY_AVAILABLE 1
#define MULTIBOOT2_MEMORY_RESERVED 2
#define MULTIBOOT2_MEMORY_ACPI_RECLAIMABLE 3
#define MULTIBOOT2_MEMORY_NVS 4
#define MULTIBOOT2_MEMORY_BADRAM 5

#define MULTIBOOT2_FRAMEBUFFER_TYPE_INDEXED 0
#define MULTIBOOT2_FRAMEBUFFER_TYPE_RGB 1
#define MULTIBOOT2_FRAMEBUFFER_TYPE_EGA_TEXT 2

/* Sizes the specification fixes (a tag's size field counts its header). */
#define MULTIBOOT2_HEADER_TAG_SIZE 8
#define MULTIBOOT2_HEADER_TAG_ADDRESS_SIZE 24
#define MULTIBOOT2_HEADER_TAG_ENTRY_ADDRESS_SIZE 12
#define MULTIBOOT2_HEADER_TAG_CONSOLE_FLAGS_SIZE 12
#define MULTIBOOT2_HEADER_TAG_FRAMEBUFFER_SIZE 20
#define MULTIBOOT2_HEADER_TAG_RELOCATABLE_SIZE 24
#define MULTIBOOT2_INFO_HEADER_SIZE 8    /* total_size, reserved */
#define MULTIBOOT2_TAG_SIZE 8
#define MULTIBOOT2_TAG_STRING_SIZE 8     /* then the string and its NUL */
#define MULTIBOOT2_TAG_MODULE_SIZE 16    /* then the string and its NUL */
#define MULTIBOOT2_TAG_BASIC_MEMINFO_SIZE 16
#define MULTIBOOT2_TAG_BOOTDEV_SIZE 20
#define MULTIBOOT2_TAG_MMAP_SIZE 16      /* then the entries */
#define MULTIBOOT2_MMAP_ENTRY_SIZE 24
#define MULTIBOOT2_TAG_FRAMEBUFFER_COMMON_SIZE 32
#define MULTIBOOT2_FRAMEBUFFER_RGB_INFO_SIZE 6 /* after the common part, type RGB */
#define MULTIBOOT2_TAG_VBE_SIZE 784
#define MULTIBOOT2_TAG_ELF_SECTIONS_SIZE 20 /* then the section headers */
#define MULTIBOOT2_TAG_LOAD_BASE_ADDR_SIZE 12

#ifndef __ASSEMBLER__
#include <stddef.h>
#include <stdint.h>

struct multiboot2_header {
	uint32_t magic;         /* 0 */
	uint32_t architecture;  /* 4 */
	uint32_t header_length; /* 8: bytes, from magic to the end tag's end */
	uint32_t checksum;      /* 12: the four fields sum to 0 */
};

struct multiboot2_header_tag {
	uint16_t type;  /* 0 */
	uint16_t flags; /* 2: MULTIBOOT2_HEADER_TAG_OPTIONAL */
	uint32_t size;  /* 4: bytes including this header */
};

struct multiboot2_header_tag_information_request {
	uint16_t type;  /* 0 */
	uint16_t flags; /* 2 */
	uint32_t size;  /* 4 */
	uint32_t requests[]; /* 8: information tag types, (size - 8) / 4 of them */
};

struct multiboot2_header_tag_address {
	uint16_t type;          /* 0 */
	uint16_t flags;         /* 2 */
	uint32_t size;          /* 4 */
	uint32_t header_addr;   /* 8 */
	uint32_t load_addr;     /* 12: 0xFFFFFFFF: the file from its start */
	uint32_t load_end_addr; /* 16: 0: to the end of the file */
	uint32_t bss_end_addr;  /* 20: 0: no bss */
};

struct multiboot2_header_tag_entry_address {
	uint16_t type;       /* 0 */
	uint16_t flags;      /* 2 */
	uint32_t size;       /* 4 */
	uint32_t entry_addr; /* 8 */
};

struct multiboot2_header_tag_console_flags {
	uint16_t type;          /* 0 */
	uint16_t flags;         /* 2 */
	uint32_t size;          /* 4 */
	uint32_t console_flags; /* 8 */
};

struct multiboot2_header_tag_framebuffer {
	uint16_t type;   /* 0 */
	uint16_t flags;  /* 2 */
	uint32_t size;   /* 4 */
	uint32_t width;  /* 8 */
	uint32_t height; /* 12 */
	uint32_t depth;  /* 16 */
};

struct multiboot2_header_tag_relocatable {
	uint16_t type;       /* 0 */
	uint16_t flags;      /* 2 */
	uint32_t size;       /* 4 */
	uint32_t min_addr;   /* 8 */
	uint32_t max_addr;   /* 12 */
	uint32_t align;      /* 16 */
	uint32_t preference; /* 20 */
};

/* The information structure: total_size and reserved, then 8-byte aligned
 * tags, the last one MULTIBOOT2_TAG_TYPE_END with size 8. */
struct multiboot2_info_header {
	uint32_t total_size; /* 0 */
	uint32_t reserved;   /* 4 */
};

struct multiboot2_tag {
	uint32_t type; /* 0 */
	uint32_t size; /* 4: bytes including this header, without padding */
};

struct multiboot2_tag_string { /* cmdline, boot loader name */
	uint32_t type;  /* 0 */
	uint32_t size;  /* 4 */
	char string[];  /* 8: NUL-terminated */
};

struct multiboot2_tag_module {
	uint32_t type;      /* 0 */
	uint32_t size;      /* 4 */
	uint32_t mod_start; /* 8 */
	uint32_t mod_end;   /* 12: one past the last byte */
	char cmdline[];     /* 16: NUL-terminated */
};

struct multiboot2_tag_basic_meminfo {
	uint32_t type;      /* 0 */
	uint32_t size;      /* 4 */
	uint32_t mem_lower; /* 8: KiB from 0 */
	uint32_t mem_upper; /* 12: KiB from 1 MiB up to the first hole */
};

struct multiboot2_tag_bootdev {
	uint32_t type;     /* 0 */
	uint32_t size;     /* 4 */
	uint32_t biosdev;  /* 8 */
	uint32_t slice;    /* 12: partition, 0-based; 0xFFFFFFFF: none */
	uint32_t part;     /* 16: sub-partition; 0xFFFFFFFF: none */
};

struct multiboot2_mmap_entry {
	uint64_t addr; /* 0 */
	uint64_t len;  /* 8 */
	uint32_t type; /* 16: MULTIBOOT2_MEMORY_* */
	uint32_t zero; /* 20 */
};

struct multiboot2_tag_mmap {
	uint32_t type;          /* 0 */
	uint32_t size;          /* 4 */
	uint32_t entry_size;    /* 8: 24 */
	uint32_t entry_version; /* 12: 0 */
	struct multiboot2_mmap_entry entries[]; /* 16 */
};

/* The framebuffer tag's common part; an EGA text console has nothing more. */
struct multiboot2_tag_framebuffer_common {
	uint32_t type;               /* 0 */
	uint32_t size;               /* 4 */
	uint64_t framebuffer_addr;   /* 8 */
	uint32_t framebuffer_pitch;  /* 16 */
	uint32_t framebuffer_width;  /* 20 */
	uint32_t framebuffer_height; /* 24 */
	uint8_t framebuffer_bpp;     /* 28 */
	uint8_t framebuffer_type;    /* 29 */
	uint16_t reserved;           /* 30 */
};

/* A framebuffer of type RGB: the common part, then each colour's field
 * position and mask size (red, green, blue), a byte each. */

/* The VBE blocks as the video BIOS gave them (4F00h, 4F01h). */
struct multiboot2_tag_vbe {
	uint32_t type;              /* 0 */
	uint32_t size;              /* 4: 784 */
	uint16_t vbe_mode;          /* 8 */
	uint16_t vbe_interface_seg; /* 10 */
	uint16_t vbe_interface_off; /* 12 */
	uint16_t vbe_interface_len; /* 14 */
	uint8_t vbe_control_info[512]; /* 16 */
	uint8_t vbe_mode_info[256];    /* 528 */
};

/* The specification's prose gives num, entsize and shndx 16 bits each; its
 * own example header, GRUB and the kernels written against them use 32 bits,
 * and so does this loader. */
struct multiboot2_tag_elf_sections {
	uint32_t type;    /* 0 */
	uint32_t size;    /* 4 */
	uint32_t num;     /* 8 */
	uint32_t entsize; /* 12 */
	uint32_t shndx;   /* 16 */
	uint8_t sections[]; /* 20 */
};

struct multiboot2_tag_old_acpi { /* and _new_acpi: the RSDP copied whole */
	uint32_t type;  /* 0 */
	uint32_t size;  /* 4 */
	uint8_t rsdp[]; /* 8 */
};

struct multiboot2_tag_load_base_addr {
	uint32_t type;           /* 0 */
	uint32_t size;           /* 4 */
	uint32_t load_base_addr; /* 8 */
};

_Static_assert(sizeof(struct multiboot2_header) == MULTIBOOT2_HEADER_SIZE, "mb2 header");
_Static_assert(sizeof(struct multiboot2_header_tag) == MULTIBOOT2_HEADER_TAG_SIZE, "mb2 htag");
_Static_assert(sizeof(struct multiboot2_header_tag_information_request) == 8, "mb2 request");
_Static_assert(sizeof(struct multiboot2_header_tag_address) ==
	       MULTIBOOT2_HEADER_TAG_ADDRESS_SIZE, "mb2 address tag");
_Static_assert(sizeof(struct multiboot2_header_tag_entry_address) ==
	       MULTIBOOT2_HEADER_TAG_ENTRY_ADDRESS_SIZE, "mb2 entry tag");
_Static_assert(sizeof(struct multiboot2_header_tag_console_flags) ==
	       MULTIBOOT2_HEADER_TAG_CONSOLE_FLAGS_SIZE, "mb2 console tag");
_Static_assert(sizeof(struct multiboot2_header_tag_framebuffer) ==
	       MULTIBOOT2_HEADER_TAG_FRAMEBUFFER_SIZE, "mb2 framebuffer tag");
_Static_assert(sizeof(struct multiboot2_header_tag_relocatable) ==
	       MULTIBOOT2_HEADER_TAG_RELOCATABLE_SIZE, "mb2 relocatable tag");
_Static_assert(sizeof(struct multiboot2_info_header) == MULTIBOOT2_INFO_HEADER_SIZE, "mb2 info");
_Static_assert(sizeof(struct multiboot2_tag) == MULTIBOOT2_TAG_SIZE, "mb2 tag");
_Static_assert(sizeof(struct multiboot2_tag_string) == MULTIBOOT2_TAG_STRING_SIZE, "mb2 string");
_Static_assert(sizeof(struct multiboot2_tag_module) == MULTIBOOT2_TAG_MODULE_SIZE, "mb2 module");
_Static_assert(sizeof(struct multiboot2_tag_basic_meminfo) ==
	       MULTIBOOT2_TAG_BASIC_MEMINFO_SIZE, "mb2 meminfo");
_Static_assert(sizeof(struct multiboot2_tag_bootdev) == MULTIBOOT2_TAG_BOOTDEV_SIZE, "mb2 bootdev");
_Static_assert(sizeof(struct multiboot2_mmap_entry) == MULTIBOOT2_MMAP_ENTRY_SIZE, "mb2 mmap e");
_Static_assert(sizeof(struct multiboot2_tag_mmap) == MULTIBOOT2_TAG_MMAP_SIZE, "mb2 mmap");
_Static_assert(offsetof(struct multiboot2_tag_framebuffer_common, framebuffer_bpp) == 28,
	       "mb2 fb bpp");
_Static_assert(sizeof(struct multiboot2_tag_framebuffer_common) ==
	       MULTIBOOT2_TAG_FRAMEBUFFER_COMMON_SIZE, "mb2 framebuffer");
_Static_assert(sizeof(struct multiboot2_tag_elf_sections) ==
	       MULTIBOOT2_TAG_ELF_SECTIONS_SIZE, "mb2 elf sections");
_Static_assert(sizeof(struct multiboot2_tag_old_acpi) == 8, "mb2 acpi");
_Static_assert(sizeof(struct multiboot2_tag_vbe) == MULTIBOOT2_TAG_VBE_SIZE, "mb2 vbe");
_Static_assert(offsetof(struct multiboot2_tag_vbe, vbe_mode_info) == 528, "mb2 vbe mode info");
_Static_assert(sizeof(struct multiboot2_tag_load_base_addr) ==
	       MULTIBOOT2_TAG_LOAD_BASE_ADDR_SIZE, "mb2 load base");
#endif /* !__ASSEMBLER__ */

#endif
