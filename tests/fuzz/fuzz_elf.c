/*
 * libFuzzer harness for the kernel ELF checks (stage2/elfload.c): any file
 * must either be rejected with a message or yield segments that are safe to
 * copy: inside the file, p_filesz <= p_memsz, below 4 GiB, no wrap, the entry
 * inside a loaded segment (its physical range for ELF32, whose entry the
 * loader translates; its virtual range for ELF64, which runs mapped).  Part of the file may be "out of reach" (stage2
 * only has the first chunk in its bounce buffer); the harness models that.
 */
#include <stdint.h>
#include <string.h>

#include "elfload.h"

struct file {
	const uint8_t *data;
	size_t size;  /* what the file claims to be */
	size_t avail; /* what the reader can reach */
};

static int read_file(void *ctx, u64 off, void *dst, u32 len)
{
	const struct file *f = ctx;

	if (off > f->avail || len > f->avail - off)
		return -1;
	memcpy(dst, f->data + off, len);
	return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct kernel_image k;
	struct file f = { data, size, size };
	u64 detail;

	if (size && data[size - 1] & 1) /* sometimes only part of it is readable */
		f.avail = size / 2;
	const char *err = elf_parse(read_file, &f, f.size, &k, &detail);
	if (err) {
		if (!*err)
			__builtin_trap();
		return 0;
	}
	if (!k.nseg || k.nseg > KERNEL_SEGMENTS_MAX)
		__builtin_trap();
	int entry_ok = 0;
	for (u32 i = 0; i < k.nseg; i++) {
		const struct kernel_segment *s = &k.seg[i];
		if (s->filesz > s->memsz || s->offset > f.size || s->filesz > f.size - s->offset)
			__builtin_trap();
		if (s->paddr + s->memsz < s->paddr || s->paddr + s->memsz > 0x100000000ull)
			__builtin_trap();
		if (s->paddr < k.lo || s->paddr + s->memsz > k.hi)
			__builtin_trap();
		u64 at = k.is64 ? s->vaddr : s->paddr;
		if (s->vaddr + s->memsz < s->vaddr)
			__builtin_trap();
		if (k.entry >= at && k.entry - at < s->memsz)
			entry_ok = 1;
	}
	if (!entry_ok)
		__builtin_trap();
	return 0;
}
