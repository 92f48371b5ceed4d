/*
 * The protocol layer's entry and the steps every protocol shares; see
 * boot.h.
 */
#include "boot.h"
#include "console.h"
#include "handoff.h"
#include "ext.h"
#include "head.h"
#include "inflate.h"
#include "io.h"
#include "layout.h"
#include "paging.h"
#include "physmem.h"
#include "proto/mb.h"
#include "volume.h"

static u64 page_down(u64 a)
{
	return a & ~(u64)(PAGE_SIZE - 1);
}

static u64 page_up(u64 a)
{
	return page_down(a + PAGE_SIZE - 1);
}

struct head_ctx {
	struct boot_request *r;
};

/* ELF headers: from the kernel's head where they lie there (the usual
 * case; file_read copies them), else from the file. */
static int read_kernel(void *ctx, u64 off, void *dst, u32 len)
{
	struct boot_request *r = ((struct head_ctx *)ctx)->r;

	if (off > r->kernel.size || len > r->kernel.size - off)
		return -1;
	file_read(&r->kernel, off, len, dst);
	return 0;
}

void boot_parse_elf(struct boot_request *r, struct kernel_image *k)
{
	struct head_ctx ctx = { r };
	u64 detail;
	const char *err = elf_parse(read_kernel, &ctx, r->kernel.size, k, &detail);

	if (err)
		die("%s: %s (%llu)", r->kernel.name, err, detail);
}

void boot_claim_kernel(const struct kernel_image *k)
{
	static const char *const what = "the kernel";
	u64 b[KERNEL_SEGMENTS_MAX], e[KERNEL_SEGMENTS_MAX];
	u32 n = 0;

	/* Each segment's pages must be free; segments that share a page are
	 * claimed together. */
	for (u32 i = 0; i < k->nseg; i++) {
		u64 sb = page_down(k->seg[i].paddr), se = page_up(k->seg[i].paddr + k->seg[i].memsz);
		const char *err = physmem_check(sb, se - sb);
		if (err)
			die("kernel segment %u (0x%llx-0x%llx) %s", i, k->seg[i].paddr,
			    k->seg[i].paddr + k->seg[i].memsz, err);
		u32 j = 0;
		while (j < n && (se < b[j] || sb > e[j]))
			j++;
		if (j < n) {
			b[j] = sb < b[j] ? sb : b[j];
			e[j] = se > e[j] ? se : e[j];
		} else {
			b[n] = sb;
			e[n++] = se;
		}
	}
	for (u32 j = 0; j < n; j++) {
		const char *err = physmem_claim(b[j], e[j] - b[j], CLAIM_KERNEL, what);
		if (err)
			die("kernel segments 0x%llx-0x%llx %s", b[j], e[j], err);
	}
}

void boot_load_segments(struct boot_request *r, const struct kernel_image *k)
{
	for (u32 i = 0; i < k->nseg; i++) {
		const struct kernel_segment *s = &k->seg[i];
		file_read(&r->kernel, s->offset, (u32)s->filesz, phys(s->paddr));
		if (s->memsz > s->filesz)
			memset(phys(s->paddr + s->filesz), 0, (u32)(s->memsz - s->filesz));
	}
}

/* 1 when a file of size bytes starting with m[0..2] is a gzip member (RFC
 * 1952: 1F 8B, method 8). */
static int gzip_magic(const u8 *m, u64 size)
{
	return size >= 18 /* a header and a trailer */ && m[0] == 0x1f && m[1] == 0x8b &&
	       m[2] == 8;
}

static int is_gzip(struct file *f)
{
	u8 m[3];

	if (f->size < sizeof(m))
		return 0;
	file_read(f, 0, sizeof(m), m);
	return gzip_magic(m, f->size);
}

/* The size a gzip file inflates to (its trailer's ISIZE), checked against
 * what can be addressed. */
static u32 gzip_size(struct file *f)
{
	u32 isize;

	file_read(f, f->size - 4, 4, &isize);
	if (!isize)
		die("%s: a gzip file whose trailer says it inflates to 0 bytes", f->name);
	return isize;
}

/* Inflates gzip file f into out[0..cap); its compressed bytes go through a
 * temporary claim below 4 GiB, as high as possible (clear of where kernels
 * ask to be loaded). */
static void gunzip_file(struct file *f, u8 *out, u32 cap)
{
	u32 size = (u32)f->size, n;
	u64 in = physmem_alloc(size, PAGE_SIZE, MIB_1, FOUR_GIB, 1, CLAIM_TEMP, "a gzip file");

	ext_require("a gzip-compressed file", EXT_COMMON);
	if (!in)
		die("%s: no room below 4 GiB for its %u compressed bytes", f->name, size);
	file_read(f, 0, size, phys(in));
	const char *err = gunzip(phys(in), size, out, cap, &n);
	if (err)
		die("%s: %s", f->name, err);
	print("stage2: %s: gunzip %u bytes to %u\n", f->name, size, n);
}

void boot_load_modules(struct boot_request *r, u64 above)
{
	const struct boot_entry *e = r->entry;
	u64 next = above > MIB_1 ? above : MIB_1;

	for (u32 i = 0; i < e->nmodules; i++) {
		struct boot_module *m = &r->modules[i];
		const char *s = e->modules[i];
		static struct file f;
		u32 n = 0;

		while (s[n] && s[n] != ' ' && s[n] != '\t')
			n++;
		char *path = heap_alloc(n + 1);
		memcpy(path, s, n);
		path[n] = 0;
		const char *err = volume_open(path, &f);
		if (err)
			die("%s line %u: module %s: %s", LOADER_CFG_PATH, e->module_line[i], path, err);
		int gz = is_gzip(&f);
		u64 size = gz ? gzip_size(&f) : f.size;
		u64 at = physmem_alloc(size, PAGE_SIZE, next, FOUR_GIB, 0, CLAIM_MODULE, path);
		if (!at)
			die("module %s (%llu bytes) does not fit in the RAM below 4 GiB above the "
			    "kernel and the modules before it",
			    path, size);
		if (gz)
			gunzip_file(&f, phys(at), (u32)size);
		else
			file_read(&f, 0, (u32)size, phys(at));
		*m = (struct boot_module){ .base = at, .length = size, .string = s, .path = path };
		print("stage2: module %s: %llu bytes at 0x%llx\n", path, size, at);
		next = at + size;
	}
	r->nmodules = e->nmodules;
}

u32 boot_alloc_stack(void)
{
	u64 at = physmem_alloc(KERNEL_STACK_SIZE, PAGE_SIZE, LOADER_LOW_END, FOUR_GIB, 0,
			       CLAIM_LOADER, "the boot stack");
	if (!at)
		die("no room below 4 GiB for the kernel's %u KiB stack", KERNEL_STACK_SIZE / 1024);
	return (u32)at + KERNEL_STACK_SIZE;
}

void boot_record_disk(struct bootinfo *bi)
{
	bi->quirks.disk_retries += boot_disk.retries;
	bi->quirks.disk_xfer_max = boot_disk.xfer_max;
	if (boot_disk.retries)
		bi->quirks.flags |= QUIRK_DISK_RETRY;
	if (boot_disk.use_chs)
		bi->quirks.flags |= QUIRK_DISK_CHS;
}

u32 kernel_return_address(int long_mode)
{
	extern char kernel_halt32[], kernel_halt64[];

	return STAGE2_CODE_BASE + (u32)(uintptr_t)(long_mode ? kernel_halt64 : kernel_halt32);
}

/* The kernel's first bytes, which every protocol's detection looks at;
 * later reads of them (ELF headers, a first segment) copy them from there
 * instead of going back to the disk. */
static void read_head(struct boot_request *r)
{
	r->head_len = r->kernel.size < PROTO_HEAD_MAX ? (u32)r->kernel.size : PROTO_HEAD_MAX;
	if (!r->head_len)
		die("%s is empty", r->kernel.name);
	file_read(&r->kernel, 0, r->head_len, r->head);
	r->kernel.prefix = r->head;
	r->kernel.prefix_len = r->head_len;
}

_Noreturn void boot(struct boot_request *r)
{
	const struct boot_entry *e = r->entry;
	const char *why;
	u32 proto;

	read_head(r);
	if (gzip_magic(r->head, r->kernel.size)) {
		/* Inflated whole into a temporary claim, high, then read from
		 * memory like any file. */
		u32 size = gzip_size(&r->kernel);
		u64 at = physmem_alloc(size, PAGE_SIZE, MIB_1, FOUR_GIB, 1, CLAIM_TEMP,
				       "the inflated kernel");
		if (!at)
			die("%s: no room below 4 GiB to inflate it to %u bytes", r->kernel.name, size);
		gunzip_file(&r->kernel, phys(at), size);
		r->kernel = (struct file){ .name = r->kernel.name, .size = size, .kind = FILE_MEM,
					   .mem = phys(at) };
		read_head(r);
	}
	proto = proto_detect(r->head, r->head_len, &why);
	if (e->protocol != PROTO_AUTO) {
		if (proto != e->protocol && proto != PROTO_AUTO)
			print("stage2: %s looks like a %s kernel; booting it as %s, as configured\n",
			      r->kernel.name, proto_name(proto), proto_name(e->protocol));
		proto = e->protocol;
	}
	switch (proto) {
	case PROTO_OWN:
		proto_own_boot(r);
	case PROTO_LINUX:
		ext_require("the Linux boot protocol", EXT_LINUX);
		proto_linux_boot(r);
	case PROTO_MULTIBOOT1:
		ext_require("a Multiboot1 kernel", EXT_MULTIBOOT);
		proto_multiboot1_boot(r);
	case PROTO_MULTIBOOT2:
		ext_require("a Multiboot2 kernel", EXT_MULTIBOOT);
		proto_multiboot2_boot(r);
	case PROTO_AUTO:
		die("%s: cannot tell how to boot it: %s", r->kernel.name, why);
	default:
		die("%s: the %s protocol is not supported by this loader yet", r->kernel.name,
		    proto_name(proto));
	}
}
