/*
 * Host tests of the pure protocol detection (stage2/proto/detect.c) and the
 * ACPI RSDP scan (stage2/acpi.c), on buffers built here from the
 * specifications' layouts: a header is a magic, its fields and a checksum
 * that makes them sum to zero; nothing comes from the code under test.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "acpi.h"
#include "boot.h"
#include "testlib.h"

static uint8_t file[40000];

static void put32(uint8_t *p, uint32_t v)
{
	for (int i = 0; i < 4; i++)
		p[i] = (uint8_t)(v >> (8 * i));
}

/* Multiboot1 at off: magic 0x1BADB002, flags, checksum = -(magic + flags). */
static void mb1(size_t off, uint32_t flags, int good)
{
	put32(file + off, 0x1BADB002);
	put32(file + off + 4, flags);
	put32(file + off + 8, (uint32_t)-(0x1BADB002u + flags) + (good ? 0 : 1));
}

/* Multiboot2 at off: magic 0xE85250D6, architecture 0, length, checksum. */
static void mb2(size_t off, uint32_t length, int good)
{
	put32(file + off, 0xE85250D6);
	put32(file + off + 4, 0);
	put32(file + off + 8, length);
	put32(file + off + 12, (uint32_t)-(0xE85250D6u + length) + (good ? 0 : 1));
}

static void bzimage(void)
{
	file[0x1fe] = 0x55;
	file[0x1ff] = 0xaa;
	memcpy(file + 0x202, "HdrS", 4);
}

static void elf(void)
{
	memcpy(file, "\177ELF", 4);
}

static void expect(const char *name, uint32_t len, uint32_t want, const char *why_has)
{
	const char *why;
	uint32_t got;

	t_begin(name);
	got = proto_detect(file, len, &why);
	CHECK(got == want, "detected %s, want %s", proto_name(got), proto_name(want));
	if (why_has)
		CHECK(why && strstr(why, why_has), "reason \"%s\" does not say \"%s\"",
		      why ? why : "(none)", why_has);
	else
		CHECK(!why, "a reason (\"%s\") with a detection", why);
	t_end();
	memset(file, 0, sizeof(file));
}

static void test_detect(void)
{
	elf();
	expect("elf_alone_is_own", 4096, PROTO_OWN, NULL);
	bzimage();
	expect("bzimage", 4096, PROTO_LINUX, NULL);
	bzimage();
	file[0x1fe] = 0x54;
	expect("bzimage_without_boot_flag_is_nothing", 4096, PROTO_AUTO, "no ELF magic");
	elf();
	mb1(4096, 3, 1);
	expect("multiboot1_in_an_elf_wins_over_own", 8192, PROTO_MULTIBOOT1, NULL);
	elf();
	mb1(8192 - 12, 0, 1);
	expect("multiboot1_at_the_last_place_it_may_be", 16384, PROTO_MULTIBOOT1, NULL);
	elf();
	mb1(8192, 0, 1);
	expect("multiboot1_past_8_kib_is_not_seen", 16384, PROTO_OWN, NULL);
	elf();
	mb1(4098, 0, 1);
	expect("multiboot1_not_4_byte_aligned_is_not_seen", 8192, PROTO_OWN, NULL);
	mb1(64, 0, 0);
	expect("multiboot1_bad_checksum_is_named", 8192, PROTO_AUTO,
	       "Multiboot1 header magic with a bad checksum");
	elf();
	mb1(64, 0, 0);
	expect("multiboot1_bad_checksum_falls_back_to_elf", 8192, PROTO_OWN, NULL);
	elf();
	mb1(128, 0, 1);
	mb2(256, 24, 1);
	expect("multiboot2_wins_over_multiboot1", 8192, PROTO_MULTIBOOT2, NULL);
	mb2(32768 - 16, 16, 1);
	expect("multiboot2_at_the_last_place_it_may_be", 40000, PROTO_MULTIBOOT2, NULL);
	mb2(32768, 16, 1);
	expect("multiboot2_past_32_kib_is_not_seen", 40000, PROTO_AUTO, "no Multiboot2");
	mb2(260, 16, 1);
	expect("multiboot2_not_8_byte_aligned_is_not_seen", 8192, PROTO_AUTO, "no Multiboot2");
	mb2(256, 16, 0);
	mb1(512, 0, 1);
	expect("multiboot2_bad_checksum_then_multiboot1", 8192, PROTO_MULTIBOOT1, NULL);
	mb2(256, 16, 0);
	expect("multiboot2_bad_checksum_is_named", 8192, PROTO_AUTO,
	       "Multiboot2 header magic with a bad checksum");
	bzimage();
	mb1(1024, 0, 1);
	expect("multiboot1_wins_over_bzimage", 8192, PROTO_MULTIBOOT1, NULL);
	mb2(8, 16, 1);
	expect("a_header_cut_by_the_end_of_the_file_is_not_seen", 20, PROTO_AUTO, "no ELF magic");
	expect("empty_file", 0, PROTO_AUTO, "no ELF magic");
}

/* An RSDP at off: "RSD PTR ", checksum over 20 bytes; from revision 2 a
 * length and an extended checksum over it. */
static void rsdp(uint8_t *area, size_t off, uint8_t revision, uint32_t length, int good1,
		 int good2)
{
	uint8_t *p = area + off, s = 0;

	memcpy(p, "RSD PTR ", 8);
	memcpy(p + 9, "OEMXYZ", 6);
	p[15] = revision;
	put32(p + 16, 0x12345678);
	for (int i = 0; i < 20; i++) /* p[8], the checksum byte, still 0 */
		s += p[i];
	p[8] = (uint8_t)(-s + (good1 ? 0 : 1));
	if (revision >= 2) {
		put32(p + 20, length);
		p[32] = 0;
		s = 0;
		for (uint32_t i = 0; i < length; i++)
			s += p[i];
		p[32] = (uint8_t)(-s + (good2 ? 0 : 1));
	}
}

static void rsdp_case(const char *name, s32 want)
{
	t_begin(name);
	s32 got = acpi_rsdp_scan(file, 4096);
	CHECK(got == want, "found at %d, want %d", got, want);
	t_end();
	memset(file, 0, sizeof(file));
}

static void test_rsdp(void)
{
	rsdp(file, 0x40, 0, 0, 1, 1);
	rsdp_case("rsdp_v1", 0x40);
	rsdp(file, 0x40, 0, 0, 0, 1);
	rsdp_case("rsdp_v1_bad_checksum", -1);
	rsdp(file, 0x48, 0, 0, 1, 1);
	rsdp_case("rsdp_not_16_byte_aligned", -1);
	rsdp(file, 0x40, 2, 36, 1, 1);
	rsdp_case("rsdp_v2", 0x40);
	rsdp(file, 0x40, 2, 36, 1, 0);
	rsdp_case("rsdp_v2_bad_extended_checksum", -1);
	rsdp(file, 0x40, 2, 36, 0, 1);
	rsdp(file, 0x80, 2, 36, 1, 1);
	rsdp_case("rsdp_first_bad_second_good", 0x80);
	rsdp(file, 4096 - 32, 2, 36, 1, 1);
	rsdp_case("rsdp_v2_past_the_area_end", -1);
	rsdp(file, 0x40, 2, 20, 1, 1);
	rsdp_case("rsdp_v2_length_too_small", -1);
}

int main(void)
{
	test_detect();
	test_rsdp();
	return t_exit_status();
}
