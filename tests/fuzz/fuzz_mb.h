/*
 * What the two Multiboot fuzzers share (tests/fuzz/fuzz_multiboot1.c and
 * fuzz_multiboot2.c): the input copied to an aligned buffer, the address
 * fields' invariants, and an information structure built from the input's
 * bytes into a buffer of exactly the size the sizing pass gave (so
 * AddressSanitizer sees any write past it).
 */
#ifndef FUZZ_MB_H
#define FUZZ_MB_H

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "proto/mb.h"

#define FUZZ_MAX 65536
static _Alignas(8) uint8_t fuzz_buf[FUZZ_MAX];

/* The file's size as the parser is told it: usually the input's, sometimes
 * one past 4 GiB (a file stage2 could never read whole). */
static uint64_t fuzz_file_size(const uint8_t *data, size_t size)
{
	return size && (data[0] & 0x40) ? size + 0x100000000ull : size;
}

/* Layouts mb_address_layout accepts stay inside the file and below 4 GiB,
 * hold the header and the entry. */
static void check_layout(const struct mb_address *a, uint32_t hoff, uint32_t hsize,
			 uint64_t fsize, int mb2)
{
	struct mb_layout l;
	struct mb_error e;
	uint64_t f = fsize > 0xffffffffu ? 0xffffffffu : fsize;

	if (mb_address_layout(a, hoff, hsize, fsize, mb2, &l, &e))
		return;
	if ((uint64_t)l.file_offset + l.load_size > f)
		__builtin_trap();
	if ((uint64_t)l.load_addr + l.mem_size > 0x100000000ull || l.mem_size < l.load_size)
		__builtin_trap();
	if (a->entry_addr < l.load_addr || a->entry_addr - l.load_addr >= l.load_size)
		__builtin_trap();
	if (a->header_addr - l.load_addr != hoff - l.file_offset ||
	    (uint64_t)(hoff - l.file_offset) + hsize > l.load_size)
		__builtin_trap();
}

/* An information structure from the input's bytes: map entries, strings,
 * modules, a section table (pointing into the input), an RSDP or none. */
static uint8_t fuzz_rsdp[36];

static uint32_t fuzz_build(const uint8_t *data, size_t size,
			   uint32_t (*build)(const struct mb_info_input *, uint8_t *, uint32_t,
					     uint32_t),
			   uint8_t **out)
{
	static struct bootinfo_map_entry map[16];
	static struct boot_module mods[3];
	static char strings[4][64];
	struct mb_info_input in = { 0 };
	size_t at = 0;

	if (size < 8)
		return 0;
	uint32_t nmap = data[1] % 17, nmods = data[2] % 4, phys = (uint32_t)data[3] << 12;
	at = 8;
	for (uint32_t i = 0; i < nmap; i++) {
		map[i] = (struct bootinfo_map_entry){ 0 };
		if (at + 17 <= size) {
			memcpy(&map[i].base, data + at, 8);
			memcpy(&map[i].length, data + at + 8, 8);
			map[i].type = data[at + 16] % 9;
			at += 17;
		}
	}
	for (int i = 0; i < 4; i++) {
		size_t n = at < size ? (size - at < 63 ? size - at : data[at] % 64) : 0;
		if (n > 63)
			n = 63;
		memcpy(strings[i], data + at, n);
		strings[i][n] = 0;
		at += n;
	}
	for (uint32_t i = 0; i < nmods; i++)
		mods[i] = (struct boot_module){ (uint64_t)data[4] << 16, data[5] * 4099u,
						strings[(i + 2) & 3], strings[i & 3] };
	memcpy(fuzz_rsdp, "RSD PTR ", 8);
	fuzz_rsdp[15] = data[6] & 2;
	uint32_t len36 = 36;
	memcpy(fuzz_rsdp + 20, &len36, 4);
	uint32_t shnum = at < size ? (uint32_t)(size - at) / 40 : 0;
	in = (struct mb_info_input){ .map = map, .map_count = nmap,
				     .cmdline = data[7] & 1 ? 0 : strings[0],
				     .loader_name = strings[1], .boot_drive = data[4],
				     .boot_part = data[7] & 2 ? MB_NO_PART : data[5],
				     .mods = mods, .nmods = nmods,
				     .shdrs = shnum ? data + at : 0, .shnum = shnum,
				     .shentsize = 40,
				     .shndx = data[6], .rsdp = data[6] & 1 ? fuzz_rsdp : 0,
				     .text_cols = data[7] & 4 ? 80 : 0, .text_rows = 25,
				     .load_base = phys };
	uint32_t need = build(&in, 0, 0, phys);
	uint8_t *buf = malloc(need ? need : 1);
	if (build(&in, buf, need, phys) != need)
		__builtin_trap();
	*out = buf;
	return need;
}

#endif
