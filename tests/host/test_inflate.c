/*
 * Host tests of the DEFLATE/gzip decoder (stage2/inflate.c, linked as is)
 * and of the two CRC-32 forms in include/crc32.h.
 *
 * The oracle is zlib, never our own output: zlib compresses every input
 * (all levels, strategies and window sizes) and our decoder must give the
 * input back and say exactly where the stream ended; crafted streams are
 * written here bit by bit from RFC 1951's tables (a small encoder of this
 * file's own) and zlib must agree with every verdict: it accepts what we
 * accept with the same output, and rejects what we reject.  gzip files come
 * from the gzip command, from zlib's gzip writer, and are crafted by hand
 * with zlib's crc32() for the header CRC.
 *
 * Decisions tested here: data after a gzip member (trailing bytes or a second
 * member) is refused, because stage2 sizes the output from the file's last
 * four bytes (gzip_isize), which only describe a single-member file.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

/* include/crc32.h and zlib both name a function crc32: ours is crc32_ours
 * in this file. */
#define crc32 crc32_ours
#include "crc32.h"
#undef crc32
#include <zlib.h>

#include "gzip.h"
#include "inflate.h"
#include "testlib.h"

/* ------------------------------------------------------------------ */
/* Inputs                                                             */

struct blob {
	u8 *p;
	size_t n;
};

static u64 rng_state = 0x9e3779b97f4a7c15ull;

static u32 rng(void)
{
	rng_state ^= rng_state << 13;
	rng_state ^= rng_state >> 7;
	rng_state ^= rng_state << 17;
	return (u32)(rng_state >> 16);
}

static void *xmalloc(size_t n)
{
	void *p = malloc(n ? n : 1);

	if (!p) {
		perror("malloc");
		exit(2);
	}
	return p;
}

static struct blob blob_new(size_t n)
{
	return (struct blob){ xmalloc(n), n };
}

static struct blob read_file(const char *path)
{
	FILE *f = fopen(path, "rb");
	struct blob b = { 0, 0 };
	long n;

	if (!f)
		return b;
	fseek(f, 0, SEEK_END);
	n = ftell(f);
	fseek(f, 0, SEEK_SET);
	b = blob_new((size_t)n);
	if (fread(b.p, 1, b.n, f) != b.n)
		b.n = 0;
	fclose(f);
	return b;
}

static struct blob cat_files(const char *const *paths)
{
	struct blob all = { xmalloc(1), 0 };

	for (; *paths; paths++) {
		struct blob b = read_file(*paths);
		all.p = realloc(all.p, all.n + b.n + 1);
		memcpy(all.p + all.n, b.p, b.n);
		all.n += b.n;
		free(b.p);
	}
	return all;
}

/* ------------------------------------------------------------------ */
/* zlib                                                               */

/* wbits: -9..-15 raw DEFLATE, 16 + 9..15 gzip. */
static struct blob z_compress(const u8 *in, size_t n, int level, int wbits, int memlevel,
			      int strategy)
{
	z_stream z = { 0 };
	struct blob out;

	if (deflateInit2(&z, level, Z_DEFLATED, wbits, memlevel, strategy) != Z_OK) {
		fprintf(stderr, "deflateInit2 failed\n");
		exit(2);
	}
	out = blob_new(deflateBound(&z, n) + 64);
	z.next_in = (u8 *)in;
	z.avail_in = n;
	z.next_out = out.p;
	z.avail_out = out.n;
	if (deflate(&z, Z_FINISH) != Z_STREAM_END) {
		fprintf(stderr, "deflate did not finish\n");
		exit(2);
	}
	out.n = z.total_out;
	deflateEnd(&z);
	return out;
}

/* The oracle's verdict: 1 when the stream (raw for wbits < 0, gzip for 31)
 * ends properly within in and its output fits cap. */
static int z_inflate(const u8 *in, size_t n, u8 *out, size_t cap, int wbits, size_t *out_len,
		     size_t *in_used)
{
	z_stream z = { 0 };
	u8 dummy;
	int ret;

	if (inflateInit2(&z, wbits) != Z_OK)
		exit(2);
	z.next_in = (u8 *)(n ? in : &dummy);
	z.avail_in = n;
	z.next_out = cap ? out : &dummy;
	z.avail_out = cap;
	ret = inflate(&z, Z_FINISH);
	if (out_len)
		*out_len = z.total_out;
	if (in_used)
		*in_used = z.total_in;
	inflateEnd(&z);
	return ret == Z_STREAM_END;
}

/* ------------------------------------------------------------------ */
/* Checking one stream                                                */

static const char *inflate_into(const u8 *in, size_t n, size_t cap, struct blob *out,
				struct inflate_result *r)
{
	*out = blob_new(cap); /* exactly cap: ASan sees any write past it */
	return inflate_raw(in, (u32)n, out->p, (u32)cap, r);
}

/* comp must decode to plain, using exactly clen bytes; also with trailing
 * bytes after it, and with one byte too little room. */
static void expect_roundtrip(const char *what, const u8 *plain, size_t n, const u8 *comp,
			     size_t clen)
{
	struct inflate_result r;
	struct blob out, padded = blob_new(clen + 7);
	const char *m;
	char want[80];

	m = inflate_into(comp, clen, n, &out, &r);
	if (m)
		t_fail("%s: %s", what, m);
	else if (r.out_len != n || memcmp(out.p, plain, n))
		t_fail("%s: output differs (%u bytes, want %zu)", what, r.out_len, n);
	else if (r.in_used != clen)
		t_fail("%s: in_used %u, stream is %zu bytes", what, r.in_used, clen);
	free(out.p);

	memcpy(padded.p, comp, clen);
	memcpy(padded.p + clen, "\xff\x00\xa5\x5a\xff\xff\x01", 7);
	m = inflate_into(padded.p, padded.n, n + 100, &out, &r);
	if (m || r.in_used != clen || r.out_len != n || memcmp(out.p, plain, n))
		t_fail("%s: with trailing bytes: %s, in_used %u (want %zu)", what, m ? m : "ok",
		       r.in_used, clen);
	free(out.p);
	free(padded.p);

	if (n) {
		snprintf(want, sizeof(want), "deflate: output over %zu bytes", n - 1);
		m = inflate_into(comp, clen, n - 1, &out, &r);
		if (!m || strcmp(m, want))
			t_fail("%s: one byte short of room: \"%s\", want \"%s\"", what,
			       m ? m : "success", want);
		free(out.p);
	}
}

static const int strategies[] = { Z_DEFAULT_STRATEGY, Z_FILTERED, Z_HUFFMAN_ONLY, Z_RLE,
				   Z_FIXED };
static const char *const strategy_names[] = { "default", "filtered", "huffman", "rle",
					      "fixed" };

/* Every level 0..9, strategy and window size 9..15 zlib offers, memLevel
 * varying with them; "some" takes levels 0, 1, 5, 9 and windows 9, 12, 15
 * for the bigger synthetic inputs. */
static void test_zlib_matrix(const char *name, const u8 *p, size_t n, int some)
{
	static const int some_levels[] = { 0, 1, 5, 9 };
	char tname[96], what[96];

	snprintf(tname, sizeof(tname), "zlib_matrix_%s_%zu_bytes", name, n);
	t_begin(tname);
	for (int li = 0; li < (some ? 4 : 10); li++) {
		int level = some ? some_levels[li] : li;
		for (int si = 0; si < 5; si++) {
			for (int wb = 9; wb <= 15; wb += some ? 3 : 1) {
				int memlevel = (level + wb + si) % 9 + 1;
				struct blob c =
					z_compress(p, n, level, -wb, memlevel, strategies[si]);
				snprintf(what, sizeof(what), "level %d %s window %d memlevel %d",
					 level, strategy_names[si], wb, memlevel);
				expect_roundtrip(what, p, n, c.p, c.n);
				free(c.p);
			}
		}
	}
	t_end();
}

/* Blocks of every kind in one stream: flushes make empty stored blocks and
 * byte-aligned boundaries, deflateParams switches level and strategy
 * mid-stream. */
static void test_flushes(const u8 *p, size_t n)
{
	static const int flushes[] = { Z_NO_FLUSH, Z_SYNC_FLUSH, Z_FULL_FLUSH, Z_PARTIAL_FLUSH,
				       Z_BLOCK };
	z_stream z = { 0 };
	struct blob c;
	size_t pos = 0;
	int i = 0;

	t_begin("zlib_flushes_and_param_changes");
	deflateInit2(&z, 6, Z_DEFLATED, -15, 8, Z_DEFAULT_STRATEGY);
	c = blob_new(deflateBound(&z, n) + 64 * 1024);
	z.next_out = c.p;
	z.avail_out = c.n;
	while (pos < n) {
		size_t chunk = 1 + rng() % 3000;
		if (chunk > n - pos)
			chunk = n - pos;
		z.next_in = (u8 *)p + pos;
		z.avail_in = chunk;
		pos += chunk;
		if (deflate(&z, flushes[i % 5]) != Z_OK)
			t_fail("deflate chunk %d", i);
		if (i % 7 == 3 && deflateParams(&z, (i / 7) % 10, strategies[i % 5]) != Z_OK)
			t_fail("deflateParams at chunk %d", i);
		i++;
	}
	if (deflate(&z, Z_FINISH) != Z_STREAM_END)
		t_fail("deflate finish");
	c.n = z.total_out;
	deflateEnd(&z);
	expect_roundtrip("flushed stream", p, n, c.p, c.n);
	free(c.p);
	t_end();
}

/* Every proper prefix of a stream lacks at least the last bit of its final
 * end-of-block code, so each one is a truncated input, whatever the bits
 * before the cut decoded to. */
static void test_every_prefix(const char *name, const u8 *p, size_t n, int level, int strategy)
{
	struct blob c = z_compress(p, n, level, -15, 8, strategy), out;
	struct inflate_result r;
	char tname[96], want[80];
	const char *m;

	snprintf(tname, sizeof(tname), "truncated_at_every_byte_%s", name);
	t_begin(tname);
	for (size_t k = 0; k < c.n; k++) {
		snprintf(want, sizeof(want), "deflate: input truncated (%zu bytes)", k);
		m = inflate_into(c.p, k, n + 300, &out, &r);
		if (!m || strcmp(m, want))
			t_fail("cut at %zu of %zu: \"%s\"", k, c.n, m ? m : "success");
		if (z_inflate(c.p, k, out.p, n + 300, -15, NULL, NULL))
			t_fail("zlib accepts the stream cut at %zu", k);
		free(out.p);
	}
	free(c.p);
	t_end();
}

/* A few thousand damaged streams: whatever our verdict, zlib's is the same,
 * and when both accept the outputs and the end of the stream agree. */
static void test_damaged_streams(const u8 *p, size_t n)
{
	struct inflate_result r;
	struct blob out, zout = blob_new(n * 2 + 1024);
	int accepted = 0, rejected = 0;

	t_begin("damaged_streams_agree_with_zlib");
	for (int i = 0; i < 3000; i++) {
		size_t len = 1 + rng() % n;
		struct blob c = z_compress(p, len, rng() % 10, -15, 8, strategies[rng() % 5]);
		int flips = 1 + rng() % 3;
		size_t zlen, zused;
		for (int f = 0; f < flips; f++)
			c.p[rng() % c.n] ^= 1 << (rng() % 8);
		if (rng() % 4 == 0)
			c.n = rng() % c.n + 1;
		size_t cap = rng() % 2 ? len : n * 2 + 1024;
		const char *m = inflate_into(c.p, c.n, cap, &out, &r);
		int zok = z_inflate(c.p, c.n, zout.p, cap, -15, &zlen, &zused);
		if ((m == NULL) != zok)
			t_fail("case %d: we say \"%s\", zlib %s", i, m ? m : "ok",
			       zok ? "accepts" : "rejects");
		else if (zok && (r.out_len != zlen || memcmp(out.p, zout.p, zlen) ||
				 r.in_used != zused))
			t_fail("case %d: both accept, output or in_used differ", i);
		if (m && !*m)
			t_fail("case %d: empty message", i);
		zok ? accepted++ : rejected++;
		free(out.p);
		free(c.p);
	}
	if (accepted < 100 || rejected < 1000)
		t_fail("too one-sided to mean much: %d accepted, %d rejected", accepted, rejected);
	free(zout.p);
	t_end();
}

/* ------------------------------------------------------------------ */
/* A small DEFLATE writer for crafted streams (RFC 1951, written from  */
/* the specification; zlib then judges what it writes)                */

struct bw {
	u8 *b;
	size_t n, cap;
	int bit;
};

static void bw_init(struct bw *w, size_t cap)
{
	w->b = calloc(cap, 1);
	w->n = 0;
	w->cap = cap;
	w->bit = 0;
}

/* Data elements: least significant bit first (3.1.1). */
static void put_bits(struct bw *w, u32 v, int n)
{
	for (int i = 0; i < n; i++) {
		if (w->n >= w->cap) {
			fprintf(stderr, "crafted stream too big\n");
			exit(2);
		}
		if (v >> i & 1)
			w->b[w->n] |= 1 << w->bit;
		if (++w->bit == 8) {
			w->bit = 0;
			w->n++;
		}
	}
}

static size_t bw_len(const struct bw *w)
{
	return w->n + (w->bit > 0);
}

static void put_align(struct bw *w)
{
	if (w->bit) {
		w->bit = 0;
		w->n++;
	}
}

struct code {
	int n;
	u8 len[288];
	u16 code[288];
};

/* Canonical codes from lengths, the algorithm of 3.2.2. */
static void make_code(struct code *c, const u8 *lens, int n)
{
	int bl_count[16] = { 0 }, next[16] = { 0 }, code = 0;

	c->n = n;
	memcpy(c->len, lens, n);
	for (int i = 0; i < n; i++)
		bl_count[lens[i]]++;
	bl_count[0] = 0;
	for (int b = 1; b < 16; b++) {
		code = (code + bl_count[b - 1]) << 1;
		next[b] = code;
	}
	for (int i = 0; i < n; i++)
		if (lens[i])
			c->code[i] = next[lens[i]]++;
}

/* Huffman codes: most significant bit first. */
static void put_sym(struct bw *w, const struct code *c, int sym)
{
	if (sym >= c->n || !c->len[sym]) {
		fprintf(stderr, "crafting: symbol %d has no code\n", sym);
		exit(2);
	}
	for (int i = c->len[sym] - 1; i >= 0; i--)
		put_bits(w, c->code[sym] >> i & 1, 1);
}

static void fixed_code(struct code *lit, struct code *dist)
{
	u8 l[288], d[32];

	for (int i = 0; i < 288; i++)
		l[i] = i < 144 ? 8 : i < 256 ? 9 : i < 280 ? 7 : 8;
	memset(d, 5, sizeof(d));
	make_code(lit, l, 288);
	make_code(dist, d, 32);
}

/* The length and distance tables of 3.2.5. */
static const u16 len_base[29] = { 3,  4,  5,  6,  7,  8,  9,  10, 11,  13,  15,  17,  19,  23, 27,
				  31, 35, 43, 51, 59, 67, 83, 99, 115, 131, 163, 195, 227, 258 };
static const u8 len_extra[29] = { 0, 0, 0, 0, 0, 0, 0, 0, 1, 1, 1, 1, 2, 2, 2,
				  2, 3, 3, 3, 3, 4, 4, 4, 4, 5, 5, 5, 5, 0 };
static const u16 dist_base[30] = { 1,    2,    3,    4,    5,    7,     9,     13,    17,  25,
				   33,   49,   65,   97,   129,  193,   257,   385,   513, 769,
				   1025, 1537, 2049, 3073, 4097, 6145, 8193, 12289, 16385, 24577 };
static const u8 dist_extra[30] = { 0, 0, 0, 0, 1, 1, 2, 2,  3,  3,  4,  4,  5,  5,  6,
				   6, 7, 7, 8, 8, 9, 9, 10, 10, 11, 11, 12, 12, 13, 13 };

/* A match, with the natural length and distance codes. */
static void put_match(struct bw *w, const struct code *lit, const struct code *dist, int len,
		      int d)
{
	int i = 28;

	while (len_base[i] > len)
		i--;
	if (len == 258)
		i = 28;
	put_sym(w, lit, 257 + i);
	put_bits(w, len - len_base[i], len_extra[i]);
	for (i = 29; dist_base[i] > d; i--)
		;
	put_sym(w, dist, i);
	put_bits(w, d - dist_base[i], dist_extra[i]);
}

/* A dynamic block header sending lit_lens and dist_lens with a code-length
 * code giving symbols 0..15 four bits each (complete), no repeats. */
static void put_dynamic_header(struct bw *w, int last, const u8 *lit_lens, int nlit,
			       const u8 *dist_lens, int ndist)
{
	static const u8 order[19] = { 16, 17, 18, 0, 8, 7, 9, 6, 10, 5, 11, 4, 12, 3, 13, 2,
				      14, 1, 15 };
	put_bits(w, last, 1);
	put_bits(w, 2, 2);
	put_bits(w, nlit - 257, 5);
	put_bits(w, ndist - 1, 5);
	put_bits(w, 19 - 4, 4);
	for (int i = 0; i < 19; i++)
		put_bits(w, order[i] < 16 ? 4 : 0, 3);
	/* With 16 four-bit codes, symbol s has code s. */
	for (int i = 0; i < nlit + ndist; i++) {
		int l = i < nlit ? lit_lens[i] : dist_lens[i - nlit];
		for (int b = 3; b >= 0; b--)
			put_bits(w, l >> b & 1, 1);
	}
}

/* A complete literal/length code over all 286 symbols: 256 literals of 9
 * bits fill half the code space, 256 and 257 at 5 bits and 258..285 at 6
 * bits (2/32 + 28/64) the other half. */
static void simple_lit_lens(u8 *l)
{
	for (int i = 0; i < 286; i++)
		l[i] = i < 256 ? 9 : i < 258 ? 5 : 6;
}

/* ------------------------------------------------------------------ */
/* Crafted streams                                                    */

/* Our verdict on a crafted stream: the exact message (or success with the
 * expected output), and zlib's verdict must match. */
static void expect_crafted(const char *name, struct bw *w, size_t cap, const char *want_msg,
			   const u8 *want_out, size_t want_n)
{
	struct inflate_result r;
	struct blob out, zout = blob_new(cap);
	size_t n = bw_len(w), zlen, zused;
	const char *m;
	int zok;

	t_begin(name);
	m = inflate_into(w->b, n, cap, &out, &r);
	zok = z_inflate(w->b, n, zout.p, cap, -15, &zlen, &zused);
	if (want_msg) {
		if (!m || strcmp(m, want_msg))
			t_fail("got \"%s\", want \"%s\"", m ? m : "success", want_msg);
		if (zok)
			t_fail("zlib accepts it");
	} else {
		if (m)
			t_fail("%s", m);
		else if (r.out_len != want_n || memcmp(out.p, want_out, want_n))
			t_fail("output differs (%u bytes, want %zu)", r.out_len, want_n);
		else if (r.in_used != n)
			t_fail("in_used %u, want %zu", r.in_used, n);
		if (!zok)
			t_fail("zlib rejects it");
		else if (zlen != want_n || memcmp(zout.p, want_out, want_n))
			t_fail("zlib's output differs");
	}
	t_end();
	free(out.p);
	free(zout.p);
	free(w->b);
}

static void test_crafted(void)
{
	struct code flit, fdist, lit, dist;
	struct bw w;
	u8 ll[320], dl[32], *big;
	char want[96];

	fixed_code(&flit, &fdist);

	/* Block headers and stored blocks. */
	bw_init(&w, 16);
	put_bits(&w, 1, 1);
	put_bits(&w, 3, 2);
	expect_crafted("crafted_block_type_3", &w, 16, "deflate: invalid block type 3", 0, 0);

	bw_init(&w, 16);
	put_bits(&w, 1, 1);
	put_bits(&w, 0, 2);
	put_align(&w);
	put_bits(&w, 5, 16);
	put_bits(&w, 0xfff0, 16);
	expect_crafted("crafted_stored_len_nlen_mismatch", &w, 16,
		       "deflate: stored block LEN 0x5 does not match NLEN 0xfff0", 0, 0);

	bw_init(&w, 16);
	put_bits(&w, 1, 1);
	put_bits(&w, 0, 2);
	put_align(&w);
	put_bits(&w, 10, 16);
	put_bits(&w, 10 ^ 0xffff, 16);
	put_bits(&w, 0x414141, 24);
	expect_crafted("crafted_stored_data_truncated", &w, 16,
		       "deflate: input truncated (8 bytes)", 0, 0);

	bw_init(&w, 16);
	put_bits(&w, 1, 1);
	put_bits(&w, 0, 2);
	put_align(&w);
	put_bits(&w, 3, 16);
	expect_crafted("crafted_stored_header_truncated", &w, 16,
		       "deflate: input truncated (3 bytes)", 0, 0);

	/* Stored blocks, one empty, the last one after a fixed block. */
	bw_init(&w, 64);
	put_bits(&w, 0, 3);
	put_align(&w);
	put_bits(&w, 0, 16);
	put_bits(&w, 0xffff, 16);
	put_bits(&w, 0, 1);
	put_bits(&w, 1, 2);
	put_sym(&w, &flit, 'x');
	put_sym(&w, &flit, 256);
	put_bits(&w, 1, 1);
	put_bits(&w, 0, 2);
	put_align(&w);
	put_bits(&w, 3, 16);
	put_bits(&w, 3 ^ 0xffff, 16);
	put_bits(&w, 'a' | 'b' << 8 | 'c' << 16, 24);
	expect_crafted("crafted_stored_empty_fixed_stored", &w, 16, NULL, (const u8 *)"xabc", 4);

	expect_crafted("crafted_empty_input", (bw_init(&w, 1), &w), 16,
		       "deflate: input truncated (0 bytes)", 0, 0);

	/* Fixed code: symbols that exist only in the code table. */
	for (int sym = 286; sym <= 287; sym++) {
		bw_init(&w, 16);
		put_bits(&w, 1, 1);
		put_bits(&w, 1, 2);
		put_sym(&w, &flit, 'a');
		put_sym(&w, &flit, sym);
		put_bits(&w, 0, 16);
		snprintf(want, sizeof(want), "deflate: invalid literal/length code %d", sym);
		char tname[64];
		snprintf(tname, sizeof(tname), "crafted_fixed_lit_code_%d", sym);
		expect_crafted(tname, &w, 16, want, 0, 0);
	}
	for (int sym = 30; sym <= 31; sym++) {
		bw_init(&w, 16);
		put_bits(&w, 1, 1);
		put_bits(&w, 1, 2);
		put_sym(&w, &flit, 'a');
		put_sym(&w, &flit, 257);
		put_sym(&w, &fdist, sym);
		put_bits(&w, 0, 16);
		snprintf(want, sizeof(want), "deflate: invalid distance code %d", sym);
		char tname[64];
		snprintf(tname, sizeof(tname), "crafted_fixed_dist_code_%d", sym);
		expect_crafted(tname, &w, 16, want, 0, 0);
	}

	/* Distances at the edge of what was written. */
	bw_init(&w, 16);
	put_bits(&w, 1, 1);
	put_bits(&w, 1, 2);
	put_sym(&w, &flit, 'a');
	put_match(&w, &flit, &fdist, 3, 2);
	put_sym(&w, &flit, 256);
	expect_crafted("crafted_distance_one_too_far", &w, 16,
		       "deflate: distance 2 too far back (1 bytes written)", 0, 0);

	bw_init(&w, 16);
	put_bits(&w, 1, 1);
	put_bits(&w, 1, 2);
	put_match(&w, &flit, &fdist, 3, 1);
	put_sym(&w, &flit, 256);
	expect_crafted("crafted_distance_before_any_output", &w, 16,
		       "deflate: distance 1 too far back (0 bytes written)", 0, 0);

	bw_init(&w, 16);
	put_bits(&w, 1, 1);
	put_bits(&w, 1, 2);
	put_sym(&w, &flit, 'a');
	put_sym(&w, &flit, 'b');
	put_match(&w, &flit, &fdist, 7, 2);
	put_sym(&w, &flit, 256);
	expect_crafted("crafted_overlapping_copy", &w, 16, NULL, (const u8 *)"ababababa", 9);

	/* The farthest distance, 32768, exactly reachable and one beyond. */
	big = xmalloc(32768 + 258);
	for (int i = 0; i < 32768; i++)
		big[i] = (u8)(rng() >> 8);
	memcpy(big + 32768, big, 258);
	for (int extra = 0; extra <= 1; extra++) {
		bw_init(&w, 80000);
		put_bits(&w, 1, 1);
		put_bits(&w, 1, 2);
		for (int i = 0; i < 32768 - extra; i++)
			put_sym(&w, &flit, big[i + extra]);
		put_match(&w, &flit, &fdist, 258, 32768);
		put_sym(&w, &flit, 256);
		if (extra)
			expect_crafted(
				"crafted_distance_32768_one_too_far", &w, 40000,
				"deflate: distance 32768 too far back (32767 bytes written)", 0,
				0);
		else
			expect_crafted("crafted_distance_32768", &w, 40000, NULL, big,
				       32768 + 258);
	}
	free(big);

	/* Length 258 two ways: code 285, and code 284 with all extra bits set
	 * (227 + 31), which zlib also takes as 258. */
	{
		u8 want_out[259];
		memset(want_out, 'z', sizeof(want_out));
		bw_init(&w, 32);
		put_bits(&w, 1, 1);
		put_bits(&w, 1, 2);
		put_sym(&w, &flit, 'z');
		put_sym(&w, &flit, 284);
		put_bits(&w, 31, 5);
		put_sym(&w, &fdist, 0);
		put_sym(&w, &flit, 256);
		expect_crafted("crafted_length_284_plus_31", &w, 300, NULL, want_out, 259);
	}

	/* Output room: a match that overruns it. */
	bw_init(&w, 16);
	put_bits(&w, 1, 1);
	put_bits(&w, 1, 2);
	put_sym(&w, &flit, 'a');
	put_match(&w, &flit, &fdist, 10, 1);
	put_sym(&w, &flit, 256);
	expect_crafted("crafted_match_overruns_output", &w, 10, "deflate: output over 10 bytes", 0,
		       0);

	/* A missing end-of-block: the stream just stops; the zero bits that
	 * pad its last byte begin a seven-bit end-of-block code (0000000)
	 * whose last bits are not there. */
	bw_init(&w, 16);
	put_bits(&w, 1, 1);
	put_bits(&w, 1, 2);
	put_sym(&w, &flit, 'a');
	put_sym(&w, &flit, 'b');
	expect_crafted("crafted_no_end_of_block", &w, 64, "deflate: input truncated (3 bytes)", 0,
		       0);

	/* Dynamic headers. */
	simple_lit_lens(ll);
	memset(dl, 5, 30);
	dl[30] = dl[31] = 0;
	{
		/* A complete dynamic block that zlib must accept, as the base
		 * of the variants below. */
		bw_init(&w, 1024);
		put_dynamic_header(&w, 1, ll, 286, dl, 30);
		make_code(&lit, ll, 286);
		make_code(&dist, dl, 30);
		put_sym(&w, &lit, 'q');
		put_match(&w, &lit, &dist, 20, 1);
		put_sym(&w, &lit, 256);
		/* 30 five-bit distance codes leave 2/32 unused: incomplete. */
		expect_crafted("crafted_dynamic_incomplete_distance_code", &w, 64,
			       "deflate: distance code is incomplete", 0, 0);
	}
	{
		u8 d[30] = { 0 };
		u8 want_out[21];
		memset(d, 5, 30);
		d[28] = d[29] = 4; /* 28/32 + 2/16 = 1: complete */
		memset(want_out, 'q', sizeof(want_out));
		bw_init(&w, 1024);
		put_dynamic_header(&w, 1, ll, 286, d, 30);
		make_code(&lit, ll, 286);
		make_code(&dist, d, 30);
		put_sym(&w, &lit, 'q');
		put_match(&w, &lit, &dist, 20, 1);
		put_sym(&w, &lit, 256);
		expect_crafted("crafted_dynamic_complete", &w, 64, NULL, want_out, 21);
	}
	{
		/* One distance code of one bit (the RFC's exception). */
		u8 d[1] = { 1 }, want_out[6];
		memset(want_out, 'k', sizeof(want_out));
		bw_init(&w, 1024);
		put_dynamic_header(&w, 1, ll, 286, d, 1);
		make_code(&lit, ll, 286);
		make_code(&dist, d, 1);
		put_sym(&w, &lit, 'k');
		put_match(&w, &lit, &dist, 5, 1);
		put_sym(&w, &lit, 256);
		expect_crafted("crafted_single_distance_code", &w, 64, NULL, want_out, 6);

		/* The unused one-bit pattern of that code. */
		bw_init(&w, 1024);
		put_dynamic_header(&w, 1, ll, 286, d, 1);
		put_sym(&w, &lit, 'k');
		put_sym(&w, &lit, 257);
		put_bits(&w, 1, 1);
		put_sym(&w, &lit, 256);
		expect_crafted("crafted_unused_distance_pattern", &w, 64,
			       "deflate: input bits match no distance code", 0, 0);
	}
	{
		/* No distance code at all: literals only. */
		u8 d[1] = { 0 };
		bw_init(&w, 1024);
		put_dynamic_header(&w, 1, ll, 286, d, 1);
		put_sym(&w, &lit, 'h');
		put_sym(&w, &lit, 'i');
		put_sym(&w, &lit, 256);
		expect_crafted("crafted_no_distance_codes", &w, 64, NULL, (const u8 *)"hi", 2);

		/* ... and a match in such a block. */
		bw_init(&w, 1024);
		put_dynamic_header(&w, 1, ll, 286, d, 1);
		put_sym(&w, &lit, 'h');
		put_sym(&w, &lit, 257);
		put_bits(&w, 0, 8);
		expect_crafted("crafted_match_without_distance_codes", &w, 64,
			       "deflate: input bits match no distance code", 0, 0);
	}
	{
		/* A literal/length code of a single one-bit code: only the
		 * end-of-block; zlib accepts this too. */
		u8 l[257] = { 0 }, d[1] = { 0 };
		l[256] = 1;
		bw_init(&w, 1024);
		put_dynamic_header(&w, 1, l, 257, d, 1);
		put_bits(&w, 0, 1);
		expect_crafted("crafted_single_literal_length_code", &w, 64, NULL,
			       (const u8 *)"", 0);

		bw_init(&w, 1024);
		put_dynamic_header(&w, 1, l, 257, d, 1);
		put_bits(&w, 1, 1);
		put_bits(&w, 0, 8);
		expect_crafted("crafted_unused_literal_length_pattern", &w, 64,
			       "deflate: input bits match no literal/length code", 0, 0);
	}
	{
		u8 l[286], d[30];
		memcpy(l, ll, 286);
		l[256] = 0;
		l[0] = 8; /* 256 gave up 1/64, 0 took 1/256 back: incomplete, but
			     the end-of-block check comes first */
		memset(d, 5, 30);
		d[28] = d[29] = 4;
		bw_init(&w, 1024);
		put_dynamic_header(&w, 1, l, 286, d, 30);
		put_bits(&w, 0, 16);
		expect_crafted("crafted_no_end_of_block_code", &w, 64,
			       "deflate: no end-of-block code", 0, 0);

		memcpy(l, ll, 286);
		l[0] = 8; /* one code too many */
		bw_init(&w, 1024);
		put_dynamic_header(&w, 1, l, 286, d, 30);
		put_bits(&w, 0, 16);
		expect_crafted("crafted_literal_length_over_subscribed", &w, 64,
			       "deflate: literal/length code is over-subscribed", 0, 0);

		memcpy(l, ll, 286);
		l[0] = 10; /* one code short */
		bw_init(&w, 1024);
		put_dynamic_header(&w, 1, l, 286, d, 30);
		put_bits(&w, 0, 16);
		expect_crafted("crafted_literal_length_incomplete", &w, 64,
			       "deflate: literal/length code is incomplete", 0, 0);

		memcpy(l, ll, 286);
		d[0] = 4;
		bw_init(&w, 1024);
		put_dynamic_header(&w, 1, l, 286, d, 30);
		put_bits(&w, 0, 16);
		expect_crafted("crafted_distance_over_subscribed", &w, 64,
			       "deflate: distance code is over-subscribed", 0, 0);
	}

	/* Header fields out of range: HLIT 287, 288; HDIST 31, 32. */
	for (int i = 0; i < 4; i++) {
		char tname[64];
		bw_init(&w, 64);
		put_bits(&w, 1, 1);
		put_bits(&w, 2, 2);
		put_bits(&w, i < 2 ? 30 + i : 0, 5);
		put_bits(&w, i >= 2 ? 30 + i - 2 : 0, 5);
		put_bits(&w, 0, 4);
		put_bits(&w, 0, 30);
		if (i < 2)
			snprintf(want, sizeof(want),
				 "deflate: %d literal/length codes (HLIT), over 286", 287 + i);
		else
			snprintf(want, sizeof(want),
				 "deflate: %d distance codes (HDIST), over 30", 31 + i - 2);
		snprintf(tname, sizeof(tname), "crafted_%s_%d", i < 2 ? "hlit" : "hdist",
			 i < 2 ? 287 + i : 29 + i);
		expect_crafted(tname, &w, 64, want, 0, 0);
	}

	/* The code-length code: over-subscribed, incomplete, all zero, a
	 * single one-bit code (allowed for distances, not here). */
	for (int i = 0; i < 4; i++) {
		static const char *const names[] = { "crafted_code_length_code_over_subscribed",
						     "crafted_code_length_code_incomplete",
						     "crafted_code_length_code_empty",
						     "crafted_code_length_code_single" };
		bw_init(&w, 64);
		put_bits(&w, 1, 1);
		put_bits(&w, 2, 2);
		put_bits(&w, 0, 5);
		put_bits(&w, 0, 5);
		put_bits(&w, 4 - 4, 4); /* 4 lengths: symbols 16, 17, 18, 0 */
		/* over: four 1-bit codes; incomplete: three 2-bit codes; empty;
		 * single: symbol 0 alone, one bit */
		for (int k = 0; k < 4; k++)
			put_bits(&w, i == 0 ? 1 : i == 1 ? (k < 3 ? 2 : 0) : i == 3 && k == 3, 3);
		put_bits(&w, 0, 32);
		expect_crafted(names[i], &w, 64,
			       i == 0 ? "deflate: code-length code is over-subscribed"
				      : "deflate: code-length code is incomplete",
			       0, 0);
	}

	/* Repeats: 16 first; a repeat past HLIT + HDIST. */
	{
		/* Code-length code: 16, 17, 18, 0 two bits each (complete). */
		bw_init(&w, 64);
		put_bits(&w, 1, 1);
		put_bits(&w, 2, 2);
		put_bits(&w, 0, 5);
		put_bits(&w, 0, 5);
		put_bits(&w, 0, 4);
		for (int k = 0; k < 4; k++)
			put_bits(&w, 2, 3);
		/* canonical: 0 -> 00, 16 -> 01, 17 -> 10, 18 -> 11 */
		put_bits(&w, 0x2, 2); /* 01 MSB first = bits 0,1 -> value 2 LSB first */
		put_bits(&w, 0, 2);
		put_bits(&w, 0, 32);
		expect_crafted("crafted_repeat_16_first", &w, 64,
			       "deflate: code length repeat (16) first", 0, 0);

		bw_init(&w, 64);
		put_bits(&w, 1, 1);
		put_bits(&w, 2, 2);
		put_bits(&w, 0, 5); /* 257 */
		put_bits(&w, 0, 5); /* 1: 258 lengths in all */
		put_bits(&w, 0, 4);
		for (int k = 0; k < 4; k++)
			put_bits(&w, 2, 3);
		put_bits(&w, 3, 2); /* 18 (11): 11 + 127 = 138 zeros */
		put_bits(&w, 127, 7);
		put_bits(&w, 3, 2); /* 138 more: 276 > 258 */
		put_bits(&w, 127, 7);
		put_bits(&w, 0, 32);
		expect_crafted("crafted_repeat_past_the_end", &w, 64,
			       "deflate: code length repeat past HLIT + HDIST (258)", 0, 0);

		/* 138 + 120 zeros end exactly at the 258th length (then the
		 * missing end-of-block code is what is wrong); 138 + 121 is
		 * one too many. */
		for (int over = 0; over <= 1; over++) {
			bw_init(&w, 64);
			put_bits(&w, 1, 1);
			put_bits(&w, 2, 2);
			put_bits(&w, 0, 5);
			put_bits(&w, 0, 5);
			put_bits(&w, 0, 4);
			for (int k = 0; k < 4; k++)
				put_bits(&w, 2, 3);
			put_bits(&w, 3, 2);
			put_bits(&w, 127, 7);
			put_bits(&w, 3, 2);
			put_bits(&w, 120 + over - 11, 7);
			put_bits(&w, 0, 32);
			if (over)
				expect_crafted(
					"crafted_repeat_one_past_the_end", &w, 64,
					"deflate: code length repeat past HLIT + HDIST (258)", 0,
					0);
			else
				expect_crafted("crafted_repeat_to_exactly_the_end", &w, 64,
					       "deflate: no end-of-block code", 0, 0);
		}
	}
}

/* ------------------------------------------------------------------ */
/* gzip                                                               */

static char tmpdir[] = "/tmp/test_inflate.XXXXXX";

static void expect_gunzip(const char *what, const u8 *gz, size_t n, const u8 *plain,
			  size_t plain_n, const char *want_msg)
{
	struct blob out = blob_new(plain_n + 64), copy = blob_new(n);
	u32 out_len = 12345;
	const char *m;

	memcpy(copy.p, gz, n); /* exactly n bytes: ASan sees any read past them */
	m = gunzip(copy.p, (u32)n, out.p, (u32)plain_n + 64, &out_len);
	if (want_msg) {
		if (!m || strcmp(m, want_msg))
			t_fail("%s: got \"%s\", want \"%s\"", what, m ? m : "success", want_msg);
		if (m && out_len != 0)
			t_fail("%s: out_len %u on failure", what, out_len);
	} else if (m) {
		t_fail("%s: %s", what, m);
	} else if (out_len != plain_n || memcmp(out.p, plain, plain_n)) {
		t_fail("%s: output differs", what);
	}
	free(out.p);
	free(copy.p);
}

/* The gzip command: default (name and time stored), -n, -9, stdin (no
 * name). */
static void test_gzip_command(const u8 *plain, size_t n)
{
	static const struct {
		const char *args;
		int fname;
	} runs[] = {
		{ "-c data.bin", 1 },
		{ "-n -c data.bin", 0 },
		{ "-9 -c data.bin", 1 },
		{ "-1 -c < data.bin", 0 },
		{ "-c a-rather-long-file-name-for-the-fname-field.bin", 1 },
	};
	char cmd[512], path[256];

	t_begin("gzip_command_files");
	snprintf(path, sizeof(path), "%s/data.bin", tmpdir);
	FILE *f = fopen(path, "wb");
	fwrite(plain, 1, n, f);
	fclose(f);
	snprintf(cmd, sizeof(cmd),
		 "cp %s/data.bin %s/a-rather-long-file-name-for-the-fname-field.bin", tmpdir,
		 tmpdir);
	if (system(cmd))
		t_fail("cp failed");
	for (size_t i = 0; i < sizeof(runs) / sizeof(runs[0]); i++) {
		snprintf(cmd, sizeof(cmd), "cd %s && gzip %s > out.gz", tmpdir, runs[i].args);
		if (system(cmd)) {
			t_fail("gzip %s failed (is gzip installed?)", runs[i].args);
			continue;
		}
		snprintf(path, sizeof(path), "%s/out.gz", tmpdir);
		struct blob gz = read_file(path);
		if (gz.n < 18 || !gzip_detect(gz.p, gz.n))
			t_fail("gzip %s: gzip_detect says no", runs[i].args);
		else if (!!(gz.p[3] & GZIP_FNAME) != runs[i].fname)
			t_fail("gzip %s: FNAME flag %d, expected %d", runs[i].args,
			       !!(gz.p[3] & GZIP_FNAME), runs[i].fname);
		if (gzip_isize(gz.p, gz.n) != n)
			t_fail("gzip %s: gzip_isize %u, want %zu", runs[i].args,
			       gzip_isize(gz.p, gz.n), n);
		expect_gunzip(runs[i].args, gz.p, gz.n, plain, n, NULL);
		free(gz.p);
	}
	t_end();
}

/* A gzip member built by hand around zlib's raw DEFLATE: flags chosen here,
 * the header CRC from zlib's crc32(). */
static struct blob make_member(const u8 *plain, size_t n, u8 flg, int bad_hcrc)
{
	struct blob d = z_compress(plain, n, 9, -15, 8, Z_DEFAULT_STRATEGY);
	struct blob g = blob_new(d.n + 200);
	size_t k = 0;
	uLong crc;

	g.p[k++] = GZIP_ID1;
	g.p[k++] = GZIP_ID2;
	g.p[k++] = GZIP_CM_DEFLATE;
	g.p[k++] = flg;
	memcpy(g.p + k, "\x78\x56\x34\x12\x02\x03", 6); /* MTIME, XFL, OS */
	k += 6;
	if (flg & GZIP_FEXTRA) {
		/* XLEN 12: two subfields, "Ap" with 4 bytes, "Bq" with 2 */
		memcpy(g.p + k, "\x0c\x00" "Ap\x04\x00wxyz" "Bq\x02\x00!!", 14);
		k += 14;
	}
	if (flg & GZIP_FNAME) {
		memcpy(g.p + k, "kernel.elf", 11);
		k += 11;
	}
	if (flg & GZIP_FCOMMENT) {
		memcpy(g.p + k, "a comment", 10);
		k += 10;
	}
	if (flg & GZIP_FHCRC) {
		crc = crc32(0, g.p, k) & 0xffff;
		if (bad_hcrc)
			crc ^= 0x100;
		g.p[k++] = crc & 0xff;
		g.p[k++] = crc >> 8;
	}
	memcpy(g.p + k, d.p, d.n);
	k += d.n;
	crc = crc32(0, plain, n);
	for (int i = 0; i < 4; i++)
		g.p[k++] = crc >> (8 * i);
	for (int i = 0; i < 4; i++)
		g.p[k++] = (u8)(n >> (8 * i));
	g.n = k;
	free(d.p);
	return g;
}

static void test_gzip_crafted(const u8 *plain, size_t n)
{
	struct blob g, out = blob_new(n + 64);
	char want[128], what[64];
	size_t zlen;

	t_begin("gzip_header_flags");
	/* Every combination of the five defined flags. */
	for (int flg = 0; flg < 32; flg++) {
		g = make_member(plain, n, flg, 0);
		snprintf(what, sizeof(what), "FLG %#x", flg);
		expect_gunzip(what, g.p, g.n, plain, n, NULL);
		if (!z_inflate(g.p, g.n, out.p, n + 64, 31, &zlen, NULL) || zlen != n)
			t_fail("%s: zlib rejects our crafted member", what);
		free(g.p);
	}
	t_end();

	t_begin("gzip_header_crc_wrong");
	g = make_member(plain, n, GZIP_FHCRC | GZIP_FNAME | GZIP_FEXTRA, 1);
	{
		uLong good = crc32(0, g.p, 10 + 14 + 11) & 0xffff;
		snprintf(want, sizeof(want), "gzip: header CRC16 %#lx is not %#lx", good ^ 0x100,
			 good);
	}
	expect_gunzip("bad FHCRC", g.p, g.n, plain, n, want);
	if (z_inflate(g.p, g.n, out.p, n + 64, 31, NULL, NULL))
		t_fail("zlib accepts the wrong header CRC");
	free(g.p);
	t_end();

	t_begin("gzip_reserved_flags");
	for (int bit = 0x20; bit <= 0x80; bit <<= 1) {
		g = make_member(plain, n, bit | GZIP_FNAME, 0);
		snprintf(want, sizeof(want), "gzip: reserved FLG bits set (%#x)",
			 bit | GZIP_FNAME);
		expect_gunzip("reserved flag", g.p, g.n, plain, n, want);
		if (z_inflate(g.p, g.n, out.p, n + 64, 31, NULL, NULL))
			t_fail("zlib accepts reserved flag %#x", bit);
		free(g.p);
	}
	t_end();

	t_begin("gzip_magic_and_method");
	g = make_member(plain, n, 0, 0);
	g.p[2] = 7;
	expect_gunzip("CM 7", g.p, g.n, plain, n, "gzip: method 7 is not deflate");
	if (gzip_detect(g.p, g.n))
		t_fail("gzip_detect accepts CM 7");
	g.p[2] = 8;
	g.p[1] = 0x8c;
	expect_gunzip("bad magic", g.p, g.n, plain, n, "gzip: bad magic 0x1f 0x8c");
	if (gzip_detect(g.p, g.n))
		t_fail("gzip_detect accepts 1f 8c");
	free(g.p);
	if (!gzip_detect((const u8 *)"\x1f\x8b\x08", 3) || gzip_detect((const u8 *)"\x1f\x8b", 2))
		t_fail("gzip_detect on the three magic bytes alone");
	t_end();

	t_begin("gzip_trailer_checks");
	g = make_member(plain, n, GZIP_FNAME, 0);
	g.p[g.n - 8] ^= 0x01; /* CRC32 */
	{
		uLong crc = crc32(0, plain, n);
		snprintf(want, sizeof(want), "gzip: CRC32 %#lx but the data has %#lx", crc ^ 1,
			 crc);
	}
	expect_gunzip("bad CRC32", g.p, g.n, plain, n, want);
	if (z_inflate(g.p, g.n, out.p, n + 64, 31, NULL, NULL))
		t_fail("zlib accepts the bad CRC32");
	g.p[g.n - 8] ^= 0x01;
	g.p[g.n - 4] ^= 0x01; /* ISIZE */
	snprintf(want, sizeof(want), "gzip: ISIZE %zu but %zu bytes decoded", n ^ 1, n);
	expect_gunzip("bad ISIZE", g.p, g.n, plain, n, want);
	if (z_inflate(g.p, g.n, out.p, n + 64, 31, NULL, NULL))
		t_fail("zlib accepts the bad ISIZE");
	g.p[g.n - 4] ^= 0x01;
	for (size_t cut = 1; cut <= 8; cut++) {
		snprintf(want, sizeof(want), "gzip: trailer truncated (%zu of 8 bytes)", 8 - cut);
		expect_gunzip("short trailer", g.p, g.n - cut, plain, n, want);
	}
	free(g.p);
	t_end();

	/* The header cut at every byte: FEXTRA, FNAME, FCOMMENT and FHCRC
	 * each run past the end of the file. */
	t_begin("gzip_header_truncated_at_every_byte");
	g = make_member(plain, n, GZIP_FEXTRA | GZIP_FNAME | GZIP_FCOMMENT | GZIP_FHCRC, 0);
	for (size_t k = 0; k < 10 + 14 + 11 + 10 + 2; k++) {
		snprintf(want, sizeof(want), "gzip: header truncated (%zu bytes)", k);
		expect_gunzip("cut header", g.p, k, plain, n, want);
	}
	/* XLEN larger than what follows. */
	g.p[10] = 0xff;
	g.p[11] = 0xff;
	snprintf(want, sizeof(want), "gzip: header truncated (%zu bytes)", g.n);
	expect_gunzip("XLEN 65535", g.p, g.n, plain, n, want);
	free(g.p);
	t_end();

	/* Data after the member: refused (see the top of this file). */
	t_begin("gzip_trailing_data_refused");
	g = make_member(plain, n, 0, 0);
	{
		struct blob two = blob_new(g.n * 2), pad = blob_new(g.n + 512);
		memcpy(two.p, g.p, g.n);
		memcpy(two.p + g.n, g.p, g.n);
		snprintf(want, sizeof(want),
			 "gzip: second member at byte %zu (concatenated gzip)", g.n);
		expect_gunzip("two members", two.p, two.n, plain, n, want);
		memcpy(pad.p, g.p, g.n);
		memset(pad.p + g.n, 0, 512);
		expect_gunzip("zero padding", pad.p, pad.n, plain, n,
			      "gzip: 512 bytes of trailing data");
		pad.p[g.n] = 'x';
		expect_gunzip("one byte", pad.p, g.n + 1, plain, n,
			      "gzip: 1 bytes of trailing data");
		/* zlib decodes the first member and stops where we say it
		 * ends. */
		size_t used;
		if (!z_inflate(two.p, two.n, out.p, n + 64, 31, &zlen, &used) || used != g.n)
			t_fail("zlib does not see the first member end at %zu", g.n);
		free(two.p);
		free(pad.p);
	}
	free(g.p);
	t_end();

	t_begin("gzip_isize_and_short_files");
	if (gzip_isize((const u8 *)"0123456789abcdefg", 17) != 0)
		t_fail("gzip_isize of 17 bytes is not 0");
	if (gzip_isize((const u8 *)"0123456789abcd\x01\x02\x03\x04", 18) != 0x04030201)
		t_fail("gzip_isize does not read the last four bytes little-endian");
	expect_gunzip("empty file", (const u8 *)"", 0, plain, n,
		      "gzip: header truncated (0 bytes)");
	t_end();
	free(out.p);
}

/* zlib's own gzip writer, with the optional header fields it can set. */
static void test_gzip_zlib_writer(const u8 *plain, size_t n)
{
	static u8 extra[] = "Zx\x05\x00hello";
	gz_header h = { 0 };
	z_stream z = { 0 };
	struct blob g;

	t_begin("gzip_from_zlib_writer");
	for (int variant = 0; variant < 4; variant++) {
		memset(&z, 0, sizeof(z));
		deflateInit2(&z, variant * 3, Z_DEFLATED, 16 + 15, 8, Z_DEFAULT_STRATEGY);
		memset(&h, 0, sizeof(h));
		h.text = variant & 1;
		h.time = 0x5f000000u + variant;
		h.os = 3;
		if (variant & 1) {
			h.extra = extra;
			h.extra_len = 9;
		}
		if (variant & 2) {
			h.name = (Bytef *)"vmlinuz.gz";
			h.comment = (Bytef *)"built by the test";
		}
		h.hcrc = variant >= 2;
		deflateSetHeader(&z, &h);
		g = blob_new(deflateBound(&z, n) + 128);
		z.next_in = (u8 *)plain;
		z.avail_in = n;
		z.next_out = g.p;
		z.avail_out = g.n;
		if (deflate(&z, Z_FINISH) != Z_STREAM_END)
			t_fail("zlib gzip writer");
		g.n = z.total_out;
		deflateEnd(&z);
		char what[32];
		snprintf(what, sizeof(what), "variant %d (FLG %#x)", variant, g.p[3]);
		expect_gunzip(what, g.p, g.n, plain, n, NULL);
		free(g.p);
	}
	t_end();
}

/* zopfli, another encoder (and the likely one for stage2's own body): its
 * raw DEFLATE and its gzip output. */
static void test_zopfli(const char *name, const u8 *plain, size_t n)
{
	char cmd[512], path[256], tname[64];

	snprintf(tname, sizeof(tname), "zopfli_%s", name);
	t_begin(tname);
	snprintf(path, sizeof(path), "%s/zin.bin", tmpdir);
	FILE *f = fopen(path, "wb");
	fwrite(plain, 1, n, f);
	fclose(f);
	snprintf(cmd, sizeof(cmd),
		 "cd %s && zopfli --i5 --deflate -c zin.bin > z.deflate && "
		 "zopfli --i5 --gzip -c zin.bin > z.gz",
		 tmpdir);
	if (system(cmd)) {
		t_fail("zopfli failed (is it installed? tools/packages.txt lists it)");
	} else {
		snprintf(path, sizeof(path), "%s/z.deflate", tmpdir);
		struct blob d = read_file(path);
		expect_roundtrip("zopfli --deflate", plain, n, d.p, d.n);
		snprintf(path, sizeof(path), "%s/z.gz", tmpdir);
		struct blob g = read_file(path);
		expect_gunzip("zopfli --gzip", g.p, g.n, plain, n, NULL);
		free(d.p);
		free(g.p);
	}
	t_end();
}

/* ------------------------------------------------------------------ */
/* CRC-32                                                             */

static void test_crc32(void)
{
	u32 table[CRC32_TABLE_ENTRIES];
	static u32 slices[CRC32_SLICES][CRC32_TABLE_ENTRIES];
	struct blob b = blob_new(70000);

	t_begin("crc32_check_value_both_forms");
	crc32_table_init(table);
	CHECK(crc32_ours("123456789", 9) == 0xcbf43926u, "bitwise: %#x",
	      crc32_ours("123456789", 9));
	CHECK(crc32_update_table(table, 0, "123456789", 9) == 0xcbf43926u, "table: %#x",
	      crc32_update_table(table, 0, "123456789", 9));
	CHECK(crc32_update_table(table, crc32_update_table(table, 0, "1234", 4), "56789", 5) ==
		      0xcbf43926u,
	      "table form does not chain");
	CHECK(crc32_update_table(table, 0, "", 0) == 0, "table form of nothing");
	crc32_slice4_init(slices);
	CHECK(!memcmp(slices[0], table, sizeof(table)), "slice 0 is the byte-wise table");
	CHECK(crc32_update_slice4(slices, 0, "123456789", 9) == 0xcbf43926u, "slice4: %#x",
	      crc32_update_slice4(slices, 0, "123456789", 9));
	CHECK(crc32_update_slice4(slices, 0, "", 0) == 0, "slice4 form of nothing");
	t_end();

	t_begin("crc32_forms_agree_with_zlib_on_random_data");
	for (size_t i = 0; i < b.n; i++)
		b.p[i] = (u8)rng();
	for (int k = 0; k < 300; k++) {
		size_t off = rng() % 1000, len = k < 50 ? (size_t)k : rng() % (b.n - off);
		u32 seed = k % 3 ? rng() : 0;
		u32 bit = crc32_update(seed, b.p + off, len);
		u32 tab = crc32_update_table(table, seed, b.p + off, len);
		u32 s4 = crc32_update_slice4(slices, seed, b.p + off, len);
		u32 z = (u32)crc32(seed, b.p + off, len);
		if (bit != tab || tab != z || s4 != z)
			t_fail("len %zu seed %#x: bitwise %#x table %#x slice4 %#x zlib %#x", len,
			       seed, bit, tab, s4, z);
	}
	t_end();
	free(b.p);
}

/* ------------------------------------------------------------------ */

static void rm_tmpdir(void)
{
	char cmd[128];

	snprintf(cmd, sizeof(cmd), "rm -rf %s", tmpdir);
	if (system(cmd))
		fprintf(stderr, "could not remove %s\n", tmpdir);
}

int main(void)
{
	static const char *const text_files[] = { "README.md", "include/bootinfo.h",
						  "include/e820.h", "include/elf.h",
						  "include/layout.h", "stage2/memory.c", NULL };
	static const char *const bin_files[] = { "build/kernel64.elf", "build/stage2.bin",
						 "build/kernel32.elf", "build/mbr.bin", NULL };
	struct blob text = cat_files(text_files), bins = cat_files(bin_files), b;

	if (!mkdtemp(tmpdir)) {
		perror("mkdtemp");
		return 2;
	}
	atexit(rm_tmpdir);
	if (text.n < 10000 || bins.n < 30000) {
		printf("FAIL inputs: run from the source tree after make (text %zu, binaries %zu "
		       "bytes)\n",
		       text.n, bins.n);
		return 1;
	}

	test_crc32();

	/* Empty, one byte, every byte value, the real files, random and
	 * repetitive data around the window and 64 KiB edges. */
	test_zlib_matrix("empty", (const u8 *)"", 0, 0);
	test_zlib_matrix("one_byte", (const u8 *)"A", 1, 0);
	b = blob_new(256 * 3);
	for (size_t i = 0; i < b.n; i++)
		b.p[i] = (u8)i;
	test_zlib_matrix("all_byte_values", b.p, b.n, 0);
	free(b.p);
	test_zlib_matrix("text", text.p, text.n, 0);
	test_zlib_matrix("binaries", bins.p, bins.n, 0);
	{
		struct blob k = read_file("build/stage2.bin");
		test_zlib_matrix("stage2_bin", k.p, k.n, 0);
		free(k.p);
	}
	static const size_t edges[] = { 32767, 32768, 32769, 65535, 65536, 65537 };
	for (size_t e = 0; e < sizeof(edges) / sizeof(edges[0]); e++) {
		char name[32];
		b = blob_new(edges[e]);
		for (size_t i = 0; i < b.n; i++)
			b.p[i] = (u8)(rng() >> 3);
		test_zlib_matrix("random", b.p, b.n, 1);
		/* 5 distinct bytes: short codes, many matches across 32 KiB */
		for (size_t i = 0; i < b.n; i++)
			b.p[i] = "abcde"[rng() % 5];
		snprintf(name, sizeof(name), "five_symbols");
		test_zlib_matrix(name, b.p, b.n, 1);
		free(b.p);
	}
	b = blob_new(300000);
	memset(b.p, 0, b.n);
	test_zlib_matrix("zeros", b.p, b.n, 1);
	for (size_t i = 0; i < b.n; i++)
		b.p[i] = (u8)(i % 3 == 0 ? 'x' : i % 7);
	test_zlib_matrix("period_21", b.p, b.n, 1);
	/* text and binaries repeated beyond the window: long matches, all
	 * distances */
	for (size_t i = 0; i < b.n; i++)
		b.p[i] = i % 2 ? text.p[(i * 7) % text.n] : bins.p[i % bins.n];
	test_zlib_matrix("interleaved", b.p, b.n, 1);
	free(b.p);

	test_flushes(text.p, text.n);
	test_every_prefix("text_level9", text.p, 4000, 9, Z_DEFAULT_STRATEGY);
	test_every_prefix("binary_fixed", bins.p, 3000, 6, Z_FIXED);
	test_every_prefix("stored", bins.p, 1000, 0, Z_DEFAULT_STRATEGY);
	test_damaged_streams(text.p, 2000);

	test_crafted();

	test_gzip_command(bins.p, bins.n);
	test_gzip_crafted(text.p, text.n);
	test_gzip_zlib_writer(bins.p, bins.n);
	{
		struct blob k = read_file("build/stage2.bin");
		test_zopfli("stage2_bin", k.p, k.n);
		free(k.p);
	}
	test_zopfli("text", text.p, 20000);

	free(text.p);
	free(bins.p);
	return t_exit_status();
}
