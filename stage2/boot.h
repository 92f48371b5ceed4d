/*
 * "Load this kernel": the protocol layer.  boot() takes one boot entry
 * (stage2/bootentry.h), opens the kernel, picks the protocol from the file
 * (or takes the one the entry names) and hands over to that protocol's
 * file in stage2/proto/, which loads the kernel and its modules, builds the
 * handoff structure in its own form and jumps.  Every protocol reads files
 * through stage2/file.h and claims memory through stage2/physmem.h, so
 * every map it hands over shows every byte the loader placed.
 */
#ifndef BOOT_H
#define BOOT_H

#include "bootentry.h"
#include "bootinfo.h"
#include "cpu.h"
#include "elfload.h"
#include "file.h"
#include "types.h"

/* Multiboot2 looks for its header in the first 32 KiB of the file. */
#define PROTO_HEAD_MAX 32768
/* Room after the own protocol's boot information for its command line,
 * module table and module strings (bootinfo.h revision 2). */
#define BOOTINFO_TAIL_MAX 16384

struct boot_module {
	u64 base, length;
	const char *string; /* its path, then anything after it in the entry */
	const char *path;   /* the path alone, NUL-terminated */
};

struct boot_request {
	const struct boot_entry *entry;
	struct file kernel;
	u8 *head;     /* the kernel file's first head_len bytes */
	u32 head_len; /* min(PROTO_HEAD_MAX, file size) */
	struct bootinfo *bi; /* the firmware map and the quirk record */
	struct cpu_features *cpu;
	struct boot_module modules[BOOT_MODULES_MAX];
	u32 nmodules;
};

/* Never returns: boots r->entry or stops with a message. */
_Noreturn void boot(struct boot_request *r);

/* Pure: the protocol a kernel file asks for by its first len bytes (at
 * most PROTO_HEAD_MAX): a Multiboot2 header in the first 32 KiB, else a
 * Multiboot1 header in the first 8 KiB, else a bzImage setup header, else
 * an ELF file (the own protocol).  PROTO_AUTO when none: *why then says
 * what was seen (a header with a bad checksum, say); NULL otherwise. */
u32 proto_detect(const u8 *head, u32 len, const char **why);
const char *proto_name(u32 proto);

/* Helpers the protocols share. */

/* Claims the kernel's segments (page-rounded) where the ELF file asks,
 * stopping with a message naming the segment and what it overlaps. */
void boot_claim_kernel(const struct kernel_image *k);
/* Reads the segments from the kernel file and zeroes their .bss parts. */
void boot_load_segments(struct boot_request *r, const struct kernel_image *k);
/* Parses r->kernel as ELF (stops with the parser's message). */
void boot_parse_elf(struct boot_request *r, struct kernel_image *k);
/* Loads every module of the entry, page-aligned, each above the last,
 * starting above `above` (the kernel's end). */
void boot_load_modules(struct boot_request *r, u64 above);
/* A physical address of usable RAM below 4 GiB for the kernel's stack
 * (KERNEL_STACK_SIZE, claimed as loader memory); returns its top. */
u32 boot_alloc_stack(void);
/* Puts what the disk layer saw (retries, the transfer size, CHS) into the
 * quirk record, once every read is done. */
void boot_record_disk(struct bootinfo *bi);
/* Where a kernel that returns from its entry lands (a halt loop). */
u32 kernel_return_address(int long_mode);

_Noreturn void proto_own_boot(struct boot_request *r);
_Noreturn void proto_linux_boot(struct boot_request *r);

#endif
