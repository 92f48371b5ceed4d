/*
 * The Linux setup header and the zero page; see linux_header.h.  Every
 * field is read only after the checks that show it lies inside the part of
 * the file at hand and inside the header its protocol version promises.
 */
#include "proto/linux_header.h"
#include "e820.h"

#define KIB 1024u
#define MIB_1 0x100000ull
#define FOUR_GIB 0x100000000ull
#define PAGE 4096u
/* Kernels before 2.10 do not say how much room they need from where they
 * run; three times the compressed image is the usual estimate (GRUB's). */
#define INIT_SIZE_ESTIMATE 3

static const char *fail(u32 detail[2], u32 a, u32 b, const char *msg)
{
	detail[0] = a;
	detail[1] = b;
	return msg;
}

const char *linux_parse(const u8 *head, u32 len, u64 file_size, struct linux_kernel *k,
			u32 detail[2])
{
	const struct linux_setup_header *h = (const void *)(head + LINUX_SETUP_HEADER_OFF);

	__builtin_memset(k, 0, sizeof(*k));
	if (file_size >= FOUR_GIB)
		return fail(detail, (u32)(file_size >> 20), 0,
			    "the file is %u MiB: a kernel must fit below 4 GiB");
	u32 size = (u32)file_size;
	if (len > size)
		len = size;
	if (len < LINUX_HDR_END(version))
		return fail(detail, len, LINUX_HDR_END(version),
			    "truncated setup header: the file has %u bytes, a setup header needs "
			    "0x%x");
	if (h->boot_flag != LINUX_BOOT_FLAG)
		return fail(detail, h->boot_flag, 0,
			    "no Linux setup header: the boot flag is 0x%04x, not 0xaa55");
	if (h->header != LINUX_HEADER_MAGIC)
		return fail(detail, h->header, 0,
			    "no \"HdrS\" magic in the setup header (found 0x%08x): an old zImage "
			    "or not a Linux kernel");
	k->version = h->version;
	if (k->version < LINUX_PROTOCOL_MIN)
		return fail(detail, k->version >> 8, k->version & 0xff,
			    "boot protocol %u.%02u is too old: this loader boots 2.06 and later");

	/* The jump at 0x200 skips the header: its offset is the header's
	 * length past 0x202.  It must hold every field the version has. */
	k->header_end = LINUX_HEADER_OFF + head[LINUX_JUMP_OFF + 1];
	u32 need = k->version >= LINUX_PROTOCOL_2_10 ? LINUX_HDR_END(init_size)
						     : LINUX_HDR_END(cmdline_size);
	if (k->header_end < need)
		return fail(detail, k->header_end, need,
			    "truncated setup header: it ends at 0x%x, before the end of the "
			    "fields its protocol version has (0x%x)");
	if (k->header_end > LINUX_SETUP_HEADER_MAX_END)
		return fail(detail, k->header_end, LINUX_SETUP_HEADER_MAX_END,
			    "the setup header ends at 0x%x, past the room the zero page has for it "
			    "(0x%x)");
	if (k->header_end > len)
		return fail(detail, k->header_end, len,
			    "truncated setup header: it ends at 0x%x, the file has %u bytes");

	u32 sects = h->setup_sects ? h->setup_sects : LINUX_SETUP_SECTS_DEFAULT;
	k->pm_offset = (sects + 1) * LINUX_SECTOR_SIZE;
	if (k->pm_offset >= size)
		return fail(detail, k->pm_offset, size,
			    "truncated kernel: the setup code takes %u bytes, the file has %u");
	if (!(h->loadflags & LINUX_LOADED_HIGH))
		return fail(detail, h->loadflags, 0,
			    "not a bzImage (loadflags 0x%02x, LOADED_HIGH clear): zImage kernels "
			    "are not supported");
	u32 avail = size - k->pm_offset;
	if (!h->syssize || h->syssize > avail / LINUX_SYSSIZE_UNIT)
		return fail(detail, h->syssize, avail,
			    "syssize 0x%x (16-byte units) does not match the %u bytes after the "
			    "setup code");
	k->pm_size = h->syssize * LINUX_SYSSIZE_UNIT;

	k->relocatable = h->relocatable_kernel != 0;
	k->align = k->min_align = PAGE;
	if (k->relocatable) {
		u32 a = h->kernel_alignment;
		if (!a || (a & (a - 1)))
			return fail(detail, a, 0, "kernel_alignment 0x%x is not a power of two");
		k->align = k->min_align = a > PAGE ? a : PAGE;
		u32 m = k->version >= LINUX_PROTOCOL_2_10 ? h->min_alignment : 0;
		if (m) {
			if (m > 31 || (1u << m) > a)
				return fail(detail, m, a,
					    "min_alignment 2^%u is above kernel_alignment 0x%x");
			k->min_align = (1u << m) > PAGE ? 1u << m : PAGE;
		}
	}

	/* Where it runs: a relocatable kernel moves itself up to
	 * pref_address (LOAD_PHYSICAL_ADDR) when loaded below it, and runs
	 * where it was loaded (aligned up) otherwise; a fixed one always
	 * runs at pref_address. */
	u64 pref = MIB_1;
	if (k->version >= LINUX_PROTOCOL_2_10 && h->pref_address)
		pref = h->pref_address;
	if (pref < MIB_1)
		return fail(detail, (u32)pref, 0, "pref_address 0x%x is below 1 MiB");
	if (pref >= FOUR_GIB)
		return fail(detail, (u32)(pref >> 32), (u32)pref,
			    "pref_address 0x%x%08x is above 4 GiB");
	u64 init = k->version >= LINUX_PROTOCOL_2_10 ? h->init_size
						     : (u64)k->pm_size * INIT_SIZE_ESTIMATE;
	if (init < k->pm_size)
		init = k->pm_size;
	u64 at = (pref + k->align - 1) & ~(u64)(k->align - 1);
	if (at + init > FOUR_GIB)
		return fail(detail, (u32)init, (u32)pref,
			    "the kernel needs 0x%x bytes from 0x%x: more than there is below "
			    "4 GiB");
	k->pref_address = (u32)at;
	k->init_size = (u32)init;

	k->cmdline_size = h->cmdline_size;
	k->initrd_addr_max = h->initrd_addr_max;
	k->xloadflags = k->version >= LINUX_PROTOCOL_2_12 ? h->xloadflags : 0;
	return 0;
}

u32 linux_alt_mem_k(u32 low, u32 high)
{
	/* Linux's real-mode code: over 15 MiB between 1 and 16 MiB is bogus;
	 * exactly 15 MiB means memory goes on past 16 MiB; less means a hole
	 * (or nothing) at 15 MiB, and what lies above it is not counted. */
	if (low > E801_LOW_MAX_KIB)
		return 0;
	if (low == E801_LOW_MAX_KIB)
		return (high << 6) + low;
	return low;
}

void linux_zero_page(struct linux_boot_params *zp, const u8 *head, const struct linux_kernel *k,
		     const struct linux_placement *p, const struct bootinfo *bi)
{
	struct linux_setup_header *h = &zp->hdr;
	const struct bootinfo_quirks *q = &bi->quirks;

	__builtin_memset(zp, 0, sizeof(*zp));
	__builtin_memcpy(h, head + LINUX_SETUP_HEADER_OFF, k->header_end - LINUX_SETUP_HEADER_OFF);
	h->type_of_loader = LINUX_LOADER_UNDEFINED;
	h->loadflags |= LINUX_CAN_USE_HEAP;
	h->heap_end_ptr = LINUX_HEAP_END - LINUX_HEAP_END_PTR_BIAS;
	h->code32_start = p->load;
	h->cmd_line_ptr = p->cmdline;
	h->ramdisk_image = p->ramdisk_image;
	h->ramdisk_size = p->ramdisk_size;
	/* 2.10 made kernel_alignment writable: the alignment actually used. */
	if (k->relocatable && k->version >= LINUX_PROTOCOL_2_10)
		h->kernel_alignment = p->align;

	/* The memory map as Linux's own real-mode code would have read it:
	 * every E820 entry as the firmware returned it, in call order, up to
	 * the zero page's 128, zero-length and unknown types included (Linux
	 * sanitizes the table itself).  That code also throws the whole
	 * answer away when a later call comes back without 'SMAP'.  With no
	 * table, Linux sizes memory from alt_mem_k (E801) or ext_mem_k (88h),
	 * whichever is larger, which that code records as well. */
	if (bi->source == BOOTINFO_SOURCE_E820 && q->e820_end != E820_END_NO_SMAP) {
		u32 n = bi->raw_count < LINUX_E820_MAX ? bi->raw_count : LINUX_E820_MAX;
		for (u32 i = 0; i < n; i++)
			zp->e820_table[i] = (struct linux_e820_entry){
				bi->raw[i].base, bi->raw[i].length, bi->raw[i].type };
		zp->e820_entries = (u8)n;
	}
	zp->alt_mem_k = linux_alt_mem_k(q->e801_low_kib, q->e801_high_64k);
	zp->screen_info.ext_mem_k = (u16)q->ext88_kib;
}
