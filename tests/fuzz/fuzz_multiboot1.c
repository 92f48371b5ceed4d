/*
 * libFuzzer harness for Multiboot1's pure half: the header parser
 * (mb1_header.c), the address fields (mb_common.c), the ELF section table
 * and its placement (mb_common.c), and the information builder
 * (mb1_info.c).  Whatever the input, the parser either refuses with a
 * message or returns a header that lies in the search window and in the
 * file with no requirement the loader cannot honour; placed sections stay
 * in the file, in order, aligned and apart; the structure built matches the
 * size the sizing pass gave, and its memory map walks exactly.
 */
#include "fuzz_mb.h"

static int read_input(void *ctx, uint64_t off, void *dst, uint32_t len)
{
	size_t size = *(size_t *)ctx;

	if (off > size || len > size - off)
		return -1;
	memcpy(dst, fuzz_buf + off, len);
	return 0;
}

static uint64_t last_end;
static uint32_t last_addr, placed_base;

static void on_load(void *ctx, uint64_t off, uint32_t len, uint32_t addr)
{
	size_t size = *(size_t *)ctx;

	if (off > size || len > size - off || addr < last_end || addr < placed_base)
		__builtin_trap();
	last_end = (uint64_t)addr + len;
	last_addr = addr;
}

static void sections(size_t size)
{
	struct mb_elf_sections s;
	struct mb_error e;
	uint32_t total, total2;

	if (mb_elf_sections(read_input, &size, size, &s, &e) || !s.num)
		return;
	if ((uint64_t)s.offset + s.num * s.entsize > size || s.shndx >= s.num)
		__builtin_trap();
	uint8_t *table = malloc(s.num * s.entsize);
	memcpy(table, fuzz_buf + s.offset, s.num * s.entsize);
	if (!mb_elf_place(table, &s, size, 0, 0, 0, &total, &e)) {
		placed_base = 0x1000000;
		last_end = 0;
		if (mb_elf_place(table, &s, size, placed_base, on_load, &size, &total2, &e) ||
		    total2 != total || last_end > (uint64_t)placed_base + total)
			__builtin_trap();
	}
	free(table);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct mb1_header_info h;
	struct mb_error e;

	if (size > FUZZ_MAX)
		return 0;
	memcpy(fuzz_buf, data, size);
	uint64_t fsize = fuzz_file_size(data, size);
	uint32_t len = size < 32768 ? (uint32_t)size : 32768;
	for (uint32_t caps = 0; caps <= MB_CAP_VIDEO; caps++) {
		const char *err = mb1_parse_header(fuzz_buf, len, fsize, caps, &h, &e);
		if (err) {
			if (!*err)
				__builtin_trap();
			continue;
		}
		uint32_t need = h.flags & MULTIBOOT_VIDEO_MODE ? 48 : h.flags & 0x10000 ? 32 : 12;
		if (h.offset % 4 || h.offset + need > 8192 || h.offset + need > size)
			__builtin_trap();
		if (h.flags & 0xfff8 || (!caps && h.flags & MULTIBOOT_VIDEO_MODE))
			__builtin_trap();
		if (h.flags & MULTIBOOT_AOUT_KLUDGE)
			check_layout(&h.addr, h.offset, 32, fsize, 0);
	}
	if (size >= 64 && !memcmp(data, "\177ELF", 4))
		sections(size);

	uint8_t *info;
	uint32_t n = fuzz_build(data, size, mb1_build_info, &info);
	if (n) {
		uint32_t phys = (uint32_t)data[3] << 12, p, end;
		memcpy(&p, info + 48, 4);
		memcpy(&end, info + 44, 4);
		end += p;
		if (p < phys || end - phys > n)
			__builtin_trap();
		while (p < end) {
			uint32_t sz;
			memcpy(&sz, info + (p - phys), 4);
			if (sz != 20)
				__builtin_trap();
			p += sz + 4;
		}
		if (p != end)
			__builtin_trap();
		free(info);
	}
	return 0;
}
