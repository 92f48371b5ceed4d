/*
 * Host tests of Multiboot1 and Multiboot2's pure halves (stage2/proto/
 * mb1_header.c, mb2_header.c, mb_common.c, mb1_info.c, mb2_info.c).
 *
 * Inputs are built here byte by byte from the specifications' layouts (a
 * header is its magic, fields and a checksum that makes them sum to 0; a tag
 * is type, flags, size and fields), and the information structures the
 * builders produce are read back by a reader written here with the
 * specifications' offsets as plain numbers, not through include/multiboot*.h.
 * Every refusal is checked by its exact message.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "proto/mb.h"
#include "testlib.h"

static _Alignas(8) uint8_t file[40000];

static void put16(uint8_t *p, uint32_t v)
{
	p[0] = (uint8_t)v;
	p[1] = (uint8_t)(v >> 8);
}

static void put32(uint8_t *p, uint32_t v)
{
	for (int i = 0; i < 4; i++)
		p[i] = (uint8_t)(v >> (8 * i));
}

static void put64(uint8_t *p, uint64_t v)
{
	put32(p, (uint32_t)v);
	put32(p + 4, (uint32_t)(v >> 32));
}

static uint32_t get32(const uint8_t *p)
{
	return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
}

static uint64_t get64(const uint8_t *p)
{
	return get32(p) | (uint64_t)get32(p + 4) << 32;
}

static void clear(void)
{
	memset(file, 0, sizeof(file));
}

/* The message as stage2 prints it: the format with the value and the name. */
static const char *render(const char *fmt, const struct mb_error *e)
{
	static char buf[400];

	if (!fmt)
		return "(accepted)";
	snprintf(buf, sizeof(buf), fmt, e->value, e->name);
	return buf;
}

static void expect_msg(const char *got_fmt, const struct mb_error *e, const char *want)
{
	const char *got = render(got_fmt, e);

	if (!want && got_fmt)
		t_fail("refused: %s", got);
	else if (want && strcmp(got, want))
		t_fail("message \"%s\", want \"%s\"", got, want);
}

/* --- Multiboot1 header -------------------------------------------------- */

/* magic 0x1BADB002, flags, checksum, then the 8 optional fields. */
static void mb1_at(uint32_t off, uint32_t flags, const uint32_t *fields, int nfields, int good)
{
	put32(file + off, 0x1BADB002);
	put32(file + off + 4, flags);
	put32(file + off + 8, (uint32_t)-(0x1BADB002u + flags) + (good ? 0 : 7));
	for (int i = 0; i < nfields; i++)
		put32(file + off + 12 + 4 * i, fields[i]);
}

static void mb1_case(const char *name, uint32_t len, uint64_t size, uint32_t caps,
		     const char *want, struct mb1_header_info *h)
{
	struct mb1_header_info scratch;
	struct mb_error e;

	if (!h)
		h = &scratch;
	t_begin(name);
	expect_msg(mb1_parse_header(file, len, size, caps, h, &e), &e, want);
}

static void test_mb1_header(void)
{
	struct mb1_header_info h;
	static const uint32_t aout[5] = { 0x100040, 0x100000, 0x101000, 0x102000, 0x100060 };
	static const uint32_t video[8] = { 0, 0, 0, 0, 0, 1, 80, 25 };

	clear();
	mb1_case("mb1_none", 8192, 8192, 0, "no Multiboot1 header (magic 0x1BADB002 with its "
		 "checksum, 4-byte aligned) in the file's first 8192 bytes", 0);
	t_end();

	clear();
	mb1_at(0x40, 3, 0, 0, 0);
	mb1_case("mb1_bad_checksum", 8192, 8192, 0, "the Multiboot1 header at offset 0x40 has a "
		 "bad checksum (magic + flags + checksum is not 0)", 0);
	t_end();

	/* A bad one first, a good one later: the good one is the header. */
	mb1_at(0x80, 3, 0, 0, 1);
	mb1_case("mb1_good_after_bad", 8192, 8192, 0, 0, &h);
	CHECK(h.offset == 0x80 && h.flags == 3, "offset 0x%x flags 0x%x", h.offset, h.flags);
	t_end();

	/* 4-byte alignment: a header at offset 2 is no header. */
	clear();
	mb1_at(2, 0, 0, 0, 1);
	mb1_case("mb1_misaligned", 8192, 8192, 0, "no Multiboot1 header (magic 0x1BADB002 with "
		 "its checksum, 4-byte aligned) in the file's first 8192 bytes", 0);
	t_end();

	/* The search window: the last place is 8192 - 12. */
	clear();
	mb1_at(8180, 0, 0, 0, 1);
	mb1_case("mb1_last_place", 16384, 16384, 0, 0, &h);
	CHECK(h.offset == 8180, "offset 0x%x", h.offset);
	t_end();
	clear();
	mb1_at(8184, 0, 0, 0, 1);
	mb1_case("mb1_past_window", 16384, 16384, 0, "no Multiboot1 header (magic 0x1BADB002 with "
		 "its checksum, 4-byte aligned) in the file's first 8192 bytes", 0);
	t_end();

	/* Flag 16 makes the header 32 bytes: at 8172 it crosses 8192. */
	clear();
	mb1_at(8172, 0x10000, aout, 5, 1);
	mb1_case("mb1_aout_past_window", 16384, 16384, 0, "the Multiboot1 header (32 bytes, as its "
		 "flags make it) runs past the file's first 8192 bytes", 0);
	t_end();

	clear();
	mb1_at(0x100, 0x10000, aout, 5, 1);
	mb1_case("mb1_cut_short", 0x110, 0x110, 0, "the Multiboot1 header is cut short by the end "
		 "of the file (its flags make it 32 bytes)", 0);
	t_end();
	mb1_at(0x100, 0x4, video, 8, 1);
	mb1_case("mb1_video_cut_short", 0x12c, 0x12c, MB_CAP_VIDEO, "the Multiboot1 header is cut "
		 "short by the end of the file (its flags make it 48 bytes)", 0);
	t_end();

	clear();
	mb1_at(0, 0x10003, aout, 5, 1);
	mb1_case("mb1_aout_fields", 8192, 8192, 0, 0, &h);
	CHECK(h.addr.header_addr == 0x100040 && h.addr.load_addr == 0x100000 &&
		      h.addr.load_end_addr == 0x101000 && h.addr.bss_end_addr == 0x102000 &&
		      h.addr.entry_addr == 0x100060,
	      "fields %x %x %x %x %x", h.addr.header_addr, h.addr.load_addr, h.addr.load_end_addr,
	      h.addr.bss_end_addr, h.addr.entry_addr);
	t_end();

	static const struct {
		uint32_t flags;
		const char *want;
	} flag_cases[] = {
		{ 0x8, "the Multiboot1 header requires flag bit 3, which Multiboot 0.6.96 does not "
		       "define: no loader can honour it" },
		{ 0x8003, "the Multiboot1 header requires flag bit 15, which Multiboot 0.6.96 does not "
			  "define: no loader can honour it" },
		{ 0x30, "the Multiboot1 header requires flag bit 4, which Multiboot 0.6.96 does not "
			"define: no loader can honour it" },
		{ 0xfffe0003, 0 }, /* bits 17-31: optional, ignored */
		{ 0x7, "the Multiboot1 header requires a video mode (flag bit 2, mode_type 1): this "
		       "loader does not set video modes yet" },
	};
	for (unsigned i = 0; i < sizeof(flag_cases) / sizeof(flag_cases[0]); i++) {
		char name[40];
		clear();
		mb1_at(0, flag_cases[i].flags, video, 8, 1);
		snprintf(name, sizeof(name), "mb1_flags_%x", flag_cases[i].flags);
		mb1_case(name, 8192, 8192, 0, flag_cases[i].want, 0);
		t_end();
	}

	/* The video hook: with MB_CAP_VIDEO the request is parsed and kept. */
	static const uint32_t gfx[8] = { 0, 0, 0, 0, 0, 0, 1024, 768 };
	clear();
	mb1_at(0, 0x4, gfx, 8, 1);
	put32(file + 44, 32);
	mb1_case("mb1_video_with_cap", 8192, 8192, MB_CAP_VIDEO, 0, &h);
	CHECK(h.video.present && h.video.required && h.video.mode_type == 0 &&
		      h.video.width == 1024 && h.video.height == 768 && h.video.depth == 32,
	      "video %u %u %ux%ux%u", h.video.present, h.video.mode_type, h.video.width,
	      h.video.height, h.video.depth);
	t_end();
	mb1_case("mb1_graphics_refused", 8192, 8192, 0, "the Multiboot1 header requires a video "
		 "mode (flag bit 2, mode_type 0): this loader does not set video modes yet", 0);
	t_end();
}

/* --- the address fields ------------------------------------------------- */

static void addr_case(const char *name, struct mb_address a, uint32_t hoff, uint32_t hsize,
		      uint64_t fsize, int mb2, const char *want, const struct mb_layout *exp)
{
	struct mb_layout l = { 0 };
	struct mb_error e;

	t_begin(name);
	expect_msg(mb_address_layout(&a, hoff, hsize, fsize, mb2, &l, &e), &e, want);
	if (exp)
		CHECK(l.file_offset == exp->file_offset && l.load_addr == exp->load_addr &&
			      l.load_size == exp->load_size && l.mem_size == exp->mem_size,
		      "layout off 0x%x load 0x%x size 0x%x mem 0x%x", l.file_offset, l.load_addr,
		      l.load_size, l.mem_size);
	t_end();
}

static void test_address_fields(void)
{
	/* The header 0x40 into the file, the file loaded from its first byte
	 * at 1 MiB. */
	struct mb_address a = { 0x100040, 0x100000, 0x101000, 0x102000, 0x100080 };
	addr_case("addr_whole", a, 0x40, 32, 0x1000, 0, 0,
		  &(struct mb_layout){ 0, 0x100000, 0x1000, 0x2000 });
	a.load_end_addr = 0;
	addr_case("addr_load_end_0", a, 0x40, 32, 0x1800, 0, 0,
		  &(struct mb_layout){ 0, 0x100000, 0x1800, 0x2000 });
	a.bss_end_addr = 0;
	addr_case("addr_no_bss", a, 0x40, 32, 0x1800, 0, 0,
		  &(struct mb_layout){ 0, 0x100000, 0x1800, 0x1800 });
	/* A file with a 0x200-byte preamble before the loaded part. */
	a = (struct mb_address){ 0x200010, 0x200000, 0x200800, 0, 0x200020 };
	addr_case("addr_preamble", a, 0x210, 32, 0x1000, 0, 0,
		  &(struct mb_layout){ 0x200, 0x200000, 0x800, 0x800 });

	a = (struct mb_address){ 0x100000, 0x100010, 0, 0, 0x100020 };
	addr_case("addr_load_above_header", a, 0, 32, 0x1000, 0,
		  "load_addr 0x100010 lies above header_addr", 0);
	a = (struct mb_address){ 0x100100, 0x100000, 0, 0, 0x100120 };
	addr_case("addr_before_file", a, 0x40, 32, 0x1000, 0,
		  "header_addr - load_addr is 0x100, more than the header's offset in the file: "
		  "loading would start before the file's first byte", 0);
	a = (struct mb_address){ 0x100000, 0x100000, 0xfffff, 0, 0x100000 };
	addr_case("addr_end_below_load", a, 0, 32, 0x1000, 0,
		  "load_end_addr 0xfffff lies below load_addr", 0);
	a = (struct mb_address){ 0x100000, 0x100000, 0x101001, 0, 0x100000 };
	addr_case("addr_end_past_file", a, 0, 32, 0x1000, 0,
		  "load_end_addr 0x101001 reaches past the end of the file", 0);
	a = (struct mb_address){ 0x100000, 0x100000, 0x100010, 0, 0x100000 };
	addr_case("addr_header_not_loaded", a, 0, 32, 0x1000, 0,
		  "the loaded part ends at 0x100010, before the header does", 0);
	a = (struct mb_address){ 0x100000, 0x100000, 0x101000, 0x100800, 0x100000 };
	addr_case("addr_bss_below_end", a, 0, 32, 0x1000, 0,
		  "bss_end_addr 0x100800 lies below the end of the loaded part", 0);
	a = (struct mb_address){ 0x100000, 0x100000, 0x101000, 0, 0x101000 };
	addr_case("addr_entry_outside", a, 0, 32, 0x1000, 0,
		  "entry_addr 0x101000 lies outside the part loaded from the file", 0);
	a = (struct mb_address){ 0x100000, 0x100000, 0x101000, 0, 0xfffff };
	addr_case("addr_entry_below", a, 0, 32, 0x1000, 0,
		  "entry_addr 0xfffff lies outside the part loaded from the file", 0);
	a = (struct mb_address){ 0xfffff000, 0xfffff000, 0, 0, 0xfffff000 };
	addr_case("addr_past_4g", a, 0, 32, 0x2000, 0,
		  "the image (0x2000 bytes from the file) reaches past 4 GiB", 0);
	addr_case("addr_to_4g", a, 0, 32, 0x1000, 0, 0,
		  &(struct mb_layout){ 0, 0xfffff000, 0x1000, 0x1000 });
	/* A file over 4 GiB long counts as 4 GiB. */
	a = (struct mb_address){ 0x100000, 0x100000, 0x101000, 0, 0x100000 };
	addr_case("addr_huge_file", a, 0, 32, 0x500000000ull, 0, 0,
		  &(struct mb_layout){ 0, 0x100000, 0x1000, 0x1000 });

	/* Multiboot2's load_addr 0xFFFFFFFF: the file from its first byte. */
	a = (struct mb_address){ 0x100040, 0xffffffff, 0, 0, 0x100080 };
	addr_case("addr_mb2_from_start", a, 0x40, 24, 0x1000, 1, 0,
		  &(struct mb_layout){ 0, 0x100000, 0x1000, 0x1000 });
	a = (struct mb_address){ 0x20, 0xffffffff, 0, 0, 0x20 };
	addr_case("addr_mb2_below_0", a, 0x40, 24, 0x1000, 1,
		  "header_addr 0x20 is less than the header's offset in the file, so the file's "
		  "first byte (load_addr 0xFFFFFFFF) would go below 0", 0);
	/* Multiboot1 has no such special value. */
	a = (struct mb_address){ 0x100040, 0xffffffff, 0, 0, 0x100080 };
	addr_case("addr_mb1_no_special", a, 0x40, 32, 0x1000, 0,
		  "load_addr 0xffffffff lies above header_addr", 0);
}

/* --- Multiboot2 header -------------------------------------------------- */

/* The header being built at hoff: fixed part, then tags appended. */
static uint32_t hoff, hlen;

static void mb2_begin(uint32_t off)
{
	clear();
	hoff = off;
	hlen = 16;
}

static uint8_t *mb2_tag(uint32_t type, uint32_t flags, uint32_t size)
{
	uint8_t *t = file + hoff + hlen;

	put16(t, type);
	put16(t + 2, flags);
	put32(t + 4, size);
	hlen += (size + 7) & ~7u;
	return t;
}

/* Closes with an end tag (unless end is 0) and the checksum. */
static void mb2_end(int end, uint32_t length_delta, uint32_t arch, int good)
{
	if (end)
		mb2_tag(0, 0, 8);
	uint32_t len = hlen + length_delta;
	put32(file + hoff, 0xE85250D6);
	put32(file + hoff + 4, arch);
	put32(file + hoff + 8, len);
	put32(file + hoff + 12, (uint32_t)-(0xE85250D6u + arch + len) + (good ? 0 : 1));
}

static void mb2_case(const char *name, uint32_t len, uint64_t size, uint32_t caps,
		     const char *want, struct mb2_header_info *h)
{
	struct mb2_header_info scratch;
	struct mb_error e;

	if (!h)
		h = &scratch;
	t_begin(name);
	expect_msg(mb2_parse_header(file, len, size, caps, h, &e), &e, want);
}

static void request(uint32_t flags, const uint32_t *types, int n)
{
	uint8_t *t = mb2_tag(1, flags, 8 + 4 * n);

	for (int i = 0; i < n; i++)
		put32(t + 8 + 4 * i, types[i]);
}

static void test_mb2_header(void)
{
	struct mb2_header_info h;

	mb2_begin(0);
	mb2_case("mb2_none", 32768, 32768, 0, "no Multiboot2 header (magic 0xE85250D6 with its "
		 "checksum, 8-byte aligned) in the file's first 32768 bytes", 0);
	t_end();

	mb2_begin(0x18);
	mb2_end(1, 0, 0, 0);
	mb2_case("mb2_bad_checksum", 32768, 32768, 0, "the Multiboot2 header at offset 0x18 has a "
		 "bad checksum (magic + architecture + header_length + checksum is not 0)", 0);
	t_end();

	/* 8-byte alignment: at offset 4 it is no header. */
	mb2_begin(4);
	mb2_end(1, 0, 0, 1);
	mb2_case("mb2_misaligned", 32768, 32768, 0, "no Multiboot2 header (magic 0xE85250D6 with "
		 "its checksum, 8-byte aligned) in the file's first 32768 bytes", 0);
	t_end();

	mb2_begin(0x1000);
	mb2_end(1, 0, 0, 1);
	mb2_case("mb2_minimal", 32768, 32768, 0, 0, &h);
	CHECK(h.offset == 0x1000 && h.length == 24 && h.tags == 1 && !h.requests,
	      "offset 0x%x length %u tags 0x%x requests 0x%x", h.offset, h.length, h.tags,
	      h.requests);
	t_end();

	mb2_begin(0);
	mb2_end(1, 0, 4, 1);
	mb2_case("mb2_mips", 32768, 32768, 0, "the Multiboot2 header is for architecture 4, not "
		 "i386 (0)", 0);
	t_end();

	mb2_begin(0);
	mb2_end(0, 0, 0, 1);
	mb2_case("mb2_too_short", 32768, 32768, 0, "header_length 16 is too short for the header "
		 "and an end tag (24 bytes)", 0);
	t_end();

	mb2_begin(0x100);
	mb2_end(1, 0, 0, 1);
	mb2_case("mb2_past_file", 0x110, 0x110, 0, "header_length 24 reaches past the end of the "
		 "file", 0);
	t_end();

	/* The whole header must lie in the first 32768 bytes. */
	mb2_begin(32768 - 16);
	mb2_end(1, 0, 0, 1);
	mb2_case("mb2_past_window", 40000, 40000, 0, "header_length 24: the header runs past the "
		 "file's first 32768 bytes", 0);
	t_end();

	/* header_length stops before the end tag. */
	mb2_begin(0);
	mb2_tag(6, 0, 8);
	mb2_end(1, (uint32_t)-8, 0, 1);
	mb2_case("mb2_no_end_tag", 32768, 32768, 0, "the header's tags reach header_length (at "
		 "offset 24) without an end tag", 0);
	t_end();

	/* header_length ends inside the padding after a 12-byte tag. */
	mb2_begin(0);
	mb2_tag(3, 0, 12);
	mb2_end(0, (uint32_t)-4, 0, 1);
	mb2_case("mb2_length_in_padding", 32768, 32768, 0, "the header's tags reach "
		 "header_length (at offset 32) without an end tag", 0);
	t_end();

	mb2_begin(0);
	mb2_tag(6, 0, 4);
	mb2_end(1, 0, 0, 1);
	mb2_case("mb2_tag_below_8", 32768, 32768, 0, "header tag type 6 (module alignment) has a "
		 "size below 8", 0);
	t_end();

	mb2_begin(0);
	mb2_tag(3, 0, 12);
	put32(file + 20, 200);
	mb2_end(1, 0, 0, 1);
	mb2_case("mb2_tag_past_length", 32768, 32768, 0, "header tag type 3 (entry address) runs "
		 "past header_length", 0);
	t_end();

	mb2_begin(0);
	mb2_tag(0, 0, 16);
	mb2_end(0, 0, 0, 1);
	mb2_case("mb2_end_tag_16", 32768, 32768, 0, "header tag type 0 (end) has the wrong size "
		 "for its type", 0);
	t_end();

	static const struct {
		uint32_t type, size;
		const char *name;
	} sizes[] = { { 2, 20, "address" }, { 3, 16, "entry address" }, { 4, 8, "console flags" },
		      { 5, 24, "framebuffer" }, { 6, 12, "module alignment" },
		      { 7, 16, "EFI boot services" }, { 8, 8, "EFI i386 entry address" },
		      { 9, 16, "EFI amd64 entry address" }, { 10, 16, "relocatable" } };
	for (unsigned i = 0; i < sizeof(sizes) / sizeof(sizes[0]); i++) {
		char name[40], want[120];
		mb2_begin(0);
		mb2_tag(sizes[i].type, 1, sizes[i].size);
		mb2_end(1, 0, 0, 1);
		snprintf(name, sizeof(name), "mb2_size_type%u", sizes[i].type);
		snprintf(want, sizeof(want), "header tag type %u (%s) has the wrong size for its type",
			 sizes[i].type, sizes[i].name);
		mb2_case(name, 32768, 32768, MB_CAP_VIDEO, want, 0);
		t_end();
	}

	mb2_begin(0);
	mb2_tag(1, 0, 10);
	mb2_end(1, 0, 0, 1);
	mb2_case("mb2_request_odd_size", 32768, 32768, 0, "header tag type 1 (information "
		 "request) has a size that is not 8 plus a multiple of 4", 0);
	t_end();

	/* Requests: what the loader gives is accepted, required or not. */
	static const uint32_t given[] = { 0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 14, 15, 21 };
	mb2_begin(0);
	request(0, given, 13);
	mb2_end(1, 0, 0, 1);
	mb2_case("mb2_request_given", 32768, 32768, 0, 0, &h);
	CHECK(h.requests == 0x20c3ff, "requests 0x%x", h.requests);
	t_end();

	static const struct {
		uint32_t type;
		const char *name;
	} not_given[] = { { 10, "APM table" },
			  { 11, "EFI 32-bit system table" }, { 12, "EFI 64-bit system table" },
			  { 13, "SMBIOS tables" }, { 16, "network information" },
			  { 17, "EFI memory map" }, { 18, "EFI boot services not terminated" },
			  { 19, "EFI 32-bit image handle" }, { 20, "EFI 64-bit image handle" },
			  { 22, "unknown" }, { 1000, "unknown" } };
	for (unsigned i = 0; i < sizeof(not_given) / sizeof(not_given[0]); i++) {
		char name[40], want[160];
		uint32_t types[2] = { 6, not_given[i].type };
		mb2_begin(0);
		request(0, types, 2);
		mb2_end(1, 0, 0, 1);
		snprintf(name, sizeof(name), "mb2_request_%u", not_given[i].type);
		snprintf(want, sizeof(want), "the information request tag requires information tag "
			 "type %u (%s), which this loader does not give", not_given[i].type,
			 not_given[i].name);
		mb2_case(name, 32768, 32768, 0, want, 0);
		t_end();
		/* ...and optional, it is ignored. */
		mb2_begin(0);
		request(1, types, 2);
		mb2_end(1, 0, 0, 1);
		snprintf(name, sizeof(name), "mb2_request_%u_optional", not_given[i].type);
		mb2_case(name, 32768, 32768, 0, 0, &h);
		CHECK(!h.requests, "requests 0x%x", h.requests);
		t_end();
	}

	/* The framebuffer tag: refused when required, the video hook's place. */
	mb2_begin(0);
	uint8_t *fb = mb2_tag(5, 0, 20);
	put32(fb + 8, 1024);
	put32(fb + 12, 768);
	put32(fb + 16, 32);
	mb2_end(1, 0, 0, 1);
	mb2_case("mb2_framebuffer_required", 32768, 32768, 0, "header tag type 5 (framebuffer) is "
		 "required (not marked optional): this loader does not set video modes yet", 0);
	t_end();
	mb2_case("mb2_framebuffer_with_cap", 32768, 32768, MB_CAP_VIDEO, 0, &h);
	CHECK(h.video.present && h.video.required && h.video.width == 1024 &&
		      h.video.height == 768 && h.video.depth == 32,
	      "video %u %u %ux%ux%u", h.video.present, h.video.required, h.video.width,
	      h.video.height, h.video.depth);
	t_end();
	put16(fb + 2, 1);
	mb2_end(0, 0, 0, 1);
	mb2_case("mb2_framebuffer_optional", 32768, 32768, 0, 0, &h);
	CHECK(h.video.present && !h.video.required, "video %u %u", h.video.present,
	      h.video.required);
	t_end();

	mb2_begin(0);
	mb2_tag(11, 0, 8);
	mb2_end(1, 0, 0, 1);
	mb2_case("mb2_unknown_required", 32768, 32768, 0, "header tag type 11 (unknown) is not "
		 "known to this loader and not marked optional", 0);
	t_end();
	mb2_begin(0);
	mb2_tag(11, 1, 8);
	mb2_tag(0x7fff, 1, 13);
	mb2_end(1, 0, 0, 1);
	mb2_case("mb2_unknown_optional", 32768, 32768, 0, 0, &h);
	t_end();

	/* Address, entry, console, module alignment, EFI and relocatable tags. */
	mb2_begin(0x40);
	uint8_t *t = mb2_tag(2, 0, 24);
	put32(t + 8, 0x100040);
	put32(t + 12, 0x100000);
	put32(t + 16, 0x101000);
	put32(t + 20, 0x102000);
	t = mb2_tag(3, 0, 12);
	put32(t + 8, 0x100100);
	t = mb2_tag(4, 0, 12);
	put32(t + 8, 3);
	mb2_tag(6, 0, 8);
	mb2_tag(7, 0, 8);
	mb2_tag(8, 0, 12);
	mb2_tag(9, 0, 12);
	t = mb2_tag(10, 0, 24);
	put32(t + 8, 0x100000);
	put32(t + 12, 0x200000);
	put32(t + 16, 0x1000);
	put32(t + 20, 2);
	mb2_end(1, 0, 0, 1);
	mb2_case("mb2_all_tags", 32768, 32768, 0, 0, &h);
	CHECK(h.offset == 0x40 && h.tags == 0x7dd, "offset 0x%x tags 0x%x", h.offset, h.tags);
	CHECK(h.addr.header_addr == 0x100040 && h.addr.load_addr == 0x100000 &&
		      h.addr.load_end_addr == 0x101000 && h.addr.bss_end_addr == 0x102000 &&
		      h.addr.entry_addr == 0x100100,
	      "address %x %x %x %x %x", h.addr.header_addr, h.addr.load_addr, h.addr.load_end_addr,
	      h.addr.bss_end_addr, h.addr.entry_addr);
	CHECK(h.console_flags == 3, "console 0x%x", h.console_flags);
	CHECK(h.reloc_min == 0x100000 && h.reloc_max == 0x200000 && h.reloc_align == 0x1000 &&
		      h.reloc_preference == 2,
	      "relocatable %x %x %x %u", h.reloc_min, h.reloc_max, h.reloc_align,
	      h.reloc_preference);
	t_end();

	mb2_begin(0);
	t = mb2_tag(2, 0, 24);
	mb2_end(1, 0, 0, 1);
	mb2_case("mb2_address_without_entry", 32768, 32768, 0, "header tag type 2 (address) needs "
		 "an entry address tag (type 3) beside it", 0);
	t_end();

	mb2_begin(0);
	t = mb2_tag(4, 0, 12);
	put32(t + 8, 1);
	mb2_end(1, 0, 0, 1);
	mb2_case("mb2_console_none_supported", 32768, 32768, 0, "the console flags tag "
		 "(console_flags 0x1) requires a console, and the kernel supports none this loader "
		 "offers (EGA text; framebuffers come with video modes)", 0);
	t_end();
	/* With an optional framebuffer tag and video modes, that console is there. */
	mb2_begin(0);
	t = mb2_tag(4, 0, 12);
	put32(t + 8, 1);
	mb2_tag(5, 1, 20);
	mb2_end(1, 0, 0, 1);
	mb2_case("mb2_console_framebuffer", 32768, 32768, MB_CAP_VIDEO, 0, &h);
	t_end();
	mb2_begin(0);
	t = mb2_tag(4, 0, 12);
	put32(t + 8, 3);
	mb2_end(1, 0, 0, 1);
	mb2_case("mb2_console_ega", 32768, 32768, 0, 0, &h);
	t_end();
}

/* --- ELF sections ------------------------------------------------------- */

/* A little ELF file: header, then sections' data, then the section table. */
struct sec {
	uint32_t type, addr, offset, size, align;
};

static uint32_t elf_file(int is64, const struct sec *s, int n, uint32_t shoff, uint32_t entsize,
			 uint32_t shstrndx)
{
	clear();
	memcpy(file, "\177ELF", 4);
	file[4] = is64 ? 2 : 1;
	file[5] = 1;
	file[6] = 1;
	if (is64) {
		put64(file + 0x28, shoff);
		put16(file + 0x3a, entsize);
		put16(file + 0x3c, n);
		put16(file + 0x3e, shstrndx);
	} else {
		put32(file + 0x20, shoff);
		put16(file + 0x2e, entsize);
		put16(file + 0x30, n);
		put16(file + 0x32, shstrndx);
	}
	for (int i = 0; i < n; i++) {
		uint8_t *p = file + shoff + i * entsize;
		put32(p + 4, s[i].type);
		if (is64) {
			put64(p + 16, s[i].addr);
			put64(p + 24, s[i].offset);
			put64(p + 32, s[i].size);
			put64(p + 48, s[i].align);
		} else {
			put32(p + 12, s[i].addr);
			put32(p + 16, s[i].offset);
			put32(p + 20, s[i].size);
			put32(p + 32, s[i].align);
		}
	}
	return shoff + n * entsize;
}

static int read_file(void *ctx, uint64_t off, void *dst, uint32_t len)
{
	uint64_t size = *(uint64_t *)ctx;

	if (off > size || len > size - off)
		return -1;
	memcpy(dst, file + off, len);
	return 0;
}

struct loads {
	int n;
	uint64_t off[16];
	uint32_t len[16], addr[16];
};

static void record_load(void *ctx, uint64_t off, uint32_t len, uint32_t addr)
{
	struct loads *l = ctx;

	l->off[l->n] = off;
	l->len[l->n] = len;
	l->addr[l->n++] = addr;
}

static void test_elf_sections(void)
{
	struct mb_elf_sections s;
	struct mb_error e;
	uint64_t size;
	uint32_t total;
	const char *err;

	static const struct sec secs[] = {
		{ 0, 0, 0, 0, 0 },                 /* SHT_NULL */
		{ 1, 0x100000, 0x100, 0x300, 16 }, /* loaded with the image */
		{ 8, 0, 0, 0x1000, 32 },           /* NOBITS */
		{ 2, 0, 0x400, 0x30, 4 },          /* .symtab */
		{ 3, 0, 0x430, 0x11, 1 },          /* .strtab */
		{ 1, 0, 0x441, 0x20, 64 },         /* aligned to 64 */
		{ 1, 0, 0x500, 0, 8 },             /* empty */
		{ 3, 0, 0x461, 0x9, 0 },           /* .shstrtab, align 0 */
		{ 1, 0, 0x470, 0x10, 12 },         /* not a power of two: a page */
	};
	for (int is64 = 0; is64 < 2; is64++) {
		char name[40];
		uint32_t ent = is64 ? 64 : 40;
		size = elf_file(is64, secs, 9, 0x600, ent, 7);
		snprintf(name, sizeof(name), "elf%u_sections", is64 ? 64 : 32);
		t_begin(name);
		err = mb_elf_sections(read_file, &size, size, &s, &e);
		expect_msg(err, &e, 0);
		CHECK(s.num == 9 && s.entsize == ent && s.shndx == 7 && s.offset == 0x600 &&
			      s.is64 == is64,
		      "num %u entsize %u shndx %u offset 0x%x is64 %d", s.num, s.entsize, s.shndx,
		      s.offset, s.is64);
		/* Sizing: 0x30 at 0, 0x11 at 0x30, 0x20 at 0x80 (64), 9 at 0xa0,
		 * 0x10 at 0x1000 (a page). */
		static uint8_t table[9 * 64];
		memcpy(table, file + 0x600, 9 * ent);
		err = mb_elf_place(table, &s, size, 0, 0, 0, &total, &e);
		expect_msg(err, &e, 0);
		CHECK(total == 0x1010, "total 0x%x", total);
		CHECK(!memcmp(table, file + 0x600, 9 * ent), "the sizing pass wrote the table");
		struct loads l = { 0 };
		err = mb_elf_place(table, &s, size, 0x200000, record_load, &l, &total, &e);
		expect_msg(err, &e, 0);
		static const uint32_t want_off[] = { 0x400, 0x430, 0x441, 0x461, 0x470 };
		static const uint32_t want_len[] = { 0x30, 0x11, 0x20, 0x9, 0x10 };
		static const uint32_t want_addr[] = { 0x200000, 0x200030, 0x200080, 0x2000a0,
						      0x201000 };
		static const int which[] = { 3, 4, 5, 7, 8 };
		CHECK(l.n == 5, "%d loads", l.n);
		for (int i = 0; i < 5 && i < l.n; i++) {
			CHECK(l.off[i] == want_off[i] && l.len[i] == want_len[i] &&
				      l.addr[i] == want_addr[i],
			      "load %d: 0x%llx+0x%x to 0x%x", i, (unsigned long long)l.off[i],
			      l.len[i], l.addr[i]);
			const uint8_t *p = table + which[i] * ent;
			uint64_t a = is64 ? get64(p + 16) : get32(p + 12);
			CHECK(a == want_addr[i], "section %d's sh_addr 0x%llx", which[i],
			      (unsigned long long)a);
		}
		/* The others keep their addresses. */
		CHECK((is64 ? get64(table + ent + 16) : get32(table + ent + 12)) == 0x100000 &&
			      (is64 ? get64(table + 2 * ent + 16) : get32(table + 2 * ent + 12)) == 0,
		      "sections 1 and 2 changed");
		t_end();
	}

	size = elf_file(0, secs, 9, 0x600, 40, 7);
	t_begin("elf_no_sections");
	put16(file + 0x30, 0);
	err = mb_elf_sections(read_file, &size, size, &s, &e);
	expect_msg(err, &e, 0);
	CHECK(s.num == 0, "num %u", s.num);
	t_end();

	size = elf_file(0, secs, 9, 0x600, 40, 7);
	t_begin("elf_entsize_small");
	put16(file + 0x2e, 32);
	expect_msg(mb_elf_sections(read_file, &size, size, &s, &e), &e,
		   "e_shentsize 32 is smaller than a section header");
	t_end();

	size = elf_file(1, secs, 9, 0x600, 64, 7);
	t_begin("elf64_entsize_small");
	put16(file + 0x3a, 40);
	expect_msg(mb_elf_sections(read_file, &size, size, &s, &e), &e,
		   "e_shentsize 40 is smaller than a section header");
	t_end();

	size = elf_file(0, secs, 9, 0x600, 40, 7) - 1;
	t_begin("elf_table_past_end");
	expect_msg(mb_elf_sections(read_file, &size, size, &s, &e), &e,
		   "the section header table (360 bytes) lies past the end of the file");
	t_end();

	size = elf_file(1, secs, 9, 0x600, 64, 7);
	t_begin("elf64_table_beyond_4g");
	put64(file + 0x28, 0x100000600ull);
	expect_msg(mb_elf_sections(read_file, &size, size, &s, &e), &e,
		   "the section header table (576 bytes) lies past the end of the file");
	t_end();

	size = elf_file(0, secs, 9, 0x600, 40, 9);
	t_begin("elf_shstrndx");
	expect_msg(mb_elf_sections(read_file, &size, size, &s, &e), &e,
		   "e_shstrndx 9 names no section");
	t_end();

	size = 0x800;
	elf_file(0, secs, 9, 0x600, 40, 7);
	t_begin("elf_table_too_big");
	put16(file + 0x2e, 0xffff);
	put16(file + 0x30, 0x20);
	expect_msg(mb_elf_sections(read_file, &size, size, &s, &e), &e,
		   "the section header table takes 2097120 bytes; the loader hands over at most "
		   "1 MiB of it");
	t_end();

	struct sec bad[] = { { 0, 0, 0, 0, 0 }, { 2, 0, 0x400, 0x300, 4 } };
	size = elf_file(0, bad, 2, 0x600, 40, 0);
	t_begin("elf_section_past_end");
	mb_elf_sections(read_file, &size, size, &s, &e);
	size = 0x6ff;
	expect_msg(mb_elf_place(file + 0x600, &s, size, 0, 0, 0, &total, &e), &e,
		   "section 1's data lies past the end of the file");
	t_end();

	t_begin("elf_sections_past_4g");
	size = elf_file(0, bad, 2, 0x800, 40, 0);
	mb_elf_sections(read_file, &size, size, &s, &e);
	expect_msg(mb_elf_place(file + 0x800, &s, size, 0xfffff000, 0, 0, &total, &e), &e,
		   "the sections to load (up to section 1) do not fit below 4 GiB");
	t_end();
}

/* --- map type and memory bounds ----------------------------------------- */

static void test_map(void)
{
	t_begin("map_types");
	static const uint32_t in[] = { 1, 2, 3, 4, 5, 7, 0x1000, 0x1001, 0x1002 };
	static const uint32_t out[] = { 1, 2, 3, 4, 5, 7, 2, 2, 2 };
	for (unsigned i = 0; i < sizeof(in) / sizeof(in[0]); i++)
		CHECK(mb_map_type(in[i]) == out[i], "type %u gives %u", in[i], mb_map_type(in[i]));
	t_end();

	static const struct {
		const char *name;
		struct bootinfo_map_entry map[4];
		uint32_t n, lower, upper;
	} cases[] = {
		{ "mem_seabios", { { 0, 0x1000, 2, 0 }, { 0x1000, 0x9e000, 1, 0 },
				   { 0x9f000, 0x61000, 2, 0 }, { 0x100000, 0x7ee0000, 1, 0 } },
		  4, 0x9f000 / 1024, 0x7ee0000 / 1024 },
		/* Usable from 0 (no carve-out) and across 640 KiB: capped. */
		{ "mem_from_0", { { 0, 0x200000, 1, 0 } }, 1, 640, 1024 },
		/* Nothing usable in the first page: no lower memory. */
		{ "mem_no_low", { { 0, 0x2000, 2, 0 }, { 0x2000, 0x9000, 1, 0 },
				  { 0x100000, 0x1000, 2, 0 }, { 0x101000, 0x1000, 1, 0 } },
		  4, 0, 0 },
		/* Over 4 TiB from 1 MiB: capped at 0xFFFFFFFF KiB. */
		{ "mem_huge", { { 0x1000, 0x9e000, 1, 0 }, { 0x100000, 0x50000000000ull, 1, 0 } },
		  2, 0x9f000 / 1024, 0xffffffffu },
	};
	for (unsigned i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		uint32_t lo, up;
		t_begin(cases[i].name);
		mb_mem_bounds(cases[i].map, cases[i].n, &lo, &up);
		CHECK(lo == cases[i].lower && up == cases[i].upper, "lower %u upper %u, want %u %u", lo,
		      up, cases[i].lower, cases[i].upper);
		t_end();
	}
}

/* --- information structures, read back by offsets from the specs --------- */

#define PHYS 0x60000u
static uint8_t info[8192];

static const uint8_t *at_phys(uint32_t a, uint32_t len)
{
	if (a < PHYS || a - PHYS > sizeof(info) || len > sizeof(info) - (a - PHYS)) {
		t_fail("pointer 0x%x (+%u) outside the structure", a, len);
		return info;
	}
	return info + (a - PHYS);
}

static const char *str_phys(uint32_t a)
{
	const char *s = (const char *)at_phys(a, 1);

	if (!memchr(s, 0, sizeof(info) - ((const uint8_t *)s - info))) {
		t_fail("string at 0x%x without its NUL", a);
		return "";
	}
	return s;
}

static struct boot_module mods[2] = {
	{ 0x200000, 0x1234, "/boot/a.bin root=ram0", "/boot/a.bin" },
	{ 0x202000, 0x10, "/boot/b.bin", "/boot/b.bin" },
};
static const struct bootinfo_map_entry map[] = {
	{ 0, 0x1000, 2, 0 },          { 0x1000, 0x9e000, 1, 0 },   { 0x9f000, 0x61000, 2, 0 },
	{ 0x100000, 0x7ee0000, 1, 0 }, { 0x7fe0000, 0x20000, 3, 0 }, { 0xfffc0000, 0x40000, 4, 0 },
	{ 0x1fd00000000, 0x300000000, 7, 0 },
};
static uint8_t shdrs[3 * 40];
static uint8_t rsdp2[36];

static struct mb_info_input input(void)
{
	for (unsigned i = 0; i < sizeof(shdrs); i++)
		shdrs[i] = (uint8_t)(i * 7 + 1);
	memcpy(rsdp2, "RSD PTR ", 8);
	rsdp2[15] = 2;
	put32(rsdp2 + 20, 36);
	for (unsigned i = 24; i < 36; i++)
		rsdp2[i] = (uint8_t)i;
	return (struct mb_info_input){ .map = map, .map_count = 7, .cmdline = "console=ttyS0 x",
				       .loader_name = "test loader", .boot_drive = 0x80,
				       .boot_part = 2, .mods = mods, .nmods = 2, .shdrs = shdrs,
				       .shnum = 3, .shentsize = 40, .shndx = 2, .rsdp = rsdp2,
				       .text_cols = 80, .text_rows = 25, .load_base = 0x100000 };
}

static void test_mb1_info(void)
{
	struct mb_info_input in = input();
	uint32_t need = mb1_build_info(&in, 0, 0, PHYS);

	t_begin("mb1_info_too_small");
	memset(info, 0xaa, sizeof(info));
	uint32_t got = mb1_build_info(&in, info, need - 1, PHYS);
	CHECK(got == need, "size %u, then %u", need, got);
	CHECK(info[0] == 0xaa && info[need - 2] == 0xaa, "wrote into a buffer too small");
	t_end();

	t_begin("mb1_info");
	memset(info, 0xaa, sizeof(info));
	got = mb1_build_info(&in, info, sizeof(info), PHYS);
	CHECK(got == need, "size %u, then %u", need, got);
	CHECK(info[need] == 0xaa, "wrote past its size");
	uint32_t flags = get32(info);
	/* mem, bootdev, cmdline, mods, ELF, mmap, loader name, framebuffer */
	CHECK(flags == (1 | 2 | 4 | 8 | 0x20 | 0x40 | 0x200 | 0x1000), "flags 0x%x", flags);
	CHECK(get32(info + 4) == 0x9f000 / 1024 && get32(info + 8) == 0x7ee0000 / 1024,
	      "mem_lower %u mem_upper %u", get32(info + 4), get32(info + 8));
	CHECK(get32(info + 12) == 0x8002ffff, "boot_device 0x%x", get32(info + 12));
	CHECK(!strcmp(str_phys(get32(info + 16)), "console=ttyS0 x"), "cmdline");
	CHECK(!strcmp(str_phys(get32(info + 64)), "test loader"), "boot_loader_name");
	CHECK(get32(info + 20) == 2, "mods_count %u", get32(info + 20));
	const uint8_t *ml = at_phys(get32(info + 24), 32);
	for (int i = 0; i < 2; i++) {
		CHECK(get32(ml + 16 * i) == mods[i].base &&
			      get32(ml + 16 * i + 4) == mods[i].base + mods[i].length,
		      "module %d 0x%x-0x%x", i, get32(ml + 16 * i), get32(ml + 16 * i + 4));
		CHECK(!strcmp(str_phys(get32(ml + 16 * i + 8)), mods[i].string), "module %d string",
		      i);
		CHECK(get32(ml + 16 * i + 12) == 0, "module %d pad", i);
	}
	CHECK(get32(info + 28) == 3 && get32(info + 32) == 40 && get32(info + 40) == 2,
	      "elf_sec %u %u %u", get32(info + 28), get32(info + 32), get32(info + 40));
	CHECK(!memcmp(at_phys(get32(info + 36), 120), shdrs, 120), "section table copy");
	/* The mmap: size-prefixed entries, mmap_length bytes in all. */
	uint32_t p = get32(info + 48), end = p + get32(info + 44), n = 0;
	static const uint32_t types[] = { 2, 1, 2, 1, 3, 4, 7 };
	while (p < end && n < 7) {
		const uint8_t *e = at_phys(p, 24);
		CHECK(get32(e) == 20, "entry %u size %u", n, get32(e));
		CHECK(get64(e + 4) == map[n].base && get64(e + 12) == map[n].length &&
			      get32(e + 20) == types[n],
		      "entry %u: 0x%llx 0x%llx %u", n, (unsigned long long)get64(e + 4),
		      (unsigned long long)get64(e + 12), get32(e + 20));
		p += get32(e) + 4;
		n++;
	}
	CHECK(n == 7 && p == end, "%u entries, ending at 0x%x of 0x%x", n, p, end);
	CHECK(get64(info + 88) == 0xb8000 && get32(info + 96) == 160 && get32(info + 100) == 80 &&
		      get32(info + 104) == 25 && info[108] == 16 && info[109] == 2,
	      "framebuffer 0x%llx %u %u %u %u %u", (unsigned long long)get64(info + 88),
	      get32(info + 96), get32(info + 100), get32(info + 104), info[108], info[109]);
	/* Fields this loader does not give stay 0. */
	CHECK(!get32(info + 52) && !get32(info + 56) && !get32(info + 60) && !get32(info + 68) &&
		      !get32(info + 72) && !get32(info + 76) && !get32(info + 80),
	      "drives, config, APM or VBE fields set");
	t_end();

	t_begin("mb1_info_minimal");
	in.nmods = 0;
	in.shdrs = 0;
	in.text_cols = 0;
	in.boot_part = MB_NO_PART;
	in.cmdline = 0;
	memset(info, 0xaa, sizeof(info));
	got = mb1_build_info(&in, info, sizeof(info), PHYS);
	flags = get32(info);
	CHECK(flags == (1 | 2 | 4 | 0x40 | 0x200), "flags 0x%x", flags);
	CHECK(get32(info + 12) == 0x80ffffff, "boot_device 0x%x", get32(info + 12));
	CHECK(!strcmp(str_phys(get32(info + 16)), ""), "empty command line");
	CHECK(!get32(info + 20) && !get32(info + 24) && !get32(info + 28) && !get64(info + 88),
	      "mods, elf or framebuffer fields set");
	t_end();
}

/* The Multiboot2 structure's tags, found by a walk that checks each one. */
static const uint8_t *tag_found[32];

static void walk_mb2(uint32_t total)
{
	memset(tag_found, 0, sizeof(tag_found));
	CHECK(get32(info) == total, "total_size %u, built %u", get32(info), total);
	CHECK(total % 8 == 0, "total_size %u", total);
	for (uint32_t off = 8; off + 8 <= total;) {
		uint32_t type = get32(info + off), size = get32(info + off + 4);
		if (size < 8 || off + size > total) {
			t_fail("tag %u at %u: size %u", type, off, size);
			return;
		}
		if (type < 32 && type != 3)
			tag_found[type] = info + off;
		if (type == 0) {
			CHECK(size == 8 && off + 8 == total, "end tag size %u at %u of %u", size, off,
			      total);
			return;
		}
		off += (size + 7) & ~7u;
	}
	t_fail("no end tag");
}

static void test_mb2_info(void)
{
	struct mb_info_input in = input();
	uint32_t need = mb2_build_info(&in, 0, 0, PHYS), got;

	t_begin("mb2_info_too_small");
	memset(info, 0xaa, sizeof(info));
	got = mb2_build_info(&in, info, need - 1, PHYS);
	CHECK(got == need && info[0] == 0xaa, "size %u then %u, or wrote", need, got);
	t_end();

	t_begin("mb2_info");
	memset(info, 0xaa, sizeof(info));
	got = mb2_build_info(&in, info, sizeof(info), PHYS);
	CHECK(got == need && info[need] == 0xaa, "size %u then %u, or wrote past it", need, got);
	walk_mb2(got);
	const uint8_t *t;
	if ((t = tag_found[1]))
		CHECK(get32(t + 4) == 8 + 16 && !strcmp((const char *)t + 8, "console=ttyS0 x"),
		      "cmdline tag");
	if ((t = tag_found[2]))
		CHECK(get32(t + 4) == 8 + 12 && !strcmp((const char *)t + 8, "test loader"),
		      "loader name tag");
	if ((t = tag_found[4]))
		CHECK(get32(t + 4) == 16 && get32(t + 8) == 0x9f000 / 1024 &&
			      get32(t + 12) == 0x7ee0000 / 1024,
		      "meminfo tag %u %u", get32(t + 8), get32(t + 12));
	if ((t = tag_found[5]))
		CHECK(get32(t + 4) == 20 && get32(t + 8) == 0x80 && get32(t + 12) == 2 &&
			      get32(t + 16) == 0xffffffff,
		      "bootdev tag %x %x %x", get32(t + 8), get32(t + 12), get32(t + 16));
	if ((t = tag_found[6])) {
		static const uint32_t types[] = { 2, 1, 2, 1, 3, 4, 7 };
		CHECK(get32(t + 4) == 16 + 7 * 24 && get32(t + 8) == 24 && get32(t + 12) == 0,
		      "mmap tag size %u entry_size %u version %u", get32(t + 4), get32(t + 8),
		      get32(t + 12));
		for (int i = 0; i < 7; i++) {
			const uint8_t *e = t + 16 + 24 * i;
			CHECK(get64(e) == map[i].base && get64(e + 8) == map[i].length &&
				      get32(e + 16) == types[i] && get32(e + 20) == 0,
			      "mmap entry %d", i);
		}
	}
	if ((t = tag_found[8]))
		CHECK(get32(t + 4) == 32 && get64(t + 8) == 0xb8000 && get32(t + 16) == 160 &&
			      get32(t + 20) == 80 && get32(t + 24) == 25 && t[28] == 16 && t[29] == 2,
		      "framebuffer tag");
	if ((t = tag_found[9]))
		CHECK(get32(t + 4) == 20 + 120 && get32(t + 8) == 3 && get32(t + 12) == 40 &&
			      get32(t + 16) == 2 && !memcmp(t + 20, shdrs, 120),
		      "ELF sections tag");
	if ((t = tag_found[14]))
		CHECK(get32(t + 4) == 8 + 20 && !memcmp(t + 8, rsdp2, 20), "ACPI old tag");
	if ((t = tag_found[15]))
		CHECK(get32(t + 4) == 8 + 36 && !memcmp(t + 8, rsdp2, 36), "ACPI new tag");
	if ((t = tag_found[21]))
		CHECK(get32(t + 4) == 12 && get32(t + 8) == 0x100000, "load base tag");
	static const int want[] = { 0, 1, 2, 4, 5, 6, 8, 9, 14, 15, 21 };
	for (unsigned i = 0; i < sizeof(want) / sizeof(want[0]); i++)
		CHECK(tag_found[want[i]], "no tag %d", want[i]);
	/* The modules, in order, each an 8-aligned tag. */
	int m = 0;
	for (uint32_t off = 8; off < got; off += (get32(info + off + 4) + 7) & ~7u) {
		if (get32(info + off) != 3)
			continue;
		CHECK(off % 8 == 0, "module tag at %u", off);
		CHECK(m < 2 && get32(info + off + 8) == mods[m].base &&
			      get32(info + off + 12) == mods[m].base + mods[m].length &&
			      get32(info + off + 4) == 16 + strlen(mods[m].string) + 1 &&
			      !strcmp((const char *)info + off + 16, mods[m].string),
		      "module tag %d", m);
		m++;
	}
	CHECK(m == 2, "%d module tags", m);
	/* Padding between tags is zero. */
	for (uint32_t off = 8; off < got; off += (get32(info + off + 4) + 7) & ~7u)
		for (uint32_t k = off + get32(info + off + 4); k < ((off + get32(info + off + 4) + 7)
								      & ~7u); k++)
			CHECK(info[k] == 0, "padding byte %u is 0x%x", k, info[k]);
	t_end();

	t_begin("mb2_info_minimal");
	in.nmods = 0;
	in.shdrs = 0;
	in.text_cols = 0;
	in.rsdp = 0;
	in.boot_part = MB_NO_PART;
	got = mb2_build_info(&in, info, sizeof(info), PHYS);
	walk_mb2(got);
	CHECK(!tag_found[8] && !tag_found[14] && !tag_found[15], "framebuffer or ACPI tags");
	if ((t = tag_found[9]))
		CHECK(get32(t + 4) == 20 && !get32(t + 8) && !get32(t + 12) && !get32(t + 16),
		      "empty ELF sections tag");
	if ((t = tag_found[5]))
		CHECK(get32(t + 12) == 0xffffffff, "bootdev slice 0x%x", get32(t + 12));
	t_end();

	/* An ACPI 1.0 RSDP: the old tag only. */
	t_begin("mb2_info_rsdp_v1");
	in.rsdp = rsdp2;
	rsdp2[15] = 0;
	got = mb2_build_info(&in, info, sizeof(info), PHYS);
	walk_mb2(got);
	CHECK(tag_found[14] && !tag_found[15], "old %p new %p", (void *)tag_found[14],
	      (void *)tag_found[15]);
	t_end();
}

/* A video mode set (mb_video.c): Multiboot1's flag bits 11 and 12 with the
 * VBE blocks and an RGB framebuffer, Multiboot2's VBE (7) and framebuffer
 * (8) tags, read back at the specifications' offsets; and the request. */
static void test_video(void)
{
	static struct vbe_info_block vinfo;
	static struct vbe_mode_info vmode;
	static const struct video_result video = {
		.fb = { .address = 0xfd000000, .pitch = 3072, .width = 1024, .height = 768,
			.type = BOOTINFO_VIDEO_RGB, .bpp = 24, .red_position = 16, .red_size = 8,
			.green_position = 8, .green_size = 8, .blue_position = 0, .blue_size = 8,
			.mode = 0x118 },
		.info = &vinfo, .mode_info = &vmode };
	struct mb_info_input in = input();
	const uint8_t *t;
	static const uint8_t rgb[6] = { 16, 8, 8, 8, 0, 8 };

	for (unsigned i = 0; i < sizeof(vinfo); i++)
		((uint8_t *)&vinfo)[i] = (uint8_t)(i * 3 + 1);
	for (unsigned i = 0; i < sizeof(vmode); i++)
		((uint8_t *)&vmode)[i] = (uint8_t)(i * 5 + 2);
	in.video = &video;

	t_begin("mb1_info_video");
	memset(info, 0xaa, sizeof(info));
	uint32_t got = mb1_build_info(&in, info, sizeof(info), PHYS);
	CHECK(got == mb1_build_info(&in, 0, 0, PHYS) && info[got] == 0xaa, "size %u", got);
	CHECK(get32(info) == (1 | 2 | 4 | 8 | 0x20 | 0x40 | 0x200 | 0x800 | 0x1000), "flags 0x%x",
	      get32(info));
	CHECK(!memcmp(at_phys(get32(info + 72), 512), &vinfo, 512), "vbe_control_info copy");
	CHECK(!memcmp(at_phys(get32(info + 76), 256), &vmode, 256), "vbe_mode_info copy");
	CHECK((info[80] | info[81] << 8) == 0x4118, "vbe_mode 0x%x", info[80] | info[81] << 8);
	CHECK(get64(info + 88) == 0xfd000000 && get32(info + 96) == 3072 &&
		      get32(info + 100) == 1024 && get32(info + 104) == 768 && info[108] == 24 &&
		      info[109] == 1 && !memcmp(info + 112, rgb, 6),
	      "framebuffer 0x%llx %u %u %u %u %u", (unsigned long long)get64(info + 88),
	      get32(info + 96), get32(info + 100), get32(info + 104), info[108], info[109]);
	t_end();

	t_begin("mb2_info_video");
	memset(info, 0xaa, sizeof(info));
	got = mb2_build_info(&in, info, sizeof(info), PHYS);
	walk_mb2(got);
	if ((t = tag_found[7]))
		CHECK(get32(t + 4) == 784 && (t[8] | t[9] << 8) == 0x4118 && !get32(t + 10) &&
			      !(t[14] | t[15]) && !memcmp(t + 16, &vinfo, 512) &&
			      !memcmp(t + 528, &vmode, 256),
		      "VBE tag size %u mode 0x%x", get32(t + 4), t[8] | t[9] << 8);
	if ((t = tag_found[8]))
		CHECK(get32(t + 4) == 38 && get64(t + 8) == 0xfd000000 && get32(t + 16) == 3072 &&
			      get32(t + 20) == 1024 && get32(t + 24) == 768 && t[28] == 24 &&
			      t[29] == 1 && !memcmp(t + 32, rgb, 6),
		      "framebuffer tag size %u", get32(t + 4));
	CHECK(tag_found[7] && tag_found[8], "VBE %p framebuffer %p", (void *)tag_found[7],
	      (void *)tag_found[8]);
	t_end();

	t_begin("mb_video_request");
	struct video_request entry = { 800, 600, 16, 1, 1, 0 }, none = { 0 }, out;
	struct mb_video graphics = { 0, 1024, 768, 32, 1, 1 }, text = { 1, 80, 25, 0, 1, 1 };
	struct mb_video huge = { 0, 0x12345, 70000, 64, 1, 0 }, absent = { 0 };
	mb_video_request(&entry, &graphics, &out);
	CHECK(out.width == 800 && out.height == 600 && out.bpp == 16 && out.required, "entry");
	mb_video_request(&none, &graphics, &out);
	CHECK(out.given && out.width == 1024 && out.height == 768 && out.bpp == 32 &&
		      !out.required && !out.mode,
	      "header: %ux%ux%u given %u required %u", out.width, out.height, out.bpp, out.given,
	      out.required);
	mb_video_request(&none, &text, &out);
	CHECK(!out.given, "EGA text asked for a mode");
	mb_video_request(&none, &absent, &out);
	CHECK(!out.given, "no request asked for a mode");
	mb_video_request(&none, &huge, &out);
	CHECK(out.given && out.width == 0xffff && out.height == 0xffff && out.bpp == 0,
	      "huge: %ux%ux%u", out.width, out.height, out.bpp);
	t_end();
}

int main(void)
{
	test_mb1_header();
	test_address_fields();
	test_mb2_header();
	test_elf_sections();
	test_map();
	test_mb1_info();
	test_mb2_info();
	test_video();
	return t_exit_status();
}
