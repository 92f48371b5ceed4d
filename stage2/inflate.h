/*
 * DEFLATE (RFC 1951) and gzip (RFC 1952) decoding, pure: input and output
 * are plain pointers (in stage2 flat physical addresses, both possibly above
 * 1 MiB), nothing else is touched but the workspace below, so the same source
 * builds into stage2, the host tests and the fuzz harness.
 *
 * Every input byte, code-length set, length and distance is checked: any
 * input either decodes or ends in a message naming what is wrong; the decoder
 * never writes outside out[0..out_cap) and never reads outside in[0..in_len)
 * or before out[0].
 *
 * Workspace: the decode tables (built at run time, nothing initialised) live
 * in one static block of INFLATE_WORKSPACE_BYTES in .bss; the functions are
 * therefore not reentrant.  Stack: under 300 bytes at the deepest call.
 */
#ifndef STAGE2_INFLATE_H
#define STAGE2_INFLATE_H

#include "types.h"

/* 2 KiB literal/length lookup + 512 bytes distance lookup, 640 bytes of
 * symbol lists, 64 of code counts and 320 for the code lengths of a block
 * header; gunzip's CRC-32 table reuses the lookups after decoding.
 * inflate.c asserts this figure. */
#define INFLATE_WORKSPACE_BYTES 3584

struct inflate_result {
	u32 out_len; /* bytes written to out (on an error: how far it got) */
	u32 in_used; /* on success, bytes of in up to and including the one
			holding the last bit of the final block; what follows
			(a gzip trailer, say) is the caller's */
};

/* RFC 1951 raw DEFLATE: decodes in[0..in_len) into out[0..out_cap).
 * Returns NULL on success, else a message such as "deflate: distance 40000
 * too far back (100 bytes written)" or "deflate: input truncated (512
 * bytes)"; the message lives in a static buffer until the next call. */
const char *inflate_raw(const u8 *in, u32 in_len, u8 *out, u32 out_cap, struct inflate_result *r);

/* RFC 1952: exactly one gzip member filling in[0..in_len): the header
 * (FTEXT, FHCRC checked, FEXTRA, FNAME, FCOMMENT; reserved flags refused), the
 * DEFLATE data, then the CRC-32 and ISIZE of the trailer checked.  Data after
 * the trailer, a second member included, is refused: the caller sizes out
 * from the last four bytes of the file (gzip_isize), which only describe the
 * whole file when it is one member.  *out_len is set on success, else 0;
 * errors of the DEFLATE data come as inflate_raw's messages. */
const char *gunzip(const u8 *in, u32 in_len, u8 *out, u32 out_cap, u32 *out_len);

/* 1 if in starts like a gzip member of DEFLATE data (1F 8B 08). */
int gzip_detect(const u8 *in, u32 len);

/* ISIZE from the trailer (the last four bytes: the uncompressed size mod
 * 2^32), for sizing the destination first; 0 when len cannot hold a header
 * and a trailer. */
u32 gzip_isize(const u8 *in, u32 len);

#endif
