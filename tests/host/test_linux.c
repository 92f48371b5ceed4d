/*
 * The Linux boot protocol's pure half (stage2/proto/linux_header.c).
 *
 * Independence: the test writes its kernel headers and reads the zero page
 * through Linux's own definitions (<asm/bootparam.h> from linux-libc-dev:
 * struct setup_header, struct boot_params), never through the loader's
 * include/linux_boot.h, so a wrong offset there fails here.  Expected
 * messages and numbers are written out by hand.
 */
#include <asm/bootparam.h>
#include <stddef.h>
#include <stdlib.h>

#include "e820.h"
#include "proto/linux_header.h"
#include "testlib.h"

#define HDR_OFF offsetof(struct boot_params, hdr)
#define HEAD_BYTES 0x8000 /* what stage2 reads of a kernel before it looks */
#define SETUP_SECTS 30
#define PM_OFFSET ((SETUP_SECTS + 1) * 512)        /* 15872 */
#define PM_SIZE 0x800000u                          /* syssize 0x80000 */
#define TRAILER 1472                               /* a signature after the kernel */
#define FILE_SIZE (PM_OFFSET + PM_SIZE + TRAILER)  /* 8404352 */

static unsigned char file[HEAD_BYTES];
static u64 file_size;
static u32 head_len;

static struct setup_header *hdr(void)
{
	return (struct setup_header *)(file + HDR_OFF);
}

/* A header like Debian 12's kernel: protocol 2.15, relocatable, 64-bit. */
static void modern(void)
{
	struct setup_header *h = hdr();

	for (u32 i = 0; i < sizeof(file); i++)
		file[i] = (unsigned char)(i * 13 + 7); /* junk everywhere else */
	memset(h, 0, sizeof(*h));
	h->setup_sects = SETUP_SECTS;
	h->syssize = PM_SIZE / 16;
	h->vid_mode = 0xffff;
	h->boot_flag = 0xaa55;
	h->jump = 0x6aeb; /* jmp +0x6a: the header ends at 0x26c */
	h->header = 0x53726448;
	h->version = 0x020f;
	h->loadflags = LOADED_HIGH;
	h->code32_start = 0x100000;
	h->initrd_addr_max = 0x7fffffff;
	h->kernel_alignment = 0x200000;
	h->relocatable_kernel = 1;
	h->min_alignment = 21;
	h->xloadflags = 0x7f;
	h->cmdline_size = 2047;
	h->pref_address = 0x1000000;
	h->init_size = 0x3f98000;
	h->kernel_info_offset = 0x7d56fc;
	file_size = FILE_SIZE;
	head_len = HEAD_BYTES;
}

static const char *parse(struct linux_kernel *k, char *msg, size_t n)
{
	u32 d[2] = { 0xdead, 0xbeef };
	unsigned char *head = malloc(head_len ? head_len : 1);

	/* Exactly head_len bytes: AddressSanitizer catches any read past. */
	memcpy(head, file, head_len);
	const char *err = linux_parse(head, head_len, file_size, k, d);
	free(head);
	if (err)
		snprintf(msg, n, err, d[0], d[1]);
	return err;
}

struct refusal {
	const char *name;
	void (*mutate)(void);
	const char *msg;
};

static void m_short(void) { file_size = head_len = 0x207; }
static void m_flag(void) { hdr()->boot_flag = 0x1234; }
static void m_magic(void) { hdr()->header = 0x58726448; }
static void m_v205(void) { hdr()->version = 0x0205; }
static void m_end206(void) { hdr()->version = 0x0206; hdr()->jump = 0x30eb; }
static void m_end210(void) { hdr()->version = 0x020a; hdr()->jump = 0x5eeb; }
static void m_end_far(void) { hdr()->jump = 0xffeb; }
static void m_cut(void) { file_size = head_len = 0x250; }
static void m_setup(void) { file_size = PM_OFFSET; }
static void m_zimage(void) { hdr()->loadflags = 0; }
static void m_sys0(void) { hdr()->syssize = 0; }
static void m_sysbig(void) { hdr()->syssize = 0x80100; }
static void m_align3(void) { hdr()->kernel_alignment = 0x300000; }
static void m_align0(void) { hdr()->kernel_alignment = 0; }
static void m_minal(void) { hdr()->min_alignment = 22; }
static void m_pref_low(void) { hdr()->pref_address = 0x1000; }
static void m_pref_high(void) { hdr()->pref_address = 0x100000000ull; }
static void m_init(void) { hdr()->pref_address = 0xf0000000; hdr()->init_size = 0x20000000; }
static void m_init_top(void) { hdr()->pref_address = 0xfff00000; hdr()->init_size = 0; }
static void m_huge(void) { file_size = 5ull << 30; }

static const struct refusal refusals[] = {
	{ "refuse_file_shorter_than_header", m_short,
	  "truncated setup header: the file has 519 bytes, a setup header needs 0x208" },
	{ "refuse_bad_boot_flag", m_flag,
	  "no Linux setup header: the boot flag is 0x1234, not 0xaa55" },
	{ "refuse_no_hdrs_magic", m_magic,
	  "no \"HdrS\" magic in the setup header (found 0x58726448): an old zImage or not a "
	  "Linux kernel" },
	{ "refuse_protocol_2_05", m_v205,
	  "boot protocol 2.05 is too old: this loader boots 2.06 and later" },
	{ "refuse_2_06_header_without_cmdline_size", m_end206,
	  "truncated setup header: it ends at 0x232, before the end of the fields its protocol "
	  "version has (0x23c)" },
	{ "refuse_2_10_header_without_init_size", m_end210,
	  "truncated setup header: it ends at 0x260, before the end of the fields its protocol "
	  "version has (0x264)" },
	{ "refuse_header_past_zero_page_hole", m_end_far,
	  "the setup header ends at 0x301, past the room the zero page has for it (0x290)" },
	{ "refuse_header_cut_by_end_of_file", m_cut,
	  "truncated setup header: it ends at 0x26c, the file has 592 bytes" },
	{ "refuse_setup_code_fills_file", m_setup,
	  "truncated kernel: the setup code takes 15872 bytes, the file has 15872" },
	{ "refuse_zimage", m_zimage,
	  "not a bzImage (loadflags 0x00, LOADED_HIGH clear): zImage kernels are not supported" },
	{ "refuse_syssize_0", m_sys0,
	  "syssize 0x0 (16-byte units) does not match the 8390080 bytes after the setup code" },
	{ "refuse_syssize_past_end", m_sysbig,
	  "syssize 0x80100 (16-byte units) does not match the 8390080 bytes after the setup "
	  "code" },
	{ "refuse_alignment_not_power_of_two", m_align3,
	  "kernel_alignment 0x300000 is not a power of two" },
	{ "refuse_alignment_0", m_align0, "kernel_alignment 0x0 is not a power of two" },
	{ "refuse_min_alignment_above_alignment", m_minal,
	  "min_alignment 2^22 is above kernel_alignment 0x200000" },
	{ "refuse_pref_address_below_1m", m_pref_low, "pref_address 0x1000 is below 1 MiB" },
	{ "refuse_pref_address_above_4g", m_pref_high,
	  "pref_address 0x100000000 is above 4 GiB" },
	{ "refuse_init_size_past_4g", m_init,
	  "the kernel needs 0x20000000 bytes from 0xf0000000: more than there is below 4 GiB" },
	/* pref_address aligned up to 2 MiB would be 4 GiB itself. */
	{ "refuse_pref_address_aligning_past_4g", m_init_top,
	  "the kernel needs 0x800000 bytes from 0xfff00000: more than there is below 4 GiB" },
	{ "refuse_file_over_4g", m_huge, "the file is 5120 MiB: a kernel must fit below 4 GiB" },
};

static void test_refusals(void)
{
	for (size_t i = 0; i < sizeof(refusals) / sizeof(refusals[0]); i++) {
		struct linux_kernel k;
		char msg[300];

		t_begin(refusals[i].name);
		modern();
		refusals[i].mutate();
		if (!parse(&k, msg, sizeof(msg)))
			t_fail("accepted");
		else if (strcmp(msg, refusals[i].msg))
			t_fail("message '%s', want '%s'", msg, refusals[i].msg);
		t_end();
	}
}

struct want {
	u32 pm_offset, pm_size, pref, init, header_end, align, min_align;
	u32 cmdline_size, initrd_max;
	u16 version, xloadflags;
	u8 relocatable;
};

static void check_kernel(const struct linux_kernel *k, const struct want *w)
{
	CHECK_EQ_U64("pm_offset", k->pm_offset, w->pm_offset);
	CHECK_EQ_U64("pm_size", k->pm_size, w->pm_size);
	CHECK_EQ_U64("pref_address", k->pref_address, w->pref);
	CHECK_EQ_U64("init_size", k->init_size, w->init);
	CHECK_EQ_U64("header_end", k->header_end, w->header_end);
	CHECK_EQ_U64("align", k->align, w->align);
	CHECK_EQ_U64("min_align", k->min_align, w->min_align);
	CHECK_EQ_U64("cmdline_size", k->cmdline_size, w->cmdline_size);
	CHECK_EQ_U64("initrd_addr_max", k->initrd_addr_max, w->initrd_max);
	CHECK_EQ_U64("version", k->version, w->version);
	CHECK_EQ_U64("xloadflags", k->xloadflags, w->xloadflags);
	CHECK_EQ_U64("relocatable", k->relocatable, w->relocatable);
}

struct accept {
	const char *name;
	void (*mutate)(void);
	struct want w;
};

static void a_none(void) {}
static void a_sects0(void)
{
	hdr()->setup_sects = 0; /* 4: the protected-mode code at 5 * 512 */
}
static void a_v206(void)
{
	/* No 2.10 fields (pref_address, init_size, min_alignment) and no
	 * xloadflags (2.12), whatever the bytes there say. */
	hdr()->version = 0x0206;
	hdr()->jump = 0x3aeb;
}
static void a_minal(void)
{
	hdr()->kernel_alignment = 0x1000000;
}
static void a_unaligned_pref(void)
{
	hdr()->pref_address = 0x1100000;
}
static void a_fixed(void)
{
	hdr()->relocatable_kernel = 0;
	hdr()->kernel_alignment = 0x300000; /* not read for a fixed kernel */
	hdr()->pref_address = 0x100000;
}
static void a_small_align(void)
{
	hdr()->kernel_alignment = 0x200;
	hdr()->min_alignment = 0;
}
static void a_small_init(void)
{
	hdr()->init_size = 0x1000;
}
static void a_head_is_file(void)
{
	/* A file shorter than the 32 KiB head: the parser sees all of it. */
	hdr()->syssize = 0x100;
	file_size = head_len = PM_OFFSET + 0x1000;
}

#define W(...) { PM_OFFSET, PM_SIZE, 0x1000000, 0x3f98000, 0x26c, 0x200000, 0x200000, 2047, \
		 0x7fffffff, 0x20f, 0x7f, 1, __VA_ARGS__ }
static const struct accept accepts[] = {
	{ "accept_debian_like_2_15", a_none, W() },
	{ "accept_setup_sects_0_as_4", a_sects0,
	  { 2560, PM_SIZE, 0x1000000, 0x3f98000, 0x26c, 0x200000, 0x200000, 2047, 0x7fffffff,
	    0x20f, 0x7f, 1 } },
	/* Where it may run: 1 MiB (bzImages load high) aligned up to 2 MiB. */
	{ "accept_2_06_defaults", a_v206,
	  { PM_OFFSET, PM_SIZE, 0x200000, 3 * PM_SIZE, 0x23c, 0x200000, 0x200000, 2047,
	    0x7fffffff, 0x206, 0, 1 } },
	{ "accept_min_alignment_below_alignment", a_minal,
	  { PM_OFFSET, PM_SIZE, 0x1000000, 0x3f98000, 0x26c, 0x1000000, 0x200000, 2047,
	    0x7fffffff, 0x20f, 0x7f, 1 } },
	{ "accept_pref_address_aligned_up", a_unaligned_pref,
	  { PM_OFFSET, PM_SIZE, 0x1200000, 0x3f98000, 0x26c, 0x200000, 0x200000, 2047,
	    0x7fffffff, 0x20f, 0x7f, 1 } },
	{ "accept_fixed_kernel", a_fixed,
	  { PM_OFFSET, PM_SIZE, 0x100000, 0x3f98000, 0x26c, 0x1000, 0x1000, 2047, 0x7fffffff,
	    0x20f, 0x7f, 0 } },
	{ "accept_small_alignment_as_a_page", a_small_align,
	  { PM_OFFSET, PM_SIZE, 0x1000000, 0x3f98000, 0x26c, 0x1000, 0x1000, 2047, 0x7fffffff,
	    0x20f, 0x7f, 1 } },
	{ "accept_init_size_below_kernel_size", a_small_init,
	  { PM_OFFSET, PM_SIZE, 0x1000000, PM_SIZE, 0x26c, 0x200000, 0x200000, 2047, 0x7fffffff,
	    0x20f, 0x7f, 1 } },
	{ "accept_file_shorter_than_head", a_head_is_file,
	  { PM_OFFSET, 0x1000, 0x1000000, 0x3f98000, 0x26c, 0x200000, 0x200000, 2047,
	    0x7fffffff, 0x20f, 0x7f, 1 } },
};

static void test_accepts(void)
{
	for (size_t i = 0; i < sizeof(accepts) / sizeof(accepts[0]); i++) {
		struct linux_kernel k;
		char msg[300];

		t_begin(accepts[i].name);
		modern();
		accepts[i].mutate();
		if (parse(&k, msg, sizeof(msg)))
			t_fail("refused: %s", msg);
		else
			check_kernel(&k, &accepts[i].w);
		t_end();
	}
}

/* ---- the zero page ------------------------------------------------------ */

static struct bootinfo bi;
static struct boot_params zp;

/* 9 entries as a firmware might answer, a zero-length one and an unknown
 * type among them, ACPI 3.0 attributes and sizes varying. */
static const struct bootinfo_raw_entry raw9[] = {
	{ 0x0, 0x9fc00, 1, 1, 24, 0 },
	{ 0x9fc00, 0x400, 2, 1, 24, 0 },
	{ 0xf0000, 0x10000, 2, 0, 24, 0 },
	{ 0x100000, 0x7ee0000, 1, 1, 20, 0 },
	{ 0x7fe0000, 0, 1, 1, 24, 0 },
	{ 0x7fe0000, 0x20000, 3, 1, 24, 0 },
	{ 0xb0000000, 0x10000000, 0xb01dface, 1, 24, 0 },
	{ 0xfffc0000, 0x40000, 4, 1, 24, 0 },
	{ 0xfd00000000ull, 0x300000000ull, 2, 1, 24, 0 },
};

static void bi_e820(const struct bootinfo_raw_entry *raw, u32 n)
{
	memset(&bi, 0, sizeof(bi));
	bi.source = BOOTINFO_SOURCE_E820;
	bi.quirks.e820_end = E820_END_EBX_ZERO;
	for (u32 i = 0; i < n; i++)
		bi.raw[i] = raw[i];
	bi.raw_count = n;
}

static const struct linux_placement place = { 0x2000000, 0x100000, 0x61000, 0x7fdd000, 9908 };

static void build(void)
{
	struct linux_kernel k;
	char msg[300];
	unsigned char *head = malloc(head_len);

	if (parse(&k, msg, sizeof(msg))) {
		t_fail("refused: %s", msg);
		free(head);
		return;
	}
	memcpy(head, file, head_len);
	memset(&zp, 0xa5, sizeof(zp)); /* the builder must clear what it does not set */
	linux_zero_page((struct linux_boot_params *)&zp, head, &k, &place, &bi);
	free(head);
}

/* Bytes of the zero page that are not [lo, hi) ranges listed are zero. */
struct range {
	size_t lo, hi;
};

static void check_zero_outside(const struct range *keep, size_t n)
{
	const unsigned char *p = (const unsigned char *)&zp;
	u32 bad = 0;
	size_t first = 0;

	for (size_t i = 0; i < sizeof(zp); i++) {
		int kept = 0;
		for (size_t j = 0; j < n; j++)
			kept |= i >= keep[j].lo && i < keep[j].hi;
		if (!kept && p[i] && !bad++)
			first = i;
	}
	CHECK(!bad, "%u stray nonzero bytes in the zero page, the first at 0x%zx", bad, first);
}

/* The setup header in the zero page: the file's bytes up to the header's
 * end with the loader's fields written as the protocol says, zero after. */
static void check_header(size_t header_end, u32 want_align)
{
	struct setup_header want;
	const struct setup_header *got = &zp.hdr;
	size_t n = header_end - HDR_OFF;

	memset(&want, 0, sizeof(want));
	memcpy(&want, file + HDR_OFF, n < sizeof(want) ? n : sizeof(want));
	want.type_of_loader = 0xff;
	want.loadflags |= CAN_USE_HEAP;
	want.heap_end_ptr = 0xe000 - 0x200;
	want.code32_start = place.load;
	want.cmd_line_ptr = place.cmdline;
	want.ramdisk_image = place.ramdisk_image;
	want.ramdisk_size = place.ramdisk_size;
	want.kernel_alignment = want_align;
	CHECK(!memcmp(got, &want, n), "setup header differs from the file's with the loader's fields");
	CHECK_EQ_U64("type_of_loader", got->type_of_loader, 0xff);
	CHECK_EQ_U64("loadflags", got->loadflags, LOADED_HIGH | CAN_USE_HEAP);
	CHECK_EQ_U64("cmd_line_ptr", got->cmd_line_ptr, 0x61000);
	CHECK_EQ_U64("code32_start", got->code32_start, 0x2000000);
	CHECK_EQ_U64("ramdisk_image", got->ramdisk_image, 0x7fdd000);
	CHECK_EQ_U64("ramdisk_size", got->ramdisk_size, 9908);
	for (size_t i = header_end; i < offsetof(struct boot_params, edd_mbr_sig_buffer); i++)
		CHECK(!((unsigned char *)&zp)[i], "byte 0x%zx past the header's end is not zero", i);
	CHECK_EQ_U64("sentinel", zp.sentinel, 0);
}

static void check_table(const struct bootinfo_raw_entry *raw, u32 n)
{
	CHECK_EQ_U64("e820_entries", zp.e820_entries, n);
	for (u32 i = 0; i < n && i < E820_MAX_ENTRIES_ZEROPAGE; i++) {
		const struct boot_e820_entry *e = &zp.e820_table[i];
		if (e->addr != raw[i].base || e->size != raw[i].length || e->type != raw[i].type)
			t_fail("e820_table[%u] = %#llx+%#llx type %u, want %#llx+%#llx type %u", i,
			       (unsigned long long)e->addr, (unsigned long long)e->size, e->type,
			       (unsigned long long)raw[i].base, (unsigned long long)raw[i].length,
			       raw[i].type);
	}
}

#define ZP(f) offsetof(struct boot_params, f)
#define ZP_END(f) (ZP(f) + sizeof(((struct boot_params *)0)->f))

static void test_zero_page(void)
{
	static struct bootinfo_raw_entry many[BOOTINFO_RAW_MAX];

	t_begin("zero_page_e820_as_the_firmware_answered");
	modern();
	bi_e820(raw9, 9);
	bi.quirks.e801_low_kib = 15360;
	bi.quirks.e801_high_64k = 1918;
	build();
	check_header(0x26c, 0x100000);
	check_table(raw9, 9);
	/* Linux's real-mode code: 15 MiB below 16 MiB, so the 64 KiB blocks
	 * above count: 1918 * 64 + 15360. */
	CHECK_EQ_U64("alt_mem_k", zp.alt_mem_k, 138112);
	CHECK_EQ_U64("ext_mem_k", zp.screen_info.ext_mem_k, 0);
	{
		const struct range keep[] = {
			{ ZP(hdr), 0x26c },
			{ ZP(e820_entries), ZP_END(e820_entries) },
			{ ZP(alt_mem_k), ZP_END(alt_mem_k) },
			{ ZP(e820_table), ZP(e820_table) + 9 * sizeof(struct boot_e820_entry) },
		};
		check_zero_outside(keep, sizeof(keep) / sizeof(keep[0]));
	}
	t_end();

	t_begin("zero_page_e820_full_table");
	modern();
	for (u32 i = 0; i < BOOTINFO_RAW_MAX; i++)
		many[i] = (struct bootinfo_raw_entry){ (u64)i << 20, 1 << 20, 1 + i % 5, 1, 24, 0 };
	bi_e820(many, BOOTINFO_RAW_MAX);
	bi.quirks.raw_overflow = 7; /* more came than were kept: so it does in Linux */
	build();
	check_table(many, E820_MAX_ENTRIES_ZEROPAGE);
	t_end();

	t_begin("zero_page_e820_dropped_when_smap_went_missing");
	modern();
	bi_e820(raw9, 5);
	bi.quirks.e820_end = E820_END_NO_SMAP;
	bi.quirks.e801_low_kib = 15360;
	bi.quirks.e801_high_64k = 100;
	build();
	CHECK_EQ_U64("e820_entries", zp.e820_entries, 0);
	CHECK_EQ_U64("alt_mem_k", zp.alt_mem_k, 21760);
	t_end();

	static const struct {
		const char *name;
		u32 source, low, high, ext88, alt, ext;
	} fallbacks[] = {
		/* E801 with memory past 16 MiB: 64 KiB blocks count. */
		{ "zero_page_e801_past_16m", BOOTINFO_SOURCE_E801, 15360, 2000, 0, 143360, 0 },
		/* A hole at 15 MiB: Linux counts only what lies below it. */
		{ "zero_page_e801_isa_hole", BOOTINFO_SOURCE_E801, 14336, 100, 0, 14336, 0 },
		/* Over 15 MiB below 16 MiB is bogus: Linux records nothing. */
		{ "zero_page_e801_bogus", BOOTINFO_SOURCE_88, 15361, 100, 15360, 0, 15360 },
		{ "zero_page_88_only", BOOTINFO_SOURCE_88, 0, 0, 64512, 0, 64512 },
	};
	for (size_t i = 0; i < sizeof(fallbacks) / sizeof(fallbacks[0]); i++) {
		t_begin(fallbacks[i].name);
		modern();
		bi_e820(raw9, 4); /* the synthesized map: never handed over */
		bi.source = fallbacks[i].source;
		bi.quirks.e820_end = E820_END_NONE;
		bi.quirks.e801_low_kib = fallbacks[i].low;
		bi.quirks.e801_high_64k = fallbacks[i].high;
		bi.quirks.ext88_kib = fallbacks[i].ext88;
		build();
		check_header(0x26c, 0x100000);
		CHECK_EQ_U64("e820_entries", zp.e820_entries, 0);
		CHECK_EQ_U64("alt_mem_k", zp.alt_mem_k, fallbacks[i].alt);
		CHECK_EQ_U64("ext_mem_k", zp.screen_info.ext_mem_k, fallbacks[i].ext);
		const struct range keep[] = {
			{ ZP(hdr), 0x26c },
			{ ZP(alt_mem_k), ZP_END(alt_mem_k) },
			{ ZP(screen_info), ZP_END(screen_info) },
		};
		check_zero_outside(keep, sizeof(keep) / sizeof(keep[0]));
		t_end();
	}

	t_begin("zero_page_2_06_keeps_kernel_alignment");
	modern();
	hdr()->version = 0x0206;
	hdr()->jump = 0x3aeb;
	bi_e820(raw9, 9);
	build();
	/* kernel_alignment is writable from 2.10 only; bytes past 0x23c
	 * (junk in the file) are not copied. */
	check_header(0x23c, 0x200000);
	check_table(raw9, 9);
	t_end();
}

int main(void)
{
	test_refusals();
	test_accepts();
	test_zero_page();
	return t_exit_status();
}
