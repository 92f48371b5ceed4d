/*
 * Files as the protocols see them: a name for messages, a size, and reads
 * at any offset into any flat address.  Behind them: a raw extent of the
 * boot disk (the raw layout's kernel), a file system, or memory (a file
 * already loaded and, if it was gzip, inflated).  Every error ends in a
 * message naming the file; reads never return a failure.
 */
#ifndef FILE_H
#define FILE_H

#include "fat.h"
#include "types.h"

enum file_kind { FILE_RAW, FILE_MEM, FILE_FAT };

struct file {
	const char *name;
	u64 size;
	u32 kind;
	u64 lba;  /* FILE_RAW: its first sector on the boot disk */
	u8 *mem;  /* FILE_MEM */
	/* The file's first prefix_len bytes, already in memory at prefix (the
	 * kernel's head): reads of them are copies, not disk reads. */
	const u8 *prefix;
	u32 prefix_len;
	struct fat_file fat; /* FILE_FAT (stage2/volume.c) */
};

/* Reads len bytes at offset off into dst.  Dies on a disk error, or when
 * [off, off + len) is not all inside the file (the caller checked the
 * headers that point there, so this is a loader bug or a truncated image). */
void file_read(struct file *f, u64 off, u32 len, void *dst);

/* A raw extent of the boot disk; checks it lies on the disk when the disk's
 * size is known (the image is truncated otherwise). */
void file_raw(struct file *f, const char *name, u64 lba, u64 size);

#endif
