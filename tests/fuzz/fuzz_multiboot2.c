/*
 * libFuzzer harness for Multiboot2's pure half: the header parser
 * (mb2_header.c), the address tag (mb_common.c) and the information builder
 * (mb2_info.c).  Whatever the input, the parser either refuses with a
 * message or returns a header inside the file and the 32 KiB window with an
 * end tag, no required tag or information request it cannot honour, and an
 * address tag only beside an entry address tag; the structure built matches
 * the sizing pass and walks as 8-byte aligned tags to an end tag at
 * total_size.
 */
#include "fuzz_mb.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct mb2_header_info h;
	struct mb_error e;

	if (size > FUZZ_MAX)
		return 0;
	memcpy(fuzz_buf, data, size);
	uint64_t fsize = fuzz_file_size(data, size);
	uint32_t len = size < 32768 ? (uint32_t)size : 32768;
	for (uint32_t caps = 0; caps <= MB_CAP_VIDEO; caps++) {
		const char *err = mb2_parse_header(fuzz_buf, len, fsize, caps, &h, &e);
		if (err) {
			if (!*err)
				__builtin_trap();
			continue;
		}
		if (h.offset % 8 || h.length < 24 || h.offset + h.length > 32768 ||
		    h.offset + h.length > size || !(h.tags & 1))
			__builtin_trap();
		if (h.requests & ~(uint32_t)MB2_INFO_GIVEN)
			__builtin_trap();
		if (!caps && h.video.required)
			__builtin_trap();
		if (h.tags & 1u << MULTIBOOT2_HEADER_TAG_ADDRESS) {
			if (!(h.tags & 1u << MULTIBOOT2_HEADER_TAG_ENTRY_ADDRESS))
				__builtin_trap();
			check_layout(&h.addr, h.offset, h.length, fsize, 1);
		}
	}

	uint8_t *info;
	uint32_t n = fuzz_build(data, size, mb2_build_info, &info);
	if (n) {
		uint32_t total, off = 8;
		memcpy(&total, info, 4);
		if (total != n || total % 8)
			__builtin_trap();
		for (;;) {
			uint32_t t[2];
			if (off + 8 > total)
				__builtin_trap();
			memcpy(t, info + off, 8);
			if (t[1] < 8 || t[1] > total - off)
				__builtin_trap();
			if (t[0] == 0) {
				if (t[1] != 8 || off + 8 != total)
					__builtin_trap();
				break;
			}
			off += (t[1] + 7) & ~7u;
		}
		free(info);
	}
	return 0;
}
