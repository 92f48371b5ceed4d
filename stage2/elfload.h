/*
 * Kernel ELF validation, pure: the file is read through a callback, so the
 * same checks run in stage2 (from the disk bounce buffer) and on the host
 * (tests and the fuzz harness).  Every rejection is a message naming what is
 * wrong, never a crash.
 */
#ifndef STAGE2_ELF_H
#define STAGE2_ELF_H

#include "types.h"

#define KERNEL_SEGMENTS_MAX 16

struct kernel_segment {
	u64 paddr;  /* where it is loaded */
	u64 vaddr;  /* where it runs: an ELF64 segment with vaddr != paddr is mapped there */
	u64 memsz;
	u64 offset; /* in the file */
	u64 filesz;
};

struct kernel_image {
	int is64;
	/* ELF32: physical (the entry's offset in the segment holding it, from
	 * that segment's p_paddr, as GRUB does: kernels linked at a virtual
	 * address start with paging off).  ELF64: virtual, as linked; the
	 * loader maps every segment there. */
	u64 entry;
	u32 nseg;
	struct kernel_segment seg[KERNEL_SEGMENTS_MAX];
	u64 lo, hi; /* lowest loaded byte, one past the highest */
};

/* Copies len bytes at file offset off to dst; -1 if that part is not
 * available. */
typedef int (*elf_read_fn)(void *ctx, u64 off, void *dst, u32 len);

/* Returns 0 on success, else a message; detail (if not 0) gets a number
 * that goes with it (a segment index, an address). */
const char *elf_parse(elf_read_fn read, void *ctx, u64 file_size, struct kernel_image *k,
		      u64 *detail);

#endif
