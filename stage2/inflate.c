/*
 * DEFLATE and gzip decoding; see inflate.h.
 *
 * Huffman decoding is table-driven: each code gets a lookup table indexed by
 * the next LIT_BITS (DIST_BITS) input bits whose entry holds the symbol and
 * its code length.  Codes longer than the table are the rare symbols (a code
 * gets longer as its symbol gets rarer), so they, and the bit patterns that
 * belong to no code (possible only with the one incomplete code RFC 1951
 * allows), find a zero entry and take a bit-at-a-time canonical decode
 * instead of a second table level: less memory, less code, and no table
 * sizing to get wrong.
 *
 * Bits are kept LSB first in a 32-bit buffer.  Near the end of the input the
 * buffer is topped up with zero bytes that are not in the input ("phantom"
 * bytes), because a table lookup peeks at more bits than the code it finds
 * may have.  The input is truncated exactly when a phantom bit gets consumed;
 * that is checked whenever the symbol loop tops the buffer up, and after
 * every block whether it ended or failed, so a cut stream always says so,
 * whatever the phantom bits decoded to.
 */
#include "inflate.h"
#include "crc32.h"
#include "gzip.h"

#include <stdint.h> /* uintptr_t */

#define MAXBITS 15     /* longest code, RFC 1951 3.2.7 */
#define LIT_SYMS 288   /* literal/length alphabet; 286, 287 exist only in the fixed code */
#define DIST_SYMS 32   /* distance alphabet; 30, 31 exist only in the fixed code */
#define LIT_CODES 286  /* most a dynamic header may declare (HLIT + 257) */
#define DIST_CODES 30  /* (HDIST + 1) */
#define CL_SYMS 19     /* code-length alphabet */
#define END_OF_BLOCK 256
#define LIT_BITS 10
#define DIST_BITS 8 /* also holds the code-length code, whose codes have at most 7 bits */

/* Table entry: symbol in bits 0..8, code length in bits 12..15; 0 = not in
 * the table. */
#define ENTRY(sym, len) ((sym) | (len) << 12)
#define ENTRY_LEN(e) ((e) >> 12)
#define ENTRY_SYM(e) ((e) & 0x1ff)

static struct {
	union {
		struct {
			u16 lit_tab[1 << LIT_BITS];
			u16 dist_tab[1 << DIST_BITS];
		};
		u32 crc_table[CRC32_TABLE_ENTRIES]; /* gunzip's, once decoding is done */
	};
	u16 lit_sym[LIT_SYMS];
	u16 dist_sym[DIST_SYMS];
	u16 lit_count[MAXBITS + 1];
	u16 dist_count[MAXBITS + 1];
	u8 lens[LIT_SYMS + DIST_SYMS]; /* the fixed code's, or HLIT + HDIST from a header */
} ws;
_Static_assert(sizeof(ws) == INFLATE_WORKSPACE_BYTES, "INFLATE_WORKSPACE_BYTES");

/* A Huffman code's tables in ws; the distance tables hold the code-length
 * code while a dynamic header is read. */
struct huff {
	u16 *tab;   /* 1 << bits entries, indexed by the next input bits */
	u16 *sym;   /* symbols by code length, then value: canonical order */
	u16 *count; /* codes of each length */
	u32 bits;
	const char *name;
	u32 allow; /* incomplete codes accepted, below */
};
#define ALLOW_SINGLE 1 /* one code of one bit */
#define ALLOW_NONE 2   /* no code at all (distances: a block of literals only) */
static const struct huff lit_code = { ws.lit_tab, ws.lit_sym, ws.lit_count, LIT_BITS,
				      "literal/length", ALLOW_SINGLE };
static const struct huff dist_code = { ws.dist_tab, ws.dist_sym, ws.dist_count, DIST_BITS,
				       "distance", ALLOW_SINGLE | ALLOW_NONE };
static const struct huff cl_code = { ws.dist_tab, ws.dist_sym, ws.dist_count, DIST_BITS,
				     "code-length", 0 };

struct inf {
	const u8 *p;  /* next input byte to load */
	u32 left;     /* input bytes not loaded yet */
	u32 ph;       /* phantom (zero) bytes loaded past the end */
	u32 buf, cnt; /* bit buffer and its valid bits; above those it holds zeros or
			 the low bits of *p */
	u8 *out;
	u32 cap, op;
	u32 in_len;
	u32 fixed; /* the tables hold the fixed codes */
};

static char msg_buf[112];

/* Message prefixes, selected by a text's first byte. */
#define DEFLATE "\1"
#define GZIP "\2"

/* The message text with its prefix and up to two arguments put in: '%'
 * decimal, '#' hex, '$' a string.  The texts are this file's own; the longest
 * one with its widest arguments fits msg_buf. */
static const char *msg(const char *text, uintptr_t a, uintptr_t b)
{
	char *o = msg_buf, digits[20];
	const char *str;
	uintptr_t v = a, base, n;
	char c;

	while ((c = *text++)) {
		if (c == '$' || c == *DEFLATE || c == *GZIP) {
			str = c == *DEFLATE ? "deflate: "
			      : c == *GZIP  ? "gzip: "
					    : (const char *)v;
			if (c == '$')
				v = b;
			while (*str)
				*o++ = *str++;
		} else if (c == '%' || c == '#') {
			base = 10;
			if (c == '#') {
				base = 16;
				*o++ = '0';
				*o++ = 'x';
			}
			n = 0;
			do {
				digits[n++] = "0123456789abcdef"[v % base];
				v /= base;
			} while (v);
			while (n)
				*o++ = digits[--n];
			v = b;
		} else {
			*o++ = c;
		}
	}
	*o = 0;
	return msg_buf;
}

static int overrun(const struct inf *s)
{
	return s->ph * 8 > s->cnt;
}

static const char *truncated(const struct inf *s)
{
	return msg(DEFLATE "input truncated (% bytes)", s->in_len, 0);
}

static const char *overflow(const struct inf *s)
{
	return msg(DEFLATE "output over % bytes", s->cap, 0);
}

static inline __attribute__((always_inline)) u32 load32(const u8 *p)
{
	return p[0] | p[1] << 8 | (u32)p[2] << 16 | (u32)p[3] << 24;
}

/* Tops the buffer up to at least 25 bits (callers have at most 24).  Returns
 * nonzero when a phantom bit was already consumed: the input is truncated. */
static int refill(struct inf *s)
{
	if (s->left >= 4) {
		/* Whole bytes that fit; the partial one shifted in above them is
		 * the same byte the next top-up loads, so the OR is harmless. */
		u32 k = (32 - s->cnt) >> 3;
		s->buf |= load32(s->p) << s->cnt;
		s->p += k;
		s->left -= k;
		s->cnt += k << 3;
		return 0;
	}
	while (s->cnt <= 24) {
		if (s->left) {
			s->buf |= (u32)*s->p++ << s->cnt;
			s->left--;
		} else {
			s->ph++;
		}
		s->cnt += 8;
	}
	return overrun(s);
}

/* n <= 16 bits; past the end they read as zeros (the caller checks overrun). */
static u32 bits(struct inf *s, u32 n)
{
	u32 v;

	if (s->cnt < n)
		refill(s);
	v = s->buf & ((1u << n) - 1);
	s->buf >>= n;
	s->cnt -= n;
	return v;
}

#define NO_CODE 0x1ff /* what decode() returns for bits that match no code */

/* The canonical decode of the next code in buf, a bit at a time: an entry,
 * or NO_CODE (with length 0) when the bits match no code. */
static u32 slow(const struct huff *h, u32 buf)
{
	u32 code = 0, first = 0, index = 0, len, c;

	for (len = 1; len <= MAXBITS; len++) {
		code |= buf & 1;
		buf >>= 1;
		c = h->count[len];
		/* Codes of this length are first..first+c-1; code >= first holds
		 * because every shorter prefix was past its own range. */
		if (code - first < c)
			return ENTRY(h->sym[index + code - first], len);
		index += c;
		first = (first + c) << 1;
		code <<= 1;
	}
	return NO_CODE;
}

/* The next symbol of h; the caller has made sure of MAXBITS bits. */
static u32 decode(struct inf *s, const struct huff *h)
{
	u32 e = h->tab[s->buf & ((1u << h->bits) - 1)];

	if (!e)
		e = slow(h, s->buf);
	s->buf >>= ENTRY_LEN(e);
	s->cnt -= ENTRY_LEN(e);
	return ENTRY_SYM(e);
}

/* Builds h from n code lengths (each <= MAXBITS) and checks them: never
 * over-subscribed; incomplete only where h->allow says: a single code of one
 * bit, the other one-bit pattern unused (RFC 1951 allows it for distances,
 * zlib also for literal/length codes, neither for the code-length code), or
 * no distance code at all. */
static const char *build(const struct huff *h, const u8 *lens, u32 n)
{
	u16 offs[MAXBITS + 2];
	u32 i, len, e, j, rev, size = 1u << h->bits;
	s32 left = 1;

	for (len = 0; len <= MAXBITS; len++)
		h->count[len] = 0;
	for (i = 0; i < n; i++)
		h->count[lens[i]]++;
	offs[1] = 0;
	for (len = 1; len <= MAXBITS; len++) {
		left = (left << 1) - h->count[len];
		if (left < 0)
			return msg(DEFLATE "$ code is over-subscribed", (uintptr_t)h->name, 0);
		offs[len + 1] = offs[len] + h->count[len];
	}
	for (i = 0; i < n; i++)
		if (lens[i])
			h->sym[offs[lens[i]]++] = i;

	/* Codes are assigned in order of length, then symbol (RFC 1951
	 * 3.2.2), and sent from their most significant bit while the buffer
	 * fills from its least: a code of len <= h->bits bits owns every entry
	 * whose low len bits are the code reversed.  Longer codes leave their
	 * entries 0 for slow().  One pass over the symbols instead of a
	 * canonical decode per entry: a third of the instructions the head
	 * spent inflating stage2 went to building tables that way. */
	for (i = 0; i < size; i++)
		h->tab[i] = 0;
	rev = 0;
	i = 0;
	for (len = 1; len <= h->bits; len++) {
		/* The first code of this length is the code after the last one
		 * of the previous length with a 0 appended: a 0 at the top of
		 * the reversed value, so rev carries over unchanged. */
		for (e = h->count[len]; e; e--, i++) {
			for (j = rev; j < size; j += 1u << len)
				h->tab[j] = ENTRY(h->sym[i], len);
			/* The next code is this one plus 1: its lowest bit is
			 * rev's bit len - 1, and the carry runs downwards. */
			j = 1u << (len - 1);
			while (rev & j)
				j >>= 1;
			rev = j ? (rev & (j - 1)) + j : 0;
		}
	}
	if (left && !(h->allow & ALLOW_SINGLE && left == 1 << (MAXBITS - 1) && h->count[1] == 1) &&
	    !(h->allow & ALLOW_NONE && left == 1 << MAXBITS))
		return msg(DEFLATE "$ code is incomplete", (uintptr_t)h->name, 0);
	return 0;
}

/* Order in which a dynamic header sends the code-length code's lengths. */
static const u8 cl_order[CL_SYMS] = { 16, 17, 18, 0, 8, 7, 9, 6, 10, 5, 11, 4, 12, 3, 13, 2,
				      14, 1, 15 };

/* The fixed code's lengths (RFC 1951 3.2.6): literal/length 0..143 8 bits,
 * 144..255 9, 256..279 7, 280..287 8, then the 32 distances 5 bits. */
static const u8 fixed_runs[] = { 144, 8, 112, 9, 24, 7, 8, 8, 32, 5 };

/* The codes of a fixed (type 1) or dynamic (type 2) block. */
static const char *tables(struct inf *s, u32 type)
{
	u32 nlit = LIT_SYMS, ndist = DIST_SYMS, ncl, i, k, n, e, rep, v;
	const char *m;

	if (type == 1) {
		/* RFC 1951 3.2.6 */
		if (s->fixed)
			return 0;
		for (i = k = 0; k < sizeof(fixed_runs); k += 2)
			for (n = fixed_runs[k]; n; n--)
				ws.lens[i++] = fixed_runs[k + 1];
	} else {
		nlit = bits(s, 5) + 257;
		ndist = bits(s, 5) + 1;
		ncl = bits(s, 4) + 4;
		if (nlit > LIT_CODES)
			return msg(DEFLATE "% literal/length codes (HLIT), over 286", nlit, 0);
		if (ndist > DIST_CODES)
			return msg(DEFLATE "% distance codes (HDIST), over 30", ndist, 0);
		for (i = 0; i < CL_SYMS; i++)
			ws.lens[cl_order[i]] = i < ncl ? bits(s, 3) : 0;
		/* The distance tables hold the code-length code until the
		 * lengths are read; complete and at most 7 bits long, it has no
		 * zero entry and needs no slow decode. */
		m = build(&cl_code, ws.lens, CL_SYMS);
		if (m)
			return m;
		for (i = 0; i < nlit + ndist;) {
			if (s->cnt < 7 + 7)
				refill(s);
			e = decode(s, &cl_code);
			if (e < 16) {
				ws.lens[i++] = e;
				continue;
			}
			/* 16: the previous length 3..6 times; 17: zero 3..10
			 * times; 18: zero 11..138 times. */
			v = 0;
			if (e == 16) {
				if (!i)
					return msg(DEFLATE "code length repeat (16) first", 0, 0);
				v = ws.lens[i - 1];
			}
			rep = (e == 18 ? 11 : 3) + bits(s, e == 18 ? 7 : e - 14);
			if (rep > nlit + ndist - i)
				return msg(DEFLATE "code length repeat past HLIT + HDIST (%)",
					   nlit + ndist, 0);
			while (rep--)
				ws.lens[i++] = v;
		}
		if (!ws.lens[END_OF_BLOCK])
			return msg(DEFLATE "no end-of-block code", 0, 0);
	}
	s->fixed = type == 1;
	m = build(&lit_code, ws.lens, nlit);
	return m ? m : build(&dist_code, ws.lens + nlit, ndist);
}

/* 286, 287 of the literal/length code and 30, 31 of the distance code only
 * exist in the fixed code; NO_CODE only with an incomplete code. */
static const char *bad_symbol(const char *name, u32 e)
{
	if (e == NO_CODE)
		return msg(DEFLATE "input bits match no $ code", (uintptr_t)name, 0);
	return msg(DEFLATE "invalid $ code %", (uintptr_t)name, e);
}

/* The symbols of one block, up to its end-of-block code.  The bit buffer and
 * the output pointer live in locals: stores to the output could alias *s and
 * would force reloads of everything. */
static const char *codes(struct inf *s)
{
	u32 buf = s->buf, cnt = s->cnt, e, n, len, dist, r;
	u8 *o = s->out + s->op, *end = s->out + s->cap;
	const char *m;

#define NEED(bits)                            \
	if (cnt < (bits)) {                   \
		s->buf = buf;                 \
		s->cnt = cnt;                 \
		r = refill(s);                \
		buf = s->buf;                 \
		cnt = s->cnt;                 \
		if (r)                        \
			goto cut;             \
	}
#define DECODE(h, tab, mask)                  \
	e = (tab)[buf & (mask)];              \
	if (!e)                               \
		e = slow(&(h), buf);          \
	buf >>= ENTRY_LEN(e);                 \
	cnt -= ENTRY_LEN(e);                  \
	e = ENTRY_SYM(e);
#define EXTRA(v, n)                           \
	v += buf & ((1u << (n)) - 1);         \
	buf >>= (n);                          \
	cnt -= (n);

	for (;;) {
		/* A code and its extra bits; refill()'s common case inline. */
		if (cnt < MAXBITS + 5 && s->left >= 4) {
			r = (32 - cnt) >> 3;
			buf |= load32(s->p) << cnt;
			s->p += r;
			s->left -= r;
			cnt += r << 3;
		}
		NEED(MAXBITS + 5)
		DECODE(lit_code, ws.lit_tab, (1u << LIT_BITS) - 1)
		if (e < 256) {
			if (o == end)
				goto full;
			*o++ = e;
			continue;
		}
		if (e == END_OF_BLOCK) {
			m = 0;
			goto done;
		}
		/* Lengths 3..258 (RFC 1951 3.2.5): codes 257..264 carry no
		 * extra bits, then 4 codes per extra bit; 285 is 258. */
		e -= 257;
		if (e >= 29) {
			m = bad_symbol(lit_code.name, e + 257);
			goto done;
		}
		n = e < 8 || e == 28 ? 0 : (e >> 2) - 1;
		len = e < 8 ? e + 3 : e == 28 ? 258 : ((4 | (e & 3)) << n) + 3;
		EXTRA(len, n)

		NEED(MAXBITS)
		DECODE(dist_code, ws.dist_tab, (1u << DIST_BITS) - 1)
		/* Distances 1..32768: codes 0..3 carry no extra bits, then 2
		 * codes per extra bit. */
		if (e >= 30) {
			m = bad_symbol(dist_code.name, e);
			goto done;
		}
		n = e < 4 ? 0 : (e >> 1) - 1;
		dist = e < 4 ? e + 1 : ((2 | (e & 1)) << n) + 1;
		NEED(n)
		EXTRA(dist, n)
		if (dist > (u32)(o - s->out)) {
			m = msg(DEFLATE "distance % too far back (% bytes written)", dist,
				o - s->out);
			goto done;
		}
		if (len > (u32)(end - o))
			goto full;
		/* A copy may overlap what it writes (dist < len repeats a
		 * pattern): four bytes at a time only read bytes already
		 * written when dist >= 4. */
		if (dist >= 4) {
			for (; len >= 4; len -= 4, o += 4) {
				r = load32(o - dist);
				__builtin_memcpy(o, &r, 4);
			}
		}
		for (; len; len--, o++)
			*o = *(o - dist);
	}
full:
	m = overflow(s);
	goto done;
cut:
	m = truncated(s);
done:
	s->buf = buf;
	s->cnt = cnt;
	s->op = o - s->out;
	return m;
#undef NEED
#undef DECODE
#undef EXTRA
}

/* A stored block: LEN bytes after the next byte boundary.  They go through
 * the bit buffer like everything else: slower than a copy, but stored blocks
 * are rare in what stage2 reads, and past the end of the input they read as
 * phantom bytes, which inflate_raw reports as truncation. */
static const char *stored(struct inf *s)
{
	u32 len, nlen;

	s->buf >>= s->cnt & 7;
	s->cnt &= ~7u;
	len = bits(s, 16);
	nlen = bits(s, 16);
	if (len != (nlen ^ 0xffff))
		return msg(DEFLATE "stored block LEN # does not match NLEN #", len, nlen);
	if (len > s->cap - s->op)
		return overflow(s);
	while (len--)
		s->out[s->op++] = bits(s, 8);
	return 0;
}

const char *inflate_raw(const u8 *in, u32 in_len, u8 *out, u32 out_cap, struct inflate_result *r)
{
	struct inf s = {
		.p = in, .left = in_len, .out = out, .cap = out_cap, .in_len = in_len,
	};
	const char *m;
	u32 last, type;

	do {
		last = bits(&s, 1);
		type = bits(&s, 2);
		if (type == 0)
			m = stored(&s);
		else if (type == 3)
			m = msg(DEFLATE "invalid block type 3", 0, 0);
		else if (!(m = tables(&s, type)))
			m = codes(&s);
		/* Whatever was decoded from phantom bits, or the end-of-block
		 * code that used them: the input is cut short. */
		if (overrun(&s))
			m = truncated(&s);
	} while (!m && !last);
	r->out_len = s.op;
	r->in_used = in_len - s.left + s.ph - (s.cnt >> 3);
	return m;
}

/* The gzip layer is needed only once stage2's body runs (for gzip kernels
 * and modules): the Makefile links this section into stage2's extension,
 * while inflate_raw stays in the head, which unpacks the body with it. */
#define BODY_ONLY __attribute__((section(".ext.text")))
/* Its messages go there too (.ext.rodata): they would cost the core, which
 * the MBR reads at every boot, about 300 bytes. */
#define GZIP_MSG(text)                                                              \
	({                                                                          \
		static const char t_[] __attribute__((section(".ext.rodata"))) = GZIP text; \
		t_;                                                                 \
	})

BODY_ONLY int gzip_detect(const u8 *in, u32 len)
{
	return len >= 3 && in[0] == GZIP_ID1 && in[1] == GZIP_ID2 && in[2] == GZIP_CM_DEFLATE;
}

BODY_ONLY u32 gzip_isize(const u8 *in, u32 len)
{
	if (len < sizeof(struct gzip_header) + sizeof(struct gzip_trailer))
		return 0;
	return load32(in + len - 4);
}

/* The table shares ws with the decode tables, so it is built for each use. */
BODY_ONLY static u32 crc_of(const u8 *p, u32 n)
{
	crc32_table_init(ws.crc_table);
	return crc32_update_table(ws.crc_table, 0, p, n);
}

BODY_ONLY const char *gunzip(const u8 *in, u32 in_len, u8 *out, u32 out_cap, u32 *out_len)
{
	const struct gzip_header *h = (const void *)in;
	const struct gzip_trailer *t;
	struct inflate_result r;
	const char *m;
	u32 pos = sizeof(*h), n, crc, flag;

	*out_len = 0;
	if (in_len < sizeof(*h))
		goto header_truncated;
	if (h->id1 != GZIP_ID1 || h->id2 != GZIP_ID2)
		return msg(GZIP_MSG("bad magic # #"), h->id1, h->id2);
	if (h->cm != GZIP_CM_DEFLATE)
		return msg(GZIP_MSG("method % is not deflate"), h->cm, 0);
	if (h->flg & GZIP_FRESERVED)
		return msg(GZIP_MSG("reserved FLG bits set (#)"), h->flg, 0);
	if (h->flg & GZIP_FEXTRA) {
		if (in_len - pos < 2)
			goto header_truncated;
		n = in[pos] | in[pos + 1] << 8;
		pos += 2;
		if (n > in_len - pos)
			goto header_truncated;
		pos += n;
	}
	/* FNAME, then FCOMMENT: zero-terminated. */
	for (flag = GZIP_FNAME; flag <= GZIP_FCOMMENT; flag <<= 1) {
		if (h->flg & flag) {
			do
				if (pos == in_len)
					goto header_truncated;
			while (in[pos++]);
		}
	}
	if (h->flg & GZIP_FHCRC) {
		if (in_len - pos < 2)
			goto header_truncated;
		crc = crc_of(in, pos) & 0xffff;
		n = in[pos] | in[pos + 1] << 8;
		if (n != crc)
			return msg(GZIP_MSG("header CRC16 # is not #"), n, crc);
		pos += 2;
	}
	m = inflate_raw(in + pos, in_len - pos, out, out_cap, &r);
	if (m)
		return m;
	pos += r.in_used;
	n = in_len - pos;
	if (n < sizeof(*t))
		return msg(GZIP_MSG("trailer truncated (% of 8 bytes)"), n, 0);
	if (n > sizeof(*t)) {
		if (gzip_detect(in + pos + sizeof(*t), n - sizeof(*t)))
			return msg(GZIP_MSG("second member at byte % (concatenated gzip)"),
				   pos + sizeof(*t), 0);
		return msg(GZIP_MSG("% bytes of trailing data"), n - sizeof(*t), 0);
	}
	t = (const void *)(in + pos);
	if (t->isize != r.out_len)
		return msg(GZIP_MSG("ISIZE % but % bytes decoded"), t->isize, r.out_len);
	crc = crc_of(out, r.out_len);
	if (t->crc32 != crc)
		return msg(GZIP_MSG("CRC32 # but the data has #"), t->crc32, crc);
	*out_len = r.out_len;
	return 0;
header_truncated:
	return msg(GZIP_MSG("header truncated (% bytes)"), in_len, 0);
}
