/* Loading stage2's extension; see ext.h. */
#include "ext.h"
#include "console.h"
#include "head.h"
#include "inflate.h"
#include "io.h"
#include "layout.h"
#include "physmem.h"

/* stage2/stage2.ld's symbols: addresses, and sizes and offsets in the
 * inflated image. */
extern char ext_text_start[], ext_text_size[], ext_proto_text_start[], ext_linux_text_offset[],
	ext_linux_text_size[], ext_mb_text_offset[], ext_mb_text_size[], ext_data_start[],
	ext_data_offset[], ext_data_size[], ext_image_size[];
#define LD(sym) ((u32)(uintptr_t)(sym))

/* The whole image, read, inflated into the bounce buffer (free between
 * reads) and checked. */
static const u8 *unpack(const char *what)
{
	u32 sectors = STAGE2_HDR(u32, hdr_ext_sectors);
	u32 size = LD(ext_image_size);
	struct inflate_result r;
	const char *err;
	u64 bad;

	if (!sectors)
		die("%s needs this loader's extension (Multiboot, Linux, video modes, gzip), which "
		    "is not installed on this disk: the gap before its first partition is too "
		    "small (partition 1 at LBA 63?); install to a disk whose first partition "
		    "starts at LBA 2048",
		    what);
	u8 *stream = heap_alloc(sectors * SECTOR_SIZE);
	u64 lba = STAGE2_HDR(u64, hdr_stage2_lba) + STAGE2_HDR(u32, hdr_core_sectors);
	if (disk_read_to(&boot_disk, lba, sectors, stream, &bad))
		die("disk read error at LBA %llu (drive 0x%x) reading stage2's extension", bad,
		    boot_disk.drive);
	u8 *out = phys(BOUNCE_BUF_ADDR);
	err = inflate_raw(stream, STAGE2_HDR(u32, hdr_ext_csize), out, BOUNCE_BUF_SIZE, &r);
	if (err)
		die("stage2's extension is corrupt: %s", err);
	if (r.out_len != size || stage2_crc32(out, size) != STAGE2_HDR(u32, hdr_ext_crc32))
		die("stage2's extension is corrupt: %u bytes with the wrong CRC-32 (%u expected)",
		    r.out_len, size);
	return out;
}

void ext_require(const char *what, enum ext_part part)
{
	static u8 have_common;
	static enum ext_part have_proto; /* EXT_COMMON: neither protocol */

	if (have_common && (part == EXT_COMMON || part == have_proto))
		return;
	/* The other protocol's code is in place, and may be running. */
	if (have_proto != EXT_COMMON)
		die("internal: %s needs the %s code of stage2's extension, which shares its place "
		    "with the %s code already loaded",
		    what, part == EXT_LINUX ? "Linux" : "Multiboot",
		    have_proto == EXT_LINUX ? "Linux" : "Multiboot");
	const u8 *out = unpack(what);
	if (!have_common) {
		/* The data only the first time: from then on it is in use. */
		u32 text = STAGE2_CODE_BASE + LD(ext_text_start);
		retire_code_below(text); /* the body's last code */
		memcpy(phys(text), out, LD(ext_text_size));
		memcpy(ext_data_start, out + LD(ext_data_offset), LD(ext_data_size));
		have_common = 1;
	}
	if (part != EXT_COMMON) {
		u32 text = STAGE2_CODE_BASE + LD(ext_proto_text_start);
		retire_code_below(text); /* the common part's last code, which may have run */
		if (part == EXT_LINUX)
			memcpy(phys(text), out + LD(ext_linux_text_offset), LD(ext_linux_text_size));
		else
			memcpy(phys(text), out + LD(ext_mb_text_offset), LD(ext_mb_text_size));
		have_proto = part;
	}
}
