/*
 * CRC-32 (IEEE 802.3: reflected polynomial 0xEDB88320, init and final xor
 * 0xFFFFFFFF).  Shared by stage2, the example kernel and the image builder;
 * boot/mbr.asm computes the same function in asm and the boot tests prove the
 * two agree.  Two forms of the same function: bit at a time (no table, for
 * small buffers), and table-driven for bulk data such as gzip'd kernels, with
 * its 1 KiB table built at run time into storage the caller provides, because
 * stage2 carries no initialised tables.
 */
#ifndef CRC32_H
#define CRC32_H

#include <stddef.h>
#include <stdint.h>

#define CRC32_POLY_REFLECTED 0xedb88320u

/* Eight steps of the polynomial division: a byte's worth. */
static inline uint32_t crc32_shift8(uint32_t crc)
{
	for (int bit = 0; bit < 8; bit++)
		crc = (crc >> 1) ^ (CRC32_POLY_REFLECTED & -(crc & 1));
	return crc;
}

static inline uint32_t crc32_update(uint32_t crc, const void *data, size_t len)
{
	const uint8_t *p = data;

	crc = ~crc;
	while (len--)
		crc = crc32_shift8(crc ^ *p++);
	return ~crc;
}

static inline uint32_t crc32(const void *data, size_t len)
{
	return crc32_update(0, data, len);
}

#define CRC32_TABLE_ENTRIES 256 /* one per byte value: 1 KiB */

/* table[b] = the eight steps of crc32_shift8 applied to b alone. */
static inline void crc32_table_init(uint32_t table[CRC32_TABLE_ENTRIES])
{
	for (uint32_t b = 0; b < CRC32_TABLE_ENTRIES; b++)
		table[b] = crc32_shift8(b);
}

/* Same result as crc32_update(crc, data, len), a byte per step. */
static inline uint32_t crc32_update_table(const uint32_t table[CRC32_TABLE_ENTRIES], uint32_t crc,
					  const void *data, size_t len)
{
	const uint8_t *p = data;

	crc = ~crc;
	while (len--)
		crc = table[(crc ^ *p++) & 0xff] ^ (crc >> 8);
	return ~crc;
}

/* Four bytes a step ("slicing by 4"): tables[k][b] is the CRC register
 * after b followed by k zero bytes, so one dword of input costs four lookups
 * instead of four dependent byte steps.  About half the instructions of the
 * byte-wise form per byte, for a 4 KiB table set. */
#define CRC32_SLICES 4

static inline void crc32_slice4_init(uint32_t tables[CRC32_SLICES][CRC32_TABLE_ENTRIES])
{
	crc32_table_init(tables[0]);
	for (uint32_t b = 0; b < CRC32_TABLE_ENTRIES; b++)
		for (int k = 1; k < CRC32_SLICES; k++)
			tables[k][b] = (tables[k - 1][b] >> 8) ^ tables[0][tables[k - 1][b] & 0xff];
}

/* Same result as crc32_update(crc, data, len). */
static inline uint32_t crc32_update_slice4(const uint32_t tables[CRC32_SLICES][CRC32_TABLE_ENTRIES],
					   uint32_t crc, const void *data, size_t len)
{
	const uint8_t *p = data;

	crc = ~crc;
	for (; len >= 4; len -= 4, p += 4) {
		crc ^= p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
		crc = tables[3][crc & 0xff] ^ tables[2][(crc >> 8) & 0xff] ^
		      tables[1][(crc >> 16) & 0xff] ^ tables[0][crc >> 24];
	}
	while (len--)
		crc = tables[0][(crc ^ *p++) & 0xff] ^ (crc >> 8);
	return ~crc;
}

#endif
