/*
 * The head's C part: everything stage2 needs before its body exists.  The
 * MBR loaded the head (and checked its sum); this reads the body that
 * follows it on the disk into the bounce buffer, checks the CRC-32 of the
 * whole stage2 as stored (the image builder or installer patched it in last),
 * unpacks the body to its link address, and calls it.
 */
#include "console.h"
#include "crc32.h"
#include "disk.h"
#include "head.h"
#include "io.h"
#include "layout.h"

struct disk boot_disk;

/* From the link script (absolute symbols: their addresses are the values). */
extern char head_text_size[], head_data_start[], head_data_size[], head_image_end[];
extern char body_text_start[], body_text_size[], body_data_start[], body_data_size[];

_Static_assert(STAGE2_LOAD_SEG << 4 == STAGE2_LOAD_ADDR, "layout.h: STAGE2_LOAD_SEG");
_Static_assert(STAGE2_CODE_SEG << 4 == STAGE2_CODE_BASE, "layout.h: STAGE2_CODE_SEG");
_Static_assert(STAGE2_LOAD_ADDR + STAGE2_HEAD_MAX_SECTORS * SECTOR_SIZE <= STAGE2_CODE_BASE,
	       "the loaded head must lie below the code segment it moves into");
_Static_assert(STAGE2_BODY_MAX_SECTORS * SECTOR_SIZE <= BOUNCE_BUF_SIZE,
	       "the stored body must fit the bounce buffer");

void stage2_main(u32 mbr_dx, u32 mbr_cx);
void stage2_head(u32 mbr_dx, u32 mbr_cx);

/* The CRC-32 of the head as stored, computed from where entry.asm moved
 * it (.bss may cover the MBR's load address by now): its code, with the
 * CRC field as 0, its data, and the zeros that pad it to a sector.  Done
 * before anything writes to the head's data. */
static u32 head_crc32(void)
{
	static const u8 zero[16];
	const u8 *code = phys(STAGE2_CODE_BASE);
	u32 text = (u32)(uintptr_t)head_text_size, data = (u32)(uintptr_t)head_data_size;
	u32 at = (u32)(uintptr_t)&hdr_crc32, field = sizeof(u32);
	u32 pad = (u32)(uintptr_t)head_image_end - STAGE2_LOAD_ADDR - text - data;
	u32 crc;

	crc = crc32_update(0, code, at);
	crc = crc32_update(crc, zero, field);
	crc = crc32_update(crc, code + at + field, text - at - field);
	crc = crc32_update(crc, head_data_start, data);
	for (; pad > sizeof(zero); pad -= sizeof(zero))
		crc = crc32_update(crc, zero, sizeof(zero));
	return crc32_update(crc, zero, pad);
}

void stage2_head(u32 mbr_dx, u32 mbr_cx)
{
	u8 drive = (u8)mbr_dx;
	u32 text_size = (u32)(uintptr_t)body_text_size;
	u32 data_size = (u32)(uintptr_t)body_data_size;
	u32 body_size = text_size + data_size;
	u8 *text = phys(STAGE2_CODE_BASE + (u32)(uintptr_t)body_text_start);
	u32 head_sectors = STAGE2_HDR(u16, hdr_head_sectors);
	u32 body_sectors = STAGE2_HDR(u32, hdr_body_sectors);
	u32 body_csize = STAGE2_HDR(u32, hdr_body_csize);
	u32 format = STAGE2_HDR(u16, hdr_body_format);
	u32 crc_want = STAGE2_HDR(u32, hdr_crc32);
	u32 crc = head_crc32();
	u64 bad;

	post(POST_STAGE2);
	console_init();
	outb(DEBUGCON_PORT, '\n'); /* after the MBR's 'M' there */
	if (disk_init(&boot_disk, drive))
		die("boot drive 0x%x: the BIOS reports neither INT 13h extensions nor a "
		    "CHS geometry",
		    drive);
	if (body_sectors > STAGE2_BODY_MAX_SECTORS || body_csize > body_sectors * SECTOR_SIZE)
		die("stage2 corrupt: the header says %u body sectors, %u bytes", body_sectors,
		    body_csize);
	if (disk_read(&boot_disk, STAGE2_HDR(u64, hdr_stage2_lba) + head_sectors, body_sectors,
		      BOUNCE_BUF_ADDR, &bad))
		die("disk read error at LBA %llu (drive 0x%x)", bad, drive);
	crc = crc32_update(crc, phys(BOUNCE_BUF_ADDR), body_sectors * SECTOR_SIZE);
	if (crc != crc_want)
		die("stage2 corrupt: its CRC-32 is 0x%08x, the image says 0x%08x", crc, crc_want);
	if (format != STAGE2_BODY_STORED || body_csize != body_size)
		die("stage2 corrupt: body format %u, %u of %u bytes", format, body_csize,
		    body_size);
	/* The body is its code, then its data: the code lands in place and the
	 * data, which lands after it, moves down to its home below 64 KiB. */
	memcpy(text, phys(BOUNCE_BUF_ADDR), body_size);
	memcpy(body_data_start, text + text_size, data_size);
	stage2_main(mbr_dx, mbr_cx);
}
