/*
 * Host tests of video mode setting: the pure half (stage2/vbemode.c: the
 * mode list, ModeInfoBlock checks, EDID, the choice, the list of modes for
 * messages) on blocks laid out by hand after the VBE 3.0 and EDID 1.4
 * specifications, and the BIOS half (stage2/vbe.c, with stage2/video.c)
 * against a scripted INT 10h that behaves like the video BIOSes seen in
 * QEMU (SeaBIOS's VGA BIOSes), Bochs (the LGPL VGABIOS) and the broken ones
 * the code guards against.  Every expected value is worked out by hand from
 * the fake's tables, and the choice is also checked against a brute-force
 * model of the rule in video.h.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <linux/screen_info.h> /* Linux's own struct, from linux-libc-dev */

#include "bios.h"
#include "bootinfo.h"
#include "proto/linux_video.h"
#include "testlib.h"
#include "vbe.h"
#include "video.h"

#define COUNT(a) (sizeof(a) / sizeof((a)[0]))

/* ------------------------------------------------------------------ */
/* The stage2 services vbe.c and video.c use, as the host provides them. */

u8 fake_real_memory[VIDEO_REAL_MODE_END];
void *fake_bios_es_di, *fake_bios_ds_si;

#define HEAP_BASE 0x20000u
#define ROM_LIST 0xc1000u /* C000:1000, in the "video BIOS ROM" */
static u32 heap_next;

void *heap_alloc(u32 size)
{
	void *p = fake_real_memory + heap_next;

	heap_next = (heap_next + size + 15) & ~15u;
	if (heap_next > 0x50000)
		abort();
	return p;
}

static char printed[8192];
static char died[2048];
static jmp_buf die_jump;
static int graphics_on;

void print(const char *fmt, ...)
{
	size_t n = strlen(printed);
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(printed + n, sizeof(printed) - n, fmt, ap);
	va_end(ap);
}

void show(const char *fmt, ...)
{
	size_t n = strlen(printed);
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(printed + n, sizeof(printed) - n, fmt, ap);
	va_end(ap);
}

void format_string(char *buf, u32 size, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(buf, size, fmt, ap);
	va_end(ap);
}

_Noreturn void die(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(died, sizeof(died), fmt, ap);
	va_end(ap);
	graphics_on = 0; /* die() sets text mode again */
	longjmp(die_jump, 1);
}

void console_graphics(int on)
{
	graphics_on = on;
}

static struct {
	u64 base, length;
	const char *what;
	int calls;
	const char *answer; /* what physmem_reserve() returns */
} reserved;

const char *physmem_reserve(u64 base, u64 length, const char *what)
{
	reserved.base = base;
	reserved.length = length;
	reserved.what = what;
	reserved.calls++;
	return reserved.answer;
}

/* The BDA's video record: 80x25 colour text, or none (no video BIOS). */
static int bda_video;

u16 bda_read16(u16 offset)
{
	if (!bda_video)
		return 0;
	switch (offset) {
	case BDA_VIDEO_COLS: return 80;
	case BDA_VIDEO_MODE: return 0x0303; /* the byte after it is not ours */
	case BDA_VIDEO_ROWS: return 0x1018; /* 24 rows - 1, then 16 scan lines */
	default: return 0;
	}
}

/* ------------------------------------------------------------------ */
/* A scripted video BIOS. */

struct fmode {
	u16 number, attrs;
	u8 model, bpp;
	u16 w, h, pitch;
	u8 masks[6]; /* red size, position, green..., blue... as VBE orders them */
	u32 lfb;
	u16 lin_pitch;
	u8 lin_masks[6];
};

struct fvbe {
	int absent;       /* no VGA BIOS: INT 10h returns with the registers as they were */
	u16 version;
	u16 total_64k;
	int list_in_rom;  /* the list in ROM instead of the caller's buffer */
	int unterminated; /* no 0xFFFF after the list */
	u32 list_ptr;     /* not 0: VideoModePtr, whatever it points at */
	const struct fmode *modes;
	u32 n;
	const u16 *phantom; /* listed first, but 4F01h fails for them */
	u32 nphantom;
	u16 refuse;       /* 4F02h answers AX=014Fh for this mode */
	u16 lie;          /* 4F02h answers 004Fh for it, 4F03h tells the truth */
	const u8 *edid;   /* 4F15h's block; NULL: unsupported */
};

static const struct fvbe *bios;
static struct {
	u16 current;       /* the mode set, with its flags as 4F02h got them */
	u32 sets;          /* 4F02h calls */
	u16 set_bx[8];
	u32 text_resets;   /* INT 10h AX=0003h */
	u32 info_calls, mode_info_calls, ddc_calls, get_mode_calls;
	char violation[200];
} vlog;

static void violation(const char *what)
{
	if (!vlog.violation[0])
		snprintf(vlog.violation, sizeof(vlog.violation), "%s", what);
}

static u8 *es_di(void)
{
	u8 *p = fake_bios_es_di;

	if (!p || p < fake_real_memory || p >= fake_real_memory + 0x100000)
		violation("ES:DI does not point below 1 MiB");
	return p;
}

static const struct fmode *find_mode(u16 number)
{
	for (u32 i = 0; i < bios->n; i++)
		if (bios->modes[i].number == number)
			return &bios->modes[i];
	return NULL;
}

static void put16(u8 *p, u16 v)
{
	p[0] = (u8)v;
	p[1] = (u8)(v >> 8);
}

void intcall(u8 int_no, const struct biosregs *in_, struct biosregs *out)
{
	struct biosregs r = *in_;

	if (int_no != 0x10)
		violation("an interrupt other than 10h");
	if (!(r.eflags & X86_EFLAGS_CF))
		violation("INT 10h without CF preset (initregs)");
	if (bios->absent) {
		/* SeaBIOS without a VGA ROM: the vector's handler returns. */
		if (out)
			*out = r;
		return;
	}
	if (r.ax == 0x0003) {
		vlog.text_resets++;
		vlog.current = 3;
	} else if (r.ax == VBE_GET_INFO) {
		u8 *b = es_di();
		struct vbe_info_block *ib = (struct vbe_info_block *)b;
		u32 lin = (u32)(b - fake_real_memory);
		vlog.info_calls++;
		if (ib->VbeSignature != VBE2_SIGNATURE)
			violation("4F00h without \"VBE2\" in the buffer");
		memset(b, 0, sizeof(*ib));
		memcpy(b, "VESA", 4);
		ib->VbeVersion = bios->version;
		ib->TotalMemory = bios->total_64k;
		/* SeaBIOS and Bochs put the list in the buffer's Reserved area. */
		u32 at = bios->list_in_rom ? ROM_LIST : lin + 34;
		u8 *l = fake_real_memory + at;
		for (u32 i = 0; i < bios->nphantom; i++, l += 2)
			put16(l, bios->phantom[i]);
		for (u32 i = 0; i < bios->n; i++, l += 2)
			put16(l, bios->modes[i].number);
		if (bios->unterminated) {
			/* Garbage that is no mode number runs on past the end. */
			for (u8 *e = fake_real_memory + at + 2 * VIDEO_LIST_MAX + 64; l < e; l += 2)
				put16(l, 0x7777);
		} else {
			put16(l, VBE_MODE_LIST_END);
		}
		ib->VideoModePtr = bios->list_ptr ? bios->list_ptr
						  : (at >> 4) << 16 | (at & 0xf);
		r.ax = VBE_OK;
	} else if (r.ax == VBE_GET_MODE_INFO) {
		const struct fmode *m = find_mode(r.cx);
		struct vbe_mode_info *mi = (struct vbe_mode_info *)es_di();
		vlog.mode_info_calls++;
		if (!m) {
			r.ax = 0x014f;
		} else {
			memset(mi, 0xcc, sizeof(*mi)); /* fields a BIOS leaves alone */
			mi->ModeAttributes = m->attrs;
			mi->BytesPerScanLine = m->pitch;
			mi->XResolution = m->w;
			mi->YResolution = m->h;
			mi->BitsPerPixel = m->bpp;
			mi->MemoryModel = m->model;
			memcpy(&mi->RedMaskSize, m->masks, 6);
			mi->PhysBasePtr = m->lfb;
			mi->LinBytesPerScanLine = m->lin_pitch;
			memcpy(&mi->LinRedMaskSize, m->lin_masks, 6);
			r.ax = VBE_OK;
		}
	} else if (r.ax == VBE_SET_MODE) {
		u16 number = r.bx & VBE_MODE_NUMBER_MASK;
		if (vlog.sets < COUNT(vlog.set_bx))
			vlog.set_bx[vlog.sets] = r.bx;
		vlog.sets++;
		if (!find_mode(number) || number == bios->refuse) {
			r.ax = 0x014f;
		} else {
			if (number != bios->lie)
				vlog.current = r.bx;
			r.ax = VBE_OK;
		}
	} else if (r.ax == VBE_GET_MODE) {
		vlog.get_mode_calls++;
		r.bx = vlog.current;
		r.ax = VBE_OK;
	} else if (r.ax == VBE_DDC) {
		vlog.ddc_calls++;
		if (r.bl != VBE_DDC_READ_EDID || r.cx != 0 || r.dx != 0)
			violation("4F15h other than BL=01h, CX=0, DX=0");
		if (bios->edid) {
			memcpy(es_di(), bios->edid, EDID_SIZE);
			r.ax = VBE_OK;
		} else {
			r.ax = 0x014f;
		}
	} else {
		violation("an INT 10h function the fake does not know");
	}
	r.eflags &= ~X86_EFLAGS_CF;
	if (out)
		*out = r;
}

/* ------------------------------------------------------------------ */
/* Modes as the emulators' video BIOSes describe them. */

#define ATTRS_LFB (VBE_ATTR_SUPPORTED | 0x2 | VBE_ATTR_COLOR | VBE_ATTR_GRAPHICS | VBE_ATTR_LFB)
#define RGB555 { 5, 10, 5, 5, 5, 0 }
#define RGB565 { 5, 11, 6, 5, 5, 0 }
#define RGB888 { 8, 16, 8, 8, 8, 0 }
#define LFB 0xfd000000u
/* A direct-colour mode with its packed pitch (VBE 3.0 fields the same). */
#define M(num, w_, h_, bpp_, masks_)                                                  \
	{ .number = (num), .attrs = ATTRS_LFB, .model = VBE_MEMORY_MODEL_DIRECT,         \
	  .bpp = (bpp_), .w = (w_), .h = (h_), .pitch = (w_) * (((bpp_) + 1) / 8),       \
	  .masks = masks_, .lfb = LFB, .lin_pitch = (w_) * (((bpp_) + 1) / 8),           \
	  .lin_masks = masks_ }
/* An 8-bit palette mode: listed, never usable. */
#define P8(num, w_, h_)                                                               \
	{ .number = (num), .attrs = ATTRS_LFB, .model = VBE_MEMORY_MODEL_PACKED, .bpp = 8, \
	  .w = (w_), .h = (h_), .pitch = (w_), .lfb = LFB }

/* Like QEMU's std VGA under SeaBIOS: every size in 8, 15, 16, 24, 32 bpp. */
static const struct fmode stdvga[] = {
	P8(0x101, 640, 480),
	M(0x110, 640, 480, 15, RGB555), M(0x111, 640, 480, 16, RGB565),
	M(0x112, 640, 480, 24, RGB888), M(0x129, 640, 480, 32, RGB888),
	P8(0x103, 800, 600),
	M(0x113, 800, 600, 15, RGB555), M(0x114, 800, 600, 16, RGB565),
	M(0x115, 800, 600, 24, RGB888), M(0x12e, 800, 600, 32, RGB888),
	P8(0x105, 1024, 768),
	M(0x116, 1024, 768, 15, RGB555), M(0x117, 1024, 768, 16, RGB565),
	M(0x118, 1024, 768, 24, RGB888), M(0x144, 1024, 768, 32, RGB888),
	M(0x11a, 1280, 1024, 16, RGB565), M(0x146, 1280, 1024, 32, RGB888),
	M(0x17d, 1280, 800, 32, RGB888),
};

/* Like QEMU's cirrus: no 32-bit mode at 1024x768 (GRUB's notes agree). */
static const struct fmode cirrus[] = {
	P8(0x101, 640, 480), M(0x110, 640, 480, 15, RGB555), M(0x111, 640, 480, 16, RGB565),
	M(0x112, 640, 480, 24, RGB888), M(0x129, 640, 480, 32, RGB888),
	M(0x113, 800, 600, 15, RGB555), M(0x114, 800, 600, 16, RGB565),
	M(0x115, 800, 600, 24, RGB888), M(0x117, 1024, 768, 16, RGB565),
	M(0x118, 1024, 768, 24, RGB888), M(0x11a, 1280, 1024, 16, RGB565),
};

/* An EDID 1.4 block with width x height as its first (preferred) detailed
 * timing, built field by field after the specification. */
static void make_edid(u8 *e, u16 w, u16 h, int interlaced)
{
	static const u8 header[8] = { 0, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0 };
	u8 sum = 0;

	memset(e, 0, EDID_SIZE);
	memcpy(e, header, 8);
	e[8] = 0x47; /* "QEM" in 5-bit letters, big endian */
	e[9] = 0xad;
	e[18] = 1;   /* version 1.4 */
	e[19] = 4;
	e[24] = EDID_FEATURE_PREFERRED_TIMING;
	u8 *d = e + 54;
	d[0] = 0x10; /* 106.5 MHz in 10 kHz units, little endian */
	d[1] = 0x29;
	d[2] = (u8)w;
	d[3] = 0xa0; /* blanking 160 */
	d[4] = (u8)((w >> 8) << 4);
	d[5] = (u8)h;
	d[6] = 0x1f;
	d[7] = (u8)((h >> 8) << 4);
	d[17] = interlaced ? 0x80 : 0x18;
	/* The second descriptor: a display name, not a timing. */
	memcpy(e + 72 + 5, "QEMU Monitor", 12);
	e[72 + 3] = 0xfc;
	for (u32 i = 0; i < EDID_SIZE - 1; i++)
		sum += e[i];
	e[127] = (u8)-sum;
}

/* ------------------------------------------------------------------ */
/* The pure half. */

static void test_mode_list(void)
{
	static u8 mem[4096];
	u16 out[8];
	u32 n = 99;
	const char *err;

	t_begin("mode_list_terminated");
	memset(mem, 0, sizeof(mem));
	put16(mem + 0x100, 0x110); /* at 0010:0000 */
	put16(mem + 0x102, 0x144);
	put16(mem + 0x104, VBE_MODE_LIST_END);
	put16(mem + 0x106, 0x117);
	err = vbe_mode_list(mem, sizeof(mem), 0x00100000, out, 8, &n);
	CHECK(!err, "error %s", err);
	CHECK_EQ_U64("count", n, 2);
	CHECK_EQ_U64("first", out[0], 0x110);
	CHECK_EQ_U64("second", out[1], 0x144);
	t_end();

	t_begin("mode_list_segment_and_offset_both_count");
	err = vbe_mode_list(mem, sizeof(mem), 0x000f0010, out, 8, &n); /* 000F:0010 = 0x100 */
	CHECK(!err && n == 2 && out[1] == 0x144, "000F:0010 read as %u modes (%s)", n, err);
	t_end();

	t_begin("mode_list_empty");
	put16(mem + 0x200, VBE_MODE_LIST_END);
	err = vbe_mode_list(mem, sizeof(mem), 0x00200000, out, 8, &n);
	CHECK(!err, "error %s", err);
	CHECK_EQ_U64("count", n, 0);
	t_end();

	t_begin("mode_list_cut_at_max");
	for (u32 i = 0; i < 20; i++)
		put16(mem + 0x300 + 2 * i, (u16)(0x100 + i));
	err = vbe_mode_list(mem, sizeof(mem), 0x00300000, out, 8, &n);
	CHECK(!err, "error %s", err);
	CHECK_EQ_U64("count", n, 8);
	CHECK_EQ_U64("last", out[7], 0x107);
	t_end();

	t_begin("mode_list_cut_at_end_of_memory");
	put16(mem + sizeof(mem) - 4, 0x120);
	put16(mem + sizeof(mem) - 2, 0x121);
	err = vbe_mode_list(mem, sizeof(mem), (u32)(sizeof(mem) - 4) >> 4 << 16 | 0xc, out, 8,
			    &n);
	CHECK(!err, "error %s", err);
	CHECK(n == 2 && out[0] == 0x120 && out[1] == 0x121, "%u modes", n);
	/* One odd byte left: no half a mode number. */
	err = vbe_mode_list(mem, sizeof(mem), (u32)(sizeof(mem) - 1), out, 8, &n);
	CHECK(!err && n == 0, "a 1-byte tail read as %u modes", n);
	t_end();

	t_begin("mode_list_pointer_outside_memory");
	n = 5;
	err = vbe_mode_list(mem, sizeof(mem), 0xc0000000, out, 8, &n);
	CHECK(err && !strcmp(err, "the VBE mode list pointer is outside real-mode memory"),
	      "message %s", err ? err : "(none)");
	CHECK_EQ_U64("count", n, 0);
	t_end();
}

static void fill_info(struct vbe_mode_info *mi, const struct fmode *m)
{
	memset(mi, 0, sizeof(*mi));
	mi->ModeAttributes = m->attrs;
	mi->BytesPerScanLine = m->pitch;
	mi->XResolution = m->w;
	mi->YResolution = m->h;
	mi->BitsPerPixel = m->bpp;
	mi->MemoryModel = m->model;
	memcpy(&mi->RedMaskSize, m->masks, 6);
	mi->PhysBasePtr = m->lfb;
	mi->LinBytesPerScanLine = m->lin_pitch;
	memcpy(&mi->LinRedMaskSize, m->lin_masks, 6);
}

struct usable_case {
	const char *name;
	struct fmode m;
	u16 version;
	u32 vram;
	void (*tweak)(struct vbe_mode_info *mi);
	int usable;
	/* when usable: */
	u32 pitch;
	u8 bpp, depth, rp, rs, gp, gs, bp, bs;
};

static void no_masks(struct vbe_mode_info *mi)
{
	memset(&mi->RedMaskSize, 0, 8);
	memset(&mi->LinRedMaskSize, 0, 8);
}
static void lin_differs(struct vbe_mode_info *mi)
{
	static const u8 bgr[6] = { 8, 0, 8, 8, 8, 16 };
	mi->LinBytesPerScanLine = 4096 + 512;
	memcpy(&mi->LinRedMaskSize, bgr, 6);
}
static void overlap(struct vbe_mode_info *mi)
{
	mi->GreenFieldPosition = 12; /* into red's 11..15 */
}
static void outside(struct vbe_mode_info *mi)
{
	mi->RedFieldPosition = 12; /* 12..16 in a 16-bit pixel */
}
static void wide(struct vbe_mode_info *mi)
{
	mi->RedMaskSize = 10; /* 10-bit colour: not handed over */
}
static void no_lfb(struct vbe_mode_info *mi)
{
	mi->PhysBasePtr = 0;
}
static void past_4g(struct vbe_mode_info *mi)
{
	mi->PhysBasePtr = 0xffe00000; /* 3 MiB of pixels from 4 GiB - 2 MiB */
}
static void narrow_pitch(struct vbe_mode_info *mi)
{
	mi->BytesPerScanLine = 4092;
	mi->LinBytesPerScanLine = 4092;
}
static void attr_off(struct vbe_mode_info *mi, u16 bit)
{
	mi->ModeAttributes &= (u16)~bit;
}
static void no_supported(struct vbe_mode_info *mi) { attr_off(mi, VBE_ATTR_SUPPORTED); }
static void no_colour(struct vbe_mode_info *mi) { attr_off(mi, VBE_ATTR_COLOR); }
static void no_graphics(struct vbe_mode_info *mi) { attr_off(mi, VBE_ATTR_GRAPHICS); }
static void no_lfb_attr(struct vbe_mode_info *mi) { attr_off(mi, VBE_ATTR_LFB); }
static void zero_height(struct vbe_mode_info *mi) { mi->YResolution = 0; }
static void packed_model(struct vbe_mode_info *mi) { mi->MemoryModel = VBE_MEMORY_MODEL_PACKED; }
static void bpp_15_count(struct vbe_mode_info *mi) { mi->BitsPerPixel = 15; }

#define NO 0, 0, 0, 0, 0, 0, 0, 0, 0 /* the fields of a usable mode */
static const struct usable_case usable_cases[] = {
	{ "usable_1024x768x32_vbe3", M(0x144, 1024, 768, 32, RGB888), 0x300, 16 << 20, NULL, 1,
	  4096, 32, 32, 16, 8, 8, 8, 0, 8 },
	{ "usable_640x480x16", M(0x111, 640, 480, 16, RGB565), 0x300, 0, NULL, 1,
	  1280, 16, 16, 11, 5, 5, 6, 0, 5 },
	{ "usable_640x480x15_as_16_bpp", M(0x110, 640, 480, 16, RGB555), 0x300, 0, NULL, 1,
	  1280, 16, 15, 10, 5, 5, 5, 0, 5 },
	{ "usable_bpp_counted_as_15", M(0x110, 640, 480, 16, RGB555), 0x200, 0, bpp_15_count,
	  1, 1280, 16, 15, 10, 5, 5, 5, 0, 5 },
	{ "usable_800x600x24", M(0x115, 800, 600, 24, RGB888), 0x200, 0, NULL, 1,
	  2400, 24, 24, 16, 8, 8, 8, 0, 8 },
	{ "usable_vbe3_linear_fields_win", M(0x144, 1024, 768, 32, RGB888), 0x300, 0,
	  lin_differs, 1, 4608, 32, 32, 0, 8, 8, 8, 16, 8 },
	{ "usable_vbe2_ignores_linear_fields", M(0x144, 1024, 768, 32, RGB888), 0x200, 0,
	  lin_differs, 1, 4096, 32, 32, 16, 8, 8, 8, 0, 8 },
	{ "usable_zero_masks_16", M(0x111, 640, 480, 16, RGB565), 0x200, 0, no_masks, 1,
	  1280, 16, 16, 11, 5, 5, 6, 0, 5 },
	{ "usable_zero_masks_15", M(0x110, 640, 480, 15, RGB555), 0x200, 0, no_masks, 1,
	  1280, 16, 15, 10, 5, 5, 5, 0, 5 },
	{ "usable_zero_masks_32", M(0x144, 1024, 768, 32, RGB888), 0x200, 0, no_masks, 1,
	  4096, 32, 32, 16, 8, 8, 8, 0, 8 },
	{ "usable_fits_vram_exactly", M(0x144, 1024, 768, 32, RGB888), 0x300, 3 << 20, NULL, 1,
	  4096, 32, 32, 16, 8, 8, 8, 0, 8 },
	{ "unusable_8bpp_palette", P8(0x105, 1024, 768), 0x300, 0, NULL, 0, NO },
	{ "unusable_packed_model", M(0x111, 640, 480, 16, RGB565), 0x300, 0, packed_model, 0, NO },
	{ "unusable_not_supported", M(0x144, 1024, 768, 32, RGB888), 0x300, 0, no_supported, 0, NO },
	{ "unusable_monochrome", M(0x144, 1024, 768, 32, RGB888), 0x300, 0, no_colour, 0, NO },
	{ "unusable_text", M(0x144, 1024, 768, 32, RGB888), 0x300, 0, no_graphics, 0, NO },
	{ "unusable_no_lfb_attribute", M(0x144, 1024, 768, 32, RGB888), 0x300, 0, no_lfb_attr,
	  0, NO },
	{ "unusable_lfb_address_0", M(0x144, 1024, 768, 32, RGB888), 0x300, 0, no_lfb, 0, NO },
	{ "unusable_past_4_gib", M(0x144, 1024, 768, 32, RGB888), 0x300, 0, past_4g, 0, NO },
	{ "unusable_pitch_below_width", M(0x144, 1024, 768, 32, RGB888), 0x300, 0,
	  narrow_pitch, 0, NO },
	{ "unusable_larger_than_vram", M(0x144, 1024, 768, 32, RGB888), 0x300, (3 << 20) - 1,
	  NULL, 0, NO },
	{ "unusable_colours_overlap", M(0x111, 640, 480, 16, RGB565), 0x200, 0, overlap, 0, NO },
	{ "unusable_colour_outside_pixel", M(0x111, 640, 480, 16, RGB565), 0x200, 0, outside,
	  0, NO },
	{ "unusable_10_bit_colour", M(0x144, 1024, 768, 32, RGB888), 0x200, 0, wide, 0, NO },
	{ "unusable_zero_height", M(0x144, 1024, 768, 32, RGB888), 0x300, 0, zero_height, 0, NO },
	{ "unusable_number_beyond_9_bits", M(0x344, 1024, 768, 32, RGB888), 0x300, 0, NULL, 0, NO },
};

static void test_mode_usable(void)
{
	for (u32 i = 0; i < COUNT(usable_cases); i++) {
		const struct usable_case *c = &usable_cases[i];
		struct vbe_mode_info mi;
		struct video_mode out;

		t_begin(c->name);
		fill_info(&mi, &c->m);
		if (c->tweak)
			c->tweak(&mi);
		memset(&out, 0x5a, sizeof(out));
		int got = vbe_mode_usable(&mi, c->m.number, c->version, c->vram, &out);
		CHECK_EQ_U64("usable", got, c->usable);
		if (got && c->usable) {
			const struct bootinfo_framebuffer *f = &out.fb;
			u32 want[] = { LFB, c->m.w, c->m.h, c->pitch, BOOTINFO_VIDEO_RGB, c->bpp,
				       c->depth, c->rp, c->rs, c->gp, c->gs, c->bp, c->bs,
				       c->m.number };
			u32 have[] = { (u32)f->address, f->width, f->height, f->pitch, f->type,
				       f->bpp, out.depth, f->red_position, f->red_size,
				       f->green_position, f->green_size, f->blue_position,
				       f->blue_size, f->mode };
			static const char *const names[] = {
				"address", "width", "height", "pitch", "type", "bpp", "depth",
				"red_position", "red_size", "green_position", "green_size",
				"blue_position", "blue_size", "mode" };
			for (u32 k = 0; k < COUNT(want); k++)
				CHECK_EQ_U64(names[k], have[k], want[k]);
			CHECK_EQ_U64("address high", f->address >> 32, 0);
			CHECK_EQ_U64("fallback", f->fallback, 0);
		}
		t_end();
	}
}

static void test_edid(void)
{
	u8 e[EDID_SIZE];
	u16 w = 0, h = 0;

	t_begin("edid_preferred_1280x800");
	make_edid(e, 1280, 800, 0);
	CHECK(edid_preferred_size((struct edid *)e, &w, &h), "not accepted");
	CHECK(w == 1280 && h == 800, "got %ux%u", w, h);
	t_end();

	t_begin("edid_twelve_bit_sizes");
	make_edid(e, 2560, 1600, 0);
	CHECK(edid_preferred_size((struct edid *)e, &w, &h) && w == 2560 && h == 1600,
	      "got %ux%u", w, h);
	t_end();

	t_begin("edid_interlaced_counts_both_fields");
	make_edid(e, 1920, 540, 1);
	CHECK(edid_preferred_size((struct edid *)e, &w, &h) && w == 1920 && h == 1080,
	      "got %ux%u", w, h);
	t_end();

	struct {
		const char *name;
		u32 at;
		u8 value;
	} bad[] = {
		{ "edid_bad_header", 3, 0x00 },
		{ "edid_bad_checksum", 100, 0x01 },
		{ "edid_version_2", 18, 2 },
		{ "edid_first_descriptor_not_a_timing", 54, 0 },
	};
	for (u32 i = 0; i < COUNT(bad); i++) {
		t_begin(bad[i].name);
		make_edid(e, 1280, 800, 0);
		u8 old = e[bad[i].at];
		e[bad[i].at] = bad[i].value;
		if (i != 1) {
			if (i == 3)
				e[55] = 0; /* pixel clock 0: a display descriptor */
			e[127] = (u8)(e[127] + old - bad[i].value + (i == 3 ? 0x29 : 0));
		}
		w = h = 7;
		CHECK(!edid_preferred_size((struct edid *)e, &w, &h), "accepted as %ux%u", w, h);
		CHECK(w == 7 && h == 7, "wrote %ux%u", w, h);
		t_end();
	}

	t_begin("edid_zero_size");
	make_edid(e, 0, 800, 0);
	CHECK(!edid_preferred_size((struct edid *)e, &w, &h), "accepted a 0-pixel width");
	t_end();
}

/* The rule in video.h, as a brute-force model: every candidate gets a
 * key, the largest key wins, the first of equal keys. */
static int model_pick(const struct video_mode *m, u32 n, u16 w, u16 h, u8 d)
{
	int best = -1;
	long long best_key[3] = { 0 };

	for (u32 i = 0; i < n; i++) {
		u32 mw = m[i].fb.width, mh = m[i].fb.height, md = m[i].depth;
		if ((w && mw > w) || (h && mh > h))
			continue;
		long long rank;
		if (!d)
			rank = md;
		else if (md == d)
			rank = 1000;
		else if (md < d)
			rank = 500 + md; /* closer below is better */
		else
			rank = 100 - md; /* the shallowest above */
		long long key[3] = { (!w || mw == w) && (!h || mh == h), (long long)mw * mh, rank };
		int better = best < 0;
		for (int k = 0; k < 3 && !better; k++) {
			if (key[k] != best_key[k]) {
				better = key[k] > best_key[k];
				break;
			}
		}
		if (better) {
			best = (int)i;
			memcpy(best_key, key, sizeof(key));
		}
	}
	return best;
}

static u32 table_modes(const struct fmode *t, u32 n, struct video_mode *out)
{
	u32 k = 0;

	for (u32 i = 0; i < n; i++) {
		struct vbe_mode_info mi;
		fill_info(&mi, &t[i]);
		k += vbe_mode_usable(&mi, t[i].number, 0x300, 0, &out[k]);
	}
	return k;
}

static void test_pick(void)
{
	struct video_mode std[COUNT(stdvga)], cl[COUNT(cirrus)];
	u32 nstd = table_modes(stdvga, COUNT(stdvga), std);
	u32 ncl = table_modes(cirrus, COUNT(cirrus), cl);
	struct {
		const char *name;
		int cirrus;
		u16 w, h;
		u8 d;
		u16 want; /* mode number; 0: none */
	} cases[] = {
		{ "pick_exact_1024x768x32", 0, 1024, 768, 32, 0x144 },
		{ "pick_exact_1024x768x16", 0, 1024, 768, 16, 0x117 },
		{ "pick_exact_1024x768x15", 0, 1024, 768, 15, 0x116 },
		{ "pick_exact_800x600x24", 0, 800, 600, 24, 0x115 },
		{ "pick_any_depth_is_deepest", 0, 1024, 768, 0, 0x144 },
		{ "pick_8bpp_gets_shallowest_direct", 0, 640, 480, 8, 0x110 },
		{ "pick_cirrus_32_gets_24_at_same_size", 1, 1024, 768, 32, 0x118 },
		{ "pick_cirrus_15_gets_16_above", 1, 1024, 768, 15, 0x117 },
		{ "pick_nearest_smaller_1152x864", 0, 1152, 864, 32, 0x144 },
		{ "pick_smaller_area_wins_over_depth", 1, 1280, 960, 32, 0x118 },
		{ "pick_width_only", 0, 1280, 0, 32, 0x146 },
		{ "pick_height_only_exact_height_first", 0, 0, 800, 16, 0x17d },
		{ "pick_height_only_below_any", 0, 0, 700, 16, 0x114 },
		{ "pick_wide_1280x800", 0, 1280, 800, 32, 0x17d },
		{ "pick_too_small_request", 0, 320, 200, 32, 0 },
		{ "pick_empty_list", 2, 1024, 768, 32, 0 },
	};

	t_begin("pick_tables_usable");
	CHECK(nstd == 15 && ncl == 10, "tables: %u and %u usable modes", nstd, ncl);
	t_end();
	for (u32 i = 0; i < COUNT(cases); i++) {
		const struct video_mode *m = cases[i].cirrus == 1 ? cl : std;
		u32 n = cases[i].cirrus == 1 ? ncl : cases[i].cirrus == 2 ? 0 : nstd;
		t_begin(cases[i].name);
		int got = video_pick(m, n, cases[i].w, cases[i].h, cases[i].d);
		if (!cases[i].want)
			CHECK(got == -1, "picked mode 0x%x", got >= 0 ? m[got].fb.mode : 0);
		else
			CHECK(got >= 0 && m[got].fb.mode == cases[i].want, "picked 0x%x, want 0x%x",
			      got >= 0 ? m[got].fb.mode : 0, cases[i].want);
		CHECK_EQ_U64("model", got, model_pick(m, n, cases[i].w, cases[i].h, cases[i].d));
		t_end();
	}

	/* Random lists (duplicates, ties and all) against the model. */
	t_begin("pick_random_lists_match_the_model");
	static const u16 sizes[][2] = { { 640, 480 }, { 800, 600 }, { 1024, 768 },
					 { 1280, 1024 }, { 1280, 800 }, { 1920, 1080 },
					 { 320, 240 }, { 1024, 600 } };
	static const u8 depths[] = { 15, 16, 24, 32 };
	static const u8 asks[] = { 0, 8, 15, 16, 24, 32 };
	srand(11);
	for (int round = 0; round < 20000; round++) {
		struct video_mode m[12];
		u32 n = (u32)(rand() % 13);
		for (u32 i = 0; i < n; i++) {
			memset(&m[i], 0, sizeof(m[i]));
			m[i].fb.width = sizes[rand() % 8][0];
			m[i].fb.height = sizes[rand() % 8][1];
			m[i].depth = depths[rand() % 4];
			m[i].fb.mode = (u16)(0x100 + i);
		}
		u16 w = rand() % 3 ? sizes[rand() % 8][0] : 0;
		u16 h = rand() % 3 ? sizes[rand() % 8][1] : 0;
		u8 d = asks[rand() % 6];
		int got = video_pick(m, n, w, h, d), want = model_pick(m, n, w, h, d);
		if (got != want) {
			t_fail("%u modes, %ux%ux%u: picked %d, the model %d", n, w, h, d, got, want);
			break;
		}
	}
	t_end();
}

static void test_describe(void)
{
	struct video_mode cl[COUNT(cirrus)];
	u32 n = table_modes(cirrus, COUNT(cirrus), cl);
	char buf[400];
	const char *all = "640x480x15, 640x480x16, 640x480x24, 640x480x32, 800x600x15, "
			  "800x600x16, 800x600x24, 1024x768x16, 1024x768x24, 1280x1024x16";

	t_begin("describe_all_modes");
	u32 len = video_describe_modes(buf, sizeof(buf), cl, n);
	CHECK(!strcmp(buf, all), "got '%s'", buf);
	CHECK_EQ_U64("length", len, strlen(all));
	t_end();

	t_begin("describe_each_size_once");
	struct video_mode twice[4] = { cl[0], cl[1], cl[0], cl[1] };
	twice[2].fb.mode = 0x170; /* another number, the same WxHxD */
	video_describe_modes(buf, sizeof(buf), twice, 4);
	CHECK(!strcmp(buf, "640x480x15, 640x480x16"), "got '%s'", buf);
	t_end();

	t_begin("describe_cut_short");
	/* 40 bytes: 39 characters; entries while ", ..." still fits after. */
	len = video_describe_modes(buf, 40, cl, n);
	CHECK(!strcmp(buf, "640x480x15, 640x480x16, 640x480x24, ..."), "got '%s'", buf);
	CHECK_EQ_U64("length", len, strlen(buf));
	len = video_describe_modes(buf, 12, cl, n);
	CHECK(!strcmp(buf, "..."), "got '%s' for 12 bytes", buf);
	len = video_describe_modes(buf, 2, cl, n);
	CHECK(!strcmp(buf, "."), "got '%s' for 2 bytes", buf);
	t_end();

	t_begin("describe_none");
	buf[0] = 'x';
	CHECK_EQ_U64("length", video_describe_modes(buf, sizeof(buf), cl, 0), 0);
	CHECK(!buf[0], "got '%s'", buf);
	t_end();
}

/* ------------------------------------------------------------------ */
/* The BIOS half. */

struct setup_case {
	const char *name;
	struct fvbe bios;
	struct video_request req;
	int bda;                   /* the BDA has a text mode */
	const char *reserve_error; /* physmem_reserve()'s answer */
	/* what must come of it */
	const char *die;           /* the message, or NULL */
	u8 type, fallback;
	u16 mode;                  /* the mode set (RGB) */
	u32 width, height, pitch;
	u8 bpp;
	u32 sets;                  /* 4F02h calls */
	u32 resets;                /* INT 10h 0003h calls */
	const char *printed;       /* a line that must have been printed, or NULL */
};

static const u16 phantoms[] = { 0x180, 0x181 };
static u8 edid_1280x800[EDID_SIZE], edid_garbage[EDID_SIZE];

#define STD .modes = stdvga, .n = COUNT(stdvga), .version = 0x300, .total_64k = 256
#define CIRRUS .modes = cirrus, .n = COUNT(cirrus), .version = 0x200, .total_64k = 64
#define REQ(w, h, d) { .width = (w), .height = (h), .bpp = (d), .given = 1 }
#define REQUIRED(w, h, d) { .width = (w), .height = (h), .bpp = (d), .required = 1, .given = 1 }

static const char cirrus_list[] =
	"640x480x15, 640x480x16, 640x480x24, 640x480x32, 800x600x15, 800x600x16, "
	"800x600x24, 1024x768x16, 1024x768x24, 1280x1024x16";

static struct setup_case setup_cases[] = {
	{ "setup_std_1024x768x32", { STD }, REQ(1024, 768, 32), 1, NULL, NULL,
	  BOOTINFO_VIDEO_RGB, 0, 0x144, 1024, 768, 4096, 32, 1, 0,
	  "stage2: video: 1024x768x32, VBE mode 0x144, framebuffer at 0xfd000000, 4096 bytes a "
	  "line\n" },
	{ "setup_list_in_rom_with_phantoms",
	  { STD, .list_in_rom = 1, .phantom = phantoms, .nphantom = 2 }, REQ(800, 600, 16), 1,
	  NULL, NULL, BOOTINFO_VIDEO_RGB, 0, 0x114, 800, 600, 1600, 16, 1, 0,
	  "stage2: video: VBE 3.0, 16384 KiB, 20 modes listed, 15 usable\n" },
	{ "setup_unterminated_list", { STD, .unterminated = 1 }, REQ(640, 480, 32), 1, NULL, NULL,
	  BOOTINFO_VIDEO_RGB, 0, 0x129, 640, 480, 2560, 32, 1, 0,
	  "stage2: video: VBE 3.0, 16384 KiB, 256 modes listed, 15 usable\n" },
	{ "setup_cirrus_24_for_32", { CIRRUS }, REQ(1024, 768, 32), 1, NULL, NULL,
	  BOOTINFO_VIDEO_RGB, 0, 0x118, 1024, 768, 3072, 24, 1, 0, NULL },
	{ "setup_refused_mode_falls_to_next", { STD, .refuse = 0x144 }, REQ(1024, 768, 32), 1,
	  NULL, NULL, BOOTINFO_VIDEO_RGB, 0, 0x118, 1024, 768, 3072, 24, 2, 1,
	  "stage2: video: the video BIOS did not set mode 0x144\n" },
	{ "setup_lying_mode_set_falls_to_next", { STD, .lie = 0x144 }, REQ(1024, 768, 32), 1,
	  NULL, NULL, BOOTINFO_VIDEO_RGB, 0, 0x118, 1024, 768, 3072, 24, 2, 1, NULL },
	{ "setup_edid_preferred", { STD, .edid = edid_1280x800 }, REQ(0, 0, 32), 1, NULL, NULL,
	  BOOTINFO_VIDEO_RGB, 0, 0x17d, 1280, 800, 5120, 32, 1, 0,
	  "stage2: video: the display prefers 1280x800 (EDID)\n" },
	{ "setup_no_edid_takes_1024x768", { STD }, REQ(0, 0, 0), 1, NULL, NULL,
	  BOOTINFO_VIDEO_RGB, 0, 0x144, 1024, 768, 4096, 32, 1, 0,
	  "stage2: video: no EDID from the display; taking 1024x768\n" },
	{ "setup_bad_edid_takes_1024x768", { STD, .edid = edid_garbage }, REQ(0, 0, 16), 1,
	  NULL, NULL, BOOTINFO_VIDEO_RGB, 0, 0x117, 1024, 768, 2048, 16, 1, 0, NULL },
	{ "setup_no_vga_bios", { .absent = 1 }, REQ(1024, 768, 32), 0, NULL, NULL,
	  BOOTINFO_VIDEO_NONE, BOOTINFO_FB_NO_VBE, 0, 0, 0, 0, 0, 0, 0,
	  "stage2: video: the video BIOS has no VBE 2.0 (INT 10h 4F00h: AX=0x4f00, signature "
	  "0x32454256, version 0x0); the kernel starts in text mode\n" },
	{ "setup_no_vga_bios_required", { .absent = 1 }, REQUIRED(1024, 768, 32), 0, NULL,
	  "the video mode 1024x768x32 (0: any) is required, but the video BIOS has no VBE 2.0 "
	  "(INT 10h 4F00h: AX=0x4f00, signature 0x32454256, version 0x0)",
	  0, 0, 0, 0, 0, 0, 0, 0, 0, NULL },
	{ "setup_vbe_1_2_is_not_enough",
	  { .modes = stdvga, .n = COUNT(stdvga), .version = 0x102, .total_64k = 256 }, REQ(1024, 768, 32), 1, NULL,
	  NULL, BOOTINFO_VIDEO_TEXT, BOOTINFO_FB_NO_VBE, 3, 80, 25, 160, 16, 0, 0, NULL },
	{ "setup_nothing_fits", { CIRRUS }, REQ(320, 200, 32), 1, NULL, NULL,
	  BOOTINFO_VIDEO_TEXT, BOOTINFO_FB_NO_MODE, 3, 80, 25, 160, 16, 0, 0, NULL },
	{ "setup_nothing_fits_required", { CIRRUS }, REQUIRED(320, 200, 32), 1, NULL, NULL,
	  0, 0, 0, 0, 0, 0, 0, 0, 0, NULL },
	/* Linux's vid_mode names a mode: that one, or text. */
	{ "setup_mode_number", { STD }, { .given = 1, .mode = 0x117 }, 1, NULL, NULL,
	  BOOTINFO_VIDEO_RGB, 0, 0x117, 1024, 768, 2048, 16, 1, 0, NULL },
	{ "setup_mode_number_not_usable", { STD }, { .given = 1, .mode = 0x105 }, 1, NULL, NULL,
	  BOOTINFO_VIDEO_TEXT, BOOTINFO_FB_NO_MODE, 3, 80, 25, 160, 16, 0, 0,
	  "stage2: video: VBE mode 0x105 is not a usable linear mode; the video BIOS offers "
	  "640x480x15, 640x480x16, 640x480x24, 640x480x32, 800x600x15, 800x600x16, 800x600x24, "
	  "800x600x32, 1024x768x15, 1024x768x16, 1024x768x24, 1024x768x32, 1280x1024x16, "
	  "1280x1024x32, 1280x800x32; the kernel starts in text mode\n" },
	{ "setup_mode_number_refused", { STD, .refuse = 0x117 }, { .given = 1, .mode = 0x117 }, 1,
	  NULL, NULL, BOOTINFO_VIDEO_TEXT, BOOTINFO_FB_SET_FAILED, 3, 80, 25, 160, 16, 1, 1,
	  "stage2: video: VBE mode 0x117 is not a usable linear mode (it would not set it); "
	  "the video BIOS offers " },
	/* FFFF:FFFF: one byte before the end of real mode's reach. */
	{ "setup_list_pointer_at_the_end", { STD, .list_ptr = 0xffffffff }, REQ(1024, 768, 32), 1,
	  NULL, NULL, BOOTINFO_VIDEO_TEXT, BOOTINFO_FB_NO_MODE, 3, 80, 25, 160, 16, 0, 0,
	  "stage2: video: VBE 3.0, 16384 KiB, 0 modes listed, 0 usable\n"
	  "stage2: video: no mode of at most 1024x768 fits; the video BIOS offers no linear "
	  "15/16/24/32-bit mode (0 modes listed); the kernel starts in text mode\n" },
	{ "setup_framebuffer_over_a_claim", { STD }, REQ(1024, 768, 32), 1, "overlaps module 1",
	  "the framebuffer of VBE mode 0x144 (0xfd000000-0xfd300000) overlaps module 1",
	  0, 0, 0, 0, 0, 0, 0, 1, 0, NULL },
};

static void test_setup(void)
{
	static char want_die[1024];

	make_edid(edid_1280x800, 1280, 800, 0);
	memset(edid_garbage, 0x5a, sizeof(edid_garbage));
	/* The messages that list the modes, built from the list above. */
	snprintf(want_die, sizeof(want_die),
		 "the video mode 320x200x32 (0: any) is required, but no mode of at most 320x200 "
		 "fits; the video BIOS offers %s",
		 cirrus_list);
	for (u32 i = 0; i < COUNT(setup_cases); i++)
		if (!strcmp(setup_cases[i].name, "setup_nothing_fits_required"))
			setup_cases[i].die = want_die;
	for (u32 i = 0; i < COUNT(setup_cases); i++) {
		struct setup_case *c = &setup_cases[i];
		static struct video_result res;

		t_begin(c->name);
		memset(fake_real_memory, 0, sizeof(fake_real_memory));
		memset(&vlog, 0, sizeof(vlog));
		memset(&reserved, 0, sizeof(reserved));
		memset(&res, 0x77, sizeof(res));
		reserved.answer = c->reserve_error;
		heap_next = HEAP_BASE;
		printed[0] = died[0] = 0;
		graphics_on = 0;
		bios = &c->bios;
		bda_video = c->bda;
		if (!setjmp(die_jump)) {
			video_setup(&c->req, &res);
			CHECK(!c->die, "no stop; wanted '%s'", c->die);
		} else {
			CHECK(c->die && !strcmp(died, c->die), "stopped with '%s', want '%s'", died,
			      c->die ? c->die : "no stop");
		}
		CHECK(!vlog.violation[0], "calling convention: %s", vlog.violation);
		if (c->printed)
			CHECK(strstr(printed, c->printed), "printed '%s', want a line '%s'", printed,
			      c->printed);
		if (!c->die) {
			const struct bootinfo_framebuffer *f = &res.fb;
			CHECK_EQ_U64("type", f->type, c->type);
			CHECK_EQ_U64("fallback", f->fallback, c->fallback);
			CHECK_EQ_U64("mode", f->mode, c->mode);
			CHECK_EQ_U64("width", f->width, c->width);
			CHECK_EQ_U64("height", f->height, c->height);
			CHECK_EQ_U64("pitch", f->pitch, c->pitch);
			CHECK_EQ_U64("bpp", f->bpp, c->bpp);
			CHECK_EQ_U64("4F02h calls", vlog.sets, c->sets);
			CHECK_EQ_U64("text mode resets", vlog.text_resets, c->resets);
			CHECK_EQ_U64("console graphics", graphics_on, c->type == BOOTINFO_VIDEO_RGB);
			if (c->type == BOOTINFO_VIDEO_RGB) {
				CHECK_EQ_U64("address", f->address, LFB);
				CHECK_EQ_U64("last 4F02h BX", vlog.set_bx[vlog.sets - 1],
					     c->mode | VBE_MODE_LFB);
				CHECK_EQ_U64("mode set", vlog.current, c->mode | VBE_MODE_LFB);
				CHECK_EQ_U64("reserve calls", reserved.calls, 1);
				CHECK_EQ_U64("reserved base", reserved.base, LFB);
				CHECK_EQ_U64("reserved length", reserved.length,
					     ((u64)c->pitch * c->height + 4095) & ~4095ull);
				CHECK(res.info && res.info->VbeSignature == VBE_SIGNATURE,
				      "no controller info");
				CHECK(res.mode_info && res.mode_info->XResolution == c->width &&
					      res.mode_info->PhysBasePtr == LFB,
				      "the mode info is not the mode set's");
			} else {
				CHECK_EQ_U64("reserve calls", reserved.calls, 0);
				CHECK(!res.mode_info, "a mode info without a mode");
				if (c->type == BOOTINFO_VIDEO_TEXT)
					CHECK_EQ_U64("text address", f->address, 0xb8000);
			}
		}
		t_end();
	}
}

/* The refusal when every mode that fits was refused. */
static void test_setup_all_refused(void)
{
	static const struct fmode two[] = { M(0x111, 640, 480, 16, RGB565),
					    M(0x129, 640, 480, 32, RGB888) };
	struct fvbe b = { .modes = two, .n = 2, .version = 0x300, .total_64k = 64,
			  .refuse = 0x129, .lie = 0x111 };
	struct video_request req = REQUIRED(640, 480, 32);
	static struct video_result res;

	t_begin("setup_every_mode_refused_required");
	memset(fake_real_memory, 0, sizeof(fake_real_memory));
	memset(&vlog, 0, sizeof(vlog));
	memset(&reserved, 0, sizeof(reserved));
	heap_next = HEAP_BASE;
	printed[0] = died[0] = 0;
	bios = &b;
	bda_video = 1;
	if (!setjmp(die_jump))
		video_setup(&req, &res);
	/* The refused modes are listed last, in the order they were tried. */
	CHECK(!strcmp(died, "the video mode 640x480x32 (0: any) is required, but the video BIOS "
			    "set none of the modes of at most 640x480; it offers 640x480x32, "
			    "640x480x16"),
	      "stopped with '%s'", died);
	CHECK_EQ_U64("4F02h calls", vlog.sets, 2);
	CHECK_EQ_U64("text resets", vlog.text_resets, 2);
	t_end();

	t_begin("setup_every_mode_refused_text");
	req.required = 0;
	memset(&vlog, 0, sizeof(vlog));
	heap_next = HEAP_BASE;
	printed[0] = died[0] = 0;
	if (!setjmp(die_jump))
		video_setup(&req, &res);
	else
		t_fail("stopped: %s", died);
	CHECK_EQ_U64("type", res.fb.type, BOOTINFO_VIDEO_TEXT);
	CHECK_EQ_U64("fallback", res.fb.fallback, BOOTINFO_FB_SET_FAILED);
	CHECK(!graphics_on, "the console thinks a mode is set");
	t_end();
}

static void test_text(void)
{
	struct bootinfo_framebuffer fb;

	t_begin("text_from_the_bda");
	bda_video = 1;
	memset(&fb, 0x33, sizeof(fb));
	video_text(&fb, BOOTINFO_FB_NOT_ASKED);
	CHECK_EQ_U64("type", fb.type, BOOTINFO_VIDEO_TEXT);
	CHECK_EQ_U64("address", fb.address, 0xb8000);
	CHECK_EQ_U64("width", fb.width, 80);
	CHECK_EQ_U64("height", fb.height, 25);
	CHECK_EQ_U64("pitch", fb.pitch, 160);
	CHECK_EQ_U64("bpp", fb.bpp, 16);
	CHECK_EQ_U64("mode", fb.mode, 3);
	CHECK_EQ_U64("fallback", fb.fallback, BOOTINFO_FB_NOT_ASKED);
	CHECK_EQ_U64("masks", fb.red_size | fb.green_size | fb.blue_size, 0);
	t_end();

	t_begin("text_without_a_video_bios");
	bda_video = 0;
	memset(&fb, 0x33, sizeof(fb));
	video_text(&fb, BOOTINFO_FB_NO_VBE);
	CHECK_EQ_U64("type", fb.type, BOOTINFO_VIDEO_NONE);
	CHECK_EQ_U64("address", fb.address, 0);
	CHECK_EQ_U64("width", fb.width, 0);
	CHECK_EQ_U64("fallback", fb.fallback, BOOTINFO_FB_NO_VBE);
	t_end();
}

/* The Linux glue: the request, and screen_info read back through Linux's
 * own struct screen_info and VIDEO_TYPE_VLFB. */
static void test_linux(void)
{
	static const struct fmode m565[] = { M(0x117, 1024, 768, 16, RGB565) };
	static struct fmode m32[] = { M(0x144, 1024, 768, 32, RGB888) };
	struct video_request entry = REQ(800, 600, 24), none = { 0 }, out;
	static struct video_result res;
	struct linux_screen_info s;
	struct screen_info li;

	t_begin("linux_request_entry_first");
	linux_video_request(&entry, 0x317, &out);
	CHECK(out.given && out.width == 800 && out.height == 600 && out.bpp == 24 && !out.mode,
	      "got %ux%ux%u mode 0x%x", out.width, out.height, out.bpp, out.mode);
	t_end();

	t_begin("linux_request_vid_mode");
	u16 vids[] = { 0x317, 0x3ff, 0x300, 0x2ff, 0xffff, 0xfffe, 0xfffd, 0x0f04, 0 };
	u16 want[] = { 0x117, 0x1ff, 0x100, 0, 0, 0, 0, 0, 0 };
	for (u32 i = 0; i < COUNT(vids); i++) {
		linux_video_request(&none, vids[i], &out);
		CHECK(out.given == !!want[i] && out.mode == want[i] && !out.width && !out.height,
		      "vid_mode 0x%x: given %u mode 0x%x", vids[i], out.given, out.mode);
	}
	t_end();

	for (int k = 0; k < 2; k++) {
		struct fvbe b = { .modes = k ? m32 : m565, .n = 1, .version = 0x300,
				  .total_64k = 256 };
		struct video_request req = { .given = 1, .mode = k ? 0x144 : 0x117 };
		t_begin(k ? "linux_screen_info_1024x768x32" : "linux_screen_info_1024x768x16");
		memset(fake_real_memory, 0, sizeof(fake_real_memory));
		memset(&vlog, 0, sizeof(vlog));
		heap_next = HEAP_BASE;
		bios = &b;
		if (!setjmp(die_jump))
			video_setup(&req, &res);
		else
			t_fail("stopped: %s", died);
		CHECK_EQ_U64("type", res.fb.type, BOOTINFO_VIDEO_RGB);
		/* The fake's ModeInfoBlock gives the reserved bits as 0xcc
		 * (never written): make them what SeaBIOS gives. */
		if (res.mode_info) {
			struct vbe_mode_info *mi = (struct vbe_mode_info *)res.mode_info;
			mi->LinRsvdMaskSize = mi->RsvdMaskSize = k ? 8 : 0;
			mi->LinRsvdFieldPosition = mi->RsvdFieldPosition = k ? 24 : 0;
			mi->NumberOfImagePages = 3;
		}
		memset(&s, 0x5a, sizeof(s));
		if (res.mode_info)
			linux_screen_info_vlfb(&s, &res);
		_Static_assert(sizeof(s) == sizeof(li), "screen_info size");
		memcpy(&li, &s, sizeof(li));
		CHECK_EQ_U64("orig_video_isVGA", li.orig_video_isVGA, VIDEO_TYPE_VLFB);
		CHECK_EQ_U64("lfb_width", li.lfb_width, 1024);
		CHECK_EQ_U64("lfb_height", li.lfb_height, 768);
		CHECK_EQ_U64("lfb_depth", li.lfb_depth, k ? 32 : 16);
		CHECK_EQ_U64("lfb_base", li.lfb_base, LFB);
		CHECK_EQ_U64("lfb_size", li.lfb_size, 256); /* 64 KiB units for VLFB */
		CHECK_EQ_U64("lfb_linelength", li.lfb_linelength, k ? 4096 : 2048);
		CHECK_EQ_U64("red", li.red_size << 8 | li.red_pos, k ? 0x810 : 0x50b);
		CHECK_EQ_U64("green", li.green_size << 8 | li.green_pos, k ? 0x808 : 0x605);
		CHECK_EQ_U64("blue", li.blue_size << 8 | li.blue_pos, k ? 0x800 : 0x500);
		CHECK_EQ_U64("rsvd", li.rsvd_size << 8 | li.rsvd_pos, k ? 0x818 : 0);
		CHECK_EQ_U64("pages", li.pages, 3);
		CHECK_EQ_U64("vesa_attributes", li.vesa_attributes, ATTRS_LFB);
		t_end();
	}
}

/* vga= on a Linux command line, as the boot protocol says a loader reads it
 * into vid_mode: the expected values by hand (791 = 0x317 = octal 01427). */
static void test_cmdline_vga(void)
{
	static const struct {
		const char *cmdline;
		int ret;
		u16 vid_mode;
		const char *value; /* the value the function points at */
	} cases[] = {
		{ "", 0, 0, NULL },
		{ "console=ttyS0 quiet", 0, 0, NULL },
		{ "vga=791", 1, 0x317, "791" },
		{ "console=ttyS0 vga=0x317 quiet", 1, 0x317, "0x317" },
		{ "vga=0X31a", 1, 0x31a, "0X31a" },
		{ "vga=01427", 1, 0x317, "01427" },
		{ "vga=0", 1, 0, "0" },
		{ "vga=65535", 1, 0xffff, "65535" },
		{ "vga=normal", 1, 0xffff, "normal" },
		{ "vga=ext", 1, 0xfffe, "ext" },
		{ "vga=ask", 1, 0xfffd, "ask" },
		/* The last one counts; words are separated by any blank. */
		{ "vga=ask\tvga=0x318\n", 1, 0x318, "0x318" },
		{ "vga=0x318 vga=normal", 1, 0xffff, "normal" },
		/* Only a word that starts with vga= is one. */
		{ "xvga=791 svga=1 vga791 video=vga=1", 0, 0, NULL },
		{ "vga=", -1, 0, "" },
		{ "vga=79l", -1, 0, "79l" },
		{ "vga=0x", -1, 0, "0x" },
		{ "vga=08", -1, 0, "08" },
		{ "vga=65536", -1, 0, "65536" },
		{ "vga=0x10000", -1, 0, "0x10000" },
		{ "vga=Normal", -1, 0, "Normal" },
		{ "vga=normalx", -1, 0, "normalx" },
		{ "vga=-1", -1, 0, "-1" },
	};

	t_begin("linux_cmdline_vga");
	for (u32 i = 0; i < COUNT(cases); i++) {
		u16 vid = 0xabcd;
		const char *value = NULL;
		u32 len = 0;
		int ret = linux_cmdline_vga(cases[i].cmdline, &vid, &value, &len);
		CHECK(ret == cases[i].ret, "\"%s\": returned %d, want %d", cases[i].cmdline, ret,
		      cases[i].ret);
		if (ret == 1)
			CHECK(vid == cases[i].vid_mode, "\"%s\": vid_mode 0x%x, want 0x%x",
			      cases[i].cmdline, vid, cases[i].vid_mode);
		if (ret)
			CHECK(value && len == strlen(cases[i].value) &&
				      !memcmp(value, cases[i].value, len),
			      "\"%s\": value \"%.*s\", want \"%s\"", cases[i].cmdline, (int)len,
			      value ? value : "", cases[i].value);
	}
	t_end();
}

int main(void)
{
	test_mode_list();
	test_mode_usable();
	test_edid();
	test_pick();
	test_describe();
	test_setup();
	test_setup_all_refused();
	test_text();
	test_linux();
	test_cmdline_vga();
	return t_exit_status();
}
