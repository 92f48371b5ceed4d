/* See bootpatch.h. */
#include "bootpatch.h"

#include <string.h>

#include "crc32.h"
#include "layout.h"
#include "mbr_syms.h"
#include "stage2_syms.h"

#define STAGE2_MAGIC "STG2"
#define STAGE2_MAGIC_OFF 4

static uint32_t get16(const uint8_t *p)
{
	return (uint32_t)p[0] | (uint32_t)p[1] << 8;
}

static uint32_t get32(const uint8_t *p)
{
	return get16(p) | get16(p + 2) << 16;
}

static void put32(uint8_t *p, uint32_t v)
{
	for (int i = 0; i < 4; i++)
		p[i] = (uint8_t)(v >> (8 * i));
}

static void put64(uint8_t *p, uint64_t v)
{
	put32(p, (uint32_t)v);
	put32(p + 4, (uint32_t)(v >> 32));
}

int bootpatch_mbr_byte_is_code(unsigned offset)
{
	return offset < MBR_BPB_START || (offset >= MBR_BPB_END && offset < MBR_CODE_LIMIT);
}

const char *bootpatch_check_mbr(const uint8_t *mbr, size_t len)
{
	if (len != SECTOR_SIZE || mbr[MBR_BOOT_SIG_OFF] != 0x55 || mbr[MBR_BOOT_SIG_OFF + 1] != 0xaa)
		return "is not a 512-byte boot sector ending in 55 AA";
	for (unsigned i = 0; i < MBR_BOOT_SIG_OFF; i++)
		if (!bootpatch_mbr_byte_is_code(i) && mbr[i])
			return "has code or data in the BPB hole, the disk signature or the "
			       "partition table";
	return NULL;
}

const char *bootpatch_check_stage2(const uint8_t *s2, size_t len, uint32_t *sectors)
{
	if (len < STAGE2_SYM_head_image_size || len % SECTOR_SIZE ||
	    memcmp(s2 + STAGE2_MAGIC_OFF, STAGE2_MAGIC, 4))
		return "is not this project's stage2 (no STG2 header, or not whole sectors)";
	uint32_t core = get32(s2 + STAGE2_SYM_hdr_core_sectors);
	uint32_t ext = get32(s2 + STAGE2_SYM_hdr_ext_sectors);
	if (core > STAGE2_CORE_MAX_SECTORS || ext > len / SECTOR_SIZE ||
	    (core + (size_t)ext) * SECTOR_SIZE != len ||
	    STAGE2_SYM_head_image_size + get32(s2 + STAGE2_SYM_hdr_body_csize) >
		    (size_t)core * SECTOR_SIZE ||
	    get32(s2 + STAGE2_SYM_hdr_ext_csize) > (size_t)ext * SECTOR_SIZE)
		return "has a header that disagrees with its size (not packed by "
		       "tools/pack-stage2 from this build?)";
	*sectors = core + ext;
	return NULL;
}

uint32_t bootpatch_core_sectors(const uint8_t *s2)
{
	return get32(s2 + STAGE2_SYM_hdr_core_sectors);
}

void bootpatch_drop_ext(uint8_t *s2)
{
	put32(s2 + STAGE2_SYM_hdr_ext_sectors, 0);
	put32(s2 + STAGE2_SYM_hdr_ext_csize, 0);
}

uint32_t bootpatch_installed_sectors(const uint8_t *sector)
{
	_Static_assert(STAGE2_SYM_hdr_ext_sectors + 4 <= SECTOR_SIZE, "header in one sector");
	uint32_t core = get32(sector + STAGE2_SYM_hdr_core_sectors);
	uint32_t ext = get32(sector + STAGE2_SYM_hdr_ext_sectors);

	if (memcmp(sector + STAGE2_MAGIC_OFF, STAGE2_MAGIC, 4) || !core ||
	    core > STAGE2_CORE_MAX_SECTORS || ext > 0xffff)
		return 0;
	return core + ext;
}

void bootpatch_stage2(uint8_t *s2, size_t len, uint64_t stage2_lba, uint64_t kernel_lba,
		      uint64_t kernel_size, uint32_t boot_part)
{
	(void)len;
	put32(s2 + STAGE2_SYM_hdr_boot_part, boot_part);
	put64(s2 + STAGE2_SYM_hdr_stage2_lba, stage2_lba);
	put64(s2 + STAGE2_SYM_hdr_kernel_lba, kernel_lba);
	put64(s2 + STAGE2_SYM_hdr_kernel_size, kernel_size);
}

void bootpatch_mbr(uint8_t *mbr, const uint8_t *s2, uint64_t stage2_lba)
{
	uint32_t core = get32(s2 + STAGE2_SYM_hdr_core_sectors), sum = 0;

	for (size_t i = 0; i < (size_t)core * SECTOR_SIZE; i += 4)
		sum += get32(s2 + i);
	put32(mbr + (MBR_SYM_s2_lba - MBR_LOAD_ADDR), (uint32_t)stage2_lba);
	mbr[MBR_SYM_s2_sectors - MBR_LOAD_ADDR] = (uint8_t)core;
	put32(mbr + (MBR_SYM_s2_sum - MBR_LOAD_ADDR), sum);
}
