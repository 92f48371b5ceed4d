/*
 * The Linux boot protocol's pure half: the setup header read and checked,
 * and the zero page built from it and from what the loader decided.  No
 * BIOS, no disk: stage2, the host tests and the fuzzer run this same code.
 */
#ifndef LINUX_HEADER_H
#define LINUX_HEADER_H

#include "bootinfo.h"
#include "linux_boot.h"
#include "types.h"

/* A bzImage as its setup header describes it, checked.  All of it lies
 * below 4 GiB, so 32 bits hold every number. */
struct linux_kernel {
	u32 pm_offset;     /* file offset of the protected-mode code: (setup_sects + 1) * 512 */
	u32 pm_size;       /* syssize * 16: what is loaded */
	u32 pref_address;  /* where it runs (2.10+), else 1 MiB */
	u32 init_size;     /* room it needs from where it runs, at least pm_size */
	u32 header_end;    /* file offset one past the setup header */
	u32 align;         /* kernel_alignment (relocatable kernels), at least 4 KiB */
	u32 min_align;     /* 1 << min_alignment, or align when not given */
	u32 cmdline_size;  /* longest command line, without the NUL */
	u32 initrd_addr_max; /* highest byte an initrd may occupy */
	u16 version;
	u16 xloadflags;
	u8 relocatable;
};

/* Checks the setup header in head[0..len) (the file's first bytes, len at
 * most the file's size) of a file of file_size bytes.  Returns NULL and
 * fills k, or a printf format naming what is wrong, to be formatted with
 * detail[0] and detail[1] (it uses %u and %x only). */
const char *linux_parse(const u8 *head, u32 len, u64 file_size, struct linux_kernel *k,
			u32 detail[2]);

/* What the loader decided. */
struct linux_placement {
	u32 load;          /* the protected-mode code's address */
	u32 align;         /* the alignment it was placed with (kernel_alignment) */
	u32 cmdline;       /* the command line's address */
	u32 ramdisk_image; /* 0 when there is no initrd */
	u32 ramdisk_size;
};

/* Fills the zero page: all zero, the setup header copied from head, the
 * loader's fields, and the firmware's memory map by the Linux rule (its
 * E820 answer as it came, else what Linux's real-mode code records from
 * E801 and 88h).  head holds at least k->header_end bytes. */
void linux_zero_page(struct linux_boot_params *zp, const u8 *head, const struct linux_kernel *k,
		     const struct linux_placement *p, const struct bootinfo *bi);

/* alt_mem_k as Linux's real-mode code computes it from an E801 answer (low:
 * KiB between 1 and 16 MiB, high: 64 KiB blocks above 16 MiB). */
u32 linux_alt_mem_k(u32 low, u32 high);

#endif
