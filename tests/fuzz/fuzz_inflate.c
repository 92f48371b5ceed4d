/*
 * libFuzzer harness for the DEFLATE/gzip decoder (stage2/inflate.c),
 * differential against zlib.  The output buffer is allocated to exactly the
 * room the decoder is given and the input is libFuzzer's own exact buffer,
 * so AddressSanitizer sees any access outside either, before out[0]
 * included.  The first byte picks what the rest is:
 *
 *   mode 0, 1  a raw DEFLATE stream.  We accept exactly when zlib does
 *              (Z_STREAM_END within the same output room), and then the
 *              output and the end of the stream (in_used, zlib's total_in)
 *              are the same.
 *   mode 2     plain data that zlib compresses with the level, strategy,
 *              window and memLevel the next two bytes pick: the decoder must
 *              give it back exactly, and the stream cut at a point the data
 *              picks must be reported truncated.  Every input becomes a
 *              valid stream, so this mode needs no seeds.
 *   mode 3     a gzip file: we accept exactly when zlib (windowBits 31)
 *              decodes one member that ends at the end of the input, with
 *              the same output.
 *
 * The bits above the mode choose the output room (mode 0, 1, 3).  Any
 * disagreement prints both verdicts and traps.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <zlib.h>

#include "inflate.h"

/* Output room tops out at 256 KiB: bigger buffers only slow each run down. */
#define ROOM_MAX_LOG2 18

static void disagree(const char *what, const char *ours, int zret, const char *zmsg)
{
	fprintf(stderr, "fuzz_inflate: %s: we say \"%s\", zlib says %d (%s)\n", what,
		ours ? ours : "ok", zret, zmsg ? zmsg : "-");
	__builtin_trap();
}

/* Our messages are never empty and always say which layer speaks. */
static void check_message(const char *m)
{
	if (m && strncmp(m, "deflate: ", 9) && strncmp(m, "gzip: ", 6)) {
		fprintf(stderr, "fuzz_inflate: malformed message \"%s\"\n", m);
		__builtin_trap();
	}
}

/* zlib's verdict on in[0..n) with cap bytes of room. */
static int z_inflate(const u8 *in, size_t n, u8 *out, u32 cap, int wbits, uLong *out_len,
		     uLong *in_used, const char **zmsg)
{
	z_stream z;
	u8 dummy;
	int ret;

	memset(&z, 0, sizeof(z));
	if (inflateInit2(&z, wbits) != Z_OK)
		abort();
	z.next_in = (u8 *)(n ? in : &dummy);
	z.avail_in = (uInt)n;
	z.next_out = cap ? out : &dummy;
	z.avail_out = cap;
	ret = inflate(&z, Z_FINISH);
	*out_len = z.total_out;
	*in_used = z.total_in;
	*zmsg = z.msg;
	inflateEnd(&z);
	return ret;
}

/* Room from the mode byte's upper six bits: small values exactly, then
 * powers of two from 32 bytes up. */
static u32 room(u8 sel)
{
	sel >>= 2;
	if (sel < 32)
		return sel * 37u;
	return 1u << (sel - 32 + 5 > ROOM_MAX_LOG2 ? ROOM_MAX_LOG2 : sel - 32 + 5);
}

static void raw_mode(const u8 *in, size_t n, u32 cap)
{
	u8 *out = malloc(cap ? cap : 1), *zout = malloc(cap ? cap : 1);
	struct inflate_result r;
	uLong zlen, zused;
	const char *zmsg;
	const char *m = inflate_raw(in, (u32)n, out, cap, &r);
	int zret = z_inflate(in, n, zout, cap, -15, &zlen, &zused, &zmsg);

	check_message(m);
	if (r.out_len > cap)
		disagree("out_len past the room", m, zret, zmsg);
	if ((m == NULL) != (zret == Z_STREAM_END))
		disagree("raw verdicts differ", m, zret, zmsg);
	if (!m && (r.out_len != zlen || memcmp(out, zout, zlen)))
		disagree("raw outputs differ", m, zret, zmsg);
	if (!m && r.in_used != zused)
		disagree("raw stream ends differ", m, zret, zmsg);
	free(out);
	free(zout);
}

static void roundtrip_mode(const u8 *data, size_t size)
{
	static const int strategies[] = { Z_DEFAULT_STRATEGY, Z_FILTERED, Z_HUFFMAN_ONLY, Z_RLE,
					  Z_FIXED };
	struct inflate_result r;
	z_stream z;
	u8 *comp, *out;
	uLong bound, clen;
	const char *m;
	char want[64];

	if (size < 2)
		return;
	int level = data[0] % 10, strategy = strategies[data[0] / 10 % 5];
	int wbits = 9 + data[1] % 7, memlevel = 1 + data[1] / 7 % 9;
	const u8 *plain = data + 2;
	size_t n = size - 2;

	memset(&z, 0, sizeof(z));
	if (deflateInit2(&z, level, Z_DEFLATED, -wbits, memlevel, strategy) != Z_OK)
		abort();
	bound = deflateBound(&z, n) + 16;
	comp = malloc(bound);
	out = malloc(n ? n : 1);
	z.next_in = (u8 *)plain;
	z.avail_in = (uInt)n;
	z.next_out = comp;
	z.avail_out = (uInt)bound;
	if (deflate(&z, Z_FINISH) != Z_STREAM_END)
		abort();
	clen = z.total_out;
	deflateEnd(&z);

	m = inflate_raw(comp, (u32)clen, out, (u32)n, &r);
	if (m || r.out_len != n || memcmp(out, plain, n) || r.in_used != clen)
		disagree("zlib's own stream does not decode back", m, Z_STREAM_END, NULL);

	/* Any proper prefix ends inside the final block. */
	u32 cut = (u32)(((n ? plain[n - 1] : 0) * 2654435761u + n) % clen);
	u8 *part = malloc(cut ? cut : 1);
	memcpy(part, comp, cut);
	m = inflate_raw(part, cut, out, (u32)n, &r);
	snprintf(want, sizeof(want), "deflate: input truncated (%u bytes)", cut);
	if (!m || strcmp(m, want))
		disagree("a cut stream is not reported truncated", m, Z_BUF_ERROR, want);
	free(part);
	free(comp);
	free(out);
}

static void gzip_mode(const u8 *in, size_t n, u32 cap)
{
	u8 *out = malloc(cap ? cap : 1), *zout = malloc(cap ? cap : 1);
	uLong zlen, zused;
	const char *zmsg;
	u32 out_len;
	const char *m = gunzip(in, (u32)n, out, cap, &out_len);
	int zret = z_inflate(in, n, zout, cap, 31, &zlen, &zused, &zmsg);
	int zok = zret == Z_STREAM_END && zused == n;

	check_message(m);
	if ((m == NULL) != zok)
		disagree(zret == Z_STREAM_END ? "gzip verdicts differ (zlib stopped early)"
					      : "gzip verdicts differ",
			 m, zret, zmsg);
	if (!m && (out_len != zlen || memcmp(out, zout, zlen)))
		disagree("gzip outputs differ", m, zret, zmsg);
	if (m && out_len)
		disagree("out_len set on failure", m, zret, zmsg);
	if (!m && gzip_isize(in, (u32)n) != out_len)
		disagree("gzip_isize differs from the decoded size", m, zret, zmsg);
	free(out);
	free(zout);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	if (!size)
		return 0;
	switch (data[0] & 3) {
	case 0:
	case 1:
		raw_mode(data + 1, size - 1, room(data[0]));
		break;
	case 2:
		roundtrip_mode(data + 1, size - 1);
		break;
	case 3:
		gzip_mode(data + 1, size - 1, room(data[0]));
		break;
	}
	return 0;
}
