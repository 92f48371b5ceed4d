/*
 * The head's C part: everything stage2 needs before its body exists.  The
 * MBR loaded the core (this head and the body's DEFLATE stream after it) and
 * checked its sum; this inflates the body to its link address, checks the
 * CRC-32 of what came out against the one tools/pack-stage2 computed, moves
 * the body's data to its home below 64 KiB, clears the body's .bss and calls
 * the body.  The console and the disk are the body's: a failure here goes
 * out through head_fail (stage2/entry.asm).
 */
#include "crc32.h"
#include "head.h"
#include "inflate.h"
#include "io.h"
#include "layout.h"

/* From the link script (absolute symbols: their addresses are the values). */
extern char head_image_size[], bss_start[], bss_end[], head_bss_end[];
extern char body_text_start[], body_text_size[], body_data_start[], body_data_size[];

_Noreturn void head_fail(const char *what, const char *why);
void stage2_main(u32 mbr_dx, u32 mbr_cx);
void stage2_head(u32 mbr_dx, u32 mbr_cx);

_Static_assert(STAGE2_LOAD_SEG << 4 == STAGE2_LOAD_ADDR, "layout.h: STAGE2_LOAD_SEG");
_Static_assert(STAGE2_CODE_SEG << 4 == STAGE2_CODE_BASE, "layout.h: STAGE2_CODE_SEG");
_Static_assert(STAGE2_CODE_MAX + STAGE2_DATA_LIMIT <= LOADER_HEAP_END - LOADER_HEAP_BASE,
	       "the body unpacks into the heap");
_Static_assert(STAGE2_LOAD_ADDR + STAGE2_CORE_MAX_SECTORS * SECTOR_SIZE <= STAGE2_STACK_TOP -
		       STAGE2_HEAD_STACK,
	       "the loaded core must end below the stack the head runs on");

static u32 crc32_tables[CRC32_SLICES][CRC32_TABLE_ENTRIES];

u32 stage2_crc32(const void *data, u32 len)
{
	return crc32_update_slice4(crc32_tables, 0, data, len);
}

void retire_code(u32 addr, u32 len)
{
	memcpy(phys(addr), phys(addr), len);
}

void stage2_head(u32 mbr_dx, u32 mbr_cx)
{
	static char detail[48];
	struct inflate_result r;
	u32 text_size = (u32)(uintptr_t)body_text_size;
	u32 data_size = (u32)(uintptr_t)body_data_size;
	/* Into the heap first, not straight into the code segment, whose
	 * first page after the head holds the head's code (see
	 * retire_code()); then home. */
	u8 *unpacked = phys(LOADER_HEAP_BASE);
	const char *err;

	err = inflate_raw(phys(STAGE2_LOAD_ADDR + (u32)(uintptr_t)head_image_size),
			  STAGE2_HDR(u32, hdr_body_csize), unpacked, text_size + data_size, &r);
	if (err)
		head_fail(err, "");
	if (r.out_len != text_size + data_size)
		head_fail("the body unpacks to the wrong size", "");
	crc32_slice4_init(crc32_tables);
	if (stage2_crc32(unpacked, r.out_len) != STAGE2_HDR(u32, hdr_body_crc32)) {
		/* No formatter in the head: the expected value, in hex. */
		u32 want = STAGE2_HDR(u32, hdr_body_crc32);
		for (int i = 0; i < 8; i++)
			detail[i] = "0123456789abcdef"[(want >> (28 - 4 * i)) & 15];
		head_fail("the body's CRC-32 is not the header's 0x", detail);
	}
	u32 text = STAGE2_CODE_BASE + (u32)(uintptr_t)body_text_start;
	retire_code_below(text);
	memcpy(phys(text), unpacked, text_size);
	memcpy(body_data_start, unpacked + text_size, data_size);
	/* The loaded core is dead now, so the body's .bss may cover it, and
	 * the MBR's page too. */
	if ((u32)(uintptr_t)bss_end > (MBR_LOAD_ADDR & ~(PAGE_SIZE - 1)))
		retire_code(MBR_LOAD_ADDR, SECTOR_SIZE);
	memset(head_bss_end, 0, (u32)(bss_end - head_bss_end));
	stage2_main(mbr_dx, mbr_cx);
}
