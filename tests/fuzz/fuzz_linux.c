/*
 * libFuzzer harness for the Linux setup header checks and the zero-page
 * builder (stage2/proto/linux_header.c).  The input is a kernel file's first
 * bytes; its last byte picks a claimed file size larger than what the head
 * holds (stage2 reads at most 32 KiB before deciding), so truncation and
 * size checks are both reached.  Any input must be refused with a message,
 * or yield a kernel whose numbers are safe to load: the protected-mode code
 * inside the file, the header inside the head and the zero page's hole,
 * alignments powers of two, the runtime range below 4 GiB.  Then the zero
 * page is built from it and checked.
 *
 * The same bytes are also a command line for linux_cmdline_vga(), checked
 * against a second reading made here with the C library's strtoul.
 */
#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "e820.h"
#include "proto/linux_header.h"
#include "proto/linux_video.h"

#define HEAD_MAX 32768

static int pow2(u32 v)
{
	return v && !(v & (v - 1));
}

static int blank(char c)
{
	return c == ' ' || c == '\t' || c == '\n' || c == '\r';
}

/* vga= read a second way: the last word that starts with it; a keyword, or
 * all of the value read by strtoul in base 0 (digits first: no sign, no
 * blanks) up to 0xFFFF. */
static int reference_vga(const char *s, u16 *vid, const char **value, u32 *len)
{
	const char *at = NULL;
	size_t n = 0;

	for (size_t i = 0; s[i];) {
		while (blank(s[i]))
			i++;
		size_t w = i;
		while (s[i] && !blank(s[i]))
			i++;
		if (i - w >= 4 && !strncmp(s + w, "vga=", 4)) {
			at = s + w + 4;
			n = i - w - 4;
		}
	}
	if (!at)
		return 0;
	*value = at;
	*len = (u32)n;
	char *buf = strndup(at, n), *end;
	int ret = -1;
	if (!strcmp(buf, "normal") || !strcmp(buf, "ext") || !strcmp(buf, "ask")) {
		*vid = buf[0] == 'n' ? 0xffff : buf[0] == 'e' ? 0xfffe : 0xfffd;
		ret = 1;
	} else if (n && buf[0] >= '0' && buf[0] <= '9') {
		errno = 0;
		unsigned long v = strtoul(buf, &end, 0);
		if (!errno && !*end && v <= 0xffff) {
			*vid = (u16)v;
			ret = 1;
		}
	}
	free(buf);
	return ret;
}

static void check_vga(const uint8_t *data, size_t size)
{
	char *line = malloc(size + 1);
	u16 vid = 0x1234, rvid = 0x1234;
	const char *value = NULL, *rvalue = NULL;
	u32 len = 0, rlen = 0;

	memcpy(line, data, size);
	line[size] = 0;
	int ret = linux_cmdline_vga(line, &vid, &value, &len);
	int rret = reference_vga(line, &rvid, &rvalue, &rlen);
	if (ret != rret || (ret && (value != rvalue || len != rlen)) || (ret == 1 && vid != rvid))
		__builtin_trap();
	free(line);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct bootinfo bi;
	static struct linux_boot_params zp;
	struct linux_kernel k;
	u32 detail[2];
	u32 len = size < HEAD_MAX ? (u32)size : HEAD_MAX;
	u64 file_size = size;

	check_vga(data, size);
	if (size && data[size - 1] & 1)
		file_size += (u64)data[size - 1] << (data[size - 1] & 0x3e);
	/* An exact-size copy: a read past the head is a heap overflow. */
	uint8_t *head = malloc(len ? len : 1);
	memcpy(head, data, len);
	const char *err = linux_parse(head, len, file_size, &k, detail);
	if (err) {
		if (!*err)
			__builtin_trap();
		free(head);
		return 0;
	}
	if (k.version < LINUX_PROTOCOL_MIN || k.header_end > len ||
	    k.header_end > LINUX_SETUP_HEADER_MAX_END || k.header_end < LINUX_HDR_END(cmdline_size))
		__builtin_trap();
	if (!k.pm_size || k.pm_offset >= file_size || k.pm_size > file_size - k.pm_offset)
		__builtin_trap();
	if (!pow2(k.align) || !pow2(k.min_align) || k.min_align > k.align || k.align < 4096)
		__builtin_trap();
	if (k.pref_address < 0x100000 || k.pref_address & (k.align - 1) ||
	    k.init_size < k.pm_size || (u64)k.pref_address + k.init_size > 0x100000000ull)
		__builtin_trap();

	/* The zero page from it, with a map taken from the input too. */
	memset(&bi, 0, sizeof(bi));
	bi.source = size ? 1 + data[0] % 3 : BOOTINFO_SOURCE_E820;
	bi.quirks.e820_end = size > 1 ? data[1] % 6 : E820_END_EBX_ZERO;
	bi.raw_count = size > 2 ? data[2] % (BOOTINFO_RAW_MAX + 1) : 0;
	for (u32 i = 0; i < bi.raw_count; i++)
		bi.raw[i] = (struct bootinfo_raw_entry){ (u64)i << 32 | i, i * 4096ull, i ^ 0x55, 1,
							  24, 0 };
	bi.quirks.e801_low_kib = size > 4 ? data[3] | data[4] << 8 : 0;
	bi.quirks.e801_high_64k = size > 6 ? data[5] | data[6] << 8 : 0;
	struct linux_placement p = { k.pref_address, k.align, 0x61000, 0, 0 };
	linux_zero_page(&zp, head, &k, &p, &bi);
	if (memcmp((u8 *)&zp + LINUX_HDR_AT(header), head + LINUX_HDR_AT(header), 4) ||
	    zp.hdr.type_of_loader != LINUX_LOADER_UNDEFINED || zp.hdr.cmd_line_ptr != 0x61000 ||
	    zp.e820_entries > LINUX_E820_MAX || zp.sentinel)
		__builtin_trap();
	for (u32 i = k.header_end; i < LINUX_SETUP_HEADER_MAX_END; i++)
		if (((u8 *)&zp)[i])
			__builtin_trap();
	if (zp.e820_entries && (bi.source != BOOTINFO_SOURCE_E820 ||
				bi.quirks.e820_end == E820_END_NO_SMAP))
		__builtin_trap();
	free(head);
	return 0;
}
