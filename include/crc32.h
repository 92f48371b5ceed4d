/*
 * CRC-32 (IEEE 802.3: reflected polynomial 0xEDB88320, init and final xor
 * 0xFFFFFFFF), bit at a time: no 1 KiB table in a 31 KiB stage2.  Shared by
 * stage2, the example kernel and the image builder; boot/mbr.asm computes the
 * same function in asm and the boot tests prove the two agree.
 */
#ifndef CRC32_H
#define CRC32_H

#include <stddef.h>
#include <stdint.h>

#define CRC32_POLY_REFLECTED 0xedb88320u

static inline uint32_t crc32_update(uint32_t crc, const void *data, size_t len)
{
	const uint8_t *p = data;

	crc = ~crc;
	while (len--) {
		crc ^= *p++;
		for (int bit = 0; bit < 8; bit++)
			crc = (crc >> 1) ^ (CRC32_POLY_REFLECTED & -(crc & 1));
	}
	return ~crc;
}

static inline uint32_t crc32(const void *data, size_t len)
{
	return crc32_update(0, data, len);
}

#endif
