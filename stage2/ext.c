/* Loading stage2's extension; see ext.h. */
#include "ext.h"
#include "console.h"
#include "head.h"
#include "inflate.h"
#include "io.h"
#include "layout.h"
#include "physmem.h"

extern char ext_text_start[], ext_text_size[], ext_data_start[], ext_data_size[];

void ext_require(const char *what)
{
	static int loaded;
	u32 sectors = STAGE2_HDR(u32, hdr_ext_sectors);
	u32 text_size = (u32)(uintptr_t)ext_text_size, data_size = (u32)(uintptr_t)ext_data_size;
	u32 size = text_size + data_size;
	struct inflate_result r;
	const char *err;
	u64 bad;

	if (loaded)
		return;
	if (!sectors)
		die("%s needs this loader's extension (Multiboot, Linux, video modes, gzip), which "
		    "is not installed on this disk: the gap before its first partition is too "
		    "small (partition 1 at LBA 63?); install to a disk whose first partition "
		    "starts at LBA 2048",
		    what);
	/* The stream into the heap, the code and data it inflates to into the
	 * bounce buffer (free between reads), then each part home. */
	u8 *stream = heap_alloc(sectors * SECTOR_SIZE);
	u64 lba = STAGE2_HDR(u64, hdr_stage2_lba) + STAGE2_HDR(u32, hdr_core_sectors);
	if (disk_read_to(&boot_disk, lba, sectors, stream, &bad))
		die("disk read error at LBA %llu (drive 0x%x) reading stage2's extension", bad,
		    boot_disk.drive);
	u8 *out = phys(BOUNCE_BUF_ADDR);
	err = inflate_raw(stream, STAGE2_HDR(u32, hdr_ext_csize), out, BOUNCE_BUF_SIZE, &r);
	if (err)
		die("stage2's extension is corrupt: %s", err);
	if (r.out_len != size || stage2_crc32(out, size) !=
					 STAGE2_HDR(u32, hdr_ext_crc32))
		die("stage2's extension is corrupt: %u bytes with the wrong CRC-32 (%u expected)",
		    r.out_len, size);
	u32 text = STAGE2_CODE_BASE + (u32)(uintptr_t)ext_text_start;
	retire_code_below(text); /* the body's last code */
	memcpy(phys(text), out, text_size);
	memcpy(ext_data_start, out + text_size, data_size);
	loaded = 1;
}
