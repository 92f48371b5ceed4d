/* The parts of the gzip file format (RFC 1952) the loader reads. */
#ifndef GZIP_H
#define GZIP_H

#include "types.h"

#define GZIP_ID1 0x1f
#define GZIP_ID2 0x8b
#define GZIP_CM_DEFLATE 8

/* FLG bits */
#define GZIP_FTEXT 0x01
#define GZIP_FHCRC 0x02     /* CRC16 (low half of the CRC-32) of the header follows */
#define GZIP_FEXTRA 0x04    /* XLEN (2 bytes) and XLEN bytes of subfields follow */
#define GZIP_FNAME 0x08     /* zero-terminated original file name follows */
#define GZIP_FCOMMENT 0x10  /* zero-terminated comment follows */
#define GZIP_FRESERVED 0xe0 /* "must be zero"; a decoder must refuse a member that sets them */

/* The fixed part of a member header; the optional fields follow in the
 * order FEXTRA, FNAME, FCOMMENT, FHCRC, then the DEFLATE data. */
struct gzip_header {
	u8 id1;    /* 0: GZIP_ID1 */
	u8 id2;    /* 1: GZIP_ID2 */
	u8 cm;     /* 2: GZIP_CM_DEFLATE */
	u8 flg;    /* 3 */
	u32 mtime; /* 4 */
	u8 xfl;    /* 8 */
	u8 os;     /* 9 */
} __attribute__((packed));
_Static_assert(sizeof(struct gzip_header) == 10, "gzip_header");

/* After the DEFLATE data: CRC-32 of the uncompressed data, then ISIZE (its
 * size mod 2^32), both little-endian. */
struct gzip_trailer {
	u32 crc32; /* 0 */
	u32 isize; /* 4 */
} __attribute__((packed));
_Static_assert(sizeof(struct gzip_trailer) == 8, "gzip_trailer");

#endif
