/*
 * Which protocol a kernel file speaks, from its first bytes (pure: the host
 * tests and fuzzers run this file as it is).  The specifications' search
 * windows and alignments: Multiboot2, an 8-byte aligned header in the first
 * 32768 bytes (magic, architecture, header length, checksum summing to 0);
 * Multiboot1, a 4-byte aligned header in the first 8192 bytes (magic, flags,
 * checksum summing to 0); Linux, 0xAA55 at 0x1FE and "HdrS" at 0x202; ELF,
 * its magic.  A magic whose checksum does not add up is not a header, as in
 * GRUB, but it is remembered for the message when nothing else matches.
 */
#include "boot.h"
#include "multiboot.h"
#include "multiboot2.h"
#include "linux_boot.h"

static u32 get32(const u8 *p)
{
	return (u32)p[0] | (u32)p[1] << 8 | (u32)p[2] << 16 | (u32)p[3] << 24;
}

u32 proto_detect(const u8 *head, u32 len, const char **why)
{
	const char *near_miss = 0;

	*why = 0;
	for (u32 off = 0; off + 16 <= len && off < MULTIBOOT2_SEARCH; off += MULTIBOOT2_ALIGN) {
		const u8 *h = head + off;
		if (get32(h) != MULTIBOOT2_HEADER_MAGIC)
			continue;
		if (get32(h) + get32(h + 4) + get32(h + 8) + get32(h + 12) == 0)
			return PROTO_MULTIBOOT2;
		near_miss = "a Multiboot2 header magic with a bad checksum";
	}
	for (u32 off = 0; off + 12 <= len && off < MULTIBOOT_SEARCH; off += MULTIBOOT_HEADER_ALIGN) {
		const u8 *h = head + off;
		if (get32(h) != MULTIBOOT_HEADER_MAGIC)
			continue;
		if (get32(h) + get32(h + 4) + get32(h + 8) == 0)
			return PROTO_MULTIBOOT1;
		if (!near_miss)
			near_miss = "a Multiboot1 header magic with a bad checksum";
	}
	if (len >= LINUX_SETUP_HEADER_END && head[LINUX_BOOT_FLAG_OFF] == 0x55 &&
	    head[LINUX_BOOT_FLAG_OFF + 1] == 0xaa && get32(head + LINUX_HEADER_OFF) == LINUX_HEADER_MAGIC)
		return PROTO_LINUX;
	if (len >= 4 && head[0] == 0x7f && head[1] == 'E' && head[2] == 'L' && head[3] == 'F')
		return PROTO_OWN;
	*why = near_miss ? near_miss
			 : "no Multiboot2 or Multiboot1 header, no Linux setup header and no ELF "
			   "magic";
	return PROTO_AUTO;
}

const char *proto_name(u32 proto)
{
	static const char *const names[PROTO_COUNT] = {
		[PROTO_AUTO] = "auto", [PROTO_OWN] = "own", [PROTO_MULTIBOOT1] = "multiboot1",
		[PROTO_MULTIBOOT2] = "multiboot2", [PROTO_LINUX] = "linux",
	};
	return proto < PROTO_COUNT ? names[proto] : "unknown";
}
